// `conclab show`: model files split at their role tags, the roles lined up
// across files, columns that fit the width; and the tags every model file
// must carry, read from the files compiled into the binary.
#include "scenarios/listings.hpp"
#include "src/results/listing.hpp"

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
    for (std::size_t width : {std::size_t{43}, std::size_t{60}, std::size_t{120}}) {
        auto const text = side_by_side({{"a: a.cpp", file_a}, {"b: b.cpp", file_b}}, width);  // 43: the narrowest for two
        auto const lines = lines_of(text);
        for (auto const& line : lines) EXPECT_LE(display_width(line), width) << line;
        std::vector<std::string> rules;
        for (auto const& line : lines) {
            if (line.starts_with("──")) rules.push_back(line.substr(0, line.find(' ', std::string_view{"──"}.size() + 1)));
        }
        EXPECT_EQ(rules, (std::vector<std::string>{"── head", "── [worker]", "── [closer]", "── [run]"})) << text;
    }
    // a: has no closer: its column is empty beside b's
    auto const lines = lines_of(side_by_side({{"a", file_a}, {"b", file_b}}, 80));
    auto const closer = std::find_if(lines.begin(), lines.end(), [](std::string const& l) { return l.starts_with("── [closer]"); });
    ASSERT_NE(closer, lines.end());
    EXPECT_TRUE((closer + 1)->starts_with(std::string(38, ' ') + " │ // [closer] closes")) << *(closer + 1);
}

TEST(SideBySide, WrapsALongLineAtASpaceAndIndentsTheRest) {
    auto const text = side_by_side({{"a", "// [run]\n    call(first_argument, second_argument);\n"}}, 26);
    auto const lines = lines_of(text);
    EXPECT_NE(std::find(lines.begin(), lines.end(), "    call(first_argument,"), lines.end()) << text;
    EXPECT_NE(std::find(lines.begin(), lines.end(), "        second_argument);"), lines.end()) << text;
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
    EXPECT_NE(html.find("<pre>// [worker] takes jobs\nvoid worker() {\n    job();\n}</pre>"), std::string::npos) << html;
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

// The role tags each model file must carry (the listings line up on them,
// and text about the models names them): a file that loses one fails here.
TEST(Listings, EveryModelFileCarriesItsScenariosRoleTags) {
    std::map<std::string, std::map<std::string, std::set<std::string>>> const expected{
        {"worker-pool", {{"fibers", {"worker", "closer", "producer", "collector", "run"}},
                         {"coroutines", {"worker", "closer", "producer", "collector", "run"}},
                         {"tbb", {"worker", "producer", "collector", "run"}},
                         {"threads", {"worker", "closer", "producer", "collector", "run"}}}},
        {"url-fetch", {{"fibers", {"worker", "wait", "run"}},
                       {"coroutines", {"worker", "run"}},
                       {"tbb", {"worker", "producer", "run"}},
                       {"threads", {"worker", "run"}}}},
        {"task-tree", {{"fibers", {"child", "node", "run"}},
                       {"coroutines", {"child", "node", "run"}},
                       {"tbb", {"node", "run"}},
                       {"threads", {"child", "node", "run"}}}},
        {"idle-tasks", {{"fibers", {"task", "launcher", "run"}},
                        {"coroutines", {"task", "launcher", "run"}},
                        {"tbb", {"task", "launcher", "run"}},
                        {"threads", {"task", "launcher", "run"}}}},
        {"pipeline", {{"fibers", {"generate", "transform", "closer", "aggregate", "run"}},
                      {"coroutines", {"generate", "transform", "closer", "aggregate", "run"}},
                      {"tbb", {"generate", "transform", "aggregate", "run"}},
                      {"threads", {"generate", "transform", "closer", "aggregate", "run"}}}},
    };
    std::size_t files = 0;
    for (auto const& l : listings()) {
        ++files;
        std::set<std::string> roles;
        for (auto const& section : listing::split(l.text)) {
            if (!section.role.empty()) {
                EXPECT_TRUE(roles.insert(section.role).second) << l.path << ": [" << section.role << "] twice";
            }
        }
        auto const scenario = expected.find(std::string{l.scenario});
        ASSERT_NE(scenario, expected.end()) << l.path;
        auto const model = scenario->second.find(std::string{l.model});
        ASSERT_NE(model, scenario->second.end()) << l.path;
        EXPECT_EQ(roles, model->second) << l.path;
    }
    EXPECT_EQ(files, 20U) << "five scenarios, four models";
}

}  // namespace conclab::listing
