// The display pyramid against GDAL's own decimated reads: every level, tile windows, masks,
// the sparse preview before the build, files with overviews, and level choice per scale.
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "rasterbench/error.h"
#include "rasterbench/pyramid.h"
#include "test_support.h"

using namespace rb;

namespace {

constexpr int kW = 1000, kH = 700;

/// A 3-band UInt16 tiled GeoTIFF without overviews: a value pattern that changes every pixel
/// (so a sampling off by one pixel shows) and a tilted nodata (0) collar.
std::string make_scene(const QTemporaryDir& dir, const char* name = "scene.tif") {
    const std::string path = dir.filePath(name).toStdString();
    GDALAllRegister();
    const char* opts[] = {"TILED=YES",        "BLOCKXSIZE=128",   "BLOCKYSIZE=128",
                          "COMPRESS=DEFLATE", "INTERLEAVE=PIXEL", nullptr};
    GDALDatasetH h = GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), kW, kH, 3, GDT_UInt16,
                                const_cast<char**>(opts));
    std::vector<std::uint16_t> v(std::size_t(kW) * kH);
    for (int b = 1; b <= 3; ++b) {
        for (int y = 0; y < kH; ++y)
            for (int x = 0; x < kW; ++x) {
                const bool collar = y < (x * 0.2) - 50 || x < 40 + y / 10;
                v[std::size_t(y) * kW + std::size_t(x)] =
                    collar ? 0 : std::uint16_t(1 + (x * 7 + y * 13 * b + (x * y) % 101) % 60000);
            }
        GDALRasterBandH band = GDALGetRasterBand(h, b);
        GDALSetRasterNoDataValue(band, 0);
        if (GDALRasterIO(band, GF_Write, 0, 0, kW, kH, v.data(), kW, kH, GDT_UInt16, 0, 0) !=
            CE_None)
            return {};
    }
    GDALClose(h);
    return path;
}

/// GDAL's nearest decimated read of a whole band to w x h.
std::vector<double> gdal_level(const std::string& path, int band, int w, int h) {
    const auto ds = rbtest::gdal_open(path);
    return rbtest::gdal_read(ds.get(), band, 0, 0, GDALGetRasterXSize(ds.get()),
                             GDALGetRasterYSize(ds.get()), w, h);
}

/// `r` (a window of level `level` at (x0, y0)) equals GDAL's decimated read of the level;
/// GDAL's nodata samples are exactly the invalid ones.
void compare_window(const RasterPyramid& p, const Raster& r, int level, int x0, int y0) {
    const int lw = p.level_width(level), lh = p.level_height(level);
    for (int b = 0; b < 3; ++b) {
        const auto ref = gdal_level(p.path(), b + 1, lw, lh);
        QCOMPARE(ref.size(), std::size_t(lw) * lh);
        for (int y = 0; y < r.rows(); ++y)
            for (int x = 0; x < r.cols(); ++x) {
                const double want = ref[std::size_t(y0 + y) * lw + std::size_t(x0 + x)];
                if (r.value(b, y, x) != want || r.valid(b, y, x) != (want != 0))
                    QFAIL(qPrintable(QString("level %1 band %2 at (%3,%4): %5 vs GDAL %6")
                                         .arg(level)
                                         .arg(b + 1)
                                         .arg(x0 + x)
                                         .arg(y0 + y)
                                         .arg(r.value(b, y, x))
                                         .arg(want)));
            }
    }
}

} // namespace

class PyramidTest : public QObject {
    Q_OBJECT
private slots:
    void levelsHaveGdalSizes() {
        QTemporaryDir dir;
        const RasterPyramid p(make_scene(dir));
        QCOMPARE(p.level_width(0), kW);
        QCOMPARE(p.level_height(0), kH);
        for (int l = 1; l < p.level_count(); ++l) {
            QCOMPARE(p.level_width(l), int(std::ceil(kW / std::pow(2.0, l))));
            QCOMPARE(p.level_height(l), int(std::ceil(kH / std::pow(2.0, l))));
        }
        QVERIFY(std::max(p.level_width(p.level_count() - 1), p.level_height(p.level_count() - 1)) <=
                256);
        QCOMPARE(p.level_for_scale(2.0), 0);
        QCOMPARE(p.level_for_scale(1.0), 0);
        QCOMPARE(p.level_for_scale(0.5), 1);
        QCOMPARE(p.level_for_scale(0.3), 1);
        QCOMPARE(p.level_for_scale(0.25), 2);
        QCOMPARE(p.level_for_scale(1e-6), p.level_count() - 1);
    }

    void builtLevelsEqualGdalDecimatedReads() {
        QTemporaryDir dir;
        RasterPyramid p(make_scene(dir));
        QCOMPARE(p.first_resident_level(), 0); // small scene: everything fits the budget
        p.build();
        QVERIFY(p.built());
        for (int l = 0; l < p.level_count(); ++l) {
            QVERIFY(p.is_resident(l));
            compare_window(p, p.read(l, Window::full(p.level_width(l), p.level_height(l))), l, 0,
                           0);
        }
    }

    void fileWindowsEqualLevelWindows() {
        // A budget for the coarsest levels only: finer windows come from the file, sampled
        // exactly like the whole level.
        QTemporaryDir dir;
        PyramidOptions o;
        o.memory_budget = 500000;
        RasterPyramid p(make_scene(dir), o);
        QCOMPARE(p.first_resident_level(), 2);
        p.build();
        QVERIFY(!p.is_resident(1));
        QVERIFY(p.is_cheap(1));
        for (int l : {0, 1, 2}) {
            const Window w{37, 101, 250, 180};
            const Raster r = p.read(l, w);
            compare_window(p, r, l, 37, 101);
        }
        // Windows are clipped to the level.
        const Raster edge = p.read(1, Window{450, 300, 200, 200});
        QCOMPARE(edge.cols(), p.level_width(1) - 450);
        QCOMPARE(edge.rows(), p.level_height(1) - 300);
        compare_window(p, edge, 1, 450, 300);
        QVERIFY_THROWS_EXCEPTION(WindowError, p.read(1, Window{5000, 0, 10, 10}));
    }

    void sparsePreviewIsExactWhereItReadAndBuildMakesItExact() {
        QTemporaryDir dir;
        PyramidOptions o;
        o.small_scene_samples = 0; // treat it as a huge scene
        o.preview_max_blocks = 6;  // of 8 x 6 blocks
        o.preview_size = 300;
        RasterPyramid p(make_scene(dir), o);
        const PyramidPreview sparse = p.preview();
        QVERIFY(!sparse.exact);
        const int l = sparse.level;
        QVERIFY(std::max(p.level_width(l), p.level_height(l)) <= 300);
        QCOMPARE(sparse.data.cols(), p.level_width(l));
        // Pixels whose source lies in a decoded block are the level's exact values.
        const auto ref = gdal_level(p.path(), 1, p.level_width(l), p.level_height(l));
        int exact = 0, differ = 0;
        for (int y = 0; y < sparse.data.rows(); ++y)
            for (int x = 0; x < sparse.data.cols(); ++x) {
                const double want = ref[std::size_t(y) * p.level_width(l) + std::size_t(x)];
                (sparse.data.value(0, y, x) == want ? exact : differ)++;
            }
        QVERIFY2(exact > 0 && differ > 0, qPrintable(QString("%1 %2").arg(exact).arg(differ)));
        p.build();
        const PyramidPreview full = p.preview();
        QVERIFY(full.exact);
        compare_window(p, full.data, full.level, 0, 0);
    }

    void overviewsServeTheLevels() {
        QTemporaryDir dir;
        const std::string path = make_scene(dir);
        GDALDatasetH h = GDALOpen(path.c_str(), GA_Update);
        int factors[] = {2, 4};
        QCOMPARE(GDALBuildOverviews(h, "NEAREST", 2, factors, 0, nullptr, nullptr, nullptr),
                 CE_None);
        GDALClose(h);
        RasterPyramid p(path);
        QVERIFY(p.uses_overviews());
        QVERIFY(p.is_cheap(2));
        // GDAL picks the overview for a decimated read; our level matches that read.
        const int l = 2;
        const Raster r = p.read(l, Window::full(p.level_width(l), p.level_height(l)));
        compare_window(p, r, l, 0, 0);
        QVERIFY(p.preview().exact);
    }

    void cancelledBuildKeepsNothing() {
        QTemporaryDir dir;
        PyramidOptions o;
        o.memory_budget = 500000;
        RasterPyramid p(make_scene(dir), o);
        QVERIFY_THROWS_EXCEPTION(Cancelled, p.build(Progress([](double) { return false; })));
        QVERIFY(!p.built());
        QVERIFY(!p.is_resident(p.level_count() - 1));
    }
};

QTEST_APPLESS_MAIN(PyramidTest)
#include "tst_pyramid.moc"
