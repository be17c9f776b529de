// libFuzzer target: what the fetch target server does with a request's
// bytes. The bytes go through Beast's request parser with the server's
// header limit, and its target (or the raw bytes) through the contract's
// parse_target. Nothing may crash, a bad request must be a 400 or a 404,
// and an item request must survive a round trip through item_target.
// Build and run: ./setup.sh fuzz [seconds] (clang's libFuzzer, ASan, UBSan).
#include "scenarios/url_fetch/server.hpp"
#include "scenarios/url_fetch/target.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
using namespace conclab::url_fetch;

void check_target(std::string_view target) {
    auto const request = parse_target(target);
    if (auto const* bad = std::get_if<BadRequest>(&request)) {
        if (bad->status != 400 && bad->status != 404) std::abort();
        if (bad->reason.empty()) std::abort();
    } else if (auto const* item = std::get_if<ItemRequest>(&request)) {
        auto const again = parse_target(item_target(item->index, item->size, item->delay_us));
        auto const* same = std::get_if<ItemRequest>(&again);
        if (same == nullptr || same->index != item->index || same->size != item->size || same->delay_us != item->delay_us) {
            std::abort();
        }
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const text{reinterpret_cast<char const*>(data), size};
    check_target(text);

    boost::beast::http::request_parser<boost::beast::http::empty_body> parser;
    parser.header_limit(max_header_bytes);
    boost::beast::error_code error;
    std::size_t used = 0;
    while (used < size && !error && !parser.is_done()) {
        auto const n = parser.put(boost::asio::buffer(data + used, size - used), error);
        if (n == 0) break;  // needs more bytes than there are
        used += n;
    }
    if (parser.is_header_done()) {
        auto const target = parser.get().target();
        check_target(std::string_view{target.data(), target.size()});
    }
    return 0;
}
