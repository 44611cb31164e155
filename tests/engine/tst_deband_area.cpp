// The deband workbench's area and whole-scene result without a UI, on the sample scene
// (Landsat 7, 791 x 718, a tilted nodata collar) and on it with synthetic SLC-off-like
// bands: the area's reads against GDAL's, its previews against the engine's deband of the
// same pixels, the grey images' stretch and difference scale, auto-detection, the
// whole-scene images and metrics, and the reference checks.
#include <QtTest>

#include <cmath>
#include <limits>
#include <span>

#include "deband_synth.h"
#include "rasterbench/composite.h"
#include "rasterbench/deband.h"
#include "rasterbench/deband_area.h"
#include "rasterbench/error.h"
#include "test_support.h"

using namespace rb;
using namespace rb::fft;

namespace {

std::uint32_t greyOf(int g) {
    return 0xff000000u | (std::uint32_t(g) << 16) | (std::uint32_t(g) << 8) | std::uint32_t(g);
}

/// Largest |a - b| over samples valid in `mask` (0 = invalid; empty: all valid).
double maxDiff(const std::vector<float>& a, std::span<const float> b,
               std::span<const std::uint8_t> mask) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (mask.empty() || mask[i])
            worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    return worst;
}

} // namespace

class TestDebandArea : public QObject {
    Q_OBJECT
    Raster clean_, striped_;
    NotchSet found_;

private slots:
    void initTestCase() {
        clean_ = rbtest::read_float_band(rbtest::sample(), 1);
        striped_ = rbtest::add_bands(clean_, {8.0, 33.0, 4.0, 8.0});
        const Orientation o = estimate_orientation(striped_, 0);
        found_ = find_peaks(compute_spectrum(striped_, 0), o.angle_deg).notches;
        QVERIFY(!found_.points.empty());
    }

    void readsTheBandAsFloatWithItsMask() {
        const Window w{100, 50, 300, 200};
        const Raster r = read_band_float(rbtest::sample(), 2, w);
        QCOMPARE(r.dtype(), DataType::Float32);
        QCOMPARE(r.rows(), 200);
        QCOMPARE(r.cols(), 300);
        const auto ds = rbtest::gdal_open(rbtest::sample());
        const auto want = rbtest::gdal_read(ds.get(), 2, 100, 50, 300, 200);
        std::size_t invalid = 0;
        for (int y = 0; y < 200; ++y)
            for (int x = 0; x < 300; ++x) {
                const double v = want[std::size_t(y) * 300 + std::size_t(x)];
                QCOMPARE(r.value(0, y, x), v);
                QCOMPARE(r.valid(0, y, x), v != 0); // the sample's nodata is 0
                invalid += v == 0;
            }
        QVERIFY(invalid > 0); // the window reaches into the collar
        QVERIFY_THROWS_EXCEPTION(IoError, read_band_float(rbtest::data("no-such.tif"), 1));
    }

    void areaAroundTheView() {
        // Centred on the view where it fits, pushed inside the raster where it does not,
        // and the raster itself when it is smaller than the side.
        QCOMPARE(area_around({400, 300, 100, 100}, 2000, 1000, 256), (Window{322, 222, 256, 256}));
        QCOMPARE(area_around({0, 0, 10, 10}, 2000, 1000, 256), (Window{0, 0, 256, 256}));
        QCOMPARE(area_around({1990, 990, 10, 10}, 2000, 1000, 256), (Window{1744, 744, 256, 256}));
        QCOMPARE(area_around({}, 2000, 1000, 256), (Window{872, 372, 256, 256}));
        QCOMPARE(area_around({5, 5, 10, 10}, 100, 80, 256), Window::full(100, 80));
    }

    void greyImageStretchAndDifference() {
        // lo..hi maps to 0..255; masked pixels are transparent; every step-th sample.
        const std::vector<float> v = {0, 50, 255, 300, -10, 75};
        const std::vector<std::uint8_t> m = {255, 255, 255, 255, 255, 0};
        const Rgba8Image g = grey_image(v.data(), nullptr, m.data(), 2, 3, 1, 0, 255);
        QCOMPARE(g.width, 3);
        QCOMPARE(g.height, 2);
        QCOMPARE(g.pixels, (std::vector<std::uint32_t>{greyOf(0), greyOf(50), greyOf(255),
                                                       greyOf(255), greyOf(0), 0}));
        const Rgba8Image s = grey_image(v.data(), nullptr, nullptr, 2, 3, 2, 0, 255);
        QCOMPARE(s.width, 2);
        QCOMPARE(s.height, 1);
        QCOMPARE(s.pixels, (std::vector<std::uint32_t>{greyOf(0), greyOf(255)}));
        // Difference: a change of 2 everywhere is +-4 RMS = +-8 about mid grey:
        // (2 + 8) / 16 * 255 = 159.
        const std::vector<float> ref = {-2, 48, 253, 298, -12, 73};
        const Rgba8Image d = grey_image(v.data(), ref.data(), nullptr, 2, 3, 1, 0, 100);
        for (auto p : d.pixels)
            QCOMPARE(p, greyOf(159));
        // Changes under a quarter unit are scaled to +-1 at least.
        const std::vector<float> same(v);
        const Rgba8Image z = grey_image(v.data(), same.data(), nullptr, 2, 3, 1, 0, 100);
        QCOMPARE(z.pixels.front(), greyOf(127));
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 grey_image(v.data(), nullptr, nullptr, 2, 3, 0, 0, 1));
    }

    void previewsAreTheEnginesDeband() {
        const Window w{200, 150, 400, 300};
        const Raster part = crop(striped_, w);
        const DebandArea area(part, w, 1);
        QCOMPARE(area.window(), w);
        QCOMPARE(area.band(), 1);
        // No stretch given: the area's own 2nd-98th percentiles.
        QCOMPARE(area.stretch().lo, band_percentile(part, 0, 2));
        QCOMPARE(area.stretch().hi, band_percentile(part, 0, 98));
        QCOMPARE(area.spectrum()->log_magnitude, compute_spectrum(part, 0).log_magnitude);

        // Full resolution: the values of deband() on the same pixels.
        std::vector<float> values;
        double ms = -1;
        const Rgba8Image after = area.full_image(found_, AreaView::After, 2, values, true, &ms);
        QVERIFY(ms >= 0);
        const Raster want = deband(part, found_);
        const auto mask = part.mask(0);
        QVERIFY2(maxDiff(values, want.band<float>(0), mask) < 1e-2,
                 qPrintable(QString::number(maxDiff(values, want.band<float>(0), mask))));
        // The image is grey_image of those values at the area's stretch.
        const Rgba8Image expected =
            grey_image(values.data(), nullptr, mask.empty() ? nullptr : mask.data(), part.rows(),
                       part.cols(), 2, area.stretch().lo, area.stretch().hi);
        QCOMPARE(after.width, 200);
        QCOMPARE(after.pixels, expected.pixels);
        const Rgba8Image diff = area.full_image(found_, AreaView::Difference, 1, values);
        QCOMPARE(diff.pixels,
                 grey_image(values.data(), part.band<float>(0).data(),
                            mask.empty() ? nullptr : mask.data(), part.rows(), part.cols(), 1, 0, 1)
                     .pixels);
        QVERIFY(area.full_image(found_, AreaView::After, 1, values, false).pixels.empty());

        // Half resolution: the DebandPreview's box average, drawn at half the step.
        std::vector<float> coarse;
        const Rgba8Image c = area.coarse_image(found_, AreaView::After, 4, coarse);
        const DebandPreview pv(part, 0);
        std::vector<float> pc(std::size_t(pv.coarse_rows()) * std::size_t(pv.coarse_cols()));
        pv.apply_coarse(found_, pc.data());
        QCOMPARE(coarse.size(), pc.size());
        QCOMPARE(maxDiff(coarse, pc, {}), 0.0);
        QCOMPARE(c.width, (pv.coarse_cols() + 1) / 2);
        QCOMPARE(c.height, (pv.coarse_rows() + 1) / 2);
        // The coarse "before" is the box average without notches.
        std::vector<float> before(pc.size());
        pv.apply_coarse({}, before.data());
        QCOMPARE(maxDiff(area.coarse_before(), before, {}), 0.0);

        // Energy: none without notches, the session's share with them.
        double total = -1;
        QCOMPARE(area.removed_energy({}, &total), 0.0);
        QCOMPARE(total, 0.0);
        const double removed = area.removed_energy(found_, &total);
        double sessionTotal = 0;
        QCOMPARE(removed, pv.full().removed_energy(found_, &sessionTotal));
        QCOMPARE(total, sessionTotal);
        QVERIFY(removed > 0 && removed < total);
    }

    void readsItsAreaFromTheFile() {
        const Window w{300, 200, 256, 128};
        const DebandArea area(rbtest::sample(), 1, w, StretchRange{10, 200});
        QCOMPARE(area.stretch().lo, 10.0);
        QCOMPARE(area.stretch().hi, 200.0);
        QCOMPARE(area.data().rows(), 128);
        QCOMPARE(area.data().cols(), 256);
        const Raster want = crop(clean_, w);
        for (int y = 0; y < 128; y += 7)
            for (int x = 0; x < 256; x += 5)
                QCOMPARE(area.data().value(0, y, x), want.value(0, y, x));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, DebandArea(rbtest::sample(), 1, Window{}));
        QVERIFY_THROWS_EXCEPTION(IoError,
                                 DebandArea(rbtest::data("no-such.tif"), 1, Window{0, 0, 8, 8}));
    }

    void autoDetectFindsTheBands() {
        const DebandArea striped(striped_, Window::full(striped_.cols(), striped_.rows()), 1);
        const AutoDetection d = striped.auto_detect();
        QVERIFY(d.found);
        QVERIFY2(std::abs(d.orientation.angle_deg - 8.0) < 1.0,
                 qPrintable(QString::number(d.orientation.angle_deg)));
        QVERIFY(!d.peaks.notches.points.empty());
        QVERIFY2(std::abs(d.peaks.period - 33) < 1.5, qPrintable(QString::number(d.peaks.period)));
        // After the found notches, the area is much closer to the clean scene.
        std::vector<float> values;
        striped.full_image(d.peaks.notches, AreaView::After, 1, values, false);
        const auto mask = clean_.mask(0);
        double errBefore = 0, errAfter = 0;
        const auto c = clean_.band<float>(0), s = striped_.band<float>(0);
        for (std::size_t i = 0; i < values.size(); ++i)
            if (mask.empty() || mask[i]) {
                errBefore += std::pow(double(s[i]) - c[i], 2);
                errAfter += std::pow(double(values[i]) - c[i], 2);
            }
        QVERIFY2(errAfter < 0.8 * errBefore, // more than 1 dB of PSNR
                 qPrintable(QStringLiteral("%1 vs %2").arg(errAfter).arg(errBefore)));
    }

    void wholeSceneImagesAndMetrics() {
        const std::string path = rbtest::sample();
        const Raster reference = read_band_float(path, 1);
        const NotchSet notches = found_;
        int reports = 0;
        const SceneDeband d = deband_scene(path, 1, notches, StretchRange{0, 255}, 256, &reference,
                                           Progress([&](double) { return ++reports > 0; }));
        QVERIFY(reports > 0);
        // 791 x 718 in images of at most 256 a side: every 4th pixel.
        QCOMPARE(d.step, 4);
        QCOMPARE(d.after.width, 198);
        QCOMPARE(d.after.height, 180);
        const Raster out = deband(reference, notches);
        const auto mask = reference.mask(0);
        const Rgba8Image want = grey_image(out.band<float>(0).data(), nullptr, mask.data(),
                                           reference.rows(), reference.cols(), 4, 0, 255);
        QCOMPARE(d.after.pixels, want.pixels);
        QCOMPARE(d.difference.width, 198);
        // The reference is the scene: identical before, changed after.
        QVERIFY(d.psnr_before && std::isinf(*d.psnr_before));
        QVERIFY2(std::abs(*d.ssim_before - 1.0) < 1e-6,
                 qPrintable(QString::number(*d.ssim_before)));
        QVERIFY(d.psnr_after && std::isfinite(*d.psnr_after));
        QCOMPARE(*d.psnr_after, psnr(out, reference, 0));
        QVERIFY(*d.ssim_after < 1.0);
        // Without a reference no metrics; cancelled when progress says stop.
        const SceneDeband none = deband_scene(path, 1, {}, std::nullopt, 1024, nullptr);
        QVERIFY(!none.psnr_before && !none.ssim_after);
        QCOMPARE(none.step, 1);
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 deband_scene(path, 1, notches, std::nullopt, 256, nullptr,
                                              Progress([](double) { return false; })));
    }

    void referenceMustBeOnTheScenesGrid() {
        const std::string path = rbtest::sample();
        // The same band of a multi-band reference.
        const Raster r3 = read_reference(path, 3, 791, 718, "scene.tif");
        QCOMPARE(r3.value(0, 300, 300), rbtest::read_float_band(path, 3).value(0, 300, 300));
        try {
            read_reference(path, 1, 800, 718, "scene.tif");
            QFAIL("a reference of another size was accepted");
        } catch (const ArgumentError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(path) != std::string::npos &&
                         what.find("791x718") != std::string::npos &&
                         what.find("scene.tif is 800x718") != std::string::npos,
                     e.what());
        }
        try {
            read_reference(path, 4, 791, 718, "scene.tif");
            QFAIL("a reference without the band was accepted");
        } catch (const ArgumentError& e) {
            QVERIFY2(std::string(e.what()).find("no band 4") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestDebandArea)
#include "tst_deband_area.moc"
