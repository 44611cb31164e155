// The halo a job reads around each tile for a step after the composite (post_step_halo):
// fill_nodata of a tile's read window, cropped to the tile, holds the pixels (values and
// validity) of the fill of the whole raster, for gaps of every width up to beyond the search
// limit, fractional limits and smoothing passes, on tiles inside and at the edges; a halo
// two pixels smaller gives other pixels somewhere, so the comparison can tell. Also which
// steps are not local.
#include <QtTest>
#include <cmath>
#include <cstdint>

#include "rasterbench/crop.h"
#include "rasterbench/fill.h"
#include "rasterbench/job.h"

using namespace rb;

namespace {

/// A smooth field with noise, gaps of random rectangles (1 to 30 px wide) and a few long
/// stripes: every gap width a fill meets, some wider than its search limit.
Raster gappy(int cols, int rows, std::uint32_t seed) {
    Raster r(DataType::Float32, 1, rows, cols);
    r.ensure_mask();
    std::uint32_t h = seed;
    auto next = [&] {
        h ^= h << 13;
        h ^= h >> 17;
        h ^= h << 5;
        return h;
    };
    auto mask = r.mask(0);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            r.set_value(0, y, x,
                        100 * std::sin(x * 0.11) + 80 * std::cos(y * 0.07) + double(next() % 50));
    auto gap = [&](int x0, int y0, int w, int hgt) {
        for (int y = std::max(0, y0); y < std::min(rows, y0 + hgt); ++y)
            for (int x = std::max(0, x0); x < std::min(cols, x0 + w); ++x)
                mask[std::size_t(y) * std::size_t(cols) + std::size_t(x)] = kInvalid;
    };
    for (int k = 0; k < 25; ++k)
        gap(int(next() % std::uint32_t(cols)), int(next() % std::uint32_t(rows)),
            1 + int(next() % 30), 1 + int(next() % 30));
    gap(0, rows / 3, cols, 3);           // a horizontal stripe through everything
    gap(cols / 2, 0, 2, rows);           // a vertical one
    gap(cols / 5, rows / 2 - 4, 60, 46); // wider than twice every limit here
    return r;
}

/// Pixels where `a` and `b` differ in value or validity (a raster without a mask is valid
/// everywhere).
int differences(const Raster& a, const Raster& b) {
    int n = 0;
    for (int y = 0; y < a.rows(); ++y)
        for (int x = 0; x < a.cols(); ++x)
            if (a.valid(0, y, x) != b.valid(0, y, x) ||
                (a.valid(0, y, x) && a.value(0, y, x) != b.value(0, y, x)))
                ++n;
    return n;
}

/// Pixels of all tiles of `tile` px where the fill of the tile's window read with `halo`
/// differs from the fill of the whole raster.
int tiled_differences(const Raster& src, const Raster& whole, const FillOptions& o, int tile,
                      int halo) {
    int n = 0;
    for (int y = 0; y < src.rows(); y += tile)
        for (int x = 0; x < src.cols(); x += tile) {
            const Window w = Window{x, y, tile, tile}.clamped(src.cols(), src.rows());
            const Window read =
                Window{x - halo, y - halo, w.width + 2 * halo, w.height + 2 * halo}.clamped(
                    src.cols(), src.rows());
            const Raster part = fill_nodata(crop(src, read), o);
            n += differences(crop(part, Window{w.col_off - read.col_off, w.row_off - read.row_off,
                                               w.width, w.height}),
                             crop(whole, w));
        }
    return n;
}

} // namespace

class JobHaloTest : public QObject {
    Q_OBJECT
private slots:
    void fillTilesWithTheHaloEqualTheWholeFill_data() {
        QTest::addColumn<double>("md");
        QTest::addColumn<int>("smoothing");
        QTest::addColumn<int>("tile");
        QTest::newRow("md 3") << 3.0 << 0 << 20;
        QTest::newRow("md 5.5, 1 pass") << 5.5 << 1 << 24;
        QTest::newRow("md 10, 2 passes") << 10.0 << 2 << 32;
        QTest::newRow("md 12") << 12.0 << 0 << 17;
        QTest::newRow("md 20, 3 passes") << 20.0 << 3 << 40;
    }
    void fillTilesWithTheHaloEqualTheWholeFill() {
        QFETCH(double, md);
        QFETCH(int, smoothing);
        QFETCH(int, tile);
        FillStep step;
        step.options.max_distance = md;
        step.options.smoothing = smoothing;
        step.options.threads = 1;
        const std::optional<int> halo = post_step_halo(step);
        QVERIFY(halo);
        QCOMPARE(*halo, int(std::floor(md)) + 1 + smoothing);
        int smaller = 0;
        for (std::uint32_t seed : {7u, 1234u}) {
            const Raster src = gappy(101, 93, seed);
            const Raster whole = fill_nodata(src, step.options);
            // Something was filled and something stayed a gap: the limit is reached.
            QVERIFY(differences(src, whole) > 0);
            QVERIFY(whole.has_mask());
            QCOMPARE(tiled_differences(src, whole, step.options, tile, *halo), 0);
            smaller += tiled_differences(src, whole, step.options, tile, *halo - 2);
        }
        QVERIFY2(smaller > 0, "a halo two pixels smaller gives the same pixels: the gaps do not "
                              "test the halo");
    }

    void globalStepsHaveNoHalo() {
        FillStep unlimited;
        unlimited.options.max_distance = 0; // GDAL searches the whole raster
        QVERIFY(!post_step_halo(unlimited));
        QVERIFY(!post_step_halo(DebandStep{}));
        ReprojectStep r;
        r.dst_crs = "EPSG:4326";
        QVERIFY(!post_step_halo(r));
    }
};

QTEST_GUILESS_MAIN(JobHaloTest)
#include "tst_job_halo.moc"
