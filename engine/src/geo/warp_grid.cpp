// The warp's transformer and the output grid a reprojection defaults to.
#include "warp_grid.h"

#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdalwarper.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rasterbench/error.h"

namespace rb {

namespace detail {

std::string describe(const Crs& crs) {
    return crs.empty() ? "(no CRS)" : "'" + crs.name() + "'";
}

DatasetPtr georef_only(const Grid& g) {
    DatasetPtr ds = detail::mem_dataset(g.width, g.height);
    detail::set_georef(ds.get(), g.transform, g.crs);
    return ds;
}

TransformerPtr make_transformer(GDALDatasetH src, const Crs& src_crs, const Grid& dst) {
    GdalErrorCapture cap;
    detail::CslPtr opts;
    if (!src_crs.empty() && !dst.crs.empty())
        opts.reset(CSLSetNameValue(opts.release(), "DST_SRS", dst.crs.to_wkt().c_str()));
    TransformerPtr t(GDALCreateGenImgProjTransformer2(src, nullptr, opts.get()));
    if (!t)
        throw CrsError("cannot transform from " + describe(src_crs) + " to " + describe(dst.crs) +
                       ": " + reason(cap, "GDAL could not create the transformation"));
    auto gt = dst.transform.to_gdal();
    GDALSetGenImgProjTransformerDstGeoTransform(t.get(), gt.data());
    return t;
}

} // namespace detail

using detail::DatasetPtr;
using detail::describe;
using detail::GdalErrorCapture;
using detail::georef_only;
using detail::make_transformer;
using detail::reason;
using detail::TransformerPtr;

Grid default_grid(const Grid& src, const Crs& dst_crs_in, const GridOptions& o) {
    if (src.width <= 0 || src.height <= 0)
        throw ArgumentError("cannot compute an output grid for an empty source grid (" +
                            std::to_string(src.width) + "x" + std::to_string(src.height) + ")");
    if ((o.res_x && !(*o.res_x > 0)) || (o.res_y && !(*o.res_y > 0)))
        throw ArgumentError("target resolution must be positive");
    if ((o.width && *o.width <= 0) || (o.height && *o.height <= 0))
        throw ArgumentError("target size must be positive");
    if ((o.res_x || o.res_y) && (o.width || o.height))
        throw ArgumentError("target resolution and target size cannot both be given");
    if (o.target_aligned_pixels && !o.res_x && !o.res_y)
        throw ArgumentError("aligned pixels (-tap) need a target resolution");
    if (o.bounds && !(o.bounds->right > o.bounds->left && o.bounds->top > o.bounds->bottom))
        throw ArgumentError("target bounds must have left < right and bottom < top");

    const Crs dst_crs = dst_crs_in.empty() ? src.crs : dst_crs_in;
    if (const std::string what = dst_crs.not_a_map_crs(); !what.empty())
        throw CrsError("cannot lay a raster out in " + describe(dst_crs) + ": it is " + what +
                       "; give a projected or geographic CRS");
    Grid dst_for_transformer{0, 0, Affine{}, dst_crs};
    DatasetPtr ds = georef_only(src);
    TransformerPtr t = make_transformer(ds.get(), src.crs, dst_for_transformer);
    GdalErrorCapture cap;
    double gt[6];
    int pixels = 0, lines = 0;
    double extent[4];
    if (GDALSuggestedWarpOutput2(ds.get(), GDALGenImgProjTransform, t.get(), gt, &pixels, &lines,
                                 extent, 0) != CE_None)
        throw CrsError("cannot compute the extent of the source in " + describe(dst_crs) + ": " +
                       reason(cap, "GDAL could not transform the source's outline"));

    // The rest mirrors gdalwarp's GDALWarpCreateOutput for one source.
    double min_x = 0, max_x = 0, min_y = 0, max_y = 0;
    const bool have_bounds = o.bounds.has_value();
    if (have_bounds) {
        min_x = o.bounds->left;
        max_x = o.bounds->right;
        min_y = o.bounds->bottom;
        max_y = o.bounds->top;
    }
    auto bounds_from_suggested = [&] {
        if (!have_bounds) {
            min_x = gt[0];
            max_x = gt[0] + gt[1] * pixels;
            max_y = gt[3];
            min_y = gt[3] + gt[5] * lines;
        }
    };
    // A pixel count from an extent over a resolution: beyond an int (a resolution of 1e-12, or
    // bounds of 1e308) the cast wrapped to a negative size and the error spoke of an empty grid.
    const auto count = [](double n, const char* axis) {
        if (!(n < double(std::numeric_limits<int>::max())))
            throw ArgumentError(std::string("the requested target grid would be ") +
                                (std::isfinite(n) ? std::to_string(std::llround(n)) : "unbounded") +
                                " pixels " + axis +
                                ", more than one raster can hold: check the resolution, size and "
                                "bounds");
        return int(n);
    };
    Grid out;
    out.crs = dst_crs;
    if (o.res_x || o.res_y) {
        const double rx = o.res_x ? *o.res_x : *o.res_y;
        const double ry = o.res_y ? *o.res_y : rx;
        bounds_from_suggested();
        if (o.target_aligned_pixels) {
            min_x = std::floor(min_x / rx) * rx;
            max_x = std::ceil(max_x / rx) * rx;
            min_y = std::floor(min_y / ry) * ry;
            max_y = std::ceil(max_y / ry) * ry;
        }
        out.width = count((max_x - min_x + rx / 2.0) / rx, "wide");
        out.height = count((std::fabs(max_y - min_y) + ry / 2.0) / ry, "high");
        out.transform = Affine{rx, 0, min_x, 0, -ry, max_y};
    } else if (o.width && o.height) {
        bounds_from_suggested();
        out.width = *o.width;
        out.height = *o.height;
        out.transform =
            Affine{(max_x - min_x) / out.width, 0, min_x, 0, -(max_y - min_y) / out.height, max_y};
    } else if (o.width || o.height) {
        bounds_from_suggested();
        double r = 0;
        if (o.width) {
            out.width = *o.width;
            r = (max_x - min_x) / out.width;
            out.height = count((max_y - min_y + r / 2.0) / r, "high");
        } else {
            out.height = *o.height;
            r = (max_y - min_y) / out.height;
            out.width = count((max_x - min_x + r / 2.0) / r, "wide");
        }
        out.transform = Affine{r, 0, min_x, 0, -r, max_y};
    } else if (have_bounds) {
        double rx = gt[1], ry = std::fabs(gt[5]);
        out.width = count((max_x - min_x + rx / 2.0) / rx, "wide");
        out.height = count((max_y - min_y + ry / 2.0) / ry, "high");
        rx = (max_x - min_x) / out.width;
        ry = (max_y - min_y) / out.height;
        out.transform = Affine{rx, 0, min_x, 0, -ry, max_y};
    } else {
        out.width = pixels;
        out.height = lines;
        out.transform = Affine::from_gdal({gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]});
    }
    if (out.width <= 0 || out.height <= 0)
        throw ArgumentError("the requested target grid is empty (" + std::to_string(out.width) +
                            "x" + std::to_string(out.height) + ")");
    return out;
}

} // namespace rb
