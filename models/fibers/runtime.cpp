#include "models/fibers/runtime.hpp"

#include <boost/context/stack_traits.hpp>
#include <boost/fiber/fixedsize_stack.hpp>
#include <boost/fiber/operations.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace conclab::models::fibers {
namespace {
thread_local Runtime const* current_runtime = nullptr;

// ThreadSanitizer's runtime runs on the fiber's own stack (fiber switches,
// interceptors, its reports) and needs more of it than the fiber's code:
// 16 KiB stacks overflowed under TSan only. TSan builds add this much to
// every fiber; the sizes measured are those of release builds.
#if defined(__SANITIZE_THREAD__)
constexpr std::size_t sanitizer_stack_bytes = 64 * 1024;
#else
constexpr std::size_t sanitizer_stack_bytes = 0;
#endif
}  // namespace

Runtime::Runtime(unsigned threads, std::size_t stack_bytes) : stack_bytes_{stack_bytes} {
    if (threads == 0) throw std::invalid_argument{"fibers runtime needs at least one thread"};
    if (stack_bytes < boost::context::stack_traits::minimum_size()) {
        throw std::invalid_argument{"fiber stacks need at least " + std::to_string(boost::context::stack_traits::minimum_size()) +
                                    " bytes"};
    }
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
}

Runtime::~Runtime() {
    inbox_.close();
    for (auto& thread : threads_) thread.join();
}

void Runtime::make_fiber(std::function<void()> fn) const {
    boost::fibers::fiber{std::allocator_arg, boost::fibers::fixedsize_stack{stack_bytes_ + sanitizer_stack_bytes}, std::move(fn)}
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
    boost::fibers::use_scheduling_algorithm<PoolAlgorithm>(queue_);
    current_runtime = this;
    std::function<void()> fn;
    while (inbox_.pop(fn) == boost::fibers::channel_op_status::success) {
        make_fiber(std::move(fn));
    }
    current_runtime = nullptr;
}

}  // namespace conclab::models::fibers
