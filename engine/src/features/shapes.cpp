// shapes(): integer classes through our own labelling and boundary tracing
// (polygonize_trace.h); exact floats, wide integers and simplified output through
// GDALFPolygonize / GDALPolygonize into an OGR memory layer, read back as plain polygons in
// map coordinates.
#include <gdal_alg.h>
#include <ogr_api.h>

#include <cmath>
#include <limits>

#include "gdal_util.h"
#include "polygonize_trace.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "warp_mem.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::reason;

namespace {

struct OgrDsDeleter {
    void operator()(OGRDataSourceH h) const {
        if (h)
            OGR_DS_Destroy(h);
    }
};

Ring ring_from(OGRGeometryH ring) {
    const int n = OGR_G_GetPointCount(ring);
    Ring r(std::size_t(std::max(0, n)));
    for (int i = 0; i < n; ++i)
        r[std::size_t(i)] = {OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)};
    return r;
}

Polygon polygon_from(OGRGeometryH g) {
    Polygon p;
    const int n = OGR_G_GetGeometryCount(g);
    if (n > 0)
        p.exterior = ring_from(OGR_G_GetGeometryRef(g, 0));
    for (int i = 1; i < n; ++i)
        p.holes.push_back(ring_from(OGR_G_GetGeometryRef(g, i)));
    return p;
}

} // namespace

std::vector<Shape> shapes(const Raster& r, int band, const Affine& transform,
                          const ShapesOptions& o, Progress progress) {
    if (band < 0 || band >= r.bands())
        throw ArgumentError("band index " + std::to_string(band) + " does not exist (raster has " +
                            std::to_string(r.bands()) + " bands)");
    if (o.connectivity != 4 && o.connectivity != 8)
        throw ArgumentError("connectivity must be 4 or 8, not " + std::to_string(o.connectivity));
    if (!(o.quantize >= 0) || !(o.simplify >= 0))
        throw ArgumentError("quantize step and simplify tolerance must be >= 0");
    if (!o.mask.empty() && o.mask.size() != r.band_size())
        throw ArgumentError("mask of " + std::to_string(o.mask.size()) +
                            " samples does not match the raster's " + std::to_string(r.cols()) +
                            "x" + std::to_string(r.rows()));
    if (is_complex(r.dtype()))
        throw UnsupportedError("cannot polygonize complex data");
    if (r.empty())
        return {};
    GdalErrorCapture cap;

    // Choose how GDAL sees the values: integer types that fit Int32 as they are, floats as
    // they are (exact float polygonize) or binned into Int32 classes by `quantize`.
    const DataType t = r.dtype();
    const bool fits_int32 = t == DataType::UInt8 || t == DataType::UInt16 || t == DataType::Int16 ||
                            t == DataType::Int32;
    bool use_float = false;
    Raster work; // a converted copy when the band cannot be aliased
    const void* data = detail::band_ptr(r, band);
    GDALDataType gtype = detail::to_gdal_type(t);
    if (o.quantize > 0) {
        work = Raster(DataType::Int32, 1, r.rows(), r.cols());
        auto dst = work.band<std::int32_t>(0);
        visit_dtype(t, [&](auto zero) {
            using T = decltype(zero);
            const auto src = r.band<T>(band);
            for (std::size_t i = 0; i < src.size(); ++i) {
                const double bin = std::floor(double(src[i]) / o.quantize);
                if (std::isnan(bin))
                    dst[i] = 0; // NaN is masked out below
                else if (bin < std::numeric_limits<std::int32_t>::min() ||
                         bin > std::numeric_limits<std::int32_t>::max())
                    throw ArgumentError("value " + std::to_string(double(src[i])) +
                                        " divided by the quantize step " +
                                        std::to_string(o.quantize) + " overflows 32-bit classes");
                else
                    dst[i] = std::int32_t(bin);
            }
        });
        data = work.bytes();
        gtype = GDT_Int32;
    } else if (fits_int32) {
        // aliased as is
    } else if (t == DataType::Int8) {
        work = Raster(DataType::Int16, 1, r.rows(), r.cols());
        auto dst = work.band<std::int16_t>(0);
        const auto src = r.band<std::int8_t>(band);
        std::copy(src.begin(), src.end(), dst.begin());
        data = work.bytes();
        gtype = GDT_Int16;
    } else if (t == DataType::Float32 || t == DataType::Float64) {
        use_float = true;
    } else {
        // 32-bit unsigned and 64-bit integers: exact as doubles below 2^53.
        work = Raster(DataType::Float64, 1, r.rows(), r.cols());
        auto dst = work.band<double>(0);
        visit_dtype(t, [&](auto zero) {
            using T = decltype(zero);
            const auto src = r.band<T>(band);
            for (std::size_t i = 0; i < src.size(); ++i)
                dst[i] = double(src[i]);
        });
        data = work.bytes();
        gtype = GDT_Float64;
        use_float = true;
    }

    // Pixels to polygonize: the raster's validity, the caller's mask, and never NaN.
    std::vector<std::uint8_t> mask;
    const bool floating = is_floating(t);
    if (r.has_mask() || !o.mask.empty() || floating) {
        mask.assign(r.band_size(), 1);
        if (r.has_mask()) {
            const auto m = r.mask(band);
            for (std::size_t i = 0; i < mask.size(); ++i)
                mask[i] = m[i] != kInvalid;
        }
        for (std::size_t i = 0; i < o.mask.size(); ++i)
            mask[i] = mask[i] && o.mask[i] != 0;
        if (floating)
            visit_dtype(t, [&](auto zero) {
                using T = decltype(zero);
                const auto v = r.band<T>(band);
                for (std::size_t i = 0; i < v.size(); ++i)
                    if (std::isnan(double(v[i])))
                        mask[i] = 0;
            });
    }
    // Integer classes: our own labelling and boundary tracing (GDALPolygonize's regions,
    // several times faster). Exact floats and wide integers keep GDAL's float polygonizer,
    // and simplification needs OGR geometries, so both take the GDAL route below.
    // (Region labels are 32-bit: larger rasters take GDAL's route too.)
    if (!use_float && o.simplify == 0 &&
        r.band_size() < std::size_t(std::numeric_limits<std::int32_t>::max())) {
        Progress trace = progress.sub(0, 1);
        std::vector<detail::TracedRegion> regions;
        const std::uint8_t* valid = mask.empty() ? nullptr : mask.data();
        const int rows = r.rows(), cols = r.cols();
        switch (gtype) {
        case GDT_Byte:
            regions = detail::trace_regions(static_cast<const std::uint8_t*>(data), valid, rows,
                                            cols, o.connectivity, trace);
            break;
        case GDT_UInt16:
            regions = detail::trace_regions(static_cast<const std::uint16_t*>(data), valid, rows,
                                            cols, o.connectivity, trace);
            break;
        case GDT_Int16:
            regions = detail::trace_regions(static_cast<const std::int16_t*>(data), valid, rows,
                                            cols, o.connectivity, trace);
            break;
        default:
            regions = detail::trace_regions(static_cast<const std::int32_t*>(data), valid, rows,
                                            cols, o.connectivity, trace);
            break;
        }
        std::vector<Shape> out(regions.size());
        for (std::size_t k = 0; k < regions.size(); ++k) {
            Shape& sh = out[k];
            sh.value = double(regions[k].value);
            if (o.quantize > 0)
                sh.value *= o.quantize;
            for (std::size_t j = 0; j < regions[k].rings.size(); ++j) {
                Ring ring;
                ring.reserve(regions[k].rings[j].size());
                for (const auto& [c, rw] : regions[k].rings[j]) {
                    const auto [x, y] = transform.apply(double(c), double(rw));
                    ring.push_back({x, y});
                }
                if (j == 0)
                    sh.polygon.exterior = std::move(ring);
                else
                    sh.polygon.holes.push_back(std::move(ring));
            }
        }
        progress.report(1.0);
        return out;
    }

    detail::DatasetPtr src = detail::mem_dataset(r.cols(), r.rows());
    detail::add_band_view(src.get(), gtype, data);
    auto gt = transform.to_gdal();
    GDALSetGeoTransform(src.get(), gt.data());

    detail::DatasetPtr mask_ds;
    GDALRasterBandH mask_band = nullptr;
    if (!mask.empty()) {
        mask_ds = detail::mem_dataset(r.cols(), r.rows());
        detail::add_band_view(mask_ds.get(), GDT_Byte, mask.data());
        mask_band = GDALGetRasterBand(mask_ds.get(), 1);
    }

    std::unique_ptr<std::remove_pointer_t<OGRDataSourceH>, OgrDsDeleter> mem(
        OGR_Dr_CreateDataSource(OGRGetDriverByName("Memory"), "", nullptr));
    if (!mem)
        throw IoError("cannot create an in-memory vector layer: " + reason(cap, "OGR failed"));
    OGRLayerH layer = OGR_DS_CreateLayer(mem.get(), "shapes", nullptr, wkbPolygon, nullptr);
    OGRFieldDefnH fd = OGR_Fld_Create("value", use_float ? OFTReal : OFTInteger);
    OGR_L_CreateField(layer, fd, TRUE);
    OGR_Fld_Destroy(fd);

    const char* conn_opts[] = {"8CONNECTED=8", nullptr};
    char** opts = o.connectivity == 8 ? const_cast<char**>(conn_opts) : nullptr;
    detail::GdalProgressBridge bridge{&progress};
    Progress poly = progress.sub(0, 0.8);
    bridge.progress = &poly;
    GDALRasterBandH hb = GDALGetRasterBand(src.get(), 1);
    const CPLErr err = use_float ? GDALFPolygonize(hb, mask_band, layer, 0, opts,
                                                   detail::GdalProgressBridge::fn, &bridge)
                                 : GDALPolygonize(hb, mask_band, layer, 0, opts,
                                                  detail::GdalProgressBridge::fn, &bridge);
    bridge.rethrow();
    if (err != CE_None)
        throw ArgumentError("cannot polygonize band " + std::to_string(band) + ": " +
                            reason(cap, "GDAL's polygonizer failed"));

    std::vector<Shape> out;
    out.reserve(std::size_t(OGR_L_GetFeatureCount(layer, TRUE)));
    OGR_L_ResetReading(layer);
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        Shape s;
        s.value = OGR_F_GetFieldAsDouble(f, 0);
        if (o.quantize > 0)
            s.value *= o.quantize;
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g && o.simplify > 0) {
            detail::GeomPtr simple(OGR_G_SimplifyPreserveTopology(g, o.simplify));
            if (!simple) {
                OGR_F_Destroy(f);
                throw UnsupportedError("cannot simplify polygons: " +
                                       reason(cap, "GDAL was built without GEOS"));
            }
            if (wkbFlatten(OGR_G_GetGeometryType(simple.get())) == wkbPolygon)
                s.polygon = polygon_from(simple.get());
            else
                s.polygon = polygon_from(g);
        } else if (g) {
            s.polygon = polygon_from(g);
        }
        OGR_F_Destroy(f);
        out.push_back(std::move(s));
        if (out.size() % 4096 == 0)
            progress.sub(0.8, 1.0).check();
    }
    progress.report(1.0);
    return out;
}

} // namespace rb
