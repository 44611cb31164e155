#pragma once
// The most common ratio of a band to its background, which the cloud score's clear
// background and its visible-band tests both use to divide out a date's gain.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace rb::detail {

// The most common ratio v / bg (0.5..2, from a smoothed histogram) over valid pixels whose
// background is above `floor` (every `stride`-th pixel); 1 with fewer than 100 such pixels.
template <typename T>
double mode_ratio(std::span<const T> v, std::span<const float> bg,
                  const std::vector<std::uint8_t>& valid, double floor, std::size_t stride = 1) {
    constexpr int kBins = 300;
    constexpr double kLo = 0.5, kWidth = 1.5 / kBins;
    std::array<double, kBins> hist{};
    std::size_t used = 0;
    for (std::size_t p = 0; p < v.size(); p += stride) {
        if (!valid[p] || !(double(bg[p]) > floor))
            continue;
        const double r = (double(v[p]) / double(bg[p]) - kLo) / kWidth;
        if (r >= 0 && r < kBins) {
            hist[std::size_t(r)] += 1;
            ++used;
        }
    }
    if (used < 100)
        return 1;
    int best = 0;
    double best_v = -1;
    for (int b = 0; b < kBins; ++b) {
        double s = 0;
        for (int d = -3; d <= 3; ++d)
            if (b + d >= 0 && b + d < kBins)
                s += (4 - std::abs(d)) * hist[std::size_t(b + d)];
        if (s > best_v) {
            best_v = s;
            best = b;
        }
    }
    return kLo + (best + 0.5) * kWidth;
}

} // namespace rb::detail
