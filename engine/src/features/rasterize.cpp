// rasterize(): row strips burnt in parallel, by our edge-table copy of GDAL's polygon scanline
// fill (rasterize_scanline.h) where it applies, else by GDALRasterizeGeometries itself.
// rasterize_file(): the same strips streamed into the GeoTIFF while later ones burn.
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "partial_file.h"
#include "rasterbench/dataset.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterize_scanline.h"
#include "threads.h"
#include "warp_mem.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::reason;

namespace {

// GDAL's rasterizer burns fixed strips of the full grid, whatever window is asked for, so
// that a preview burns each strip exactly as the full run does.
constexpr int kGdalStripRows = 256;

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

// The transformer GDALRasterizeGeometries makes for itself when given none: grid coordinates
// to pixel/line of the full grid.
struct GridTransformer {
    detail::DatasetPtr georef;
    detail::TransformerPtr base;

    explicit GridTransformer(const Grid& grid) {
        GdalErrorCapture cap;
        georef = detail::mem_dataset(grid.width, grid.height);
        auto gt = grid.transform.to_gdal();
        GDALSetGeoTransform(georef.get(), gt.data());
        base.reset(GDALCreateGenImgProjTransformer2(nullptr, georef.get(), nullptr));
        if (!base)
            throw ArgumentError("cannot rasterize: " +
                                reason(cap, "GDAL could not make the grid transformer"));
    }
};

// A geometry with its burn value and the rows of the full grid it may reach.
struct Item {
    OGRGeometryH g;
    double value;
    double row_min, row_max;
};

// Beyond this many pixels from the grid GDAL's rasterizer, which converts pixel coordinates
// to int, burns nothing: such geometries are clipped to the grid first.
constexpr double kFarPixels = 1e9;

// `g` cut to the grid and two pixels around it (the cut's new edges lie outside the grid, so
// every pixel burns as it did); null where GEOS cannot cut it.
Geometry clipped_to_grid(const Geometry& g, const Grid& grid) {
    const double w = grid.width, h = grid.height;
    std::ostringstream box;
    box.precision(17);
    box << "POLYGON ((";
    const double corners[5][2] = {{-2, -2}, {w + 2, -2}, {w + 2, h + 2}, {-2, h + 2}, {-2, -2}};
    for (int i = 0; i < 5; ++i) {
        const auto [x, y] = grid.transform.apply(corners[i][0], corners[i][1]);
        box << (i ? ", " : "") << x << " " << y;
    }
    box << "))";
    const Geometry area = Geometry::from_wkt(box.str());
    GdalErrorCapture cap; // GEOS's complaints about an invalid geometry
    OGRGeometryH cut =
        OGR_G_Intersection(static_cast<OGRGeometryH>(const_cast<void*>(g.ogr_handle())),
                           static_cast<OGRGeometryH>(const_cast<void*>(area.ogr_handle())));
    return cut ? Geometry::adopt_ogr(cut) : Geometry();
}

std::vector<Item> items_of(const std::vector<std::pair<const Geometry*, double>>& shapes,
                           const Grid& grid) {
    const Affine inv = grid.transform.inverse();
    std::vector<Item> items;
    items.reserve(shapes.size());
    for (const auto& [geom, value] : shapes) {
        const auto b = geom->bounds();
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
            {static_cast<OGRGeometryH>(const_cast<void*>(geom->ogr_handle())), value, rmin, rmax});
    }
    return items;
}

// Whether `g` reaches more than kFarPixels pixels from the grid (`inv`: the grid's inverse
// transform).
bool far_from_grid(const Geometry& g, const Affine& inv) {
    const auto b = g.bounds();
    if (!b)
        return false;
    for (double x : {b->left, b->right})
        for (double y : {b->bottom, b->top}) {
            const auto [c, r] = inv.apply(x, y);
            if (!(std::fabs(c) <= kFarPixels && std::fabs(r) <= kFarPixels))
                return true;
        }
    return false;
}

// Burns GDAL strip `s` (rows s * kGdalStripRows ... of the full grid, full width) into
// `buf`, which holds the strip's rows already set to the fill value.
void burn_gdal_strip(const std::vector<Item>& items, const Grid& grid, const RasterizeOptions& o,
                     int s, std::byte* buf) {
    GdalErrorCapture cap;
    const int row0 = s * kGdalStripRows;
    const int rows = std::min(kGdalStripRows, grid.height - row0);
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
    const GridTransformer base(grid);
    StripTransformer st{};
    std::memcpy(st.info.abySignature, GDAL_GTI2_SIGNATURE, 4);
    st.info.pszClassName = "RasterbenchStrip";
    st.info.pfnTransform = strip_transform;
    st.base = base.base.get();
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

// What one call burns, and how: our scanline fill when every geometry and option is one
// it reproduces (polygons, centre rule, REPLACE), else GDAL's rasterizer for all of them.
// Strips of the scanline fill may start at any row; GDAL's are fixed strips of the grid.
class Burner {
public:
    Burner(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
           const RasterizeOptions& o)
        : grid_(grid), o_(o) {
        // Both burners take pixel coordinates as int: a geometry reaching further is cut to
        // the grid first (burning what its part there burns).
        const Affine inv = grid.transform.inverse();
        clipped_.reserve(shapes.size()); // shapes_ point into it
        shapes_.reserve(shapes.size());
        for (const auto& [geom, value] : shapes) {
            if (!far_from_grid(geom, inv)) {
                shapes_.emplace_back(&geom, value);
                continue;
            }
            Geometry cut = clipped_to_grid(geom, grid);
            if (cut.is_null() || cut.is_empty())
                continue; // nothing of it on the grid (or nothing GEOS could cut)
            clipped_.push_back(std::move(cut));
            shapes_.emplace_back(&clipped_.back(), value);
        }
        if (!try_scanline())
            items_ = items_of(shapes_, grid);
    }

    bool scanline() const { return scan_.has_value(); }
    /// Rows per strip: about 1 MiB strips for the scanline fill (they stay in cache while
    /// filled, burnt and written), GDAL's fixed strips otherwise.
    int strip_rows() const {
        if (!scan_)
            return kGdalStripRows;
        const std::size_t row_bytes = std::size_t(grid_.width) * dtype_size(o_.dtype);
        return int(std::clamp<std::size_t>((std::size_t(1) << 20) / row_bytes, 1, 256));
    }
    /// First row of the strip holding `row`.
    int strip_start(int row, int first_row) const {
        const int n = strip_rows();
        const int origin = scan_ ? first_row : 0;
        return origin + (row - origin) / n * n;
    }
    /// Burns the strip starting at `row0` (from strip_start) of `rows` rows into `buf`,
    /// which holds them (full width) already set to the fill value.
    void burn(int row0, int rows, std::byte* buf) const {
        if (scan_)
            scan_->burn(row0, rows, buf);
        else
            burn_gdal_strip(items_, grid_, o_, row0 / kGdalStripRows, buf);
    }

private:
    bool try_scanline() {
        if (o_.all_touched || o_.merge != MergeAlg::Replace ||
            !detail::ScanPolygons::supports(o_.dtype))
            return false;
        for (const auto& [geom, value] : shapes_)
            if (!detail::ScanPolygons::handles(
                    static_cast<OGRGeometryH>(const_cast<void*>(geom->ogr_handle()))))
                return false;
        GridTransformer t(grid_);
        detail::ScanPolygons scan(grid_.width, grid_.height, o_.dtype);
        for (const auto& [geom, value] : shapes_)
            if (!scan.add(static_cast<OGRGeometryH>(const_cast<void*>(geom->ogr_handle())), value,
                          GDALGenImgProjTransform, t.base.get()))
                return false;
        scan_.emplace(std::move(scan));
        return true;
    }

    const Grid& grid_;
    const RasterizeOptions& o_;
    std::optional<detail::ScanPolygons> scan_;
    std::vector<Geometry> clipped_; // geometries cut to the grid, which shapes_ point to
    std::vector<std::pair<const Geometry*, double>> shapes_;
    std::vector<Item> items_;
};

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
    std::size_t with_geometry = 0, missing = 0;
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
    return shapes;
}

// ---------------------------------------------------------------------------------------
// Writing GeoTIFF strips

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

// Where the samples of an uncompressed one-band GeoTIFF that GDAL has just laid out start,
// when they run row after row to the end (strips in order, native byte order): then rows can
// be written in place, many strips per call and from several threads, without going
// through GDAL's block cache and libtiff's per-strip writes. nullopt for any other layout.
std::optional<std::uint64_t> contiguous_samples(const std::string& path, const Grid& grid,
                                                DataType t) {
    GdalErrorCapture cap;
    const char* const drivers[] = {"GTiff", nullptr};
    detail::DatasetPtr ds(
        GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds || GDALGetRasterCount(ds.get()) != 1)
        return std::nullopt;
    GDALRasterBandH band = GDALGetRasterBand(ds.get(), 1);
    if (GDALGetMetadataItem(ds.get(), "COMPRESSION", "IMAGE_STRUCTURE") ||
        GDALGetMetadataItem(band, "NBITS", "IMAGE_STRUCTURE") ||
        GDALGetRasterDataType(band) != detail::to_gdal_type(t))
        return std::nullopt;
    int bw = 0, bh = 0;
    GDALGetBlockSize(band, &bw, &bh);
    if (bw != grid.width || bh <= 0)
        return std::nullopt;
    const std::uint64_t row_bytes = std::uint64_t(grid.width) * dtype_size(t);
    const int blocks = (grid.height + bh - 1) / bh;
    std::uint64_t first = 0;
    for (int k = 0; k < blocks; ++k) {
        const std::string key = "_0_" + std::to_string(k);
        const char* off = GDALGetMetadataItem(band, ("BLOCK_OFFSET" + key).c_str(), "TIFF");
        const char* size = GDALGetMetadataItem(band, ("BLOCK_SIZE" + key).c_str(), "TIFF");
        if (!off || !size)
            return std::nullopt;
        const std::uint64_t o = std::strtoull(off, nullptr, 10);
        const std::uint64_t rows = std::uint64_t(std::min(bh, grid.height - k * bh));
        if (k == 0)
            first = o;
        if (o == 0 || o != first + std::uint64_t(k) * std::uint64_t(bh) * row_bytes ||
            std::strtoull(size, nullptr, 10) < rows * row_bytes)
            return std::nullopt;
    }
    ds.reset();
    // Samples are written as they lie in memory: the file must be in this machine's order.
    char magic[2] = {};
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    if (!f)
        return std::nullopt;
    const bool read = VSIFReadL(magic, 1, 2, f) == 2;
    VSIFCloseL(f);
    const bool native = std::endian::native == std::endian::little
                            ? magic[0] == 'I' && magic[1] == 'I'
                            : magic[0] == 'M' && magic[1] == 'M';
    if (!read || !native)
        return std::nullopt;
    return first;
}

void write_all(int fd, const std::byte* data, std::size_t n, std::uint64_t offset,
               const std::string& path) {
    while (n > 0) {
        const ssize_t w = ::pwrite(fd, data, n, off_t(offset));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            throw IoError("cannot write " + quoted(path) + ": " +
                          (w < 0 ? std::strerror(errno) : "nothing written"));
        data += w;
        n -= std::size_t(w);
        offset += std::uint64_t(w);
    }
}

Profile output_profile(const Grid& grid, DataType t, const RasterizeFileOptions& file) {
    Profile p;
    p.driver = "GTiff";
    p.width = grid.width;
    p.height = grid.height;
    p.count = 1;
    p.dtype = t;
    p.crs = grid.crs;
    p.transform = grid.transform;
    p.has_transform = true;
    if (file.compression != "NONE")
        p.compression = file.compression;
    if (file.nodata)
        p.set_nodata(file.nodata);
    return p;
}

// Strips burn in parallel and each is written in place by the thread that burnt it, in one
// call, as soon as it is burnt. False, having written nothing, when the file GDAL laid out
// is not one whose rows can be written in place.
bool write_in_place(const Burner& burner, const Grid& grid, const RasterizeOptions& o,
                    const std::string& dst_path, const std::string& tmp, Progress& progress) {
    const auto first = contiguous_samples(tmp, grid, o.dtype);
    if (!first)
        return false;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0)
                ::close(fd);
        }
    } closer{fd};
    const std::size_t row_bytes = std::size_t(grid.width) * dtype_size(o.dtype);
#ifdef __linux__
    // Blocks for the samples' hole in one call: filling a hole page by page costs the
    // filesystem more (delayed allocation per page). Only a hint: failure changes nothing.
    (void)::fallocate(fd, 0, off_t(*first), off_t(row_bytes * std::size_t(grid.height)));
#endif
    const int n = burner.strip_rows();
    const int nstrips = (grid.height + n - 1) / n;
    // One buffer per thread, reused: a fresh one per strip would cost a page fault per
    // 4 KiB (the kernel zeroes each page) on every strip.
    tbb::enumerable_thread_specific<std::vector<std::byte>> buffers;
    std::mutex progress_mutex;
    std::atomic<int> done{0};
    tbb::task_arena arena(detail::arena_threads(o.threads));
    arena.execute([&] {
        tbb::parallel_for(0, nstrips, [&](int s) {
            const int row0 = s * n, rows = std::min(n, grid.height - row0);
            std::vector<std::byte>& buf = buffers.local();
            buf.resize(std::size_t(n) * row_bytes);
            fill_with(o.dtype, buf.data(), std::size_t(rows) * std::size_t(grid.width), o.fill);
            burner.burn(row0, rows, buf.data());
            write_all(fd, buf.data(), std::size_t(rows) * row_bytes,
                      *first + std::uint64_t(row0) * row_bytes, dst_path);
            const int k = ++done;
            std::lock_guard lock(progress_mutex);
            progress.report(0.2 + 0.8 * double(k) / nstrips);
        });
    });
    const int fd_ = closer.fd;
    closer.fd = -1;
    if (::close(fd_) != 0)
        throw IoError("cannot write " + quoted(dst_path) + ": " + std::strerror(errno));
    return true;
}

// Strips burn in parallel and GDAL writes them in order as soon as they are ready, so the
// (serial) writing overlaps the burning; memory is a few strips.
void write_through_gdal(const Burner& burner, const Grid& grid, const RasterizeOptions& o,
                        Dataset& out, Progress& progress) {
    const int n = burner.strip_rows();
    const int nstrips = (grid.height + n - 1) / n;
    int next = 0, written = 0;
    tbb::task_arena arena(detail::arena_threads(o.threads));
    const std::size_t tokens = std::size_t(std::max(2, 2 * arena.max_concurrency()));
    // One strip buffer per token, reused (see write_in_place).
    std::vector<Raster> pool;
    pool.reserve(tokens);
    for (std::size_t i = 0; i < tokens; ++i)
        pool.emplace_back(o.dtype, 1, std::min(n, grid.height), grid.width);
    std::vector<Raster*> free_buffers;
    for (auto& r : pool)
        free_buffers.push_back(&r);
    std::mutex pool_mutex;
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
                        const int rows = std::min(n, grid.height - s * n);
                        if (r->rows() != rows)
                            r->reset(o.dtype, 1, rows, grid.width);
                        fill_with(o.dtype, r->bytes(), r->band_size(), o.fill);
                        burner.burn(s * n, rows, r->bytes());
                        return std::pair<int, Raster*>(s, r);
                    }) &
                tbb::make_filter<std::pair<int, Raster*>, void>(
                    tbb::filter_mode::serial_in_order, [&](const std::pair<int, Raster*>& sr) {
                        const auto& [s, r] = sr;
                        out.write(*r, {}, Window{0, std::int64_t(s) * n, grid.width, r->rows()});
                        {
                            std::lock_guard lock(pool_mutex);
                            free_buffers.push_back(r);
                        }
                        ++written;
                        progress.report(0.2 + 0.8 * double(written) / nstrips);
                    }));
    });
}

} // namespace

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

void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& o, const VectorReadOptions& read, Progress progress) {
    rasterize_file(vector_path, dst_path, grid, o, read, RasterizeFileOptions{},
                   std::move(progress));
}

void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& o_in, const VectorReadOptions& read,
                    const RasterizeFileOptions& file, Progress progress) {
    check_grid(grid, o_in.dtype);
    check_values(o_in);
    RasterizeOptions o = o_in;
    o.window.reset();
    // Only the burnt property is converted (by read_features' own rules): the rest of each
    // feature's attributes would be read and dropped.
    VectorReadOptions only = read;
    only.fields =
        o.property.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.property};
    const FeatureCollection fc = read_features(vector_path, only);
    const std::string source = quoted(vector_path);
    if (fc.features.empty()) {
        const std::string why =
            source + " has no features" +
            (read.where.empty() ? std::string() : " matching '" + read.where + "'");
        if (!file.allow_empty)
            throw ArgumentError(why + " (nothing to burn)");
        std::ostringstream fill;
        fill << o.fill;
        warn(why + ": the output is all fill value " + fill.str());
    }
    progress.report(0.1);
    std::vector<std::pair<Geometry, double>> shapes;
    try {
        shapes = shapes_of(fc, grid, o);
    } catch (const ArgumentError& e) {
        throw ArgumentError(source + ": " + e.what());
    }
    // Features that all miss the grid burn nothing; the output would be fill alone, without
    // a word (most often the features are in another CRS than they say).
    if (!fc.features.empty()) {
        const Bounds g = grid.bounds();
        const bool meets = std::any_of(shapes.begin(), shapes.end(), [&](const auto& s) {
            const auto b = s.first.bounds();
            return b && b->left <= g.right && b->right >= g.left && b->bottom <= g.top &&
                   b->top >= g.bottom;
        });
        if (!meets) {
            std::ostringstream fill;
            fill << o.fill;
            warn(source + ": no feature meets the output grid, which stays all fill value " +
                 fill.str() +
                 " (are the features in the CRS they declare? GeoJSON without a 'crs' member is "
                 "read as WGS 84 longitudes and latitudes)");
        }
    }
    const Burner burner(shapes, grid, o);
    progress.report(0.2);
    const Profile p = output_profile(grid, o.dtype, file);

    // Uncompressed, to a local file: GDAL lays the GeoTIFF out (header, tags, strip offsets;
    // the samples are a hole until written) and the burnt strips go straight to their place.
    if (p.compression.empty() && dst_path.rfind("/vsi", 0) != 0) {
        const std::string tmp = detail::begin_partial(dst_path);
        struct Untrack {
            const std::string& tmp;
            ~Untrack() { detail::end_partial(tmp); }
        } untrack{tmp};
        try {
            Dataset::create(tmp, p).close();
            if (write_in_place(burner, grid, o, dst_path, tmp, progress)) {
                if (VSIRename(tmp.c_str(), dst_path.c_str()) != 0)
                    throw IoError("cannot write " + quoted(dst_path) +
                                  ": renaming the finished file into place failed");
                return;
            }
        } catch (...) {
            VSIUnlink(tmp.c_str());
            throw;
        }
        VSIUnlink(tmp.c_str());
    }
    Dataset out = Dataset::create(dst_path, p);
    progress.check();
    write_through_gdal(burner, grid, o, out, progress);
    out.close();
}

} // namespace rb
