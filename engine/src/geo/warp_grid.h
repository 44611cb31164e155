#pragma once
// The pieces of a warp that need no pixels: GDAL's transformer between two grids, and the
// output grid a reprojection defaults to (gdalwarp's suggested output).
#include <string>

#include "rasterbench/warp.h"
#include "warp_mem.h"

namespace rb::detail {

/// "'WGS 84'", or "(no CRS)": how messages name a CRS.
std::string describe(const Crs& crs);
/// A band-less MEM dataset with `g`'s size, geotransform and CRS: all GDAL's transformer
/// and GDALSuggestedWarpOutput2 need.
DatasetPtr georef_only(const Grid& g);
/// GenImgProj transformer from a source dataset's pixels to `dst`'s pixels (gdalwarp's);
/// CrsError naming both CRSs when GDAL cannot make it.
TransformerPtr make_transformer(GDALDatasetH src, const Crs& src_crs, const Grid& dst);

} // namespace rb::detail
