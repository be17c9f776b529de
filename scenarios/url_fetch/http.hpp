// The HTTP steps every url-fetch client takes, on Beast's types: build the
// request, check the answer's header, check the body. Included by the two
// client implementations only (client.cpp: blocking; coroutines.cpp: async),
// so Beast stays out of everything else.
#pragma once

#include "scenarios/url_fetch/client.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>

namespace conclab::url_fetch::http {
namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::empty_body>;
using Parser = beast_http::response_parser<beast_http::string_body>;

/// GET /item/{i}?size={S}&delay_us={D}, with Host and keep-alive as planned.
Request make_request(RequestPlan const& plan, std::uint64_t index, std::uint64_t delay_us);

/// Readies a parser for an answer: no body limit while the header is read
/// (Beast would refuse a 500 whose text is longer than the size asked for,
/// before its status can be seen); check_header then accepts only a body of
/// exactly the size asked for, so no longer body is ever read.
void prepare(Parser& parser);

/// After the header: a fault (non-200, wrong length) or nullopt to go on
/// reading the body.
std::optional<Fault> check_header(Parser const& parser, RequestPlan const& plan, std::string& detail);

/// After the body: fills the checksum and bytes of `out`, or its fault.
void check_body(Parser const& parser, std::uint64_t expected_checksum, Fetched& out);

}  // namespace conclab::url_fetch::http
