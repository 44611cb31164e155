#pragma once
// Saving a computed raster (a debanded band, a transform result, a composite and its index or
// score layers) as a GeoTIFF or a Cloud Optimized GeoTIFF (GDAL's COG driver), with the
// compression and overviews the user picked. The file is written atomically (a hidden
// partial file renamed into place) and never over one of the inputs it was made from.
#include <functional>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"

namespace rb {

struct ExportOptions {
    enum class Format { GeoTiff, Cog };
    Format format = Format::GeoTiff;
    /// GDAL COMPRESS value: "DEFLATE", "LZW", "ZSTD" or "NONE".
    std::string compression = "DEFLATE";
    /// Reduced-resolution levels (2x, 4x, ... down to about 256 px) for fast display.
    bool overviews = true;

    /// format, compression, overviews.
    static const ParamTable<ExportOptions>& params();
};

/// The overview factors (2, 4, 8, ...) of a width x height raster down to about 256 pixels
/// on its longer side; none for a raster that small already.
std::vector<int> export_overview_factors(int width, int height);

/// Writes `data` to `path` with the georeferencing, nodata and band descriptions of
/// `profile` (its size, band count and data type are taken from `data`). Throws
/// ArgumentError when `path` is one of `inputs` (nothing is written then), IoError when the
/// file cannot be written (an existing file at `path` is left intact), Cancelled when
/// `progress` says stop.
void export_raster(const Raster& data, const Profile& profile, const std::string& path,
                   const ExportOptions& options, const std::vector<FileRole>& inputs = {},
                   Progress progress = {});

/// export_raster of every band of the raster file `source` (a result written to a temporary
/// file first), with its georeferencing, nodata and band descriptions.
void export_file(const std::string& source, const std::string& path, const ExportOptions& options,
                 const std::vector<FileRole>& inputs = {}, Progress progress = {});

/// Writes `path` through a temporary GeoTIFF beside it: `write(temporary, progress)` makes the
/// result (any writer of the engine), which export_file then saves in the chosen format; the
/// temporary file is removed whatever happens. For results that are written, not held.
void export_written(const std::string& path, const ExportOptions& options,
                    const std::vector<FileRole>& inputs, Progress progress,
                    const std::function<void(const std::string& temporary, Progress)>& write);

} // namespace rb
