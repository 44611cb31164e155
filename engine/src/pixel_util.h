#pragma once
// Internal pixel helpers shared by scoring and compositing.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "rasterbench/raster.h"

namespace rb::detail {

/// Band `b` (0-based) as floats; the pixel type is chosen once for the whole band.
inline std::vector<float> band_as_float(const Raster& r, int b) {
    std::vector<float> out(r.band_size());
    visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto src = r.band<T>(b);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = static_cast<float>(src[i]);
    });
    return out;
}

/// Median of v[0..n) (reorders it); the mean of the two middle values for an even n.
inline double median_inplace(double* v, std::size_t n) {
    const std::size_t mid = n / 2;
    std::nth_element(v, v + mid, v + n);
    const double hi = v[mid];
    if (n % 2 == 1)
        return hi;
    const double lo = *std::max_element(v, v + mid);
    return 0.5 * (lo + hi);
}

/// Square (chessboard) dilation of a 0/1 mask by `radius` pixels, separable.
inline void dilate(std::vector<std::uint8_t>& m, int rows, int cols, int radius) {
    if (radius <= 0)
        return;
    std::vector<std::uint8_t> tmp(m.size());
    // Running count of set pixels in the sliding window keeps each pass O(pixels).
    for (int r = 0; r < rows; ++r) {
        const std::uint8_t* src = m.data() + std::size_t(r) * cols;
        std::uint8_t* dst = tmp.data() + std::size_t(r) * cols;
        int count = 0;
        for (int c = 0; c < std::min(radius, cols); ++c)
            count += src[c] != 0;
        for (int c = 0; c < cols; ++c) {
            if (c + radius < cols)
                count += src[c + radius] != 0;
            if (c - radius - 1 >= 0)
                count -= src[c - radius - 1] != 0;
            dst[c] = count > 0;
        }
    }
    for (int c = 0; c < cols; ++c) {
        int count = 0;
        for (int r = 0; r < std::min(radius, rows); ++r)
            count += tmp[std::size_t(r) * cols + c] != 0;
        for (int r = 0; r < rows; ++r) {
            if (r + radius < rows)
                count += tmp[std::size_t(r + radius) * cols + c] != 0;
            if (r - radius - 1 >= 0)
                count -= tmp[std::size_t(r - radius - 1) * cols + c] != 0;
            m[std::size_t(r) * cols + c] = count > 0;
        }
    }
}

/// Chessboard distance of each pixel to the nearest pixel where valid == 0 (0 there),
/// saturating at `cap` (also where there is no invalid pixel at all). Two-pass chamfer,
/// exact for the chessboard metric.
inline std::vector<int> chessboard_distance(const std::vector<std::uint8_t>& valid, int rows,
                                            int cols, int cap) {
    std::vector<int> d(valid.size());
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = valid[i] ? cap : 0;
    auto at = [&](int r, int c) -> int& { return d[std::size_t(r) * cols + c]; };
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            int v = at(r, c);
            if (v == 0)
                continue;
            if (c > 0)
                v = std::min(v, at(r, c - 1) + 1);
            if (r > 0) {
                v = std::min(v, at(r - 1, c) + 1);
                if (c > 0)
                    v = std::min(v, at(r - 1, c - 1) + 1);
                if (c + 1 < cols)
                    v = std::min(v, at(r - 1, c + 1) + 1);
            }
            at(r, c) = std::min(v, cap);
        }
    for (int r = rows - 1; r >= 0; --r)
        for (int c = cols - 1; c >= 0; --c) {
            int v = at(r, c);
            if (v == 0)
                continue;
            if (c + 1 < cols)
                v = std::min(v, at(r, c + 1) + 1);
            if (r + 1 < rows) {
                v = std::min(v, at(r + 1, c) + 1);
                if (c + 1 < cols)
                    v = std::min(v, at(r + 1, c + 1) + 1);
                if (c > 0)
                    v = std::min(v, at(r + 1, c - 1) + 1);
            }
            at(r, c) = std::min(v, cap);
        }
    return d;
}

/// In place: each valid pixel becomes the mean of the valid pixels of its (2r+1)^2 window
/// (summed-area tables, O(pixels) whatever r). Invalid pixels are left as they are.
inline void box_mean(std::vector<float>& v, const std::vector<std::uint8_t>& valid, int rows,
                     int cols, int r) {
    if (r <= 0)
        return;
    const std::size_t w = std::size_t(cols) + 1;
    std::vector<double> sum((std::size_t(rows) + 1) * w, 0.0);
    std::vector<int> cnt(sum.size(), 0);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            const std::size_t q = (std::size_t(y) + 1) * w + std::size_t(x) + 1;
            const bool ok = valid[p] != 0;
            sum[q] = (ok ? double(v[p]) : 0.0) + sum[q - 1] + sum[q - w] - sum[q - w - 1];
            cnt[q] = int(ok) + cnt[q - 1] + cnt[q - w] - cnt[q - w - 1];
        }
    for (int y = 0; y < rows; ++y) {
        const std::size_t y0 = std::size_t(std::max(0, y - r));
        const std::size_t y1 = std::size_t(std::min(rows, y + r + 1));
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            if (!valid[p])
                continue;
            const std::size_t x0 = std::size_t(std::max(0, x - r));
            const std::size_t x1 = std::size_t(std::min(cols, x + r + 1));
            const double s =
                sum[y1 * w + x1] - sum[y0 * w + x1] - sum[y1 * w + x0] + sum[y0 * w + x0];
            const int n = cnt[y1 * w + x1] - cnt[y0 * w + x1] - cnt[y1 * w + x0] + cnt[y0 * w + x0];
            v[p] = float(s / double(n));
        }
    }
}

} // namespace rb::detail
