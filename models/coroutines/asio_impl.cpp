// The one translation unit that compiles Asio's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION is set for every TU in meson.build).
#include <boost/asio/impl/src.hpp>
