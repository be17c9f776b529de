// url-fetch's shared parts: the reference, the ledger, the measurement of a
// case, and the parameters the runner offers.
#include "scenarios/url_fetch/url_fetch.hpp"

#include "scenarios/common_params.hpp"
#include "scenarios/contract.hpp"
#include "scenarios/limits.hpp"
#include "scenarios/url_fetch/fixture.hpp"
#include "src/kit/latency.hpp"

#include <algorithm>
#include <cmath>


namespace conclab::url_fetch {
namespace {

using limits::fiber_stack_bytes;
using limits::physical_memory_bytes;

// Every run hashes each body once and the reference hashes it again: at
// about 1 ns a byte, more than this per run takes minutes.
constexpr std::uint64_t max_bytes_per_run = 64ULL << 30;

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param<Params>({"target", std::string{}, 0, 0,
                       "server that speaks the contract, http://HOST:PORT; none: start the embedded `conclab serve`", "all", {}},
                      [](Params&, ParamValue const&) {}),  // resolved by params_from, for a run only
        param(&Params::requests, {"requests", 3'000ULL, 1, 100'000'000, "items to fetch (N)", "all", {}}),
        param(&Params::concurrency, {"concurrency", 64ULL, 1, 1'000'000,
                                     "requests in flight at most (C): worker tasks, each on its own connection",
                                     "fibers, coroutines, threads", {}}),
        param(&Params::size, {"size", 1024ULL, 0, max_item_size, "body bytes per item (S)", "all", {}}),
        param<Params>({"delay_us", 1000ULL, 0, max_delay_us, "server delay per item: the fixed delay, or the mean of --delay-dist",
                       "all", {}},
                      [](Params& p, ParamValue const& v) { p.delay.mean_us = std::get<std::uint64_t>(v); }),
        param<Params>({"delay_dist", std::string{"fixed"}, 0, 0, "how delays vary by item (seeded by the item: every client sees the same)",
                       "all", {"fixed", "uniform", "exp", "lognormal"}},
                      [](Params& p, ParamValue const& v) { p.delay.distribution = *parse_distribution(std::get<std::string>(v)); }),
        param<Params>({"delay_seed", 0ULL, 0, UINT64_MAX, "seed of the per-item delays", "all", {}},
                      [](Params& p, ParamValue const& v) { p.delay.seed = std::get<std::uint64_t>(v); }),
        param<Params>({"timeout_ms", 5000ULL, 1, 600'000, "per request, from connect to the last body byte; then it is a timeout error",
                       "all", {}},
                      [](Params& p, ParamValue const& v) { p.timeout = std::chrono::milliseconds{std::get<std::uint64_t>(v)}; }),
        param<Params>({"keepalive", std::string{"on"}, 0, 0, "reuse each connection (on) or open one per request (off)", "all",
                       {"on", "off"}},
                      [](Params& p, ParamValue const& v) { p.keepalive = std::get<std::string>(v) == "on"; }),
        open_loop_param(&Params::arrivals),
        param(&Params::threads, runtime_threads_param("fibers, coroutines, tbb (= requests in flight)")),
        offered<Params>({"server_threads", std::uint64_t{hardware_threads()}, 1, 1024,
                         "threads of the embedded server (default: hardware concurrency)", "the embedded server (no --target)", {}}),
    };
    return table;
}

// The parameters without the target's resolution: what checks and counts need.
Params unresolved(ParamValues const& v) { return read_params(params_table(), v); }

Params params_from(ParamValues const& v, CaseOptions const& options = {}) {
    auto const& target = get_text(v, "target");
    if (target.empty()) throw std::invalid_argument{"url-fetch needs a target: the runner's fixture provides one"};
    auto p = unresolved(v);
    p.target = resolve_url(target);
    if (v.count("server_pid") != 0) p.server_pid = static_cast<int>(get(v, "server_pid"));  // the fixture's, not a parameter
    p.record_latency = options.record_latency;
    return p;
}

std::string validate(ParamValues const& values, std::span<Model const> models) {
    auto const p = unresolved(values);
    auto const requests = p.requests;
    auto const concurrency = p.concurrency;
    auto const size = p.size;
    auto const in_flight = std::min(requests, concurrency);
    for (Model model : models) {
        if (model == Model::threads) {
            if (auto problem = limits::os_threads_refusal("concurrency", in_flight); !problem.empty()) return problem;
        }
        if (model == Model::fibers && in_flight * fiber_stack_bytes > physical_memory_bytes() / 2) {
            return "concurrency=" + std::to_string(in_flight) + " fibers need more than half this machine's memory in 128 KiB "
                   "stacks; lower --concurrency or leave fibers out of --models";
        }
    }
    if (auto problem = validate_open_loop(values, requests); !problem.empty()) return problem;
    // the embedded server runs under the same limit and takes as many sockets again, in its own process
    if (auto const files = limits::open_file_limit(); in_flight > limits::sockets_that_fit(files)) {
        return "concurrency=" + std::to_string(in_flight) + " needs that many sockets, but this process may open only " +
               std::to_string(files) + " files (ulimit -n), " + std::to_string(limits::reserved_files) +
               " of them for itself: at most " + std::to_string(limits::sockets_that_fit(files)) +
               " fit; lower --concurrency or raise the limit";
    }
    if (in_flight * size > physical_memory_bytes() / 2) {
        return "concurrency x size = " + std::to_string(in_flight) + " x " + std::to_string(size) +
               " bytes of bodies in memory at once is more than half this machine's memory; lower --concurrency or --size";
    }
    if (size > 0 && requests > max_bytes_per_run / size) {
        return "requests x size = " + std::to_string(requests) + " x " + std::to_string(size) +
               " bytes is more than 64 GiB per run (minutes of hashing); lower --requests or --size";
    }
    if (auto const& target = get_text(values, "target"); !target.empty()) {
        try {
            resolve_url(target);
        } catch (std::invalid_argument const& e) {
            return e.what();
        }
    }
    return {};
}

}  // namespace

Reference::Reference(Params const& p) : checksums_(p.requests) {
    for (std::uint64_t i = 0; i < p.requests; ++i) checksums_[i] = contract::item_checksum(i, p.size);
}

Ledger::Ledger(Reference const& reference, Schedule const& schedule, bool record_latency)
    : reference_{reference},
      seen_{reference.items()},
      fault_of_{std::make_unique<std::atomic<std::uint8_t>[]>(reference.items())},
      latencies_{record_latency},
      pacer_{schedule} {}

std::uint64_t Ledger::record(Fetched const& fetched) noexcept {
    if (!seen_.book(fetched.index)) return 0;
    fault_of_[fetched.index].store(static_cast<std::uint8_t>(fetched.fault), std::memory_order_relaxed);
    if (fetched.fault != Fault::none) {
        auto const kind = static_cast<std::size_t>(fetched.fault);
        if (faults_[kind].fetch_add(1, std::memory_order_relaxed) == 0) {
            std::lock_guard lock{first_mutex_};
            first_[kind] = "item " + std::to_string(fetched.index) + ": " + fetched.detail;
        }
        return 0;
    }
    latencies_.record(Clock::now() - fetched.started);
    fetched_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(fetched.bytes, std::memory_order_relaxed);
    return fetched.checksum;
}

std::string Ledger::problems() const { return seen_.problems("item", "requested"); }

std::uint64_t Ledger::failed() const noexcept {
    std::uint64_t total = 0;
    for (auto const& count : faults_) total += count.load();
    return total;
}

std::uint64_t Ledger::expected_checksum() const noexcept {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < reference_.items(); ++i) {
        if (seen_.times(i) == 1 && fault_of_[i].load() == static_cast<std::uint8_t>(Fault::none)) sum += reference_.checksum(i);
    }
    return sum;
}

std::string Ledger::fault_summary() const {
    std::string out;
    std::lock_guard lock{first_mutex_};
    for (Fault kind : fault_kinds) {
        auto const count = faults(kind);
        if (count == 0) continue;
        out += (out.empty() ? "" : "; ") + std::to_string(count) + " " + std::string{to_string(kind)} + " (first: " +
               first_[static_cast<std::size_t>(kind)] + ")";
    }
    return out;
}

RequestPlan request_plan(Params const& p) noexcept {
    return RequestPlan{.target = &p.target, .size = p.size, .timeout = p.timeout, .keepalive = p.keepalive};
}

std::uint64_t fetch(BlockingConnection& connection, std::uint64_t index, Clock::time_point due, Params const& p, Ledger& ledger) {
    return ledger.record(connection.fetch(index, item_delay_us(p.delay, index), ledger.reference().checksum(index), due));
}

std::uint64_t workers(Params const& p) noexcept { return std::max<std::uint64_t>(1, std::min(p.concurrency, p.requests)); }

CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once) {
    Reference const reference{p};
    // returns the reference sum over the items fetched (one pass over the ledger)
    auto const verify = [&](std::uint64_t checksum, Ledger const& ledger) {
        if (auto problems = ledger.problems(); !problems.empty()) throw WrongAnswer{problems};
        if (ledger.faults(Fault::checksum) > 0) {
            throw WrongAnswer{std::to_string(ledger.faults(Fault::checksum)) + " bod(ies) differ from the contract's bytes: " +
                              ledger.fault_summary()};
        }
        auto const expected = ledger.expected_checksum();
        if (checksum != expected) {
            throw WrongAnswer{"checksum " + hex64(checksum) + " differs from the reference " + hex64(expected) + " over the " +
                              std::to_string(ledger.fetched()) + " items fetched"};
        }
        return expected;
    };
    Schedule const schedule{p.arrivals, p.requests};
    for (unsigned i = 0; i < warmup; ++i) {
        Ledger ledger{reference, schedule, p.record_latency};
        ledger.start();
        verify(once(ledger), ledger);
    }
    Ledger ledger{reference, schedule, p.record_latency};
    CaseMetrics metrics;
    double const server_before = process_cpu_seconds(p.server_pid);
    Stopwatch stopwatch;
    ledger.start();
    auto const checksum = once(ledger);
    stopwatch.stop(ledger.fetched(), metrics);
    set_rates(p.arrivals, metrics);
    double const server_cpu = process_cpu_seconds(p.server_pid) - server_before;
    metrics.expected_checksum = verify(checksum, ledger);
    metrics.checksum = checksum;
    metrics.items_failed = ledger.failed();
    summarize_latencies(ledger.latencies().merged(), metrics);
    auto& extra = metrics.extra;
    extra["requests"] = static_cast<double>(p.requests);
    extra["errors"] = static_cast<double>(ledger.failed());
    for (Fault kind : fault_kinds) {
        if (kind != Fault::none) extra["errors_" + std::string{to_string(kind)}] = static_cast<double>(ledger.faults(kind));
    }
    extra["body_bytes"] = static_cast<double>(ledger.bytes());
    extra["bytes_per_s"] = metrics.wall_s > 0 ? static_cast<double>(ledger.bytes()) / metrics.wall_s : 0;
    extra["connections_opened"] = static_cast<double>(ledger.connections());
    extra["server_cpu_s"] = server_cpu;
    // the embedded server is part of the experiment, not outside load
    if (std::isfinite(server_cpu) && metrics.wall_s > 0) metrics.machine_other_cores -= server_cpu / metrics.wall_s;
    if (ledger.failed() > 0) {
        std::fprintf(stderr, "url-fetch: %llu request(s) failed: %s\n", static_cast<unsigned long long>(ledger.failed()),
                     ledger.fault_summary().c_str());
    }
    return metrics;
}

Params Spec::params_from(ParamValues const& values, CaseOptions const& options) { return url_fetch::params_from(values, options); }

CaseMetrics Spec::measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once) {
    auto metrics = url_fetch::measure(p, warmup, once);
    // the tasks alive at once: the requests in flight; in tbb, the arena's threads
    set_tasks(metrics, static_cast<double>(model == Model::tbb ? p.threads : workers(p)));
    return metrics;
}

namespace {
// The sum of the body checksums of items 0..requests-1 but the failed ones
// (sorted): what a client that fetched the others must answer.
std::uint64_t reference_sum(ParamValues const& values, std::span<std::uint64_t const> failed) {
    auto const p = unresolved(values);
    auto const requests = p.requests;
    auto const size = p.size;
    std::uint64_t sum = 0;
    auto next_failed = failed.begin();
    for (std::uint64_t i = 0; i < requests; ++i) {
        if (next_failed != failed.end() && *next_failed == i) {
            ++next_failed;
            continue;
        }
        sum += contract::item_checksum(i, size);
    }
    return sum;
}
}  // namespace

Scenario Spec::describe() {
    return [] {
        Scenario s{
        .name = name,
        .summary = "HTTP GET /item/0 .. /item/N-1 from a server with latency, at most C in flight; bodies checked",
        .unit = "requests",
        .params = specs_of(params_table()),
        .metrics =
            {
                {"requests", "count", "", 1, false, false, false},
                {"errors", "count", "errors", 1, false, true, false},
                {"errors_connect", "count", "", 1, true, false, false},
                {"errors_timeout", "count", "", 1, true, false, false},
                {"errors_http_status", "count", "", 1, true, false, false},
                {"errors_short_body", "count", "", 1, true, false, false},
                {"errors_protocol", "count", "", 1, true, false, false},
                {"errors_checksum", "count", "", 1, true, false, false},
                {"body_bytes", "bytes", "", 1, false, false, false},
                {"bytes_per_s", "bytes/s", "MB/s", 1e-6, false, false, true},
                {"connections_opened", "count", "conns", 1, false, false, false},
                {"server_cpu_s", "s", "server CPU", 1, false, false, true},
            },
        .validate = validate,
        .setup = setup_fixture,
        .models = {},
        .reference = reference_sum,
        .items = [](ParamValues const& values) { return unresolved(values).requests; },
        .small = {{"requests", 60ULL}, {"concurrency", 4ULL}, {"delay_us", 200ULL}, {"timeout_ms", 5000ULL}, {"threads", 2ULL}},
        // a fixed delay per item, at most `concurrency` requests waiting at once (tbb and rayon: `threads`)
        .least_wall_s = [](ParamValues const& values) {
            auto const p = unresolved(values);
            if (p.delay.distribution != DelayConfig::Distribution::fixed) return 0.0;
            auto const at_once = std::max<std::uint64_t>(p.concurrency, p.threads);
            return static_cast<double>(p.requests / at_once * p.delay.mean_us) * 1e-6;
        },
        };
        return s;
    }();
}

}  // namespace conclab::url_fetch
