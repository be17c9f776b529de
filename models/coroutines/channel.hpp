// Go's channel for the coroutines model: `co_await ch.send(v)`,
// `co_await ch.receive()`. Channel<T>(ex, 0) is a rendezvous;
// Channel<T>(ex, n) buffers exactly n. Operations suspend the coroutine,
// never the thread.
//
// The default design is Go's (runtime/chan.go) for coroutines: one lock per
// channel, held for a few instructions; an operation that can complete
// does so at once, in the awaiting coroutine, without suspending it; a
// send to a waiting receiver hands the item straight to it and makes it
// ready in the sender's LIFO slot (it runs next on this thread); the
// waiter records live in the waiting coroutines' frames, so nothing is
// allocated. Every operation spends the task's cooperative budget
// (scheduler.hpp): when it is spent, the operation still completes but
// the coroutine then gives way to the others queued (Tokio's coop).
//
// A receiver may destroy the channel as soon as it has its item (task-tree's
// parent does): an operation touches the channel only while it holds the
// lock, and wakes the other side after releasing it.
//
// The variant `coroutines/asio-channels` is the first design: Asio's
// concurrent_channel (asio_channel.hpp), where every operation completes
// through the executor. The runtime picks the design for the process.
#pragma once

#include "models/coroutines/asio_channel.hpp"
#include "models/coroutines/executor.hpp"
#include "models/coroutines/scheduler.hpp"
#include "models/spin_lock.hpp"

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace conclab::models::coroutines {

enum class ChannelDesign { own, asio };

/// The design channels made from now on use (set by coroutines::Runtime).
inline std::atomic<ChannelDesign>& channel_design() noexcept {
    static std::atomic<ChannelDesign> design{ChannelDesign::own};
    return design;
}

template <class T>
class Channel {
public:
    class SendAwaiter;
    class ReceiveAwaiter;

    Channel(Executor executor, std::size_t buffer) : scheduler_{&executor.scheduler()}, capacity_{buffer} {
        if (channel_design().load(std::memory_order_relaxed) == ChannelDesign::asio) {
            asio_ = std::make_unique<AsioChannel<T>>(executor, buffer);
        } else if (buffer > 0) {
            ring_ = std::make_unique<std::optional<T>[]>(buffer);
        }
    }
    Channel(Channel const&) = delete;
    Channel& operator=(Channel const&) = delete;

    /// Resumes once the item is taken (rendezvous) or buffered, with false
    /// if the channel is closed (Go would panic).
    SendAwaiter send(T item) { return SendAwaiter{*this, std::move(item)}; }
    /// Resumes with the next item; nullopt once the channel is closed and
    /// drained (Go's `v, ok := <-ch`).
    ReceiveAwaiter receive() { return ReceiveAwaiter{*this}; }

    /// Items sent before still reach receivers; waiting receivers get
    /// nullopt once drained, waiting and later senders false.
    void close() {
        if (asio_) return asio_->close();
        lock_.lock();
        if (closed_) return lock_.unlock();
        closed_ = true;
        auto receivers = std::exchange(receivers_, WaitList<ReceiveAwaiter>{});
        auto senders = std::exchange(senders_, WaitList<SendAwaiter>{});
        auto* const scheduler = scheduler_;
        lock_.unlock();
        // only buffered items could be left while senders wait, so a waiting
        // receiver means an empty buffer: it gets nothing
        for (auto* r = receivers.first; r != nullptr;) scheduler->schedule(std::exchange(r, r->next_)->handle_);
        for (auto* s = senders.first; s != nullptr;) {
            auto* next = s->next_;
            s->sent_ = false;
            scheduler->schedule(s->handle_);
            s = next;
        }
    }

    class [[nodiscard]] SendAwaiter {
    public:
        SendAwaiter(Channel& channel, T item) : channel_{channel}, item_{std::move(item)} {}

        bool await_ready() {
            if (channel_.asio_) {
                sent_ = !channel_.asio_->closing();
                return !sent_;
            }
            bool const give_way = !Budget::spend();
            channel_.lock_.lock();
            if (channel_.closed_) {
                channel_.lock_.unlock();
                sent_ = false;
            } else if (auto* receiver = channel_.receivers_.pop()) {  // hand the item to it
                receiver->item_.emplace(std::move(item_));
                auto* const scheduler = channel_.scheduler_;
                channel_.lock_.unlock();
                scheduler->schedule(receiver->handle_);
                sent_ = true;
            } else if (channel_.count_ < channel_.capacity_) {
                channel_.push_locked(std::move(item_));
                channel_.lock_.unlock();
                sent_ = true;
            } else {
                return false;  // still locked: await_suspend lists this sender
            }
            done_ = true;
            return !give_way;
        }

        void await_suspend(std::coroutine_handle<> handle) {
            if (channel_.asio_) return channel_.asio_->send(std::move(item_), handle, sent_);
            if (done_) return channel_.scheduler_->yield(handle);  // done, but the budget is spent: give way
            handle_ = handle;
            channel_.senders_.push(this);
            channel_.lock_.unlock();
        }

        bool await_resume() const noexcept { return sent_; }

    private:
        friend class Channel;
        Channel& channel_;
        T item_;
        std::coroutine_handle<> handle_;
        SendAwaiter* next_ = nullptr;
        bool sent_ = false;
        bool done_ = false;
    };

    class [[nodiscard]] ReceiveAwaiter {
    public:
        explicit ReceiveAwaiter(Channel& channel) : channel_{channel} {}

        bool await_ready() {
            if (channel_.asio_) return false;
            bool const give_way = !Budget::spend();
            channel_.lock_.lock();
            if (channel_.count_ > 0) {
                item_ = channel_.pop_locked();
                if (auto* sender = channel_.senders_.pop()) {  // its item takes the freed place
                    channel_.push_locked(std::move(sender->item_));
                    wake_locked(*sender);
                } else {
                    channel_.lock_.unlock();
                }
            } else if (auto* sender = channel_.senders_.pop()) {  // a rendezvous: take its item
                item_.emplace(std::move(sender->item_));
                wake_locked(*sender);
            } else if (channel_.closed_) {
                channel_.lock_.unlock();
            } else {
                return false;  // still locked: await_suspend lists this receiver
            }
            done_ = true;
            return !give_way;
        }

        void await_suspend(std::coroutine_handle<> handle) {
            if (channel_.asio_) return channel_.asio_->receive(handle, item_);
            if (done_) return channel_.scheduler_->yield(handle);
            handle_ = handle;
            channel_.receivers_.push(this);
            channel_.lock_.unlock();
        }

        std::optional<T> await_resume() noexcept { return std::move(item_); }

    private:
        friend class Channel;

        /// The sender's item was taken: unlock, then make it ready.
        void wake_locked(SendAwaiter& sender) {
            sender.sent_ = true;
            auto const handle = sender.handle_;
            auto* const scheduler = channel_.scheduler_;
            channel_.lock_.unlock();
            scheduler->schedule(handle);
        }

        Channel& channel_;
        std::optional<T> item_;
        std::coroutine_handle<> handle_;
        ReceiveAwaiter* next_ = nullptr;
        bool done_ = false;
    };

private:
    /// Waiting coroutines of one side, first come first served.
    template <class Waiter>
    struct WaitList {
        Waiter* first = nullptr;
        Waiter* last = nullptr;
        void push(Waiter* w) noexcept {
            w->next_ = nullptr;
            (last != nullptr ? last->next_ : first) = w;
            last = w;
        }
        Waiter* pop() noexcept {
            auto* w = first;
            if (w != nullptr) {
                first = w->next_;
                if (first == nullptr) last = nullptr;
            }
            return w;
        }
    };

    void push_locked(T item) {
        ring_[(head_ + count_) % capacity_].emplace(std::move(item));
        ++count_;
    }
    std::optional<T> pop_locked() {
        auto item = std::move(ring_[head_]);
        ring_[head_].reset();
        head_ = (head_ + 1) % capacity_;
        --count_;
        return item;
    }

    Scheduler* const scheduler_;
    std::size_t const capacity_;
    std::unique_ptr<AsioChannel<T>> asio_;  // the variant's, or null
    SpinLock lock_;
    std::unique_ptr<std::optional<T>[]> ring_;  // guarded by lock_, like everything below
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    WaitList<SendAwaiter> senders_;
    WaitList<ReceiveAwaiter> receivers_;
    bool closed_ = false;
};

}  // namespace conclab::models::coroutines
