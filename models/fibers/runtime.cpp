#include "models/fibers/runtime.hpp"

#include <boost/fiber/operations.hpp>

#include <stdexcept>

namespace conclab::models::fibers {
namespace {
thread_local Runtime const* current_runtime = nullptr;
}

Runtime::Runtime(unsigned threads) {
    if (threads == 0) throw std::invalid_argument{"fibers runtime needs at least one thread"};
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
}

Runtime::~Runtime() {
    inbox_.close();
    for (auto& thread : threads_) thread.join();
}

void Runtime::launch(std::function<void()> fn) {
    if (current_runtime == this) {
        boost::fibers::fiber{std::move(fn)}.detach();
    } else {
        inbox_.push(std::move(fn));
    }
}

void Runtime::thread_main() {
    boost::fibers::use_scheduling_algorithm<PoolAlgorithm>(queue_);
    current_runtime = this;
    std::function<void()> fn;
    while (inbox_.pop(fn) == boost::fibers::channel_op_status::success) {
        boost::fibers::fiber{std::move(fn)}.detach();
    }
    current_runtime = nullptr;
}

}  // namespace conclab::models::fibers
