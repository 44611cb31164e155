#include "rasterbench/warp.h"

#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdalwarper.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <sstream>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gdal_util.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "threads.h"
#include "warp_fast.h"
#include "warp_grid.h"
#include "warp_mem.h"

namespace rb {

using detail::DatasetPtr;
using detail::describe;
using detail::GdalErrorCapture;
using detail::make_transformer;
using detail::reason;
using detail::TransformerPtr;

Grid grid_of(const Profile& p) {
    return {p.width, p.height, p.transform, p.crs};
}

namespace {

struct ResamplingName {
    WarpResampling value;
    std::string_view name;
    GDALResampleAlg gdal;
};
constexpr ResamplingName kResampling[] = {
    {WarpResampling::Nearest, "near", GRA_NearestNeighbour},
    {WarpResampling::Bilinear, "bilinear", GRA_Bilinear},
    {WarpResampling::Cubic, "cubic", GRA_Cubic},
    {WarpResampling::CubicSpline, "cubicspline", GRA_CubicSpline},
    {WarpResampling::Lanczos, "lanczos", GRA_Lanczos},
    {WarpResampling::Average, "average", GRA_Average},
    {WarpResampling::Mode, "mode", GRA_Mode},
    {WarpResampling::Min, "min", GRA_Min},
    {WarpResampling::Max, "max", GRA_Max},
    {WarpResampling::Median, "med", GRA_Med},
};

GDALResampleAlg to_gdal(WarpResampling r) {
    for (const auto& e : kResampling)
        if (e.value == r)
            return e.gdal;
    return GRA_NearestNeighbour;
}

} // namespace

std::string_view warp_resampling_name(WarpResampling r) {
    for (const auto& e : kResampling)
        if (e.value == r)
            return e.name;
    return "near";
}

const ParamTable<ReprojectOptions>& ReprojectOptions::params() {
    static const ParamTable<ReprojectOptions> t = [] {
        ParamTable<ReprojectOptions> t;
        std::vector<std::string> names;
        for (int k = int(WarpResampling::Nearest); k <= int(WarpResampling::Median); ++k)
            names.emplace_back(warp_resampling_name(WarpResampling(k)));
        t.add_enum(&ReprojectOptions::resampling, "resampling", names, "resampling method");
        t.add(&ReprojectOptions::error_threshold, "error_threshold",
              "approximation error (gdalwarp -et; 0 = exact)", 0,
              std::numeric_limits<double>::infinity(), "px");
        return t;
    }();
    return t;
}

std::optional<WarpResampling> parse_warp_resampling(std::string_view name) {
    std::string n(name);
    for (char& c : n)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (n == "nearest")
        return WarpResampling::Nearest;
    if (n == "median")
        return WarpResampling::Median;
    if (n == "cubic_spline")
        return WarpResampling::CubicSpline;
    for (const auto& e : kResampling)
        if (e.name == n)
            return e.value;
    return std::nullopt;
}

// ----------------------------------------------------------------------------------------
// The tiled warp.

namespace {

using Pass = detail::WarpPass;

struct Source {
    std::function<DatasetPtr()> open; // a new handle for one worker thread
    std::string what;                 // for messages
    GDALDataType type = GDT_Byte;
    DataType dtype = DataType::UInt8;
    Crs crs;
    std::vector<Pass> passes;
    int out_bands = 0;
    std::vector<double> fill; // per output band: value of invalid samples
};

struct ThreadState {
    DatasetPtr src;
    TransformerPtr transformer;
};

struct WoDeleter {
    void operator()(GDALWarpOptions* w) const { GDALDestroyWarpOptions(w); }
};

void check_dtype(DataType t, const std::string& what) {
    if (t == DataType::Int8 || is_complex(t))
        throw UnsupportedError("cannot reproject " + what + ": data type " +
                               std::string(dtype_name(t)) + " is not supported by the warper");
}

// Warps one pass of one tile and copies the part inside `region` into `out`.
void warp_tile(const Source& s, const Pass& pass, ThreadState& st, const Affine& dst_transform,
               const Window& tile, const Window& region, const ReprojectOptions& o, Raster& out) {
    GdalErrorCapture cap;
    const int nb = int(pass.src_bands.size());
    DatasetPtr dst(GDALCreate(GDALGetDriverByName("MEM"), "", int(tile.width), int(tile.height),
                              nb + 1, s.type, nullptr));
    if (!dst)
        throw IoError("cannot allocate a warp tile: " + reason(cap, "MEM driver failed"));

    // The thread's GenImgProj transformer now targets this tile's own grid (the tile's
    // transform is computed identically in every run containing the tile). GDAL sees its
    // own transformer, so it finds poles and other special points when sizing the source
    // window, exactly as gdalwarp does.
    const auto tile_gt = tile.transform(dst_transform).to_gdal();
    GDALSetGenImgProjTransformerDstGeoTransform(st.transformer.get(),
                                                const_cast<double*>(tile_gt.data()));
    TransformerPtr approx;
    if (o.error_threshold > 0)
        approx.reset(GDALCreateApproxTransformer(GDALGenImgProjTransform, st.transformer.get(),
                                                 o.error_threshold));

    std::unique_ptr<GDALWarpOptions, WoDeleter> wo(GDALCreateWarpOptions());
    wo->hSrcDS = st.src.get();
    wo->hDstDS = dst.get();
    wo->nBandCount = nb;
    wo->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int) * std::size_t(nb)));
    wo->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int) * std::size_t(nb)));
    for (int i = 0; i < nb; ++i) {
        wo->panSrcBands[i] = pass.src_bands[std::size_t(i)];
        wo->panDstBands[i] = i + 1;
    }
    wo->nSrcAlphaBand = pass.src_alpha;
    wo->nDstAlphaBand = nb + 1;
    wo->eResampleAlg = to_gdal(o.resampling);
    wo->dfWarpMemoryLimit = 256.0 * 1024 * 1024;
    if (!pass.src_nodata.empty()) {
        wo->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double) * std::size_t(nb)));
        for (int i = 0; i < nb; ++i)
            wo->padfSrcNoDataReal[i] = pass.src_nodata[std::size_t(i)];
    }
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "INIT_DEST", "0");
    for (const auto& [k, v] : o.warp_options)
        if (k != "RB_FAST_PATH") // ours, not GDAL's
            wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, k.c_str(), v.c_str());
    if (approx) {
        wo->pfnTransformer = GDALApproxTransform;
        wo->pTransformerArg = approx.get();
    } else {
        wo->pfnTransformer = GDALGenImgProjTransform;
        wo->pTransformerArg = st.transformer.get();
    }

    GDALWarpOperation op;
    if (op.Initialize(wo.get()) != CE_None ||
        op.ChunkAndWarpImage(0, 0, int(tile.width), int(tile.height)) != CE_None)
        throw IoError("cannot reproject " + s.what + " at destination " + tile.to_string() + ": " +
                      reason(cap, "GDAL's warper failed"));

    // Copy the overlap of the tile and the region into the output.
    const Window in = tile.intersection(region);
    const int lx = int(in.col_off - tile.col_off), ly = int(in.row_off - tile.row_off);
    const int ox = int(in.col_off - region.col_off), oy = int(in.row_off - region.row_off);
    const std::size_t sz = dtype_size(s.dtype);
    std::vector<std::uint8_t> alpha(std::size_t(in.width) * std::size_t(in.height));
    if (GDALRasterIO(GDALGetRasterBand(dst.get(), nb + 1), GF_Read, lx, ly, int(in.width),
                     int(in.height), alpha.data(), int(in.width), int(in.height), GDT_Byte, 0,
                     0) != CE_None)
        throw IoError("cannot read a warped tile: " + reason(cap, "read failed"));
    for (int i = 0; i < nb; ++i) {
        const int ob = pass.out_bands[std::size_t(i)];
        auto* base = static_cast<std::byte*>(detail::band_ptr(out, ob)) +
                     (std::size_t(oy) * std::size_t(out.cols()) + std::size_t(ox)) * sz;
        if (GDALRasterIO(GDALGetRasterBand(dst.get(), i + 1), GF_Read, lx, ly, int(in.width),
                         int(in.height), base, int(in.width), int(in.height), s.type, int(sz),
                         GSpacing(out.cols()) * GSpacing(sz)) != CE_None)
            throw IoError("cannot read a warped tile: " + reason(cap, "read failed"));
        auto mask = out.mask(ob);
        const double fill = s.fill[std::size_t(ob)];
        visit_dtype(s.dtype, [&](auto zero) {
            using T = decltype(zero);
            T* data = out.band<T>(ob).data();
            for (int r = 0; r < int(in.height); ++r) {
                const std::size_t row = std::size_t(oy + r) * std::size_t(out.cols()) + ox;
                for (int c = 0; c < int(in.width); ++c) {
                    const bool valid = alpha[std::size_t(r) * in.width + c] != 0;
                    mask[row + c] = valid ? kValid : kInvalid;
                    if (!valid)
                        data[row + c] = static_cast<T>(fill);
                }
            }
        });
    }
}

// Warps one pass of one tile with our kernel when it reproduces GDAL's for this tile (see
// warp_fast.h); false when the tile is left to GDAL's kernel.
bool warp_tile_ours(const Source& s, const Pass& pass, ThreadState& st, const Affine& dst_transform,
                    const Window& tile, const Window& region, const ReprojectOptions& o,
                    detail::FastWarpMode mode, Raster& out) {
    if (mode == detail::FastWarpMode::Off)
        return false;
    // The transformer targets this tile's own grid, as for GDAL's kernel in warp_tile().
    const auto tile_gt = tile.transform(dst_transform).to_gdal();
    GDALSetGenImgProjTransformerDstGeoTransform(st.transformer.get(),
                                                const_cast<double*>(tile_gt.data()));
    detail::FastTile t;
    t.src = st.src.get();
    t.transformer = st.transformer.get();
    t.pass = &pass;
    t.dtype = s.dtype;
    t.fill = &s.fill;
    t.tile = tile;
    t.region = region;
    t.resampling = o.resampling;
    t.error_threshold = std::max(0.0, o.error_threshold);
    return detail::warp_tile_fast(t, out);
}

Raster warp_region(const Source& s, const Grid& dst, const Window& region,
                   const ReprojectOptions& o, Progress& progress) {
    if (o.tile_size < 16)
        throw ArgumentError("tile size " + std::to_string(o.tile_size) + " is too small (>= 16)");
    Raster out(s.dtype, s.out_bands, int(region.height), int(region.width));
    out.ensure_mask();
    if (region.empty())
        return out;
    const std::int64_t T = o.tile_size;
    const std::int64_t tx0 = region.col_off / T, tx1 = (region.col_end() + T - 1) / T;
    const std::int64_t ty0 = region.row_off / T, ty1 = (region.row_end() + T - 1) / T;
    const std::int64_t ntx = tx1 - tx0, nty = ty1 - ty0;
    const std::size_t ntiles = std::size_t(ntx * nty);

    const detail::FastWarpMode fast = detail::fast_warp_mode(o);
    tbb::enumerable_thread_specific<ThreadState> states;
    std::mutex progress_mutex;
    std::atomic<std::size_t> done{0};
    auto body = [&](const tbb::blocked_range<std::size_t>& range) {
        ThreadState& st = states.local();
        if (!st.src) {
            st.src = s.open();
            st.transformer = make_transformer(st.src.get(), s.crs, dst);
        }
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
            const std::int64_t tx = tx0 + std::int64_t(i) % ntx, ty = ty0 + std::int64_t(i) / ntx;
            const Window tile = Window{tx * T, ty * T, T, T}.clamped(dst.width, dst.height);
            for (const Pass& pass : s.passes)
                if (!warp_tile_ours(s, pass, st, dst.transform, tile, region, o, fast, out))
                    warp_tile(s, pass, st, dst.transform, tile, region, o, out);
            const std::size_t n = ++done;
            std::lock_guard lock(progress_mutex);
            progress.report(double(n) / double(ntiles));
        }
    };
    progress.check();
    tbb::task_arena arena(detail::arena_threads(o.threads));
    arena.execute([&] { tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ntiles, 1), body); });
    return out;
}

void finish_mask(Raster& r) {
    if (!r.has_mask())
        return;
    for (int b = 0; b < r.bands(); ++b) {
        const auto m = r.mask(b);
        if (std::find(m.begin(), m.end(), kInvalid) != m.end())
            return;
    }
    r.drop_mask();
}

Window resolve_region(const ReprojectOptions& o, const Grid& dst) {
    if (dst.width <= 0 || dst.height <= 0)
        throw ArgumentError("destination grid is empty (" + std::to_string(dst.width) + "x" +
                            std::to_string(dst.height) + ")");
    if (!o.window)
        return Window::full(dst.width, dst.height);
    return o.window->clamped(dst.width, dst.height);
}

// Source description of bands of a file, with gdalwarp's validity rules.
Source file_source(const std::string& path, const Profile& p, std::vector<int> bands,
                   const ReprojectOptions& o) {
    check_dtype(p.dtype, "'" + path + "'");
    Source s;
    s.what = "'" + path + "'";
    s.dtype = p.dtype;
    s.type = detail::to_gdal_type(p.dtype);
    s.crs = p.crs;
    int alpha = 0;
    if (!p.colorinterp.empty() && p.colorinterp.back() == "Alpha")
        alpha = p.count;
    if (bands.empty())
        for (int b = 1; b <= p.count; ++b)
            if (b != alpha)
                bands.push_back(b);
    for (int b : bands)
        if (b < 1 || b > p.count)
            throw ArgumentError("band " + std::to_string(b) + " does not exist in '" + path +
                                "' (" + std::to_string(p.count) + " bands)");
    s.out_bands = int(bands.size());
    auto nodata_of = [&](int b) -> std::optional<double> {
        if (o.src_nodata)
            return o.src_nodata;
        return p.nodata[std::size_t(b - 1)];
    };
    bool all = true, none = true;
    for (int b : bands) {
        all = all && nodata_of(b).has_value();
        none = none && !nodata_of(b).has_value();
    }
    if (all || none) {
        Pass pass;
        for (std::size_t i = 0; i < bands.size(); ++i) {
            pass.src_bands.push_back(bands[i]);
            pass.out_bands.push_back(int(i));
            if (all)
                pass.src_nodata.push_back(*nodata_of(bands[i]));
        }
        pass.src_alpha = none ? alpha : 0;
        s.passes.push_back(pass);
    } else {
        // GDAL takes nodata for all bands of a pass or none: warp such bands one by one.
        for (std::size_t i = 0; i < bands.size(); ++i) {
            Pass pass{{bands[i]}, {int(i)}, 0, {}};
            if (auto nd = nodata_of(bands[i]))
                pass.src_nodata.push_back(*nd);
            else
                pass.src_alpha = alpha;
            s.passes.push_back(pass);
        }
    }
    for (int b : bands) {
        const auto nd = nodata_of(b);
        s.fill.push_back(o.dst_nodata ? *o.dst_nodata : nd.value_or(0.0));
    }
    s.open = [path] {
        GdalErrorCapture cap;
        DatasetPtr ds(
            GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        if (!ds)
            throw IoError("cannot open '" + path + "': " + reason(cap, "open failed"));
        return ds;
    };
    return s;
}

} // namespace

Raster reproject(const Raster& src, const Grid& src_grid, const Grid& dst_grid,
                 const ReprojectOptions& o, Progress progress) {
    check_dtype(src.dtype(), "the raster");
    if (src.rows() != src_grid.height || src.cols() != src_grid.width)
        throw ArgumentError("raster of " + std::to_string(src.cols()) + "x" +
                            std::to_string(src.rows()) + " does not match its grid of " +
                            std::to_string(src_grid.width) + "x" + std::to_string(src_grid.height));
    if (src.empty())
        throw ArgumentError("cannot reproject an empty raster");
    const Window region = resolve_region(o, dst_grid);
    Source s;
    s.what = "the raster";
    s.dtype = src.dtype();
    s.type = detail::to_gdal_type(src.dtype());
    s.crs = src_grid.crs;
    s.out_bands = src.bands();
    s.fill.assign(std::size_t(src.bands()), o.dst_nodata.value_or(0.0));
    // Validity: an explicit nodata value, else the mask as an alpha band after the data
    // bands (one shared alpha when all bands' masks agree, else one pass per band).
    bool shared_mask = true;
    if (src.has_mask())
        for (int b = 1; b < src.bands() && shared_mask; ++b)
            shared_mask = std::equal(src.mask(0).begin(), src.mask(0).end(), src.mask(b).begin());
    const bool use_mask = src.has_mask() && !o.src_nodata;
    if (!use_mask || shared_mask) {
        Pass pass;
        for (int b = 0; b < src.bands(); ++b) {
            pass.src_bands.push_back(b + 1);
            pass.out_bands.push_back(b);
            if (o.src_nodata)
                pass.src_nodata.push_back(*o.src_nodata);
        }
        pass.src_alpha = use_mask ? src.bands() + 1 : 0;
        s.passes.push_back(pass);
    } else {
        for (int b = 0; b < src.bands(); ++b)
            s.passes.push_back(Pass{{b + 1}, {b}, src.bands() + 1 + b, {}});
    }
    if (o.src_nodata && !o.dst_nodata)
        s.fill.assign(std::size_t(src.bands()), *o.src_nodata);
    const int nmasks = !use_mask ? 0 : (shared_mask ? 1 : src.bands());
    s.open = [&src, src_grid, nmasks] {
        DatasetPtr ds = detail::mem_dataset(src.cols(), src.rows());
        const GDALDataType t = detail::to_gdal_type(src.dtype());
        for (int b = 0; b < src.bands(); ++b)
            detail::add_band_view(ds.get(), t, detail::band_ptr(src, b));
        for (int m = 0; m < nmasks; ++m)
            detail::add_band_view(ds.get(), GDT_Byte, src.mask(m).data());
        detail::set_georef(ds.get(), src_grid.transform, src_grid.crs);
        return ds;
    };
    Raster out = warp_region(s, dst_grid, region, o, progress);
    finish_mask(out);
    return out;
}

Raster reproject(const Dataset& src, const Grid& dst_grid, const std::vector<int>& bands,
                 const ReprojectOptions& o, Progress progress) {
    const Window region = resolve_region(o, dst_grid);
    Source s = file_source(src.path(), src.profile(), bands, o);
    Raster out = warp_region(s, dst_grid, region, o, progress);
    finish_mask(out);
    return out;
}

namespace {

// Valid fraction of a file's first band, from a decimated read (at most 512 x 512).
double valid_fraction(const std::string& path, const Profile& p) {
    ReadOptions r;
    r.bands = {1};
    const double scale = std::min(1.0, 512.0 / std::max(p.width, p.height));
    r.out_cols = std::max(1, int(p.width * scale));
    r.out_rows = std::max(1, int(p.height * scale));
    const Raster small = Dataset::open(path).read(r);
    if (!small.has_mask())
        return 1;
    const auto m = small.mask(0);
    return double(std::count(m.begin(), m.end(), kValid)) / double(m.size());
}

std::string percent(double fraction) {
    return std::to_string(int(std::lround(fraction * 100))) + "%";
}

} // namespace

void check_reprojectable(const std::string& path, const Profile& p) {
    if (p.crs.empty())
        throw CrsError("'" + path +
                       "' has no CRS: it cannot be reprojected (give it one first, e.g. "
                       "gdal_edit.py -a_srs EPSG:CODE)");
    check_pixel_count(path, p);
}

namespace {

/// reproject_file on `region` of `dst` (the whole grid, or a window written as a file of its
/// own on the window's grid).
void write_reprojected(const std::string& src_path, const std::string& dst_path, const Grid& dst,
                       const std::optional<Window>& region, const ReprojectOptions& o_in,
                       Progress progress, const std::function<void(Profile&)>& encode = {}) {
    const Profile sp = read_profile(src_path);
    check_reprojectable(src_path, sp);
    if (std::int64_t(dst.width) * std::int64_t(dst.height) > kMaxPixels)
        throw ArgumentError("cannot reproject '" + src_path + "' to '" + dst_path +
                            "': the output grid " + std::to_string(dst.width) + " x " +
                            std::to_string(dst.height) +
                            " is more than the 2^36 pixels per band rasterbench processes");
    ReprojectOptions o = o_in;
    o.window = region;
    const Window all = resolve_region(o, dst);
    if (all.empty())
        throw ArgumentError("cannot reproject '" + src_path + "' to '" + dst_path +
                            "': the window lies outside the output grid");
    Source s = file_source(src_path, sp, {}, o);

    Profile p;
    p.driver = "GTiff";
    p.width = int(all.width);
    p.height = int(all.height);
    p.count = s.out_bands;
    p.dtype = sp.dtype;
    p.crs = dst.crs;
    p.transform = all.transform(dst.transform);
    p.has_transform = true;
    p.compression = sp.compression;
    p.tiled = true;
    p.block_width = p.block_height = 256;
    bool any_nodata = false;
    for (int b = 0; b < s.out_bands; ++b) {
        const int src_band = s.passes.size() == 1 ? s.passes[0].src_bands[std::size_t(b)]
                                                  : s.passes[std::size_t(b)].src_bands[0];
        const bool has = o.dst_nodata || o.src_nodata || sp.nodata[std::size_t(src_band - 1)];
        any_nodata = any_nodata || has;
        p.nodata.push_back(has ? std::optional<double>(s.fill[std::size_t(b)]) : std::nullopt);
        p.descriptions.push_back(sp.descriptions[std::size_t(src_band - 1)]);
        p.colorinterp.push_back(sp.colorinterp[std::size_t(src_band - 1)]);
    }
    if (!any_nodata)
        p.nodata.clear();
    if (encode)
        encode(p);
    Dataset out = Dataset::create(dst_path, p);
    // One row of tiles at a time: bounded memory, and each row is warped in parallel.
    const std::int64_t T = std::max(16, o.tile_size);
    std::int64_t valid = 0; // of the first band
    // The warp's tiles are aligned to the grid's origin, so a window's strips hold the
    // pixels of the same rows of the whole grid.
    for (std::int64_t row = 0; row < all.height; row += T) {
        const Window strip{0, row, all.width, std::min<std::int64_t>(T, all.height - row)};
        Progress sub = progress.sub(double(row) / double(all.height),
                                    double(strip.row_end()) / double(all.height));
        Raster r = warp_region(
            s, dst, Window{all.col_off, all.row_off + row, strip.width, strip.height}, o, sub);
        if (r.has_mask()) {
            const auto m = r.mask(0);
            valid += std::int64_t(std::count(m.begin(), m.end(), kValid));
        } else {
            valid += strip.width * strip.height;
        }
        r.drop_mask(); // invalid samples already hold the nodata value
        out.write(r, {}, strip);
    }
    out.close();
    if (region)
        return; // a window of the output may hold little data without anything being wrong
    // A target CRS that cannot represent most of the source gives a mostly empty image
    // without any error from GDAL; the user should hear of it. The source's own nodata
    // (a scene's collar) is not the target's fault, so the output is compared with it.
    const double out_valid = double(valid) / (double(dst.width) * double(dst.height));
    if (out_valid < 0.5) {
        const double src_valid = valid_fraction(src_path, sp);
        if (out_valid < 0.85 * src_valid)
            warn("only " + percent(out_valid) + " of '" + dst_path + "' holds data, " +
                 percent(src_valid) + " of '" + src_path +
                 "' does: most of the output grid is outside the source or outside the domain of " +
                 describe(dst.crs));
    }
}

} // namespace

void reproject_file(const std::string& src_path, const std::string& dst_path, const Grid& dst,
                    const ReprojectOptions& options, Progress progress) {
    write_reprojected(src_path, dst_path, dst, std::nullopt, options, std::move(progress));
}

void reproject_file_window(const std::string& src_path, const std::string& dst_path,
                           const Grid& dst_grid, const Window& window,
                           const ReprojectOptions& options, Progress progress,
                           const std::function<void(Profile&)>& encode) {
    write_reprojected(src_path, dst_path, dst_grid, window, options, std::move(progress), encode);
}

} // namespace rb
