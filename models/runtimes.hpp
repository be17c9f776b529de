// The four models' runtimes, declared for the scenario headers that name
// them (each declares its four `run` overloads): one declaration here, the
// definitions in models/<model>/runtime.hpp.
#pragma once

namespace conclab::models::fibers { class Runtime; }
namespace conclab::models::coroutines { class Runtime; }
namespace conclab::models::tbb { class Runtime; }
namespace conclab::models::threads { class Runtime; }
