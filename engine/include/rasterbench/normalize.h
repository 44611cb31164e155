#pragma once
// Relative radiometric normalization of a stack: each scene's bands mapped linearly onto a
// reference scene's (reference ~ gain * scene + offset), so that dates taken under other
// atmospheres, sun angles or calibrations compare before they are scored.
// - histogram: the fit of the scene's 2nd..98th percentiles to the reference's (matches
//   histograms that differ by a gain and an offset; clouds that differ between the dates
//   bend it),
// - pif: a least-squares fit on pseudo-invariant pixels: valid in both, and among the most
//   consistent with the current fit (iterated from the histogram fit, keeping the half of
//   the pixels with the smallest residuals), which leaves clouds, shadows and real change out.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rasterbench/raster.h"

namespace rb {

struct LinearFit {
    double gain = 1, offset = 0;
};

struct NormalizationFit {
    std::string method; ///< "histogram" or "pif"; empty: nothing fitted
    int reference = -1; ///< 0-based
    /// Per scene, per band of the scenes (bands not fitted keep gain 1, offset 0).
    std::vector<std::vector<LinearFit>> fits;
    std::vector<std::size_t> pixels; ///< per scene: pixels the fit used
    bool empty() const { return fits.empty(); }
};

/// Fits every scene of `scenes` (one shape, same bands) to scene `reference` (0-based; -1:
/// the scene with the most valid pixels) on `bands` (0-based; empty: all). method: histogram
/// or pif (ArgumentError otherwise, or for a bad reference or band).
NormalizationFit fit_normalization(std::span<const Raster> scenes, const std::string& method,
                                   int reference = -1, const std::vector<int>& bands = {});

/// Applies one scene's fits in place: value -> gain * value + offset, rounded and clamped to
/// an integer type's range. Masked samples are left as they are.
void apply_normalization(Raster& scene, const std::vector<LinearFit>& fit);

} // namespace rb
