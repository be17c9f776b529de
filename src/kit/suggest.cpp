#include "src/kit/suggest.hpp"

#include <algorithm>

namespace conclab {

std::string closest(std::string_view word, std::vector<std::string> const& candidates) {
    // optimal string alignment distance: Levenshtein plus the swap of two neighbours ("wokrers")
    auto const distance = [](std::string_view a, std::string_view b) {
        std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
        for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
        for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            for (std::size_t j = 1; j <= b.size(); ++j) {
                std::size_t const cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[a.size()][b.size()];
    };
    std::size_t const allowed = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
    std::string best;
    std::size_t best_distance = allowed + 1;
    for (auto const& candidate : candidates) {
        auto const d = distance(word, candidate);
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    if (!best.empty() || word.size() < 3) return best;
    for (auto const& candidate : candidates) {
        if (candidate.starts_with(word)) return candidate;
    }
    return {};
}

std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates) {
    auto const best = closest(word, candidates);
    return best.empty() ? std::string{} : " (did you mean " + best + "?)";
}

}  // namespace conclab
