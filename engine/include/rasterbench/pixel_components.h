#pragma once
// "Why did this pixel win": every scene's component scores at one pixel, at full
// resolution, as the full-resolution composite computes them (the scorer's halo read around
// the pixel). For bap the components are total, doy, year, cloud, haze, sensor and clear;
// other methods have one, the score.
#include <cstdint>
#include <string>
#include <vector>

#include "rasterbench/composite.h"

namespace rb {

struct PixelComponents {
    std::vector<std::string> names;         ///< Scorer::component_names()
    std::vector<std::vector<float>> values; ///< per scene, per component; NaN where invalid
    int winner = -1;                        ///< the composite's winner, -1 when none
};

/// ArgumentError when (col, row) is outside the `width` x `height` grid; read errors propagate.
PixelComponents inspect_components(const std::vector<SceneSource>& scenes, const Scorer& scorer,
                                   const CompositeOptions& options, std::int64_t col,
                                   std::int64_t row, std::int64_t width, std::int64_t height);

} // namespace rb
