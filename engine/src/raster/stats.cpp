#include "rasterbench/stats.h"

#include <cmath>

namespace rb {

void StatsAccumulator::add(double v) {
    if (n == 0) {
        min = max = v;
    } else {
        min = std::min(min, v);
        max = std::max(max, v);
    }
    ++n;
    const double delta = v - mean;
    mean += delta / double(n);
    m2 += delta * (v - mean);
}

void StatsAccumulator::merge(const StatsAccumulator& o) {
    if (o.n == 0)
        return;
    if (n == 0) {
        *this = o;
        return;
    }
    const double total = double(n + o.n);
    const double delta = o.mean - mean;
    mean += delta * double(o.n) / total;
    m2 += o.m2 + delta * delta * double(n) * double(o.n) / total;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    n += o.n;
}

BandStats StatsAccumulator::result() const {
    BandStats s;
    s.valid_count = n;
    if (n == 0)
        return {NAN, NAN, NAN, NAN, 0};
    s.min = min;
    s.max = max;
    s.mean = mean;
    // Population standard deviation, as GDAL reports it.
    s.stddev = std::sqrt(m2 / double(n));
    return s;
}

void accumulate(const Raster& r, int b, StatsAccumulator& acc) {
    for_each_valid(r, b, [&](auto v) { acc.add(double(v)); });
}

BandStats band_statistics(const Raster& r, int b) {
    StatsAccumulator acc;
    accumulate(r, b, acc);
    return acc.result();
}

} // namespace rb
