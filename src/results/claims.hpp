// The workshop's claims (docs/workshop/08-claims.md): things said in the Go
// versus Rust debate that conclab can test, each answered from the cases of
// a workshop sweep (`conclab sweep --preset workshop`), and with the real Go
// and Rust programs where the sweep ran them too (`--models` with go,
// tokio...). `conclab claims FILE...` prints the table; `conclab report`
// adds it as a section when its inputs hold the cases.
#pragma once

#include "src/results/compare.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace conclab {

struct ClaimAnswer {
    std::string claim;     ///< as it is said in the debate
    std::string evidence;  ///< the case(s) that test it: scenario and parameters
    std::string command;   ///< the workshop step that runs them
    std::string measured;  ///< medians per model, in human units
    std::string verdict;   ///< one sentence, with its caveat
    bool answered = false; ///< false: the results lack the case(s); `measured` says which
    bool not_judged = false; ///< the case is there, but with runs that had failed items: no verdict on them
    /// The busiest case behind the answer: the median over its runs of the
    /// cores the rest of the machine kept busy (machine_other_cores); above
    /// busy_machine_cores the verdict is "cannot decide here"
    double other_cores = 0;
};

/// Every claim, in the workshop's order, answered from `results` as far as
/// it holds their cases.
std::vector<ClaimAnswer> answer_claims(ResultsFile const& results);

/// The answers as a Markdown table, with a line saying how many are answered.
std::string claims_markdown(std::vector<ClaimAnswer> const& answers);

nlohmann::json claims_json(std::vector<ClaimAnswer> const& answers);

}  // namespace conclab
