// A netpoller for the tbb model, which has none (neither has Rayon): the
// shared netpoller (models/netpoll.hpp) with a task that suspends itself
// (tbb::task::suspend), which frees its thread for other tasks, resumed by
// the poller thread when the socket is ready or its deadline passes. What
// Go's netpoll does for goroutines, for TBB tasks; the url-fetch variant
// tbb/suspend is built on it. Like the Timer, a suspended task keeps a stack
// of its own. Only from a task running in a task_arena.
#pragma once

#include "models/netpoll.hpp"

namespace conclab::models::tbb {

struct TaskSocketWait;  // netpoll.cpp
using Netpoller = models::Netpoller<TaskSocketWait>;

}  // namespace conclab::models::tbb
