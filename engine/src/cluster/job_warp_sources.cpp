// The tiles of the previous stage a reprojection task reads: only those its window's
// footprint reaches, so that a task's VRT lists a handful of tiles rather than all of them
// (building a VRT of thousands of tiles costs about a second per task).
#include <algorithm>
#include <cmath>

#include "rasterbench/job.h"

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

std::vector<std::size_t> warp_source_tiles(const Grid& src, const std::vector<Window>& tiles,
                                           const Grid& dst, const Window& task_window,
                                           const ReprojectOptions& options) {
    std::vector<std::size_t> all(tiles.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    if (task_window.empty() || tiles.empty())
        return all;
    // The warp computes fixed tiles aligned to the grid's origin, each with the source window
    // of the whole tile (clipped to the source): the window read must hold those of every
    // tile the task's window meets, or a clipped source window changes the kernel's scale.
    const std::int64_t T = std::max(16, options.tile_size);
    const std::int64_t x0 = task_window.col_off / T * T, y0 = task_window.row_off / T * T;
    const Window window = Window{x0, y0, (task_window.col_end() + T - 1) / T * T - x0,
                                 (task_window.row_end() + T - 1) / T * T - y0}
                              .clamped(dst.width, dst.height);
    if (window.empty())
        return all;
    // The window's edges, densified: the image of a rectangle under a continuous one-to-one
    // map is bounded by the image of its edges, so these points bound the footprint (up to
    // the curvature between them, which the safety pixel covers).
    constexpr std::int64_t kSegments = 64;
    std::vector<double> xs, ys;
    auto edge = [&](double c0, double r0, double c1, double r1, std::int64_t side) {
        const std::int64_t n = std::clamp<std::int64_t>(side, 1, kSegments);
        for (std::int64_t k = 0; k < n; ++k) {
            const double t = double(k) / double(n);
            const auto [x, y] = dst.transform.apply(c0 + t * (c1 - c0), r0 + t * (r1 - r0));
            xs.push_back(x);
            ys.push_back(y);
        }
    };
    const double c0 = double(window.col_off), r0 = double(window.row_off);
    const double c1 = double(window.col_end()), r1 = double(window.row_end());
    edge(c0, r0, c1, r0, window.width);
    edge(c1, r0, c1, r1, window.height);
    edge(c1, r1, c0, r1, window.width);
    edge(c0, r1, c0, r0, window.height);
    try {
        if (!(src.crs == dst.crs) && CrsTransformer(dst.crs, src.crs).transform(xs, ys) > 0)
            return all; // edges outside the source CRS's domain: no footprint to trust
    } catch (const Error&) {
        return all;
    }
    const Affine to_src = src.transform.inverse();
    double min_c = INFINITY, max_c = -INFINITY, min_r = INFINITY, max_r = -INFINITY;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        const auto [c, r] = to_src.apply(xs[k], ys[k]);
        if (!std::isfinite(c) || !std::isfinite(r))
            return all;
        min_c = std::min(min_c, c);
        max_c = std::max(max_c, c);
        min_r = std::min(min_r, r);
        max_r = std::max(max_r, r);
    }
    // Source pixels per destination pixel: above 1 the kernel is stretched by it.
    const double scale = std::max(
        {1.0, (max_c - min_c) / double(window.width), (max_r - min_r) / double(window.height)});
    const double margin = std::ceil(kernel_radius(options.resampling) * scale) + 1;
    const auto lo_c = std::int64_t(std::floor(min_c - margin));
    const auto lo_r = std::int64_t(std::floor(min_r - margin));
    const Window reach{lo_c, lo_r, std::int64_t(std::ceil(max_c + margin)) - lo_c,
                       std::int64_t(std::ceil(max_r + margin)) - lo_r};
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < tiles.size(); ++i)
        if (!tiles[i].intersection(reach).empty())
            out.push_back(i);
    // A window whose footprint misses every tile still needs a source to warp from (its
    // pixels are then all nodata): the first tile gives the bands, types and nodata.
    if (out.empty())
        out.push_back(0);
    return out;
}

} // namespace rb
