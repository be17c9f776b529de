// The target's address: `--target http://host:port` parsed and resolved.
#include "scenarios/url_fetch/client.hpp"

#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace conclab::url_fetch {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string Endpoint::url() const {
    bool const v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Endpoint resolve_url(std::string_view url) {
    auto const fail = [&](std::string const& what) {
        return std::invalid_argument{"--target '" + std::string{url} + "': " + what +
                                     "; expected http://HOST:PORT (e.g. http://127.0.0.1:8080)"};
    };
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) throw fail("only http:// is supported");
    auto rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) throw fail("the contract's paths are at the server's root: give no path");
    Endpoint endpoint;
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
        auto const close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') throw fail("bad [IPv6]:PORT");
        endpoint.host = std::string{rest.substr(1, close - 1)};
        port_text = rest.substr(close + 2);
    } else {
        auto const colon = rest.rfind(':');
        if (colon == std::string_view::npos) throw fail("no port");
        endpoint.host = std::string{rest.substr(0, colon)};
        port_text = rest.substr(colon + 1);
    }
    if (endpoint.host.empty()) throw fail("no host");
    auto const port = parse_port(port_text);
    if (!port) throw fail("the port must be a number from 1 to 65535");
    endpoint.port = *port;

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int const status = ::getaddrinfo(endpoint.host.c_str(), std::string{port_text}.c_str(), &hints, &found);
    if (status != 0 || found == nullptr) throw fail("cannot resolve " + endpoint.host + " (" + ::gai_strerror(status) + ")");
    std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
    endpoint.length = found->ai_addrlen;
    ::freeaddrinfo(found);
    return endpoint;
}

}  // namespace conclab::url_fetch
