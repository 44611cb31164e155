#pragma once
// Internal to the score module: the neighbourhood mean that the refinement of
// StackStats::background weighs each date by.
#include <cstdint>
#include <vector>

#include "rasterbench/raster.h"

namespace rb::detail {

// The rings of summed-area table rows of two_window_mean, kept per thread across dates and
// rounds (from the pixel pool: fresh memory faults on first touch).
struct WindowSums {
    std::vector<double, PixelAllocator<double>> sum;
    std::vector<int, PixelAllocator<int>> cnt;
};

// In place: each valid pixel of the rows x cols plane `v` becomes the mean of its valid
// neighbours' means over the (2r+1)^2 and (4r+1)^2 windows (clipped to the plane); invalid
// pixels keep their value. `all_valid`: every pixel is valid (then the windows' areas
// count). Nothing happens for r <= 0.
void two_window_mean(float* v, const std::uint8_t* valid, bool all_valid, int rows, int cols, int r,
                     WindowSums& ws);

} // namespace rb::detail
