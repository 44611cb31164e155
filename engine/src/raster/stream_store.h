#pragma once
// Stores that bypass the cache (engine-internal).
#include <cstddef>

namespace rb::detail {

/// Copies `bytes` from `src` to `dst` (not overlapping) with streaming stores where `dst`
/// is 16-byte aligned, plain stores for the unaligned ends, and a fence, so that the data is
/// visible to other threads on return.
///
/// Why: a plain store that misses the cache first reads the line from memory (to merge the
/// rest of it), so writing a plane that nobody reads soon costs twice its size in memory
/// traffic. For outputs written whole (a composite's rows, a block's finished winners),
/// building them in the cache and storing them past it halves that.
void stream_store(void* dst, const void* src, std::size_t bytes);

} // namespace rb::detail
