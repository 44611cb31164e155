// The footprint of a pixel window of one grid on another grid: where its edges land, in the
// other grid's pixel coordinates. What the Score panel needs to map a view between scenes on
// different grids (window_on_grid) and what a cluster reprojection task needs to pick the
// source tiles it reads (warp_source_tiles): one way to sample the edges for both.
#pragma once

#include <optional>

#include "rasterbench/warp.h"
#include "rasterbench/window.h"

namespace rb::detail {

/// Bounds in fractional pixel coordinates (column, row) of a grid, not clamped to it.
struct PixelBounds {
    double col_min = 0, col_max = 0, row_min = 0, row_max = 0;
};

/// What a point of the edges that falls outside the target CRS's domain means.
enum class OutsidePoints {
    Skip, ///< bound what remains (a view partly off the globe still maps its valid part)
    Fail, ///< no footprint at all (where an underestimate would drop pixels, such as a read)
};

/// The bounds, on `to`, of the image of `window` of `from`: points along its four edges (one
/// per pixel of the edge, at most 64 an edge) through map coordinates, and through PROJ when
/// the CRSs differ. The image of a rectangle under a continuous one-to-one map is bounded by
/// the image of its edges, so these points bound it up to the curvature between them.
/// None for an empty window, a missing CRS on one side of a change of CRS, a transformation
/// PROJ cannot make, or no usable point (any point outside the domain, with `Fail`).
std::optional<PixelBounds> window_footprint(const Grid& from, const Window& window, const Grid& to,
                                            OutsidePoints outside);

} // namespace rb::detail
