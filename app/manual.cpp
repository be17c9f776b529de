#include "app/manual.hpp"

#include "app/options.hpp"
#include "scenarios/registry.hpp"
#include "src/kit/model.hpp"
#include "src/runner/sweep.hpp"

#include "conclab_config.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace conclab::cli {
namespace {

// The commands a person sees (hidden ones, in the "" group, are the runner's own).
std::vector<CLI::App const*> visible(CLI::App const& app) {
    return app.get_subcommands([](CLI::App const* sub) { return !sub->get_group().empty(); });
}

// The options a person sees: not hidden, not --help.
std::vector<CLI::Option const*> options_of(CLI::App const& app) {
    auto const* help = app.get_help_ptr();
    return app.get_options([&](CLI::Option const* o) { return o != help && !o->get_group().empty(); });
}

bool is_flag(CLI::Option const& o) { return o.get_type_size_max() == 0; }

// roff: a backslash escaped, a line starting with . or ' kept as text, hyphens in names as minus signs
std::string roff(std::string const& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\e";
        } else {
            out += c;
        }
    }
    std::string lines;
    std::size_t start = 0;
    while (start <= out.size()) {
        auto const end = std::min(out.find('\n', start), out.size());
        auto line = out.substr(start, end - start);
        if (!line.empty() && (line.front() == '.' || line.front() == '\'')) line = "\\&" + line;
        lines += line + (end < out.size() ? "\n" : "");
        start = end + 1;
    }
    return lines;
}

std::string roff_name(std::string const& name) {
    std::string out;
    for (char c : name) out += c == '-' ? std::string{"\\-"} : std::string(1, c);
    return out;
}

// "-o, --output FILE" in bold and italic
std::string option_heading(CLI::Option const& o) {
    std::string names;
    if (o.get_positional()) return "\\fI" + roff_name(o.get_name(true)) + "\\fR";
    for (auto const& s : o.get_snames()) names += (names.empty() ? "" : ", ") + ("\\fB\\-" + s + "\\fR");
    for (auto const& l : o.get_lnames()) names += (names.empty() ? "" : ", ") + ("\\fB" + roff_name("--" + l) + "\\fR");
    if (!is_flag(o) && !o.get_type_name().empty()) names += " \\fI" + roff_name(o.get_type_name()) + "\\fR";
    return names;
}

std::string option_key(CLI::Option const& o) { return o.get_name(true, true); }

std::string options_section(std::vector<CLI::Option const*> const& options) {
    std::string out;
    for (auto const* o : options) out += ".TP\n" + option_heading(*o) + "\n" + roff(o->get_description()) + "\n";
    return out;
}

// A command whose subcommands are the scenarios (run, sweep): the options every scenario has, said once.
bool has_scenarios(CLI::App const& command) {
    auto const subs = visible(command);
    return !subs.empty() && std::all_of(subs.begin(), subs.end(), [](CLI::App const* s) { return find_scenario(s->get_name()) != nullptr; });
}

std::string synopsis(std::string const& path, CLI::App const& command) {
    std::string out = ".SS \"" + roff_name(path) + "\"\n";
    out += roff(command.get_description()) + "\n";
    return out;
}

std::string command_section(std::string const& path, CLI::App const& command) {
    std::string out = synopsis(path, command);
    auto const own = options_of(command);
    if (has_scenarios(command)) {
        auto const subs = visible(command);
        // what every scenario shares, then each scenario's own parameters
        std::map<std::string, int> seen;
        for (auto const* sub : subs) {
            for (auto const* o : options_of(*sub)) ++seen[option_key(*o)];
        }
        std::vector<CLI::Option const*> shared;
        for (auto const* o : options_of(*subs.front())) {
            if (seen[option_key(*o)] == static_cast<int>(subs.size())) shared.push_back(o);
        }
        auto all = own;
        all.insert(all.end(), shared.begin(), shared.end());
        out += ".PP\nOptions of every scenario:\n" + options_section(all);
        for (auto const* sub : subs) {
            std::vector<CLI::Option const*> params;
            for (auto const* o : options_of(*sub)) {
                if (seen[option_key(*o)] != static_cast<int>(subs.size())) params.push_back(o);
            }
            out += ".SS \"" + roff_name(path + " " + sub->get_name()) + "\"\n" + roff(sub->get_description()) + "\n";
            out += options_section(params);
        }
        return out;
    }
    out += options_section(own);
    for (auto const* sub : visible(command)) out += command_section(path + " " + sub->get_name(), *sub);
    return out;
}

// bash: a word list as one single-quoted string
std::string words(std::vector<std::string> const& list) {
    std::string out;
    for (auto const& w : list) out += (out.empty() ? "" : " ") + w;
    return "'" + out + "'";
}

std::vector<std::string> option_names(std::vector<CLI::Option const*> const& options) {
    std::vector<std::string> out;
    for (auto const* o : options) {
        if (o->get_positional()) continue;
        for (auto const& s : o->get_snames()) out.push_back("-" + s);
        for (auto const& l : o->get_lnames()) out.push_back("--" + l);
    }
    out.push_back("--help");
    return out;
}

// "{on,off}" or "{on,off}[,...]" -> on off
std::vector<std::string> choices_of(std::string const& type_name) {
    if (type_name.size() < 2 || type_name.front() != '{') return {};
    auto const close = type_name.find('}');
    if (close == std::string::npos) return {};
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start < close) {
        auto const end = std::min(type_name.find(',', start), close);
        out.push_back(type_name.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

std::string man_page(CLI::App const& app) {
    std::string out;
    out += ".\\\" Generated by `conclab __man` from the command line's own help; do not edit.\n";
    out += ".TH CONCLAB 1 \"\" \"conclab " + std::string{CONCLAB_VERSION} + "\" \"User Commands\"\n";
    out += ".SH NAME\nconclab \\- measure concurrency models (Go-style fibers, async/await, task parallelism, threads) side by side\n";
    out += ".SH SYNOPSIS\n.B conclab\n.I command\n[\\fIoptions\\fR]\n.PP\n";
    for (auto const* command : visible(app)) out += ".B conclab " + roff_name(command->get_name()) + "\n.br\n";
    out += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
    out += ".PP\nThe same scenarios run in four concurrency models (\\fBfibers\\fR, \\fBcoroutines\\fR, \\fBtbb\\fR, "
           "\\fBthreads\\fR) and beside real Go and Rust programs (\\fBgo\\fR, \\fBtokio\\fR, \\fBrayon\\fR, \\fBrust\\-threads\\fR); "
           "every result is verified against the contract's checksums before it is timed.\n";
    out += ".SH GLOBAL OPTIONS\n" + options_section(options_of(app));
    out += ".SH COMMANDS\n";
    for (auto const* command : visible(app)) out += command_section("conclab " + command->get_name(), *command);
    out += ".SH SCENARIOS\n";
    for (auto const* scenario : scenarios()) {
        std::string models;
        for (auto const& id : models_of(*scenario)) models += (models.empty() ? "" : ", ") + id.token();
        out += ".TP\n\\fB" + roff_name(scenario->name) + "\\fR\n" + roff(scenario->summary) + " Models: " + roff_name(models) + ".\n";
    }
    std::string presets;
    for (auto const& name : preset_names()) presets += (presets.empty() ? "" : ", ") + name;
    out += ".PP\nSweep presets (\\fBconclab sweep \\-\\-preset\\fR \\fINAME\\fR): " + roff_name(presets) + ".\n";
    out += ".SH EXIT STATUS\n.TP\n0\nEvery run verified and every file written.\n"
           ".TP\n1\nA run failed, had failed items or a wrong answer, a regression passed \\fB\\-\\-fail\\-on\\-regression\\fR, "
           "or an output could not be written (the results are then kept elsewhere and named).\n"
           ".TP\n2\nBad input: an unknown flag or value, an impossible parameter, an unreadable or malformed file; one line on "
           "standard error names it, and nothing runs.\n"
           ".TP\n128+N\nStopped by signal N (130 for Ctrl\\-C, 143 for SIGTERM); what finished is kept.\n";
    out += ".SH ENVIRONMENT\n"
           ".TP\n\\fBCONCLAB_BASELINES\\fR\nThe directory of named baselines (default "
           "\\fI$XDG_DATA_HOME/conclab/baselines\\fR, or \\fI~/.local/share/conclab/baselines\\fR).\n"
           ".TP\n\\fBCONCLAB_PEERS_DIR\\fR\nWhere the Go and Rust peer programs are (default: beside conclab, or "
           "\\fIPREFIX/libexec/conclab\\fR).\n"
           ".TP\n\\fBCONCLAB_PYTHON\\fR\nThe Python with matplotlib that \\fBconclab report\\fR draws with.\n"
           ".TP\n\\fBNO_COLOR\\fR\nNo colour on a terminal (\\fB\\-\\-color always\\fR overrides it).\n"
           ".TP\n\\fBCOLUMNS\\fR\nThe width \\fBconclab show\\fR lays its columns out in.\n"
           ".TP\n\\fBTMPDIR\\fR\nWhere results go when their own file cannot be written.\n";
    out += ".SH FILES\n.TP\n\\fI$CONCLAB_BASELINES/NAME.json\\fR, \\fINAME.jsonl\\fR\nA named baseline: a run's or a sweep's "
           "results file, copied whole.\n.TP\n\\fIPREFIX/libexec/conclab/conclab_report.py\\fR\nThe report's drawing script.\n";
    out += ".SH SEE ALSO\nThe documentation in the conclab sources: README.md, docs/sweeps.md (sweeps, reports, compare, "
           "baselines), docs/methodology.md (every figure and its limits), docs/contract.md (the scenarios' contract), "
           "docs/workshop/ (a guided workshop).\n";
    return out;
}

std::string bash_completion(CLI::App const& app) {
    std::vector<std::string> commands, scenario_names_list, presets = preset_names();
    for (auto const* command : visible(app)) commands.push_back(command->get_name());
    for (auto const* scenario : scenarios()) scenario_names_list.push_back(scenario->name);
    std::string out;
    out += "# bash completion for conclab. Generated by `conclab __completion` from its command line; do not edit.\n";
    out += "_conclab_baselines() {\n"
           "    local dir=\"${CONCLAB_BASELINES:-${XDG_DATA_HOME:-$HOME/.local/share}/conclab/baselines}\" f names=\n"
           "    for f in \"$dir\"/*.json \"$dir\"/*.jsonl; do [[ -f $f ]] && { f=${f##*/}; names+=\" ${f%.*}\"; }; done\n"
           "    printf '%s' \"$names\"\n"
           "}\n";
    out += "_conclab() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} command= scenario= i\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        case ${COMP_WORDS[i]} in -*) continue ;; esac\n"
           "        if [[ -z $command ]]; then command=${COMP_WORDS[i]}\n"
           "        elif [[ -z $scenario && ( $command == run || $command == sweep || $command == show ) ]]; then\n"
           "            case \" " + words(scenario_names_list).substr(1, words(scenario_names_list).size() - 2) +
               " \" in *\" ${COMP_WORDS[i]} \"*) scenario=${COMP_WORDS[i]} ;; esac\n"
           "        fi\n"
           "    done\n"
           "    local values=\n"
           "    case $prev in\n"
           "        -o|--output|--json|--csv|--md|--grid|--slurm) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
           "        --baseline) COMPREPLY=($(compgen -W \"$(_conclab_baselines)\" -- \"$cur\")); return ;;\n"
           "        --preset) values=" + words(presets) + " ;;\n"
           "        --color|--colour) values='never auto always' ;;\n";
    // each scenario's models (for --models, comma-separated) and choice parameters
    out += "        --models)\n            case $scenario in\n";
    std::set<std::string> every_model;
    for (auto const* scenario : scenarios()) {
        std::vector<std::string> tokens;
        for (auto const& id : models_of(*scenario)) {
            tokens.push_back(id.token());
            every_model.insert(id.token());
        }
        out += "                " + scenario->name + ") values=" + words(tokens) + " ;;\n";
    }
    out += "                *) values=" + words({every_model.begin(), every_model.end()}) + " ;;\n            esac\n"
           "            local done_part=${cur%,*}\n"
           "            if [[ $cur == *,* ]]; then\n"
           "                COMPREPLY=($(compgen -W \"$values\" -P \"$done_part,\" -- \"${cur##*,}\"))\n"
           "            else\n"
           "                COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))\n"
           "            fi\n"
           "            return ;;\n";
    std::map<std::string, std::vector<std::string>> choices;  // --flag -> its values (the same in every scenario)
    for (auto const* command : visible(app)) {
        for (auto const* sub : visible(*command)) {
            for (auto const* o : options_of(*sub)) {
                auto const values = choices_of(o->get_type_name());
                if (values.empty() || o->get_lnames().empty()) continue;
                choices["--" + o->get_lnames().front()] = values;
            }
        }
    }
    for (auto const& [flag_name, values] : choices) out += "        " + flag_name + ") values=" + words(values) + " ;;\n";
    out += "    esac\n"
           "    if [[ -n $values ]]; then COMPREPLY=($(compgen -W \"$values\" -- \"$cur\")); return; fi\n";
    // what comes next: a command, a scenario, an option of the command (and scenario), or a file
    out += "    if [[ -z $command ]]; then\n"
           "        COMPREPLY=($(compgen -W " + words(commands) + "\" $([[ $cur == -* ]] && echo " +
           words(option_names(options_of(app))).substr(1, words(option_names(options_of(app))).size() - 2) + ")\" -- \"$cur\"))\n"
           "        return\n"
           "    fi\n"
           "    local options=\n"
           "    case \"$command $scenario\" in\n";
    for (auto const* command : visible(app)) {
        auto const name = command->get_name();
        auto const own = option_names(options_of(*command));
        for (auto const* sub : visible(*command)) {
            auto both = own;
            for (auto const& n : option_names(options_of(*sub))) both.push_back(n);
            out += "        \"" + name + " " + sub->get_name() + "\") options=" + words(both) + " ;;\n";
        }
        out += "        \"" + name + " \"*) options=" + words(own) + " ;;\n";
    }
    out += "    esac\n"
           "    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$options\" -- \"$cur\")); return; fi\n"
           "    case $command in\n"
           "        run|show) [[ -z $scenario ]] && COMPREPLY=($(compgen -W " + words(scenario_names_list) + " -- \"$cur\")) ;;\n"
           "        sweep) [[ -z $scenario ]] && COMPREPLY=($(compgen -W " + words(scenario_names_list) + " -- \"$cur\")) ;;\n"
           "        baselines) COMPREPLY=($(compgen -W 'save delete' -- \"$cur\")) ;;\n"
           "        compare|report|claims|calibration|merge) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
           "    esac\n"
           "}\n"
           "complete -F _conclab conclab\n";
    return out;
}

}  // namespace conclab::cli
