#pragma once
// Our own warp kernel for the common cases (nearest and bilinear, 4-sample formula): the
// per-pixel rules of GDAL's warp kernel (which source pixel a destination pixel centre
// samples, which samples count as valid, the bilinear weights and their renormalization,
// rounding), with a cheaper approximate transformer and a tight typed inner loop. Tiles it
// cannot reproduce exactly as GDAL would are left to GDAL's kernel by the caller.
#include <gdal.h>

#include <string>
#include <vector>

#include "rasterbench/raster.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

namespace rb::detail {

/// Bands warped together because they share one validity source.
struct WarpPass {
    std::vector<int> src_bands;     ///< 1-based bands of the source dataset
    std::vector<int> out_bands;     ///< 0-based bands of the output raster
    int src_alpha = 0;              ///< 1-based source band holding validity (0/255), 0 = none
    std::vector<double> src_nodata; ///< empty, or one per band
};

/// Which kernel warps the tiles: ours where it can, else GDAL's.
enum class FastWarpMode {
    Off,   ///< always GDAL's kernel
    Auto,  ///< ours for nearest/bilinear with an approximate transformer (error_threshold > 0)
    Force, ///< ours also with the exact transformer (tests compare it with GDAL's kernel)
};

/// The mode for these options: the warp option RB_FAST_PATH=NO|YES|AUTO (default AUTO)
/// selects it; any other GDAL warp option means GDAL's kernel (we do not emulate them).
FastWarpMode fast_warp_mode(const ReprojectOptions& o);

/// One pass of one destination tile.
struct FastTile {
    GDALDatasetH src = nullptr; ///< the worker's own source handle
    /// The worker's GenImgProj transformer, its destination set to this tile's grid.
    void* transformer = nullptr;
    const WarpPass* pass = nullptr;
    DataType dtype = DataType::UInt8;
    const std::vector<double>* fill = nullptr; ///< per output band: value of invalid samples
    Window tile;                               ///< in the destination grid
    Window region;                             ///< what `out` holds, in the destination grid
    WarpResampling resampling = WarpResampling::Nearest;
    double error_threshold = 0.125; ///< source pixels; 0 = exact transformation
};

/// Warps the tile into `out` (the part inside the region) and returns true, or returns
/// false having written nothing when the tile needs GDAL's kernel. Throws IoError when the
/// source cannot be read.
bool warp_tile_fast(const FastTile& t, Raster& out);

} // namespace rb::detail
