#include "models/fibers/runtime.hpp"

#include "models/fibers/stack.hpp"

#include <boost/fiber/operations.hpp>
#include <boost/fiber/protected_fixedsize_stack.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace conclab::models::fibers {
namespace {
thread_local Runtime const* current_runtime = nullptr;
}  // namespace

Runtime::Runtime(unsigned threads, std::size_t stack_bytes) : stack_bytes_{stack_bytes} { start(threads); }

Runtime::Runtime(RuntimeOptions const& options)
    : stack_bytes_{options.stack_bytes != 0 ? options.stack_bytes : default_stack_bytes}, guard_pages_{options.design == "guard-pages"} {
    if (!options.design.empty() && !guard_pages_) throw std::invalid_argument{"fibers runtime has no design '" + options.design + "'"};
    start(options.threads);
}

void Runtime::start(unsigned threads) {
    if (threads == 0) throw std::invalid_argument{"fibers runtime needs at least one thread"};
    auto const machine = SignalFrames::of_this_machine();
    if (stack_bytes_ < minimum_stack_kib(machine, signals_reach_fiber_stacks(), build_stack_headroom()) * 1024) {
        throw std::invalid_argument{minimum_stack_reason(machine, signals_reach_fiber_stacks(), build_stack_headroom())};
    }
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
}

Runtime::~Runtime() {
    // The poller first: its thread may still be inside a wake-up it
    // delivered (scheduler::schedule_from_remote -> PoolAlgorithm::notify)
    // after the woken fiber finished; the scheduler threads' algorithms must
    // outlive that call (TSan found it).
    netpoller_.reset();
    inbox_.close();
    for (auto& thread : threads_) thread.join();
}

Netpoller& Runtime::netpoller() {
    std::call_once(netpoller_started_, [this] { netpoller_ = std::make_unique<Netpoller>(); });
    return *netpoller_;
}

void Runtime::make_fiber(std::function<void()> fn) const {
    auto const bytes = stack_bytes_ + build_stack_headroom();
    if (guard_pages_) {
        boost::fibers::fiber{std::allocator_arg, boost::fibers::protected_fixedsize_stack{bytes}, std::move(fn)}.detach();
    } else {
        boost::fibers::fiber{std::allocator_arg, MallocStack{bytes}, std::move(fn)}.detach();
    }
}

void Runtime::launch(std::function<void()> fn) {
    if (current_runtime == this) {
        make_fiber(std::move(fn));
    } else {
        inbox_.push(std::move(fn));
    }
}

void Runtime::thread_main() {
    // No signal frame may land on a fiber's small stack (models/fibers/stack.hpp).
    SignalIsolation const signals;
    boost::fibers::use_scheduling_algorithm<PoolAlgorithm>(queue_);
    current_runtime = this;
    std::function<void()> fn;
    while (inbox_.pop(fn) == boost::fibers::channel_op_status::success) {
        make_fiber(std::move(fn));
    }
    current_runtime = nullptr;
}

}  // namespace conclab::models::fibers
