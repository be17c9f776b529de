// Parameters several scenarios offer with the same meaning, declared once so
// their name, range and help read the same in every `conclab list`.
#pragma once

#include "src/machine.hpp"
#include "src/params.hpp"

#include <cstdint>
#include <string>
#include <utility>

namespace conclab {

/// --threads: the OS threads a model's runtime (fiber scheduler, io_context
/// pool, TBB arena) runs on. `models` says which models read it.
inline ParamSpec runtime_threads_param(std::string models = "fibers, coroutines, tbb") {
    return {"threads", std::uint64_t{hardware_threads()}, 1, 1024, "OS threads of the runtime (default: hardware concurrency)", std::move(models), {}};
}

/// --stack-kb: each fiber's stack (docs/models.md has the trade-off).
inline ParamSpec fiber_stack_param() {
    return {"stack_kb", 16ULL, 16, 8192, "each fiber's stack in KiB (malloc'd, no guard page; docs/models.md)", "fibers", {}};
}

}  // namespace conclab
