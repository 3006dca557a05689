# Our own targets build with strict warnings; CI turns them into errors (LAYER_ENERGY_WERROR=ON).
function(layer_energy_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual)
  if(LAYER_ENERGY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
