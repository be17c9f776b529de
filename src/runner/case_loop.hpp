// The one case loop of `conclab run` and `conclab sweep`: every case in a
// process of its own, the scenario's fixture (url-fetch's server) set up
// per combination, and what becomes of each outcome left to sinks: the
// run's results (table, JSON, CSV), a sweep file, progress on stderr.
#pragma once

#include "src/kit/case.hpp"
#include "src/kit/scenario.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace conclab {

/// One case as the loop runs it.
struct PlannedCase {
    Scenario const* scenario = nullptr;
    std::size_t combination = 0;  ///< cases of one combination share a fixture
    ParamValues params = {};      ///< the case's parameters (the fixture's values are added when it runs)
    ModelId model = {};
    unsigned repetition = 0;
    unsigned warmup = 1;
    std::string swept = {};       ///< "workers=16 work=0", what the progress line names besides the model
};

/// What watches the cases finish.
class CaseSink {
public:
    virtual ~CaseSink() = default;
    /// A case is about to run (its fixture already up).
    virtual void starting(PlannedCase const& /*c*/) {}
    /// A case ended with `outcome` (a case stopped by Ctrl-C is not reported).
    virtual void finished(PlannedCase const& c, CaseOutcome const& outcome) = 0;
    /// A combination's fixture has stopped: what it says about itself.
    virtual void fixture_stopped(PlannedCase const& /*last*/, Fixture const& /*fixture*/) {}
    /// The loop stopped early (Ctrl-C).
    virtual void interrupted() {}
};

/// Progress on stderr: on a terminal a bar with the cases done, the time
/// left, the failures (each failure on a line of its own, with its reason)
/// and the case running now, within the terminal's width; otherwise one
/// line per case. Coloured as src/kit/colour.hpp decides.
class ProgressSink final : public CaseSink {
public:
    explicit ProgressSink(std::size_t total);
    void starting(PlannedCase const& c) override;
    void finished(PlannedCase const& c, CaseOutcome const& outcome) override;
    /// More cases were planned (run --precision adds rounds): the count and the time left grow.
    void add(std::size_t more) noexcept { total_ += more; }
    void interrupted() override;

private:
    std::size_t total_;
    std::size_t done_ = 0;
    std::size_t failed_ = 0;
    bool terminal_;
    bool colour_;
    std::size_t width_;  ///< the terminal's columns (0: unknown)
    void draw_bar(std::string const& now);
    std::string time_left() const;  ///< from the pace so far; "?" before the first case ends
    std::chrono::steady_clock::time_point started_;
};

struct LoopOptions {
    std::chrono::seconds case_timeout{600};
    bool record_latency = true;
    /// --cpus: every case process (and the background load) on these CPUs,
    /// url-fetch's embedded server on the others; empty: not pinned
    std::vector<unsigned> cpus = {};
    /// Asked when the planned cases are done: more cases to run in the same
    /// loop (the fixture kept), or none to stop. run --precision's rounds.
    std::function<std::vector<PlannedCase>()> more = {};
};

struct LoopResult {
    std::size_t failed = 0;    ///< cases that ended other than ok
    bool interrupted = false;  ///< Ctrl-C: the case in flight was dropped, the ones before were reported
};

/// Runs `cases` in order. Throws UsageError from a fixture that cannot be
/// set up (an unreachable target), before the first case of its combination.
LoopResult run_cases(std::vector<PlannedCase> const& cases, LoopOptions const& options, std::vector<CaseSink*> const& sinks);

/// "2m05s", "0m07s".
std::string duration_text(double seconds);

/// --background-load N, a parameter of every scenario (the registry adds
/// it): N threads of the runner busy-looping for as long as each case runs,
/// as a browser, a build or a neighbour's job would. The case's own
/// figures are its process's; the load shows in machine_other_cores.
/// Measured as a condition, in a sweep an axis like any other.
ParamSpec background_load_param();

/// N threads of this process that keep a core each busy until destroyed.
class BackgroundLoad {
public:
    /// `threads` busy threads, on `cpus` when given (the pinned cases' CPUs: the load competes with the case)
    explicit BackgroundLoad(unsigned threads, std::vector<unsigned> const& cpus = {});
    ~BackgroundLoad();
    BackgroundLoad(BackgroundLoad const&) = delete;
    BackgroundLoad& operator=(BackgroundLoad const&) = delete;

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

/// Where no machine goes: a reply beyond it is implausible.
inline constexpr double max_plausible_items_per_s = 1e10;

/// Why a run's reply cannot be true (empty: plausible): a wall time that is
/// not positive, items done and failed other than the case has, more than
/// max_plausible_items_per_s, or less time than the case's waits take.
std::string implausible(Scenario const& scenario, ParamValues const& params, CaseMetrics const& m);

}  // namespace conclab
