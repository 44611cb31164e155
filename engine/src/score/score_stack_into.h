#pragma once
// score_stack() with kept planes into rasters the caller reuses (the viewport pipeline hands
// the previous change's score rasters back): the same values, without a fresh, page-faulted
// raster per scene per change.
#include <span>
#include <vector>

#include "rasterbench/score.h"

namespace rb::detail {

/// score_stack(scenes, scorer, stats, planes, progress) into `out` (resized to the scene
/// count; each raster's storage reused when its shape allows). With `winners` asking for
/// them, the composite's winners are made too where the scores are made in strips
/// (Scorer::score_strips_reusing); `winners->made` says whether they were.
void score_stack_into(std::span<const Raster> scenes, const Scorer& scorer, const StackStats* stats,
                      std::vector<ScorePlanes>& planes, std::vector<Raster>& out, Progress progress,
                      StackWinners* winners = nullptr);

} // namespace rb::detail
