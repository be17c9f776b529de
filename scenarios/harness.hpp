// One harness for every scenario, model and variant (models as types, as
// stdexec's benchmark main is a template over its pool): it reads a case's
// parameters, builds the model's runtime, and lets the scenario measure and
// verify runs of the model file's `run`.
//
// A scenario provides a Spec, derived from SpecFor<Params>:
//   static constexpr char const* name;                 its token
//   static Scenario describe();                        parameters, metrics, validation, fixture
//   static Params params_from(ParamValues const&, CaseOptions const&);
//   static CaseMetrics measure(Model, Params const&, unsigned warmup, Once once);
//       `warmup` verified runs of once(state...), then one measured run,
//       verified; `state` is what a run books into (a Ledger, a Tally).
// and each model file one function, `run(Runtime&, Params const&, state...)`.
// The runtime is built from the Params' `threads` (and `stack_bytes`, where
// the scenario has fiber stacks of its own size).
#pragma once

#include "models/runtime_options.hpp"
#include "src/kit/scenario.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace conclab::harness {

/// A variant with a scenario file of its own, declared once beside that
/// file's `run` in the scenario's header: its token (after "<model>/") and
/// what it changes against the model's file. (Runtime design variants are
/// declared by their runtime: models/<model>/runtime.hpp, `designs`.)
struct FileVariant {
    std::string_view token;
    std::string_view changes;
};

/// The base of every scenario's Spec: its typed parameters.
template <class P>
struct SpecFor {
    using Params = P;
};

/// How a case's runtime is built: the Params' threads and, where it has
/// one, its fiber stack size; `design` names a runtime design variant.
template <class Params>
models::RuntimeOptions runtime_options(Params const& p, std::string const& design) {
    models::RuntimeOptions options{.threads = p.threads, .design = design};
    if constexpr (requires { p.stack_bytes; }) options.stack_bytes = p.stack_bytes;
    return options;
}

/// The entry of one model of scenario Spec: `run` (the model file's entry
/// point) on a Runtime built with the runtime `design` ("" for the default).
template <class Spec, class Runtime, class Run>
ModelEntry entry(ModelId id, std::string changes, Run run, std::string design = {}) {
    auto const measure = [id, run, design](typename Spec::Params const& p, CaseOptions const& options) {
        Runtime rt{runtime_options(p, design)};
        return Spec::measure(id.base, p, options.warmup, [&](auto&... state) { return run(rt, p, state...); });
    };
    return ModelEntry{
        .id = id,
        .changes = std::move(changes),
        .run_case = [measure](ParamValues const& values, CaseOptions const& options) {
            return measure(Spec::params_from(values, options), options);
        },
        .run_params = [measure](void const* params, CaseOptions const& options) {
            return measure(*static_cast<typename Spec::Params const*>(params), options);
        },
    };
}

/// The model file's `run` for Runtime, found by its argument types: each
/// scenario declares one overload per runtime type in its header.
struct RunByRuntime {
    template <class Runtime, class Params, class... State>
    auto operator()(Runtime& rt, Params const& p, State&... state) const {
        return run(rt, p, state...);
    }
};

}  // namespace conclab::harness
