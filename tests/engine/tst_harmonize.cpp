// Seam-free SLC-off filling (CompositeOptions::harmonize) on the real sample scene: a Landsat
// 7 SLC-off date whose wedge gaps are filled from another date with a different, spatially
// varying gain and offset and its own noise. The harmonized fill must come close to the
// truth (the gap-free first date).
#include <QtTest>

#include <cmath>
#include <random>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "stack_generator.h"

using namespace rb;

namespace {

struct FillCase {
    Raster truth;
    std::vector<Raster> scenes, scores;
};

FillCase slc_off_case() {
    ReadOptions ro;
    ro.window = Window{110, 220, 200, 200}; // every band valid
    const Raster base = Dataset::open(RB_SAMPLE).read(ro);
    const int rows = base.rows(), cols = base.cols(), bands = base.bands();
    FillCase c;
    c.truth = Raster(DataType::Float32, bands, rows, cols);
    Raster a(DataType::Float32, bands, rows, cols), b(DataType::Float32, bands, rows, cols);
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0, 2.0);
    for (int k = 0; k < bands; ++k)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const double v = base.value(k, y, x);
                c.truth.set_value(k, y, x, v);
                a.set_value(k, y, x, v);
                // The other date: gain and offset drifting across the scene (haze, sun
                // angle), plus its own noise.
                const double gain = 1.15 + 0.08 * std::sin(x / 37.0) * std::cos(y / 53.0);
                const double offset = 6 + 4 * std::cos(x / 61.0 + y / 47.0) + 2 * k;
                b.set_value(k, y, x, gain * v + offset + noise(rng));
            }
    // Landsat 7 SLC-off wedges: widest at the left and right edges, closed in the middle.
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const double width = 7.0 * std::abs(x - cols / 2.0) / (cols / 2.0);
            double pos = std::fmod(y + 0.08 * x + 5, 33.0);
            if (pos < width)
                for (int k = 0; k < bands; ++k)
                    a.mask(k)[std::size_t(y) * std::size_t(cols) + std::size_t(x)] = kInvalid;
        }
    c.scenes = {a, b};
    Raster sa(DataType::Float32, 1, rows, cols), sb(DataType::Float32, 1, rows, cols);
    std::fill(sa.band<float>(0).begin(), sa.band<float>(0).end(), 1.0f);
    c.scores = {sa, sb};
    return c;
}

} // namespace

class HarmonizeTest : public QObject {
    Q_OBJECT
private slots:
    void harmonizedSlcOffFillIsCloseToTheTruth() {
        const FillCase c = slc_off_case();
        CompositeOptions plain;
        const double p_plain =
            rbtest::psnr(composite(c.scenes, c.scores, plain).composite, c.truth);
        CompositeOptions h;
        h.harmonize = true;
        const double p_harm = rbtest::psnr(composite(c.scenes, c.scores, h).composite, c.truth);
        qInfo("SLC-off fill PSNR vs truth: unharmonized %.2f dB, harmonized %.2f dB", p_plain,
              p_harm);
        QVERIFY(p_harm > p_plain + 10);
        QVERIFY(p_harm >= 46);
    }
};

QTEST_GUILESS_MAIN(HarmonizeTest)
#include "tst_harmonize.moc"
