// A test-and-test-and-set lock for data held a few dozen instructions at a
// time (a run queue, a channel's buffer and waiter lists): one atomic
// exchange when free, a read-only spin with the CPU's pause hint while
// held, and the OS thread yields after a while (the holder may have been
// preempted: on 2 cores, or under ThreadSanitizer, spinning on would burn
// its time slice).
#pragma once

#include "models/spin_pause.hpp"

#include <atomic>
#include <thread>

namespace conclab::models {

class SpinLock {
public:
    void lock() noexcept {
        while (held_.exchange(true, std::memory_order_acquire)) {
            for (unsigned spins = 0; held_.load(std::memory_order_relaxed); ++spins) {
                if (spins < 128) {
                    spin_pause();
                } else {
                    std::this_thread::yield();
                }
            }
        }
    }
    void unlock() noexcept { held_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> held_{false};
};

}  // namespace conclab::models
