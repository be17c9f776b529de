// `conclab show`: model files split at their role tags, the roles lined up
// across files, columns that fit the width; and the tags every model file
// must carry, read from the files compiled into the binary.
#include "scenarios/listings.hpp"
#include "scenarios/registry.hpp"
#include "src/results/listing.hpp"
#include "src/results/table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace conclab::listing {
namespace {

constexpr std::string_view file_a =
    "// A: the head comment\n"
    "// of two lines\n"
    "#include \"x.hpp\"\n"
    "\n"
    "namespace n {\n"
    "// [worker] takes jobs\n"
    "void worker() {\n"
    "\tjob();\n"
    "}\n"
    "\n"
    "// [run]\n"
    "void run() {}\n";

constexpr std::string_view file_b =
    "// B\n"
    "// [worker] does it differently\n"
    "void worker() {}\n"
    "// [closer] closes\n"
    "void closer() {}\n"
    "// [run]\n"
    "void run() {}\n";

TEST(Split, CutsAtRoleTagsAndKeepsOnlyTheHeadsComment) {
    auto const sections = split(file_a);
    ASSERT_EQ(sections.size(), 3U);
    EXPECT_EQ(sections[0].role, "");
    EXPECT_EQ(sections[0].lines, (std::vector<std::string>{"// A: the head comment", "// of two lines"}));
    EXPECT_EQ(sections[1].role, "worker");
    EXPECT_EQ(sections[1].lines,
              (std::vector<std::string>{"// [worker] takes jobs", "void worker() {", "    job();", "}"}));  // tab expanded, blank dropped
    EXPECT_EQ(sections[2].role, "run");
}

TEST(Split, TakesOnlyTagsOfLowercaseNames) {
    auto const sections = split("// [Not a tag]\n// [also not\nx[0] = 1;  // [i]\n// [ok]\n");
    ASSERT_EQ(sections.size(), 2U);
    EXPECT_EQ(sections[1].role, "ok");
}

TEST(RoleOrder, KeepsEachFilesOrder) {
    auto const order = role_order({split(file_a), split(file_b)});
    EXPECT_EQ(order, (std::vector<std::string>{"", "worker", "closer", "run"}));
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(SideBySide, FitsTheWidthAndLinesUpTheRoles) {
    for (std::size_t width : {std::size_t{43}, std::size_t{70}, std::size_t{120}}) {
        auto const text = side_by_side({{"a: a.cpp", file_a}, {"b: b.cpp", file_b}}, width);  // 43: the narrowest for two
        auto const lines = lines_of(text);
        for (auto const& line : lines) EXPECT_LE(display_width(line), width) << line;
        std::vector<std::string> rules;
        for (auto const& line : lines) {
            if (line.starts_with("──")) rules.push_back(line.substr(0, line.find(' ', std::string_view{"──"}.size() + 1)));
        }
        std::vector<std::string> const once{"── head", "── [worker]", "── [closer]", "── [run]"};
        if (width >= 70) {
            EXPECT_EQ(rules, once) << text;
        } else {  // columns under 32 wide: one after the other, each headed by its model (issue 36: not cut mid-word)
            auto twice = once;
            twice.insert(twice.end(), once.begin(), once.end());
            EXPECT_EQ(rules, twice) << text;
            EXPECT_TRUE(text.starts_with("══ a (1 of 2) ══")) << text;
            EXPECT_NE(text.find("\n══ b (2 of 2) ══"), std::string::npos) << text;
        }
    }
    // a: has no closer: its column is empty beside b's
    auto const lines = lines_of(side_by_side({{"a", file_a}, {"b", file_b}}, 80));
    auto const closer = std::find_if(lines.begin(), lines.end(), [](std::string const& l) { return l.starts_with("── [closer]"); });
    ASSERT_NE(closer, lines.end());
    EXPECT_TRUE((closer + 1)->starts_with(std::string(38, ' ') + " │   // [closer] closes")) << *(closer + 1);
}

TEST(SideBySide, MarksTheCodeThatDiffersAndNeverComments) {
    auto const lines = lines_of(side_by_side({{"a", file_a}, {"b", file_b}}, 80));
    auto const line_with = [&](std::string const& text) {
        auto const found = std::find_if(lines.begin(), lines.end(), [&](std::string const& l) { return l.find(text) != std::string::npos; });
        return found == lines.end() ? std::string{} : *found;
    };
    // a's worker is "void worker() {", b's "void worker() {}": both differ; run() is alike; comments and "}" never marked
    EXPECT_TRUE(line_with("void worker() {").starts_with("+ void worker() {")) << line_with("void worker() {");
    EXPECT_NE(line_with("void worker() {}").find(" │ + void worker() {}"), std::string::npos);
    EXPECT_TRUE(line_with("void run() {}").starts_with("  void run() {}")) << line_with("void run() {}");
    EXPECT_NE(line_with("void run() {}").find(" │   void run() {}"), std::string::npos);
    EXPECT_TRUE(line_with("// A: the head").starts_with("  // A: the head"));
    EXPECT_EQ(lines.back(), "+ code that not every other model has in that role: where the models differ");
    // coloured, the mark is yellow and nothing else changes
    auto const painted = side_by_side({{"a", file_a}, {"b", file_b}}, 80, true);
    EXPECT_NE(painted.find("\033[33m+\033[0m void worker() {"), std::string::npos) << painted;
}

TEST(SideBySide, WrapsALongLineAtASpaceAndIndentsTheRest) {
    auto const text = side_by_side({{"a", "// [run]\n    call(first_argument, second_argument);\n"}}, 28);
    auto const lines = lines_of(text);
    EXPECT_NE(std::find(lines.begin(), lines.end(), "      call(first_argument,"), lines.end()) << text;
    EXPECT_NE(std::find(lines.begin(), lines.end(), "          second_argument);"), lines.end()) << text;
}

TEST(HtmlTable, LinesUpTheRolesEscapesAndHasNoBlankLine) {
    auto const html = html_table({{"a: a.cpp", file_a}, {"b: <b>.cpp", file_b}});
    EXPECT_TRUE(html.starts_with("<table class=\"listing\">\n<tr><th>a: a.cpp</th><th>b: &lt;b&gt;.cpp</th></tr>\n")) << html;
    auto const worker = html.find("<b>[worker]</b>");
    auto const closer = html.find("<b>[closer]</b>");
    auto const run = html.find("<b>[run]</b>");
    ASSERT_NE(worker, std::string::npos);
    EXPECT_LT(worker, closer);
    EXPECT_LT(closer, run);
    EXPECT_NE(html.find("<td colspan=\"2\"><b>head</b></td>"), std::string::npos);
    // a's worker: the tab expanded; the blank line kept as a space a Markdown block does not end at
    // the code that differs between them marked (<mark>), comments and brackets not
    EXPECT_NE(html.find("<pre>// [worker] takes jobs\n<mark>void worker() {</mark>\n<mark>    job();</mark>\n}</pre>"), std::string::npos) << html;
    EXPECT_NE(html.find("<pre>// [run]\nvoid run() {}</pre>"), std::string::npos) << "alike in both: not marked\n" << html;
    EXPECT_NE(html.find("<td valign=\"top\"><pre></pre></td>"), std::string::npos) << "a has no [closer]: an empty cell";
    EXPECT_EQ(html.find("\n\n"), std::string::npos) << "a blank line would end the HTML block in Markdown";
    EXPECT_TRUE(html.ends_with("</table>\n"));
    auto const blank = html_table({{"x", "// [run]\nint a;\n\nint b;\n"}});
    EXPECT_NE(blank.find("int a;\n&nbsp;\nint b;"), std::string::npos) << blank;
    EXPECT_EQ(escape_html("a<b && \"c\">"), "a&lt;b &amp;&amp; &quot;c&quot;&gt;");
}

TEST(Narrowest, IsTwentyAColumnAndTheSeparators) {
    EXPECT_EQ(narrowest(1), 20U);
    EXPECT_EQ(narrowest(4), 4 * 20 + 3 * 3U);
}

}  // namespace

// The role tags the model files carry (the listings line up on them, and
// text about the models names them), by rules every scenario of the
// registry must keep: a file per scenario and model, each role once, [run]
// last, and the control group's roles (threads) found in the fibers and
// coroutines files too, so that a file that loses a role fails here.
TEST(Listings, EveryModelFileCarriesItsScenariosRoleTags) {
    std::map<std::string, std::map<std::string, std::vector<std::string>>> roles;  // scenario -> model -> roles in order
    for (auto const& l : listings()) {
        auto& mine = roles[std::string{l.scenario}][std::string{l.model}];
        EXPECT_TRUE(mine.empty()) << l.path << " listed twice";
        for (auto const& section : listing::split(l.text)) {
            if (section.role.empty()) continue;
            EXPECT_EQ(std::count(mine.begin(), mine.end(), section.role), 0) << l.path << ": [" << section.role << "] twice";
            mine.push_back(section.role);
        }
        ASSERT_GE(mine.size(), 2U) << l.path << ": a [run] and the roles it starts";
        EXPECT_EQ(mine.back(), "run") << l.path << ": [run], the entry point, comes last";
    }
    EXPECT_EQ(roles.size(), scenarios().size()) << "every scenario of the registry is listed";
    for (auto const* scenario : scenarios()) {
        auto const& by_model = roles[scenario->name];
        EXPECT_EQ(by_model.size(), all_models.size()) << scenario->name << ": one file per model";
        if (by_model.count("threads") == 0) continue;
        for (auto const& role : by_model.at("threads")) {
            for (auto const* model : {"fibers", "coroutines"}) {
                auto const& theirs = by_model.at(model);
                EXPECT_NE(std::find(theirs.begin(), theirs.end(), role), theirs.end())
                    << scenario->name << "/" << model << ".cpp has no [" << role << "], which threads.cpp has";
            }
        }
    }
}

TEST(Wrap, BreaksLongLinesAtSpacesAndIndentsTheRest) {
    EXPECT_EQ(wrap("short line\nanother", 20), "short line\nanother") << "lines that fit stay as they are";
    EXPECT_EQ(wrap("one two three four five", 11), "one two\n  three\n  four five");
    EXPECT_EQ(wrap("  fibers: a b c d e f", 12), "  fibers: a\n    b c d e\n    f") << "under the line's own indent";
    EXPECT_EQ(wrap("averyveryverylongword and more", 10), "averyveryverylongword\n  and more") << "a word is never cut";
    EXPECT_EQ(wrap("µs µs µs µs", 5), "µs µs\n  µs\n  µs") << "characters, not bytes";
    EXPECT_EQ(wrap("\033[33mwarning:\033[0m a b", 12), "\033[33mwarning:\033[0m a b") << "escape codes take no width";
    EXPECT_EQ(wrap("anything at all", 0), "anything at all") << "0: no width to keep to";
    EXPECT_EQ(text_width("ab\n\033[1mabcd\033[0m\nµµµ"), 4U);
}

}  // namespace conclab::listing
