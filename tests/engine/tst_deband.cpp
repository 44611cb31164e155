// Deband on real images with synthetic oblique bands made like SLC-off fills: bands at
// several angles and periods, wedge-shaped widths growing toward the scene edges, and a
// second date's gain/offset inside them. The tests check the estimated orientation and
// period against the ones used to draw the bands, that auto-deband brings the image closer to
// the clean one, that a clean image barely changes, that nodata survives, and sizes of every
// kind.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "deband_synth.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "rasterbench/fft.h"
#include "test_support.h"

using namespace rb;
using namespace rb::fft;

namespace {

constexpr double kPi = std::numbers::pi;

using rbtest::add_bands;
using Bands = rbtest::SynthBands;

Raster read_float(const std::string& path, int band) {
    return rbtest::read_float_band(path, band);
}

double rms_change(const Raster& a, const Raster& b) {
    double s = 0;
    std::size_t n = 0;
    for (int i = 0; i < a.rows(); ++i)
        for (int j = 0; j < a.cols(); ++j)
            if (a.valid(0, i, j)) {
                const double d = a.value(0, i, j) - b.value(0, i, j);
                s += d * d;
                ++n;
            }
    return std::sqrt(s / double(n));
}

double valid_stddev(const Raster& a) {
    double s = 0, s2 = 0;
    std::size_t n = 0;
    for (int i = 0; i < a.rows(); ++i)
        for (int j = 0; j < a.cols(); ++j)
            if (a.valid(0, i, j)) {
                s += a.value(0, i, j);
                s2 += a.value(0, i, j) * a.value(0, i, j);
                ++n;
            }
    return std::sqrt(s2 / double(n) - (s / double(n)) * (s / double(n)));
}

double angle_error(double a, double b) {
    const double d = std::fmod(std::abs(a - b), 180.0);
    return std::min(d, 180.0 - d);
}

/// The whole automatic path: orientation from the spectrum, peaks along it, deband.
struct AutoResult {
    Orientation orientation;
    PeakResult peaks;
    Raster out;
};
AutoResult auto_deband(const Raster& img) {
    AutoResult r;
    r.orientation = estimate_orientation(img, 0);
    if (r.orientation.source != OrientationSource::None) {
        r.peaks = find_peaks(compute_spectrum(img, 0), r.orientation.angle_deg);
        r.out = deband(img, r.peaks.notches);
    } else {
        r.out = img;
    }
    return r;
}

} // namespace

class TestDeband : public QObject {
    Q_OBJECT
    Raster clean_;

private slots:
    void initTestCase() {
        // The sample scene: Landsat 7, 791 x 718, a tilted nodata collar.
        clean_ = read_float(rbtest::sample(), 1);
        QVERIFY(clean_.has_mask());
    }

    void obliqueBands_data() {
        QTest::addColumn<double>("angle");
        QTest::addColumn<double>("period");
        QTest::addColumn<double>("width0");
        QTest::addColumn<double>("width1");
        QTest::newRow("near-horizontal scan 33 px") << 8.0 << 33.0 << 4.0 << 8.0;
        QTest::newRow("12.5 deg, 21 px") << 12.5 << 21.0 << 3.0 << 6.0;
        QTest::newRow("37 deg, 47 px") << 37.0 << 47.0 << 6.0 << 12.0;
        QTest::newRow("81 deg, 27 px") << 81.0 << 27.0 << 4.0 << 7.0;
        QTest::newRow("128 deg, 40 px") << 128.0 << 40.0 << 5.0 << 10.0;
        QTest::newRow("171 deg, 16 px") << 171.0 << 16.0 << 2.0 << 5.0;
    }
    void obliqueBands() {
        QFETCH(double, angle);
        QFETCH(double, period);
        QFETCH(double, width0);
        QFETCH(double, width1);
        const Raster striped = add_bands(clean_, {angle, period, width0, width1});
        const AutoResult r = auto_deband(striped);
        QCOMPARE(r.orientation.source, OrientationSource::Spectrum);
        QVERIFY2(
            angle_error(r.orientation.angle_deg, angle) <= 1.0,
            qPrintable(QStringLiteral("angle %1 for %2").arg(r.orientation.angle_deg).arg(angle)));
        QVERIFY2(std::abs(r.peaks.period - period) <= 0.05 * period,
                 qPrintable(QStringLiteral("period %1 for %2").arg(r.peaks.period).arg(period)));
        // Every notch found lies on the band line (a harmonic of the bands, not image detail).
        for (const Peak& p : r.peaks.peaks)
            QVERIFY(angle_error(frequency_info(p.u, p.v).stripe_deg, angle) < 3.0);
        // The result is closer to the clean image than the striped input was.
        const double before = psnr(striped, clean_, 0), after = psnr(r.out, clean_, 0);
        const double ssimBefore = ssim(striped, clean_, 0), ssimAfter = ssim(r.out, clean_, 0);
        qInfo("angle %.2f (%.2f) period %.2f (%.1f), %zu peaks; PSNR %.2f -> %.2f dB, SSIM %.4f -> "
              "%.4f",
              r.orientation.angle_deg, angle, r.peaks.period, period, r.peaks.peaks.size(), before,
              after, ssimBefore, ssimAfter);
        QVERIFY2(after > before + 1.0,
                 qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
        // An oriented stripe notch at that angle (no peak finding) also brings it closer.
        NotchSet stripe;
        stripe.stripes.push_back(
            {r.orientation.angle_deg, 2.0 / striped.cols(), 2.0 / striped.cols(), 1.5 / period});
        const double afterStripe = psnr(deband(striped, stripe), clean_, 0);
        qInfo("stripe notch: PSNR %.2f -> %.2f dB", before, afterStripe);
        QVERIFY(afterStripe > before + 0.3);
        // The same notches on the clean image remove little of it: they sit on the bands'
        // harmonics, not on the scene's own content.
        const double cleanChange = rms_change(deband(clean_, r.peaks.notches), clean_);
        qInfo("notches on the clean image: RMS change %.3f (stddev %.2f)", cleanChange,
              valid_stddev(clean_));
        QVERIFY(cleanChange < 0.05 * valid_stddev(clean_));
        // The collar stays nodata, untouched.
        for (int i = 0; i < striped.rows(); i += 7)
            for (int j = 0; j < striped.cols(); j += 7)
                if (!striped.valid(0, i, j)) {
                    QVERIFY(!r.out.valid(0, i, j));
                    QCOMPARE(r.out.value(0, i, j), striped.value(0, i, j));
                }
    }

    void stripeFreeImageBarelyChanges() {
        // The automatic path on the clean scene: whatever it finds, the image moves by less
        // than 0.5 % of its own spread (RMS over valid pixels).
        const AutoResult r = auto_deband(clean_);
        const double change = rms_change(r.out, clean_), spread = valid_stddev(clean_);
        qInfo("clean image: source %s, %zu peaks, RMS change %.4f of stddev %.2f",
              std::string(source_name(r.orientation.source)).c_str(), r.peaks.peaks.size(), change,
              spread);
        QVERIFY2(change < 0.005 * spread, qPrintable(QString::number(change / spread)));
    }

    void orientationFromGapMask() {
        // Synthetic SLC-off gaps (wedges, 7-12 px, every 33 px at 9.5 degrees) cut into the
        // sample scene, whose own tilted collar must not pull the answer.
        Raster gappy = clean_;
        const Raster bands = add_bands(clean_, {9.5, 33, 6, 6, 1, 1000});
        auto m = gappy.mask(0);
        for (int i = 0; i < gappy.rows(); ++i)
            for (int j = 0; j < gappy.cols(); ++j)
                if (bands.value(0, i, j) != clean_.value(0, i, j))
                    m[std::size_t(i) * gappy.cols() + j] = kInvalid;
        const Orientation o = estimate_orientation(gappy, 0);
        QCOMPARE(o.source, OrientationSource::GapMask);
        QVERIFY2(angle_error(o.angle_deg, 9.5) <= 1.0, qPrintable(QString::number(o.angle_deg)));
    }

    void orientationFromCompositeIndex() {
        // A composite's winning-scene index: scenes 0, 1, 2 take turns band after band at
        // 23 degrees (the seams are the bands' edges); the sample's collar is scene 3.
        std::vector<std::int32_t> labels(clean_.band_size());
        const double a = 23 * kPi / 180;
        for (int i = 0; i < clean_.rows(); ++i)
            for (int j = 0; j < clean_.cols(); ++j) {
                const double s = j * std::sin(a) + i * std::cos(a);
                labels[std::size_t(i) * clean_.cols() + j] =
                    clean_.valid(0, i, j) ? int(std::floor(s / 28)) % 3 : 3;
            }
        const Orientation o = orientation_from_labels(labels, clean_.rows(), clean_.cols());
        QVERIFY2(angle_error(o.angle_deg, 23) <= 1.0, qPrintable(QString::number(o.angle_deg)));
    }

    void orientationFromRealSlcOffGaps() {
        // Two Landsat 7 SLC-off dates of one path/row share the scan geometry: their gap
        // masks must give the same orientation, close to the rows (scan lines run across
        // track).
        const Raster a =
            read_float(rbtest::data("deband/2008-06-14_LE07_LE70350322008166EDC00_sr.tif"), 1);
        const Raster b =
            read_float(rbtest::data("deband/2008-09-02_LE07_LE70350322008246EDC00_sr.tif"), 1);
        const Orientation oa = estimate_orientation(a, 0), ob = estimate_orientation(b, 0);
        qInfo("LE07 gaps: %.2f (%s) and %.2f (%s)", oa.angle_deg,
              std::string(source_name(oa.source)).c_str(), ob.angle_deg,
              std::string(source_name(ob.source)).c_str());
        QCOMPARE(oa.source, OrientationSource::GapMask);
        QCOMPARE(ob.source, OrientationSource::GapMask);
        QVERIFY(angle_error(oa.angle_deg, ob.angle_deg) <= 1.0);
        QVERIFY(angle_error(oa.angle_deg, 0) < 20.0);
    }

    void orientationFromFootprint() {
        // The sample scene's data inside a rectangle rotated by 11 degrees (a Landsat scene
        // on a north-up grid): the footprint's top and bottom edges give the scan direction.
        Raster r = clean_;
        r.drop_mask();
        auto m = r.mask(0);
        const double a = 11 * kPi / 180;
        const double cx = r.cols() / 2.0, cy = r.rows() / 2.0;
        for (int i = 0; i < r.rows(); ++i)
            for (int j = 0; j < r.cols(); ++j) {
                // Rotate into the rectangle's frame (screen counter-clockwise = -row).
                const double x = (j - cx) * std::cos(a) - (i - cy) * std::sin(a);
                const double y = (j - cx) * std::sin(a) + (i - cy) * std::cos(a);
                if (std::abs(x) > 300 || std::abs(y) > 260)
                    m[std::size_t(i) * r.cols() + j] = kInvalid;
            }
        const Orientation o = orientation_from_footprint(m.data(), r.rows(), r.cols());
        QCOMPARE(o.source, OrientationSource::Footprint);
        QVERIFY2(angle_error(o.angle_deg, 11) <= 1.0, qPrintable(QString::number(o.angle_deg)));
    }

    void nodataPreservedOnRealSlcOff() {
        // A real SLC-off file (Int16, nodata -9999, gaps): every invalid pixel keeps its value
        // and stays invalid; no valid pixel is written as -9999.
        const std::string path =
            rbtest::data("deband/2008-06-14_LE07_LE70350322008166EDC00_sr.tif");
        const Dataset ds = Dataset::open(path);
        const Raster src = ds.read();
        NotchSet n;
        n.points.push_back({0.0, 1.0 / 33, 0.02, NotchShape::Gaussian, 2});
        n.stripes.push_back({3.0, 0.02, 0.01, 0.05});
        const Raster out = deband(src, n, {}, ds.profile().nodata[0]);
        QCOMPARE(out.dtype(), DataType::Int16);
        QCOMPARE(out.bands(), 3);
        std::size_t invalid = 0, changed = 0;
        for (int b = 0; b < 3; ++b)
            for (int i = 0; i < src.rows(); ++i)
                for (int j = 0; j < src.cols(); ++j) {
                    QCOMPARE(out.valid(b, i, j), src.valid(b, i, j));
                    if (!src.valid(b, i, j)) {
                        ++invalid;
                        QCOMPARE(out.value(b, i, j), src.value(b, i, j));
                    } else {
                        QVERIFY(out.value(b, i, j) != -9999);
                        changed += out.value(b, i, j) != src.value(b, i, j);
                    }
                }
        QVERIFY(invalid > 0);
        QVERIFY(changed > 0);
    }

    void sizesOfEveryKind_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::newRow("odd 61x61") << 61 << 61;
        QTest::newRow("primes 97x89") << 97 << 89;
        QTest::newRow("non-square 101x256") << 101 << 256;
        QTest::newRow("tall 331x127") << 331 << 127;
        QTest::newRow("even 200x300") << 200 << 300;
    }
    void sizesOfEveryKind() {
        // A sinusoid at a chosen frequency added to a real crop; a notch there removes at
        // least 90 % of it and leaves the crop itself (the rest) almost as it was.
        QFETCH(int, rows);
        QFETCH(int, cols);
        Raster crop(DataType::Float32, 1, rows, cols), striped(DataType::Float32, 1, rows, cols);
        const double u = 6.0 / cols, v = 9.0 / rows; // on bins: the test is about sizes
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) {
                const double x = clean_.value(0, 150 + i % 400, 150 + j % 450);
                crop.set_value(0, i, j, x);
                striped.set_value(0, i, j, x + 25 * std::cos(2 * kPi * (u * j + v * i)));
            }
        NotchSet n;
        n.points.push_back({u, v, 1.2 / std::min(rows, cols), NotchShape::Gaussian, 2});
        const Raster out = deband(striped, n);
        QCOMPARE(out.rows(), rows);
        QCOMPARE(out.cols(), cols);
        double amp = 0;
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j)
                amp += (out.value(0, i, j) - crop.value(0, i, j)) *
                       std::cos(2 * kPi * (u * j + v * i));
        amp = 2 * amp / (double(rows) * cols); // what is left of the 25 amplitude
        QVERIFY2(std::abs(amp) < 2.5, qPrintable(QString::number(amp)));
        // The session gives the same result as the one-shot deband.
        const DebandSession session(striped, 0);
        std::vector<float> viaSession(std::size_t(rows) * cols);
        session.apply(n, viaSession.data());
        double maxDiff = 0;
        for (std::size_t k = 0; k < viaSession.size(); ++k)
            maxDiff = std::max(maxDiff, std::abs(double(viaSession[k]) - out.band<float>(0)[k]));
        QVERIFY2(maxDiff < 1e-3, qPrintable(QString::number(maxDiff)));
        double total = 0;
        const double removed = session.removed_energy(n, &total);
        QVERIFY(removed > 0 && removed < total);
    }

    void perBandNotchesAndCancel() {
        const Raster rgb = Dataset::open(rbtest::sample()).read();
        NotchSet n;
        n.points.push_back({0.05, 0.1, 0.01, NotchShape::Ideal, 2});
        const Raster out = deband(rgb, std::vector<NotchSet>{NotchSet{}, n, NotchSet{}});
        QCOMPARE(out.dtype(), DataType::UInt8);
        std::size_t diff0 = 0, diff1 = 0;
        for (int i = 0; i < rgb.rows(); ++i)
            for (int j = 0; j < rgb.cols(); ++j) {
                diff0 += out.value(0, i, j) != rgb.value(0, i, j);
                diff1 += out.value(1, i, j) != rgb.value(1, i, j);
            }
        QCOMPARE(diff0, std::size_t(0)); // no notch: exact after rounding
        QVERIFY(diff1 > 1000);
        QVERIFY_THROWS_EXCEPTION(ArgumentError, deband(rgb, std::vector<NotchSet>{n}));
        int calls = 0;
        Progress stop([&](double) { return ++calls < 3; });
        QVERIFY_THROWS_EXCEPTION(Cancelled, deband(rgb, n, {}, std::nullopt, stop));
    }

    void nonFiniteFloatWithoutMaskTakesTheFilledPath() {
        // A Float32 band with no mask but a NaN and an infinity: the in-place fast path must
        // notice (through the spectrum's DC bin) and fall back to the filled copy, leaving
        // the non-finite samples as they were and every other sample finite and filtered.
        const int rows = 48, cols = 64;
        Raster clean(DataType::Float32, 1, rows, cols);
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j)
                clean.set_value(0, i, j, 100.0 + 10.0 * std::sin(2 * std::numbers::pi * i / 8.0));
        NotchSet n;
        n.points.push_back({0.0, 0.125, 0.02, NotchShape::Ideal, 2});
        Raster ref = clean;
        // The fast path itself: a raster's storage suits FFTW's aligned plans, and a band
        // without a mask is transformed in place and left without one (asking the raster for
        // its mask through the non-const accessor used to create one, which sent every band
        // through the copy).
        QVERIFY(rb::fft::Transform2D::aligned(ref.band<float>(0).data()));
        deband_in_place(ref, {n}, std::nullopt);
        QVERIFY(!ref.has_mask());
        Raster bad = clean;
        bad.set_value(0, 10, 10, NAN);
        bad.set_value(0, 30, 40, INFINITY);
        deband_in_place(bad, {n}, std::nullopt);
        QVERIFY(std::isnan(bad.value(0, 10, 10)));
        QVERIFY(std::isinf(bad.value(0, 30, 40)));
        int finite = 0;
        double change = 0;
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) {
                if ((i == 10 && j == 10) || (i == 30 && j == 40))
                    continue;
                finite += std::isfinite(bad.value(0, i, j));
                change = std::max(change, std::abs(bad.value(0, i, j) - clean.value(0, i, j)));
            }
        QCOMPARE(finite, rows * cols - 2);
        // The stripe was removed on the fast path (clean input) and on the fallback alike.
        QVERIFY(change > 5);
        double refChange = 0;
        for (int i = 0; i < rows; ++i)
            refChange = std::max(refChange, std::abs(ref.value(0, i, 0) - clean.value(0, i, 0)));
        QVERIFY(refChange > 5);
    }

    void coarsePreviewIsBoxAverageOfFullResult() {
        // The half-resolution first preview (DebandPreview) on the striped sample: notches
        // applied to the 2 x 2 box average give the box average of the full-resolution result
        // (compared where all four pixels are valid, away from the edges, whose periodic wrap
        // differs by the odd row the half grid drops).
        const Raster striped = add_bands(clean_, {8.0, 33.0, 4.0, 8.0});
        const Orientation o = estimate_orientation(striped, 0);
        const NotchSet found = find_peaks(compute_spectrum(striped, 0), o.angle_deg).notches;
        // The auto-detected notches the half grid holds: the same filter on both grids.
        NotchSet inBand, all = found;
        for (const PointNotch& p : found.points)
            if (std::abs(p.u) <= 0.25 && std::abs(p.v) <= 0.25)
                inBand.points.push_back(p);
        // All of them, the bands' high harmonics and one more beyond the half grid's Nyquist
        // (0.25 cycles/px of the full grid) included (skipped on the half grid), and a stripe
        // notch (cut at the half grid's Nyquist).
        all.stripes.push_back({o.angle_deg, 2.0 / striped.cols(), 2.0 / striped.cols(), 0.05});
        all.points.push_back({0.3, 0.05, 0.01, NotchShape::Gaussian, 2});
        QVERIFY(!inBand.points.empty() && inBand.points.size() + 1 < all.points.size());
        const DebandPreview pv(striped, 0);
        QVERIFY(pv.has_coarse());
        const int rows = striped.rows(), cols = striped.cols();
        const int cr = pv.coarse_rows(), cc = pv.coarse_cols();
        QCOMPARE(cr, rows / 2);
        QCOMPARE(cc, cols / 2);
        std::vector<float> full(striped.band_size()), coarse(std::size_t(cr) * cc),
            coarseBefore(coarse.size());
        pv.apply_coarse({}, coarseBefore.data());
        struct Diff {
            double rmsErr = 0, maxErr = 0, rmsChange = 0;
        };
        auto compare = [&](const NotchSet& n, const char* what) {
            pv.apply_full(n, full.data());
            pv.apply_coarse(n, coarse.data());
            constexpr int kMargin = 16; // coarse pixels left out along each edge
            double se = 0, change2 = 0, maxErr = 0;
            std::size_t count = 0;
            bool maskOk = true;
            for (int i = kMargin; i < cr - kMargin; ++i)
                for (int j = kMargin; j < cc - kMargin; ++j) {
                    bool valid = true;
                    double avg = 0;
                    for (int di = 0; di < 2; ++di)
                        for (int dj = 0; dj < 2; ++dj) {
                            valid &= striped.valid(0, 2 * i + di, 2 * j + dj);
                            avg += full[std::size_t(2 * i + di) * cols + 2 * j + dj];
                        }
                    const std::size_t k = std::size_t(i) * cc + j;
                    maskOk &= (pv.coarse_mask().empty() || pv.coarse_mask()[k] != 0) == valid;
                    if (!valid)
                        continue;
                    avg /= 4;
                    const double e = coarse[k] - avg, c = avg - coarseBefore[k];
                    se += e * e;
                    change2 += c * c;
                    maxErr = std::max(maxErr, std::abs(e));
                    ++count;
                }
            Diff d;
            d.rmsErr = std::sqrt(se / double(std::max<std::size_t>(count, 1)));
            d.rmsChange = std::sqrt(change2 / double(std::max<std::size_t>(count, 1)));
            d.maxErr = maxErr;
            qInfo("%s: coarse preview vs box average of the full result: RMS %.3f, max %.3f; "
                  "RMS of the change the notches make %.3f; image stddev %.2f; %zu pixels",
                  what, d.rmsErr, d.maxErr, d.rmsChange, valid_stddev(striped), count);
            return std::pair(d, maskOk && count > 40000);
        };
        // The same filter. What differs is aliasing: the box average folds each frequency's
        // three aliases (weighted by its response, cos(pi u) cos(pi v)) onto it, and only
        // the coarse grid applies the notch to them. Near DC, where the bands' harmonics are,
        // those aliases are weak: measured 2.3 % of the change (RMS), at worst 0.9 % of the
        // image's spread. Tolerances: 5 % and 2 %.
        const auto [same, sameOk] = compare(inBand, "notches the half grid holds");
        QVERIFY(sameOk);
        QVERIFY2(same.rmsErr < 0.05 * same.rmsChange,
                 qPrintable(QString::number(same.rmsErr / same.rmsChange)));
        QVERIFY2(same.maxErr < 0.02 * valid_stddev(striped),
                 qPrintable(QString::number(same.maxErr)));
        // With the skipped notches, what they remove is missing from the coarse preview, as
        // much of it as the box average keeps (its response is cos(pi u) cos(pi v): 0.71 at
        // the half grid's Nyquist, 0 at the full grid's); the sharp bands have strong high
        // harmonics, so this is a preview's tolerance: measured 13.5 % of the change, 1.6 %
        // of the image's spread (RMS); tolerances 25 % and 2.5 %.
        const auto [skip, skipOk] = compare(all, "with notches beyond the half grid");
        QVERIFY(skipOk);
        QVERIFY2(skip.rmsErr < 0.25 * skip.rmsChange,
                 qPrintable(QString::number(skip.rmsErr / skip.rmsChange)));
        QVERIFY2(skip.rmsErr < 0.025 * valid_stddev(striped),
                 qPrintable(QString::number(skip.rmsErr)));
        std::size_t beyond = 0;
        for (const PointNotch& p : all.points)
            beyond += std::abs(p.u) > 0.25 || std::abs(p.v) > 0.25;
        QCOMPARE(pv.apply_coarse(all, coarse.data()), beyond);

        // Only notches beyond the half grid's Nyquist: skipped without error, the coarse
        // preview is the box average unchanged.
        NotchSet high;
        high.points.push_back({0.26, 0.0, 0.005, NotchShape::Ideal, 2});
        high.points.push_back({-0.1, 0.4, 0.01, NotchShape::Butterworth, 3});
        std::size_t skipped = 0;
        QVERIFY(DebandPreview::coarse_notches(high, &skipped).empty());
        QCOMPARE(skipped, std::size_t(2));
        QCOMPARE(pv.apply_coarse(high, coarse.data()), std::size_t(2));
        for (std::size_t k = 0; k < coarse.size(); ++k)
            QVERIFY(std::abs(coarse[k] - coarseBefore[k]) < 1e-3);
        // A notch just inside the half grid is kept, with doubled frequency and radius.
        NotchSet inside;
        inside.points.push_back({0.2, -0.1, 0.004, NotchShape::Gaussian, 2});
        const NotchSet scaled = DebandPreview::coarse_notches(inside);
        QCOMPARE(scaled.points.size(), std::size_t(1));
        QCOMPARE(scaled.points[0].u, 0.4);
        QCOMPARE(scaled.points[0].v, -0.2);
        QCOMPARE(scaled.points[0].radius, 0.008);
        // Too small for a half level, and bad notches still rejected.
        Raster tiny(DataType::Float32, 1, 1, 8);
        QVERIFY(!DebandPreview(tiny, 0).has_coarse());
        NotchSet bad;
        bad.points.push_back({0.1, 0.1, 0.0, NotchShape::Gaussian, 2});
        QVERIFY_THROWS_EXCEPTION(ArgumentError, pv.apply_coarse(bad, coarse.data()));
    }

    void metrics() {
        QVERIFY(std::isinf(psnr(clean_, clean_, 0)));
        QVERIFY(std::abs(ssim(clean_, clean_, 0) - 1) < 1e-6);
        const Raster striped = add_bands(clean_, {20, 30, 4, 4, 1.0, 10});
        QVERIFY(ssim(striped, clean_, 0) < 0.999);
        QVERIFY(psnr(striped, clean_, 0) < 60);
    }
};

QTEST_GUILESS_MAIN(TestDeband)
#include "tst_deband.moc"
