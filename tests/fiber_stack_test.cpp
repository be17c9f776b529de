// Fiber stacks work at their default on every CPU: the decision of how small
// a stack may be is tested with other machines' signal frames (AVX-512 with
// AMX, arm64 with SVE) injected, the runtime's threads are shown to take
// signals on their alternate stack, and the fibers' own code is measured to
// fit the floor with room to spare.
#include "conclab_config.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/stack.hpp"
#include "scenarios/common_params.hpp"
#include "scenarios/idle_tasks/idle_tasks.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/task_tree/task_tree.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <signal.h>

namespace conclab::models::fibers {
namespace {

using testing::HasSubstr;

// sysconf(_SC_MINSIGSTKSZ), sysconf(_SC_SIGSTKSZ) as read on real machines.
SignalFrames const xeon_with_amx{11'952, 47'808};  // the machine of issue 13: Boost's minimum_size() was 47,808
SignalFrames const plain_x86{3'632, 14'528};        // AVX2, like the CI machine
SignalFrames const arm64_sve{9'216, 36'864};        // 2048-bit SVE vectors

std::size_t const no_headroom = 0;
std::size_t const tsan_headroom = 64 * 1024;

TEST(StackFloor, IsTheFibersOwnCodeOnEveryCpuWhenSignalsUseTheAlternateStack) {
    for (auto const& machine : {xeon_with_amx, plain_x86, arm64_sve}) {
        EXPECT_EQ(minimum_stack(machine, /*signals_on_fiber_stacks=*/false).bytes, code_stack_floor);
        EXPECT_EQ(minimum_stack_kib(machine, false, no_headroom), code_stack_floor / 1024);
        EXPECT_LE(minimum_stack_kib(machine, false, no_headroom), default_stack_kib);
    }
}

TEST(StackFloor, HoldsTheMachinesSignalFramesWhenAHandlerMayRunOnTheFiberStack) {
    auto const floor = minimum_stack(xeon_with_amx, /*signals_on_fiber_stacks=*/true);
    EXPECT_EQ(floor.bytes, code_stack_floor + 47'808);
    EXPECT_THAT(floor.why, HasSubstr("47808 bytes"));
    EXPECT_THAT(floor.why, HasSubstr("11952-byte"));
    // 63 KiB: the 16 KiB default would be refused on that machine ...
    EXPECT_EQ(minimum_stack_kib(xeon_with_amx, true, no_headroom), 63U);
    // ... unless the build adds room for it, as the ThreadSanitizer build does.
    EXPECT_EQ(minimum_stack_kib(xeon_with_amx, true, tsan_headroom), code_stack_floor / 1024);
    EXPECT_EQ(minimum_stack_kib(plain_x86, true, no_headroom), 31U);
}

TEST(StackFloor, TheStackKbParameterStartsAtTheMachinesFloorAndSaysWhy) {
    auto const amx_release = fiber_stack_param(xeon_with_amx, false, no_headroom);
    EXPECT_EQ(amx_release.min, code_stack_floor / 1024);
    EXPECT_EQ(std::get<std::uint64_t>(parse_param(amx_release, "16")), 16U);  // the default runs there

    auto const amx_unprotected = fiber_stack_param(xeon_with_amx, true, no_headroom);
    EXPECT_EQ(amx_unprotected.min, 63U);
    try {
        parse_param(amx_unprotected, "16");
        FAIL() << "a 16 KiB stack was accepted where a signal frame needs 47808 bytes of it";
    } catch (UsageError const& e) {
        EXPECT_THAT(e.what(), HasSubstr("--stack-kb expects a whole number from 63"));
        EXPECT_THAT(e.what(), HasSubstr("fiber stacks need at least 63 KiB on this machine"));
        EXPECT_THAT(e.what(), HasSubstr("signal frames"));
    }
}

TEST(StackFloor, AlternateSignalStackGrowsWithTheMachinesFrames) {
    EXPECT_EQ(alternate_signal_stack_bytes(plain_x86), 64U * 1024);
    EXPECT_EQ(alternate_signal_stack_bytes(xeon_with_amx), 2U * 47'808);
}

TEST(FibersRuntime, RefusesAStackBelowTheFloorWithTheReason) {
    try {
        Runtime rt{1, code_stack_floor - 1024};
        FAIL() << "a stack below the floor was accepted";
    } catch (std::invalid_argument const& e) {
        EXPECT_THAT(e.what(), HasSubstr("fiber stacks need at least"));
    }
}

// Where a signal handler found itself: the address of one of its locals.
std::atomic<std::uintptr_t> handler_frame{0};
extern "C" void note_frame(int) {
    int local = 0;
    handler_frame.store(reinterpret_cast<std::uintptr_t>(&local));
}

TEST(FibersRuntime, ItsThreadsTakeSignalsOnTheAlternateStackNeverOnAFibersStack) {
    struct sigaction action{};
    action.sa_handler = note_frame;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_ONSTACK;
    struct sigaction previous{};
    ASSERT_EQ(sigaction(SIGUSR2, &action, &previous), 0);

    Runtime rt{2, default_stack_kib * 1024};
    stack_t alternate{};
    bool interrupt_blocked = false, term_blocked = false, segv_blocked = true;
    std::uintptr_t fiber_local = 0;
    rt.block_on([&] {
        int local = 0;
        fiber_local = reinterpret_cast<std::uintptr_t>(&local);
        sigaltstack(nullptr, &alternate);
        sigset_t mask;
        pthread_sigmask(SIG_BLOCK, nullptr, &mask);
        interrupt_blocked = sigismember(&mask, SIGINT) == 1;
        term_blocked = sigismember(&mask, SIGTERM) == 1;
        segv_blocked = sigismember(&mask, SIGSEGV) == 1;
        // A signal to this very thread, let through for a moment.
        sigset_t usr2;
        sigemptyset(&usr2);
        sigaddset(&usr2, SIGUSR2);
        pthread_sigmask(SIG_UNBLOCK, &usr2, nullptr);
        pthread_kill(pthread_self(), SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &usr2, nullptr);
    });
    sigaction(SIGUSR2, &previous, nullptr);

    EXPECT_EQ(alternate.ss_flags & SS_DISABLE, 0) << "a scheduler thread has no alternate signal stack";
    EXPECT_GE(alternate.ss_size, alternate_signal_stack_bytes(SignalFrames::of_this_machine()));
    EXPECT_TRUE(interrupt_blocked) << "Ctrl-C could be taken on a fiber's stack";
    EXPECT_TRUE(term_blocked);
    EXPECT_FALSE(segv_blocked) << "a fault in a fiber's own code must still be reported";
    auto const low = reinterpret_cast<std::uintptr_t>(alternate.ss_sp);
    auto const frame = handler_frame.load();
    EXPECT_GE(frame, low) << "the handler ran outside the alternate stack";
    EXPECT_LT(frame, low + alternate.ss_size) << "the handler ran outside the alternate stack";
    EXPECT_FALSE(frame < fiber_local && fiber_local - frame < default_stack_kib * 1024) << "the handler ran on the fiber's stack";
}

// The deepest a fiber of task-tree and idle-tasks goes (the scenarios whose
// stack size the user sets) fits the floor with a quarter of it to spare,
// and both verify their answer with stacks of exactly the floor. The depth
// is the lowest byte written: measured on a larger stack than the floor,
// since a frame that overran a small one may leave its bytes inside it
// untouched (a channel's padding) and look shallow.
TEST(FiberCode, FitsInThreeQuartersOfTheFloorAndRunsAtTheFloor) {
    if (build_stack_headroom() > 0) {
        // TSan's own frames share the stack (its headroom covers them), and
        // painting and scanning every stack under TSan takes minutes: the
        // depth is measured in the release and ASan builds.
        GTEST_SKIP() << "the fibers' depth is measured in release and AddressSanitizer builds";
    }
    auto const floor_bytes = minimum_stack_kib(SignalFrames::of_this_machine(), signals_reach_fiber_stacks(), build_stack_headroom()) * 1024;
    auto const roomy = 4 * floor_bytes;
    auto const bound = build_stack_headroom() + code_stack_floor * 3 / 4;

    task_tree::Params tree{.leaves = 1000, .fanout = 10, .threads = 2, .stack_bytes = roomy};
    idle_tasks::Params idle{.tasks = 300, .wait_ms = 5, .threads = 2, .stack_bytes = roomy};
    MallocStack::measure_depth(true);
    EXPECT_EQ(run_model<task_tree::Spec>(Model::fibers, tree, /*warmup=*/1).checksum, task_tree::expected_sum(tree.leaves));
    auto const tree_depth = MallocStack::deepest_use();
    MallocStack::measure_depth(true);
    EXPECT_EQ(run_model<idle_tasks::Spec>(Model::fibers, idle, /*warmup=*/1).checksum, idle_tasks::expected_checksum(idle.tasks));
    auto const idle_depth = MallocStack::deepest_use();
    MallocStack::measure_depth(false);

    tree.stack_bytes = idle.stack_bytes = floor_bytes;
    EXPECT_EQ(run_model<task_tree::Spec>(Model::fibers, tree, /*warmup=*/1).checksum, task_tree::expected_sum(tree.leaves));
    EXPECT_EQ(run_model<idle_tasks::Spec>(Model::fibers, idle, /*warmup=*/1).checksum, idle_tasks::expected_checksum(idle.tasks));

    RecordProperty("task_tree_stack_bytes", std::to_string(tree_depth));
    RecordProperty("idle_tasks_stack_bytes", std::to_string(idle_depth));
    EXPECT_GT(tree_depth, 0U);
    EXPECT_GT(idle_depth, 0U);
    EXPECT_LE(tree_depth, bound) << "task-tree's fibers need " << tree_depth << " bytes: raise code_stack_floor (models/fibers/stack.hpp)";
    EXPECT_LE(idle_depth, bound) << "idle-tasks' fibers need " << idle_depth << " bytes: raise code_stack_floor (models/fibers/stack.hpp)";
#if CONCLAB_BOOST_FIBER_PATCHED && !defined(__SANITIZE_ADDRESS__)
    // Boost.Fiber as built here (models/fibers/boost): its spinlock's lock()
    // no longer reserves a std::random_device in its frame, so an idle fiber
    // (which locks to sleep and to exit) needs less stack than that object
    // alone. Debian's unchanged library takes it to about 6 KB, two pages.
    EXPECT_LT(idle_depth, sizeof(std::random_device))
        << "idle-tasks' fibers need " << idle_depth << " bytes: is Boost.Fiber's lock() reserving its random_device again?";
#endif
}

// The stack cache: a stack given back is the next one handed out, on the
// same thread; past the thread's share, half go to the shared pool, from
// which another thread takes them.
TEST(CachedStack, ReusesAStackGivenBack) {
    if (!CachedStack::reuses()) GTEST_SKIP() << "stacks are not reused under ThreadSanitizer";
    CachedStack stacks{16 * 1024};
    auto first = stacks.allocate();
    void* const top = first.sp;
    auto const before = CachedStack::cached_here();
    stacks.deallocate(first);
    EXPECT_EQ(CachedStack::cached_here(), before + 1);
    auto again = stacks.allocate();
    EXPECT_EQ(again.sp, top);
    EXPECT_EQ(again.size, 16U * 1024);
    stacks.deallocate(again);
}

TEST(CachedStack, ABusyThreadsSurplusGoesToAnotherThread) {
    if (!CachedStack::reuses()) GTEST_SKIP() << "stacks are not reused under ThreadSanitizer";
    constexpr std::size_t bytes = 64 * 1024;
    auto const capacity = CachedStack::thread_capacity(bytes);
    std::vector<boost::context::stack_context> many;
    std::size_t shared_after = 0;
    std::thread giver{[&] {
        CachedStack stacks{bytes};
        for (std::size_t i = 0; i < capacity + capacity / 2; ++i) many.push_back(stacks.allocate());
        for (auto& stack : many) stacks.deallocate(stack);
        EXPECT_LE(CachedStack::cached_here(), capacity);
        shared_after = CachedStack::cached_shared();
    }};
    giver.join();  // its own cache went to the shared pool as it ended
    EXPECT_GE(shared_after, capacity / 2);
    std::thread taker{[&] {
        CachedStack stacks{bytes};
        auto stack = stacks.allocate();
        EXPECT_GT(CachedStack::cached_here(), 0U);  // took a batch, not one
        stacks.deallocate(stack);
    }};
    taker.join();
}

// The caches count stacks, not bytes: of Boost's default 128 KiB stacks
// (the size worker-pool, pipeline and url-fetch run with) they keep as
// many as of 16 KiB ones, so a run of 1000 such fibers after another
// allocates none. Bounded in bytes (64 MiB shared, the first design) they
// kept about 500 and freed the rest, and every run mapped them again.
TEST(CachedStack, KeepsAThousandDefaultSizeStacks) {
    if (!CachedStack::reuses()) GTEST_SKIP() << "stacks are not reused under ThreadSanitizer";
    constexpr std::size_t bytes = 132 * 1024;  // Runtime::default_stack_bytes and a page
    constexpr std::size_t fibers = 1000;
    auto const shared_before = CachedStack::cached_shared();
    std::size_t kept_here = 0;
    std::thread user{[&] {
        CachedStack stacks{bytes};
        std::vector<boost::context::stack_context> many;
        for (std::size_t i = 0; i < fibers; ++i) many.push_back(stacks.allocate());
        for (auto& stack : many) stacks.deallocate(stack);
        kept_here = CachedStack::cached_here();
    }};
    user.join();  // its cache went to the shared pool as it ended
    EXPECT_GT(kept_here, 0U);
    EXPECT_EQ(CachedStack::cached_shared() - shared_before, fibers) << "stacks of 132 KiB were freed instead of kept";
}

}  // namespace
}  // namespace conclab::models::fibers
