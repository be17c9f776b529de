// What every client asks and checks, on Beast's types (http.hpp), and how a
// failed step becomes a fault of a kind.
#include "scenarios/url_fetch/http.hpp"

#include "scenarios/contract.hpp"
#include "scenarios/url_fetch/target.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include <string>

namespace conclab::url_fetch {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using boost::system::error_code;

std::string_view to_string(Fault fault) noexcept {
    switch (fault) {
        case Fault::none: return "none";
        case Fault::connect: return "connect";
        case Fault::timeout: return "timeout";
        case Fault::http_status: return "http_status";
        case Fault::short_body: return "short_body";
        case Fault::protocol: return "protocol";
        case Fault::checksum: return "checksum";
    }
    return "none";
}

Fault classify(error_code const& error, bool connecting) noexcept {
    if (error == beast::error::timeout) return Fault::timeout;
    if (connecting) return Fault::connect;
    if (error == beast_http::error::end_of_stream || error == beast_http::error::partial_message) return Fault::short_body;
    if (error.category() == beast_http::make_error_code(beast_http::error::end_of_stream).category()) return Fault::protocol;
    return Fault::short_body;  // eof, reset, broken pipe...: the connection ended under the request
}

namespace http {

Request make_request(RequestPlan const& plan, std::uint64_t index, std::uint64_t delay_us) {
    Request request{beast_http::verb::get, item_target(index, plan.size, delay_us), 11};
    request.set(beast_http::field::host, plan.target->host + ":" + std::to_string(plan.target->port));
    request.keep_alive(plan.keepalive);
    return request;
}

void prepare(Parser& parser) { parser.body_limit(boost::none); }

std::optional<Fault> check_header(Parser const& parser, RequestPlan const& plan, std::string& detail) {
    auto const& response = parser.get();
    if (response.result() != beast_http::status::ok) {
        detail = "HTTP " + std::to_string(response.result_int());
        return Fault::http_status;
    }
    if (parser.content_length() != plan.size) {
        detail = "Content-Length is not the size asked for (" + std::to_string(plan.size) + ")";
        return Fault::protocol;
    }
    return std::nullopt;
}

void check_body(Parser const& parser, std::uint64_t expected_checksum, Fetched& out) {
    auto const& body = parser.get().body();
    out.checksum = contract::fnv1a({reinterpret_cast<unsigned char const*>(body.data()), body.size()});
    if (out.checksum != expected_checksum) {
        out.fault = Fault::checksum;
        out.detail = "the body differs from the contract's bytes";
        return;
    }
    out.bytes = body.size();
}

}  // namespace http

}  // namespace conclab::url_fetch
