// When conclab colours its output (src/kit/colour.hpp): the decision with the
// terminal and the environment injected, and what painting does to text.
#include "src/kit/colour.hpp"
#include "src/kit/params.hpp"

#include <gtest/gtest.h>

namespace {
using conclab::colour::decide;
using conclab::colour::decide_width;
using conclab::colour::Mode;
using conclab::colour::paint;
using conclab::colour::parse_mode;
using conclab::colour::Style;

TEST(Colour, AutoColoursOnlyATerminal) {
    EXPECT_TRUE(decide(Mode::automatic, true, nullptr, "xterm-256color"));
    EXPECT_TRUE(decide(Mode::automatic, true, nullptr, nullptr));
    EXPECT_FALSE(decide(Mode::automatic, false, nullptr, "xterm-256color"));  // a pipe or a file
}

TEST(Colour, NoColorAndDumbTerminalsTurnAutoOff) {
    EXPECT_FALSE(decide(Mode::automatic, true, "1", "xterm"));
    EXPECT_FALSE(decide(Mode::automatic, true, "anything", "xterm"));
    EXPECT_TRUE(decide(Mode::automatic, true, "", "xterm")) << "NO_COLOR set but empty does not count (no-color.org)";
    EXPECT_FALSE(decide(Mode::automatic, true, nullptr, "dumb"));
}

TEST(Colour, AnExplicitFlagOverridesTheEnvironment) {
    EXPECT_TRUE(decide(Mode::always, false, "1", "dumb"));
    EXPECT_FALSE(decide(Mode::never, true, nullptr, "xterm"));
}

TEST(Colour, ModesAreParsedAndOthersRefusedByName) {
    EXPECT_EQ(parse_mode("never"), Mode::never);
    EXPECT_EQ(parse_mode("auto"), Mode::automatic);
    EXPECT_EQ(parse_mode("always"), Mode::always);
    try {
        parse_mode("sometimes");
        FAIL() << "accepted 'sometimes'";
    } catch (conclab::UsageError const& e) {
        EXPECT_STREQ(e.what(), "--color expects never, auto or always, got 'sometimes'");
    }
}

TEST(Colour, TheWidthIsTheTerminalsElseColumnsElseNone) {
    EXPECT_EQ(decide_width(132, "80"), 132U) << "the terminal's own width first";
    EXPECT_EQ(decide_width(0, "80"), 80U) << "not a terminal: $COLUMNS";
    EXPECT_EQ(decide_width(0, nullptr), 0U) << "a pipe with no COLUMNS: no width to keep to";
    for (char const* bad : {"", "wide", "0", "-5", "80x", "100000"}) EXPECT_EQ(decide_width(0, bad), 0U) << bad;
}

TEST(Colour, PaintingWrapsTheTextAndOnlyWhenOn) {
    EXPECT_EQ(paint("error:", Style::red, false), "error:");
    EXPECT_EQ(paint("error:", Style::red, true), "\033[1;31merror:\033[0m");
    EXPECT_EQ(paint("model", Style::bold, true), "\033[1mmodel\033[0m");
    EXPECT_EQ(paint("", Style::green, true), "") << "nothing to paint, no codes";
}

}  // namespace
