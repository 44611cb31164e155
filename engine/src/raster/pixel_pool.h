// Internal to the raster module: the pixel pool's capacity, settable for tests (the
// process otherwise reads it once from RASTERBENCH_PIXEL_POOL_MB).
#pragma once

#include <cstddef>

namespace rb::detail {

/// Sets the most bytes the pool keeps (giving back the oldest buffers beyond it) and
/// returns the previous capacity.
std::size_t set_pixel_pool_capacity(std::size_t bytes) noexcept;

} // namespace rb::detail
