// What the analysis tools (energy_fit, energy_predict, energy_compare) share on their command line.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

namespace layer_energy::analysis::tool {

// Parses the command line; `check` (optional) runs after a successful parse and may throw a CLI::ParseError of its
// own. Returns the exit code when the tool must stop: 0 after printing the help asked for, 2 after an error (one line
// "<tool>: <error>" and a pointer to --help on stderr). Returns nothing when the tool goes on.
template <typename Check>
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, Check check) {
  try {
    app.parse(argc, argv);
    check();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      std::cout << app.help();
      return 0;
    }
    std::cerr << app.get_name() << ": " << e.what() << "\nRun with --help for usage.\n";
    return 2;
  }
  return std::nullopt;
}

inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  return parse_command_line(app, argc, argv, [] {});
}

}  // namespace layer_energy::analysis::tool
