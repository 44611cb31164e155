#pragma once
// Sub-blocks and strided reductions of in-memory rasters (bands, data and validity masks),
// e.g. the viewport pipeline's coarse first preview.
#include "rasterbench/raster.h"
#include "rasterbench/window.h"

namespace rb {

/// Sub-block of a raster (bands, data and mask).
Raster crop(const Raster& r, const Window& w);
/// Every `step`-th pixel of every `step`-th row from (0, 0), data and mask: a nearest-
/// neighbour reduction to ceil(rows / step) x ceil(cols / step) (a quick coarse preview).
Raster subsample(const Raster& r, int step);

} // namespace rb
