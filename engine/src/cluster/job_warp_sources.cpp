// The tiles of the previous stage a reprojection task reads: only those its window's
// footprint reaches, so that a task's VRT lists a handful of tiles rather than all of them
// (building a VRT of thousands of tiles costs about a second per task).
#include <algorithm>
#include <cmath>

#include "rasterbench/job.h"
#include "window_footprint.h"

namespace rb {

namespace {

/// How far GDAL's kernel reaches from a sample's position, in source pixels at scale 1;
/// downsampling widens it by the scale (GDAL stretches the kernel over the destination
/// pixel's footprint), and the footprint-based methods (average, mode, min, max, median)
/// reach across one destination pixel.
double kernel_radius(WarpResampling r) {
    switch (r) {
    case WarpResampling::Nearest:
        return 0.5;
    case WarpResampling::Bilinear:
        return 1;
    case WarpResampling::Cubic:
    case WarpResampling::CubicSpline:
        return 2;
    case WarpResampling::Lanczos:
        return 3;
    case WarpResampling::Average:
    case WarpResampling::Mode:
    case WarpResampling::Min:
    case WarpResampling::Max:
    case WarpResampling::Median:
        break;
    }
    return 1;
}

} // namespace

std::optional<Window> warp_source_window(const Grid& src, const Grid& dst,
                                         const Window& task_window,
                                         const ReprojectOptions& options) {
    if (task_window.empty())
        return std::nullopt;
    // The warp computes fixed tiles aligned to the grid's origin, each with the source window
    // of the whole tile (clipped to the source): the window read must hold those of every
    // tile the task's window meets, or a clipped source window changes the kernel's scale.
    const std::int64_t T = std::max(16, options.tile_size);
    const std::int64_t x0 = task_window.col_off / T * T, y0 = task_window.row_off / T * T;
    const Window window = Window{x0, y0, (task_window.col_end() + T - 1) / T * T - x0,
                                 (task_window.row_end() + T - 1) / T * T - y0}
                              .clamped(dst.width, dst.height);
    if (window.empty())
        return std::nullopt;
    // Any edge point outside the source CRS's domain leaves no footprint to trust: then the
    // whole source is read, never too little.
    const auto b = detail::window_footprint(dst, window, src, detail::OutsidePoints::Fail);
    if (!b)
        return std::nullopt;
    // Source pixels per destination pixel: above 1 the kernel is stretched by it.
    const double scale = std::max({1.0, (b->col_max - b->col_min) / double(window.width),
                                   (b->row_max - b->row_min) / double(window.height)});
    const double margin = std::ceil(kernel_radius(options.resampling) * scale) + 1;
    const auto lo_c = std::int64_t(std::floor(b->col_min - margin));
    const auto lo_r = std::int64_t(std::floor(b->row_min - margin));
    return Window{lo_c, lo_r, std::int64_t(std::ceil(b->col_max + margin)) - lo_c,
                  std::int64_t(std::ceil(b->row_max + margin)) - lo_r}
        .clamped(src.width, src.height);
}

std::vector<std::size_t> tiles_meeting(const std::vector<Window>& tiles,
                                       const std::optional<Window>& source) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < tiles.size(); ++i)
        if (!source || !tiles[i].intersection(*source).empty())
            out.push_back(i);
    // A window whose footprint misses every tile still needs a source to warp from (its
    // pixels are then all nodata): the first tile gives the bands, types and nodata.
    if (out.empty() && !tiles.empty())
        out.push_back(0);
    return out;
}

std::vector<std::size_t> warp_source_tiles(const Grid& src, const std::vector<Window>& tiles,
                                           const Grid& dst, const Window& task_window,
                                           const ReprojectOptions& options) {
    return tiles_meeting(tiles, warp_source_window(src, dst, task_window, options));
}

} // namespace rb
