// The one translation unit that compiles Asio's and Beast's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION are
// set for every TU in meson.build). Shared by every model and the server.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
