#pragma once
// The Score panel's scenes as its background jobs read them: on the stack's grid (the first
// scene's, as `composite --grid first` and a recipe's composite step take it). A scene on
// another grid is seen through a warped VRT (rb::AlignedScenes), built once, by the first job
// that needs it, so the GUI thread never opens the files. Shared by the jobs of one scene set:
// the VRTs stay until the last of them ends.
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/stack_grid.h"
#include "rasterbench/warp.h"

namespace rb::ui {

class StackAlignment {
public:
    StackAlignment(std::vector<rb::SceneSource> scenes, rb::Grid grid);

    /// The scenes on grid(): the originals where they are on it, warped VRTs elsewhere. Any
    /// thread; the first call opens every scene. Throws what rb::AlignedScenes throws (a scene
    /// without a CRS, a file that cannot be opened), and the same error on every later call.
    const std::vector<rb::SceneSource>& scenes();
    const rb::Grid& grid() const { return grid_; }
    /// Scenes warped onto grid() (0 before the first scenes() call, or when all are on it).
    std::size_t warped() const;

private:
    const std::vector<rb::SceneSource> original_;
    const rb::Grid grid_;
    mutable std::mutex mutex_;
    std::unique_ptr<rb::AlignedScenes> aligned_;
    std::exception_ptr error_;
};

} // namespace rb::ui
