// The fibers model's netpoller (Go's netpoll: models/netpoll.hpp). A fiber
// that must wait for a socket registers an async_wait whose completion
// handler fulfils a fiber promise, and waits on the future: the fiber is
// suspended, its scheduler thread runs other fibers.
#pragma once

#include "models/netpoll.hpp"

namespace conclab::models::fibers {

struct FiberSocketWait;  // netpoll.cpp
using Netpoller = models::Netpoller<FiberSocketWait>;

}  // namespace conclab::models::fibers
