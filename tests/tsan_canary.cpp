// ThreadSanitizer must see a race that happens inside each model's tasks:
// the canary proves the TSan build is live where it matters (a fiber on its
// own ucontext stack, a coroutine on the Asio pool, a TBB task, an OS
// thread) and that tsan.supp does not swallow a plain race on user data.
// A task writes `shared`, then raises a relaxed flag; an observer thread
// waits for the flag and reads `shared`. A relaxed flag orders nothing, so
// this is a data race; tsan_canary_check.py expects TSan to report it with
// the canary's frames, and fails if it does not.
#include "models/coroutines/runtime.hpp"
#include "models/fibers/runtime.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"

#include <atomic>
#include <cstdio>
#include <string_view>
#include <thread>

namespace {

int shared = 0;
std::atomic<bool> written{false};

[[gnu::noinline]] void canary_write() {
    shared = 42;
    written.store(true, std::memory_order_relaxed);
}

[[gnu::noinline]] int canary_read() {
    while (!written.load(std::memory_order_relaxed)) std::this_thread::yield();
    return shared;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view const model = argc > 1 ? argv[1] : "";
    int seen = 0;
    std::thread observer{[&] { seen = canary_read(); }};
    namespace m = conclab::models;
    if (model == "fibers") {
        m::fibers::Runtime rt{2};
        rt.block_on([&] { rt.spawn([] { canary_write(); }); });
    } else if (model == "coroutines") {
        m::coroutines::Runtime rt{2};
        rt.block_on([]() -> m::coroutines::Task<void> {
            canary_write();
            co_return;
        });
    } else if (model == "tbb") {
        m::tbb::Runtime rt{2};
        rt.block_on([] { canary_write(); });
    } else if (model == "threads") {
        m::threads::Runtime rt;
        rt.block_on([&] { rt.spawn([] { canary_write(); }); });
    } else {
        std::fprintf(stderr, "tsan_canary: expected a model token (fibers, coroutines, tbb, threads), got '%.*s'\n",
                     static_cast<int>(model.size()), model.data());
        observer.detach();
        return 2;
    }
    observer.join();
    std::printf("read %d\n", seen);
    return 0;
}
