#pragma once
// score_stack() with kept planes into rasters the caller reuses (the viewport pipeline hands
// the previous change's score rasters back): the same values, without a fresh, page-faulted
// raster per scene per change.
#include <span>
#include <vector>

#include "rasterbench/score.h"

namespace rb::detail {

/// score_stack(scenes, scorer, stats, planes, progress) into `out` (resized to the scene
/// count; each raster's storage reused when its shape allows).
void score_stack_into(std::span<const Raster> scenes, const Scorer& scorer, const StackStats* stats,
                      std::vector<ScorePlanes>& planes, std::vector<Raster>& out,
                      Progress progress);

} // namespace rb::detail
