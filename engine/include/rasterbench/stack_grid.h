#pragma once
// Scenes on different grids composited on one: the target grid of a stack (the first
// scene's, the union or intersection of all, another raster's, or one given by CRS,
// resolution and bounds) and the scenes seen on it through GDAL's warper, block by block,
// without temporary copies.
#include <memory>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/param_table.h"
#include "rasterbench/warp.h"

namespace rb {

struct StackGridOptions {
    /// first: the first scene's grid; union / intersection: the first scene's CRS and
    /// resolution over the union / intersection of every scene's bounds; like:FILE: the grid
    /// of the raster FILE.
    std::string grid = "first";
    /// A CRS for the target grid instead of the chosen grid's (EPSG:code, WKT, PROJ...).
    std::string dst_crs;
    /// Resampling of each scene's first file (its data bands); the files after it are
    /// quality bands and always take the nearest value.
    WarpResampling resampling = WarpResampling::Nearest;
    /// -tr / -ts / -te / -tap over the chosen grid, as in reproject.
    GridOptions target;

    /// grid, dst_crs, resampling (the target's resolution, size and bounds are flags of
    /// their own, as for reproject).
    static const ParamTable<StackGridOptions>& params();
};

/// The grid `scenes` are composited on. Throws ArgumentError for an unknown grid rule, an
/// empty intersection or a bad target, CrsError for a CRS that cannot hold the scenes, and
/// IoError naming a file that cannot be opened.
Grid stack_grid(const std::vector<SceneSource>& scenes, const StackGridOptions& options);
/// The same rule over scenes' grids known without opening them (a planned job's scenes after
/// their reprojection); `labels` name the scenes in errors.
Grid stack_grid(const std::vector<Grid>& grids, const StackGridOptions& options,
                const std::vector<std::string>& labels = {});

/// The smallest window of `to` covering `window` of `from` (its edges sampled through map
/// coordinates, and through PROJ when the CRSs differ), clamped to `to`. Empty when the two do
/// not meet or the window cannot be transformed into `to`'s CRS. A view of one scene becomes the
/// same part of the map on the stack's grid this way.
Window window_on_grid(const Grid& from, const Window& window, const Grid& to);

/// Scenes seen on one grid. A scene already on it is kept as it is; the files of any other
/// become warped VRTs in GDAL's memory file system (named after the original files, so
/// band roles and dates read from names still apply) that GDAL warps block by block as
/// they are read. Owns those VRTs and removes them when destroyed.
class AlignedScenes {
public:
    AlignedScenes(const std::vector<SceneSource>& scenes, const Grid& grid,
                  WarpResampling resampling = WarpResampling::Nearest);
    ~AlignedScenes();
    AlignedScenes(const AlignedScenes&) = delete;
    AlignedScenes& operator=(const AlignedScenes&) = delete;

    const std::vector<SceneSource>& scenes() const { return scenes_; }
    const Grid& grid() const { return grid_; }
    /// How many scenes are warped (0 when every scene was on the grid).
    std::size_t warped() const { return warped_; }

private:
    std::vector<SceneSource> scenes_;
    std::vector<std::string> vrts_;
    Grid grid_;
    std::size_t warped_ = 0;
};

} // namespace rb
