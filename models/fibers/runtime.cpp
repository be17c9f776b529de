#include "models/fibers/runtime.hpp"

#include "models/fibers/stack.hpp"

#include <boost/fiber/operations.hpp>
#include <boost/fiber/protected_fixedsize_stack.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace conclab::models::fibers {
Runtime::Runtime(unsigned threads, std::size_t stack_bytes) : stack_bytes_{stack_bytes} {
    start(threads);
}

Runtime::Runtime(RuntimeOptions const& options)
    : stack_bytes_{options.stack_bytes != 0 ? options.stack_bytes : default_stack_bytes} {
    switch (design_named(designs, options.design, "fibers")) {
        case Design::standard: break;
        case Design::boost_channels: channel_design_ = ChannelDesign::boost; break;  // the scheduler is the default
        case Design::guard_pages: stacks_ = Stacks::guarded; break;
        case Design::fresh_stacks: stacks_ = Stacks::fresh; break;
        case Design::unbounded_queues: local_capacity_ = StealingPool::unbounded; break;
        case Design::shared_queue: shared_ = std::make_unique<PoolQueue>(); break;
    }
    start(options.threads);
}

void Runtime::start(unsigned threads) {
    if (threads == 0) throw std::invalid_argument{"fibers runtime needs at least one thread"};
    auto const machine = SignalFrames::of_this_machine();
    if (stack_bytes_ < minimum_stack_kib(machine, signals_reach_fiber_stacks(), build_stack_headroom()) * 1024) {
        throw std::invalid_argument{minimum_stack_reason(machine, signals_reach_fiber_stacks(), build_stack_headroom())};
    }
    if (!shared_) stealing_ = std::make_unique<StealingPool>(threads, local_capacity_);
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this, i] { thread_main(i); });
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

void Runtime::make_guarded_fiber(std::function<void()> fn, std::size_t bytes) {
    boost::fibers::fiber{std::allocator_arg, boost::fibers::protected_fixedsize_stack{bytes}, std::move(fn)}.detach();
}

void Runtime::thread_main(unsigned index) {
    // No signal frame may land on a fiber's small stack (models/fibers/stack.hpp).
    SignalIsolation const signals;
    if (shared_) {
        boost::fibers::use_scheduling_algorithm<PoolAlgorithm>(*shared_);
    } else {
        boost::fibers::use_scheduling_algorithm<StealingAlgorithm>(*stealing_, index);
    }
    current_ = this;
    std::function<void()> fn;
    while (inbox_.pop(fn) == boost::fibers::channel_op_status::success) {
        make_fiber(std::move(fn));
    }
    current_ = nullptr;
}

}  // namespace conclab::models::fibers
