// The man page and the bash completion of conclab, generated from the
// command line itself (its CLI11 commands, options and help texts, the
// scenarios, models and presets), so that neither can drift from --help.
// `meson install` installs both: conclab.1 in MANDIR/man1 and the
// completion in DATADIR/bash-completion/completions/conclab.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace conclab::cli {

/// conclab(1) in roff (man's format): every visible command with its
/// options and their help, the scenarios' parameters, exit status,
/// environment and files.
std::string man_page(CLI::App const& app);

/// A bash completion script (`complete -F _conclab conclab`): commands,
/// scenarios, each command's and scenario's options, the values of
/// --models, --preset, choice parameters and --baseline (the saved
/// baselines' names, read when completing), files where a file goes.
std::string bash_completion(CLI::App const& app);

}  // namespace conclab::cli
