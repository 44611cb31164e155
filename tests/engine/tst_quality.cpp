// Quality presets: every bit, confidence field and class of Fmask, Landsat Collection 1
// BQA, Collection 2 QA_PIXEL and Sentinel-2 SCL decoded from hand-built values (from the
// agencies' layouts), the mask score using them (chosen from the band or file name when
// the product says which), and snow kept out of the clear class unless asked.
#include <QtTest>

#include <cmath>

#include "rasterbench/composite.h"
#include "rasterbench/quality.h"
#include "rasterbench/score.h"
#include "test_support.h"

using namespace rb;
using C = QualityClass;

namespace {

std::uint32_t conf(int bit, int level) {
    return std::uint32_t(level) << bit;
}

/// A one-band UInt16 quality raster of `values` with the description `desc`.
Raster quality_raster(const std::vector<std::uint16_t>& values) {
    Raster r(DataType::UInt16, 1, 1, int(values.size()));
    for (std::size_t k = 0; k < values.size(); ++k)
        r.band<std::uint16_t>(0)[k] = values[k];
    return r;
}

std::vector<float> mask_scores(const Raster& q, const std::string& desc,
                               const std::vector<std::pair<std::string, std::string>>& params,
                               std::string* preset = nullptr) {
    BandLayout layout;
    layout.count = 1;
    layout.dtype = DataType::UInt16;
    layout.descriptions = {desc};
    layout.label = "q.tif";
    ScoreOptions o = make_score_options("mask");
    set_score_param(o, "band", "1");
    for (const auto& [k, v] : params)
        set_score_param(o, k, v);
    const Scorer s(o, layout);
    if (preset)
        *preset = s.quality_preset();
    const Raster r = s.score(q);
    std::vector<float> out;
    for (int x = 0; x < q.cols(); ++x)
        out.push_back(r.valid(0, 0, x) ? float(r.value(0, 0, x)) : NAN);
    return out;
}

} // namespace

class QualityTest : public QObject {
    Q_OBJECT
private slots:
    void fmaskClasses() {
        const auto p = QualityPreset::Fmask;
        QVERIFY(classify_quality(p, 0) == C::Clear);
        QVERIFY(classify_quality(p, 1) == C::Water);
        QVERIFY(classify_quality(p, 2) == C::Shadow);
        QVERIFY(classify_quality(p, 3) == C::Snow);
        QVERIFY(classify_quality(p, 4) == C::Cloud);
        QVERIFY(classify_quality(p, 255) == C::Fill);
    }

    void landsatC1BqaBits() {
        const auto p = QualityPreset::LandsatC1Bqa;
        QVERIFY(classify_quality(p, 1) == C::Fill);
        QVERIFY(classify_quality(p, 1 | 1u << 4) == C::Fill); // fill wins
        QVERIFY(classify_quality(p, 1u << 4) == C::Cloud);
        QVERIFY(classify_quality(p, conf(5, 3)) == C::Cloud);
        QVERIFY(classify_quality(p, conf(5, 2)) == C::CloudEdge);
        QVERIFY(classify_quality(p, conf(5, 1)) == C::Clear); // low confidence: clear
        QVERIFY(classify_quality(p, conf(7, 3)) == C::Shadow);
        QVERIFY(classify_quality(p, conf(7, 2)) == C::Clear);
        QVERIFY(classify_quality(p, conf(9, 3)) == C::Snow);
        QVERIFY(classify_quality(p, conf(11, 3)) == C::Cirrus);
        QVERIFY(classify_quality(p, conf(11, 3) | conf(9, 3)) == C::Cirrus);
        QVERIFY(classify_quality(p, conf(7, 3) | conf(11, 3)) == C::Shadow);
        // Real values of the product: 2720 = clear terrain (all confidences low), 2800 =
        // cloud with high confidence.
        QVERIFY(classify_quality(p, 2720) == C::Clear);
        QVERIFY(classify_quality(p, 2800) == C::Cloud);
    }

    void landsatC2QaPixelBitsAndFields() {
        const auto p = QualityPreset::LandsatC2QaPixel;
        QVERIFY(classify_quality(p, 1) == C::Fill);
        QVERIFY(classify_quality(p, 1u << 1) == C::CloudEdge);
        QVERIFY(classify_quality(p, 1u << 2) == C::Cirrus);
        QVERIFY(classify_quality(p, 1u << 3) == C::Cloud);
        QVERIFY(classify_quality(p, 1u << 4) == C::Shadow);
        QVERIFY(classify_quality(p, 1u << 5) == C::Snow);
        QVERIFY(classify_quality(p, 1u << 6) == C::Clear);
        QVERIFY(classify_quality(p, 1u << 7) == C::Water);
        QVERIFY(classify_quality(p, conf(8, 3)) == C::Cloud);
        QVERIFY(classify_quality(p, conf(8, 2)) == C::Clear); // fields, not single bits
        QVERIFY(classify_quality(p, conf(10, 3)) == C::Shadow);
        QVERIFY(classify_quality(p, conf(12, 3)) == C::Snow);
        QVERIFY(classify_quality(p, conf(14, 3)) == C::Cirrus);
        // USGS examples: 21824 clear with low confidences, 22280 high-confidence cloud.
        QVERIFY(classify_quality(p, 21824) == C::Clear);
        QVERIFY(classify_quality(p, 22280) == C::Cloud);
        QVERIFY(classify_quality(p, 21952) == C::Water);
    }

    void s2SclClasses() {
        const auto p = QualityPreset::S2Scl;
        const C want[] = {C::Fill,  C::Fill,         C::Shadow,    C::Shadow, C::Clear,  C::Clear,
                          C::Water, C::Unclassified, C::CloudEdge, C::Cloud,  C::Cirrus, C::Snow};
        for (std::uint32_t v = 0; v < 12; ++v)
            QVERIFY2(classify_quality(p, v) == want[v], qPrintable(QString::number(v)));
        QVERIFY(classify_quality(p, 12) == C::Fill);
    }

    void maskScoreUsesThePresetOfTheBand() {
        // BQA named by the band description: chosen automatically.
        const Raster bqa =
            quality_raster({1, 2720, 2800, std::uint16_t(conf(9, 3)), std::uint16_t(conf(7, 3))});
        std::string preset;
        auto s = mask_scores(bqa, "BQA", {}, &preset);
        QCOMPARE(preset, std::string("landsat-c1-bqa"));
        QVERIFY(std::isnan(s[0]));
        QCOMPARE(s[1], 0.0f);
        QCOMPARE(s[2], -2.0f);
        QCOMPARE(s[3], -1.0f); // snow is not clear by default
        QCOMPARE(s[4], -1.0f);
        // A winter mosaic keeps snow.
        s = mask_scores(bqa, "BQA", {{"snow", "0"}});
        QCOMPARE(s[3], 0.0f);
        // An explicit mapping is the user's: no preset.
        s = mask_scores(bqa, "BQA", {{"mapping", "2720=5"}}, &preset);
        QVERIFY(preset.empty());
        QCOMPARE(s[1], 5.0f);
        // A preset by name on an unnamed band; none keeps the mapping.
        const Raster scl = quality_raster({0, 4, 9, 11});
        s = mask_scores(scl, "", {{"preset", "s2-scl"}});
        QVERIFY(std::isnan(s[0]) && s[1] == 0 && s[2] == -2 && s[3] == -1);
        mask_scores(scl, "SCL", {{"preset", "none"}}, &preset);
        QVERIFY(preset.empty());
        mask_scores(scl, "SCL", {}, &preset);
        QCOMPARE(preset, std::string("s2-scl"));
        // The plain Fmask mapping no longer counts snow as clear either.
        s = mask_scores(quality_raster({0, 3, 4}), "", {});
        QVERIFY(s[0] == 0 && s[1] == -1 && s[2] == -2);
        QVERIFY(!rbtest::error_of([&] { mask_scores(scl, "", {{"preset", "modis"}}); }).empty());
    }

    void presetFromTheQualityFileName() {
        BandLayout layout;
        layout.count = 2;
        layout.descriptions = {"", ""};
        QVERIFY(detect_quality_preset(layout, 1, {"a_sr.tif", "a_fmask.tif"}) ==
                QualityPreset::Fmask);
        QVERIFY(detect_quality_preset(layout, 1, {"LC08_x_SR_B4.TIF", "LC08_x_QA_PIXEL.TIF"}) ==
                QualityPreset::LandsatC2QaPixel);
        QVERIFY(!detect_quality_preset(layout, 1, {"a.tif", "b.tif"}));
        // Real Landsat 8 scenes with their BQA files: the composite's mask score detects it.
        const std::string stack =
            rbtest::data("landsat8/LC08_L1TP_013032_20180827_20180911_01_T1_stack.tif");
        const SceneReader r(SceneSource{{stack, rbtest::data("landsat8/LC08_L1TP_013032_"
                                                             "20180827_20180911_01_T1_BQA.tif")}});
        const Scorer s(make_score_options("mask"), r.layout());
        QCOMPARE(s.quality_preset(), std::string("landsat-c1-bqa"));
    }
};

QTEST_GUILESS_MAIN(QualityTest)
#include "tst_quality.moc"
