// rasterize(): row strips of the grid burnt in parallel by the Burner (rasterize_burner.h),
// straight into the output where a strip lies inside it; and what rasterize() and
// rasterize_file() share: the checks of a call and the shapes a feature collection burns.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <sstream>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterize_burner.h"
#include "threads.h"

namespace rb {

namespace detail {

void check_grid(const Grid& g, DataType t) {
    if (g.width <= 0 || g.height <= 0)
        throw ArgumentError("cannot rasterize into an empty grid (" + std::to_string(g.width) +
                            "x" + std::to_string(g.height) + ")");
    if (!g.transform.is_invertible())
        throw ArgumentError("cannot rasterize into a grid with a degenerate transform");
    if (t == DataType::Int8 || is_complex(t))
        throw UnsupportedError("cannot rasterize into data type " + std::string(dtype_name(t)));
}

// The burn and fill values must fit the output type: the burn saturates them, so a polygon
// burnt as -5 into UInt8 came out 0, the fill value, and vanished without a word.
void check_values(const RasterizeOptions& o) {
    auto refuse = [&](const char* what, double v) {
        std::ostringstream t;
        t << what << " " << v << " does not fit the output type " << dtype_name(o.dtype)
          << ": choose another value or a wider type";
        return ArgumentError(t.str());
    };
    if (o.property.empty() && !fits_dtype(o.dtype, o.burn))
        throw refuse("burn value", o.burn);
    if (!fits_dtype(o.dtype, o.fill))
        throw refuse("fill value", o.fill);
}

void fill_with(DataType t, std::byte* buf, std::size_t n, double value) {
    visit_dtype(t, [&](auto zero) {
        using T = decltype(zero);
        detail::fill_samples(reinterpret_cast<T*>(buf), n, static_cast<T>(value));
    });
}

// The (geometry, value) pairs rasterize(features) burns.
std::vector<std::pair<Geometry, double>> shapes_of(const FeatureCollection& fc, const Grid& grid,
                                                   const RasterizeOptions& o) {
    const bool reproject = !fc.crs.empty() && !grid.crs.empty() && !(fc.crs == grid.crs);
    std::vector<std::pair<Geometry, double>> shapes;
    shapes.reserve(fc.features.size());
    std::size_t with_geometry = 0, missing = 0, unfit = 0;
    std::string first_unfit;
    for (std::size_t i = 0; i < fc.features.size(); ++i) {
        const Feature& f = fc.features[i];
        if (f.geometry.is_empty())
            continue;
        ++with_geometry;
        double value = o.burn;
        if (!o.property.empty()) {
            const auto it = f.properties.find(o.property);
            const bool null =
                it == f.properties.end() || std::holds_alternative<std::monostate>(it->second);
            const auto v = f.number(o.property);
            if (!null && !v)
                throw ArgumentError("feature " + std::to_string(i) + ": property '" + o.property +
                                    "' is not a number");
            missing += null;
            value = v.value_or(0.0); // gdal_rasterize burns 0 for a null attribute
            if (!fits_dtype(o.dtype, value) && unfit++ == 0) {
                std::ostringstream t;
                t << "feature " << i << ": " << value;
                first_unfit = t.str();
            }
        }
        if (!reproject) {
            shapes.emplace_back(f.geometry, value);
            continue;
        }
        try {
            shapes.emplace_back(f.geometry.transformed(fc.crs, grid.crs), value);
        } catch (const CrsError&) {
            // gdal_rasterize skips features it cannot reproject; so do we, to burn the same.
        }
    }
    // A misspelt property name would otherwise burn an image of zeros without a word.
    if (missing > 0 && missing == with_geometry)
        throw ArgumentError("property '" + o.property + "' is missing or null in every feature");
    if (missing > 0)
        warn("property '" + o.property + "' is missing or null in " + std::to_string(missing) +
             " of " + std::to_string(with_geometry) + " features; they burn 0");
    // Burnt as the nearest value the type holds, as gdal_rasterize does: said, not silent.
    if (unfit > 0)
        warn("property '" + o.property + "' of " + std::to_string(unfit) + " of " +
             std::to_string(with_geometry) + " features does not fit the output type " +
             std::string(dtype_name(o.dtype)) + " (" + first_unfit +
             "); they burn the nearest value it holds: choose a wider type to keep them");
    return shapes;
}

} // namespace detail

using detail::Burner;
using detail::check_grid;
using detail::check_values;
using detail::fill_with;
using detail::shapes_of;

Raster rasterize(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
                 const RasterizeOptions& o, Progress progress) {
    check_grid(grid, o.dtype);
    check_values(o);
    const Window region = o.window ? o.window->clamped(grid.width, grid.height)
                                   : Window::full(grid.width, grid.height);
    Raster out(o.dtype, 1, int(region.height), int(region.width));
    const std::size_t sz = dtype_size(o.dtype);
    if (region.empty())
        return out;
    const Burner burner(shapes, grid, o);

    // Strips of the grid covering the region's rows.
    const int n = burner.strip_rows();
    const int first = int(region.row_off), end = int(region.row_end());
    std::vector<int> starts;
    for (int row = burner.strip_start(first, first); row < end; row += n)
        starts.push_back(row);
    const bool full_width = region.col_off == 0 && region.width == grid.width;
    std::mutex progress_mutex;
    std::atomic<int> done{0};
    const int nstrips = int(starts.size());
    auto body = [&](const tbb::blocked_range<int>& range) {
        std::vector<std::byte> scratch;
        for (int i = range.begin(); i != range.end(); ++i) {
            const int row0 = starts[std::size_t(i)];
            const int rows = std::min(n, grid.height - row0);
            // Rows of this strip inside the region.
            const int r_begin = std::max(row0, first);
            const int r_end = std::min(row0 + rows, end);
            // Burn straight into the output when the strip lies inside it (each strip
            // fills its own rows: no serial pass over the whole output first); else into
            // a scratch strip then copy the overlap.
            const std::size_t count = std::size_t(rows) * std::size_t(grid.width);
            const bool direct = full_width && r_begin == row0 && r_end == row0 + rows;
            if (!direct)
                scratch.resize(count * sz);
            std::byte* buf =
                direct ? out.bytes() + std::size_t(row0 - first) * std::size_t(grid.width) * sz
                       : scratch.data();
            fill_with(o.dtype, buf, count, o.fill);
            burner.burn(row0, rows, buf);
            if (!direct) {
                for (int r = r_begin; r < r_end; ++r)
                    std::memcpy(out.bytes() + (std::size_t(r - first) * region.width) * sz,
                                buf + (std::size_t(r - row0) * grid.width + region.col_off) * sz,
                                std::size_t(region.width) * sz);
            }
            const int k = ++done;
            std::lock_guard lock(progress_mutex);
            progress.report(double(k) / nstrips);
        }
    };
    progress.check();
    tbb::task_arena arena(detail::arena_threads(o.threads));
    arena.execute([&] { tbb::parallel_for(tbb::blocked_range<int>(0, nstrips, 1), body); });
    return out;
}

Raster rasterize(const FeatureCollection& fc, const Grid& grid, const RasterizeOptions& o,
                 Progress progress) {
    check_grid(grid, o.dtype);
    return rasterize(shapes_of(fc, grid, o), grid, o, std::move(progress));
}

} // namespace rb
