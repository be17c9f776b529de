#include "src/kit/heap.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)

namespace conclab {
std::optional<HeapCounts> heap_counts() noexcept { return std::nullopt; }
}  // namespace conclab

#else

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>

namespace conclab {
namespace {

struct Counters {
    std::atomic<std::uint64_t> allocations{0};
    std::atomic<std::uint64_t> bytes{0};
};

// One per thread, linked into a list so heap_counts() can add them up.
struct ThreadCounters {
    Counters counters;
    ThreadCounters* next = nullptr;
    ThreadCounters* prev = nullptr;
    ThreadCounters();
    ~ThreadCounters();
};

Counters retired;  // of threads that have exited (and of allocations during a thread's exit)
std::mutex registry_mutex;
ThreadCounters* registry = nullptr;
thread_local bool thread_exited = false;  // trivially destructible: still readable during thread exit

ThreadCounters::ThreadCounters() {
    std::lock_guard lock{registry_mutex};
    next = registry;
    if (registry != nullptr) registry->prev = this;
    registry = this;
}

ThreadCounters::~ThreadCounters() {
    std::lock_guard lock{registry_mutex};
    (prev != nullptr ? prev->next : registry) = next;
    if (next != nullptr) next->prev = prev;
    retired.allocations.fetch_add(counters.allocations.load(std::memory_order_relaxed), std::memory_order_relaxed);
    retired.bytes.fetch_add(counters.bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
    thread_exited = true;
}

void count(std::size_t size) noexcept {
    if (thread_exited) {
        retired.allocations.fetch_add(1, std::memory_order_relaxed);
        retired.bytes.fetch_add(size, std::memory_order_relaxed);
        return;
    }
    thread_local ThreadCounters mine;
    // one writer: a plain load and store, no locked instruction
    auto& c = mine.counters;
    c.allocations.store(c.allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    c.bytes.store(c.bytes.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);
}

void* allocate(std::size_t size) {
    count(size);
    for (;;) {
        if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
        auto const handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc{};
        handler();
    }
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    count(size);
    auto const align = std::max(static_cast<std::size_t>(alignment), sizeof(void*));
    for (;;) {
        void* p = nullptr;
        if (posix_memalign(&p, align, size == 0 ? 1 : size) == 0) return p;
        auto const handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc{};
        handler();
    }
}

}  // namespace

std::optional<HeapCounts> heap_counts() noexcept {
    HeapCounts out{retired.allocations.load(std::memory_order_relaxed), retired.bytes.load(std::memory_order_relaxed)};
    std::lock_guard lock{registry_mutex};
    for (auto* t = registry; t != nullptr; t = t->next) {
        out.allocations += t->counters.allocations.load(std::memory_order_relaxed);
        out.bytes += t->counters.bytes.load(std::memory_order_relaxed);
    }
    return out;
}

}  // namespace conclab

// The replaceable global allocation functions; the array and nothrow forms
// of libstdc++ call these.
void* operator new(std::size_t size) { return conclab::allocate(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return conclab::allocate_aligned(size, alignment); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

#endif
