#include "src/results/report.hpp"
#include "src/runner/case_json.hpp"

#include <cmath>
#include <cstdio>

namespace conclab {
namespace {

// A field that may hold commas, quotes or newlines: quoted, quotes doubled.
std::string quoted(std::string const& text) {
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string{"\"\""} : std::string(1, c == '\n' ? ' ' : c);
    return out + "\"";
}

std::string number(double value) {
    if (!std::isfinite(value)) return "";
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

}  // namespace

std::string results_to_csv(RunResults const& results) {
    auto const& plan = results.plan;
    std::string out = "scenario,model,repetition,status";
    for (auto const& spec : plan.scenario->params) out += "," + spec.name;
    out += ",checksum,expected_checksum,verified,items,latency_count";
    for (auto const& metric : metric_list()) out += "," + std::string{metric.key};
    for (auto const& metric : plan.scenario->metrics) out += "," + metric.key;
    out += ",error\n";
    for (auto const& model : results.models) {
        for (std::size_t rep = 0; rep < model.runs.size(); ++rep) {
            auto const& run = model.runs[rep];
            out += plan.scenario->name + "," + std::string{token(model.model)} + "," + std::to_string(rep) + "," +
                   std::string{to_string(run.status)};
            for (auto const& spec : plan.scenario->params) {
                auto const text = to_text(plan.params.at(spec.name));
                out += "," + (text.find_first_of(",\"\n") == std::string::npos ? text : quoted(text));
            }
            bool const ok = run.status == CaseOutcome::Status::ok;
            auto const& m = run.metrics;
            if (ok) {
                out += "," + hex64(m.checksum) + "," + hex64(m.expected_checksum) + "," +
                       (verified(m) ? "true" : "false") + "," + std::to_string(m.items) + "," +
                       std::to_string(m.latency_count);
            } else {
                out += ",,,false,,";
            }
            for (auto const& metric : metric_list()) out += "," + (ok ? number(m.*metric.field) : "");
            for (auto const& metric : plan.scenario->metrics) out += "," + (ok ? number(extra_value(m, metric.key)) : "");
            out += "," + (ok ? std::string{} : quoted(run.message));
            out += "\n";
        }
    }
    return out;
}

}  // namespace conclab
