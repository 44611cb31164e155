// Composites of generated cloudy stacks built from a real clear Sentinel-2 date: the
// best-pixel composite must recover the clear base better (PSNR) than the per-pixel median.
#include <QtTest>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "stack_generator.h"
#include "test_support.h"

using namespace rb;

class CompositeGeneratedTest : public QObject {
    Q_OBJECT
private slots:
    void compositeBeatsTheMedianOnACloudyStack() {
        // B02, B03, B04, B08, B11, B12 of the clear 2015-07-11 date (TOA reflectance).
        ReadOptions ro;
        ro.bands = {2, 3, 4, 8, 12, 13};
        const Raster base =
            Dataset::open(rbtest::data("composite/s2/S2L1C_20150711T100008_bands.tif")).read(ro);
        rbtest::StackGenOptions g;
        g.scenes = 12;
        g.cloud_cover = 0.25;
        g.seed = 42;
        g.cloud_value = {0.45, 0.45, 0.47, 0.5, 0.35, 0.25};
        const auto stack = rbtest::generate_stack(base, g);
        QCOMPARE(stack.scenes.size(), std::size_t(12));
        // The generator did what it says: clouds, shadows and gaps are there.
        double cloud = 0, gaps = 0;
        for (std::size_t d = 0; d < stack.scenes.size(); ++d) {
            for (float a : stack.cloud[d])
                cloud += a > 0.5f;
            const auto valid = pixel_validity(stack.scenes[d]);
            gaps += double(std::count(valid.begin(), valid.end(), kInvalid));
        }
        const double px = double(base.band_size() * stack.scenes.size());
        qInfo("generated: %.0f %% cloud, %.0f %% SLC-off gaps", 100 * cloud / px, 100 * gaps / px);
        QVERIFY(cloud / px > 0.2 && gaps / px > 0.03);

        BandLayout layout;
        layout.count = 6;
        layout.dtype = DataType::Float32;
        layout.descriptions = {"B02", "B03", "B04", "B08", "B11", "B12"};
        layout.label = "generated";
        auto run = [&](const std::string& method, const CompositeOptions& co) {
            const Scorer scorer(make_score_options(method), layout);
            return composite(stack.scenes, score_stack(stack.scenes, scorer), co).composite;
        };
        CompositeOptions median;
        median.method = "percentile";
        median.percentile = 50;
        const double p_median = rbtest::psnr(run("darkness", median), base);
        const double p_cloud = rbtest::psnr(run("cloud", {}), base);
        const double p_dist = rbtest::psnr(run("median-distance", {}), base);
        const double p_dark = rbtest::psnr(run("darkness", {}), base);
        CompositeOptions harmonized;
        harmonized.harmonize = true;
        const double p_harm = rbtest::psnr(run("cloud", harmonized), base);
        qInfo("PSNR vs clear base: per-pixel median %.2f dB, cloud %.2f dB (harmonized %.2f), "
              "median-distance %.2f dB, darkness %.2f dB",
              p_median, p_cloud, p_harm, p_dist, p_dark);
        QVERIFY(p_cloud > p_median + 10);
        QVERIFY(p_harm > p_median + 10);
        // Where most dates are cloudy the median itself is cloud, and the pixel nearest to it
        // too: median-distance only edges out the median composite here.
        QVERIFY(p_dist > p_median);
        // Darkness takes the shadows.
        QVERIFY(p_dark < p_cloud - 10);
    }
};

QTEST_GUILESS_MAIN(CompositeGeneratedTest)
#include "tst_composite_generated.moc"
