#include "models/coroutines/runtime.hpp"

#include "models/coroutines/channel.hpp"

#include <stdexcept>
#include <string>

namespace conclab::models::coroutines {
namespace {
std::unique_ptr<Scheduler> make_scheduler(RuntimeOptions const& options) {
    auto const with_channels = [&](std::unique_ptr<Scheduler> scheduler) {
        scheduler->set_channel_design(options.design == "asio-channels" ? ChannelDesign::asio
                                      : options.design == "go-channels" ? ChannelDesign::go
                                                                        : ChannelDesign::array);
        return scheduler;
    };
    if (options.design == "io-context") return with_channels(make_io_context_scheduler(options.threads));
    if (options.design.empty() || options.design == "asio-channels" || options.design == "go-channels") {
        return with_channels(make_stealing_scheduler(options.threads));
    }
    if (options.design == "ms-timers") return make_stealing_scheduler(options.threads, std::chrono::milliseconds{1});
    throw std::invalid_argument{"coroutines runtime has no design '" + options.design + "'"};
}
}  // namespace

Runtime::Runtime(unsigned threads) : Runtime{RuntimeOptions{.threads = threads}} {}

Runtime::Runtime(RuntimeOptions const& options)
    : scheduler_{make_scheduler(options)}, context_{.executor = Executor{*scheduler_}, .tracker = &tracker_, .scheduler = scheduler_.get()} {}

Runtime::~Runtime() = default;

void Runtime::spawn(awaitable<void> task) {
    tracker_.started();
    task.promise().start_as_root(context_);
    scheduler_->schedule(task.release());
}

}  // namespace conclab::models::coroutines
