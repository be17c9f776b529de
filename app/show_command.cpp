#include "app/show_command.hpp"

#include "app/options.hpp"
#include "scenarios/listings.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/model.hpp"
#include "src/kit/params.hpp"
#include "src/kit/suggest.hpp"
#include "src/results/listing.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>


namespace conclab::cli {
namespace {

constexpr std::size_t widest = 1000;

}  // namespace

void add_show_command(CLI::App& app, ShowCli& cli) {
    cli.command = app.add_subcommand("show", "a scenario's four model files side by side, lined up on their roles ([worker], [run]...)");
    cli.command->add_option("scenario", cli.scenario, "the scenario")->required();
    cli.command->add_option("--models", cli.models, "the models to show, comma-separated (default: all four, in their order)");
    cli.command->add_flag("--html", cli.html, "an HTML table instead (Markdown takes it as it is: docs/workshop's listings are made with it)");
    cli.command->add_option("--width", cli.width, "characters per line (default: the terminal's, else $COLUMNS, else 160)");
}

std::vector<listing::Column> listing_columns(std::string const& scenario, std::string const& models) {
    std::vector<Listing> files;
    for (auto const& l : listings()) {
        if (l.scenario == scenario) files.push_back(l);
    }
    if (files.empty()) {
        throw UsageError{"unknown scenario '" + scenario + "'" + did_you_mean(scenario, scenario_names()) + "; expected one of: " + scenario_list()};
    }
    if (!models.empty()) {
        std::vector<Listing> chosen;
        std::string_view rest{models};
        while (true) {
            auto const comma = rest.find(',');
            auto const token = rest.substr(0, comma);
            auto const found = std::find_if(files.begin(), files.end(), [&](Listing const& l) { return l.model == token; });
            if (found == files.end()) {
                throw UsageError{"--models expects fibers, coroutines, tbb or threads (the models with a file in each scenario), got '" +
                                 std::string{token} + "'"};
            }
            if (std::any_of(chosen.begin(), chosen.end(), [&](Listing const& l) { return l.model == token; })) {
                throw UsageError{"--models names " + std::string{token} + " twice"};
            }
            chosen.push_back(*found);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        files = std::move(chosen);
    }
    std::vector<listing::Column> columns;
    for (auto const& f : files) columns.push_back({std::string{f.model} + ": " + std::string{f.path}, f.text});
    return columns;
}

int show_command(ShowCli const& cli) {
    auto const columns = listing_columns(cli.scenario, cli.models);
    if (cli.html) {
        if (!cli.width.empty()) throw UsageError{"--width is for the terminal's listing; --html leaves the width to the page"};
        std::fputs(listing::html_table(columns).c_str(), stdout);
        return 0;
    }
    std::size_t width = colour::terminal_width(stdout);  // the terminal's, else $COLUMNS
    if (width == 0) width = 160;
    if (!cli.width.empty()) {
        auto const least = listing::narrowest(columns.size());
        width = parse_number("--width", cli.width, least, widest);
    }
    std::fputs(listing::side_by_side(columns, width, colour::on(stdout)).c_str(), stdout);
    return 0;
}

}  // namespace conclab::cli
