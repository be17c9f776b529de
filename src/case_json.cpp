#include "src/case_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace conclab {

nlohmann::json metrics_to_json(CaseMetrics const& m) {
    nlohmann::json json{
        {"checksum", hex64(m.checksum)},
        {"expected_checksum", hex64(m.expected_checksum)},
        {"verified", m.checksum == m.expected_checksum},
        {"items", m.items},
        {"latency_count", m.latency_count},
    };
    for (auto const& metric : metric_list()) {
        double const value = m.*metric.field;
        json[std::string{metric.key}] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
    }
    return json;
}

CaseMetrics metrics_from_json(nlohmann::json const& json) {
    CaseMetrics m;
    m.checksum = std::stoull(json.at("checksum").get<std::string>(), nullptr, 16);
    m.expected_checksum = std::stoull(json.at("expected_checksum").get<std::string>(), nullptr, 16);
    m.items = json.at("items").get<std::uint64_t>();
    m.latency_count = json.at("latency_count").get<std::uint64_t>();
    for (auto const& metric : metric_list()) {
        auto const& value = json.at(std::string{metric.key});
        m.*metric.field = value.is_null() ? no_value : value.get<double>();
    }
    return m;
}

nlohmann::json outcome_to_json(CaseOutcome const& outcome) {
    nlohmann::json json{{"status", to_string(outcome.status)}};
    if (outcome.status == CaseOutcome::Status::ok) {
        json["metrics"] = metrics_to_json(outcome.metrics);
    } else {
        json["error"] = outcome.message;
    }
    return json;
}

CaseOutcome outcome_from_json(nlohmann::json const& json) {
    CaseOutcome outcome;
    auto const status = json.at("status").get<std::string>();
    for (auto s : {CaseOutcome::Status::ok, CaseOutcome::Status::wrong_answer, CaseOutcome::Status::error,
                   CaseOutcome::Status::crashed, CaseOutcome::Status::timeout}) {
        if (to_string(s) == status) outcome.status = s;
    }
    if (outcome.status == CaseOutcome::Status::ok) {
        outcome.metrics = metrics_from_json(json.at("metrics"));
    } else {
        outcome.message = json.value("error", std::string{"(no message)"});
    }
    return outcome;
}

}  // namespace conclab
