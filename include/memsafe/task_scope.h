// memsafe/task_scope.h: structured concurrency. Tasks spawned into a TaskScope run on
// the scope's own small thread pool and cannot outlive it.
//
// Every task receives a std::stop_token. request_stop() asks all of them to finish
// early; a task that holds Resources and returns (or throws) on a stop request
// releases them on the way out, like on any other path. join() waits for every task
// and then reports the exceptions they threw. Destroying a scope that was not joined
// requests stop and joins: no thread is ever left running.
//
// Example:
//
//   memsafe::TaskScope scope(2);
//   for (const std::string& path : paths) {
//     scope.spawn([&, path](std::stop_token stop) {
//       auto file = memsafe::File::Open(path, memsafe::FileMode::kRead, {}, registry);
//       while (!stop.stop_requested() && ProcessChunk(*file)) {}
//     });
//   }
//   scope.join();   // throws TaskScopeError if any task threw
//
// Thread-safety: spawn, request_stop and stop_requested may be called from any thread,
// including from inside tasks, also while the owner waits in join(): join() returns
// once no task is left, including the ones spawned while it waited. join() is called
// once, by the owner.
//
// Failure: join() throws TaskScopeError when one or more tasks threw, after every task
// has finished. spawn() after join() is misuse and aborts. Thread creation failure in
// the constructor throws std::system_error.
#ifndef MEMSAFE_TASK_SCOPE_H_
#define MEMSAFE_TASK_SCOPE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <vector>

namespace memsafe {

// The exceptions of the tasks of one scope.
class TaskScopeError : public std::runtime_error {
 public:
  explicit TaskScopeError(std::vector<std::exception_ptr> errors);
  const std::vector<std::exception_ptr>& errors() const noexcept { return errors_; }

 private:
  std::vector<std::exception_ptr> errors_;
};

class TaskScope {
 public:
  explicit TaskScope(std::size_t threads = 2);
  ~TaskScope();
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

  void spawn(std::function<void(std::stop_token)> task);

  // Runs `fn(stop_token)` on the pool and returns its result through a future (an
  // exception from fn arrives through the future, not at join()).
  template <typename Fn>
  auto submit(Fn fn) -> std::future<std::invoke_result_t<Fn&, std::stop_token>> {
    using R = std::invoke_result_t<Fn&, std::stop_token>;
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> future = promise->get_future();
    spawn([promise, fn = std::move(fn)](std::stop_token stop) mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          fn(stop);
          promise->set_value();
        } else {
          promise->set_value(fn(stop));
        }
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
    return future;
  }

  void request_stop() noexcept;
  bool stop_requested() const noexcept;
  std::stop_token token() const noexcept { return stop_.get_token(); }

  // Waits for every task, stops the pool, and throws TaskScopeError if tasks threw.
  void join();

 private:
  void Work();
  void JoinThreads() noexcept;

  std::stop_source stop_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable all_done_;
  std::deque<std::function<void(std::stop_token)>> queue_;
  std::size_t unfinished_ = 0;  // queued or running
  bool closing_ = false;        // join() has begun: threads exit once nothing is left
  bool joined_ = false;         // every task has finished: no more spawns
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace memsafe

#endif  // MEMSAFE_TASK_SCOPE_H_
