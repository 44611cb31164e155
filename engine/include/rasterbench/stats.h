#pragma once
// Exact statistics of raster bands over valid samples.
#include <cstdint>

#include "rasterbench/dataset.h"
#include "rasterbench/raster.h"

namespace rb {

/// Running accumulator (Welford) that merges across blocks and threads.
struct StatsAccumulator {
    std::uint64_t n = 0;
    double min = 0, max = 0, mean = 0, m2 = 0;
    void add(double v);
    void merge(const StatsAccumulator& o);
    BandStats result() const;
};

/// Adds the valid, non-NaN samples of band `b` (0-based) of `r` to `acc`.
void accumulate(const Raster& r, int b, StatsAccumulator& acc);
/// Statistics of band `b` (0-based) of an in-memory raster.
BandStats band_statistics(const Raster& r, int b);

} // namespace rb
