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
    if (n <= 24) {
        // A stack's worth of values: insertion sort beats introselect's set-up.
        for (std::size_t a = 1; a < n; ++a) {
            const double x = v[a];
            std::size_t b = a;
            for (; b > 0 && v[b - 1] > x; --b)
                v[b] = v[b - 1];
            v[b] = x;
        }
        return n % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
    }
    std::nth_element(v, v + mid, v + n);
    const double hi = v[mid];
    if (n % 2 == 1)
        return hi;
    const double lo = *std::max_element(v, v + mid);
    return 0.5 * (lo + hi);
}

/// Square (chessboard) dilation of a 0/1 mask by `radius` pixels, separable. `tmp` and
/// `count` are working buffers (reused by callers that dilate often).
inline void dilate(std::vector<std::uint8_t>& m, int rows, int cols, int radius,
                   std::vector<std::uint8_t>& tmp, std::vector<int>& count) {
    if (radius <= 0 || rows <= 0 || cols <= 0)
        return;
    tmp.resize(m.size());
    // Running count of set pixels in the sliding window keeps each pass O(pixels).
    for (int r = 0; r < rows; ++r) {
        const std::uint8_t* src = m.data() + std::size_t(r) * cols;
        std::uint8_t* dst = tmp.data() + std::size_t(r) * cols;
        int n = 0;
        for (int c = 0; c < std::min(radius, cols); ++c)
            n += src[c] != 0;
        for (int c = 0; c < cols; ++c) {
            if (c + radius < cols)
                n += src[c + radius] != 0;
            if (c - radius - 1 >= 0)
                n -= src[c - radius - 1] != 0;
            dst[c] = n > 0;
        }
    }
    // The vertical pass keeps one count per column and walks the rows in memory order
    // (a column at a time would touch a new cache line per pixel); per row it is a few
    // independent operations per column, which the compiler vectorizes.
    const auto w = std::size_t(cols);
    count.assign(w, 0);
    int* __restrict cnt = count.data();
    for (int r = 0; r < std::min(radius, rows); ++r) {
        const std::uint8_t* add = tmp.data() + std::size_t(r) * w;
        for (std::size_t c = 0; c < w; ++c)
            cnt[c] += add[c] != 0;
    }
    for (int r = 0; r < rows; ++r) {
        if (r + radius < rows) {
            const std::uint8_t* add = tmp.data() + std::size_t(r + radius) * w;
            for (std::size_t c = 0; c < w; ++c)
                cnt[c] += add[c] != 0;
        }
        if (r - radius - 1 >= 0) {
            const std::uint8_t* sub = tmp.data() + std::size_t(r - radius - 1) * w;
            for (std::size_t c = 0; c < w; ++c)
                cnt[c] -= sub[c] != 0;
        }
        std::uint8_t* dst = m.data() + std::size_t(r) * w;
        for (std::size_t c = 0; c < w; ++c)
            dst[c] = cnt[c] > 0;
    }
}

inline void dilate(std::vector<std::uint8_t>& m, int rows, int cols, int radius) {
    std::vector<std::uint8_t> tmp;
    std::vector<int> count;
    dilate(m, rows, cols, radius, tmp, count);
}

/// Chessboard distance of each pixel to the nearest pixel where valid == 0 (0 there),
/// saturating at `cap` (also where there is no invalid pixel at all; cap <= 65534).
/// Two-pass chamfer, exact for the chessboard metric. Each pass first takes the previous
/// row's three neighbours for a whole row (independent per column, so the compiler
/// vectorizes it) and then runs the one sequential dependency, along the row.
inline std::vector<std::uint16_t> chessboard_distance(const std::vector<std::uint8_t>& valid,
                                                      int rows, int cols, int cap) {
    using U = std::uint16_t;
    const auto capv = U(std::clamp(cap, 0, 65534));
    const auto w = std::size_t(std::max(cols, 0));
    std::vector<U> d(valid.size());
    bool any_invalid = false;
    for (std::size_t i = 0; i < d.size(); ++i) {
        d[i] = valid[i] ? capv : U(0);
        any_invalid |= valid[i] == 0;
    }
    if (!any_invalid || w == 0)
        return d;
    // Every value stays <= capv < 65535, so + 1 cannot wrap.
    const auto from_row = [w](U* __restrict cur, const U* __restrict prev) {
        if (w == 1) {
            cur[0] = std::min<U>(cur[0], U(prev[0] + 1));
            return;
        }
        cur[0] = std::min<U>(cur[0], U(std::min(prev[0], prev[1]) + 1));
        for (std::size_t c = 1; c + 1 < w; ++c) {
            const U m = std::min(std::min(prev[c - 1], prev[c]), prev[c + 1]);
            cur[c] = std::min<U>(cur[c], U(m + 1));
        }
        cur[w - 1] = std::min<U>(cur[w - 1], U(std::min(prev[w - 2], prev[w - 1]) + 1));
    };
    for (int r = 0; r < rows; ++r) {
        U* cur = d.data() + std::size_t(r) * w;
        if (r > 0)
            from_row(cur, cur - w);
        U run = cur[0];
        for (std::size_t c = 1; c < w; ++c)
            cur[c] = run = std::min<U>(cur[c], U(run + 1));
    }
    for (int r = rows - 1; r >= 0; --r) {
        U* cur = d.data() + std::size_t(r) * w;
        if (r + 1 < rows)
            from_row(cur, cur + w);
        U run = cur[w - 1];
        for (std::size_t c = w - 1; c-- > 0;)
            cur[c] = run = std::min<U>(cur[c], U(run + 1));
    }
    return d;
}

/// Summed-area tables of a rows x cols plane's valid values (`sum`) and of their count
/// (`cnt`), (rows + 1) x (cols + 1) each: any window's sum and count in O(1).
inline void valid_sums(const std::vector<float>& v, const std::vector<std::uint8_t>& valid,
                       int rows, int cols, std::vector<double>& sum, std::vector<int>& cnt) {
    const std::size_t w = std::size_t(cols) + 1;
    // Every entry but the first row and column is written before it is read.
    sum.resize((std::size_t(rows) + 1) * w);
    cnt.resize(sum.size());
    std::fill(sum.begin(), sum.begin() + std::ptrdiff_t(w), 0.0);
    std::fill(cnt.begin(), cnt.begin() + std::ptrdiff_t(w), 0);
    for (std::size_t y = 1; y <= std::size_t(rows); ++y) {
        sum[y * w] = 0.0;
        cnt[y * w] = 0;
    }
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            const std::size_t q = (std::size_t(y) + 1) * w + std::size_t(x) + 1;
            const bool ok = valid[p] != 0;
            sum[q] = (ok ? double(v[p]) : 0.0) + sum[q - 1] + sum[q - w] - sum[q - w - 1];
            cnt[q] = int(ok) + cnt[q - 1] + cnt[q - w] - cnt[q - w - 1];
        }
}

/// The mean of the valid values in the (2r+1)^2 window around (y, x), clipped to the plane,
/// from valid_sums' tables (the window must hold a valid value, e.g. (y, x) itself).
inline double valid_window_mean(const std::vector<double>& sum, const std::vector<int>& cnt,
                                int rows, int cols, int y, int x, int r) {
    const std::size_t w = std::size_t(cols) + 1;
    const std::size_t y0 = std::size_t(std::max(0, y - r));
    const std::size_t y1 = std::size_t(std::min(rows, y + r + 1));
    const std::size_t x0 = std::size_t(std::max(0, x - r));
    const std::size_t x1 = std::size_t(std::min(cols, x + r + 1));
    const double s = sum[y1 * w + x1] - sum[y0 * w + x1] - sum[y1 * w + x0] + sum[y0 * w + x0];
    const int n = cnt[y1 * w + x1] - cnt[y0 * w + x1] - cnt[y1 * w + x0] + cnt[y0 * w + x0];
    return s / double(n);
}

/// In place: each valid pixel becomes the mean of the valid pixels of its (2r+1)^2 window
/// (summed-area tables, O(pixels) whatever r). Invalid pixels are left as they are. `sum`
/// and `cnt` are working buffers (reused by callers that smooth often).
inline void box_mean(std::vector<float>& v, const std::vector<std::uint8_t>& valid, int rows,
                     int cols, int r, std::vector<double>& sum, std::vector<int>& cnt) {
    if (r <= 0)
        return;
    valid_sums(v, valid, rows, cols, sum, cnt);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            if (valid[p])
                v[p] = float(valid_window_mean(sum, cnt, rows, cols, y, x, r));
        }
}

inline void box_mean(std::vector<float>& v, const std::vector<std::uint8_t>& valid, int rows,
                     int cols, int r) {
    std::vector<double> sum;
    std::vector<int> cnt;
    box_mean(v, valid, rows, cols, r, sum, cnt);
}

} // namespace rb::detail
