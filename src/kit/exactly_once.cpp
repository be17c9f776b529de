#include "src/kit/exactly_once.hpp"

namespace conclab {

ExactlyOnce::ExactlyOnce(std::uint64_t items) : items_{items}, seen_{std::make_unique<std::atomic<std::uint32_t>[]>(items)} {}

std::string ExactlyOnce::problems(std::string_view noun, std::string_view verb) const {
    std::uint64_t missing = 0, repeated = 0, first_missing = 0, first_repeated = 0;
    for (std::uint64_t i = 0; i < items_; ++i) {
        auto const seen = times(i);
        if (seen == 0 && missing++ == 0) first_missing = i;
        if (seen > 1 && repeated++ == 0) first_repeated = i;
    }
    std::string const n{noun};
    std::string const v{verb};
    std::string out;
    auto const add = [&out](std::string const& text) { out += (out.empty() ? "" : "; ") + text; };
    if (missing > 0) add(std::to_string(missing) + " " + n + "(s) never " + v + " (first: " + n + " " + std::to_string(first_missing) + ")");
    if (repeated > 0) {
        add(std::to_string(repeated) + " " + n + "(s) " + v + " more than once (first: " + n + " " + std::to_string(first_repeated) + ")");
    }
    if (auto const strays = strays_.load(); strays > 0) add(std::to_string(strays) + " result(s) for " + n + "s that do not exist");
    return out;
}

}  // namespace conclab
