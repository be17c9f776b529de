// Go's channel for the coroutines model: `co_await ch.send(v)`,
// `co_await ch.receive()`. Channel<T>(ex, 0) is a rendezvous;
// Channel<T>(ex, n) buffers exactly n. Operations suspend the coroutine,
// never the thread.
//
// The default design for a buffered channel is the one Tokio programs use
// (async-channel: a lock-free bounded queue, and lists of waiters woken to
// poll again): the array channel of the fibers and threads models
// (models/array_channel.hpp, crossbeam's: a ring of slots with stamps,
// head and tail moved by compare-and-swap, no lock on the way of an
// item). An operation that can complete does so in the awaiting coroutine
// without suspending it; one that cannot lists its awaiter, looks once
// more, and suspends; the other side's next operation wakes one waiter,
// whose retry runs next on the waker's thread (the LIFO slot) and resumes
// the coroutine once its operation is done.
//
// A rendezvous (buffer 0), and every channel of the variant
// `coroutines/go-channels`, is Go's design (runtime/chan.go) for
// coroutines: one lock per
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
// through the executor. The runtime's design picks them (its scheduler
// carries the choice to every channel made with its executor).
#pragma once

#include "models/array_channel.hpp"
#include "models/coroutines/asio_channel.hpp"
#include "models/coroutines/executor.hpp"
#include "models/coroutines/scheduler.hpp"
#include "models/spin_lock.hpp"

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace conclab::models::coroutines {

/// A coroutine waiting on an array channel: listed on one side, woken by
/// scheduling `job`, which tries the operation again (Tokio: a waker that
/// has the future polled again).
///
/// As a Tokio task is never polled twice at once, a waiter is never retried
/// while its coroutine is still suspending: after listing itself it looks at
/// the channel once more, and a wake-up that comes meanwhile (the waiter is
/// `suspending`) only marks it `woken`; the waiter sees that as it parks and
/// retries itself. Otherwise the retry could finish the coroutine, and its
/// owner destroy the channel, while the look was still reading it (found by
/// ThreadSanitizer: a collector's last receive against the end of run()).
struct ChannelWaiter {
    enum : std::uint8_t { suspending, parked, woken };
    Job job;
    Scheduler* scheduler;
    ChannelWaiter* next = nullptr;
    std::atomic<std::uint8_t> state{suspending};

    ChannelWaiter(Job j, Scheduler* s) noexcept : job{j}, scheduler{s} {}
    /// Awaiters are moved only before they wait (returned by send() and receive()).
    ChannelWaiter(ChannelWaiter&& other) noexcept : job{other.job}, scheduler{other.scheduler} {}
    ChannelWaiter& operator=(ChannelWaiter&&) = delete;

    /// A waker took it off its list: retry it, or tell its owner to.
    void wake() noexcept {
        auto* const target = scheduler;  // read before the exchange: after it the owner may end it
        if (state.exchange(woken, std::memory_order_acq_rel) == parked) target->schedule(&job);
    }
    /// The owner is done looking: true if a wake-up came meanwhile (the
    /// waiter is the owner's again, to retry), false if it now waits.
    bool park() noexcept { return state.exchange(parked, std::memory_order_acq_rel) == woken; }
};

/// The array channel's Waiting policy for coroutines: wait lists of
/// ChannelWaiters; nothing here blocks a thread.
struct CoroutineWaiting {
    // the array channel's own backoff, for a slot another operation is
    // between claiming and stamping (crossbeam's)
    static constexpr unsigned yield_limit = 10;
    static void yield_now() noexcept { std::this_thread::yield(); }

    class WaitList {
    public:
        /// Lists `w` (seq_cst: the waiter then looks at the channel once more).
        void list(ChannelWaiter* w) noexcept {
            std::lock_guard lock{lock_};
            w->next = nullptr;
            (last_ != nullptr ? last_->next : first_) = w;
            last_ = w;
            empty_.store(false, std::memory_order_seq_cst);
        }
        /// Takes `w` off the list; false if a waker already did (its retry is coming).
        bool unlist(ChannelWaiter* w) noexcept {
            std::lock_guard lock{lock_};
            ChannelWaiter* before = nullptr;
            for (auto* at = first_; at != nullptr; before = at, at = at->next) {
                if (at != w) continue;
                (before != nullptr ? before->next : first_) = at->next;
                if (last_ == at) last_ = before;
                empty_.store(first_ == nullptr, std::memory_order_seq_cst);
                return true;
            }
            return false;
        }
        bool waiting() const noexcept { return !empty_.load(std::memory_order_seq_cst); }
        void wake_one() noexcept {
            if (empty_.load(std::memory_order_seq_cst)) return;
            ChannelWaiter* w = nullptr;
            {
                std::lock_guard lock{lock_};
                w = first_;
                if (w == nullptr) return;
                first_ = w->next;
                if (first_ == nullptr) last_ = nullptr;
                empty_.store(first_ == nullptr, std::memory_order_seq_cst);
            }
            w->wake();
        }
        void wake_all() noexcept {
            ChannelWaiter* all = nullptr;
            {
                std::lock_guard lock{lock_};
                all = std::exchange(first_, nullptr);
                last_ = nullptr;
                empty_.store(true, std::memory_order_seq_cst);
            }
            while (all != nullptr) std::exchange(all, all->next)->wake();
        }

    private:
        SpinLock lock_;
        ChannelWaiter* first_ = nullptr;  // guarded by lock_
        ChannelWaiter* last_ = nullptr;
        std::atomic<bool> empty_{true};
    };
};

template <class T>
class Channel {
public:
    class SendAwaiter;
    class ReceiveAwaiter;

    Channel(Executor executor, std::size_t buffer) : scheduler_{&executor.scheduler()}, capacity_{buffer} {
        auto const design = executor.scheduler().channel_design();  // the runtime's, set by its design
        if (design == ChannelDesign::asio) {
            asio_ = std::make_unique<AsioChannel<T>>(executor, buffer);
        } else if (buffer >= array_from && design == ChannelDesign::array) {
            array_ = std::make_unique<Array>(buffer);
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

    /// How this channel is built (its runtime's design, and its size).
    ChannelDesign design() const noexcept {
        return asio_ ? ChannelDesign::asio : array_ ? ChannelDesign::array : ChannelDesign::go;
    }

    /// Items sent before still reach receivers; waiting receivers get
    /// nullopt once drained, waiting and later senders false.
    void close() {
        if (asio_) return asio_->close();
        if (array_) return array_->close();
        lock_.lock();
        if (closed_) return lock_.unlock();
        closed_ = true;
        auto receivers = std::exchange(receivers_, WaitList<ReceiveAwaiter>{});
        auto senders = std::exchange(senders_, WaitList<SendAwaiter>{});
        auto* const scheduler = scheduler_;
        lock_.unlock();
        // only buffered items could be left while senders wait, so a waiting
        // receiver means an empty buffer: it gets nothing
        while (auto* r = receivers.pop()) scheduler->schedule(r->handle_);
        while (auto* s = senders.pop()) {
            s->sent_ = false;
            scheduler->schedule(s->handle_);
        }
    }

    class [[nodiscard]] SendAwaiter : ChannelWaiter {
    public:
        SendAwaiter(Channel& channel, T item)
            : ChannelWaiter{{&retry, &no_free}, channel.scheduler_}, channel_{channel}, item_{std::move(item)} {}

        bool await_ready() {
            if (channel_.asio_) {
                sent_ = !channel_.asio_->closing();
                return !sent_;
            }
            bool const give_way = !Budget::spend();
            if (channel_.array_) {
                auto const status = channel_.array_->try_send(item_);
                if (status == Array::Status::would_block) return false;
                sent_ = status == Array::Status::done;
                done_ = true;
                return !give_way;
            }
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
            if (channel_.array_) return wait_for_room();
            channel_.senders_.push(this);
            channel_.lock_.unlock();
        }

        bool await_resume() const noexcept { return sent_; }

    private:
        friend class Channel;

        /// The coroutine is suspended and this awaiter is nobody else's:
        /// list it, look once more, and stay listed, or try again if room
        /// came meanwhile. Once listed, a waker may own it: only locals then.
        void wait_for_room() {
            auto& array = *channel_.array_;
            auto& senders = array.senders();
            for (;;) {
                state.store(suspending, std::memory_order_relaxed);
                senders.list(this);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                // room came meanwhile and no receiver took this waiter off: try again now
                bool const again = array.has_room_or_closed() && senders.unlist(this);
                if (!again && !park()) return;  // listed (or taken off by a receiver that retries it)
                if (attempt()) return channel_.scheduler_->schedule(handle_);
            }
        }
        /// True when the send is done (sent_ says whether the channel was open).
        bool attempt() {
            auto const status = channel_.array_->try_send(item_);
            if (status == Array::Status::would_block) return false;
            sent_ = status == Array::Status::done;
            return true;
        }
        /// Woken by a receiver (or close): runs on the waker's thread, next.
        static void retry(Job* job) noexcept {
            auto* self = static_cast<SendAwaiter*>(reinterpret_cast<ChannelWaiter*>(job));
            if (self->attempt()) return self->handle_.resume();
            self->wait_for_room();
        }
        static void no_free(Job*) noexcept {}  // a waiter lives in its coroutine's frame
        Channel& channel_;
        T item_;
        std::coroutine_handle<> handle_;
        bool sent_ = false;
        bool done_ = false;
    };

    class [[nodiscard]] ReceiveAwaiter : ChannelWaiter {
    public:
        explicit ReceiveAwaiter(Channel& channel) : ChannelWaiter{{&retry, &no_free}, channel.scheduler_}, channel_{channel} {}

        bool await_ready() {
            if (channel_.asio_) return false;
            bool const give_way = !Budget::spend();
            if (channel_.array_) {
                if (channel_.array_->try_receive(item_) == Array::Status::would_block) return false;
                done_ = true;
                return !give_way;
            }
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
            if (channel_.array_) return wait_for_item();
            channel_.receivers_.push(this);
            channel_.lock_.unlock();
        }

        std::optional<T> await_resume() noexcept { return std::move(item_); }

    private:
        friend class Channel;

        /// As SendAwaiter::wait_for_room, for an item or the close.
        void wait_for_item() {
            auto& array = *channel_.array_;
            auto& receivers = array.receivers();
            for (;;) {
                state.store(suspending, std::memory_order_relaxed);
                receivers.list(this);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                bool const again = array.has_item_or_closed() && receivers.unlist(this);
                if (!again && !park()) return;
                if (attempt()) return channel_.scheduler_->schedule(handle_);
            }
        }
        /// True when the receive is done (item_ empty: closed and drained).
        bool attempt() { return channel_.array_->try_receive(item_) != Array::Status::would_block; }
        static void retry(Job* job) noexcept {
            auto* self = static_cast<ReceiveAwaiter*>(reinterpret_cast<ChannelWaiter*>(job));
            if (self->attempt()) return self->handle_.resume();
            self->wait_for_item();
        }
        static void no_free(Job*) noexcept {}

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
        bool done_ = false;
    };

private:
    /// Waiting coroutines of one side, first come first served.
    template <class Waiter>
    struct WaitList {
        Waiter* first = nullptr;
        Waiter* last = nullptr;
        void push(Waiter* w) noexcept {
            w->next = nullptr;
            if (last != nullptr) {
                last->next = w;
            } else {
                first = w;
            }
            last = w;
        }
        Waiter* pop() noexcept {
            auto* w = first;
            if (w != nullptr) {
                first = static_cast<Waiter*>(w->next);
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

    using Array = ArrayChannel<T, CoroutineWaiting>;
    /// Smaller channels keep Go's design, which is cheaper to make (one
    /// allocation and a cache line of state, where the array's ring, padded
    /// counters and wait lists take two and five): task-tree makes one per
    /// node, of `fanout` slots, and took 1.5x as long with the array's.
    static constexpr std::size_t array_from = 16;

    Scheduler* const scheduler_;
    std::size_t const capacity_;
    std::unique_ptr<Array> array_;          // the default's (buffered), or null
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
