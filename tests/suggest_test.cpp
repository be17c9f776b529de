// "did you mean": close slips are suggested, far-off words are not.
#include "src/kit/suggest.hpp"

#include <gtest/gtest.h>

namespace conclab {
namespace {

std::vector<std::string> const flags{"--jobs", "--workers", "--work", "--buffer", "--wait-us", "--threads", "--models", "--repeat"};

TEST(Closest, FindsTheFlagMeantBySlips) {
    EXPECT_EQ(closest("--job", flags), "--jobs");        // a letter left out
    EXPECT_EQ(closest("--wokrers", flags), "--workers");  // two letters swapped
    EXPECT_EQ(closest("--bufer", flags), "--buffer");
    EXPECT_EQ(closest("--wait_us", flags), "--wait-us");  // underscore for dash
    EXPECT_EQ(closest("--thread", flags), "--threads");
}

TEST(Closest, SuggestsNothingForAFarOffWord) {
    EXPECT_EQ(closest("--frobnicate", flags), "");
    EXPECT_EQ(closest("xy", {"fibers", "tbb"}), "");
    EXPECT_EQ(closest("go", {}), "");
}

TEST(Closest, TakesAnAbbreviation) {
    EXPECT_EQ(closest("corout", {"fibers", "coroutines", "tbb", "threads"}), "coroutines");
    EXPECT_EQ(closest("workshop-pipe", {"workshop", "workshop-pipeline"}), "workshop-pipeline");
}

TEST(Closest, ShortWordsAllowOneEdit) {
    EXPECT_EQ(closest("tbbb", {"fibers", "tbb", "threads"}), "tbb");
    EXPECT_EQ(closest("swep", {"list", "run", "sweep", "show"}), "sweep");
    EXPECT_EQ(closest("rnn", {"run"}), "run");
    EXPECT_EQ(closest("xyz", {"run"}), "");
}

TEST(DidYouMean, IsAParenthesisOrNothing) {
    EXPECT_EQ(did_you_mean("fiber", {"fibers", "tbb"}), " (did you mean fibers?)");
    EXPECT_EQ(did_you_mean("zzzzzz", {"fibers", "tbb"}), "");
}

}  // namespace
}  // namespace conclab
