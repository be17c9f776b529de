// Parameters several scenarios offer with the same meaning, declared once so
// their name, range and help read the same in every `conclab list`.
#pragma once

#include "models/fibers/stack.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/params.hpp"
#include "src/kit/schedule.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace conclab {

/// --threads: the OS threads a model's runtime (fiber scheduler, io_context
/// pool, TBB arena) runs on. `models` says which models read it.
inline ParamSpec runtime_threads_param(std::string models = "fibers, coroutines, tbb") {
    return {"threads", std::uint64_t{hardware_threads()}, 1, 1024, "OS threads of the runtime (default: hardware concurrency)", std::move(models), {}};
}

/// --stack-kb: each fiber's stack (docs/models.md has the trade-off). The
/// least it accepts is what this machine needs (models/fibers/stack.hpp),
/// and a smaller value is refused with the reason before anything runs.
inline ParamSpec fiber_stack_param(models::fibers::SignalFrames const& machine = models::fibers::SignalFrames::of_this_machine(),
                                   bool signals_on_fiber_stacks = models::fibers::signals_reach_fiber_stacks(),
                                   std::size_t headroom = models::fibers::build_stack_headroom()) {
    using namespace models::fibers;
    return {"stack_kb", std::uint64_t{default_stack_kib}, minimum_stack_kib(machine, signals_on_fiber_stacks, headroom), 8192,
            "each fiber's stack in KiB (malloc'd, no guard page; docs/models.md)", "fibers", {},
            minimum_stack_reason(machine, signals_on_fiber_stacks, headroom)};
}

/// The open-loop group (--rate, --arrivals, ...: src/kit/schedule.hpp) as
/// one row of a table, read into `member`.
template <class P>
ParamField<P> open_loop_param(Arrivals P::*member) {
    return {open_loop_params(), [member](P& p, ParamValues const& values) { p.*member = arrivals_from(values); }};
}

/// The same for a scenario that is always open loop: --rate defaults to
/// `default_rate` and is at least 1.
template <class P>
ParamField<P> open_loop_param(Arrivals P::*member, std::uint64_t default_rate) {
    auto field = open_loop_param(member);
    auto& rate = field.specs.front();
    rate.fallback = default_rate;
    rate.min = 1;
    rate.help = "items started per second on a fixed schedule (open loop), latency counted from when each was due";
    return field;
}

/// --stack-kb as a row, read into `member` in bytes.
template <class P>
ParamField<P> fiber_stack_bytes_param(std::uint64_t P::*member) {
    return param<P>(fiber_stack_param(), [member](P& p, ParamValue const& kib) { p.*member = std::get<std::uint64_t>(kib) * 1024; });
}

}  // namespace conclab
