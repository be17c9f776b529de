// The coroutines model's coroutine type: Task<T>, what Rust calls a future
// and Tokio a task once spawned.
//
// - Lazy: a Task starts when it is awaited or spawned. Awaiting one is a
//   direct switch into it and back (symmetric transfer): no queue, no
//   executor round trip, no allocation but its frame.
// - A spawned Task is one allocation, its frame, which frees itself at its
//   end (Tokio: one allocation per task).
// - Inside one: `co_await sleep_until(t)` and `co_await sleep_for(d)`
//   (Tokio's `sleep_until`, `sleep`) wait on the scheduler's own timers
//   (timers.hpp); `co_await timer.async_wait(boost::asio::deferred)` awaits
//   any Asio or Beast operation (an error_code completion throws
//   system_error if set, as with use_awaitable; wrap the token in
//   `boost::asio::as_tuple` to get the error as a value), and
//   `co_await boost::asio::this_coro::executor` gives the task's executor
//   for timers and sockets.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/timers.hpp"
#include "models/task_tracker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <coroutine>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace conclab::models::coroutines {

template <class T = void>
class Task;

/// What the coroutines of a runtime share: the executor for their timers
/// and sockets, and whom to tell when a spawned one ends.
struct TaskContext {
    boost::asio::any_io_executor executor;
    TaskTracker* tracker;
    Scheduler* scheduler;
};

/// What `sleep_until` and `sleep_for` give: awaited in a task, it suspends
/// the task on its scheduler's timers until `deadline` (a deadline already
/// past does not suspend).
struct Sleep {
    std::int64_t deadline;  // ns of TimerClock
};

/// Tokio's `sleep_until(deadline).await`: `co_await sleep_until(deadline)`.
inline Sleep sleep_until(TimerClock::time_point deadline) noexcept { return Sleep{timer_ns(deadline)}; }
/// Tokio's `sleep(duration).await`: `co_await sleep_for(duration)`.
template <class Rep, class Period>
Sleep sleep_for(std::chrono::duration<Rep, Period> duration) noexcept {
    return sleep_until(TimerClock::now() + std::chrono::ceil<TimerClock::duration>(duration));
}

namespace detail {

template <class Op>
struct DeferredSignature;
template <class Signature, class Initiation, class... Args>
struct DeferredSignature<boost::asio::deferred_async_operation<Signature, Initiation, Args...>> {
    using type = Signature;
};

template <class Tuple>
auto values_of(Tuple&& values) {
    constexpr auto n = std::tuple_size_v<std::decay_t<Tuple>>;
    if constexpr (n == 1) {
        return std::get<0>(std::forward<Tuple>(values));
    } else if constexpr (n > 1) {
        return std::forward<Tuple>(values);
    }
}

/// An operation's completion values as the awaiting coroutine sees them:
/// a leading error_code is thrown if set and dropped otherwise.
template <class First, class... Rest>
auto outcome(std::tuple<First, Rest...>&& values) {
    if constexpr (std::is_same_v<First, boost::system::error_code>) {
        if (std::get<0>(values)) throw boost::system::system_error{std::get<0>(values)};
        return values_of(std::apply([](auto&&, auto&&... rest) { return std::tuple<Rest...>{std::move(rest)...}; },
                                    std::move(values)));
    } else {
        return values_of(std::move(values));
    }
}
inline void outcome(std::tuple<>&&) noexcept {}

/// Awaits an Asio operation made with the `deferred` token: initiates it
/// with a handler that resumes the coroutine where Asio completes it (on
/// the executor of the I/O object: the scheduler's threads).
template <class Op, class Signature = typename DeferredSignature<Op>::type>
class DeferredAwaiter;
template <class Op, class... Args>
class DeferredAwaiter<Op, void(Args...)> {
public:
    explicit DeferredAwaiter(Op op) : op_{std::move(op)} {}

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) {
        handle_ = handle;
        std::move(op_)(Resume{this});
    }
    auto await_resume() { return outcome(std::move(*values_)); }

private:
    struct Resume {
        DeferredAwaiter* self;
        template <class... A>
        void operator()(A&&... a) {
            self->values_.emplace(std::forward<A>(a)...);
            self->handle_.resume();
        }
    };

    Op op_;
    std::coroutine_handle<> handle_;
    std::optional<std::tuple<std::decay_t<Args>...>> values_;
};

class SleepAwaiter {
public:
    SleepAwaiter(Sleep sleep, Scheduler& scheduler) noexcept : deadline_{sleep.deadline}, scheduler_{scheduler} {}
    bool await_ready() const noexcept { return deadline_ <= timer_now_ns(); }
    void await_suspend(std::coroutine_handle<> handle) { scheduler_.sleep_until(deadline_, handle); }
    void await_resume() const noexcept {}

private:
    std::int64_t deadline_;
    Scheduler& scheduler_;
};

template <class T>
struct Ready {
    T value;
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    T await_resume() { return std::move(value); }
};

// GCC 12 (12.2, Debian 12) miscompiles a coroutine with a co_await as the
// condition of an if, while or for (`while (co_await ch.receive())`): its
// frame's layout disagrees with itself by 8 bytes, and resuming it runs
// the wrong code (found as receivers that never started, then crashes).
// Name the value instead: `while (auto v = co_await ch.receive())`, as
// every scenario does. The promise learns its frame's handle from the
// compiler at the initial suspension and is otherwise reached as `this`
// (await_transform, final_suspend), never through from_promise().
class PromiseBase {
public:
    struct InitialAwaiter {
        PromiseBase* promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> handle) const noexcept { promise->self_ = handle; }
        void await_resume() const noexcept {}
    };
    InitialAwaiter initial_suspend() noexcept { return {this}; }

    struct FinalAwaiter {
        PromiseBase* promise;
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> handle) const noexcept {
            auto& p = *promise;
            if (p.continuation_) return p.continuation_;  // an awaited Task: back to its awaiter
            // a spawned task ends: its frame goes, then it is counted
            auto* tracker = p.context_->tracker;
            auto error = std::move(p.error_);
            handle.destroy();
            tracker->finished(std::move(error));
            return std::noop_coroutine();
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {this}; }
    void unhandled_exception() noexcept { error_ = std::current_exception(); }

    /// `co_await boost::asio::this_coro::executor`: the task's executor.
    Ready<boost::asio::any_io_executor> await_transform(boost::asio::this_coro::executor_t) const noexcept {
        return {context_->executor};
    }
    /// `co_await sleep_until(t)`: the scheduler's timers.
    SleepAwaiter await_transform(Sleep sleep) const noexcept { return SleepAwaiter{sleep, *context_->scheduler}; }
    /// `co_await op(boost::asio::deferred)`: any Asio or Beast operation.
    template <class Op>
        requires requires { typename DeferredSignature<std::decay_t<Op>>::type; }
    DeferredAwaiter<std::decay_t<Op>> await_transform(Op&& op) {
        return DeferredAwaiter<std::decay_t<Op>>{std::forward<Op>(op)};
    }
    /// `co_await task`: the awaited task joins this one's context.
    template <class U>
    auto await_transform(Task<U>&& task) noexcept {
        task.promise().context_ = context_;
        return std::move(task).operator co_await();
    }
    /// Everything else (channel operations) as it is.
    template <class Awaitable>
    Awaitable&& await_transform(Awaitable&& awaitable) const noexcept {
        return std::forward<Awaitable>(awaitable);
    }

    /// The root of a spawned task: nobody awaits it.
    void start_as_root(TaskContext& context) noexcept { context_ = &context; }
    /// Awaited: `continuation` resumes when this ends.
    void continue_with(std::coroutine_handle<> continuation) noexcept { continuation_ = continuation; }
    std::coroutine_handle<> handle() const noexcept { return self_; }
    void rethrow_if_failed() {
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::coroutine_handle<> self_;
    TaskContext* context_ = nullptr;
    std::coroutine_handle<> continuation_;
    std::exception_ptr error_;
};

template <class T>
class Promise : public PromiseBase {
public:
    Task<T> get_return_object() noexcept { return Task<T>{*this}; }
    template <class U>
    void return_value(U&& value) {
        value_.emplace(std::forward<U>(value));
    }
    T take() {
        rethrow_if_failed();
        return std::move(*value_);
    }

private:
    std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
public:
    Task<void> get_return_object() noexcept;
    void return_void() const noexcept {}
    void take() { rethrow_if_failed(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
public:
    using promise_type = detail::Promise<T>;

    explicit Task(promise_type& promise) noexcept : promise_{&promise} {}
    Task(Task&& other) noexcept : promise_{std::exchange(other.promise_, nullptr)} {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            if (promise_ != nullptr) promise_->handle().destroy();
            promise_ = std::exchange(other.promise_, nullptr);
        }
        return *this;
    }
    ~Task() {
        if (promise_ != nullptr) promise_->handle().destroy();
    }

    /// Runs the task to its end and gives its value (or rethrows its error).
    class Awaiter {
    public:
        explicit Awaiter(promise_type& promise) noexcept : promise_{promise} {}
        bool await_ready() const noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
            promise_.continue_with(caller);
            return promise_.handle();
        }
        T await_resume() { return promise_.take(); }

    private:
        promise_type& promise_;
    };
    Awaiter operator co_await() && noexcept { return Awaiter{*promise_}; }

    promise_type& promise() noexcept { return *promise_; }
    /// For the runtime: the frame, which the caller now owns.
    std::coroutine_handle<> release() noexcept { return std::exchange(promise_, nullptr)->handle(); }

private:
    promise_type* promise_;
};

namespace detail {
inline Task<void> Promise<void>::get_return_object() noexcept { return Task<void>{*this}; }
}  // namespace detail

}  // namespace conclab::models::coroutines
