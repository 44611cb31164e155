#pragma once
// Exact statistics for contrast stretches and histograms, over every valid sample of a band
// (a whole scene or a window of it), streamed block row by block row so memory does not
// grow with the scene:
// - integer types up to 16 bits: one pass, one histogram bin per value, from which every
//   percentile, the min/max, mean and standard deviation are exact;
// - other types: pass 1 statistics, pass 2 a 65536-bin histogram over [min, max], pass 3
//   collects only the samples of the bins holding the requested percentiles and selects
//   them exactly. Integer data whose range fits 65536 values needs no third pass.
// Percentiles use the nearest-rank definition of band_percentile() (render.h): the value of
// rank round(p / 100 * (n - 1)) among the n sorted valid samples.
#include <cstdint>
#include <optional>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/render.h"
#include "rasterbench/window.h"

namespace rb {

struct BandDistribution {
    BandStats stats;
    /// Histogram: bin i covers [lo + i * width, lo + (i + 1) * width); the last bin also
    /// holds `stats.max`. With `exact_bins`, each bin is one integer value (width 1).
    double lo = 0, width = 1;
    std::vector<std::uint64_t> counts;
    bool exact_bins = false;
    /// Percentiles selected exactly during the passes (percent -> value), for data whose
    /// histogram alone cannot answer (floats, wide integer ranges).
    std::vector<std::pair<double, double>> selected;

    /// Exact nearest-rank percentile; nullopt without valid samples, or when the histogram
    /// cannot answer exactly and `percent` was not among the requested ones.
    std::optional<double> percentile(double percent) const;
    /// The histogram merged into at most `max_bins` equal bins (for plotting):
    /// {lo, width, counts}.
    BandDistribution coarsened(int max_bins) const;
};

struct DistributionOptions {
    /// Percentiles to select exactly when the histogram cannot answer them.
    std::vector<double> percents = {2, 98};
    std::optional<Window> window; ///< default: the whole raster
    /// Samples of one streamed block row (all bands); the rows follow the file's blocks.
    std::size_t strip_samples = std::size_t(1) << 23;
};

/// Distributions of `bands` (1-based) of a dataset over their valid samples. Reads block
/// rows on the calling thread; progress over all passes; throws Cancelled / IoError.
std::vector<BandDistribution> band_distributions(const Dataset& ds, const std::vector<int>& bands,
                                                 const DistributionOptions& options = {},
                                                 Progress progress = {});

/// Distributions of every band of an in-memory raster (same rules).
std::vector<BandDistribution> band_distributions(const Raster& r,
                                                 const std::vector<double>& percents = {2, 98});

/// Stretch limits per band from exact distributions. Percent clip needs the percentiles
/// (nullopt when one is unavailable: compute again with those percents); a band without
/// valid samples gets {0, 1}; Manual takes `options.manual`.
std::optional<std::vector<StretchRange>>
stretch_from_distributions(const std::vector<BandDistribution>& distributions,
                           const StretchOptions& options);

} // namespace rb
