#include "rasterbench/stack_grid.h"

#include "rasterbench/diagnostics.h"

#include <gdal_utils.h>
#include <gdal_vrt.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>

#include "gdal_util.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "window_footprint.h"

namespace rb {

const ParamTable<StackGridOptions>& StackGridOptions::params() {
    static const ParamTable<StackGridOptions> t = [] {
        using O = StackGridOptions;
        ParamTable<O> t;
        t.add(&O::grid, "grid",
              "the grid scenes are composited on: first, union, intersection or like:FILE");
        t.add(&O::dst_crs, "dst_crs",
              "target CRS instead of the grid's (EPSG:code, WKT, PROJ string); empty = keep");
        t.add_enum(&O::resampling, "resampling",
                   {"near", "bilinear", "cubic", "cubicspline", "lanczos", "average", "mode", "min",
                    "max", "med"},
                   "resampling of the scenes' data bands when they are warped (quality bands: "
                   "always nearest)");
        return t;
    }();
    return t;
}

namespace {

bool same_grid(const Grid& a, const Grid& b) {
    const double tol = 1e-6 * std::max(std::abs(a.transform.a), std::abs(a.transform.e));
    return a.width == b.width && a.height == b.height &&
           a.transform.almost_equals(b.transform, tol) && a.crs == b.crs;
}

Bounds combine(const Bounds& a, const Bounds& b, bool unite) {
    if (unite)
        return {std::min(a.left, b.left), std::min(a.bottom, b.bottom), std::max(a.right, b.right),
                std::max(a.top, b.top)};
    return {std::max(a.left, b.left), std::max(a.bottom, b.bottom), std::min(a.right, b.right),
            std::min(a.top, b.top)};
}

bool has_target(const GridOptions& t) {
    return t.res_x || t.res_y || t.width || t.height || t.bounds || t.target_aligned_pixels;
}

} // namespace

Grid stack_grid(const std::vector<SceneSource>& scenes, const StackGridOptions& o) {
    if (scenes.empty())
        throw ArgumentError("no scenes given");
    std::vector<Grid> grids;
    std::vector<std::string> labels;
    for (const auto& s : scenes) {
        if (s.files.empty())
            throw ArgumentError("a scene needs at least one file");
        grids.push_back(grid_of(read_profile(s.files.front())));
        labels.push_back(s.label());
    }
    return stack_grid(grids, o, labels);
}

Grid stack_grid(const std::vector<Grid>& grids, const StackGridOptions& o,
                const std::vector<std::string>& labels) {
    if (grids.empty())
        throw ArgumentError("no scenes given");
    const std::string& rule = o.grid;
    const bool like = rule.rfind("like:", 0) == 0;
    if (!like && rule != "first" && rule != "union" && rule != "intersection")
        throw ArgumentError("grid '" + rule + "' is not first, union, intersection or like:FILE");
    Grid base = like ? grid_of(read_profile(rule.substr(5))) : grids.front();
    const Crs crs = o.dst_crs.empty() ? base.crs : Crs::from_user_input(o.dst_crs);
    GridOptions target = o.target;
    if (rule == "union" || rule == "intersection") {
        // Each scene's footprint in the target CRS; the first scene's resolution there.
        const Grid first = crs == base.crs ? base : default_grid(base, crs);
        std::optional<Bounds> b;
        for (std::size_t i = 0; i < grids.size(); ++i) {
            const Grid g = grids[i].crs == crs ? grids[i] : default_grid(grids[i], crs);
            b = b ? combine(*b, g.bounds(), rule == "union") : g.bounds();
            if (!(b->right > b->left && b->top > b->bottom))
                throw ArgumentError("grid intersection: scene '" +
                                    (i < labels.size() ? labels[i] : std::to_string(i + 1)) +
                                    "' does not overlap the scenes before it");
        }
        if (!target.bounds)
            target.bounds = b;
        if (!target.res_x && !target.width && !target.height) {
            target.res_x = std::abs(first.transform.a);
            target.res_y = std::abs(first.transform.e);
        }
        return default_grid(first, crs, target);
    }
    if (crs == base.crs && !has_target(target))
        return base;
    return default_grid(base, crs, target);
}

namespace {

std::atomic<unsigned> vrt_counter{0};

/// A value to mark pixels outside the source in a file whose bands declare no nodata: NaN
/// for floats, else the type's extreme (the value least likely to be data).
std::string fill_value(DataType t) {
    if (is_floating(t))
        return "nan";
    std::string text;
    visit_dtype(t, [&](auto x) {
        using T = decltype(x);
        if constexpr (std::is_integral_v<T>)
            text = std::is_signed_v<T> ? std::to_string(+std::numeric_limits<T>::lowest())
                                       : std::to_string(+std::numeric_limits<T>::max());
    });
    return text.empty() ? "0" : text;
}

/// The whole-pixel offset (columns, rows) that takes `grid`'s pixels to `src`'s when the
/// two differ only by a translation and nearest resampling picks, for every pixel, the
/// source pixel under its centre: then a window read is the warp. nullopt otherwise (or
/// when a centre falls within 1e-6 pixel of a source edge, where rounding could differ).
std::optional<std::pair<long long, long long>> whole_pixel_offset(const Grid& src,
                                                                  const Grid& grid) {
    const Affine& a = src.transform;
    const Affine& b = grid.transform;
    if (!(src.crs == grid.crs) || a.b != 0 || a.d != 0 || b.b != 0 || b.d != 0)
        return std::nullopt;
    if (std::abs(a.a - b.a) > 1e-9 * std::abs(b.a) || std::abs(a.e - b.e) > 1e-9 * std::abs(b.e))
        return std::nullopt;
    // Target column i's centre falls in source column i + floor(0.5 + dx).
    const double dx = (b.c - a.c) / a.a, dy = (b.f - a.f) / a.e;
    const double fx = 0.5 + dx - std::floor(0.5 + dx), fy = 0.5 + dy - std::floor(0.5 + dy);
    if (fx < 1e-6 || fx > 1 - 1e-6 || fy < 1e-6 || fy > 1 - 1e-6)
        return std::nullopt;
    return std::pair{(long long)std::floor(0.5 + dx), (long long)std::floor(0.5 + dy)};
}

/// A plain VRT reading `path` shifted by whole pixels onto `grid` (nodata outside it).
std::string shifted_vrt(const std::string& path, const Profile& p, const Grid& grid,
                        std::pair<long long, long long> off) {
    const std::string name = "/vsimem/rasterbench_aligned/" + std::to_string(vrt_counter++) + "/" +
                             std::filesystem::path(path).filename().string() + ".vrt";
    const std::string abs = std::filesystem::absolute(path).string();
    detail::GdalErrorCapture cap;
    detail::DatasetPtr src(
        GDALOpenEx(abs.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!src)
        throw IoError("cannot open '" + path + "': " + detail::reason(cap, "unreadable"));
    GDALDriverH vrt = GDALGetDriverByName("VRT");
    detail::DatasetPtr out(
        GDALCreate(vrt, name.c_str(), grid.width, grid.height, 0, GDT_Byte, nullptr));
    if (!out)
        throw IoError("'" + path +
                      "': cannot make its shifted view: " + detail::reason(cap, "VRT refused"));
    const auto g = grid.transform.to_gdal();
    double gt[6] = {g[0], g[1], g[2], g[3], g[4], g[5]};
    GDALSetGeoTransform(out.get(), gt);
    GDALSetProjection(out.get(), grid.crs.to_wkt().c_str());
    GDALSetMetadata(out.get(), GDALGetMetadata(src.get(), nullptr), nullptr);
    const std::string fill = fill_value(p.dtype);
    for (int k = 1; k <= GDALGetRasterCount(src.get()); ++k) {
        GDALRasterBandH sb = GDALGetRasterBand(src.get(), k);
        GDALAddBand(out.get(), GDALGetRasterDataType(sb), nullptr);
        GDALRasterBandH ob = GDALGetRasterBand(out.get(), k);
        int has = 0;
        const double nd = GDALGetRasterNoDataValue(sb, &has);
        GDALSetRasterNoDataValue(ob, has ? nd : std::strtod(fill.c_str(), nullptr));
        GDALSetDescription(ob, GDALGetDescription(sb));
        GDALSetRasterColorInterpretation(ob, GDALGetRasterColorInterpretation(sb));
        VRTAddSimpleSource(static_cast<VRTSourcedRasterBandH>(ob), sb, int(off.first),
                           int(off.second), grid.width, grid.height, 0, 0, grid.width, grid.height,
                           "near", VRT_NODATA_UNSET);
    }
    return name; // closing `out` writes the VRT
}

/// Writes a VRT warping `path` onto `grid` and returns its /vsimem name.
std::string warped_vrt(const std::string& path, const Profile& p, const Grid& grid,
                       WarpResampling r) {
    const std::string name = "/vsimem/rasterbench_aligned/" + std::to_string(vrt_counter++) + "/" +
                             std::filesystem::path(path).filename().string() + ".vrt";
    const Bounds b = grid.bounds();
    auto num = [](double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return std::string(buf);
    };
    std::vector<std::string> args = {"-of",
                                     "VRT",
                                     "-r",
                                     std::string(warp_resampling_name(r)),
                                     "-te",
                                     num(b.left),
                                     num(b.bottom),
                                     num(b.right),
                                     num(b.top),
                                     "-ts",
                                     std::to_string(grid.width),
                                     std::to_string(grid.height)};
    if (!grid.crs.empty()) {
        args.push_back("-t_srs");
        args.push_back(grid.crs.to_wkt());
    }
    const bool any_nodata = std::any_of(p.nodata.begin(), p.nodata.end(),
                                        [](const std::optional<double>& v) { return bool(v); });
    if (!any_nodata) {
        args.push_back("-dstnodata");
        args.push_back(fill_value(p.dtype));
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    detail::GdalErrorCapture cap;
    GDALWarpAppOptions* wo = GDALWarpAppOptionsNew(argv.data(), nullptr);
    if (!wo)
        throw ArgumentError("'" + path + "': cannot warp it onto the stack's grid: " +
                            detail::reason(cap, "bad warp options"));
    const std::string abs = std::filesystem::absolute(path).string();
    detail::DatasetPtr src(
        GDALOpenEx(abs.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!src) {
        GDALWarpAppOptionsFree(wo);
        throw IoError("cannot open '" + path + "': " + detail::reason(cap, "unreadable"));
    }
    GDALDatasetH in[] = {src.get()};
    int usage_error = 0;
    detail::DatasetPtr out(GDALWarp(name.c_str(), nullptr, 1, in, wo, &usage_error));
    GDALWarpAppOptionsFree(wo);
    if (!out)
        throw CrsError("'" + path + "': cannot warp it onto the stack's grid: " +
                       detail::reason(cap, "GDAL's warper refused it"));
    return name; // closing `out` writes the VRT
}

} // namespace

Window window_on_grid(const Grid& from, const Window& window, const Grid& to) {
    if (window.empty())
        return {};
    if (from == to)
        return window.clamped(to.width, to.height);
    // A view partly outside the other CRS's domain still maps the part inside it.
    const auto b = detail::window_footprint(from, window, to, detail::OutsidePoints::Skip);
    if (!b)
        return {};
    // A hair of tolerance, so an edge that lands on a pixel boundary in floating point does not
    // take one more pixel.
    constexpr double kEps = 1e-6;
    const auto c0 = std::int64_t(std::floor(b->col_min + kEps)),
               r0 = std::int64_t(std::floor(b->row_min + kEps));
    const auto c1 = std::int64_t(std::ceil(b->col_max - kEps)),
               r1 = std::int64_t(std::ceil(b->row_max - kEps));
    return Window{c0, r0, std::max<std::int64_t>(c1 - c0, 0), std::max<std::int64_t>(r1 - r0, 0)}
        .clamped(to.width, to.height);
}

AlignedScenes::AlignedScenes(const std::vector<SceneSource>& scenes, const Grid& grid,
                             WarpResampling resampling)
    : grid_(grid) {
    detail::ensure_gdal();
    // Checked here, where the size comes from (--size, --res, --bounds): each scene's read
    // would refuse it later in its own name, as if the scene were too large.
    if (std::int64_t(grid.width) * std::int64_t(grid.height) > kMaxPixels) {
        for (const auto& s : scenes) // a scene that large is named as the cause
            if (!s.files.empty())
                check_pixel_count(s.label(), read_profile(s.files.front()));
        throw ArgumentError("the grid of the composite is " + std::to_string(grid.width) + " x " +
                            std::to_string(grid.height) +
                            " pixels, more than the 2^36 per band rasterbench processes: give a "
                            "coarser resolution, a smaller size or smaller bounds");
    }
    try {
        for (const auto& s : scenes) {
            if (s.files.empty())
                throw ArgumentError("a scene needs at least one file");
            const Profile p = read_profile(s.files.front());
            if (same_grid(grid_of(p), grid)) {
                scenes_.push_back(s);
                continue;
            }
            if (p.crs.empty() || grid.crs.empty())
                throw ArgumentError("scene '" + s.label() +
                                    "' is not on the grid of the stack and " +
                                    (p.crs.empty() ? "has no CRS" : "the grid has no CRS") +
                                    ": it cannot be warped onto it (give scenes with a CRS, or "
                                    "scenes on one grid)");
            // A scene that misses the grid would add nothing, and say nothing about it: most
            // likely another area, or numbers in another CRS than the file names.
            if (window_on_grid(grid_of(p), Window::full(p.width, p.height), grid).empty())
                warn("scene '" + s.label() +
                     "' does not overlap the grid of the composite: it contributes no pixel "
                     "(check its area and CRS; --grid union covers every scene)");
            SceneSource warped = s;
            warped.name = s.label();
            resolve_solar_zenith(warped); // found beside the original, warped below with it
            for (std::size_t k = 0; k < s.files.size(); ++k) {
                // A scene's files after its first are quality bands: categories, never blended.
                const WarpResampling r = k == 0 ? resampling : WarpResampling::Nearest;
                const Profile fp = k == 0 ? p : read_profile(s.files[k]);
                const auto off = r == WarpResampling::Nearest
                                     ? whole_pixel_offset(grid_of(fp), grid)
                                     : std::nullopt;
                warped.files[k] = off ? shifted_vrt(s.files[k], fp, grid, *off)
                                      : warped_vrt(s.files[k], fp, grid, r);
                vrts_.push_back(warped.files[k]);
            }
            if (!warped.solar_zenith.empty()) {
                // Each pixel's sun angle goes with it (a smooth field: the data's resampling).
                const std::string zenith = warped.solar_zenith;
                const Profile zp = read_profile(zenith);
                const auto off = resampling == WarpResampling::Nearest
                                     ? whole_pixel_offset(grid_of(zp), grid)
                                     : std::nullopt;
                warped.solar_zenith = off ? shifted_vrt(zenith, zp, grid, *off)
                                          : warped_vrt(zenith, zp, grid, resampling);
                vrts_.push_back(warped.solar_zenith);
            }
            scenes_.push_back(std::move(warped));
            ++warped_;
        }
    } catch (...) {
        for (const auto& v : vrts_)
            VSIUnlink(v.c_str());
        throw;
    }
}

AlignedScenes::~AlignedScenes() {
    for (const auto& v : vrts_)
        VSIUnlink(v.c_str());
}

} // namespace rb
