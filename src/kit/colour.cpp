#include "src/kit/colour.hpp"

#include "src/kit/params.hpp"

#include <atomic>
#include <cstdlib>

#include <unistd.h>

namespace conclab::colour {
namespace {
std::atomic<Mode> chosen{Mode::automatic};
}

Mode parse_mode(std::string_view text) {
    if (text == "never") return Mode::never;
    if (text == "auto") return Mode::automatic;
    if (text == "always") return Mode::always;
    throw UsageError{"--color expects never, auto or always, got '" + std::string{text} + "'"};
}

bool decide(Mode mode, bool is_terminal, char const* no_color, char const* term) noexcept {
    switch (mode) {
        case Mode::never: return false;
        case Mode::always: return true;
        case Mode::automatic: break;
    }
    if (!is_terminal) return false;
    if (no_color != nullptr && *no_color != '\0') return false;
    return term == nullptr || std::string_view{term} != "dumb";
}

void set_mode(Mode mode) noexcept { chosen.store(mode, std::memory_order_relaxed); }

bool on(std::FILE* stream) noexcept {
    return decide(chosen.load(std::memory_order_relaxed), ::isatty(::fileno(stream)) == 1, std::getenv("NO_COLOR"),
                  std::getenv("TERM"));
}

std::string paint(std::string_view text, Style style, bool enabled) {
    if (!enabled || text.empty()) return std::string{text};
    char const* code = "";
    switch (style) {
        case Style::bold: code = "\033[1m"; break;
        case Style::red: code = "\033[1;31m"; break;
        case Style::green: code = "\033[32m"; break;
        case Style::yellow: code = "\033[33m"; break;
    }
    return code + std::string{text} + "\033[0m";
}

}  // namespace conclab::colour
