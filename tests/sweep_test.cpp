// Sweeps: value lists and ranges, grid expansion, and sharding that covers
// every case exactly once, with a combination's cases never split.
#include "scenarios/registry.hpp"
#include "src/runner/slurm.hpp"
#include "src/runner/sweep.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace conclab {
namespace {

ParamSpec const workers{"workers", 16ULL, 1, 1'000'000, "", "all", {}};
ParamSpec const keepalive{"keepalive", std::string{"on"}, 0, 0, "", "all", {"on", "off"}};

std::vector<std::uint64_t> numbers(std::vector<ParamValue> const& values) {
    std::vector<std::uint64_t> out;
    for (auto const& v : values) out.push_back(std::get<std::uint64_t>(v));
    return out;
}

TEST(ParseValues, ListsRangesAndSingleValues) {
    EXPECT_EQ(numbers(parse_values(workers, "1,10,100")), (std::vector<std::uint64_t>{1, 10, 100}));
    EXPECT_EQ(numbers(parse_values(workers, "1..64*2")), (std::vector<std::uint64_t>{1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(numbers(parse_values(workers, "1..100*10")), (std::vector<std::uint64_t>{1, 10, 100}));
    EXPECT_EQ(numbers(parse_values(workers, "10..35+10")), (std::vector<std::uint64_t>{10, 20, 30}));
    EXPECT_EQ(numbers(parse_values(workers, "7")), (std::vector<std::uint64_t>{7}));
    EXPECT_EQ(parse_values(keepalive, "on,off").size(), 2U);
}

TEST(ParseValues, RefusesWhatIsNotAListOrRange) {
    for (char const* bad : {"", "1,,2", "0", "1..10", "1..10*1", "0..10*2", "10..1+1", "1..10+0", "1..10/2", "2,2", "x"}) {
        EXPECT_THROW(parse_values(workers, bad), UsageError) << bad;
    }
    EXPECT_THROW(parse_values(keepalive, "on,maybe"), UsageError);
}

TEST(Slurm, QuotesForBashAndNamesPartsBesideTheOutput) {
    EXPECT_EQ(shell_quote("/opt/conclab/bin/conclab"), "/opt/conclab/bin/conclab");
    EXPECT_EQ(shell_quote("--workers=1,2"), "--workers=1,2");
    EXPECT_EQ(shell_quote("my grid.toml"), "'my grid.toml'");
    EXPECT_EQ(shell_quote("it's $HOME"), "'it'\\''s $HOME'");
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(slurm_part("/r/all.jsonl", 2, 8), "/r/all.part-2-of-8.jsonl");
    EXPECT_EQ(slurm_part("/r.d/all", 1, 1), "/r.d/all.part-1-of-1.jsonl");  // no extension: the dot of a directory is not one
    EXPECT_EQ(slurm_part("/r/.hidden", 1, 2), "/r/.hidden.part-1-of-2.jsonl");
    EXPECT_EQ(slurm_log_pattern("/r/all.jsonl"), "/r/all.slurm-%A_%a.log");
}

TEST(Slurm, FillsEveryFieldAndRefusesWhatIsNoSbatchOption) {
    SlurmJob job{.conclab = "/bin/conclab", .sweep = {"sweep", "--preset", "server"}, .tasks = 5, .name = "conclab-server",
                 .workdir = "/w", .output = "/r/all.jsonl", .script = "/w/job.sh", .sbatch = {"--time=1:00:00"},
                 .written = "written by a test"};
    auto const script = slurm_script(job);
    for (auto at = script.find('@'); at != std::string::npos; at = script.find('@', at + 1)) {  // no @FIELD@ left
        EXPECT_FALSE(at + 1 < script.size() && script[at + 1] >= 'A' && script[at + 1] <= 'Z') << script.substr(at, 20);
    }
    for (auto const* line : {"#!/bin/bash\n# written by a test\n", "#SBATCH --array=1-5\n", "#SBATCH --time=1:00:00\n",
                             "\nsweep=(sweep --preset server)\n", "\ntasks=5\n", "\ncd /w\n", "sbatch --array=$task /w/job.sh"}) {
        EXPECT_NE(script.find(line), std::string::npos) << line;
    }
    EXPECT_EQ(slurm_merge_command(job), "/bin/conclab merge /r/all.part-*-of-5.jsonl -o /r/all.jsonl");
    job.sbatch = {"time=1:00:00"};
    EXPECT_THROW(slurm_script(job), UsageError);
    job.sbatch = {"--time=1\n--mem=0"};
    EXPECT_THROW(slurm_script(job), UsageError);
}

TEST(ParseShard, TakesKOfN) {
    auto const s = parse_shard("2/8");
    EXPECT_EQ(s.index, 2U);
    EXPECT_EQ(s.count, 8U);
    for (char const* bad : {"0/2", "3/2", "1", "1/0", "a/b", "1/2/3", ""}) EXPECT_THROW(parse_shard(bad), UsageError) << bad;
}

SweepGrid grid_of(Scenario const& s) {
    SweepGrid g{.scenario = &s, .axes = {}, .base = defaults(s.params), .models = {all_models.begin(), all_models.end()},
                .repeat = 3, .warmup = 0};
    for (auto const& spec : s.params) {
        if (spec.name == "workers") g.axes.push_back({"workers", parse_values(spec, "1,4,16")});
        if (spec.name == "work") g.axes.push_back({"work", parse_values(spec, "0..200+100")});
    }
    return g;
}

TEST(Grid, ExpandsEveryCombinationOnce) {
    auto const grid = grid_of(*find_scenario("worker-pool"));
    auto const all = combinations(grid);
    ASSERT_EQ(all.size(), 9U);
    std::set<std::string> seen;
    for (auto const& values : all) seen.insert(format_params(grid.scenario->params, values));
    EXPECT_EQ(seen.size(), 9U);
    EXPECT_EQ(get(all.front(), "workers"), 1U);  // the first axis varies slowest
    EXPECT_EQ(get(all[1], "work"), 100U);
    EXPECT_EQ(get(all.front(), "jobs"), 100'000U);  // the rest from the base
}

TEST(SweepSize, CountsCasesOverEveryGridAndRefusesPastTheLimit) {
    auto const grid = grid_of(*find_scenario("worker-pool"));  // 9 combinations x 4 models x 3 repetitions
    EXPECT_NO_THROW(check_sweep_size({grid, grid}, 216));
    try {
        check_sweep_size({grid, grid}, 215);
        FAIL() << "216 cases passed a limit of 215";
    } catch (UsageError const& e) {
        std::string const what = e.what();
        EXPECT_NE(what.find("216 cases"), std::string::npos) << what;
        EXPECT_NE(what.find("worker-pool: 3 workers x 3 work x 4 models x 3 repetitions"), std::string::npos) << what;
        EXPECT_NE(what.find("at most 215"), std::string::npos) << what;
    }
}

TEST(SweepSize, AGridTooLargeToBuildIsCountedNotBuilt) {
    // 10,000^5 x 4 x 3 overflows 64 bits: the count saturates, nothing is expanded
    auto grid = grid_of(*find_scenario("worker-pool"));
    grid.axes.clear();
    for (auto const* name : {"a", "b", "c", "d", "e"}) grid.axes.push_back({name, std::vector<ParamValue>(10'000, ParamValue{1ULL})});
    try {
        check_sweep_size({grid});
        FAIL() << "10^20 cases passed";
    } catch (UsageError const& e) {
        EXPECT_NE(std::string{e.what()}.find("more than 10^19 cases"), std::string::npos) << e.what();
    }
}

TEST(Shards, CoverEveryCaseExactlyOnceAndKeepCombinationsWhole) {
    std::vector<SweepGrid> const grids{grid_of(*find_scenario("worker-pool"))};
    auto const whole = sweep_cases(grids, {1, 1});
    ASSERT_EQ(whole.size(), 9U * 4 * 3);
    std::multiset<std::string> keys;
    for (unsigned n : {2U, 3U, 5U, 16U}) {
        keys.clear();
        std::map<std::size_t, unsigned> shard_of_combination;
        for (unsigned k = 1; k <= n; ++k) {
            for (auto const& c : sweep_cases(grids, {k, n})) {
                keys.insert(case_key(c.scenario->name, c.params, c.model, c.repetition));
                auto const [it, fresh] = shard_of_combination.emplace(c.combination, k);
                EXPECT_EQ(it->second, k) << "combination " << c.combination << " split across shards";
            }
        }
        ASSERT_EQ(keys.size(), whole.size()) << n;
        for (auto const& c : whole) EXPECT_EQ(keys.count(case_key(c.scenario->name, c.params, c.model, c.repetition)), 1U);
    }
}

// The calibration preset once had one case in two grids: the sweep wrote
// repetitions 0-2 of it twice and then refused its own file. A case in
// several grids gets its repetitions numbered on instead.
TEST(Shards, ACaseInTwoGridsGetsMoreRepetitionsNotTheSameOnesTwice) {
    auto one = grid_of(*find_scenario("worker-pool"));  // 9 combinations x 4 models x 3 repetitions
    auto two = one;
    two.repeat = 2;
    std::vector<SweepGrid> const grids{one, two};
    std::set<std::string> keys;
    for (auto const& c : sweep_cases(grids, {1, 1})) {
        EXPECT_TRUE(keys.insert(case_key(c.scenario->name, c.params, c.model, c.repetition)).second)
            << "twice: " << token(c.model) << " repetition " << c.repetition;
        EXPECT_LT(c.repetition, 5U);
    }
    EXPECT_EQ(keys.size(), 9U * 4 * 5);
    for (unsigned n : {2U, 3U}) {  // shards number them the same way
        std::set<std::string> sharded;
        for (unsigned k = 1; k <= n; ++k) {
            for (auto const& c : sweep_cases(grids, {k, n})) sharded.insert(case_key(c.scenario->name, c.params, c.model, c.repetition));
        }
        EXPECT_EQ(sharded, keys) << n << " shards";
    }
    // and no preset plans a case twice
    for (auto const* name : {"calibration", "workshop", "quick", "server"}) {
        std::set<std::string> planned;
        for (auto const& c : sweep_cases(preset(name, scenarios()), {1, 1})) {
            EXPECT_TRUE(planned.insert(case_key(c.scenario->name, c.params, c.model, c.repetition)).second) << name;
        }
    }
}

TEST(Shards, RotateTheModelsInEachRepetition) {
    std::vector<SweepGrid> const grids{grid_of(*find_scenario("worker-pool"))};
    auto const cases = sweep_cases(grids, {1, 1});
    EXPECT_EQ(cases[0].model, Model::fibers);
    EXPECT_EQ(cases[4].model, Model::coroutines);  // repetition 2 starts with the next model
}

TEST(Presets, EveryPresetFitsInOneSweep) {
    for (auto const& name : preset_names()) EXPECT_NO_THROW(check_sweep_size(preset(name, scenarios()))) << name;
}

TEST(Presets, WorkshopIsItsStepsInOrder) {
    std::vector<std::string> from_steps;
    for (auto const& name : preset_names()) {
        if (!name.starts_with("workshop-")) continue;
        auto const step = name.substr(std::string_view{"workshop-"}.size());
        auto const grids = preset(name, scenarios());
        ASSERT_FALSE(grids.empty()) << step;
        for (auto const& grid : grids) {
            if (step != "numbers") {
                EXPECT_EQ(grid.scenario->name, step) << "a scenario's step sweeps that scenario";
            }
            from_steps.push_back(grid.scenario->name + " " + std::to_string(combinations(grid).size()));
        }
    }
    std::vector<std::string> whole;
    for (auto const& grid : preset("workshop", scenarios())) whole.push_back(grid.scenario->name + " " + std::to_string(combinations(grid).size()));
    EXPECT_EQ(whole, from_steps);
    EXPECT_THROW(preset("workshop-", scenarios()), UsageError);
    EXPECT_THROW(preset("workshop-queues", scenarios()), UsageError);
    EXPECT_EQ(preset_list(), "workshop, workshop-numbers, workshop-worker-pool, workshop-url-fetch, workshop-task-tree, "
                             "workshop-idle-tasks, workshop-pipeline, workshop-cache-service, calibration, quick, scaling, server or "
                             "server-cache-service");
}

TEST(Presets, QuickIsEveryScenarioAtItsDefaultsInEveryModel) {
    auto const grids = preset("quick", scenarios());
    ASSERT_EQ(grids.size(), scenarios().size());
    for (std::size_t i = 0; i < grids.size(); ++i) {
        EXPECT_EQ(grids[i].scenario, scenarios()[i]);
        EXPECT_TRUE(grids[i].axes.empty()) << grids[i].scenario->name;
        EXPECT_EQ(grids[i].base, defaults(grids[i].scenario->params)) << grids[i].scenario->name;
        EXPECT_EQ(grids[i].models.size(), all_models.size());
        EXPECT_EQ(grids[i].repeat, 3U);
    }
}

// The machine's size is read where a preset says "cores": injected here.
TEST(Presets, CoresStandForTheMachinesHardwareThreads) {
    auto const threads_axis = [](std::vector<SweepGrid> const& grids) {
        for (auto const& axis : grids.front().axes) {
            if (axis.name == "threads") return axis.values;
        }
        return std::vector<ParamValue>{};
    };
    auto const small = threads_axis(preset("server", scenarios(), 2));
    auto const big = threads_axis(preset("server", scenarios(), 64));
    EXPECT_EQ(small, (std::vector<ParamValue>{1ULL, 2ULL, 4ULL}));
    ASSERT_FALSE(big.empty());
    EXPECT_EQ(big.back(), ParamValue{128ULL});  // 1..2cores*2: up to twice the hardware threads
    for (auto const& grid : preset("calibration", scenarios(), 48)) {
        auto const threads = grid.base.find("threads");
        EXPECT_TRUE(threads->second == ParamValue{2ULL} || threads->second == ParamValue{192ULL}) << to_text(threads->second);
    }
}

TEST(ParseValues, RangesAndValuesMixAndARangesValueListedAgainIsKeptOnce) {
    EXPECT_EQ(numbers(parse_values(workers, "1..6*2,6")), (std::vector<std::uint64_t>{1, 2, 4, 6}));
    EXPECT_EQ(numbers(parse_values(workers, "1..4*2,4")), (std::vector<std::uint64_t>{1, 2, 4}));
    EXPECT_EQ(numbers(parse_values(workers, "10..30+10,100,1000..3000+1000")), (std::vector<std::uint64_t>{10, 20, 30, 100, 1000, 2000, 3000}));
    EXPECT_THROW(parse_values(workers, "1,1"), UsageError);  // plain values given twice are still a mistake
    EXPECT_THROW(parse_values(workers, "1..4,8"), UsageError);
}

// The scaling preset on machines of every size, injected: 1, 2, 4, ... up to the cores, and the cores themselves.
TEST(Presets, ScalingMeasuresUpToTheCoresAndTheCoresThemselves) {
    auto const axes = [](unsigned cores) {
        std::map<std::string, std::vector<ParamValue>> out;  // "scenario models" -> the axis that sets their threads
        for (auto const& grid : preset("scaling", scenarios(), cores)) {
            EXPECT_EQ(grid.axes.size(), 1U) << grid.scenario->name;
            EXPECT_EQ(grid.repeat, 5U);
            std::string models;
            for (auto const& m : grid.models) models += std::string{token(m)} + ",";
            out[grid.scenario->name + " " + grid.axes.front().name + " " + models] = grid.axes.front().values;
        }
        return out;
    };
    auto const two = axes(2);
    ASSERT_EQ(two.size(), 5U);
    for (auto const& [grid, values] : two) EXPECT_EQ(values, (std::vector<ParamValue>{1ULL, 2ULL})) << grid;
    EXPECT_EQ(two.count("worker-pool workers threads,rust-threads,"), 1U);  // the control group: a thread per worker
    EXPECT_EQ(two.count("pipeline parallelism threads,rust-threads,"), 1U);
    EXPECT_EQ(two.count("task-tree threads fibers,go,coroutines,tokio,tbb,rayon,"), 1U);
    for (auto const& [grid, values] : axes(6)) EXPECT_EQ(values, (std::vector<ParamValue>{1ULL, 2ULL, 4ULL, 6ULL})) << grid;
    for (auto const& [grid, values] : axes(64)) EXPECT_EQ(values.size(), 7U) << grid;
    for (auto const& [grid, values] : axes(96)) EXPECT_EQ(values.back(), ParamValue{96ULL}) << grid;
}

TEST(Presets, GridsComeInTheFilesOrderSeveralPerScenarioOrOnePerScenario) {
    auto const grids = grids_from_toml_text(R"([[worker-pool]]
jobs = 10
[task-tree]
leaves = 100
[[worker-pool]]
jobs = 20
["*"]
repeat = 1
)", "test.toml", scenarios(), 2);
    ASSERT_EQ(grids.size(), 3 + scenarios().size());
    EXPECT_EQ(grids[0].scenario->name, "worker-pool");
    EXPECT_EQ(grids[0].base.at("jobs"), ParamValue{10ULL});
    EXPECT_EQ(grids[1].scenario->name, "task-tree");
    EXPECT_EQ(grids[2].base.at("jobs"), ParamValue{20ULL});
    for (std::size_t i = 0; i < scenarios().size(); ++i) EXPECT_EQ(grids[3 + i].scenario, scenarios()[i]);
    EXPECT_THROW(grids_from_toml_text("include = [\"workshop-queues\"]\n", "t.toml", scenarios(), 2), UsageError);
    EXPECT_THROW(grids_from_toml_text("include = \"quick\"\n", "t.toml", scenarios(), 2), UsageError);
    EXPECT_EQ(grids_from_toml_text("include = [\"quick\"]\n", "t.toml", scenarios(), 2).size(), scenarios().size());
}

TEST(Presets, WorkshopCoversEveryModel) {
    auto const grids = preset("workshop", scenarios());
    std::size_t cases = 0, left_out = 0;
    for (auto const& grid : grids) {
        EXPECT_EQ(grid.models.size(), all_models.size());
        for (auto const& values : combinations(grid)) {
            auto const refused = refused_models(*grid.scenario, values, grid.models).size();
            EXPECT_LT(refused, grid.models.size()) << "every combination runs in some model";
            cases += (grid.models.size() - refused) * grid.repeat;
            left_out += refused;
        }
    }
    EXPECT_EQ(cases, sweep_cases(grids, {1, 1}).size());
    EXPECT_GT(left_out, 0U) << "100,000 idle tasks is no case for OS threads here: left out, not refused";
    for (auto const& c : sweep_cases(grids, {1, 1})) {
        std::vector<Model> const one{c.model.base};
        EXPECT_EQ(c.scenario->validate(c.params, one), "") << c.scenario->name << " " << token(c.model);
    }
    EXPECT_THROW(preset("laptop", scenarios()), UsageError);
    for (auto const& grid : preset("server", scenarios())) EXPECT_GE(grid.axes.size(), 2U);
}

std::string toml_file(std::string const& text) {
    char name[] = "/tmp/conclab_sweep_test_XXXXXX";
    int const fd = mkstemp(name);
    ::close(fd);
    std::ofstream{name} << text;
    return name;
}

TEST(TomlGrid, ReadsOneGridPerScenarioTable) {
    auto const path = toml_file(R"(
[worker-pool]
models = ["tbb", "threads"]
repeat = 4
workers = [1, 16]
work = "0..200+100"
wait-us = 5

[url-fetch]
keepalive = ["on", "off"]
)");
    auto const grids = grids_from_toml(path, scenarios());
    std::remove(path.c_str());
    ASSERT_EQ(grids.size(), 2U);
    auto const& wp = grids[1].scenario->name == "worker-pool" ? grids[1] : grids[0];
    EXPECT_EQ(wp.models, (std::vector<ModelId>{Model::tbb, Model::threads}));
    EXPECT_EQ(wp.repeat, 4U);
    ASSERT_EQ(wp.axes.size(), 2U);
    EXPECT_EQ(wp.axes[0].name, "workers");  // in the scenario's order, not the file's
    EXPECT_EQ(numbers(wp.axes[1].values), (std::vector<std::uint64_t>{0, 100, 200}));
    EXPECT_EQ(get(wp.base, "wait_us"), 5U);
    EXPECT_EQ(combinations(wp).size(), 6U);
}

TEST(TomlGrid, NamesTheLineOfWhatIsWrong) {
    for (auto const& [text, needle] : std::vector<std::pair<std::string, std::string>>{
             {"[worker-pool]\nworkers = [1,\n", ":2:"},
             {"[worker-pool]\nwokers = 3\n", "no parameter 'wokers' (did you mean workers?)"},
             {"[worker-pool]\nwrkers = [1, 2]\n", "no parameter 'wrkers' (did you mean workers?)"},
             {"[bogus]\nx = 1\n", "not a scenario"},
             {"[worker-pol]\nx = 1\n", "[worker-pol] is not a scenario (did you mean worker-pool?)"},
             {"[worker-pool]\nmodels = [\"fibres\"]\n", "has no model 'fibres' (did you mean fibers?)"},
             {"[worker-pool]\nworkers = 0\n", "--workers expects"},
             {"[worker-pool]\nmodels = [\"goroutines\"]\n", "has no model 'goroutines'"},
             {"[worker-pool]\nmodels = [\"tbb/suspend\"]\n", "has no model 'tbb/suspend'"},
             {"[worker-pool]\nrepeat = 0\n", "repeat expects"},
             {"", "no scenario table"},
         }) {
        auto const path = toml_file(text);
        try {
            grids_from_toml(path, scenarios());
            ADD_FAILURE() << text;
        } catch (UsageError const& e) {
            EXPECT_NE(std::string{e.what()}.find(needle), std::string::npos) << e.what();
        }
        std::remove(path.c_str());
    }
}

}  // namespace
}  // namespace conclab
