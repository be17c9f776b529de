#include "src/runner/case_loop.hpp"

#include "src/kit/colour.hpp"
#include "src/kit/cpus.hpp"
#include "src/kit/process.hpp"
#include "src/kit/units.hpp"
#include "src/runner/child.hpp"
#include "src/runner/interrupt.hpp"
#include "src/runner/peer.hpp"

#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <variant>

#include <unistd.h>

namespace conclab {

using colour::paint;
using colour::Style;

std::string duration_text(double seconds) {
    auto const s = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s / 60 % 60);
    } else {
        std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
    }
    return text;
}

ProgressSink::ProgressSink(std::size_t total)
    : total_{total},
      terminal_{::isatty(STDERR_FILENO) == 1},
      colour_{colour::on(stderr)},
      width_{colour::terminal_width(stderr)},
      started_{std::chrono::steady_clock::now()} {}

namespace {
// "worker-pool workers=4 fibers #2": the case, as the progress names it
std::string case_name(PlannedCase const& c) {
    return c.scenario->name + " " + c.swept + (c.swept.empty() ? "" : " ") + c.model.token() + " #" + std::to_string(c.repetition + 1);
}
}  // namespace

std::string ProgressSink::time_left() const {
    if (done_ == 0) return "?";
    double const elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return duration_text(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_));
}

void ProgressSink::draw_bar(std::string const& now) {
    std::string const left = time_left();
    int const bar = 30;
    int const filled = static_cast<int>(bar * static_cast<double>(done_) / static_cast<double>(total_));
    auto const counts = " " + std::to_string(done_) + "/" + std::to_string(total_) + " cases, " + left + " left, ";
    auto const failures = std::to_string(failed_) + " failed";
    // the case running now, cut to what the terminal's line has left (the bar must stay one line to be redrawn)
    std::size_t const used = 2 + bar + counts.size() + failures.size();
    std::string running;
    if (!now.empty()) {
        std::size_t const room = width_ > used + 4 ? width_ - used - 4 : 0;  // " · " before it, a column to spare
        if (width_ == 0 || now.size() <= room) {
            running = " · " + now;
        } else if (room > 8) {
            running = " · " + now.substr(0, room - 1) + "…";
        }
    }
    std::fprintf(stderr, "\r\033[K[%s%s]%s%s%s", paint(std::string(static_cast<std::size_t>(filled), '#'), Style::green, colour_).c_str(),
                 std::string(static_cast<std::size_t>(bar - filled), '.').c_str(), counts.c_str(),
                 paint(failures, Style::red, colour_ && failed_ > 0).c_str(), running.c_str());
    std::fflush(stderr);
}

void ProgressSink::starting(PlannedCase const& c) {
    if (terminal_) draw_bar("now " + case_name(c));
}

void ProgressSink::finished(PlannedCase const& c, CaseOutcome const& outcome) {
    ++done_;
    bool const ok = outcome.status == CaseOutcome::Status::ok;
    if (!ok) ++failed_;
    char wall[32];
    std::snprintf(wall, sizeof wall, "%.3f s", outcome.metrics.wall_s);
    auto const& m = outcome.metrics;
    std::string const checked = verified(m) ? "verified"
                                            : std::to_string(m.items_failed) + " of " + std::to_string(m.items + m.items_failed) +
                                                  " " + c.scenario->unit + " failed: not verified";
    std::string const what = case_name(c) + ": " +
                             (ok ? std::string{"ok, "} + wall + ", " + paint(checked, verified(m) ? Style::green : Style::red, colour_)
                                 : paint(to_string(outcome.status), Style::red, colour_) + ": " + outcome.message);
    if (!terminal_) {
        std::fprintf(stderr, "[%zu/%zu, %s left] %s\n", done_, total_, time_left().c_str(), what.c_str());
        return;
    }
    // a failure stays on the screen above the bar, with its reason
    if (!ok) std::fprintf(stderr, "\r\033[K%s\n", what.c_str());
    draw_bar({});  // the next case names itself when it starts
    if (done_ == total_) std::fprintf(stderr, "\n");
}

void ProgressSink::interrupted() {
    if (terminal_ && done_ < total_) std::fprintf(stderr, "\n");  // below the bar
}

LoopResult run_cases(std::vector<PlannedCase> const& cases, LoopOptions const& options, std::vector<CaseSink*> const& sinks) {
    LoopResult result;
    auto const executable = self_executable();
    auto const usable = usable_cpus();  // the runner's own affinity, given back after a fixture started elsewhere
    std::unique_ptr<Fixture> fixture;
    PlannedCase const* fixture_of = nullptr;  // the last case run with `fixture`
    auto const stop_fixture = [&] {
        if (!fixture) return;
        fixture->stop();
        for (auto* sink : sinks) sink->fixture_stopped(*fixture_of, *fixture);
        fixture.reset();
    };
    // a deque: cases `more` adds keep the addresses of those before (fixture_of points at one)
    std::deque<PlannedCase> todo(cases.begin(), cases.end());
    for (std::size_t next = 0; next < todo.size() || (options.more && !result.interrupted);) {
        if (next == todo.size()) {
            auto added = options.more();
            if (added.empty()) break;
            for (auto& c : added) todo.push_back(std::move(c));  // at the end: the references to the others stay valid
            continue;
        }
        auto const& c = todo[next++];
        // a fixture (url-fetch's server) per combination: its parameters may differ
        if (fixture_of == nullptr || c.scenario != fixture_of->scenario || c.combination != fixture_of->combination) {
            stop_fixture();
            if (c.scenario->setup != nullptr) {
                // a fixture's process (url-fetch's server) starts on the CPUs the cases leave free: it inherits the
                // runner's affinity, set here for as long as it takes to start it
                auto const others = other_cpus(options.cpus);
                struct GivenBack {  // the runner's own CPUs again once it has started, or failed to
                    bool moved;
                    std::vector<unsigned> const& usable;
                    ~GivenBack() {
                        if (moved) pin_this_thread(usable);
                    }
                } const given_back{!others.empty() && pin_this_thread(others), usable};
                fixture = c.scenario->setup(c.params);
            }
        }
        fixture_of = &c;
        CaseRequest request{.scenario = c.scenario->name, .model = c.model, .params = c.params,
                            .options = {.warmup = c.warmup, .record_latency = options.record_latency, .cpus = options.cpus}};
        if (fixture) {
            for (auto const& [name, value] : fixture->case_values()) request.params[name] = value;
        }
        std::optional<BackgroundLoad> busy;  // --background-load: the runner's busy threads, for as long as the case runs
        if (auto const load = c.params.find("background_load"); load != c.params.end()) {
            if (auto const threads = std::get<std::uint64_t>(load->second); threads > 0) busy.emplace(static_cast<unsigned>(threads), options.cpus);
        }
        for (auto* sink : sinks) sink->starting(c);
        auto outcome = is_peer(c.model.base) ? run_peer(*c.scenario, request, options.case_timeout)
                                             : run_in_child(executable, request, options.case_timeout);
        busy.reset();
        if (outcome.status == CaseOutcome::Status::ok) {
            // a reply is checked, not taken on trust: the right checksum at 1e+12G jobs/s is no result
            if (auto const why = implausible(*c.scenario, c.params, outcome.metrics); !why.empty()) {
                outcome.status = CaseOutcome::Status::error;
                outcome.message = c.model.token() + " reported an implausible run: " + why;
            }
        }
        if (outcome.status == CaseOutcome::Status::interrupted || interrupted()) {
            result.interrupted = true;  // the case in flight is dropped: the ones before are kept, --resume reruns it
            for (auto* sink : sinks) sink->interrupted();
            break;
        }
        if (outcome.status != CaseOutcome::Status::ok) ++result.failed;
        for (auto* sink : sinks) sink->finished(c, outcome);
    }
    stop_fixture();
    return result;
}

ParamSpec background_load_param() {
    return {"background_load", std::uint64_t{0}, 0, 1024,
            "threads kept busy beside each case (a core busy elsewhere: 1; see docs/methodology.md); in the results like any parameter",
            "all (the runner's, not the model's)", {}};
}

BackgroundLoad::BackgroundLoad(unsigned threads, std::vector<unsigned> const& cpus) {
    threads_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) {
        threads_.emplace_back([this, cpus] {
            pin_this_thread(cpus);
            std::uint64_t x = 0x9E3779B97F4A7C15ULL;
            while (!stop_.load(std::memory_order_relaxed)) {
                for (int k = 0; k < 4096; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // work, not a pause
                asm volatile("" : : "r"(x));
            }
        });
    }
}

BackgroundLoad::~BackgroundLoad() {
    stop_.store(true, std::memory_order_relaxed);
    for (auto& thread : threads_) thread.join();
}

std::string implausible(Scenario const& scenario, ParamValues const& params, CaseMetrics const& m) {
    if (!(m.wall_s > 0)) return "wall_s " + printed("%g", m.wall_s) + " is not a positive time";
    if (scenario.items != nullptr) {
        auto const asked = scenario.items(params);
        if (m.items + m.items_failed != asked) {
            return std::to_string(m.items) + " items done and " + std::to_string(m.items_failed) + " failed, where the case has " +
                   std::to_string(asked);
        }
    }
    // no machine does ten billion items a second, whatever the scenario
    if (static_cast<double>(m.items) / m.wall_s > max_plausible_items_per_s) {
        return printed("%g", static_cast<double>(m.items)) + " items in " + printed("%g", m.wall_s) + " s, beyond " +
               printed("%g", max_plausible_items_per_s) + " a second";
    }
    if (scenario.least_wall_s != nullptr && m.items_failed == 0) {
        if (double const least = scenario.least_wall_s(params); m.wall_s < least * 0.999) {
            return "wall_s " + printed("%g", m.wall_s) + " is below the " + printed("%g", least) + " s its waits take at the least";
        }
    }
    return {};
}

}  // namespace conclab
