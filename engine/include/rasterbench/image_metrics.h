// Image quality metrics of a raster against a reference of the same size.
#pragma once

#include "rasterbench/raster.h"

namespace rb {

/// PSNR (dB) of band `b` of `a` against band `b` of `ref` over pixels valid in both; the
/// peak is the reference's valid range. Infinity when identical.
double psnr(const Raster& a, const Raster& ref, int b);

/// Mean SSIM (Gaussian window, sigma 1.5, K1 0.01, K2 0.03, L = reference's range) over
/// windows centred on pixels valid in both.
double ssim(const Raster& a, const Raster& ref, int b);

} // namespace rb
