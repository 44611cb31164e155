#pragma once
// A full-resolution read straight from a GeoTIFF's blocks, validity found in the same pass.
#include <gdal.h>

#include <optional>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rb::detail {

/// The value a read compares band `band`'s (1-based) samples with, given GDAL's mask flags
/// of the band: its declared nodata, in the file's type, where GDAL's mask is that nodata
/// (or none), the value is not NaN (NaN is never valid anyway) and the type can hold it (a
/// value it cannot hold matches nothing). Compared here, not through GDAL's nodata mask:
/// GDAL 3.6 takes signed-byte nodata as out of range for Byte. None for a complex band,
/// read as magnitudes, which its nodata does not describe.
std::optional<double> compared_nodata(const Profile& profile, int band, int mask_flags);

/// Reads `bands` (1-based) of `window`, at full resolution, into `out` from its band
/// `first_band` on, from the dataset's blocks in GDAL's block cache: each sample converted to
/// `out`'s type and, with `with_mask`, compared with its band's nodata (and NaN) in the same
/// pass, where RasterIO would copy and a scan of the copy would follow. Marks the invalid
/// samples as Dataset::read does: a band without one gets no mask.
///
/// Returns false, having read nothing, where this path does not apply: not a GeoTIFF (other
/// drivers have their own RasterIO), a compressed file GDAL decodes on several threads, a
/// band whose validity comes from a mask band, a complex or signed-byte band, or a band
/// whose type is not the profile's. Throws IoError naming the file and the block when a
/// block cannot be read.
bool read_blocks(GDALDatasetH ds, const Profile& profile, const std::vector<int>& bands,
                 const Window& window, Raster& out, int first_band, bool with_mask,
                 const std::string& path);

} // namespace rb::detail
