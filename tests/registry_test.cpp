// Every scenario x model x variant of the registry runs a small case
// through the entry the runner's case child uses (parameters as values,
// options as in a case request), and verifies its answer: a model or
// variant that is listed is one that works.
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"

#include <gtest/gtest.h>

#include "conclab_config.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace conclab {
namespace {

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
    ASSERT_FALSE(scenario->small.empty()) << scenario->name << " declares no small case (Scenario::small)";
    auto values = defaults(scenario->params);
    for (auto const& [name, value] : scenario->small) {
        ASSERT_EQ(values.count(name), 1U) << scenario->name << "'s small case sets " << name << ", which it does not have";
        values[name] = value;
    }
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

// The registry holds every scenario folder (each with its meson.build) and
// nothing else: a folder is a scenario by being listed in scenarios/meson.build.
TEST(RegistryContents, HoldsEveryScenarioFolderOfTheTree) {
    std::set<std::string> folders;
    for (auto const& entry : std::filesystem::directory_iterator{std::filesystem::path{CONCLAB_SOURCE_DIR} / "scenarios"}) {
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "meson.build")) {
            folders.insert(entry.path().filename().string());
        }
    }
    std::set<std::string> registered;
    for (auto const* scenario : scenarios()) {
        auto folder = scenario->name;
        std::replace(folder.begin(), folder.end(), '-', '_');
        registered.insert(folder);
    }
    EXPECT_EQ(registered, folders);
}

TEST(RegistryContents, EveryScenarioHasTheFourModelsFirstThenItsVariants) {
    ASSERT_FALSE(scenarios().empty());
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
    for (auto const* scenario : scenarios()) {
        EXPECT_TRUE(has(scenario->name, "fibers/guard-pages")) << scenario->name;  // a runtime design: every scenario
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
