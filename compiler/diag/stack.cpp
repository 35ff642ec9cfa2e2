// RunOnLargeStack and LargeStackThread: a pthread with a chosen stack size.
#include "compiler/diag/stack.h"

#include <pthread.h>

#include <exception>

namespace polc {

struct LargeStackThread::Job {
  std::function<void()> work;
  std::exception_ptr failure;
  pthread_t thread{};
  bool started = false, joined = false;
};

namespace {
void* Entry(void* arg) {
  auto* job = static_cast<LargeStackThread::Job*>(arg);
  try {
    job->work();
  } catch (...) {
    job->failure = std::current_exception();
  }
  return nullptr;
}
}  // namespace

LargeStackThread::LargeStackThread(std::function<void()> work, size_t stack_bytes) : job_(std::make_unique<Job>()) {
  job_->work = std::move(work);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  job_->started = pthread_create(&job_->thread, &attr, Entry, job_.get()) == 0;
  pthread_attr_destroy(&attr);
  // No thread to be had: the work runs now, on the caller's stack.
  if (!job_->started) Entry(job_.get());
}

LargeStackThread::~LargeStackThread() {
  if (job_->started && !job_->joined) pthread_join(job_->thread, nullptr);
}

void LargeStackThread::Join() {
  if (job_->started && !job_->joined) {
    pthread_join(job_->thread, nullptr);
    job_->joined = true;
  }
  if (job_->failure) {
    std::exception_ptr failure = job_->failure;
    job_->failure = nullptr;
    std::rethrow_exception(failure);
  }
}

void RunOnLargeStack(const std::function<void()>& work, size_t stack_bytes) {
  LargeStackThread thread(work, stack_bytes);
  thread.Join();
}

}  // namespace polc
