// fill_nodata() against GDALFillNodata run here on the same Landsat 7 SLC-off bands, the
// reported mask against what GDAL left unfilled, gap values against a Landsat 5 scene of
// the same place 8 days later, floats with NaN, all-nodata input and errors.
#include <gdal_alg.h>

#include <QtTest>
#include <cmath>
#include <filesystem>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/fill.h"
#include "test_support.h"

using namespace rb;

namespace {

std::string slc_off() {
    return rbtest::data("features/2008-06-14_LE07_LE70350322008166EDC00_sr.tif");
}
std::string landsat5() {
    return rbtest::data("features/2008-06-22_LT05_LT50350322008174PAC01_sr.tif");
}

// GDALFillNodata on a MEM copy of one band, gaps from the file's own mask band.
std::vector<double> gdal_fill(const std::string& path, int band, double md, int smooth) {
    rbtest::GdalDs src = rbtest::gdal_open(path);
    GDALRasterBandH sb = GDALGetRasterBand(src.get(), band);
    const int w = GDALGetRasterXSize(src.get()), h = GDALGetRasterYSize(src.get());
    rbtest::GdalDs mem(
        GDALCreate(GDALGetDriverByName("MEM"), "", w, h, 1, GDALGetRasterDataType(sb), nullptr));
    rbtest::GdalDs mask(GDALCreate(GDALGetDriverByName("MEM"), "", w, h, 1, GDT_Byte, nullptr));
    std::vector<double> v = rbtest::gdal_read(src.get(), band, 0, 0, w, h);
    std::vector<std::uint8_t> m(v.size());
    if (GDALRasterIO(GDALGetMaskBand(sb), GF_Read, 0, 0, w, h, m.data(), w, h, GDT_Byte, 0, 0) !=
            CE_None ||
        GDALRasterIO(GDALGetRasterBand(mem.get(), 1), GF_Write, 0, 0, w, h, v.data(), w, h,
                     GDT_Float64, 0, 0) != CE_None ||
        GDALRasterIO(GDALGetRasterBand(mask.get(), 1), GF_Write, 0, 0, w, h, m.data(), w, h,
                     GDT_Byte, 0, 0) != CE_None)
        return {};
    if (GDALFillNodata(GDALGetRasterBand(mem.get(), 1), GDALGetRasterBand(mask.get(), 1), md, 0,
                       smooth, nullptr, nullptr, nullptr) != CE_None)
        return {};
    return rbtest::gdal_read(mem.get(), 1, 0, 0, w, h);
}

} // namespace

class FillTest : public QObject {
    Q_OBJECT
private slots:
    void slcOffMatchesGdalFillNodata_data() {
        QTest::addColumn<double>("md");
        QTest::addColumn<int>("smooth");
        QTest::newRow("md 1 (gaps stay)") << 1.0 << 0;
        QTest::newRow("md 10") << 10.0 << 0;
        QTest::newRow("md 20, 2 smoothing passes") << 20.0 << 2;
    }
    void slcOffMatchesGdalFillNodata() {
        QFETCH(double, md);
        QFETCH(int, smooth);
        const Dataset ds = Dataset::open(slc_off());
        const Raster src = ds.read();
        QVERIFY(src.has_mask());
        const double nodata = ds.profile().nodata.at(0).value();
        const Raster out = fill_nodata(src, {.max_distance = md, .smoothing = smooth});
        std::size_t gaps = 0, still = 0;
        for (int b = 0; b < src.bands(); ++b) {
            const auto ref = gdal_fill(slc_off(), b + 1, md, smooth);
            QCOMPARE(ref.size(), src.band_size());
            for (int y = 0; y < src.rows(); ++y)
                for (int x = 0; x < src.cols(); ++x) {
                    const double g = ref[std::size_t(y) * src.cols() + x];
                    QCOMPARE(out.value(b, y, x), g);
                    if (src.valid(b, y, x)) {
                        QVERIFY(out.valid(b, y, x));
                        QCOMPARE(out.value(b, y, x), src.value(b, y, x));
                    } else {
                        ++gaps;
                        // Our mask says exactly which gaps GDAL could not reach.
                        QCOMPARE(out.valid(b, y, x), g != nodata);
                        still += !out.valid(b, y, x);
                    }
                }
        }
        QVERIFY(gaps > src.size() / 10); // SLC-off: ~20 % of the crop
        if (md >= 10)
            QCOMPARE(still, std::size_t(0));
        else
            QVERIFY(still > 0);
        QCOMPARE(out.has_mask(), still > 0);
    }

    void filledGapsResembleNearDateScene() {
        // Against the Landsat 5 scene of 8 days later, filled gap pixels should disagree at
        // most a few times more than the two scenes disagree where Landsat 7 saw the ground,
        // and over all bands less than a fill with the scene mean. (Inverse-distance
        // filling is a baseline: in the SWIR band it is barely better than the mean.)
        double total_gap = 0, total_flat = 0;
        const Raster src = Dataset::open(slc_off()).read();
        const Raster ref = Dataset::open(landsat5()).read();
        const Raster out = fill_nodata(src, {.max_distance = 20});
        for (int b = 0; b < src.bands(); ++b) {
            double se_gap = 0, se_valid = 0, se_mean = 0, mean = 0;
            std::size_t n_gap = 0, n_valid = 0;
            for (int y = 0; y < src.rows(); ++y)
                for (int x = 0; x < src.cols(); ++x)
                    if (src.valid(b, y, x)) {
                        mean += src.value(b, y, x);
                        ++n_valid;
                    }
            mean /= double(n_valid);
            for (int y = 0; y < src.rows(); ++y)
                for (int x = 0; x < src.cols(); ++x) {
                    if (!ref.valid(b, y, x))
                        continue;
                    const double d = out.value(b, y, x) - ref.value(b, y, x);
                    if (src.valid(b, y, x)) {
                        se_valid += d * d;
                    } else {
                        se_gap += d * d;
                        se_mean += (mean - ref.value(b, y, x)) * (mean - ref.value(b, y, x));
                        ++n_gap;
                    }
                }
            QVERIFY(n_gap > 100);
            const double gap = std::sqrt(se_gap / n_gap), valid = std::sqrt(se_valid / n_valid),
                         flat = std::sqrt(se_mean / n_gap);
            qInfo("band %d: RMSE vs Landsat 5: filled gaps %.1f, observed pixels %.1f, "
                  "mean fill %.1f",
                  b + 1, gap, valid, flat);
            QVERIFY(gap < 3 * valid);
            total_gap += gap;
            total_flat += flat;
        }
        QVERIFY(total_gap < total_flat);
    }

    void floatsWithNan() {
        Raster r(DataType::Float32, 1, 30, 40);
        r.ensure_mask();
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                const bool gap = (y % 10) < 3;
                r.set_value(0, y, x, gap ? NAN : float(x + y));
                r.mask(0)[std::size_t(y) * 40 + x] = gap ? kInvalid : kValid;
            }
        const Raster out = fill_nodata(r, {.max_distance = 5});
        QVERIFY(!out.has_mask());
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                QVERIFY(!std::isnan(out.value(0, y, x)));
                QVERIFY(std::fabs(out.value(0, y, x) - (x + y)) < 4);
            }
    }

    void writesNothingIntoTheCurrentFolder() {
        // GDAL's work planes stay in memory: the fill works from a current folder that no
        // longer exists (with GDAL's default they are GeoTIFFs created there, and a killed
        // run left them behind).
        QTemporaryDir tmp;
        const std::filesystem::path home = std::filesystem::current_path();
        const std::filesystem::path gone = std::filesystem::path(tmp.path().toStdString()) / "gone";
        std::filesystem::create_directory(gone);
        std::filesystem::current_path(gone);
        std::filesystem::remove(gone);
        Raster r(DataType::UInt16, 1, 20, 30);
        r.ensure_mask();
        for (int y = 0; y < 20; ++y)
            for (int x = 0; x < 30; ++x)
                r.set_value(0, y, x, 7);
        for (int x = 0; x < 30; ++x)
            r.mask(0)[std::size_t(9) * 30 + std::size_t(x)] = kInvalid;
        Raster out;
        try {
            out = fill_nodata(r, {.max_distance = 5});
        } catch (...) {
            std::filesystem::current_path(home);
            throw;
        }
        std::filesystem::current_path(home);
        QVERIFY(!out.has_mask());
        QCOMPARE(out.value(0, 9, 12), 7.0);
    }

    void nothingToDo() {
        Raster plain(DataType::UInt16, 2, 5, 6);
        plain.set_value(1, 2, 3, 42);
        const Raster same = fill_nodata(plain);
        QVERIFY(!same.has_mask());
        QCOMPARE(same.value(1, 2, 3), 42.0);
        const Raster none = Dataset::open(rbtest::tricky("all-nodata.tif")).read();
        const Raster still = fill_nodata(none);
        QVERIFY(still.has_mask());
        const auto m = still.mask(0);
        QVERIFY(std::all_of(m.begin(), m.end(), [](auto v) { return v == kInvalid; }));
    }

    void errorsAndCancel() {
        const Raster src = Dataset::open(slc_off()).read();
        QVERIFY_THROWS_EXCEPTION(ArgumentError, fill_nodata(src, {.max_distance = -1}));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, fill_nodata(src, {.smoothing = -2}));
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 fill_nodata(src, {}, Progress([](double) { return false; })));
    }
};

QTEST_GUILESS_MAIN(FillTest)
#include "tst_fill.moc"
