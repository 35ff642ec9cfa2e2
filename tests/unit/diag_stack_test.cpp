// RunOnLargeStack and LargeStackThread: the work gets the large stack, runs while the caller
// goes on, and its exception reaches Join().
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "compiler/diag/stack.h"

namespace polc {
namespace {

// Recursion that needs far more than a default 8 MiB thread stack (about 64 MiB).
int Deep(int n) {
  volatile char frame[4096];
  frame[0] = 1;
  return n == 0 ? 0 : Deep(n - 1) + frame[0];
}

TEST(LargeStack, RecursionDeeperThanADefaultStack) {
  int depth = 0;
  RunOnLargeStack([&] { depth = Deep(16000); });
  EXPECT_EQ(depth, 16000);
}

TEST(LargeStack, TheThreadRunsWhileTheCallerGoesOn) {
  std::atomic<bool> caller_went_on{false}, worker_saw_it{false};
  LargeStackThread worker([&] {
    // Waits for the caller (bounded, so a broken thread cannot hang the test).
    for (int i = 0; i < 5000 && !caller_went_on.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    worker_saw_it = caller_went_on.load();
  });
  caller_went_on = true;
  worker.Join();
  EXPECT_TRUE(worker_saw_it);
}

TEST(LargeStack, JoinRethrowsOnceAndTheDestructorJoins) {
  LargeStackThread failing([] { throw std::runtime_error("lowering failed"); });
  try {
    failing.Join();
    ADD_FAILURE() << "Join() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "lowering failed");
  }
  EXPECT_NO_THROW(failing.Join());

  std::atomic<bool> done{false};
  {
    LargeStackThread slow([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done = true;
    });
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace polc
