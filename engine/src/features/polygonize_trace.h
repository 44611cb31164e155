#pragma once
// Polygonizing integer classes without GDAL's polygonizer: connected components (4 or 8
// connectivity) labelled with a union-find in one raster pass, then each component's
// boundary traced edge by edge along pixel corners. Same regions as GDALPolygonize (one
// polygon per connected region of equal value, holes included), at a fraction of its cost.
#include <cstdint>
#include <utility>
#include <vector>

#include "rasterbench/progress.h"

namespace rb::detail {

/// One traced region: its value and rings of pixel-corner coordinates (col, row), each
/// closed (last point = first); the first ring is the exterior, the others its holes.
struct TracedRegion {
    std::int64_t value = 0;
    std::vector<std::vector<std::pair<int, int>>> rings;
};

/// Regions of equal value among the pixels where `valid` is non-zero (all when empty), in
/// the raster order of their first pixel. `values` is rows x cols, row-major.
template <class T>
std::vector<TracedRegion> trace_regions(const T* values, const std::uint8_t* valid, int rows,
                                        int cols, int connectivity, Progress& progress);

} // namespace rb::detail
