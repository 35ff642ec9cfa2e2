// RunOnLargeStack: a pthread with a chosen stack size, joined before returning.
#include "compiler/diag/stack.h"

#include <pthread.h>

#include <exception>

namespace polc {

namespace {
struct Job {
  const std::function<void()>* work;
  std::exception_ptr failure;
};
void* Entry(void* arg) {
  auto* job = static_cast<Job*>(arg);
  try {
    (*job->work)();
  } catch (...) {
    job->failure = std::current_exception();
  }
  return nullptr;
}
}  // namespace

void RunOnLargeStack(const std::function<void()>& work, size_t stack_bytes) {
  Job job{&work, nullptr};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  bool started = pthread_create(&thread, &attr, Entry, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) {
    work();
    return;
  }
  pthread_join(thread, nullptr);
  if (job.failure) std::rethrow_exception(job.failure);
}

}  // namespace polc
