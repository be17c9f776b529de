#include "src/case_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace conclab {

nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr); }

nlohmann::json metrics_to_json(CaseMetrics const& m) {
    nlohmann::json json{
        {"checksum", hex64(m.checksum)},
        {"expected_checksum", hex64(m.expected_checksum)},
        {"verified", verified(m)},
        {"items", m.items},
        {"items_failed", m.items_failed},
        {"latency_count", m.latency_count},
    };
    for (auto const& metric : metric_list()) {
        double const value = m.*metric.field;
        json[std::string{metric.key}] = number_or_null(value);
    }
    for (auto const& [key, value] : m.extra) json[key] = number_or_null(value);
    auto spectrum = nlohmann::json::array();
    for (auto const& [percent, us] : m.latency_spectrum_us) spectrum.push_back({percent, us});
    json["latency_spectrum_us"] = std::move(spectrum);
    return json;
}

CaseMetrics metrics_from_json(nlohmann::json const& json) {
    CaseMetrics m;
    m.checksum = std::stoull(json.at("checksum").get<std::string>(), nullptr, 16);
    m.expected_checksum = std::stoull(json.at("expected_checksum").get<std::string>(), nullptr, 16);
    m.items = json.at("items").get<std::uint64_t>();
    m.latency_count = json.at("latency_count").get<std::uint64_t>();
    // files from before 2026-12-02 have no items_failed: their url-fetch runs counted failures in "errors"
    if (auto const failed = json.find("items_failed"); failed != json.end()) {
        m.items_failed = failed->get<std::uint64_t>();
    } else if (auto const errors = json.find("errors"); errors != json.end() && errors->is_number()) {
        m.items_failed = static_cast<std::uint64_t>(errors->get<double>());
    }
    std::set<std::string> known{"checksum",      "expected_checksum", "verified",           "items",
                                "items_failed", "latency_count",     "latency_spectrum_us"};
    if (json.contains("latency_spectrum_us")) {
        for (auto const& point : json.at("latency_spectrum_us")) {
            m.latency_spectrum_us.emplace_back(point.at(0).get<double>(), point.at(1).get<double>());
        }
    }
    for (auto const& metric : metric_list()) {
        // a file from an earlier conclab may lack a metric added since: no value
        auto const it = json.find(std::string{metric.key});
        m.*metric.field = it == json.end() || it->is_null() ? no_value : it->get<double>();
        known.emplace(metric.key);
    }
    // the rest are the scenario's own metrics
    for (auto const& [key, value] : json.items()) {
        if (known.count(key) == 0 && (value.is_number() || value.is_null())) {
            m.extra[key] = value.is_null() ? no_value : value.get<double>();
        }
    }
    return m;
}

nlohmann::json params_to_json(ParamValues const& values) {
    nlohmann::json json = nlohmann::json::object();
    for (auto const& [name, value] : values) {
        if (auto const* number = std::get_if<std::uint64_t>(&value)) {
            json[name] = *number;
        } else {
            json[name] = std::get<std::string>(value);
        }
    }
    return json;
}

ParamValues params_from_json(nlohmann::json const& json) {
    ParamValues values;
    for (auto const& [name, value] : json.items()) {
        if (value.is_number_unsigned()) {
            values[name] = value.get<std::uint64_t>();
        } else if (value.is_string()) {
            values[name] = value.get<std::string>();
        } else {
            throw std::invalid_argument{"parameter " + name + " is neither a whole number nor a text: " + value.dump()};
        }
    }
    return values;
}

nlohmann::json request_to_json(CaseRequest const& request) {
    return {{"scenario", request.scenario},
            {"model", request.model.token()},
            {"params", params_to_json(request.params)},
            {"warmup", request.options.warmup},
            {"record_latency", request.options.record_latency}};
}

CaseRequest request_from_json(nlohmann::json const& json) {
    CaseRequest request;
    try {
        request.scenario = json.at("scenario").get<std::string>();
        auto const model = parse_model_id(json.at("model").get<std::string>());
        if (!model) throw std::invalid_argument{"unknown model " + json.at("model").dump()};
        request.model = *model;
        request.params = params_from_json(json.at("params"));
        request.options.warmup = json.at("warmup").get<unsigned>();
        request.options.record_latency = json.at("record_latency").get<bool>();
    } catch (nlohmann::json::exception const& e) {
        throw std::invalid_argument{std::string{"malformed case request: "} + e.what()};
    }
    return request;
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
                   CaseOutcome::Status::crashed, CaseOutcome::Status::timeout, CaseOutcome::Status::interrupted}) {
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
