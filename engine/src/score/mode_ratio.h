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

// Bin b of the ratios is centred on kRatioLo + b / kRatioBinsPerUnit (0.5..2), so that a date
// equal to its background (a ratio of exactly 1, common where the background is one of the
// dates) has a gain of exactly 1, not half a bin either side of it. Bin kRatioBins holds the
// pixels not counted.
constexpr int kRatioBins = 300;
constexpr float kRatioLo = 0.5f, kRatioBinsPerUnit = float(kRatioBins) / 1.5f;

// Counts of ratios in four histograms, which samples fill in turn: most ratios fall in a few
// bins, and one histogram would make every count wait for the previous one.
using RatioCounts = std::array<std::array<std::uint32_t, kRatioBins + 1>, 4>;

// Counts the ratios v / bg of the pixels first, first + stride, ... before `end` that are
// valid and whose background is above `floor`. Built for AVX2 too, chosen at load (no FMA in
// that target: both give the same numbers).
template <typename T>
__attribute__((target_clones("avx2", "default"))) void
count_ratios(const T* v, const float* bg, const std::uint8_t* valid, std::size_t first,
             std::size_t end, std::size_t stride, float floor, RatioCounts& part) {
    if (first >= end)
        return;
    // Bin numbers a chunk at a time, then counted. Single precision places a ratio in its
    // bin as well.
    constexpr std::size_t kChunk = 256;
    std::array<std::uint16_t, kChunk> bin;
    const std::size_t samples = (end - first + stride - 1) / stride;
    for (std::size_t s0 = 0; s0 < samples; s0 += kChunk) {
        const std::size_t len = std::min(kChunk, samples - s0);
        // Without branches (& not &&), so that the vectorizer takes the unstrided loop.
        const auto place = [&](std::size_t k, std::size_t p) {
            const float b = bg[p];
            const float r = (float(v[p]) / b - kRatioLo) * kRatioBinsPerUnit + 0.5f;
            const bool use = (valid[p] != 0) & (b > floor) & (r >= 0.0f) & (r < float(kRatioBins));
            bin[k] = std::uint16_t(use ? r : float(kRatioBins));
        };
        if (stride == 1)
            for (std::size_t k = 0; k < len; ++k)
                place(k, first + s0 + k);
        else
            for (std::size_t k = 0; k < len; ++k)
                place(k, first + (s0 + k) * stride);
        // Unrolled by hand: part[k & 3] indexed per sample cost an and, a multiply and an
        // add each (half of mode_ratio's time on the stack statistics' coarse rounds).
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
}

// The most common ratio of the counts (from the histogram smoothed over seven bins); 1 with
// fewer than 100 ratios counted.
inline double ratio_mode(const RatioCounts& part) {
    std::array<double, kRatioBins> hist{};
    std::size_t used = 0;
    for (const auto& h : part)
        for (int b = 0; b < kRatioBins; ++b) {
            hist[std::size_t(b)] += double(h[std::size_t(b)]);
            used += h[std::size_t(b)];
        }
    if (used < 100)
        return 1;
    int best = 0;
    double best_v = -1;
    for (int b = 0; b < kRatioBins; ++b) {
        double s = 0;
        for (int d = -3; d <= 3; ++d)
            if (b + d >= 0 && b + d < kRatioBins)
                s += (4 - std::abs(d)) * hist[std::size_t(b + d)];
        if (s > best_v) {
            best_v = s;
            best = b;
        }
    }
    return double(kRatioLo) + best / double(kRatioBinsPerUnit);
}

// The most common ratio v / bg (0.5..2) over valid pixels whose background is above `floor`
// (every `stride`-th pixel); 1 with fewer than 100 such pixels.
template <typename T>
double mode_ratio(std::span<const T> v, std::span<const float> bg,
                  const std::vector<std::uint8_t>& valid, double floor, std::size_t stride = 1) {
    RatioCounts part{};
    count_ratios(v.data(), bg.data(), valid.data(), 0, v.size(), stride, float(floor), part);
    return ratio_mode(part);
}

} // namespace rb::detail
