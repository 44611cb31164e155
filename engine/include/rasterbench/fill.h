#pragma once
// Filling nodata gaps (e.g. Landsat 7 SLC-off stripes) by inverse-distance interpolation
// from the gap edges, GDAL's gdal_fillnodata algorithm (GDALFillNodata), on arrays.
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"

namespace rb {

struct FillOptions {
    /// Search distance in pixels: gap pixels farther than this from any valid pixel stay
    /// invalid (gdal_fillnodata -md).
    double max_distance = 100;
    /// 3x3 smoothing passes over the filled pixels (gdal_fillnodata -si).
    int smoothing = 0;
    int threads = 0; ///< bands are filled in parallel; 0 = all cores

    /// max_distance and smoothing, with the limits every front end checks (threads is an
    /// execution setting, not a parameter of the result).
    static const ParamTable<FillOptions>& params();
};

/// Fills the invalid samples of every band of `src` (its validity mask: nodata, NaN) from
/// the valid ones. Valid samples are unchanged. The result's mask marks what is still
/// invalid (dropped when nothing is). Throws UnsupportedError for complex data,
/// ArgumentError for negative options, Cancelled.
Raster fill_nodata(const Raster& src, const FillOptions& options = {}, Progress progress = {});

} // namespace rb
