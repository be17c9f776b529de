#include "app/case_command.hpp"

#include "scenarios/registry.hpp"
#include "src/kit/stopwatch.hpp"
#include "src/runner/case_json.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace conclab::cli {

void add_case_command(CLI::App& app, CaseCli& cli) {
    cli.command = app.add_subcommand("__case", "run one case and print its result (used by run)");
    cli.command->group("");
    cli.command->add_option("request", cli.request)->required();
}

// The child side of a case: run it, print one JSON line, exit.
int case_command(CaseCli const& cli) {
    auto const& request_text = cli.request;
    CaseOutcome outcome;
    try {
        auto const request = request_from_json(nlohmann::json::parse(request_text));
        auto const* scenario = find_scenario(request.scenario);
        if (scenario == nullptr) throw UsageError{"unknown scenario '" + request.scenario + "'"};
        auto const* model = scenario->find_model(request.model);
        if (model == nullptr) throw UsageError{request.scenario + " has no model '" + request.model.token() + "'"};
        for (auto const& spec : scenario->params) {
            if (request.params.count(spec.name) == 0 || request.params.at(spec.name).index() != spec.fallback.index()) {
                throw UsageError{"parameter " + spec.name + " missing or of the wrong type"};
            }
        }
        outcome.metrics = model->run_case(request.params, request.options);
        outcome.status = CaseOutcome::Status::ok;
        // a run too short for /proc/stat to tell the rest of the machine's load: measured over a window of its own,
        // right after it, the runtime torn down (noise is measured for every run, whatever its length)
        if (!std::isfinite(outcome.metrics.machine_other_cores)) outcome.metrics.machine_other_cores = probe_other_cores();
    } catch (WrongAnswer const& e) {
        outcome.status = CaseOutcome::Status::wrong_answer;
        outcome.message = e.what();
    } catch (std::exception const& e) {
        outcome.status = CaseOutcome::Status::error;
        outcome.message = e.what();
    }
    std::cout << outcome_to_json(outcome).dump() << std::endl;
    return outcome.status == CaseOutcome::Status::ok ? 0 : 1;
}

}  // namespace conclab::cli
