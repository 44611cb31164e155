// rasterize(): GDALRasterizeGeometries over fixed row strips in parallel; rasterize_file()
// also writes the strips while later ones burn.
#include <cpl_string.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>

#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "warp_mem.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::reason;

namespace {

// Strips are fixed rows of the full grid, whatever window is asked for, so that a preview
// burns each strip exactly as the full run does.
constexpr int kStripRows = 256;

// Maps georeferenced coordinates to pixel coordinates of the full grid with GDAL's own
// transformer, then shifts them to the strip: the same arithmetic GDAL applies when its
// rasterizer works on a chunk starting at that row.
struct StripTransformer {
    GDALTransformerInfo info; // first: GDAL inspects transformer arguments by signature
    void* base;
    double row_off;
};

int strip_transform(void* arg, int dst_to_src, int n, double* x, double* y, double* z, int* ok) {
    auto* t = static_cast<StripTransformer*>(arg);
    if (dst_to_src) {
        for (int i = 0; i < n; ++i)
            y[i] += t->row_off;
        return GDALGenImgProjTransform(t->base, TRUE, n, x, y, z, ok);
    }
    const int r = GDALGenImgProjTransform(t->base, FALSE, n, x, y, z, ok);
    for (int i = 0; i < n; ++i)
        y[i] -= t->row_off;
    return r;
}

void check_grid(const Grid& g, DataType t) {
    if (g.width <= 0 || g.height <= 0)
        throw ArgumentError("cannot rasterize into an empty grid (" + std::to_string(g.width) +
                            "x" + std::to_string(g.height) + ")");
    if (!g.transform.is_invertible())
        throw ArgumentError("cannot rasterize into a grid with a degenerate transform");
    if (t == DataType::Int8 || is_complex(t))
        throw UnsupportedError("cannot rasterize into data type " + std::string(dtype_name(t)));
}

} // namespace

namespace {

// A geometry with its burn value and the rows of the full grid it may reach.
struct Item {
    OGRGeometryH g;
    double value;
    double row_min, row_max;
};

std::vector<Item> items_of(const std::vector<std::pair<Geometry, double>>& shapes,
                           const Grid& grid) {
    const Affine inv = grid.transform.inverse();
    std::vector<Item> items;
    items.reserve(shapes.size());
    for (const auto& [geom, value] : shapes) {
        const auto b = geom.bounds();
        if (!b)
            continue; // null or empty: GDAL burns nothing for them either
        double rmin = INFINITY, rmax = -INFINITY;
        for (double x : {b->left, b->right})
            for (double y : {b->bottom, b->top}) {
                const double r = inv.apply(x, y).second;
                rmin = std::min(rmin, r);
                rmax = std::max(rmax, r);
            }
        if (!std::isfinite(rmin) || !std::isfinite(rmax))
            continue;
        items.push_back(
            {static_cast<OGRGeometryH>(const_cast<void*>(geom.ogr_handle())), value, rmin, rmax});
    }
    return items;
}

int strip_count(const Grid& grid) {
    return (grid.height + kStripRows - 1) / kStripRows;
}

// Burns strip `s` (rows s * kStripRows ... of the full grid, full width) into `buf`, which
// holds the strip's rows already set to the fill value.
void burn_strip(const std::vector<Item>& items, const Grid& grid, const RasterizeOptions& o, int s,
                std::byte* buf) {
    GdalErrorCapture cap;
    const int row0 = s * kStripRows;
    const int rows = std::min(kStripRows, grid.height - row0);
    std::vector<OGRGeometryH> geoms;
    std::vector<double> values;
    for (const Item& it : items)
        if (it.row_max >= row0 - 2 && it.row_min <= row0 + rows + 2) {
            geoms.push_back(it.g);
            values.push_back(it.value);
        }
    if (geoms.empty())
        return;
    detail::DatasetPtr ds = detail::mem_dataset(grid.width, rows);
    detail::add_band_view(ds.get(), detail::to_gdal_type(o.dtype), buf);
    detail::DatasetPtr georef = detail::mem_dataset(grid.width, grid.height);
    auto gt = grid.transform.to_gdal();
    GDALSetGeoTransform(georef.get(), gt.data());
    detail::TransformerPtr base(GDALCreateGenImgProjTransformer2(nullptr, georef.get(), nullptr));
    if (!base)
        throw ArgumentError("cannot rasterize: " +
                            reason(cap, "GDAL could not make the grid transformer"));
    StripTransformer st{};
    std::memcpy(st.info.abySignature, GDAL_GTI2_SIGNATURE, 4);
    st.info.pszClassName = "RasterbenchStrip";
    st.info.pfnTransform = strip_transform;
    st.base = base.get();
    st.row_off = row0;
    detail::CslPtr opts;
    auto set = [&](const char* k, const std::string& v) {
        opts.reset(CSLSetNameValue(opts.release(), k, v.c_str()));
    };
    set("ALL_TOUCHED", o.all_touched ? "TRUE" : "FALSE");
    set("MERGE_ALG", o.merge == MergeAlg::Add ? "ADD" : "REPLACE");
    set("CHUNKYSIZE", std::to_string(rows)); // one chunk: GDAL's own offset is 0
    const int band = 1;
    if (GDALRasterizeGeometries(ds.get(), 1, &band, int(geoms.size()), geoms.data(),
                                strip_transform, &st, values.data(), opts.get(), nullptr,
                                nullptr) != CE_None)
        throw ArgumentError("cannot rasterize rows " + std::to_string(row0) + ".." +
                            std::to_string(row0 + rows) + ": " +
                            reason(cap, "GDAL's rasterizer failed"));
}

void fill_with(DataType t, std::byte* buf, std::size_t n, double value) {
    visit_dtype(t, [&](auto zero) {
        using T = decltype(zero);
        std::fill_n(reinterpret_cast<T*>(buf), n, static_cast<T>(value));
    });
}

// The (geometry, value) pairs rasterize(features) burns.
std::vector<std::pair<Geometry, double>> shapes_of(const FeatureCollection& fc, const Grid& grid,
                                                   const RasterizeOptions& o) {
    const bool reproject = !fc.crs.empty() && !grid.crs.empty() && !(fc.crs == grid.crs);
    std::vector<std::pair<Geometry, double>> shapes;
    shapes.reserve(fc.features.size());
    for (std::size_t i = 0; i < fc.features.size(); ++i) {
        const Feature& f = fc.features[i];
        if (f.geometry.is_empty())
            continue;
        double value = o.burn;
        if (!o.property.empty()) {
            const auto it = f.properties.find(o.property);
            const bool null =
                it == f.properties.end() || std::holds_alternative<std::monostate>(it->second);
            const auto v = f.number(o.property);
            if (!null && !v)
                throw ArgumentError("feature " + std::to_string(i) + ": property '" + o.property +
                                    "' is not a number");
            value = v.value_or(0.0); // gdal_rasterize burns 0 for a null attribute
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
    return shapes;
}

} // namespace

Raster rasterize(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
                 const RasterizeOptions& o, Progress progress) {
    check_grid(grid, o.dtype);
    const Window region = o.window ? o.window->clamped(grid.width, grid.height)
                                   : Window::full(grid.width, grid.height);
    Raster out(o.dtype, 1, int(region.height), int(region.width));
    const std::size_t sz = dtype_size(o.dtype);
    if (region.empty())
        return out;
    const std::vector<Item> items = items_of(shapes, grid);

    const int s0 = int(region.row_off / kStripRows);
    const int s1 = int((region.row_end() + kStripRows - 1) / kStripRows);
    const bool full_width = region.col_off == 0 && region.width == grid.width;
    std::mutex progress_mutex;
    std::atomic<int> done{0};
    const int nstrips = s1 - s0;
    auto body = [&](const tbb::blocked_range<int>& range) {
        std::vector<std::byte> scratch;
        for (int s = range.begin(); s != range.end(); ++s) {
            const int row0 = s * kStripRows;
            const int rows = std::min(kStripRows, grid.height - row0);
            // Rows of this strip inside the region.
            const int r_begin = std::max<int>(row0, int(region.row_off));
            const int r_end = std::min<int>(row0 + rows, int(region.row_end()));
            // Burn straight into the output when the strip lies inside it (each strip
            // fills its own rows: no serial pass over the whole output first); else into
            // a scratch strip then copy the overlap.
            const std::size_t n = std::size_t(rows) * std::size_t(grid.width);
            const bool direct = full_width && r_begin == row0 && r_end == row0 + rows;
            if (!direct)
                scratch.resize(n * sz);
            std::byte* buf =
                direct ? out.bytes() + std::size_t(row0 - region.row_off) * grid.width * sz
                       : scratch.data();
            fill_with(o.dtype, buf, n, o.fill);
            burn_strip(items, grid, o, s, buf);
            if (!direct) {
                for (int r = r_begin; r < r_end; ++r)
                    std::memcpy(out.bytes() + (std::size_t(r - region.row_off) * region.width) * sz,
                                buf + (std::size_t(r - row0) * grid.width + region.col_off) * sz,
                                std::size_t(region.width) * sz);
            }
            const int k = ++done;
            std::lock_guard lock(progress_mutex);
            progress.report(double(k) / nstrips);
        }
    };
    progress.check();
    tbb::task_arena arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic);
    arena.execute([&] { tbb::parallel_for(tbb::blocked_range<int>(s0, s1, 1), body); });
    return out;
}

Raster rasterize(const FeatureCollection& fc, const Grid& grid, const RasterizeOptions& o,
                 Progress progress) {
    check_grid(grid, o.dtype);
    return rasterize(shapes_of(fc, grid, o), grid, o, std::move(progress));
}

void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& o_in, const VectorReadOptions& read,
                    Progress progress) {
    check_grid(grid, o_in.dtype);
    RasterizeOptions o = o_in;
    o.window.reset();
    // Only the burnt property is converted (by read_features' own rules): the rest of each
    // feature's attributes would be read and dropped.
    VectorReadOptions only = read;
    only.fields =
        o.property.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.property};
    FeatureCollection fc = read_features(vector_path, only);
    progress.report(0.2);
    const std::vector<std::pair<Geometry, double>> shapes = shapes_of(fc, grid, o);
    const std::vector<Item> items = items_of(shapes, grid);

    // gdal_rasterize's output: a plain GeoTIFF (GDAL's default layout, no compression).
    Profile p;
    p.driver = "GTiff";
    p.width = grid.width;
    p.height = grid.height;
    p.count = 1;
    p.dtype = o.dtype;
    p.crs = grid.crs;
    p.transform = grid.transform;
    p.has_transform = true;
    Dataset out = Dataset::create(dst_path, p);

    // Strips burn in parallel and are written in order as soon as they are ready, so the
    // (serial) GeoTIFF writing overlaps the burning; memory is a few strips.
    const int nstrips = strip_count(grid);
    int next = 0, written = 0;
    tbb::task_arena arena(o.threads > 0 ? o.threads : tbb::task_arena::automatic);
    const std::size_t tokens = std::size_t(std::max(2, 2 * arena.max_concurrency()));
    // One strip buffer per token, reused: fresh multi-megabyte buffers for every strip
    // would cost a page fault per 4 KiB (the kernel zeroes each page) on every strip.
    std::vector<Raster> pool;
    pool.reserve(tokens);
    for (std::size_t i = 0; i < tokens; ++i)
        pool.emplace_back(o.dtype, 1, std::min(kStripRows, grid.height), grid.width);
    std::vector<Raster*> free_buffers;
    for (auto& r : pool)
        free_buffers.push_back(&r);
    std::mutex pool_mutex;
    progress.check();
    arena.execute([&] {
        tbb::parallel_pipeline(
            tokens,
            tbb::make_filter<void, int>(tbb::filter_mode::serial_in_order,
                                        [&](tbb::flow_control& fc_) {
                                            if (next >= nstrips) {
                                                fc_.stop();
                                                return 0;
                                            }
                                            return next++;
                                        }) &
                tbb::make_filter<int, std::pair<int, Raster*>>(
                    tbb::filter_mode::parallel,
                    [&](int s) {
                        Raster* r = nullptr;
                        {
                            // At most `tokens` strips are in flight: never empty here.
                            std::lock_guard lock(pool_mutex);
                            r = free_buffers.back();
                            free_buffers.pop_back();
                        }
                        const int rows = std::min(kStripRows, grid.height - s * kStripRows);
                        if (r->rows() != rows)
                            r->reset(o.dtype, 1, rows, grid.width);
                        fill_with(o.dtype, r->bytes(), r->band_size(), o.fill);
                        burn_strip(items, grid, o, s, r->bytes());
                        return std::pair<int, Raster*>(s, r);
                    }) &
                tbb::make_filter<std::pair<int, Raster*>, void>(
                    tbb::filter_mode::serial_in_order, [&](const std::pair<int, Raster*>& sr) {
                        const auto& [s, r] = sr;
                        out.write(*r, {},
                                  Window{0, std::int64_t(s) * kStripRows, grid.width, r->rows()});
                        {
                            std::lock_guard lock(pool_mutex);
                            free_buffers.push_back(r);
                        }
                        ++written;
                        progress.report(0.2 + 0.8 * double(written) / nstrips);
                    }));
    });
    out.close();
}

} // namespace rb
