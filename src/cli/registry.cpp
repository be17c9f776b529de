#include "src/cli/registry.hpp"

#include "scenarios/idle_tasks/idle_tasks.hpp"
#include "scenarios/pipeline/pipeline.hpp"
#include "scenarios/task_tree/task_tree.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"
#include "scenarios/worker_pool/worker_pool.hpp"

namespace conclab {

std::vector<Scenario const*> const& scenarios() {
    static std::vector<Scenario const*> const all{&worker_pool::scenario(), &url_fetch::scenario(), &task_tree::scenario(),
                                                    &idle_tasks::scenario(), &pipeline::scenario()};
    return all;
}

Scenario const* find_scenario(std::string_view name) noexcept {
    for (auto const* scenario : scenarios()) {
        if (scenario->name == name) return scenario;
    }
    return nullptr;
}

}  // namespace conclab
