#include "memsafe/task_scope.h"

#include <string>
#include <utility>

#include "memsafe/log.h"
#include "memsafe/status.h"

namespace memsafe {
namespace {

std::string Describe(const std::vector<std::exception_ptr>& errors) {
  std::string text = std::to_string(errors.size()) + " task(s) failed";
  try {
    if (!errors.empty()) std::rethrow_exception(errors.front());
  } catch (const std::exception& error) {
    text += "; first: ";
    text += error.what();
  } catch (...) {
    text += "; first: an exception not derived from std::exception";
  }
  return text;
}

}  // namespace

TaskScopeError::TaskScopeError(std::vector<std::exception_ptr> errors)
    : std::runtime_error(Describe(errors)), errors_(std::move(errors)) {}

TaskScope::TaskScope(std::size_t threads) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  } catch (...) {
    JoinThreads();
    throw;
  }
}

TaskScope::~TaskScope() {
  request_stop();
  try {
    join();
  } catch (const TaskScopeError& error) {
    Log(LogLevel::kError, std::string("TaskScope destroyed without join: ") + error.what());
  }
}

void TaskScope::spawn(std::function<void(std::stop_token)> task) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    MEMSAFE_CHECK(!joined_, "TaskScope::spawn after join()");
    queue_.push_back(std::move(task));
    ++unfinished_;
  }
  work_ready_.notify_one();
}

void TaskScope::request_stop() noexcept { (void)stop_.request_stop(); }  // (void): false only if already requested

bool TaskScope::stop_requested() const noexcept { return stop_.stop_requested(); }

void TaskScope::Work() {
  for (;;) {
    std::function<void(std::stop_token)> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [this] { return !queue_.empty() || (closing_ && unfinished_ == 0); });
      if (queue_.empty()) return;  // closing and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr error;
    try {
      task(stop_.get_token());
    } catch (...) {
      error = std::current_exception();
    }
    task = nullptr;  // release what the task captured before reporting it finished
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (error) errors_.push_back(std::move(error));
      --unfinished_;
    }
    all_done_.notify_all();
    work_ready_.notify_all();
  }
}

void TaskScope::JoinThreads() noexcept {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    closing_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void TaskScope::join() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    closing_ = true;
    all_done_.wait(lock, [this] { return unfinished_ == 0; });
    // Under the same lock as the last check: a spawn either counted in unfinished_
    // before this, or sees joined_ and aborts.
    joined_ = true;
  }
  JoinThreads();
  std::vector<std::exception_ptr> errors;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    errors.swap(errors_);
  }
  if (!errors.empty()) throw TaskScopeError(std::move(errors));
}

}  // namespace memsafe
