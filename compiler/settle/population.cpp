// SettlePopulation: workers take chunks in order, at most a window ahead of the calling
// thread, which hands finished chunks on in order; a failure stops the chunks after it.
#include "compiler/settle/population.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "compiler/diag/stack.h"
#include "compiler/settle/seam.h"

namespace polc::settle {

bool SettlePopulation(const Population& p, std::string& error) {
  const uint32_t subjects = p.subjects;
  const uint32_t per_chunk = std::max<uint32_t>(p.chunk_subjects, 1);
  const size_t workers = std::max<size_t>(p.workers, 1);
  const size_t chunk_count = (static_cast<size_t>(subjects) + per_chunk - 1) / per_chunk;
  const size_t window = std::max<size_t>(p.window_per_worker, 1) * workers;
  std::vector<uint8_t> done(chunk_count, 0);
  std::mutex mutex;
  std::condition_variable changed;
  size_t next = 0, written = 0, failed = chunk_count;
  std::string failure;

  auto work = [&](size_t worker) {
    for (;;) {
      size_t k;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return next >= chunk_count || next < written + window || failed < next; });
        if (next >= chunk_count) return;
        k = next++;
        if (k > failed) {
          done[k] = 1;
          changed.notify_all();
          continue;
        }
      }
      std::string message;
      try {
        const uint32_t end = static_cast<uint32_t>(std::min<size_t>(subjects, (k + 1) * per_chunk));
        for (uint32_t s = static_cast<uint32_t>(k * per_chunk); s < end; ++s) p.settle(worker, s);
      } catch (const EvalError& e) {
        message = e.what();
      } catch (const std::exception& e) {
        message = fmt::format("internal error while settling: {}", e.what());
      }
      if (p.chunk_done) p.chunk_done(worker, k);
      std::lock_guard lock(mutex);
      if (!message.empty() && k < failed) {
        failed = k;
        failure = std::move(message);
      }
      done[k] = 1;
      changed.notify_all();
    }
  };

  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    // The interpreter recurses once per nesting level of the policy.
    threads.emplace_back([&work, w] { RunOnLargeStack([&] { work(w); }); });
  }
  std::exception_ptr hand_on_failure;
  for (;;) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return written >= chunk_count || written >= failed || done[written]; });
    if (written >= chunk_count || written >= failed) break;
    lock.unlock();
    try {
      if (p.ordered) p.ordered(written);
      if (p.progress) p.progress(static_cast<uint32_t>(std::min<size_t>(subjects, (written + 1) * per_chunk)));
    } catch (...) {
      hand_on_failure = std::current_exception();
      lock.lock();
      failed = std::min(failed, written);
      next = std::max(next, chunk_count);
      changed.notify_all();
      break;
    }
    lock.lock();
    ++written;
    changed.notify_all();
  }
  {
    // Let workers waiting for the window see that nothing more will be handed on.
    std::lock_guard lock(mutex);
    if (failed < chunk_count) next = std::max(next, chunk_count);
    changed.notify_all();
  }
  for (std::thread& t : threads) t.join();
  if (hand_on_failure) std::rethrow_exception(hand_on_failure);
  if (failed < chunk_count) {
    error = failure;
    return false;
  }
  return true;
}

}  // namespace polc::settle
