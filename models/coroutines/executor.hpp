// The coroutines model's scheduler as an Asio executor, so that Asio's
// timers and sockets (and Beast on top of them) hand their completions to
// the scheduler's threads: `boost::asio::steady_timer timer{executor}` works
// as with any io_context, and `boost::asio::make_strand(executor)` gives a
// task whose completions never run on two threads at once.
#pragma once

#include "models/coroutines/scheduler.hpp"

#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/io_context.hpp>

#include <type_traits>
#include <utility>

namespace conclab::models::coroutines {

class Executor {
public:
    explicit Executor(Scheduler& scheduler) noexcept : scheduler_{&scheduler} {}

    Scheduler& scheduler() const noexcept { return *scheduler_; }

    // Asio's executor requirements (standard executors, Boost 1.81).
    boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept { return scheduler_->io(); }
    static constexpr boost::asio::execution::blocking_t query(boost::asio::execution::blocking_t) noexcept {
        return boost::asio::execution::blocking.never;
    }
    Executor require(boost::asio::execution::blocking_t::never_t) const noexcept { return *this; }

    /// Runs `f` on one of the scheduler's threads, never inline.
    template <class F>
    void execute(F&& f) const {
        scheduler_->submit(new FunctionJob<std::decay_t<F>>{std::forward<F>(f)});
    }

    friend bool operator==(Executor const& a, Executor const& b) noexcept { return a.scheduler_ == b.scheduler_; }
    friend bool operator!=(Executor const& a, Executor const& b) noexcept { return a.scheduler_ != b.scheduler_; }

private:
    template <class F>
    struct FunctionJob : Job {
        explicit FunctionJob(F&& fn) : Job{&run_it, &free_it}, f{std::move(fn)} {}
        explicit FunctionJob(F const& fn) : Job{&run_it, &free_it}, f{fn} {}
        static void run_it(Job* job) noexcept {
            auto* self = static_cast<FunctionJob*>(job);
            F f = std::move(self->f);
            delete self;
            std::move(f)();
        }
        static void free_it(Job* job) noexcept { delete static_cast<FunctionJob*>(job); }
        F f;
    };

    Scheduler* scheduler_;
};

static_assert(boost::asio::execution::is_executor<Executor>::value);

}  // namespace conclab::models::coroutines
