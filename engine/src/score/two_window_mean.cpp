// The two-window neighbourhood mean of the background's refinement (two_window_mean.h).
#include "two_window_mean.h"

#include <algorithm>
#include <cstddef>

#include "pixel_util.h"

namespace rb::detail {

// From one summed-area table of the values and, unless every pixel is valid, one of the
// valid pixels. The tables' rows live in rings of the rows the windows reach (4r + 2, and
// four built ahead), built as the means move down: whole tables of 1200 x 1200 px (11 MiB a
// date) went out of the cache and back. The means of a row are written over the values
// after the rows below it that the tables need are summed. Built for AVX2 too, chosen at
// load (no FMA in it: both give the same numbers).
__attribute__((target_clones("avx2", "default"))) void
two_window_mean(float* v, const std::uint8_t* valid, bool all_valid, int rows, int cols, int r,
                WindowSums& ws) {
    if (r <= 0)
        return;
    const std::size_t w = std::size_t(cols) + 1, cs = std::size_t(cols);
    const std::size_t ring = std::min(std::size_t(rows) + 1, 4 * std::size_t(r) + 6);
    ws.sum.resize(ring * w);
    if (!all_valid)
        ws.cnt.resize(ring * w);
    SummedRowRing tables(v, valid, rows, cols, ring, ws.sum.data(),
                         all_valid ? nullptr : ws.cnt.data());
    for (int y = 0; y < rows; ++y) {
        const std::size_t a0 = std::size_t(std::max(0, y - r)),
                          a1 = std::size_t(std::min(rows, y + r + 1)),
                          b0 = std::size_t(std::max(0, y - 2 * r)),
                          b1 = std::size_t(std::min(rows, y + 2 * r + 1));
        tables.sum_through(b1);
        const int ha = int(a1 - a0), hb = int(b1 - b0);
        const double *sa0 = tables.sum_row(a0), *sa1 = tables.sum_row(a1),
                     *sb0 = tables.sum_row(b0), *sb1 = tables.sum_row(b1);
        const int *ca0 = nullptr, *ca1 = nullptr, *cb0 = nullptr, *cb1 = nullptr;
        if (!all_valid) {
            ca0 = tables.count_row(a0);
            ca1 = tables.count_row(a1);
            cb0 = tables.count_row(b0);
            cb1 = tables.count_row(b1);
        }
        const std::uint8_t* ok = valid + std::size_t(y) * cs;
        float* out = v + std::size_t(y) * cs;
        // Columns within 2r of a side, their windows clipped to the plane. Inlined, and
        // every column's mean computed before the choice: as a call per valid pixel, these
        // 4r columns of 1200 took as long as all the others (perf, 12 dates of 1200 x 1200).
        const auto clipped = [&](int x0, int x1) __attribute__((always_inline)) {
            for (int x = x0; x < x1; ++x) {
                const std::size_t xa0 = std::size_t(std::max(0, x - r)),
                                  xa1 = std::size_t(std::min(cols, x + r + 1)),
                                  xb0 = std::size_t(std::max(0, x - 2 * r)),
                                  xb1 = std::size_t(std::min(cols, x + 2 * r + 1));
                const double sa = sa1[xa1] - sa0[xa1] - sa1[xa0] + sa0[xa0];
                const double sb = sb1[xb1] - sb0[xb1] - sb1[xb0] + sb0[xb0];
                const double na = all_valid ? double(ha) * double(xa1 - xa0)
                                            : double(ca1[xa1] - ca0[xa1] - ca1[xa0] + ca0[xa0]);
                const double nb = all_valid ? double(hb) * double(xb1 - xb0)
                                            : double(cb1[xb1] - cb0[xb1] - cb1[xb0] + cb0[xb0]);
                // An invalid pixel may have no valid neighbour (0 / 0): not taken.
                const float m = float(0.5 * (sa / na + sb / nb));
                out[x] = ok[x] ? m : out[x];
            }
        };
        const int lo = std::min(cols, 2 * r), hi = std::max(lo, cols - 2 * r);
        clipped(0, lo);
        // Columns whose windows lie inside the plane: fixed offsets the vectorizer can use.
        const std::size_t ra = std::size_t(r), rb = 2 * std::size_t(r);
        if (all_valid) {
            const double ia = 0.5 / (double(ha) * double(2 * r + 1)),
                         ib = 0.5 / (double(hb) * double(4 * r + 1));
            for (std::size_t x = std::size_t(lo); x < std::size_t(hi); ++x) {
                const double sa = sa1[x + ra + 1] - sa0[x + ra + 1] - sa1[x - ra] + sa0[x - ra];
                const double sb = sb1[x + rb + 1] - sb0[x + rb + 1] - sb1[x - rb] + sb0[x - rb];
                out[x] = float(sa * ia + sb * ib);
            }
        } else {
            for (std::size_t x = std::size_t(lo); x < std::size_t(hi); ++x) {
                const double sa = sa1[x + ra + 1] - sa0[x + ra + 1] - sa1[x - ra] + sa0[x - ra];
                const double sb = sb1[x + rb + 1] - sb0[x + rb + 1] - sb1[x - rb] + sb0[x - rb];
                const int na = ca1[x + ra + 1] - ca0[x + ra + 1] - ca1[x - ra] + ca0[x - ra];
                const int nb = cb1[x + rb + 1] - cb0[x + rb + 1] - cb1[x - rb] + cb0[x - rb];
                const float m = 0.5f * (float(sa) / float(std::max(na, 1)) +
                                        float(sb) / float(std::max(nb, 1)));
                out[x] = ok[x] ? m : out[x];
            }
        }
        clipped(hi, cols);
    }
}

} // namespace rb::detail
