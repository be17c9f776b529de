#include "src/case_json.hpp"
#include "src/report.hpp"

#include <cmath>
#include <cstdio>

namespace conclab {

std::string results_to_csv(RunResults const& results) {
    auto const& plan = results.plan;
    std::string out = "scenario,model,repetition,status";
    for (auto const& spec : plan.scenario->params) out += "," + spec.name;
    out += ",checksum,expected_checksum,verified,items,latency_count";
    for (auto const& metric : metric_list()) out += "," + std::string{metric.key};
    out += ",error\n";
    for (auto const& model : results.models) {
        for (std::size_t rep = 0; rep < model.runs.size(); ++rep) {
            auto const& run = model.runs[rep];
            out += plan.scenario->name + "," + std::string{token(model.model)} + "," + std::to_string(rep) + "," +
                   std::string{to_string(run.status)};
            for (auto const& spec : plan.scenario->params) out += "," + std::to_string(plan.params.at(spec.name));
            bool const ok = run.status == CaseOutcome::Status::ok;
            auto const& m = run.metrics;
            if (ok) {
                out += "," + hex64(m.checksum) + "," + hex64(m.expected_checksum) + "," +
                       (m.checksum == m.expected_checksum ? "true" : "false") + "," + std::to_string(m.items) + "," +
                       std::to_string(m.latency_count);
            } else {
                out += ",,,false,,";
            }
            for (auto const& metric : metric_list()) {
                double const value = m.*metric.field;
                out += ",";
                if (ok && std::isfinite(value)) {
                    char text[32];
                    std::snprintf(text, sizeof text, "%.9g", value);
                    out += text;
                }
            }
            // the message may hold commas and quotes: quote it, double the quotes
            std::string error;
            for (char c : run.message) error += c == '"' ? std::string{"\"\""} : std::string(1, c == '\n' ? ' ' : c);
            out += ok ? std::string{","} : ",\"" + error + "\"";
            out += "\n";
        }
    }
    return out;
}

}  // namespace conclab
