// Exact, block-streamed stretch statistics against GDAL's own full reads: every percentile,
// min/max, mean and standard deviation over the valid samples, for integer and float data,
// whole scenes and windows, and the stretch limits derived from them.
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/render.h"
#include "rasterbench/stretch_stats.h"
#include "test_support.h"

using namespace rb;

namespace {

/// The valid samples of one band (window) as GDAL reads them, sorted.
std::vector<double> gdal_valid_sorted(const std::string& path, int band, int x, int y, int w,
                                      int h) {
    const auto ds = rbtest::gdal_open(path);
    std::vector<double> v = rbtest::gdal_read(ds.get(), band, x, y, w, h);
    int has = 0;
    const double nodata = GDALGetRasterNoDataValue(GDALGetRasterBand(ds.get(), band), &has);
    std::erase_if(v, [&](double s) { return std::isnan(s) || (has && s == nodata); });
    std::sort(v.begin(), v.end());
    return v;
}

double nearest_rank(const std::vector<double>& sorted, double pct) {
    return sorted[std::size_t(std::llround(pct / 100.0 * double(sorted.size() - 1)))];
}

void check_against_gdal(const std::string& path, const std::vector<BandDistribution>& ds,
                        const std::vector<int>& bands, const std::vector<double>& percents, int x,
                        int y, int w, int h) {
    QCOMPARE(ds.size(), bands.size());
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const auto v = gdal_valid_sorted(path, bands[i], x, y, w, h);
        QVERIFY(!v.empty());
        const BandDistribution& d = ds[i];
        QCOMPARE(d.stats.valid_count, std::uint64_t(v.size()));
        QCOMPARE(d.stats.min, v.front());
        QCOMPARE(d.stats.max, v.back());
        double mean = 0;
        for (double s : v)
            mean += s;
        mean /= double(v.size());
        double m2 = 0;
        for (double s : v)
            m2 += (s - mean) * (s - mean);
        QVERIFY(std::abs(d.stats.mean - mean) <= 1e-9 * std::max(1.0, std::abs(mean)));
        QVERIFY(std::abs(d.stats.stddev - std::sqrt(m2 / double(v.size()))) <=
                1e-9 * std::max(1.0, std::sqrt(m2 / double(v.size()))));
        for (double p : percents) {
            const auto got = d.percentile(p);
            QVERIFY2(got, qPrintable(QString("percentile %1 of band %2").arg(p).arg(bands[i])));
            QCOMPARE(*got, nearest_rank(v, p));
        }
        std::uint64_t total = 0;
        for (auto c : d.counts)
            total += c;
        QCOMPARE(total, d.stats.valid_count); // the histogram holds every valid sample
    }
}

} // namespace

class StretchStatsTest : public QObject {
    Q_OBJECT
private slots:
    void uint16WholeSceneEveryPercentileExact() {
        // Landsat 8 DN with a tilted nodata (0) collar, streamed in many small strips.
        const std::string path =
            rbtest::data("viewer/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif");
        const Dataset ds = Dataset::open(path);
        DistributionOptions o;
        o.strip_samples = 500; // forces a strip per block row and more
        const std::vector<int> bands = {1, 4, 10};
        const auto d = band_distributions(ds, bands, o);
        for (const auto& b : d)
            QVERIFY(b.exact_bins); // integer: any percentile, not only the requested ones
        check_against_gdal(path, d, bands, {0.5, 2, 25, 50, 98, 99.9}, 0, 0, 76, 77);
    }

    void int16WithNegativeNodataAndWindow() {
        const std::string path =
            rbtest::data("viewer/2008-04-27_LE07_LE70350322008118EDC00_sr.tif");
        const Dataset ds = Dataset::open(path);
        DistributionOptions o;
        o.window = Window{7, 11, 40, 33};
        const auto d = band_distributions(ds, {1, 2, 3}, o);
        check_against_gdal(path, d, {1, 2, 3}, {1, 2, 10, 90, 98}, 7, 11, 40, 33);
    }

    void floatSelectsRequestedPercentilesExactly() {
        const std::string path = rbtest::tricky("float_nan.tif");
        const Dataset ds = Dataset::open(path);
        DistributionOptions o;
        o.percents = {2, 37.5, 98};
        o.strip_samples = 3;
        const auto d = band_distributions(ds, {1}, o);
        check_against_gdal(path, d, {1}, {2, 37.5, 98}, 0, 0, ds.width(), ds.height());
        // Not requested: the histogram of a float band cannot answer exactly.
        QVERIFY(!d[0].exact_bins);
        QVERIFY(!d[0].percentile(50).has_value());
    }

    void float32GeneratedSceneManyStrips() {
        // 300x200 floats with repeated and distinct values, NaN holes and a nodata value.
        QTemporaryDir dir;
        const std::string path = dir.filePath("f.tif").toStdString();
        {
            GDALDriverH gtiff = GDALGetDriverByName("GTiff");
            const char* opts[] = {"TILED=YES", "BLOCKXSIZE=64", "BLOCKYSIZE=32", nullptr};
            GDALDatasetH h =
                GDALCreate(gtiff, path.c_str(), 300, 200, 1, GDT_Float32, const_cast<char**>(opts));
            QVERIFY(h);
            std::vector<float> v(300 * 200);
            for (int y = 0; y < 200; ++y)
                for (int x = 0; x < 300; ++x)
                    v[std::size_t(y * 300 + x)] =
                        (x + y) % 17 == 0   ? NAN
                        : (x * y) % 29 == 0 ? -5.0f
                                            : float(std::sin(x * 0.05) * 1000 + y * 0.125);
            GDALSetRasterNoDataValue(GDALGetRasterBand(h, 1), -5.0);
            QCOMPARE(GDALRasterIO(GDALGetRasterBand(h, 1), GF_Write, 0, 0, 300, 200, v.data(), 300,
                                  200, GDT_Float32, 0, 0),
                     CE_None);
            GDALClose(h);
        }
        const Dataset ds = Dataset::open(path);
        DistributionOptions o;
        o.percents = {0.1, 2, 50, 98, 99.9};
        o.strip_samples = 3000;
        const auto d = band_distributions(ds, {1}, o);
        check_against_gdal(path, d, {1}, o.percents, 0, 0, 300, 200);
        o.window = Window{33, 17, 101, 77};
        check_against_gdal(path, band_distributions(ds, {1}, o), {1}, o.percents, 33, 17, 101, 77);
    }

    void stretchMatchesInMemoryExactStretch() {
        const Dataset ds = Dataset::open(rbtest::sample());
        const Raster all = ds.read();
        const auto d = band_distributions(ds, {1, 2, 3}, {});
        for (StretchMode mode :
             {StretchMode::PercentClip, StretchMode::MinMax, StretchMode::StdDev}) {
            StretchOptions so;
            so.mode = mode;
            so.stddev_k = 1.5;
            const auto got = stretch_from_distributions(d, so);
            QVERIFY(got);
            const auto want = compute_stretch(all, so);
            for (int b = 0; b < 3; ++b) {
                QVERIFY(std::abs((*got)[std::size_t(b)].lo - want[std::size_t(b)].lo) < 1e-9);
                QVERIFY(std::abs((*got)[std::size_t(b)].hi - want[std::size_t(b)].hi) < 1e-9);
            }
        }
        // The in-memory overload agrees with the streamed one.
        const auto mem = band_distributions(all);
        for (int b = 0; b < 3; ++b) {
            QCOMPARE(mem[std::size_t(b)].stats.valid_count, d[std::size_t(b)].stats.valid_count);
            QCOMPARE(*mem[std::size_t(b)].percentile(2), *d[std::size_t(b)].percentile(2));
        }
        // Percent clip on float data needs the percentiles that were selected.
        const auto f = band_distributions(Dataset::open(rbtest::tricky("float_nan.tif")), {1}, {});
        StretchOptions odd;
        odd.low_percent = 5;
        QVERIFY(!stretch_from_distributions(f, odd).has_value());
    }

    void coarsenedKeepsEveryCount() {
        const auto d = band_distributions(Dataset::open(rbtest::sample()), {1}, {});
        const auto c = d[0].coarsened(16);
        QVERIFY(c.counts.size() <= 16);
        std::uint64_t total = 0;
        for (auto n : c.counts)
            total += n;
        QCOMPARE(total, d[0].stats.valid_count);
        QVERIFY(c.lo + c.width * double(c.counts.size()) >= d[0].stats.max);
    }

    void cancels() {
        const Dataset ds = Dataset::open(rbtest::sample());
        DistributionOptions o;
        o.strip_samples = 1000;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, band_distributions(ds, {1}, o, Progress([](double) { return false; })));
    }
};

QTEST_APPLESS_MAIN(StretchStatsTest)
#include "tst_stretch_stats.moc"
