#include "src/kit/colour.hpp"

#include "src/kit/params.hpp"

#include <atomic>
#include <cstdlib>

#include <sys/ioctl.h>
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

std::size_t decide_width(std::size_t terminal_columns, char const* columns_variable) noexcept {
    if (terminal_columns > 0) return terminal_columns;
    if (columns_variable == nullptr) return 0;
    char* end = nullptr;
    auto const value = std::strtoul(columns_variable, &end, 10);
    return end != columns_variable && *end == '\0' && value > 0 && value <= 1000 ? value : 0;
}

std::size_t terminal_width(std::FILE* stream) noexcept {
    winsize size{};
    int const fd = ::fileno(stream);
    std::size_t const columns = ::isatty(fd) == 1 && ::ioctl(fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    return decide_width(columns, std::getenv("COLUMNS"));
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
