// Channel semantics, the same properties in every model that has channels
// (fibers, coroutines, threads; the tbb model has none by design, see
// docs/models.md): close wakes every waiting receiver, items sent before
// close are still delivered in order, nothing is lost or duplicated under
// many producers and consumers, and a send after close fails.
#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/coroutines/wait_group.hpp"
#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"
#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"
#include "models/threads/wait_group.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/fiber/operations.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace conclab {
namespace {

using namespace std::chrono_literals;
using Items = std::vector<std::uint64_t>;

// Each harness runs the same four experiments in its model's own style.

// fibers and threads share one vocabulary (blocking send/receive, spawn,
// block_on, WaitGroup), so one harness serves both.
template <class Traits>
struct BlockingHarness {
    static constexpr char const* name = Traits::name;
    using Runtime = typename Traits::Runtime;
    using Channel = typename Traits::template Channel<std::uint64_t>;
    using WaitGroup = typename Traits::WaitGroup;

    static std::size_t close_wakes_all(std::size_t receivers) {
        auto rt = Traits::runtime(2);
        Channel ch{*rt, 0};
        std::atomic<std::size_t> woken{0};
        rt->block_on([&] {
            for (std::size_t r = 0; r < receivers; ++r) rt->spawn([&] { woken += ch.receive() ? 0 : 1; });
            Traits::sleep(20ms);  // let them block first
            ch.close();
        });
        return woken;
    }

    static Items drain_after_close(std::size_t buffer, std::uint64_t items) {
        auto rt = Traits::runtime(2);
        Channel ch{*rt, buffer};
        Items got;
        rt->block_on([&] {
            for (std::uint64_t i = 0; i < items; ++i) ch.send(i);
            ch.close();
            while (auto v = ch.receive()) got.push_back(*v);
        });
        return got;
    }

    static Items many_to_many(std::size_t producers, std::size_t consumers, std::uint64_t each, std::size_t buffer) {
        auto rt = Traits::runtime(2);
        Channel ch{*rt, buffer};
        WaitGroup wg{producers};
        std::mutex mutex;
        Items got;
        rt->block_on([&] {
            for (std::size_t p = 0; p < producers; ++p) {
                rt->spawn([&, p] {
                    for (std::uint64_t i = 0; i < each; ++i) ch.send(p * each + i);
                    wg.done();
                });
            }
            for (std::size_t c = 0; c < consumers; ++c) {
                rt->spawn([&] {
                    Items mine;
                    while (auto v = ch.receive()) mine.push_back(*v);
                    std::lock_guard lock{mutex};
                    got.insert(got.end(), mine.begin(), mine.end());
                });
            }
            wg.wait();
            ch.close();
        });
        return got;
    }

    static bool send_after_close_fails() {
        auto rt = Traits::runtime(1);
        Channel ch{*rt, 4};
        bool sent = true;
        rt->block_on([&] {
            ch.close();
            sent = ch.send(1);
        });
        return !sent;
    }
};

struct FibersTraits {
    static constexpr char const* name = "fibers";
    using Runtime = models::fibers::Runtime;
    template <class T>
    using Channel = models::fibers::Channel<T>;
    using WaitGroup = models::fibers::WaitGroup;
    static auto runtime(unsigned threads) { return std::make_unique<Runtime>(threads); }
    static void sleep(std::chrono::milliseconds d) { boost::this_fiber::sleep_for(d); }
};

struct ThreadsTraits {
    static constexpr char const* name = "threads";
    using Runtime = models::threads::Runtime;
    template <class T>
    using Channel = models::threads::Channel<T>;
    using WaitGroup = models::threads::WaitGroup;
    static auto runtime(unsigned /*threads: one OS thread per task*/) { return std::make_unique<Runtime>(); }
    static void sleep(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
};

// the variants: fibers on the shared-queue scheduler, threads on the
// moodycamel-queue channel
struct FibersSharedQueueTraits : FibersTraits {
    static constexpr char const* name = "fibers_shared_queue";
    static auto runtime(unsigned threads) {
        return std::make_unique<Runtime>(models::RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = "shared-queue"});
    }
};

struct FibersBoostChannelsTraits : FibersTraits {
    static constexpr char const* name = "fibers_boost_channels";
    static auto runtime(unsigned threads) {
        return std::make_unique<Runtime>(models::RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = "boost-channels"});
    }
};

struct ThreadsQueueTraits : ThreadsTraits {
    static constexpr char const* name = "threads_moodycamel_queue";
    static auto runtime(unsigned /*threads*/) {
        return std::make_unique<Runtime>(models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = "moodycamel-queue"});
    }
};

using FibersHarness = BlockingHarness<FibersTraits>;
using FibersSharedQueueHarness = BlockingHarness<FibersSharedQueueTraits>;
using FibersBoostChannelsHarness = BlockingHarness<FibersBoostChannelsTraits>;
using ThreadsHarness = BlockingHarness<ThreadsTraits>;
using ThreadsQueueHarness = BlockingHarness<ThreadsQueueTraits>;

template <class Traits>
struct CoroutinesHarness {
    static constexpr char const* name = Traits::name;
    static models::coroutines::Runtime runtime(unsigned threads) {
        return models::coroutines::Runtime{models::RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = Traits::design}};
    }
    using Channel = models::coroutines::Channel<std::uint64_t>;
    template <class T>
    using Task = models::coroutines::Task<T>;

    static Task<void> count_close(Channel& ch, std::atomic<std::size_t>& woken) {
        auto v = co_await ch.receive();
        woken += v ? 0 : 1;
    }

    static std::size_t close_wakes_all(std::size_t receivers) {
        auto rt = runtime(2);
        Channel ch{rt.executor(), 0};
        std::atomic<std::size_t> woken{0};
        rt.block_on([&]() -> Task<void> {
            for (std::size_t r = 0; r < receivers; ++r) rt.spawn(count_close(ch, woken));
            boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, 20ms};
            co_await timer.async_wait(boost::asio::deferred);
            ch.close();
        });
        return woken;
    }

    static Items drain_after_close(std::size_t buffer, std::uint64_t items) {
        auto rt = runtime(2);
        Channel ch{rt.executor(), buffer};
        Items got;
        rt.block_on([&]() -> Task<void> {
            for (std::uint64_t i = 0; i < items; ++i) co_await ch.send(i);
            ch.close();
            while (auto v = co_await ch.receive()) got.push_back(*v);
        });
        return got;
    }

    static Task<void> produce(Channel& ch, models::coroutines::WaitGroup& wg, std::uint64_t first, std::uint64_t each) {
        for (std::uint64_t i = 0; i < each; ++i) co_await ch.send(first + i);
        wg.done();
    }

    static Task<void> consume(Channel& ch, std::mutex& mutex, Items& got) {
        Items mine;
        while (auto v = co_await ch.receive()) mine.push_back(*v);
        std::lock_guard lock{mutex};
        got.insert(got.end(), mine.begin(), mine.end());
    }

    static Items many_to_many(std::size_t producers, std::size_t consumers, std::uint64_t each, std::size_t buffer) {
        auto rt = runtime(2);
        Channel ch{rt.executor(), buffer};
        models::coroutines::WaitGroup wg{rt.executor(), producers};
        std::mutex mutex;
        Items got;
        rt.block_on([&]() -> Task<void> {
            for (std::size_t p = 0; p < producers; ++p) rt.spawn(produce(ch, wg, p * each, each));
            for (std::size_t c = 0; c < consumers; ++c) rt.spawn(consume(ch, mutex, got));
            co_await wg.wait();
            ch.close();
        });
        return got;
    }

    static bool send_after_close_fails() {
        auto rt = runtime(1);
        Channel ch{rt.executor(), 4};
        bool sent = true;
        rt.block_on([&]() -> Task<void> {
            ch.close();
            sent = co_await ch.send(1);
        });
        return !sent;
    }
};

struct CoroutinesTraits {
    static constexpr char const* name = "coroutines";
    static constexpr char const* design = "";
};
struct CoroutinesIoContextTraits {
    static constexpr char const* name = "coroutines_io_context";
    static constexpr char const* design = "io-context";
};
struct CoroutinesAsioChannelsTraits {
    static constexpr char const* name = "coroutines_asio_channels";
    static constexpr char const* design = "asio-channels";
};
struct CoroutinesGoChannelsTraits {
    static constexpr char const* name = "coroutines_go_channels";
    static constexpr char const* design = "go-channels";
};

template <class Harness>
class ChannelTest : public testing::Test {};

struct HarnessName {
    template <class T>
    static std::string GetName(int) {
        return T::name;
    }
};

using Harnesses =
    testing::Types<FibersHarness, FibersSharedQueueHarness, FibersBoostChannelsHarness, CoroutinesHarness<CoroutinesTraits>,
                   CoroutinesHarness<CoroutinesIoContextTraits>, CoroutinesHarness<CoroutinesAsioChannelsTraits>,
                   CoroutinesHarness<CoroutinesGoChannelsTraits>, ThreadsHarness,
                   ThreadsQueueHarness>;
TYPED_TEST_SUITE(ChannelTest, Harnesses, HarnessName);

TYPED_TEST(ChannelTest, CloseWakesEveryWaitingReceiver) {
    EXPECT_EQ(TypeParam::close_wakes_all(1), 1U);
    EXPECT_EQ(TypeParam::close_wakes_all(50), 50U);
}

TYPED_TEST(ChannelTest, ItemsSentBeforeCloseAreStillReceivedInOrder) {
    Items const expected{0, 1, 2, 3, 4, 5, 6};
    EXPECT_EQ(TypeParam::drain_after_close(7, 7), expected);
    EXPECT_EQ(TypeParam::drain_after_close(64, 7), expected);
}

TYPED_TEST(ChannelTest, ManyProducersAndConsumersLoseAndDuplicateNothing) {
    for (std::size_t buffer : {0, 1, 64}) {
        auto got = TypeParam::many_to_many(/*producers=*/8, /*consumers=*/8, /*each=*/2000, buffer);
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got.size(), 16000U) << "buffer " << buffer;
        for (std::uint64_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], i) << "buffer " << buffer;
    }
}

TYPED_TEST(ChannelTest, SendAfterCloseFails) { EXPECT_TRUE(TypeParam::send_after_close_fails()); }

TEST(FibersChannel, HoldsExactlyItsBufferOrBoostsRounding) {
    using models::fibers::ChannelDesign;
    using Channel = models::fibers::Channel<int>;
    EXPECT_EQ(Channel::holds(ChannelDesign::array, 64), 64U);
    EXPECT_EQ(Channel::holds(ChannelDesign::boost, 0), 0U);
    EXPECT_EQ(Channel::holds(ChannelDesign::boost, 1), 1U);
    EXPECT_EQ(Channel::holds(ChannelDesign::boost, 63), 63U);
    EXPECT_EQ(Channel::holds(ChannelDesign::boost, 64), 127U);
}

// Two runtimes of different designs in one process: each one's channels
// have its design (no process-wide switch decides it).
TEST(FibersChannel, EachRuntimeMakesTheChannelsOfItsOwnDesign) {
    models::fibers::Runtime plain{models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = ""}};
    models::fibers::Runtime boost{models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = "boost-channels"}};
    EXPECT_EQ(plain.channel_design(), models::fibers::ChannelDesign::array);
    EXPECT_EQ(boost.channel_design(), models::fibers::ChannelDesign::boost);
    // a rendezvous in each, both alive at once
    for (auto* rt : {&plain, &boost}) {
        models::fibers::Channel<int> ch{*rt, 0};
        int got = 0;
        rt->block_on([&] {
            rt->spawn([&] { ch.send(7); });
            got = ch.receive().value_or(0);
        });
        EXPECT_EQ(got, 7);
    }
}

TEST(ThreadsChannel, EachRuntimeMakesTheChannelsOfItsOwnDesign) {
    models::threads::Runtime plain;
    models::threads::Runtime queue{models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = "moodycamel-queue"}};
    EXPECT_EQ(plain.channel_design(), models::threads::ChannelDesign::array);
    EXPECT_EQ(queue.channel_design(), models::threads::ChannelDesign::moodycamel_queue);
}

// The array channel holds exactly its buffer: the sender of item n+1 waits
// until a receiver takes one; a rendezvous sender waits for its receiver.
TEST(ThreadsArrayChannel, HoldsExactlyItsBuffer) {
    for (std::size_t buffer : {0, 1, 3, 5, 64}) {
        models::threads::ArrayChannel<std::uint64_t> ch{buffer};
        std::atomic<std::uint64_t> sent{0};
        std::thread sender{[&] {
            for (std::uint64_t i = 0; i <= buffer; ++i) {
                ch.send(i);
                ++sent;
            }
        }};
        // what the sender got through without a receiver (20 ms is plenty to
        // fill a buffer; if it is slower, fewer would pass, never more)
        std::this_thread::sleep_for(20ms);
        EXPECT_EQ(sent.load(), buffer) << "buffer " << buffer;
        for (std::uint64_t i = 0; i <= buffer; ++i) EXPECT_EQ(ch.receive(), i);
        sender.join();
        EXPECT_EQ(sent.load(), buffer + 1);
    }
}

// Items that own memory are moved through and the rest freed with the
// channel (AddressSanitizer checks the second half).
TEST(ThreadsArrayChannel, MovesItemsAndFreesWhatIsLeft) {
    models::threads::ArrayChannel<std::unique_ptr<int>> ch{4};
    for (int i = 0; i < 3; ++i) ch.send(std::make_unique<int>(i));
    auto first = ch.receive();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ(**first, 0);
}

}  // namespace
}  // namespace conclab
