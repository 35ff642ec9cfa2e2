// Runs work on a thread with a large stack: the front end and the interpreter recurse once
// per nesting level of a policy, and the parse limits keep that depth bounded well below it.
#pragma once

#include <functional>
#include <memory>

namespace polc {

inline constexpr size_t kLargeStackBytes = 512u << 20;

// Runs `work` to completion on a thread with `stack_bytes` of stack; exceptions propagate.
void RunOnLargeStack(const std::function<void()>& work, size_t stack_bytes = kLargeStackBytes);

// `work` started on a thread with a large stack while the caller goes on (polc run compiles
// the policy while it reads the inputs). Join() waits for it and rethrows what it threw; the
// destructor joins too, so the work never outlives what it refers to.
class LargeStackThread {
 public:
  explicit LargeStackThread(std::function<void()> work, size_t stack_bytes = kLargeStackBytes);
  ~LargeStackThread();
  LargeStackThread(const LargeStackThread&) = delete;
  LargeStackThread& operator=(const LargeStackThread&) = delete;
  void Join();

  struct Job;  // stack.cpp

 private:
  std::unique_ptr<Job> job_;
};

}  // namespace polc
