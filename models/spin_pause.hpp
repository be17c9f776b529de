// The CPU's spin-wait hint, on every architecture conclab builds on (a
// no-op elsewhere): x86's PAUSE, ARM's YIELD.
#pragma once

namespace conclab::models {

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    asm volatile("yield" ::: "memory");
#endif
}

}  // namespace conclab::models
