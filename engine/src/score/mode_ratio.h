#pragma once
// The most common ratio of a band to its background, which the cloud score's clear
// background and its visible-band tests both use to divide out a date's gain.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace rb::detail {

// The most common ratio v / bg (0.5..2, from a smoothed histogram) over valid pixels whose
// background is above `floor` (every `stride`-th pixel); 1 with fewer than 100 such pixels.
// Built for AVX2 too, chosen at load (no FMA in that target: both give the same numbers).
template <typename T>
__attribute__((target_clones("avx2", "default"))) double
mode_ratio(std::span<const T> v, std::span<const float> bg, const std::vector<std::uint8_t>& valid,
           double floor, std::size_t stride = 1) {
    constexpr int kBins = 300;
    // Bin b is centred on the ratio kLo + b / kPerUnit (0.5..2), so that a date equal to its
    // background (a ratio of exactly 1, common where the background is one of the dates)
    // has a gain of exactly 1, not half a bin either side of it.
    constexpr float kLo = 0.5f, kPerUnit = float(kBins) / 1.5f;
    const float low = float(floor);
    // Bin numbers a chunk at a time (kBins: not counted), then counted into four histograms
    // in turn: most ratios fall in a few bins, and one histogram would make every count
    // wait for the previous one. Single precision places a ratio in its bin as well.
    constexpr std::size_t kChunk = 256;
    std::array<std::uint16_t, kChunk> bin;
    std::array<std::array<std::uint32_t, kBins + 1>, 4> part{};
    const std::size_t samples = (v.size() + stride - 1) / stride;
    for (std::size_t s0 = 0; s0 < samples; s0 += kChunk) {
        const std::size_t len = std::min(kChunk, samples - s0);
        // Without branches (& not &&), so that the vectorizer takes the unstrided loop.
        const auto place = [&](std::size_t k, std::size_t p) {
            const float b = bg[p];
            const float r = (float(v[p]) / b - kLo) * kPerUnit + 0.5f;
            const bool use = (valid[p] != 0) & (b > low) & (r >= 0.0f) & (r < float(kBins));
            bin[k] = std::uint16_t(use ? r : float(kBins));
        };
        if (stride == 1)
            for (std::size_t k = 0; k < len; ++k)
                place(k, s0 + k);
        else
            for (std::size_t k = 0; k < len; ++k)
                place(k, (s0 + k) * stride);
        // Unrolled by hand: part[k & 3] indexed per sample cost an and, a multiply and an
        // add each (half the function's time on the stack statistics' coarse rounds).
        std::size_t k = 0;
        for (; k + 4 <= len; k += 4) {
            ++part[0][bin[k]];
            ++part[1][bin[k + 1]];
            ++part[2][bin[k + 2]];
            ++part[3][bin[k + 3]];
        }
        for (; k < len; ++k)
            ++part[k & 3][bin[k]];
    }
    std::array<double, kBins> hist{};
    std::size_t used = 0;
    for (const auto& h : part)
        for (int b = 0; b < kBins; ++b) {
            hist[std::size_t(b)] += double(h[std::size_t(b)]);
            used += h[std::size_t(b)];
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
    return double(kLo) + best / double(kPerUnit);
}

} // namespace rb::detail
