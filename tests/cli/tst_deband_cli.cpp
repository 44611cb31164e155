// rasterbench-cli spectrum and deband, run as a user would: striped inputs made from the
// sample scene, outputs reopened with GDAL's own reader and compared with the clean image.
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "deband_synth.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "test_support.h"

namespace {

using Run = rbtest::CliText;
using rbtest::cli;

/// Writes band 0 of `r` as a Float32 GeoTIFF with the sample's georeferencing and nodata.
void write_like_sample(const rb::Raster& r, const std::string& path) {
    rb::Profile p = rb::read_profile(rbtest::sample());
    p.count = 1;
    p.dtype = rb::DataType::Float32;
    p.set_nodata(-1.0);
    p.colorinterp.clear();
    p.descriptions.clear();
    p.overview_factors.clear();
    rb::Raster w = r;
    for (int i = 0; i < w.rows(); ++i)
        for (int j = 0; j < w.cols(); ++j)
            if (!w.valid(0, i, j))
                w.set_value(0, i, j, -1.0);
    rb::Dataset ds = rb::Dataset::create(path, p);
    ds.write(w);
    ds.close();
}

double gdal_psnr(const std::string& a, const std::string& ref) {
    // Both read with GDAL directly; pixels where the reference is nodata are skipped.
    auto da = rbtest::gdal_open(a), dr = rbtest::gdal_open(ref);
    const int w = GDALGetRasterXSize(dr.get()), h = GDALGetRasterYSize(dr.get());
    const auto va = rbtest::gdal_read(da.get(), 1, 0, 0, w, h);
    const auto vr = rbtest::gdal_read(dr.get(), 1, 0, 0, w, h);
    double lo = 1e300, hi = -1e300, se = 0;
    std::size_t n = 0;
    for (std::size_t k = 0; k < vr.size(); ++k) {
        if (vr[k] == -1.0)
            continue;
        lo = std::min(lo, vr[k]);
        hi = std::max(hi, vr[k]);
        se += (va[k] - vr[k]) * (va[k] - vr[k]);
        ++n;
    }
    return 10 * std::log10((hi - lo) * (hi - lo) / (se / double(n)));
}

} // namespace

class TestDebandCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string clean_, striped_;

    std::string path(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const rb::Raster clean = rbtest::read_float_band(rbtest::sample(), 1);
        clean_ = path("clean.tif");
        striped_ = path("striped.tif");
        write_like_sample(clean, clean_);
        write_like_sample(rbtest::add_bands(clean, {9.0, 30, 4, 8}), striped_);
    }

    void spectrumPngAndTiff() {
        const Run png = cli({"spectrum", QString::fromStdString(striped_), "-o",
                             QString::fromStdString(path("s.png"))});
        QCOMPARE(png.code, 0);
        auto ds = rbtest::gdal_open(path("s.png"));
        QVERIFY(ds);
        QCOMPARE(GDALGetRasterXSize(ds.get()), 791);
        QCOMPARE(GDALGetRasterYSize(ds.get()), 718);
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(ds.get(), 1)), GDT_Byte);
        // A window of odd size, written as Float32: DC (centre) is the brightest pixel.
        const Run tif =
            cli({"spectrum", QString::fromStdString(striped_), "--window", "200,150,301,257",
                 "--apodization", "hann", "-o", QString::fromStdString(path("s.tif"))});
        QCOMPARE(tif.code, 0);
        auto t = rbtest::gdal_open(path("s.tif"));
        QCOMPARE(GDALGetRasterXSize(t.get()), 301);
        QCOMPARE(GDALGetRasterYSize(t.get()), 257);
        const auto v = rbtest::gdal_read(t.get(), 1, 0, 0, 301, 257);
        const auto maxIt = std::max_element(v.begin(), v.end());
        const auto k = std::size_t(maxIt - v.begin());
        // subtract-mean is on: DC itself is ~0, the brightest bin is next to it.
        QVERIFY(std::abs(int(k % 301) - 150) <= 3 && std::abs(int(k / 301) - 128) <= 3);
        QVERIFY(!QFile::exists(QString::fromStdString(path("s.tif")) + ".tmp"));
    }

    void autoDebandImprovesPsnrAndKeepsNodata() {
        const std::string out = path("auto.tif"), notches = path("auto.json");
        const Run r =
            cli({"deband", QString::fromStdString(striped_), "-o", QString::fromStdString(out),
                 "--auto", "--reference", QString::fromStdString(clean_), "--notches-out",
                 QString::fromStdString(notches)});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("orientation"));
        QVERIFY(r.out.contains("PSNR"));
        QVERIFY(r.out.contains("energy removed"));
        const double before = gdal_psnr(striped_, clean_), after = gdal_psnr(out, clean_);
        qInfo("CLI auto deband: PSNR %.2f -> %.2f dB", before, after);
        QVERIFY(after > before + 1.0);
        // Nodata: the collar is still -1 and declared so; valid pixels are not -1.
        auto o = rbtest::gdal_open(out), s = rbtest::gdal_open(striped_);
        int has = 0;
        QCOMPARE(GDALGetRasterNoDataValue(GDALGetRasterBand(o.get(), 1), &has), -1.0);
        QVERIFY(has);
        const auto vo = rbtest::gdal_read(o.get(), 1, 0, 0, 791, 718);
        const auto vs = rbtest::gdal_read(s.get(), 1, 0, 0, 791, 718);
        for (std::size_t k = 0; k < vs.size(); ++k)
            QCOMPARE(vo[k] == -1.0, vs[k] == -1.0);
        // The notch file reproduces the result exactly.
        const std::string again = path("again.tif");
        QCOMPARE(cli({"deband", QString::fromStdString(striped_), "-o",
                      QString::fromStdString(again), "--notches", QString::fromStdString(notches)})
                     .code,
                 0);
        auto a = rbtest::gdal_open(again);
        QVERIFY(rbtest::gdal_read(a.get(), 1, 0, 0, 791, 718) == vo);
        QVERIFY(!rb::fft::load_notches(notches).points.empty());
    }

    void manualNotchesAndBands() {
        // --band 2 of the RGB sample with a point notch and a stripe notch: a one-band UInt8
        // output that differs from the input band.
        const std::string out = path("manual.tif");
        const Run r = cli({"deband", QString::fromStdString(rbtest::sample()), "--band", "2", "-o",
                           QString::fromStdString(out), "--notch", "0.1,0.05,0.01,butterworth,3",
                           "--stripe", "12,0.01"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto o = rbtest::gdal_open(out), s = rbtest::gdal_open(rbtest::sample());
        QCOMPARE(GDALGetRasterCount(o.get()), 1);
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(o.get(), 1)), GDT_Byte);
        QVERIFY(rbtest::gdal_read(o.get(), 1, 0, 0, 791, 718) !=
                rbtest::gdal_read(s.get(), 2, 0, 0, 791, 718));
    }

    void errorsAndUsage() {
        const Run missing = cli({"deband", "/nonexistent/in.tif", "-o",
                                 QString::fromStdString(path("x.tif")), "--auto"});
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.err.contains("/nonexistent/in.tif"));
        QCOMPARE(missing.err.count('\n'), 1);
        const Run badJson = cli({"deband", QString::fromStdString(striped_), "-o",
                                 QString::fromStdString(path("x.tif")), "--notches",
                                 QString::fromStdString(clean_)});
        QCOMPARE(badJson.code, 1);
        QVERIFY(badJson.err.contains(QString::fromStdString(clean_)));
        QVERIFY(!QFile::exists(QString::fromStdString(path("x.tif"))));
        QCOMPARE(cli({"deband", QString::fromStdString(striped_)}).code, 2);
        QCOMPARE(cli({"deband", QString::fromStdString(striped_), "-o", "y.tif"}).code, 2);
        QCOMPARE(cli({"deband", QString::fromStdString(striped_), "-o", "y.tif", "--notch",
                      "0.7,0,0.01"})
                     .code,
                 2);
        QCOMPARE(cli({"deband", QString::fromStdString(striped_), "-o", "y.tif", "--auto",
                      "--threshold", "0"})
                     .code,
                 2);
        QCOMPARE(cli({"spectrum", QString::fromStdString(striped_), "-o", "y.png", "--apodization",
                      "box"})
                     .code,
                 2);
        QCOMPARE(cli({"deband", "--help"}).code, 0);
        QCOMPARE(cli({"spectrum", "--help"}).code, 0);
    }
};

QTEST_GUILESS_MAIN(TestDebandCli)
#include "tst_deband_cli.moc"
