#include "app/baselines_command.hpp"

#include "app/options.hpp"
#include "src/results/baselines.hpp"
#include "src/results/provenance.hpp"
#include "src/results/table.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace conclab::cli {
namespace {

// What a baseline holds, from its header: when, where and by which command it was measured.
nlohmann::json describe_baseline(std::string const& name) {
    auto const path = baseline_file(name, "baselines");
    auto const head = file_header(path);
    auto const origin = provenance_of(path, head);
    std::string command;
    if (head.is_object() && head.contains("command") && head["command"].is_array()) {
        for (auto const& word : head["command"]) command += (command.empty() ? "" : " ") + word.get<std::string>();
    }
    return {{"name", name},
            {"file", path},
            {"kind", head.is_object() && head.value("schema", "") == "conclab-sweep" ? "sweep" : "run"},
            {"started_utc", head.is_object() ? head.value("started_utc", "") : ""},
            {"machine", origin.empty() ? "" : origin.front().machine},
            {"conclab", origin.empty() ? "" : origin.front().commit},
            {"command", command}};
}

}  // namespace

void add_baselines_command(CLI::App& app, BaselinesCli& cli) {
    cli.command = app.add_subcommand("baselines", "list the named baselines (run/sweep --save-baseline NAME; compare/report "
                                                  "--baseline NAME), save a results file as one, or delete one");
    cli.command->add_flag("--json", cli.json, "the list as JSON");
    cli.command->require_subcommand(0, 1);
    cli.save = cli.command->add_subcommand("save", "save a results or sweep file as baseline NAME (replacing one of that name)");
    cli.save->add_option("name", cli.name, "the baseline's name: letters, digits, '.', '_', '-'")->required();
    cli.save->add_option("file", cli.file, "a results file (run --json) or a sweep file, e.g. one sweep merge wrote")->required();
    cli.remove = cli.command->add_subcommand("delete", "delete baseline NAME");
    cli.remove->add_option("name", cli.name, "the baseline's name")->required();
}

int baselines_command(BaselinesCli const& cli) {
    if (cli.save->parsed()) {
        std::fprintf(stderr, "baselines: saved %s as %s\n", cli.file.c_str(), save_baseline(cli.name, cli.file).c_str());
        return 0;
    }
    if (cli.remove->parsed()) {
        delete_baseline(cli.name);
        std::fprintf(stderr, "baselines: deleted %s\n", cli.name.c_str());
        return 0;
    }
    nlohmann::json list = nlohmann::json::array();
    for (auto const& name : baseline_names()) list.push_back(describe_baseline(name));
    if (cli.json) {
        std::cout << nlohmann::json{{"directory", baseline_directory()}, {"baselines", list}}.dump(1) << std::endl;
        return 0;
    }
    if (list.empty()) {
        std::printf("no baselines in %s: conclab run SCENARIO --save-baseline NAME (or sweep ... --save-baseline NAME) saves one\n",
                    baseline_directory().c_str());
        return 0;
    }
    Table table;
    table.columns = {{.title = "name", .key = "name", .left = true},
                     {.title = "kind", .key = "kind", .left = true},
                     {.title = "measured (UTC)", .key = "started_utc", .left = true},
                     {.title = "conclab", .key = "conclab", .left = true},
                     {.title = "command", .key = "command", .left = true}};
    for (auto const& b : list) {
        std::vector<TableCell> row;
        for (auto const& column : table.columns) row.push_back({.text = b[column.key].get<std::string>()});
        table.rows.push_back(std::move(row));
    }
    std::printf("baselines in %s:\n%s", baseline_directory().c_str(), render_text(table).c_str());
    return 0;
}

}  // namespace conclab::cli
