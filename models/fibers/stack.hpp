// Fiber stacks: how small they may be on a given machine, and where they
// come from.
//
// Why a minimum exists at all: when a signal handler runs, the kernel pushes
// a signal frame (the registers, and the whole vector state: AVX-512 and AMX
// make it 3-12 KB) onto the stack the thread is using. If that is a fiber's
// small stack, the frame alone can overrun it; that is why Boost.Context's
// stack_traits::minimum_size() is glibc's SIGSTKSZ, 4 x the machine's largest
// frame (14.5 KB here, 47.8 KB on a Xeon with AMX).
//
// How Go keeps 2 KiB goroutine stacks anyway, and what we do the same way:
// every runtime thread has an alternate signal stack of its own
// (sigaltstack, sized from the machine) and our handlers are installed with
// SA_ONSTACK, so a signal frame never lands on a fiber's stack. Runtime
// threads also block the asynchronous signals, so a process-directed signal
// (Ctrl-C, SIGTERM, a profiler's timer) is taken by a thread that runs no
// fibers, whoever installed its handler. The floor of a fiber stack is then
// what the fibers' own code needs, the same on every machine; only when a
// signal may still run on the fiber's stack (ThreadSanitizer delivers
// signals late, on whatever stack is current) does the machine's frame size
// count. docs/models.md has the whole trade-off.
#pragma once

#include <cstddef>
#include <string>

#include <boost/context/stack_context.hpp>

namespace conclab::models::fibers {

/// What a machine says about its signal frames: inputs of the stack
/// decision, so it can be tested with another machine's numbers.
struct SignalFrames {
    std::size_t min_signal_stack = 0;  ///< sysconf(_SC_MINSIGSTKSZ): the kernel's largest signal frame
    std::size_t signal_stack = 0;      ///< sysconf(_SC_SIGSTKSZ): glibc's advice for a signal stack (4x the frame)

    /// This machine's numbers (AT_MINSIGSTKSZ from the kernel, through glibc).
    static SignalFrames of_this_machine() noexcept;
};

/// The deepest the fibers' own code goes, with margin: Boost.Fiber's context
/// record at the top of the stack, the scheduler's calls while a fiber
/// suspends or wakes another, and the fiber bodies of task-tree (5.1 KB
/// measured in release, its channel on the stack) and idle-tasks (4.2 KB,
/// of which 3 KB is glibc's lazy-binding resolver in a process's first
/// fibers: docs/models.md).
/// tests/fiber_stack_test fails if they need more than 3/4 of it.
inline constexpr std::size_t code_stack_floor = 16 * 1024;

/// The fibers' stack where a scenario does not set one (worker-pool,
/// pipeline, url-fetch): Boost.Fiber's default, 128 KiB from malloc, no
/// guard page. The scenarios' memory checks count it (scenarios/limits.hpp).
inline constexpr std::size_t default_stack_bytes = 128 * 1024;

/// The default fiber stack of the scenarios that measure memory per task
/// (task-tree, idle-tasks): small, and above the floor on every machine.
inline constexpr std::size_t default_stack_kib = 16;
static_assert(default_stack_kib * 1024 >= code_stack_floor);

/// How much a fiber stack must hold, and why, in one sentence.
struct StackFloor {
    std::size_t bytes = 0;
    std::string why;
};

/// The smallest stack allocation a fiber may have on a machine with these
/// signal frames. `signals_on_fiber_stacks` is false where handlers run on
/// the thread's alternate stack (release and AddressSanitizer builds): the
/// floor is then code_stack_floor whatever the CPU. Where a handler may run
/// on the fiber's stack it must also hold the machine's signal_stack.
StackFloor minimum_stack(SignalFrames const& machine, bool signals_on_fiber_stacks);

/// True in builds where a signal handler may run on a fiber's stack
/// (ThreadSanitizer defers handlers and runs them on the current stack).
bool signals_reach_fiber_stacks() noexcept;

/// What a build adds to every fiber's stack for its own runtime: 64 KiB
/// under ThreadSanitizer (its interceptors and deferred signal handlers run
/// on the fiber's stack), nothing in release. The sizes measured and
/// reported are the requested ones.
std::size_t build_stack_headroom() noexcept;

/// The smallest `--stack-kb` this machine accepts, in KiB (what `list`
/// shows), and the reason given when a smaller one is asked for.
std::size_t minimum_stack_kib(SignalFrames const& machine, bool signals_on_fiber_stacks, std::size_t headroom);
std::string minimum_stack_reason(SignalFrames const& machine, bool signals_on_fiber_stacks, std::size_t headroom);

/// The alternate signal stack every runtime thread installs: large enough
/// for this machine's frames and for a handler's own calls.
std::size_t alternate_signal_stack_bytes(SignalFrames const& machine) noexcept;

/// Gives the calling thread an alternate signal stack and blocks the
/// asynchronous signals in it (synchronous ones, a fault in the thread's
/// own code, still arrive, on the alternate stack). Undone by the returned
/// guard's destructor when the thread leaves the runtime.
class SignalIsolation {
public:
    SignalIsolation();
    ~SignalIsolation();
    SignalIsolation(SignalIsolation const&) = delete;
    SignalIsolation& operator=(SignalIsolation const&) = delete;

private:
    void* stack_ = nullptr;
    std::size_t bytes_ = 0;
    bool installed_ = false;
};

/// Boost.Context's StackAllocator: `bytes` from malloc, no guard page (a
/// guard page costs a kernel mapping per fiber, and vm.max_map_count allows
/// about 32k of them: a million idle fibers could not exist).
class MallocStack {
public:
    explicit MallocStack(std::size_t bytes) noexcept : bytes_{bytes} {}
    boost::context::stack_context allocate();
    void deallocate(boost::context::stack_context& stack) noexcept;

    /// Tests: fill every new stack with a pattern, and on deallocation record
    /// how deep the fiber went; deepest_use() is the maximum since enabling.
    static void measure_depth(bool on) noexcept;
    static std::size_t deepest_use() noexcept;

private:
    std::size_t bytes_;
};

/// Boost.Context's StackAllocator, the default: MallocStack's stacks, kept
/// for reuse when their fiber ends, as Go's runtime keeps goroutine stacks
/// (per-P caches over a global pool, runtime/stack.go). Each thread keeps up
/// to 256 stacks of one size; past that, half go to a pool shared by all
/// threads (up to 4096 stacks; beyond it they are freed). The bounds count
/// stacks, not bytes: a cached stack holds in memory only the pages its
/// fiber touched, whatever its size, and a bound in bytes kept eight times
/// fewer of Boost's 128 KiB default stacks than of 16 KiB ones, so that
/// 1000 fibers of 128 KiB went through malloc's mmap and munmap every run
/// (docs/performance.md). Very large stacks are also bounded in address
/// space (64 MiB a thread, 1 GiB shared). A reused stack is already in
/// memory: no page faults, no malloc lock. Stacks are not cleared between
/// fibers, as malloc'd ones are not. The variant `fibers/fresh-stacks` uses
/// MallocStack, a new stack per fiber.
class CachedStack {
public:
    explicit CachedStack(std::size_t bytes) noexcept : bytes_{bytes} {}
    boost::context::stack_context allocate();
    void deallocate(boost::context::stack_context& stack) noexcept;

    /// False in ThreadSanitizer builds, where every stack is malloc'd and
    /// freed (stack.cpp says why).
    static bool reuses() noexcept;
    /// Tests: the stacks this thread holds for reuse, and those in the
    /// shared pool.
    static std::size_t cached_here() noexcept;
    static std::size_t cached_shared() noexcept;
    /// How many stacks of `bytes` a thread keeps before it passes half on.
    static std::size_t thread_capacity(std::size_t bytes) noexcept;

private:
    std::size_t bytes_;
};

}  // namespace conclab::models::fibers
