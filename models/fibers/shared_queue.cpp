#include "models/fibers/shared_queue.hpp"

namespace conclab::models::fibers {

void PoolAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
    if (ctx->is_context(boost::fibers::type::pinned_context)) {
        local_.push_back(*ctx);
        return;
    }
    ctx->detach();  // any thread of the pool may attach and run it
    std::unique_lock lock{queue_.mutex};
    queue_.ready.push_back(ctx);
    bool const someone_sleeps = queue_.sleepers > 0;
    lock.unlock();
    // Wake one idle thread so that new work does not wait for this thread
    // to block (what Go's runtime does with an idle P).
    if (someone_sleeps) queue_.wakeup.notify_one();
}

boost::fibers::context* PoolAlgorithm::pick_next() noexcept {
    boost::fibers::context* ctx = nullptr;
    {
        std::lock_guard lock{queue_.mutex};
        if (!queue_.ready.empty()) {
            ctx = queue_.ready.front();
            queue_.ready.pop_front();
        }
    }
    if (ctx != nullptr) {
        boost::fibers::context::active()->attach(ctx);
        return ctx;
    }
    if (!local_.empty()) {
        ctx = &local_.front();
        local_.pop_front();
    }
    return ctx;
}

bool PoolAlgorithm::has_ready_fibers() const noexcept {
    std::lock_guard lock{queue_.mutex};
    return !queue_.ready.empty() || !local_.empty();
}

void PoolAlgorithm::suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept {
    std::unique_lock lock{queue_.mutex};
    auto const runnable = [this] { return notified_ || !queue_.ready.empty(); };
    ++queue_.sleepers;
    if (deadline == std::chrono::steady_clock::time_point::max()) {
        queue_.wakeup.wait(lock, runnable);
    } else {
        queue_.wakeup.wait_until(lock, deadline, runnable);
    }
    --queue_.sleepers;
    notified_ = false;
}

void PoolAlgorithm::notify() noexcept {
    {
        std::lock_guard lock{queue_.mutex};
        notified_ = true;
    }
    // The sleepers share one condition variable; only this thread's
    // predicate turned true, so all must look.
    queue_.wakeup.notify_all();
}

}  // namespace conclab::models::fibers
