// The population loop: every subject settled once, by one or more threads, in chunks of
// consecutive subjects whose results are handed on in subject order. `polc run`, `summary`,
// `test`, `diff` and the benchmarks all settle through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace polc::settle {

struct Population {
  uint32_t subjects = 0;  // subjects 0 .. subjects-1
  size_t workers = 1;     // threads settling at once (each on a large stack)
  uint32_t chunk_subjects = 1024;
  size_t window_per_worker = 4;  // chunks settled ahead of the ordered hand-on, per worker
  // Settles subject `s` on worker `w` (usually a SettleFn of that worker into its own sink);
  // may throw EvalError (or any std::exception: an internal error).
  std::function<void(size_t w, uint32_t s)> settle;
  // On worker `w`'s thread, after it settled every subject of chunk `k` (or failed in it).
  std::function<void(size_t w, size_t k)> chunk_done;
  // On the calling thread, for chunk 0, 1, ... in order, once it is done; never for a failed
  // chunk or any after it.
  std::function<void(size_t k)> ordered;
  // On the calling thread after each ordered chunk: subjects handed on so far.
  std::function<void(uint32_t settled)> progress;
};

// Settles the population. Returns false with `error` set when a subject failed: the error of
// the first failing subject in subject order, whatever the number of workers.
bool SettlePopulation(const Population& population, std::string& error);

}  // namespace polc::settle
