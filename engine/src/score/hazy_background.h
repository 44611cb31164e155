#pragma once
// Internal to the score module: the last step of StackStats::background, which lowers a
// background that thin clouds lifted to the pixel's clear date.
#include <cstdint>
#include <span>
#include <vector>

#include "rasterbench/score.h"

namespace rb::detail {

// Where thin clouds outnumber a pixel's clear dates (or the refinement spread them there),
// the background is hazy, and the temporal tests and the tie-break, which judge every date
// against it, flag the clear date as shadow and let the thin clouds win (on 32 generated RGB
// stacks, half of the cloudy winners where a clear date was valid). The clear date is then
// darker on the haze bands, and darker the way haze brightens, towards white:
// background - date = a * (white - date), a thin cloud's opacity a. A shadow darkens in
// proportion instead: background - date = (1 - s) * background.
// Per pixel, the candidate is the date darker by the most (over its gains and as stored, at
// least twice the tolerance on average over the haze bands) whose darkening fits the haze
// line four times better than the shadow line (squared residuals), with an opacity below
// kMaxHazeOpacity. It becomes the background (over its gains) where at least kSupport of the
// pixel's eight neighbours have the same candidate: haze is a patch, and lone candidates are
// mostly noise on grey ground, where the two lines nearly coincide.
// Why darker as stored too: a cloudy date's gain against the background is meaningless (on
// the Sentinel-2 stack a date under cloud everywhere had a "gain" near 2, so over it the
// date looked darker than the clear background). Why the opacity cap: on ground near white
// (saturated in a display product) a shadowed date fits any line towards white.
//
// `inv_gain`: 1 / each date's gain against the background, date-major (as the refinement's
// last round measured them); `valid`: each date's pixel validity.
void lower_hazy_background(std::span<const Raster> scenes,
                           const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                           const StackStatsNeeds& needs, const std::vector<float>& inv_gain);

} // namespace rb::detail
