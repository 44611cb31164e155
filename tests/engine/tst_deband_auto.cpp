// Automatic notch detection against notches placed with the truth: synthetic SLC-off-like
// oblique bands (wedge widths, a second date's gain/offset inside them) drawn on the sample
// scene, whose angle and period are known. The automatic path (orientation from the spectrum,
// peaks along it, deband) must find the fundamental and its harmonics once each, recover at
// least 90 % of the PSNR gain that point notches at every true harmonic give, propose a
// single oriented stripe notch on request, leave a stripe-free image within 0.5 dB, and its
// stripe-band energy measure must say how much of the bands remains.
#include <QtTest>

#include <cmath>
#include <numbers>
#include <random>

#include "deband_synth.h"
#include "rasterbench/deband.h"
#include "rasterbench/fft.h"
#include "test_support.h"

using namespace rb;
using namespace rb::fft;

namespace {

constexpr double kPi = std::numbers::pi;

double angle_error(double a, double b) {
    const double d = std::fmod(std::abs(a - b), 180.0);
    return std::min(d, 180.0 - d);
}

/// Point notches at every harmonic of the true bands inside the spectrum, with the
/// automatic notches' default radius.
NotchSet true_notches(const Raster& img, double angle, double period) {
    NotchSet n;
    const double a = angle * kPi / 180;
    const double radius = PeakOptions{}.radius_bins / std::max(img.rows(), img.cols());
    for (int k = 1;; ++k) {
        const double u = k * std::sin(a) / period, v = k * std::cos(a) / period;
        if (std::abs(u) > 0.5 || std::abs(v) > 0.5)
            break;
        n.points.push_back({u, v, radius, NotchShape::Gaussian, 2});
    }
    return n;
}

struct Detected {
    Orientation orientation;
    PeakResult peaks;
};
Detected detect(const Raster& img, const PeakOptions& po = {}) {
    Detected d;
    d.orientation = estimate_orientation(img, 0);
    if (d.orientation.source != OrientationSource::None)
        d.peaks = find_peaks(compute_spectrum(img, 0), d.orientation, po);
    return d;
}

} // namespace

class TestDebandAuto : public QObject {
    Q_OBJECT
    Raster clean_;

private slots:
    void initTestCase() { clean_ = rbtest::read_float_band(rbtest::sample(), 1); }

    void cases_data() {
        QTest::addColumn<double>("angle");
        QTest::addColumn<double>("period");
        QTest::addColumn<double>("width0");
        QTest::addColumn<double>("width1");
        QTest::addColumn<double>("gain");
        QTest::addColumn<double>("offset");
        QTest::newRow("8 deg, 33 px") << 8.0 << 33.0 << 4.0 << 8.0 << 1.1 << 14.0;
        QTest::newRow("8 deg, 33 px, faint") << 8.0 << 33.0 << 4.0 << 8.0 << 1.05 << 6.0;
        QTest::newRow("12.5 deg, 21 px") << 12.5 << 21.0 << 3.0 << 6.0 << 1.1 << 14.0;
        QTest::newRow("37 deg, 47 px") << 37.0 << 47.0 << 6.0 << 12.0 << 1.1 << 14.0;
        QTest::newRow("128 deg, 40 px") << 128.0 << 40.0 << 5.0 << 10.0 << 1.1 << 14.0;
        QTest::newRow("171 deg, 16 px") << 171.0 << 16.0 << 2.0 << 5.0 << 1.05 << 6.0;
    }

    void fundamentalAndHarmonicsOnceEach_data() { cases_data(); }
    void fundamentalAndHarmonicsOnceEach() {
        QFETCH(double, angle);
        QFETCH(double, period);
        QFETCH(double, width0);
        QFETCH(double, width1);
        QFETCH(double, gain);
        QFETCH(double, offset);
        const Raster striped =
            rbtest::add_bands(clean_, {angle, period, width0, width1, gain, offset});
        const Detected d = detect(striped);
        qInfo("orientation %.2f (%s, strength %.2f), period %.2f, %zu peaks",
              d.orientation.angle_deg, std::string(source_name(d.orientation.source)).c_str(),
              d.orientation.strength, d.peaks.period, d.peaks.peaks.size());
        QVERIFY(angle_error(d.orientation.angle_deg, angle) <= 1.0);
        QVERIFY2(std::abs(d.peaks.period - period) <= 0.02 * period,
                 qPrintable(QString::number(d.peaks.period)));
        QVERIFY(!d.peaks.peaks.empty());
        const double bin = 1.0 / std::max(striped.rows(), striped.cols());
        std::vector<int> seen;
        for (const Peak& p : d.peaks.peaks) {
            // Each peak is one harmonic of the true bands (the fundamental's k-th multiple)
            // within a bin and a half along the line (the wedge-shaped widths spread each
            // harmonic across it, up to a few bins), and no harmonic is found twice.
            const double a = angle * kPi / 180;
            const double along = p.u * std::sin(a) + p.v * std::cos(a);
            const double across = p.u * std::cos(a) - p.v * std::sin(a);
            const int k = int(std::lround(along * period));
            QVERIFY2(k >= 1 && std::abs(along - k / period) <= 1.5 * bin &&
                         std::abs(across) <= 3 * bin,
                     qPrintable(QStringLiteral("peak (%1, %2) k %3").arg(p.u).arg(p.v).arg(k)));
            QVERIFY2(std::find(seen.begin(), seen.end(), k) == seen.end(),
                     qPrintable(QStringLiteral("harmonic %1 twice").arg(k)));
            seen.push_back(k);
        }
        // The fundamental is there, and so are most harmonics up to the highest found.
        QVERIFY(std::find(seen.begin(), seen.end(), 1) != seen.end());
        const int highest = *std::max_element(seen.begin(), seen.end());
        QVERIFY2(seen.size() >= std::size_t(0.7 * highest),
                 qPrintable(QStringLiteral("%1 of %2").arg(seen.size()).arg(highest)));
        QCOMPARE(d.peaks.notches.points.size(), d.peaks.peaks.size());
    }

    void recoversTheTrueNotchesGain_data() { cases_data(); }
    void recoversTheTrueNotchesGain() {
        QFETCH(double, angle);
        QFETCH(double, period);
        QFETCH(double, width0);
        QFETCH(double, width1);
        QFETCH(double, gain);
        QFETCH(double, offset);
        const Raster striped =
            rbtest::add_bands(clean_, {angle, period, width0, width1, gain, offset});
        const Detected d = detect(striped);
        const double before = psnr(striped, clean_, 0);
        const double automatic = psnr(deband(striped, d.peaks.notches), clean_, 0);
        const double truth = psnr(deband(striped, true_notches(striped, angle, period)), clean_, 0);
        qInfo("%zu notches; PSNR striped %.2f, automatic %.2f, true notches %.2f dB: %.0f %% of "
              "the gain",
              d.peaks.notches.points.size(), before, automatic, truth,
              100 * (automatic - before) / (truth - before));
        QVERIFY(truth > before + 0.5); // the case is one notches help with
        QVERIFY2(
            automatic - before >= 0.9 * (truth - before),
            qPrintable(QStringLiteral("%1 -> %2 (true %3)").arg(before).arg(automatic).arg(truth)));
    }

    void proposesOneStripeNotch() {
        const double angle = 8, period = 33;
        const Raster striped = rbtest::add_bands(clean_, {angle, period, 4, 8});
        PeakOptions po;
        po.stripe = true;
        const Detected d = detect(striped, po);
        QVERIFY(d.peaks.notches.points.empty());
        QCOMPARE(d.peaks.notches.stripes.size(), std::size_t(1));
        const StripeNotch& s = d.peaks.notches.stripes[0];
        QVERIFY(angle_error(s.angle_deg, angle) <= 0.5);
        // DC and the image's broad content up to below the fundamental are protected.
        QVERIFY(s.protect_radius > 0.3 / period && s.protect_radius < 1.0 / period);
        // The peaks are still reported, for the list and the period.
        QVERIFY(!d.peaks.peaks.empty());
        QVERIFY(std::abs(d.peaks.period - period) <= 0.02 * period);
        const double before = psnr(striped, clean_, 0);
        const double after = psnr(deband(striped, d.peaks.notches), clean_, 0);
        qInfo("stripe notch (width %.4f, protect %.4f): PSNR %.2f -> %.2f dB", s.width,
              s.protect_radius, before, after);
        QVERIFY(after > before + 0.5);
    }

    void stripeFreeImageWithinHalfADecibel_data() {
        QTest::addColumn<int>("band");
        QTest::newRow("red") << 1;
        QTest::newRow("green") << 2;
        QTest::newRow("blue") << 3;
    }
    void stripeFreeImageWithinHalfADecibel() {
        // A stripe-free image with sensor noise: whatever the automatic path finds, the PSNR
        // against the noise-free image moves by less than half a decibel.
        QFETCH(int, band);
        const Raster clean = rbtest::read_float_band(rbtest::sample(), band);
        Raster noisy = clean;
        std::mt19937 rng(7);
        std::normal_distribution<float> noise(0.0f, 2.0f);
        for (int i = 0; i < noisy.rows(); ++i)
            for (int j = 0; j < noisy.cols(); ++j)
                if (noisy.valid(0, i, j))
                    noisy.set_value(0, i, j, noisy.value(0, i, j) + noise(rng));
        const Detected d = detect(noisy);
        const double before = psnr(noisy, clean, 0);
        const double after = psnr(deband(noisy, d.peaks.notches), clean, 0);
        qInfo("stripe-free band %d: source %s, %zu notches, PSNR %.3f -> %.3f dB", band,
              std::string(source_name(d.orientation.source)).c_str(), d.peaks.notches.points.size(),
              before, after);
        QVERIFY2(std::abs(after - before) < 0.5,
                 qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
    }

    void residualStripeEnergy() {
        const double angle = 8, period = 33;
        const Raster striped = rbtest::add_bands(clean_, {angle, period, 4, 8});
        const DebandSession session(striped, 0);
        // Without notches everything remains; the bands stand far above the background.
        const StripeEnergy none = stripe_energy(session, {}, angle);
        QVERIFY(none.before > 0);
        QCOMPARE(none.after, none.before);
        QCOMPARE(none.residual(), 1.0);
        // The true notches remove most of it, the automatic ones as much.
        const StripeEnergy truth =
            stripe_energy(session, true_notches(striped, angle, period), angle);
        const Detected d = detect(striped);
        const StripeEnergy automatic = stripe_energy(session, d.peaks.notches, angle);
        qInfo("stripe-band energy: before %.4g, true notches leave %.1f %%, automatic %.1f %%",
              none.before, 100 * truth.residual(), 100 * automatic.residual());
        QVERIFY(truth.residual() < 0.2);
        QVERIFY(automatic.residual() < 0.2);
        // Half the harmonics (every other one) leave much more.
        NotchSet half = d.peaks.notches;
        for (std::size_t k = 0; k < half.points.size(); k += 2)
            half.points[k].radius = 1e-9;
        const StripeEnergy partial = stripe_energy(session, half, angle);
        QVERIFY(partial.residual() > 2 * automatic.residual() + 0.1);
        // The clean image has next to no stripe-band energy above its background.
        const DebandSession cleanSession(clean_, 0);
        const StripeEnergy cleanEnergy = stripe_energy(cleanSession, {}, angle);
        qInfo("clean image stripe-band energy %.4g (striped %.4g)", cleanEnergy.before,
              none.before);
        QVERIFY(cleanEnergy.before < 0.05 * none.before);
    }
};

QTEST_GUILESS_MAIN(TestDebandAuto)
#include "tst_deband_auto.moc"
