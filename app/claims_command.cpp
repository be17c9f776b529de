#include "app/claims_command.hpp"

#include "app/options.hpp"
#include "src/kit/params.hpp"
#include "src/results/claims.hpp"
#include "src/results/compare.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace conclab::cli {

void add_claims_command(CLI::App& app, ClaimsCli& cli) {
    cli.command = app.add_subcommand("claims", "the debate's claims (GC tails, 2 KB goroutines...) answered from a workshop sweep, as a "
                                               "Markdown table (docs/workshop/08-claims.md)");
    cli.command->add_option("files", cli.files, "sweep or results files, e.g. of conclab sweep --preset workshop")->required();
    cli.command->add_flag("--json", cli.json, "the answers as JSON instead");
}

// `conclab claims FILE...`: the workshop's claims answered from a workshop sweep (docs/workshop/08-claims.md).
int claims_command(ClaimsCli const& cli) {
    auto const answers = answer_claims(read_results(cli.files));
    bool const any_not_judged = std::any_of(answers.begin(), answers.end(), [](ClaimAnswer const& a) { return a.not_judged; });
    if (!any_not_judged && std::none_of(answers.begin(), answers.end(), [](ClaimAnswer const& a) { return a.answered; })) {
        throw UsageError{"no claim can be answered from the files given: they hold none of the workshop's cases; "
                         "conclab sweep --preset workshop -o workshop.jsonl makes them"};
    }
    if (cli.json) {
        std::cout << claims_json(answers).dump(1) << std::endl;
    } else {
        std::fputs(claims_markdown(answers).c_str(), stdout);
    }
    if (any_not_judged) {
        print_error("some claims were not judged: their cases had runs with failed items (see the table)");
        return exit_failed_runs;
    }
    return 0;
}

}  // namespace conclab::cli
