// Independent jobs over the machine's cores: the folds of a cross-validation, the bins of a leave-one-level-out
// check, the candidates of a hyper-parameter search. Each job is deterministic on its own, so results do not
// depend on the number of threads or the order the jobs finish in.
#pragma once

#include <cstddef>
#include <functional>

namespace layer_energy::analysis {

// Threads parallel_for uses: LAYER_ENERGY_THREADS when set to a positive number, else the hardware's count.
std::size_t analysis_threads();

// Runs job(i, worker) for i in [0, jobs) on up to analysis_threads() threads; `worker` (< the thread count) lets a job
// reuse per-thread scratch. The first exception a job throws is rethrown here once every thread has stopped. Called
// from inside a job, it runs its jobs inline on that thread (worker 0).
void parallel_for(std::size_t jobs, const std::function<void(std::size_t job, std::size_t worker)>& job);

}  // namespace layer_energy::analysis
