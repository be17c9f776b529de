#include "models/fibers/runtime.hpp"

#include "models/fibers/stack.hpp"

#include <boost/fiber/operations.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace conclab::models::fibers {
namespace {
thread_local Runtime const* current_runtime = nullptr;
}  // namespace

Runtime::Runtime(unsigned threads, std::size_t stack_bytes) : stack_bytes_{stack_bytes} {
    if (threads == 0) throw std::invalid_argument{"fibers runtime needs at least one thread"};
    auto const machine = SignalFrames::of_this_machine();
    if (stack_bytes < minimum_stack_kib(machine, signals_reach_fiber_stacks(), build_stack_headroom()) * 1024) {
        throw std::invalid_argument{minimum_stack_reason(machine, signals_reach_fiber_stacks(), build_stack_headroom())};
    }
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
}

Runtime::~Runtime() {
    inbox_.close();
    for (auto& thread : threads_) thread.join();
}

void Runtime::make_fiber(std::function<void()> fn) const {
    boost::fibers::fiber{std::allocator_arg, MallocStack{stack_bytes_ + build_stack_headroom()}, std::move(fn)}
        .detach();
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
