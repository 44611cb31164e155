#pragma once
// How many threads a parallel step uses when the caller asked for a number.
#include <algorithm>
#include <tbb/info.h>
#include <tbb/task_arena.h>

namespace rb::detail {

/// The cores this process may use (affinity and cgroup limits included).
inline int usable_cores() {
    return std::max(1, tbb::info::default_concurrency());
}

/// A requested thread count clamped to usable_cores(): more threads than cores only add
/// switching, and TBB prints a warning on stderr for an arena it cannot staff. 0 or less
/// means all cores.
inline int clamp_threads(int requested) {
    return requested > 0 ? std::min(requested, usable_cores()) : usable_cores();
}

/// The same as a task_arena's concurrency argument.
inline int arena_threads(int requested) {
    return requested > 0 ? std::min(requested, usable_cores()) : tbb::task_arena::automatic;
}

} // namespace rb::detail
