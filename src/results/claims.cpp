#include "src/results/claims.hpp"

#include "src/kit/model.hpp"
#include "src/kit/params.hpp"
#include "src/kit/units.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

namespace conclab {
namespace {


/// One model's median of a metric over a case's verified runs.
struct Cell {
    std::string model;
    Spread spread;
};

/// The runs of one combination that matches a selector, per model.
struct Found {
    ParamValues params;
    std::vector<CaseRuns const*> cases;      ///< the default models and the peers, no variants, in model order
    std::vector<std::string> left_out;        ///< models refused there, with why
    std::vector<Cell> cells(std::function<double(CaseMetrics const&)> const& metric) const {
        std::vector<Cell> out;
        for (auto const* c : cases) {
            std::vector<double> values;
            for (auto const& run : c->runs) values.push_back(metric(run));
            auto spread = summarize(values);
            if (spread.n > 0) out.push_back({token(c->model), spread});
        }
        return out;
    }
};

using Selector = std::vector<std::pair<std::string, ParamValue>>;

bool matches(ParamValues const& params, Selector const& selector) {
    return std::all_of(selector.begin(), selector.end(), [&](auto const& want) {
        auto const it = params.find(want.first);
        return it != params.end() && it->second == want.second;
    });
}

// The first combination of `scenario` (in the file's order) whose parameters include the selector's.
std::optional<Found> find(ResultsFile const& results, std::string const& scenario, Selector const& selector) {
    std::optional<Found> found;
    for (auto const& c : results.cases) {
        if (c.scenario != scenario || c.model.is_variant() || c.runs.empty() || !matches(c.params, selector)) continue;
        if (!found) found = Found{.params = c.params, .cases = {}, .left_out = {}};
        if (c.params == found->params) found->cases.push_back(&c);
    }
    if (!found) return found;
    std::sort(found->cases.begin(), found->cases.end(), [](auto const* a, auto const* b) { return a->model < b->model; });
    for (auto const& l : results.left_out) {
        if (l.scenario == scenario && l.params == found->params) found->left_out.push_back(l.model + " (" + l.reason + ")");
    }
    return found;
}

// The parameters of the first unverified case of `scenario` that matches the selector.
ParamValues unverified_params(ResultsFile const& results, std::string const& scenario, Selector const& selector) {
    for (auto const& u : results.unverified) {
        if (u.scenario == scenario && matches(u.params, selector)) return u.params;
    }
    return {};
}

std::string evidence_of(std::string const& scenario, ParamValues const& params, Selector const& selector) {
    std::string out = scenario;
    for (auto const& [name, value] : selector) out += " " + name + "=" + to_text(value);
    // the parameters that were not asked for but shape the result
    for (auto const& name : {"entries", "rate", "jobs", "stack_kb", "threads", "workers", "wait_ms", "wait_us", "delay_us"}) {
        auto const it = params.find(name);
        if (it == params.end() || std::any_of(selector.begin(), selector.end(), [&](auto const& s) { return s.first == name; })) continue;
        out += std::string{" "} + name + "=" + to_text(it->second);
    }
    return out;
}

ClaimAnswer missing(ClaimAnswer a, std::string const& what);

// Finds the claim's case and names it in a.evidence ("SCENARIO params: what"); nullopt, with `a`
// saying what is missing and which step runs it, when the results lack the case.
std::optional<Found> evidence(ClaimAnswer& a, ResultsFile const& results, std::string const& scenario, Selector const& selector,
                              std::string const& what) {
    auto found = find(results, scenario, selector);
    // runs with failed items are no result: a claim is never judged on them, nor on the models that passed beside them
    std::string unverified;
    for (auto const& u : results.unverified) {
        if (u.scenario == scenario && !u.model.is_variant() && matches(u.params, selector) && (!found || u.params == found->params)) {
            unverified += (unverified.empty() ? "" : ", ") + std::string{token(u.model)};
        }
    }
    if (!unverified.empty()) {
        a.evidence = evidence_of(scenario, found ? found->params : unverified_params(results, scenario, selector), selector) + ": " + what;
        a.measured = "not judged: " + unverified + " had runs with failed items (not verified), which are no result";
        a.verdict = "cannot decide here: measure the case again where every run verifies (" + a.command + ")";
        a.answered = false;
        a.not_judged = true;
        return std::nullopt;
    }
    if (!found) {
        std::string wanted = scenario;
        for (auto const& [name, value] : selector) wanted += " " + name + "=" + to_text(value);
        a = missing(a, wanted + ": " + what);
        return found;
    }
    a.evidence = evidence_of(scenario, found->params, selector) + ": " + what;
    for (auto const* c : found->cases) {
        if (auto const median = other_cores_median(c->runs); std::isfinite(median)) a.other_cores = std::max(a.other_cores, median);
    }
    return found;
}

std::string list(std::vector<Cell> const& cells, std::string (*format)(double)) {
    std::string out;
    for (auto const& c : cells) out += (out.empty() ? "" : ", ") + c.model + " " + format(c.spread.median);
    return out;
}

Cell const* model_cell(std::vector<Cell> const& cells, std::string_view model) {
    auto const it = std::find_if(cells.begin(), cells.end(), [&](Cell const& c) { return c.model == model; });
    return it == cells.end() ? nullptr : &*it;
}

// The highest median first.
std::vector<Cell> ranked(std::vector<Cell> cells) {
    std::stable_sort(cells.begin(), cells.end(), [](Cell const& a, Cell const& b) { return a.spread.median > b.spread.median; });
    return cells;
}

std::string runs_caveat(std::vector<Cell> const& cells) {
    if (cells.empty()) return {};
    std::size_t fewest = SIZE_MAX, most = 0;
    for (auto const& c : cells) {
        fewest = std::min(fewest, c.spread.n);
        most = std::max(most, c.spread.n);
    }
    auto const runs = fewest == most ? std::to_string(fewest) : std::to_string(fewest) + " to " + std::to_string(most);
    return "medians of " + runs + (most == 1 ? " run" : " runs") + " each";
}

// Does the leader's interval of the median clear the runner-up's? (with 3 runs, the interval is min..max)
std::string separation(Cell const& first, Cell const& second) {
    return overlap(first.spread, second.spread) ? "their run-to-run intervals overlap: not told apart here"
                                                : "their intervals do not overlap";
}

using Answer = std::function<ClaimAnswer(ResultsFile const&)>;

ClaimAnswer missing(ClaimAnswer a, std::string const& what) {
    a.measured = "not in these results: " + what;
    a.verdict = "not answered: run " + a.command;
    a.answered = false;
    return a;
}

double p999(CaseMetrics const& m) { return m.latency_p999_us; }
double per_task(CaseMetrics const& m) { return m.bytes_per_task; }
double throughput(CaseMetrics const& m) { return m.throughput_per_s; }
double spawn_s(CaseMetrics const& m) {
    auto const it = m.extra.find("spawn_s");
    return it == m.extra.end() ? no_value : it->second;
}
std::string per_second(double value) { return human_count(value) + "/s"; }

// Go's collector in these runs, in words: cycles, the longest pause, its share of the CPU.
std::string collector_of(Found const& found) {
    auto const go_cells = [&](char const* key) {
        auto const cells = found.cells([key](CaseMetrics const& m) { return extra_value(m, key); });
        auto const* go = model_cell(cells, "go");
        return go == nullptr ? no_value : go->spread.median;
    };
    auto const cycles = go_cells("gc_cycles");
    if (!std::isfinite(cycles)) return {};
    return "Go's collector: " + printed("%.0f", cycles) + " cycle(s) in the measured run, longest pause " + human_us(go_cells("gc_pause_max_us")) +
           ", " + printed("%.0f", 100 * go_cells("gc_cpu_share")) + "% of its CPU";
}

ClaimAnswer gc_large_heap(ResultsFile const& results) {
    ClaimAnswer a{.claim = "A large live heap: Go's collector makes latency spikes a Rust service does not have (Discord's Read States)",
                  .evidence = {}, .command = "conclab sweep --preset workshop-cache-service", .measured = {}, .verdict = {}};
    Selector const selector{{"gogc", 100ULL}, {"gomemlimit_mb", 0ULL}};
    auto const found = evidence(a, results, "cache-service", selector, "p99.9 and worst latency, open loop, the cache filled first");
    if (!found) return a;
    auto const tails = found->cells(p999);
    auto const worst = found->cells([](CaseMetrics const& m) { return m.latency_max_us; });
    a.measured = "p99.9: " + list(tails, human_us) + "; max: " + list(worst, human_us);
    auto const collector = collector_of(*found);
    if (!collector.empty()) a.measured += "; " + collector;
    a.answered = true;
    auto const* go = model_cell(tails, "go");
    auto const* tokio = model_cell(tails, "tokio");
    if (go == nullptr || tokio == nullptr) {
        a.verdict = "Go and Rust themselves are not in these results (./setup.sh peers, then --models with go,tokio); the C++ "
                    "models have no collector, and their tails above are this service's without one (" + runs_caveat(tails) + ")";
        return a;
    }
    auto const both = "Go " + human_us(go->spread.median) + ", Tokio " + human_us(tokio->spread.median);
    if (std::min(go->spread.n, tokio->spread.n) < 3) {
        a.verdict = "Cannot decide here: " + runs_caveat(tails) + ", too few to tell medians apart; run it with --repeat 5 or more";
        return a;
    }
    if (auto const cycles = found->cells([](CaseMetrics const& m) { return extra_value(m, "gc_cycles"); });
        model_cell(cycles, "go") != nullptr && model_cell(cycles, "go")->spread.median == 0) {
        a.verdict = "Cannot decide here: Go did not collect during the measured runs (" + both +
                    "); a larger heap, a higher rate, more requests or a lower --gogc make it collect";
        return a;
    }
    if (overlap(go->spread, tokio->spread)) {
        a.verdict = "Cannot decide here: " + both + ", and " + separation(*go, *tokio) + " (" + runs_caveat(tails) +
                    "); more runs (--repeat 9) may separate them";
        return a;
    }
    auto const ratio = go->spread.median / tokio->spread.median;
    // the C++ models serve the same requests from the same cache without a collector: their range beside
    double low = no_value, high = no_value;
    for (auto const& c : tails) {
        if (auto const model = parse_model(c.model); !model || is_peer(*model)) continue;
        low = std::isnan(low) ? c.spread.median : std::min(low, c.spread.median);
        high = std::isnan(high) ? c.spread.median : std::max(high, c.spread.median);
    }
    auto const cpp = std::isnan(low) ? std::string{} : "; the C++ models, no collector either, " + human_us(low) + " to " + human_us(high);
    a.verdict = (ratio > 1 ? "Holds here: Go's tail is " + three_significant(ratio) + "x Tokio's (" + both + ")"
                           : "Contradicted here: Tokio's tail is the longer, " + three_significant(1 / ratio) + "x (" + both + ")") +
                cpp + "; " + runs_caveat(tails) + ", same rate and heap; " + separation(*go, *tokio) +
                "; the timeline in `conclab report` shows where the spikes fall";
    return a;
}

ClaimAnswer memory_footprint(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Go uses 2-5x more memory than Rust for the same data", .evidence = {},
                  .command = "conclab sweep --preset workshop-cache-service", .measured = {}, .verdict = {}};
    Selector const selector{{"gogc", 100ULL}, {"gomemlimit_mb", 0ULL}};
    auto const found = evidence(a, results, "cache-service", selector, "RSS per byte of live records (peak RSS less the empty process)");
    if (!found) return a;
    auto const per_byte = found->cells([](CaseMetrics const& m) { return extra_value(m, "rss_per_cached_byte"); });
    a.measured = list(per_byte, [](double v) { return three_significant(v) + "x"; });
    a.answered = true;
    auto const* go = model_cell(per_byte, "go");
    auto const* rust = model_cell(per_byte, "tokio");
    if (rust == nullptr) rust = model_cell(per_byte, "rust-threads");
    if (go == nullptr || rust == nullptr) {
        a.verdict = "Go and Rust themselves are not in these results (./setup.sh peers, then --models with go,tokio); the C++ "
                    "models above hold the same records without a collector (" + runs_caveat(per_byte) + ")";
        return a;
    }
    auto const both = "Go " + three_significant(go->spread.median) + "x, " + rust->model + " " + three_significant(rust->spread.median) +
                      "x the live data";
    if (overlap(go->spread, rust->spread)) {
        a.verdict = "Cannot decide here: " + both + ", and " + separation(*go, *rust) + " (" + runs_caveat(per_byte) + ")";
        return a;
    }
    auto const ratio = go->spread.median / rust->spread.median;
    std::string verdict = ratio >= 2 && ratio <= 5 ? "Holds here" : ratio > 5 ? "More than claimed here" : ratio > 1 ? "Less than claimed here"
                                                                                                                   : "Contradicted here";
    a.verdict = verdict + ": Go's process holds " + three_significant(ratio) + "x " + rust->model + "'s memory per cached byte (" + both +
                "); at GOGC=100 the heap may grow to twice the live data before a collection (--gogc, --gomemlimit-mb move it); " +
                runs_caveat(per_byte);
    return a;
}

ClaimAnswer gc_tail(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Go's garbage collector introduces latency spikes; Rust has no GC tail (p99.9 under 1 ms), on a small heap",
                  .evidence = {}, .command = "conclab sweep --preset workshop-worker-pool", .measured = {}, .verdict = {}};
    Selector const selector{{"alloc_bytes", 1024ULL}};
    auto const found = evidence(a, results, "worker-pool", selector, "p99.9 job latency");
    if (!found) return a;
    auto const cells = found->cells(p999);
    a.measured = list(cells, human_us);
    a.answered = true;
    auto const* go = model_cell(cells, "go");
    auto const* tokio = model_cell(cells, "tokio");
    auto const under = [](Cell const* c) { return c->spread.median < 1000; };
    if (go == nullptr || tokio == nullptr) {
        a.verdict = "Go and Rust themselves are not in these results (./setup.sh peers, then --models with go,tokio); the four C++ "
                    "models have no GC, and their tails above are what a GC-free runtime gives on this machine (" +
                    runs_caveat(cells) + ")";
        return a;
    }
    auto const both = "Go " + human_us(go->spread.median) + ", Tokio " + human_us(tokio->spread.median);
    bool const apart = !overlap(go->spread, tokio->spread);
    std::string verdict;
    if (apart && go->spread.median > tokio->spread.median) {
        verdict = std::string{!under(go) && under(tokio) ? "Holds here" : "Go's tail is the longer here"} + " (" + both + ", " +
                  three_significant(go->spread.median / tokio->spread.median) + "x)";
    } else if (apart) {
        verdict = "Contradicted here: Tokio's tail is the longer (" + both + ", " + three_significant(tokio->spread.median / go->spread.median) + "x)";
    } else {
        verdict = "Not told apart here (" + both + ")";
    }
    verdict += under(go) && under(tokio) ? "; both under 1 ms" : !under(go) && !under(tokio) ? "; neither under 1 ms" : "";
    a.verdict = verdict + "; " + runs_caveat(cells) + ", a closed loop on this machine's cores: the tail is queueing as well as pauses; "
                          "a heap of a few MB, the contrast to cache-service's large one";
    return a;
}

ClaimAnswer goroutines_2kb(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Goroutines are cheap: about 2 KB each", .evidence = {}, .command = "conclab sweep --preset workshop-idle-tasks",
                  .measured = {}, .verdict = {}};
    Selector const selector{{"tasks", 100'000ULL}};
    auto const found = evidence(a, results, "idle-tasks", selector, "memory per waiting task (RSS growth / tasks)");
    if (!found) return a;
    auto const cells = found->cells(per_task);
    a.measured = list(cells, human_bytes_per_task);
    a.answered = true;
    auto const* go = model_cell(cells, "go");
    auto const* fibers = model_cell(cells, "fibers");
    std::string verdict;
    if (go != nullptr) {
        auto const kb = go->spread.median / 1000;
        verdict = std::string{kb <= 4 ? "Holds" : "Does not hold"} + " for Go: " + human_bytes(go->spread.median) +
                  " per goroutine (its stack starts at 2 KB and the runtime adds its bookkeeping)";
    } else {
        verdict = "Go itself is not in these results (./setup.sh peers, --models with go)";
    }
    if (fibers != nullptr) {
        auto const stack = found->params.find("stack_kb");
        verdict += "; a fiber costs " + human_bytes(fibers->spread.median) + " here, its fixed stack" +
                   (stack == found->params.end() ? std::string{} : " of " + to_text(stack->second) + " KiB") +
                   " touched only as deep as it ran (Go's stacks grow, fibers' do not)";
    }
    a.verdict = verdict + "; " + runs_caveat(cells);
    return a;
}

ClaimAnswer async_cheap(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Async tasks are state machines that cost almost nothing", .evidence = {},
                  .command = "conclab sweep --preset workshop-idle-tasks", .measured = {}, .verdict = {}};
    Selector const selector{{"tasks", 100'000ULL}};
    auto const found = evidence(a, results, "idle-tasks", selector, "memory per waiting task");
    if (!found) return a;
    auto const cells = found->cells(per_task);
    a.measured = list(cells, human_bytes_per_task);
    a.answered = true;
    auto const* coroutines = model_cell(cells, "coroutines");
    auto const* tokio = model_cell(cells, "tokio");
    auto const* fibers = model_cell(cells, "fibers");
    std::string verdict;
    for (auto const* c : {coroutines, tokio}) {
        if (c == nullptr) continue;
        if (!verdict.empty()) verdict += "; ";
        verdict += c->model + " " + human_bytes(c->spread.median) + " per task" +
                   (fibers != nullptr && c->spread.median > 0 ? ", " + three_significant(fibers->spread.median / c->spread.median) + "x less than a fiber" : "");
    }
    if (verdict.empty()) return missing(a, "coroutines or tokio at " + a.evidence);
    auto const cheapest = std::min(coroutines != nullptr ? coroutines->spread.median : INFINITY, tokio != nullptr ? tokio->spread.median : INFINITY);
    a.verdict = std::string{cheapest < 1024 ? "Holds, as far as a few hundred bytes is almost nothing: " : "Cheap, not nothing: "} + verdict +
                " (the frame, the timer and the allocator's share); " + runs_caveat(cells);
    return a;
}

ClaimAnswer tokio_peak(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Tokio has the best peak throughput", .evidence = {}, .command = "conclab sweep --preset workshop-url-fetch",
                  .measured = {}, .verdict = {}};
    Selector const selector{{"concurrency", 64ULL}};
    auto const found = evidence(a, results, "url-fetch", selector, "requests per second");
    if (!found) return a;
    auto const cells = ranked(found->cells(throughput));
    a.measured = list(cells, per_second);
    a.answered = true;
    if (cells.size() < 2) return missing(a, "two models at " + a.evidence);
    auto const* tokio = model_cell(cells, "tokio");
    auto const& lead = cells[0];
    std::string verdict;
    if (tokio != nullptr) {
        auto const rank = static_cast<std::size_t>(tokio - cells.data()) + 1;
        verdict = rank == 1 ? "Holds here: Tokio leads, " + three_significant(lead.spread.median / cells[1].spread.median) + "x " + cells[1].model + "; " +
                                  separation(lead, cells[1])
                            : "Not here: Tokio ranks " + std::to_string(rank) + " of " + std::to_string(cells.size()) + ", behind " +
                                  lead.model + " (" + three_significant(lead.spread.median / tokio->spread.median) + "x); " + separation(lead, *tokio);
        if (auto const* go = model_cell(cells, "go")) verdict += "; against Go, " + three_significant(tokio->spread.median / go->spread.median) + "x";
    } else {
        verdict = "Tokio itself is not in these results (./setup.sh peers); " + lead.model + " leads, " +
                  three_significant(lead.spread.median / cells[1].spread.median) + "x " + cells[1].model + "; " + separation(lead, cells[1]);
    }
    a.verdict = verdict + "; " + runs_caveat(cells) + ", against conclab's embedded server on the same machine (it shares the cores)";
    return a;
}

ClaimAnswer channels_pipeline(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Channels are the natural shape for pipelines", .evidence = {}, .command = "conclab sweep --preset workshop-pipeline",
                  .measured = {}, .verdict = {}};
    Selector const selector{{"parallelism", 4ULL}, {"work", 1000ULL}};
    auto const found = evidence(a, results, "pipeline", selector, "items per second");
    if (!found) return a;
    auto const cells = ranked(found->cells(throughput));
    a.measured = list(cells, per_second);
    a.answered = true;
    // cells are ranked: the first of each kind is its fastest
    Cell const* channel = nullptr;  // the models whose stages talk through channels
    Cell const* direct = nullptr;   // tbb's and Rayon's par_bridge: a thread carries the item through
    for (auto const& c : cells) {
        auto& fastest = c.model == "tbb" || c.model == "rayon" ? direct : channel;
        if (fastest == nullptr) fastest = &c;
    }
    if (direct == nullptr || channel == nullptr) return missing(a, "tbb or rayon, and a channel model, at " + a.evidence);
    auto const share = channel->spread.median / direct->spread.median;
    a.verdict = std::string{share >= 0.9 ? "Holds for speed: " : "Costs here: "} + "the fastest channel pipeline (" + channel->model + ") runs at " +
                three_significant(100 * share) + "% of the fastest without channels (" + direct->model + "); " + separation(*channel, *direct) +
                "; natural is a matter of reading the code (conclab show pipeline); " + runs_caveat(cells);
    return a;
}

ClaimAnswer rayon_io(ResultsFile const& results) {
    ClaimAnswer a{.claim = "Rayon is for CPU-bound data parallelism, not for I/O", .evidence = {},
                  .command = "conclab sweep --preset workshop-url-fetch and --preset workshop-task-tree", .measured = {}, .verdict = {}};
    Selector const io{{"concurrency", 64ULL}};
    Selector const cpu{{"leaves", 1'000'000ULL}};
    auto const fetch = find(results, "url-fetch", io);
    auto const tree = find(results, "task-tree", cpu);
    a.evidence = "url-fetch concurrency=64 and task-tree leaves=1000000: tbb (Rayon's style) against the best";
    if (!fetch || !tree) return missing(a, a.evidence);
    a.evidence = evidence_of("url-fetch", fetch->params, io) + "; " + evidence_of("task-tree", tree->params, cpu) + ": throughput";
    auto const fetch_cells = ranked(fetch->cells(throughput));
    auto const tree_cells = ranked(tree->cells(throughput));
    a.measured = "url-fetch: " + list(fetch_cells, per_second) + "; task-tree: " + list(tree_cells, per_second);
    a.answered = true;
    // Rayon itself where it ran, else tbb, its style in conclab; each against the best of the others
    auto const judged = model_cell(fetch_cells, "rayon") != nullptr && model_cell(tree_cells, "rayon") != nullptr ? "rayon" : "tbb";
    auto const share = [&](std::vector<Cell> const& cells) -> std::pair<double, Cell const*> {
        auto const* own = model_cell(cells, judged);
        Cell const* best = nullptr;
        for (auto const& c : cells) {
            if (&c != own && best == nullptr) best = &c;
        }
        if (own == nullptr || best == nullptr) return {no_value, nullptr};
        return {own->spread.median / best->spread.median, best};
    };
    auto const [io_share, io_best] = share(fetch_cells);
    auto const [cpu_share, cpu_best] = share(tree_cells);
    if (io_best == nullptr || cpu_best == nullptr) return missing(a, std::string{judged} + " and another model in both cases");
    auto const name = std::string{judged};
    a.verdict = std::string{io_share < 0.5 && cpu_share >= 1 ? "Holds here" : io_share < 0.5 && cpu_share >= 0.5 ? "Holds, mostly" : "Not clearly here"} +
                ": fetching, " + name + " reaches " + three_significant(100 * io_share) + "% of " + io_best->model +
                " (a blocked task holds its thread: the pool's threads are the requests in flight); on the task tree " +
                (cpu_share >= 1 ? name + " leads, " + three_significant(cpu_share) + "x " + cpu_best->model
                                : name + " reaches " + three_significant(100 * cpu_share) + "% of " + cpu_best->model) +
                "; " + runs_caveat(fetch_cells);
    return a;
}

ClaimAnswer task_per_item(ResultsFile const& results) {
    ClaimAnswer a{.claim = "A task per item is fine, a thread per item is not", .evidence = {},
                  .command = "conclab sweep --preset workshop-idle-tasks", .measured = {}, .verdict = {}};
    Selector const selector{{"tasks", 10'000ULL}};
    auto const found = evidence(a, results, "idle-tasks", selector, "memory per task and time to start them all; at tasks=100000, whether threads run");
    if (!found) return a;
    auto const memory = found->cells(per_task);
    auto const spawn = found->cells(spawn_s);
    auto const seconds = [](double s) { return human_us(s * 1e6); };
    a.measured = "memory per task: " + list(memory, human_bytes_per_task) + "; starting all: " + list(spawn, seconds);
    a.answered = true;
    auto const* threads = model_cell(memory, "threads");
    auto const* threads_spawn = model_cell(spawn, "threads");
    if (threads == nullptr || threads_spawn == nullptr) return missing(a, "threads at " + a.evidence);
    Cell const* cheapest = nullptr;  // of the styles where a waiting item is a task (tbb and Rayon hand theirs to a timer thread)
    for (auto const& c : memory) {
        bool const task = c.model == "fibers" || c.model == "coroutines" || c.model == "go" || c.model == "tokio";
        if (task && (cheapest == nullptr || c.spread.median < cheapest->spread.median)) cheapest = &c;
    }
    std::string at_100k;
    if (auto const more = find(results, "idle-tasks", {{"tasks", 100'000ULL}})) {
        auto const refused = std::any_of(more->left_out.begin(), more->left_out.end(), [](auto const& m) { return m.starts_with("threads "); });
        if (refused) at_100k = "; at 100,000 tasks conclab does not start the threads (one OS thread each, past its cap)";
    }
    a.verdict = std::string{"Holds here: a thread per task costs "} + human_bytes(threads->spread.median) +
                (cheapest != nullptr ? " per task, " + three_significant(threads->spread.median / cheapest->spread.median) + "x what " + cheapest->model + " needs" : "") +
                ", and " + seconds(threads_spawn->spread.median) + " to start 10,000" + at_100k + "; " + runs_caveat(memory);
    return a;
}


}  // namespace

std::vector<ClaimAnswer> answer_claims(ResultsFile const& results) {
    std::vector<Answer> const claims{gc_large_heap, memory_footprint, gc_tail, goroutines_2kb, async_cheap, tokio_peak, channels_pipeline, rayon_io, task_per_item};
    std::vector<ClaimAnswer> out;
    for (auto const& claim : claims) {
        auto a = claim(results);
        // noise decides nothing: with the machine busy elsewhere, the same preset gave opposite verdicts
        if (a.answered && busy_machine(a.other_cores)) {
            a.verdict = "Cannot decide here: the machine was busy (" + printed("%.1f", a.other_cores) +
                        " other cores in use during these runs, by the median); run " + a.command + " again on a quiet machine";
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string claims_markdown(std::vector<ClaimAnswer> const& answers) {
    Table table;
    for (auto const* title : {"claim", "tested by", "measured (medians)", "verdict"}) table.columns.push_back({.title = title, .key = {}, .left = true});
    std::size_t answered = 0;
    for (auto const& a : answers) {
        answered += a.answered ? 1 : 0;
        table.add({a.claim, a.evidence + " (`" + a.command + "`)", a.measured, a.verdict});
    }
    return render_markdown(table) + "\n" + std::to_string(answered) + " of " + std::to_string(answers.size()) +
           " claims answered from these results.\n";
}

nlohmann::json claims_json(std::vector<ClaimAnswer> const& answers) {
    auto out = nlohmann::json::array();
    for (auto const& a : answers) {
        out.push_back({{"claim", a.claim}, {"evidence", a.evidence}, {"command", a.command}, {"measured", a.measured},
                       {"verdict", a.verdict}, {"answered", a.answered}, {"not_judged", a.not_judged},
                       {"other_cores", a.other_cores}});
    }
    return out;
}

}  // namespace conclab
