// The windowed operations of engine/src/raster/pixel_util.h behind the cloud score, against
// their definitions written out plainly:
// - box_mean (the tie-break, the distance smoothing): every valid pixel becomes the mean of
//   the valid pixels of its (2r+1)^2 window clipped to the plane; invalid pixels keep their
//   value; box_mean_into does the same into another plane, through a map;
// - dilate (the cloud and shadow buffers): a pixel is set where any pixel of its (2r+1)^2
//   window is nonzero.
// - two_window_mean (engine/src/score, the clear background's refinement): every valid pixel
//   becomes the mean of its valid neighbours' means over the (2r+1)^2 and (4r+1)^2 windows.
// All reuse one set of working buffers across cases, so their history must not matter.
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "pixel_util.h"
#include "two_window_mean.h"

namespace {

// The definition, summed window by window.
std::vector<float> reference(const std::vector<float>& v, const std::vector<std::uint8_t>& ok,
                             int rows, int cols, int r) {
    std::vector<float> out = v;
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            if (!ok[p])
                continue;
            double s = 0;
            int n = 0;
            for (int yy = std::max(0, y - r); yy <= std::min(rows - 1, y + r); ++yy)
                for (int xx = std::max(0, x - r); xx <= std::min(cols - 1, x + r); ++xx) {
                    const std::size_t q = std::size_t(yy) * std::size_t(cols) + std::size_t(xx);
                    if (ok[q]) {
                        s += double(v[q]);
                        ++n;
                    }
                }
            out[p] = float(s / double(n));
        }
    return out;
}

// The mean of two windows' means, each written out.
std::vector<float> reference_two_windows(const std::vector<float>& v,
                                         const std::vector<std::uint8_t>& ok, int rows, int cols,
                                         int r) {
    const std::vector<float> a = reference(v, ok, rows, cols, r),
                             b = reference(v, ok, rows, cols, 2 * r);
    std::vector<float> out = v;
    for (std::size_t p = 0; p < v.size(); ++p)
        if (ok[p])
            out[p] = float(0.5 * (double(a[p]) + double(b[p])));
    return out;
}

std::vector<std::uint8_t> reference_dilation(const std::vector<std::uint8_t>& m, int rows, int cols,
                                             int r) {
    std::vector<std::uint8_t> out(m.size(), 0);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            for (int yy = std::max(0, y - r); yy <= std::min(rows - 1, y + r); ++yy)
                for (int xx = std::max(0, x - r); xx <= std::min(cols - 1, x + r); ++xx)
                    if (m[std::size_t(yy) * std::size_t(cols) + std::size_t(xx)] != 0)
                        out[std::size_t(y) * std::size_t(cols) + std::size_t(x)] = 1;
    return out;
}

} // namespace

class PixelWindowsTest : public QObject {
    Q_OBJECT
private slots:
    void meanOfTheValidWindow() {
        std::mt19937 rng(5);
        // One set of working buffers for every case: a smaller plane after a larger one, a
        // radius larger than the plane, planes of one row or one column, rows wider than
        // most windows.
        std::vector<double> ring;
        std::vector<int> ring_count;
        int cases = 0;
        for (int rows : {1, 2, 5, 17, 40})
            for (int cols : {1, 3, 16, 33, 97, 150})
                for (int r : {0, 1, 2, 4, 9, 50})
                    for (int invalid_in : {0, 2, 5}) {
                        const std::size_t n = std::size_t(rows) * std::size_t(cols);
                        std::vector<float> v(n);
                        std::vector<std::uint8_t> ok(n);
                        std::uniform_real_distribution<float> value(-1.0f, 3.0f);
                        for (std::size_t i = 0; i < n; ++i) {
                            v[i] = value(rng);
                            ok[i] = invalid_in == 0 || rng() % unsigned(invalid_in) != 0;
                        }
                        const std::vector<float> want = reference(v, ok, rows, cols, r);
                        std::vector<float> got = v;
                        rb::detail::box_mean(got, ok, rows, cols, r, ring, ring_count);
                        for (std::size_t i = 0; i < n; ++i) {
                            if (!ok[i])
                                QCOMPARE(got[i], v[i]);
                            else if (std::abs(got[i] - want[i]) > 1e-6f * (1 + std::abs(want[i])))
                                QFAIL(qPrintable(QString("%1x%2 r=%3: pixel %4 is %5, not %6")
                                                     .arg(rows)
                                                     .arg(cols)
                                                     .arg(r)
                                                     .arg(i)
                                                     .arg(double(got[i]))
                                                     .arg(double(want[i]))));
                        }
                        // Into another plane, mapped: every pixel written, the invalid ones
                        // with their own value.
                        std::vector<float> into(n, std::numeric_limits<float>::quiet_NaN());
                        rb::detail::box_mean_into(v.data(), into.data(), ok.data(), rows, cols, r,
                                                  ring, ring_count,
                                                  [](float m) { return 2 * m + 1; });
                        for (std::size_t i = 0; i < n; ++i) {
                            const float w = ok[i] ? 2 * want[i] + 1 : v[i];
                            if (!(std::abs(into[i] - w) <= 1e-6f * (1 + std::abs(w))))
                                QFAIL(qPrintable(QString("%1x%2 r=%3: pixel %4 mapped is %5, "
                                                         "not %6")
                                                     .arg(rows)
                                                     .arg(cols)
                                                     .arg(r)
                                                     .arg(i)
                                                     .arg(double(into[i]))
                                                     .arg(double(w))));
                        }
                        ++cases;
                    }
        QCOMPARE(cases, 5 * 6 * 6 * 3);
    }

    void twoWindowMeanOfTheValidNeighbours() {
        std::mt19937 rng(11);
        rb::detail::WindowSums sums; // one for every case, as each thread keeps its own
        int cases = 0;
        // Planes narrower and wider than the windows (the clipped columns at either side
        // meet or overlap), all valid (the windows' areas count) or with holes, including
        // an all-valid plane told it has holes.
        for (int rows : {1, 4, 23, 61})
            for (int cols : {1, 5, 26, 70, 131})
                for (int r : {1, 2, 3, 6, 20})
                    for (int invalid_in : {0, -1, 2, 7}) {
                        const std::size_t n = std::size_t(rows) * std::size_t(cols);
                        std::vector<float> v(n);
                        std::vector<std::uint8_t> ok(n);
                        std::uniform_real_distribution<float> value(0.0f, 500.0f);
                        for (std::size_t i = 0; i < n; ++i) {
                            v[i] = value(rng);
                            ok[i] = invalid_in <= 0 || rng() % unsigned(invalid_in) != 0;
                        }
                        const std::vector<float> want = reference_two_windows(v, ok, rows, cols, r);
                        std::vector<float> got = v;
                        rb::detail::two_window_mean(got.data(), ok.data(), invalid_in == 0, rows,
                                                    cols, r, sums);
                        for (std::size_t i = 0; i < n; ++i)
                            if (!(std::abs(got[i] - want[i]) <= 1e-5f * (1 + std::abs(want[i]))))
                                QFAIL(qPrintable(QString("%1x%2 r=%3 (invalid one in %4): pixel "
                                                         "%5 is %6, not %7")
                                                     .arg(rows)
                                                     .arg(cols)
                                                     .arg(r)
                                                     .arg(invalid_in)
                                                     .arg(i)
                                                     .arg(double(got[i]))
                                                     .arg(double(want[i]))));
                        ++cases;
                    }
        QCOMPARE(cases, 4 * 5 * 5 * 4);
    }

    void dilationSetsEveryPixelNearASetOne() {
        std::mt19937 rng(9);
        std::vector<std::uint8_t> tmp;
        int cases = 0, changed = 0;
        // Radii from 0 to past the plane's size (every doubling width and remainder), sparse
        // and dense masks, set values other than 1, wide rows;
        // in place and into another plane.
        for (int rows : {1, 3, 12, 31})
            for (int cols : {1, 2, 17, 40, 1100})
                for (int r : {0, 1, 2, 3, 4, 5, 7, 8, 13, 40})
                    for (int one_in : {3, 60}) {
                        const std::size_t n = std::size_t(rows) * std::size_t(cols);
                        std::vector<std::uint8_t> m(n);
                        for (auto& v : m)
                            v = rng() % unsigned(one_in) == 0 ? std::uint8_t(1 + rng() % 255) : 0;
                        const std::vector<std::uint8_t> want =
                            r > 0 ? reference_dilation(m, rows, cols, r) : m;
                        std::vector<std::uint8_t> got = m;
                        rb::detail::dilate(got, rows, cols, r, tmp);
                        if (got != want)
                            QFAIL(qPrintable(QString("%1x%2 r=%3 (one in %4): the dilation differs")
                                                 .arg(rows)
                                                 .arg(cols)
                                                 .arg(r)
                                                 .arg(one_in)));
                        if (r > 0) {
                            std::vector<std::uint8_t> into(n, 7);
                            rb::detail::dilate(m.data(), into.data(), rows, cols, r, tmp);
                            if (into != want)
                                QFAIL(qPrintable(QString("%1x%2 r=%3: into another plane differs")
                                                     .arg(rows)
                                                     .arg(cols)
                                                     .arg(r)));
                        }
                        changed += got != m;
                        ++cases;
                    }
        QCOMPARE(cases, 4 * 5 * 10 * 2);
        QVERIFY(changed > cases / 2); // the cases do dilate
    }
};

QTEST_APPLESS_MAIN(PixelWindowsTest)
#include "tst_pixel_windows.moc"
