#include "models/fibers/stack.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include <signal.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace conclab::models::fibers {
namespace {

constexpr unsigned char paint = 0xA5;
std::atomic<bool> measuring{false};
std::atomic<std::size_t> deepest{0};

std::size_t kib_rounded_up(std::size_t bytes) { return (bytes + 1023) / 1024; }

// ThreadSanitizer sees each fiber as a thread of its own and cannot tell
// that a stack handed from an ended fiber to a new one is no race (its
// __tsan_release/acquire annotations did not cover Boost's accesses to the
// context record at the top of the stack): under it, stacks are malloc'd
// and freed every time, which it understands.
#if defined(__SANITIZE_THREAD__)
constexpr bool reuse_stacks = false;
#else
constexpr bool reuse_stacks = true;
#endif

// A reused stack still carries AddressSanitizer's poison of the frames its
// last fiber left without returning (its redzones): clear it, as free and
// malloc would have.
void fresh_for_reuse(void* base, std::size_t bytes) noexcept {
#if defined(__SANITIZE_ADDRESS__)
    __asan_unpoison_memory_region(base, bytes);
#else
    (void)base;
    (void)bytes;
#endif
}

// Stack caches: what a thread keeps, and what the shared pool keeps of
// every size together, counted in stacks (stack.hpp says why), with a bound
// on the address space for very large stacks.
constexpr std::size_t thread_cache_stacks = 256;
constexpr std::size_t thread_cache_bytes = 64U << 20;
constexpr std::size_t shared_cache_stacks = 4096;
constexpr std::size_t shared_cache_bytes = 1024U << 20;

std::size_t thread_cache_capacity(std::size_t bytes) noexcept {
    return std::max<std::size_t>(8, std::min(thread_cache_stacks, thread_cache_bytes / bytes));
}

struct SharedStacks {
    std::mutex mutex;
    std::unordered_map<std::size_t, std::vector<void*>> by_size;
    std::size_t count = 0;
    std::size_t bytes = 0;
};

SharedStacks& shared_stacks() {
    static auto* const shared = new SharedStacks;  // never destroyed: threads may return stacks at exit
    return *shared;
}

// One thread's stacks, all of one size (a thread serves one runtime).
// Set when the thread's cache below has been destroyed (thread exit): a
// fiber that ends later on this thread -- Boost.Fiber's scheduler, a
// thread_local made before the cache, releases terminated fibers in its own
// destructor, after the cache's -- frees its stack instead (AddressSanitizer
// found the push into the destroyed list when a runtime stopped right after
// fibers handed in from another thread ended). Trivially destructible: it
// can be read until the thread is gone.
thread_local bool thread_stacks_gone = false;

struct ThreadStacks {
    std::size_t bytes = 0;
    std::vector<void*> stacks;

    ~ThreadStacks() {
        give_back(stacks.size());
        thread_stacks_gone = true;
    }

    // moves `n` stacks to the shared pool, or frees them past its bound
    void give_back(std::size_t n) noexcept {
        auto& shared = shared_stacks();
        std::lock_guard lock{shared.mutex};
        for (; n > 0; --n) {
            void* const base = stacks.back();
            stacks.pop_back();
            if (shared.count < shared_cache_stacks && shared.bytes + bytes <= shared_cache_bytes) {
                try {
                    shared.by_size[bytes].push_back(base);
                    ++shared.count;
                    shared.bytes += bytes;
                    continue;
                } catch (...) {  // no memory for the list: free the stack instead
                }
            }
            std::free(base);
        }
    }

    // takes up to half a cache's worth from the shared pool
    void refill() {
        auto& shared = shared_stacks();
        std::lock_guard lock{shared.mutex};
        auto const found = shared.by_size.find(bytes);
        if (found == shared.by_size.end()) return;
        auto& pool = found->second;
        for (auto n = std::min(pool.size(), thread_cache_capacity(bytes) / 2); n > 0; --n) {
            stacks.push_back(pool.back());
            pool.pop_back();
            --shared.count;
            shared.bytes -= bytes;
        }
    }
};

thread_local ThreadStacks thread_stacks;

}  // namespace

SignalFrames SignalFrames::of_this_machine() noexcept {
    auto const read = [](int name, long fallback) {
        long const value = sysconf(name);
        return static_cast<std::size_t>(value > 0 ? value : fallback);
    };
    // Before glibc 2.34 the constants were fixed (2 KiB and 8 KiB), and too
    // small for AVX-512; the kernel's AT_MINSIGSTKSZ is what sysconf reads.
    return {.min_signal_stack = read(_SC_MINSIGSTKSZ, 2048), .signal_stack = read(_SC_SIGSTKSZ, 8192)};
}

StackFloor minimum_stack(SignalFrames const& machine, bool signals_on_fiber_stacks) {
    if (!signals_on_fiber_stacks) {
        return {code_stack_floor,
                "a fiber's own frames need " + std::to_string(code_stack_floor >> 10) +
                    " KiB; signal handlers run on each runtime thread's alternate signal stack, so this machine's " +
                    std::to_string(machine.min_signal_stack) + "-byte signal frames never land on a fiber's stack"};
    }
    return {code_stack_floor + machine.signal_stack,
            "a fiber's own frames need " + std::to_string(code_stack_floor >> 10) +
                " KiB, and in this build a signal handler may run on the fiber's stack, so it must also hold " +
                std::to_string(machine.signal_stack) + " bytes for this machine's signal frames (4 x its " +
                std::to_string(machine.min_signal_stack) + "-byte largest frame)"};
}

bool signals_reach_fiber_stacks() noexcept {
#if defined(__SANITIZE_THREAD__)
    return true;
#else
    return false;
#endif
}

std::size_t build_stack_headroom() noexcept {
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer's runtime runs on the fiber's own stack (fiber
    // switches, interceptors, its reports): 16 KiB stacks overflowed under
    // TSan only.
    return 64 * 1024;
#else
    return 0;
#endif
}

std::size_t minimum_stack_kib(SignalFrames const& machine, bool signals_on_fiber_stacks, std::size_t headroom) {
    // The fibers' own code runs in what was asked for in every build; the
    // headroom a build adds may cover the signal frames.
    auto const floor = minimum_stack(machine, signals_on_fiber_stacks).bytes;
    return std::max(kib_rounded_up(code_stack_floor), floor > headroom ? kib_rounded_up(floor - headroom) : 0);
}

std::string minimum_stack_reason(SignalFrames const& machine, bool signals_on_fiber_stacks, std::size_t headroom) {
    auto const floor = minimum_stack(machine, signals_on_fiber_stacks);
    std::string why = "fiber stacks need at least " + std::to_string(minimum_stack_kib(machine, signals_on_fiber_stacks, headroom)) +
                      " KiB on this machine: " + floor.why;
    if (headroom > 0) why += " (this build adds " + std::to_string(headroom >> 10) + " KiB to every stack for its own runtime)";
    return why;
}

std::size_t alternate_signal_stack_bytes(SignalFrames const& machine) noexcept {
    // Room for two nested frames and the handler's own calls; Go gives its
    // signal goroutine 32 KiB.
    return std::max<std::size_t>(64 * 1024, 2 * machine.signal_stack);
}

SignalIsolation::SignalIsolation() {
    sigset_t asynchronous;
    sigfillset(&asynchronous);
    // Faults of the thread's own code must still reach it (on the alternate stack).
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&asynchronous, fault);
    pthread_sigmask(SIG_BLOCK, &asynchronous, nullptr);

    bytes_ = alternate_signal_stack_bytes(SignalFrames::of_this_machine());
    stack_ = std::malloc(bytes_);
    if (stack_ == nullptr) throw std::bad_alloc{};
    stack_t alternate{};
    alternate.ss_sp = stack_;
    alternate.ss_size = bytes_;
    alternate.ss_flags = 0;
    installed_ = sigaltstack(&alternate, nullptr) == 0;
}

SignalIsolation::~SignalIsolation() {
    if (installed_) {
        stack_t disable{};
        disable.ss_flags = SS_DISABLE;
        sigaltstack(&disable, nullptr);
    }
    std::free(stack_);
}

boost::context::stack_context MallocStack::allocate() {
    void* const base = std::malloc(bytes_);
    if (base == nullptr) throw std::bad_alloc{};
    if (measuring.load(std::memory_order_relaxed)) std::memset(base, paint, bytes_);
    boost::context::stack_context stack;
    stack.size = bytes_;
    stack.sp = static_cast<char*>(base) + bytes_;  // stacks grow down
    return stack;
}

void MallocStack::deallocate(boost::context::stack_context& stack) noexcept {
    auto* const base = static_cast<unsigned char*>(stack.sp) - stack.size;
    if (measuring.load(std::memory_order_relaxed)) {
        std::size_t untouched = 0;
        while (untouched < stack.size && base[untouched] == paint) ++untouched;
        auto const used = stack.size - untouched;
        auto seen = deepest.load(std::memory_order_relaxed);
        while (used > seen && !deepest.compare_exchange_weak(seen, used, std::memory_order_relaxed)) {
        }
    }
    std::free(base);
}

boost::context::stack_context CachedStack::allocate() {
    if (thread_stacks_gone) return MallocStack{bytes_}.allocate();
    auto& mine = thread_stacks;
    if (!reuse_stacks || measuring.load(std::memory_order_relaxed) || (mine.bytes != bytes_ && !mine.stacks.empty())) {
        return MallocStack{bytes_}.allocate();  // painted afresh, or another runtime's size
    }
    mine.bytes = bytes_;
    if (mine.stacks.empty()) mine.refill();
    if (mine.stacks.empty()) return MallocStack{bytes_}.allocate();
    void* const base = mine.stacks.back();
    mine.stacks.pop_back();
    fresh_for_reuse(base, bytes_);
    boost::context::stack_context stack;
    stack.size = bytes_;
    stack.sp = static_cast<char*>(base) + bytes_;
    return stack;
}

void CachedStack::deallocate(boost::context::stack_context& stack) noexcept {
    if (thread_stacks_gone) {
        MallocStack{stack.size}.deallocate(stack);
        return;
    }
    auto& mine = thread_stacks;
    if (!reuse_stacks || measuring.load(std::memory_order_relaxed) || (mine.bytes != stack.size && !mine.stacks.empty())) {
        MallocStack{stack.size}.deallocate(stack);
        return;
    }
    mine.bytes = stack.size;
    auto const capacity = thread_cache_capacity(stack.size);
    if (mine.stacks.size() >= capacity) mine.give_back(capacity / 2);
    try {
        mine.stacks.push_back(static_cast<char*>(stack.sp) - stack.size);
    } catch (...) {
        MallocStack{stack.size}.deallocate(stack);
    }
}

bool CachedStack::reuses() noexcept { return reuse_stacks; }

std::size_t CachedStack::thread_capacity(std::size_t bytes) noexcept { return thread_cache_capacity(bytes); }

std::size_t CachedStack::cached_here() noexcept { return thread_stacks_gone ? 0 : thread_stacks.stacks.size(); }

std::size_t CachedStack::cached_shared() noexcept {
    auto& shared = shared_stacks();
    std::lock_guard lock{shared.mutex};
    return shared.count;
}

void MallocStack::measure_depth(bool on) noexcept {
    deepest.store(0, std::memory_order_relaxed);
    measuring.store(on, std::memory_order_relaxed);
}

std::size_t MallocStack::deepest_use() noexcept { return deepest.load(std::memory_order_relaxed); }

}  // namespace conclab::models::fibers
