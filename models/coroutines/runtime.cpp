#include "models/coroutines/runtime.hpp"

#include "models/coroutines/channel.hpp"

#include <stdexcept>
#include <string>

namespace conclab::models::coroutines {
namespace {
std::unique_ptr<Scheduler> make_scheduler(RuntimeOptions const& options) {
    auto const with_channels = [](std::unique_ptr<Scheduler> scheduler, ChannelDesign design) {
        scheduler->set_channel_design(design);
        return scheduler;
    };
    switch (design_named(designs, options.design, "coroutines")) {
        case Design::standard: break;
        case Design::io_context: return make_io_context_scheduler(options.threads);
        case Design::go_channels: return with_channels(make_stealing_scheduler(options.threads), ChannelDesign::go);
        case Design::asio_channels: return with_channels(make_stealing_scheduler(options.threads), ChannelDesign::asio);
        case Design::ms_timers: return make_stealing_scheduler(options.threads, std::chrono::milliseconds{1});
    }
    return make_stealing_scheduler(options.threads);
}
}  // namespace

Runtime::Runtime(unsigned threads) : Runtime{RuntimeOptions{.threads = threads}} {}

Runtime::Runtime(RuntimeOptions const& options)
    : scheduler_{make_scheduler(options)}, context_{.executor = Executor{*scheduler_}, .tracker = &tracker_, .scheduler = scheduler_.get()} {}

Runtime::~Runtime() = default;

void Runtime::spawn(Task<void> task) {
    tracker_.started();
    task.promise().start_as_root(context_);
    scheduler_->schedule(task.release());
}

}  // namespace conclab::models::coroutines
