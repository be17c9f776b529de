#include "models/coroutines/runtime.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>

#include <stdexcept>

namespace conclab::models::coroutines {

Runtime::Runtime(unsigned threads)
    : context_{static_cast<int>(threads)}, work_{context_.get_executor()} {
    if (threads == 0) throw std::invalid_argument{"coroutines runtime needs at least one thread"};
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
}

Runtime::~Runtime() {
    work_.reset();
    context_.stop();
    for (auto& thread : threads_) thread.join();
}

void Runtime::spawn(awaitable<void> task) {
    tracker_.started();
    // The completion handler runs after the coroutine frame is gone, so it
    // is the right place to count the task as finished.
    boost::asio::co_spawn(context_, std::move(task),
                          [this](std::exception_ptr error) { tracker_.finished(error); });
}

void Runtime::spawn_serial(awaitable<void> task) {
    tracker_.started();
    boost::asio::co_spawn(boost::asio::make_strand(context_), std::move(task),
                          [this](std::exception_ptr error) { tracker_.finished(error); });
}

}  // namespace conclab::models::coroutines
