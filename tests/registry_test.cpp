// Every scenario x model x variant of the registry runs a small case
// through the entry the runner's case child uses (parameters as values,
// options as in a case request), and verifies its answer: a model or
// variant that is listed is one that works.
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace conclab {
namespace {

// Small cases: a second or less each, in every model.
std::map<std::string, ParamValues> const small{
    {"worker-pool", {{"jobs", 500ULL}, {"workers", 4ULL}, {"threads", 2ULL}}},
    {"url-fetch", {{"requests", 60ULL}, {"concurrency", 4ULL}, {"delay_us", 200ULL}, {"timeout_ms", 5000ULL}, {"threads", 2ULL}}},
    {"task-tree", {{"leaves", 300ULL}, {"threads", 2ULL}}},
    {"idle-tasks", {{"tasks", 60ULL}, {"wait_ms", 2ULL}, {"threads", 2ULL}}},
    {"pipeline", {{"items", 500ULL}, {"parallelism", 3ULL}, {"buffer", 3ULL}, {"threads", 2ULL}}},
};

struct Entry {
    Scenario const* scenario;
    ModelEntry const* model;
};

std::vector<Entry> every_entry() {
    std::vector<Entry> out;
    for (auto const* scenario : scenarios()) {
        for (auto const& model : scenario->models) out.push_back({scenario, &model});
    }
    return out;
}

class Registry : public testing::TestWithParam<Entry> {};

TEST_P(Registry, RunsASmallCaseWithItsAnswerVerified) {
    auto const& [scenario, model] = GetParam();
    ASSERT_EQ(small.count(scenario->name), 1U) << "no small case for " << scenario->name << ": add one above";
    auto values = defaults(scenario->params);
    for (auto const& [name, value] : small.at(scenario->name)) values[name] = value;
    std::unique_ptr<url_fetch::Server> server;
    if (scenario->name == "url-fetch") {
        server = std::make_unique<url_fetch::Server>(url_fetch::ServerConfig{});
        server->start();
        values["target"] = "http://127.0.0.1:" + std::to_string(server->port());
    }
    ASSERT_EQ(scenario->validate(values, std::vector<Model>{model->id.base}), "");
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = model->run_case(values, CaseOptions{.warmup = 1, .record_latency = true}));
    EXPECT_EQ(metrics.checksum, metrics.expected_checksum);
    EXPECT_GT(metrics.items, 0U);
}

TEST(RegistryContents, EveryScenarioHasTheFourModelsFirstThenItsVariants) {
    ASSERT_EQ(scenarios().size(), 5U);
    for (auto const* scenario : scenarios()) {
        ASSERT_GE(scenario->models.size(), all_models.size()) << scenario->name;
        for (std::size_t i = 0; i < all_models.size(); ++i) EXPECT_EQ(scenario->models[i].id, ModelId{all_models[i]});
        for (std::size_t i = all_models.size(); i < scenario->models.size(); ++i) {
            EXPECT_TRUE(scenario->models[i].id.is_variant()) << scenario->name;
            EXPECT_FALSE(scenario->models[i].changes.empty()) << scenario->models[i].id.token() << " says what it changes";
        }
    }
}

TEST(RegistryContents, ShipsTheVariantsTheModelsDocsName) {
    auto const has = [](std::string const& scenario, std::string const& token) {
        auto const* s = find_scenario(scenario);
        return s != nullptr && s->find_model(*parse_model_id(token)) != nullptr;
    };
    for (auto const* scenario : {"worker-pool", "url-fetch", "task-tree", "idle-tasks", "pipeline"}) {
        EXPECT_TRUE(has(scenario, "fibers/guard-pages")) << scenario;  // a runtime design: every scenario
    }
    EXPECT_TRUE(has("url-fetch", "tbb/suspend"));
    EXPECT_FALSE(has("worker-pool", "tbb/suspend"));  // a scenario file of its own: that scenario only
    EXPECT_TRUE(has("pipeline", "tbb/ordered"));
    EXPECT_TRUE(has("pipeline", "tbb/serial-aggregate"));
    EXPECT_TRUE(has("pipeline", "fibers/ordered"));
}

INSTANTIATE_TEST_SUITE_P(Models, Registry, testing::ValuesIn(every_entry()), [](auto const& info) {
    // gtest names: "fibers_guard_pages__worker_pool"
    std::string name = info.param.model->id.token() + "__" + info.param.scenario->name;
    for (char& c : name) c = (c == '/' || c == '-') ? '_' : c;
    return name;
});

}  // namespace
}  // namespace conclab
