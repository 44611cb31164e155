// The Burner of rasterize() and rasterize_file() (rasterize_burner.h): our edge-table copy of
// GDAL's polygon scanline fill (rasterize_scanline.h) where it applies, else
// GDALRasterizeGeometries on fixed strips of the grid.
#include "rasterize_burner.h"

#include <cpl_string.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "gdal_util.h"
#include "rasterbench/error.h"
#include "warp_mem.h"

namespace rb::detail {

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

std::vector<BurnItem> items_of(const std::vector<std::pair<const Geometry*, double>>& shapes,
                               const Grid& grid) {
    const Affine inv = grid.transform.inverse();
    std::vector<BurnItem> items;
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
void burn_gdal_strip(const std::vector<BurnItem>& items, const Grid& grid,
                     const RasterizeOptions& o, int s, std::byte* buf) {
    GdalErrorCapture cap;
    const int row0 = s * kGdalStripRows;
    const int rows = std::min(kGdalStripRows, grid.height - row0);
    std::vector<OGRGeometryH> geoms;
    std::vector<double> values;
    for (const BurnItem& it : items)
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

} // namespace

Burner::Burner(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
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

int Burner::strip_rows() const {
    if (!scan_)
        return kGdalStripRows;
    const std::size_t row_bytes = std::size_t(grid_.width) * dtype_size(o_.dtype);
    return int(std::clamp<std::size_t>((std::size_t(1) << 20) / row_bytes, 1, 256));
}

int Burner::strip_start(int row, int first_row) const {
    const int n = strip_rows();
    const int origin = scan_ ? first_row : 0;
    return origin + (row - origin) / n * n;
}

void Burner::burn(int row0, int rows, std::byte* buf) const {
    if (scan_)
        scan_->burn(row0, rows, buf);
    else
        burn_gdal_strip(items_, grid_, o_, row0 / kGdalStripRows, buf);
}

bool Burner::try_scanline() {
    if (o_.all_touched || o_.merge != MergeAlg::Replace || !ScanPolygons::supports(o_.dtype))
        return false;
    for (const auto& [geom, value] : shapes_)
        if (!ScanPolygons::handles(
                static_cast<OGRGeometryH>(const_cast<void*>(geom->ogr_handle()))))
            return false;
    GridTransformer t(grid_);
    ScanPolygons scan(grid_.width, grid_.height, o_.dtype);
    for (const auto& [geom, value] : shapes_)
        if (!scan.add(static_cast<OGRGeometryH>(const_cast<void*>(geom->ogr_handle())), value,
                      GDALGenImgProjTransform, t.base.get()))
            return false;
    scan_.emplace(std::move(scan));
    return true;
}

} // namespace rb::detail
