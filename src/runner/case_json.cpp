#include "src/runner/case_json.hpp"

#include "src/kit/params.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (!m.latency_timeline_us.empty()) {
        auto worst = nlohmann::json::array();
        for (double us : m.latency_timeline_us) worst.push_back(number_or_null(us));
        json["latency_timeline"] = {{"window_s", m.timeline_window_s}, {"worst_us", std::move(worst)}};
    }
    return json;
}

std::uint64_t count_from_json(nlohmann::json const& value, std::string_view name) {
    // nlohmann converts -1 to 2^64-1 and 1.5 to 1 without a word: a count is a whole number >= 0, or refused
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(value.get<std::int64_t>());
    if (value.is_number_float()) {
        double const d = value.get<double>();
        if (d >= 0 && d < 9007199254740992.0 && d == std::floor(d)) return static_cast<std::uint64_t>(d);
    }
    throw std::invalid_argument{std::string{name} + " must be a whole number >= 0, not " + value.dump()};
}

unsigned repetition_from_json(nlohmann::json const& value) {
    auto const repetition = count_from_json(value, "repetition");
    if (repetition >= 1'000'000) throw std::invalid_argument{"repetition " + value.dump() + " is beyond any sweep's"};
    return static_cast<unsigned>(repetition);
}

CaseMetrics metrics_from_json(nlohmann::json const& json) {
    CaseMetrics m;
    m.checksum = std::stoull(json.at("checksum").get<std::string>(), nullptr, 16);
    m.expected_checksum = std::stoull(json.at("expected_checksum").get<std::string>(), nullptr, 16);
    m.items = count_from_json(json.at("items"), "items");
    m.latency_count = count_from_json(json.at("latency_count"), "latency_count");
    // files from before 2026-12-02 have no items_failed: their url-fetch runs counted failures in "errors"
    if (auto const failed = json.find("items_failed"); failed != json.end()) {
        m.items_failed = count_from_json(*failed, "items_failed");
    } else if (auto const errors = json.find("errors"); errors != json.end() && errors->is_number()) {
        m.items_failed = static_cast<std::uint64_t>(errors->get<double>());
    }
    std::set<std::string> known{"checksum",      "expected_checksum", "verified",           "items",
                                "items_failed", "latency_count",     "latency_spectrum_us", "latency_timeline"};
    if (json.contains("latency_spectrum_us")) {
        for (auto const& point : json.at("latency_spectrum_us")) {
            m.latency_spectrum_us.emplace_back(point.at(0).get<double>(), point.at(1).get<double>());
        }
    }
    if (auto const timeline = json.find("latency_timeline"); timeline != json.end() && !timeline->is_null()) {
        auto const window = timeline->at("window_s").get<double>();
        if (!(window > 0) || !std::isfinite(window)) throw std::invalid_argument{"latency_timeline's window_s must be a positive number of seconds"};
        m.timeline_window_s = window;
        for (auto const& worst : timeline->at("worst_us")) {
            double const us = worst.is_null() ? no_value : worst.get<double>();
            if (us < 0 || std::isinf(us)) throw std::invalid_argument{"latency_timeline holds a latency that is not a time: " + worst.dump()};
            m.latency_timeline_us.push_back(us);
        }
    }
    for (auto const& metric : metric_list()) {
        // a file from an earlier conclab may lack a metric added since: no value
        auto const it = json.find(std::string{metric.key});
        m.*metric.field = it == json.end() || it->is_null() ? no_value : it->get<double>();
        known.emplace(metric.key);
    }
    // times, rates, latencies, memory and counts cannot be negative (growths and differences can: not checked)
    static constexpr std::string_view never_negative[] = {
        "wall_s", "throughput_per_s", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p999_us", "latency_p9999_us",
        "latency_max_us", "peak_rss_bytes", "user_cpu_s", "sys_cpu_s", "cpu_utilization", "voluntary_ctx_switches", "involuntary_ctx_switches",
        "os_threads", "items_per_cpu_s", "rss_baseline_bytes", "rss_run_peak_bytes", "heap_allocations", "tasks",
        "rate_requested", "rate_achieved"};
    for (auto const& metric : metric_list()) {
        double const value = m.*metric.field;
        bool const listed = std::find(std::begin(never_negative), std::end(never_negative), metric.key) != std::end(never_negative);
        if (std::isinf(value) || (listed && value < 0) || (metric.key == "wall_s" && value == 0)) {
            throw std::invalid_argument{std::string{metric.key} + " " + json.at(std::string{metric.key}).dump() +
                                        (metric.key == "wall_s" ? " is not a positive time" : " cannot be negative")};
        }
    }
    // the rest are the scenario's own metrics
    for (auto const& [key, value] : json.items()) {
        if (known.count(key) == 0 && (value.is_number() || value.is_null())) {
            m.extra[key] = value.is_null() ? no_value : value.get<double>();
        }
    }
    return m;
}

std::string read_results_text(std::string const& path) {
    // a FIFO would hang the reader and /dev/zero would grow it without end: results are regular files
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) throw UsageError{path + ": cannot be read (" + std::strerror(errno) + ")"};
    if (!S_ISREG(st.st_mode)) {
        throw UsageError{path + " is " + (S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or special file") +
                         "; expected a conclab results or sweep file (a regular file)"};
    }
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw UsageError{path + ": cannot be read (" + std::strerror(errno) + ")"};
    struct stat opened{};
    if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {  // swapped for something else since the stat
        ::close(fd);
        throw UsageError{path + " is not a regular file; expected a conclab results or sweep file"};
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(opened.st_size));
    char buffer[1 << 16];
    for (;;) {
        auto const n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            auto const reason = std::strerror(errno);
            ::close(fd);
            throw UsageError{path + ": cannot be read (" + reason + ")"};
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

nlohmann::json parse_bounded(std::string_view text, std::size_t max_bytes) {
    if (text.size() > max_bytes) return nlohmann::json(nlohmann::json::value_t::discarded);
    // nesting depth, counted outside strings: comparing or printing a value recurses once per level
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char const c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_json_depth) return nlohmann::json(nlohmann::json::value_t::discarded);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return nlohmann::json::parse(text, nullptr, false);
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
