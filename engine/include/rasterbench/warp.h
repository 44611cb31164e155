#pragma once
// Reprojection (warping) of arrays and datasets from one grid to another, on GDAL's warp
// kernel. Rules beyond the shared ones in rasterbench.h:
// - A Grid is a raster's georeferencing: size, affine transform and CRS. An array plus a
//   Grid is all `reproject` needs: no dataset, as in rasterio.warp.reproject.
// - The default destination grid is computed the way `gdalwarp` computes it
//   (GDALSuggestedWarpOutput2 plus gdalwarp's handling of -tr/-ts/-te/-tap).
// - The destination is computed in fixed tiles of `tile_size` aligned to the grid origin,
//   each tile independently (its own approximate transformer and source window). A preview
//   of any window therefore equals the same window of the full run pixel for pixel, for
//   any thread count: the UI previews exactly what the export writes.
// - Nearest and bilinear with the approximate transformer (error_threshold > 0) run on our
//   own kernel, which applies GDAL's per-pixel rules (sample position, validity, weights,
//   rounding: the same pixels as GDAL's kernel for the same source coordinates) with a
//   cheaper approximation of the coordinates (a grid per tile, within error_threshold).
//   Tiles it cannot reproduce (downsampling bilinear, floating-point nodata, per-dataset
//   masks, partial alpha, other GDAL warp options) and exact mode use GDAL's kernel.
// - Nodata: invalid source samples (mask, nodata value, alpha) never contribute. The output
//   carries a validity mask (dropped when every sample is valid); invalid output samples
//   hold `dst_nodata` (default: the source's nodata, else 0).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rasterbench/affine.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rb {

/// Where a raster's pixels are: size, pixel -> map transform and CRS.
struct Grid {
    int width = 0, height = 0;
    Affine transform;
    Crs crs;

    /// Axis-aligned map bounds of the grid.
    Bounds bounds() const { return Window::full(width, height).bounds(transform); }
    /// The grid of a window of this grid (same CRS, shifted transform).
    Grid window_grid(const Window& w) const {
        return {int(w.width), int(w.height), w.transform(transform), crs};
    }
    bool operator==(const Grid& o) const {
        return width == o.width && height == o.height && transform == o.transform && crs == o.crs;
    }
};

/// The grid of a dataset profile.
Grid grid_of(const Profile& profile);

enum class WarpResampling {
    Nearest,
    Bilinear,
    Cubic,
    CubicSpline,
    Lanczos,
    Average,
    Mode,
    Min,
    Max,
    Median,
};

/// gdalwarp's names: "near", "bilinear", "cubic", "cubicspline", "lanczos", "average",
/// "mode", "min", "max", "med".
std::string_view warp_resampling_name(WarpResampling r);
/// Accepts gdalwarp's names and the enum's spelled-out names ("nearest", "median");
/// nullopt when unknown.
std::optional<WarpResampling> parse_warp_resampling(std::string_view name);

/// gdalwarp's -tr / -ts / -te / -tap. Sizes and resolutions must be positive.
struct GridOptions {
    std::optional<double> res_x, res_y; ///< -tr (res_y defaults to res_x)
    std::optional<int> width, height;   ///< -ts (one of them alone keeps square pixels)
    std::optional<Bounds> bounds;       ///< -te, in the destination CRS
    bool target_aligned_pixels = false; ///< -tap (needs a resolution)
};

/// The destination grid `gdalwarp -t_srs dst_crs` would create for a source grid (same size
/// and transform within floating point). An empty `dst_crs` keeps the source CRS (the
/// grid is still made north-up, as gdalwarp does for rotated sources). Throws CrsError when
/// the source cannot be transformed into `dst_crs`, ArgumentError for bad options.
Grid default_grid(const Grid& src, const Crs& dst_crs, const GridOptions& options = {});

struct ReprojectOptions {
    WarpResampling resampling = WarpResampling::Nearest;
    /// Overrides the source nodata value for every band (default: the Raster's mask, or for
    /// a Dataset the bands' nodata values, per-dataset mask or alpha band, like gdalwarp).
    std::optional<double> src_nodata;
    /// Value of invalid output samples (default: the source band's nodata, else 0).
    std::optional<double> dst_nodata;
    /// Maximum error of the approximate transformer in source pixels (gdalwarp -et; 0 =
    /// exact transformation of every pixel).
    double error_threshold = 0.125;
    int threads = 0;     ///< 0 = all cores (oneTBB's default)
    int tile_size = 512; ///< tile edge; previews equal the full run for the same tile_size
    /// Compute only this window of the destination grid (a preview); the result is the
    /// window's size and equals the same window of the full run. Clipped to the grid.
    std::optional<Window> window;
    /// Extra GDAL warp options (KEY=VALUE, e.g. SOURCE_EXTRA, SAMPLE_GRID); any of them
    /// selects GDAL's kernel. RB_FAST_PATH=NO|YES|AUTO is ours: NO always uses GDAL's
    /// kernel, YES uses ours where it applies even with the exact transformer (tests compare
    /// the kernels), AUTO (default) as described above.
    std::map<std::string, std::string> warp_options;

    /// resampling and error_threshold, the parameters a user tunes (nodata values, threads,
    /// tiles and windows are settings of the data or of the run).
    static const ParamTable<ReprojectOptions>& params();
};

/// Warps an in-memory raster (all bands) on `src_grid` onto `dst_grid`. Output dtype is the
/// source's. Throws UnsupportedError for Int8/complex rasters, CrsError when the CRSs
/// cannot be related, ArgumentError for inconsistent sizes, Cancelled.
Raster reproject(const Raster& src, const Grid& src_grid, const Grid& dst_grid,
                 const ReprojectOptions& options = {}, Progress progress = {});

/// Warps bands (1-based; empty = all but a trailing alpha band) of a dataset on disk onto
/// `dst_grid`. Each worker thread opens its own handle on `src.path()`.
Raster reproject(const Dataset& src, const Grid& dst_grid, const std::vector<int>& bands = {},
                 const ReprojectOptions& options = {}, Progress progress = {});

/// Checks that the file at `path` (its profile `p`) can be reprojected: it has a CRS and at
/// most kMaxPixels pixels per band. Throws CrsError / ArgumentError naming the file.
void check_reprojectable(const std::string& path, const Profile& p);

/// File to file, streaming rows of tiles (memory bounded by one row of tiles). The output is
/// a GeoTIFF written with Dataset::create (temporary file renamed on success) carrying the
/// source profile's dtype, band descriptions and compression, and `dst_nodata` (or the
/// source nodata) as nodata. `options.window` is ignored. Checks the source with
/// check_reprojectable and the destination grid's size before creating the output, and
/// warns (rb::warn) when less than half of the output holds data and markedly less than the
/// source does (a target CRS whose domain excludes most of the source).
void reproject_file(const std::string& src_path, const std::string& dst_path, const Grid& dst_grid,
                    const ReprojectOptions& options = {}, Progress progress = {});
/// reproject_file of one window of `dst_grid` (clipped to it), written as a file on the
/// window's grid: the same pixels as that window of reproject_file's output for the same
/// options (the warp's tiles are aligned to the grid's origin). No warning about an output
/// holding little data. A job's reprojection runs as such windows, one task each; `encode`
/// (when set) then chooses the output's compression and tiling on its profile, as the job's
/// other tiles are written (a VRT of tiles, the source here, has none to carry over).
void reproject_file_window(const std::string& src_path, const std::string& dst_path,
                           const Grid& dst_grid, const Window& window,
                           const ReprojectOptions& options = {}, Progress progress = {},
                           const std::function<void(Profile&)>& encode = {});

} // namespace rb
