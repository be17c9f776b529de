#include "src/runner/peer.hpp"

#include "src/kit/schedule.hpp"

#include "src/kit/cpus.hpp"
#include "src/kit/histogram.hpp"
#include "src/kit/latency.hpp"
#include "src/kit/stopwatch.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/child.hpp"

#include "conclab_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include <unistd.h>

namespace conclab {

std::string_view peer_program(Model peer) noexcept { return peer == Model::go ? "conclab-peer-go" : "conclab-peer-rust"; }

std::vector<std::string> peer_directories() {
    // set, it is the one place: a test or a user picks the programs exactly
    if (char const* dir = std::getenv("CONCLAB_PEERS_DIR"); dir != nullptr && *dir != '\0') return {dir};
    std::vector<std::string> out{CONCLAB_PEERS_BUILD_DIR};
    std::error_code error;
    auto const self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) out.push_back((self.parent_path().parent_path() / "libexec" / "conclab").string());
    return out;
}

std::optional<std::string> peer_executable(Model peer) {
    if (!is_peer(peer)) return std::nullopt;
    for (auto const& dir : peer_directories()) {
        auto const path = std::filesystem::path{dir} / peer_program(peer);
        if (::access(path.c_str(), X_OK) == 0) return path.string();
    }
    return std::nullopt;
}

std::string peer_unavailable(Model peer) {
    if (peer_executable(peer)) return {};
    std::string where;
    for (auto const& dir : peer_directories()) where += (where.empty() ? "" : ", ") + dir;
    return std::string{token(peer)} + " is a real-" + (peer == Model::go ? "Go" : "Rust") + " peer that is not built here (" +
           std::string{peer_program(peer)} + " is in none of " + where +
           "); ./setup.sh peers installs Go and Rust from Debian's packages and builds it (docs/calibration.md)";
}

std::vector<ExtraMetric> const& peer_metrics() {
    static std::vector<ExtraMetric> const metrics{
        {"gc_cycles", "count", "", 1, true, false, false},
        {"gc_pause_total_s", "s", "", 1, true, false, false},
        {"gc_pause_max_us", "us", "", 1, true, false, false},
        {"gc_cpu_s", "s", "", 1, true, false, false},
        {"gc_cpu_share", "fraction", "", 1, true, false, false},
    };
    return metrics;
}

namespace {

using nlohmann::json;

// The peer's histogram in conclab's layout, with its exact extremes.
Histogram histogram_from(json const& h) {
    if (h.value("layout", std::string{}) != "hdr-2048-42") {
        throw std::invalid_argument{"latency_histogram has layout '" + h.value("layout", std::string{}) + "', expected hdr-2048-42"};
    }
    auto const min = h.at("min_ns").get<std::uint64_t>();
    auto const max = h.at("max_ns").get<std::uint64_t>();
    std::vector<std::pair<std::size_t, std::uint64_t>> counts;
    std::uint64_t total = 0;
    for (auto const& pair : h.at("counts")) {
        auto const index = pair.at(0).get<std::size_t>();
        auto const count = pair.at(1).get<std::uint64_t>();
        if (index >= histogram_layout::counts_length) throw std::invalid_argument{"latency_histogram has a counter out of range"};
        counts.emplace_back(index, count);
        total += count;
    }
    Histogram out;
    if (total == 0) return out;
    if (min > max || histogram_layout::index_of(min) != std::min_element(counts.begin(), counts.end())->first ||
        histogram_layout::index_of(max) != std::max_element(counts.begin(), counts.end())->first) {
        throw std::invalid_argument{"latency_histogram's min_ns and max_ns do not match its counters"};
    }
    // each value at its counter's lowest (within min..max); the maximum itself exactly
    for (auto [index, count] : counts) {
        if (index == histogram_layout::index_of(max) && count > 0) {
            out.record(max);
            --count;
        }
        out.record(std::clamp(histogram_layout::lowest_at(index), min, max), count);
    }
    return out;
}

// The contract's answer of a case. It can take seconds (a million jobs of
// work 1000 is 10^9 mixes), and every repetition of every peer of a case
// asks for the same one: answers without failed items are kept.
std::uint64_t reference_of(Scenario const& scenario, ParamValues const& params, std::span<std::uint64_t const> failed) {
    if (!failed.empty()) return scenario.reference(params, failed);
    static std::map<std::string, std::uint64_t> known;
    auto const key = scenario.name + " " + params_to_json(params).dump();
    if (auto const found = known.find(key); found != known.end()) return found->second;
    return known[key] = scenario.reference(params, failed);
}

CaseOutcome failed(CaseOutcome::Status status, std::string message) {
    CaseOutcome outcome;
    outcome.status = status;
    outcome.message = std::move(message);
    return outcome;
}

}  // namespace

CaseOutcome peer_outcome(Scenario const& scenario, CaseRequest const& request, std::string const& reply_text, double peak_rss_bytes) {
    auto const who = request.model.token();
    try {
        auto const reply = parse_bounded(reply_text);
        if (reply.is_discarded()) throw std::invalid_argument{"not JSON, or nested deeper than " + std::to_string(max_json_depth)};
        auto const status = reply.at("status").get<std::string>();
        if (status != "ok") {
            auto const kind = status == "wrong_answer" ? CaseOutcome::Status::wrong_answer : CaseOutcome::Status::error;
            return failed(kind, who + ": " + reply.value("error", std::string{"(no message)"}));
        }
        auto const& m = reply.at("metrics");
        // the fields a model's child prints, read as they are read for a model: metrics by key (null or
        // absent: none), and every other number as the scenario's own (errors_*, gc_cycles...)
        auto as_model = m;
        as_model["expected_checksum"] = m.at("checksum");  // the runner's own answer replaces it below
        as_model["latency_count"] = 0;
        as_model.erase("latency_spectrum_us");
        CaseMetrics metrics = metrics_from_json(as_model);
        if (!(metrics.wall_s > 0)) throw std::invalid_argument{"wall_s must be a positive number"};
        std::vector<std::uint64_t> failed_items;
        if (auto const f = m.find("failed_items"); f != m.end() && !f->is_null()) {
            for (auto const& item : *f) failed_items.push_back(count_from_json(item, "an item of failed_items"));
        }
        std::sort(failed_items.begin(), failed_items.end());
        if (std::adjacent_find(failed_items.begin(), failed_items.end()) != failed_items.end() ||
            (!failed_items.empty() && failed_items.back() >= metrics.items)) {
            throw std::invalid_argument{"failed_items names an item twice or one that does not exist"};
        }
        // a peer's items are all it booked, failed ones too; a model's, those done: the models' way from here
        metrics.items -= failed_items.size();
        metrics.items_failed = failed_items.size();
        // what the runner derives for every model, from what the peer measured
        auto const items = static_cast<double>(metrics.items);
        double const cpu = metrics.user_cpu_s + metrics.sys_cpu_s;
        metrics.throughput_per_s = items / metrics.wall_s;
        metrics.cpu_utilization = cpu / metrics.wall_s;
        metrics.cpu_per_thread = metrics.os_threads > 0 ? metrics.cpu_utilization / metrics.os_threads : no_value;
        metrics.items_per_cpu_s = cpu > 0 ? items / cpu : no_value;
        metrics.rss_growth_bytes = metrics.rss_run_peak_bytes - metrics.rss_baseline_bytes;
        metrics.peak_rss_bytes = peak_rss_bytes;
        metrics.machine_other_cores = no_value;
        metrics.rate_requested = metrics.rate_achieved = metrics.saturated = no_value;
        if (scenario.peers_open_loop) set_rates(arrivals_from(request.params), metrics);  // the peer paced the schedule itself
        set_tasks(metrics, metrics.tasks);
        metrics.latency_p50_us = metrics.latency_p90_us = metrics.latency_p99_us = metrics.latency_p999_us = metrics.latency_p9999_us =
            metrics.latency_max_us =
            no_value;
        if (auto const h = m.find("latency_histogram"); h != m.end()) {
            auto const histogram = histogram_from(*h);
            summarize_latencies(histogram, metrics);
            metrics.latency_count = histogram.count();
        }
        if (scenario.reference == nullptr) throw std::logic_error{scenario.name + " has no reference answer for peers"};
        metrics.expected_checksum = reference_of(scenario, request.params, failed_items);
        if (double const bad = extra_value(metrics, "errors_checksum"); bad > 0) {
            return failed(CaseOutcome::Status::wrong_answer,
                          who + ": " + std::to_string(static_cast<std::uint64_t>(bad)) + " bod(ies) differ from the contract's bytes");
        }
        if (metrics.checksum != metrics.expected_checksum) {
            return failed(CaseOutcome::Status::wrong_answer, who + " answered " + hex64(metrics.checksum) + ", the contract's answer is " +
                                                                 hex64(metrics.expected_checksum));
        }
        CaseOutcome outcome;
        outcome.status = CaseOutcome::Status::ok;
        outcome.metrics = std::move(metrics);
        return outcome;
    } catch (std::exception const& e) {
        return failed(CaseOutcome::Status::error, who + " wrote a malformed result: " + e.what());
    }
}

CaseOutcome run_peer(Scenario const& scenario, CaseRequest const& request, std::chrono::seconds timeout) {
    auto const executable = peer_executable(request.model.base);
    if (!executable) return failed(CaseOutcome::Status::error, peer_unavailable(request.model.base));
    auto const child = run_child({*executable, "__case", request_to_json(request).dump()}, timeout, request.options.cpus);
    if (child.reply.empty()) return child.failure;
    auto outcome = peer_outcome(scenario, request, child.reply, child.peak_rss_bytes);
    // the CPUs it was started on (a peer does not report its affinity): --cpus, or the runner's
    outcome.metrics.cpus_allowed = static_cast<double>(request.options.cpus.empty() ? usable_cpus().size() : request.options.cpus.size());
    return outcome;
}

}  // namespace conclab
