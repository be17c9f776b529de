// What the url-fetch clients do with a socket of their own, below HTTP:
// Beast's stream concepts over a non-blocking descriptor, and a
// non-blocking connect. Included by the client implementations only
// (client.cpp: blocking; async_connection.cpp: coroutines).
#pragma once

#include "scenarios/url_fetch/client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <cerrno>
#include <cstddef>
#include <string>

#include <sys/socket.h>
#include <sys/uio.h>

namespace conclab::url_fetch {

/// A connection being made: the descriptor (-1 if none could be opened),
/// whether the connect is still in progress (wait until writable, then ask
/// connect_failure), and what failed, if anything.
struct Connecting {
    int fd = -1;
    bool in_progress = false;
    std::string failure;
};
/// Opens a non-blocking TCP socket (TCP_NODELAY) and starts connecting to `target`.
Connecting start_connect(Endpoint const& target);
/// After an in-progress connect made the socket writable: why it failed, or empty.
std::string connect_failure(int fd);

/// Beast's SyncReadStream and SyncWriteStream over a non-blocking socket.
/// With a SocketWait, every EAGAIN waits through it until the deadline
/// (then beast::error::timeout). Without one, EAGAIN is returned at once
/// as asio::error::would_block, for a caller that waits its own way (the
/// coroutines model) and calls again: Beast's parser and serializer keep
/// their place, and the buffer what was read.
class FdStream {
public:
    FdStream(int fd, SocketWait* wait, Clock::time_point deadline) noexcept : fd_{fd}, wait_{wait}, deadline_{deadline} {}

    template <class Buffers>
    std::size_t read_some(Buffers const& buffers, boost::system::error_code& ec) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
            boost::asio::mutable_buffer const buffer = *it;
            if (buffer.size() == 0) continue;
            for (;;) {
                ssize_t const n = ::recv(fd_, buffer.data(), buffer.size(), 0);
                if (n > 0) {
                    ec = {};
                    return static_cast<std::size_t>(n);
                }
                if (n == 0) {
                    ec = boost::asio::error::eof;
                    return 0;
                }
                if (!retry(SocketWait::Direction::read, ec)) return 0;
            }
        }
        ec = {};
        return 0;
    }

    template <class Buffers>
    std::size_t write_some(Buffers const& buffers, boost::system::error_code& ec) {
        iovec vectors[16];
        std::size_t count = 0;
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers) && count < 16; ++it) {
            boost::asio::const_buffer const buffer = *it;
            vectors[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
        }
        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = count;
        for (;;) {
            ssize_t const n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
            if (n >= 0) {
                ec = {};
                return static_cast<std::size_t>(n);
            }
            if (!retry(SocketWait::Direction::write, ec)) return 0;
        }
    }

    // the throwing forms complete the stream concepts; Beast's calls with an error_code use the ones above
    template <class Buffers>
    std::size_t read_some(Buffers const& buffers) {
        boost::system::error_code ec;
        auto const n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error{ec};
        return n;
    }
    template <class Buffers>
    std::size_t write_some(Buffers const& buffers) {
        boost::system::error_code ec;
        auto const n = write_some(buffers, ec);
        if (ec) throw boost::system::system_error{ec};
        return n;
    }

private:
    /// After a call failed (errno): true to call again (interrupted, or the
    /// socket became ready); false with `ec` saying why not.
    bool retry(SocketWait::Direction direction, boost::system::error_code& ec) {
        if (errno == EINTR) return true;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            ec = {errno, boost::system::system_category()};
            return false;
        }
        if (wait_ == nullptr) {
            ec = boost::asio::error::would_block;
            return false;
        }
        if (!wait_->until_ready(direction, deadline_)) {
            ec = boost::beast::error::timeout;
            return false;
        }
        return true;
    }

    int fd_;
    SocketWait* wait_;
    Clock::time_point deadline_;
};



}  // namespace conclab::url_fetch
