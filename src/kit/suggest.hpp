// "did you mean": the known name closest to a misspelt one (flags, models,
// scenarios, presets, commands).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conclab {

/// The candidate closest to `word` by edit distance (insertions, deletions,
/// substitutions and swaps of neighbours), if it is close enough to be a
/// slip: at most 1 edit for words up to 4 characters, 2 up to 8, else 3;
/// or a candidate that starts with `word` (an abbreviation). Empty if none.
std::string closest(std::string_view word, std::vector<std::string> const& candidates);

/// " (did you mean X?)" for the closest candidate, or "".
std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates);

}  // namespace conclab
