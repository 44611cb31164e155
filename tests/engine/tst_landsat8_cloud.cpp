// The single-scene cloud test on real Landsat 8 Level-1 scenes against their Collection 1
// quality band: with default parameters once the digital numbers are top-of-atmosphere
// reflectance, the pixels scored as cloud agree with the BQA's medium-or-high-confidence
// cloud (fill excluded) on at least 90 % of the pixels, with precision 70 % and recall 85 %.
// All eight New York dates of the shared data are checked (three in tests/data/landsat8,
// five in tests/data/landsat8_cloud); two still miss the recall (see goalOnEveryDate).
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "landsat_quality.h"
#include "rasterbench/stack_grid.h"
#include "test_support.h"

using namespace rb;

namespace {

std::string scene(const char* dates, const char* kind, const char* folder = "landsat8") {
    return rbtest::data(std::string(folder) + "/LC08_L1TP_013032_" + dates + "_01_T1_" + kind +
                        ".tif");
}

void report(const std::string& what, const rbtest::CloudAgreement& a) {
    qInfo("%s: %zu pixels, BQA cloud %.1f %%, flagged %.1f %%: agreement %.1f %%, "
          "precision %.1f %%, recall %.1f %%",
          what.c_str(), a.pixels, 100 * a.truth_share(), 100 * a.flagged_share(),
          100 * a.agreement(), 100 * a.precision(), 100 * a.recall());
}

} // namespace

class Landsat8CloudTest : public QObject {
    Q_OBJECT
private slots:
    void cloudScoreAgreesWithTheQualityBand_data() {
        QTest::addColumn<QString>("dates");
        // Whether thin cirrus holds cloud the other tests miss: on 2018-08-27 recall is
        // 99.6 % with the cirrus band and 99.9 % without (its thick cloud is found either way).
        QTest::addColumn<bool>("cirrusAddsRecall");
        QTest::newRow("2018-04-05") << QStringLiteral("20180405_20180417") << true;
        QTest::newRow("2018-08-27") << QStringLiteral("20180827_20180911") << false;
        QTest::newRow("2018-12-01") << QStringLiteral("20181201_20181211") << true;
    }

    void cloudScoreAgreesWithTheQualityBand() {
        QFETCH(QString, dates);
        QFETCH(bool, cirrusAddsRecall);
        const std::string d = dates.toStdString();
        const std::string stack = scene(d.c_str(), "stack"), bqa = scene(d.c_str(), "BQA");
        const ScoreOptions o = rbtest::landsat8_cloud_options(stack);
        BandRoles roles;
        const rbtest::CloudAgreement a = rbtest::cloud_agreement(stack, bqa, o, &roles);
        qInfo("%s: %zu pixels, BQA cloud %.1f %%, flagged %.1f %%: agreement %.1f %%, "
              "precision %.1f %%, recall %.1f %%",
              d.c_str(), a.pixels, 100 * a.truth_share(), 100 * a.flagged_share(),
              100 * a.agreement(), 100 * a.precision(), 100 * a.recall());
        // Roles from the band descriptions: B9 is the cirrus band, B10 thermal.
        QCOMPARE(roles[BandRole::Cirrus], 7);
        QCOMPARE(roles[BandRole::Thermal], 8);
        QVERIFY(a.pixels > 3000); // the collar (about a third) excluded
        QVERIFY(a.truth_share() > 0.1);
        QVERIFY(a.agreement() >= 0.90);
        QVERIFY(a.precision() >= 0.70);
        QVERIFY(a.recall() >= 0.85);
        // The position of the OLI product (cirrus 9th, thermal 10th) on this 10-band file
        // would read B10's thermal numbers as cirrus and flag every pixel; the layout now
        // follows the descriptions, so the result is the same as under auto.
        ScoreOptions oli = o;
        set_score_param(oli, "layout", "landsat-oli");
        const rbtest::CloudAgreement b = rbtest::cloud_agreement(stack, bqa, oli);
        QCOMPARE(b.tp, a.tp);
        QCOMPARE(b.fp, a.fp);
        // Without the cirrus band thin cirrus goes unseen: recall drops.
        ScoreOptions no_cirrus = o;
        set_score_param(no_cirrus, "roles", "cirrus=none");
        const rbtest::CloudAgreement c = rbtest::cloud_agreement(stack, bqa, no_cirrus);
        qInfo("%s without cirrus: recall %.1f %%", d.c_str(), 100 * c.recall());
        if (cirrusAddsRecall)
            QVERIFY(c.recall() < a.recall());
        else
            QVERIFY(c.recall() >= 0.85); // the goal holds without it too
        // Band 10 left in digital numbers: no temperature takes part, and warm bright ground
        // is taken for cloud.
        ScoreOptions no_thermal = o;
        set_score_param(no_thermal, "thermal_scale", "1");
        set_score_param(no_thermal, "thermal_offset", "0");
        const rbtest::CloudAgreement t = rbtest::cloud_agreement(stack, bqa, no_thermal);
        qInfo("%s without temperatures: precision %.1f %%", d.c_str(), 100 * t.precision());
        QVERIFY(t.precision() < a.precision());
        // A plain 3-pixel dilation on this 3 km grid (dilation_max_m off) would flag far
        // more than the quality band's cloud; the default cap keeps the area.
        ScoreOptions plain = o;
        set_score_param(plain, "dilation_max_m", "0");
        const rbtest::CloudAgreement p = rbtest::cloud_agreement(stack, bqa, plain);
        qInfo("%s plain dilation: flagged %.1f %%", d.c_str(), 100 * p.flagged_share());
        QVERIFY(a.flagged_share() < 1.3 * a.truth_share());
        QVERIFY(p.flagged_share() > 1.5 * a.flagged_share());
    }

    void goalOnEveryDate_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("dates");
        const QString own = QStringLiteral("landsat8_cloud"), l8 = QStringLiteral("landsat8");
        QTest::newRow("2018-01-31") << own << QStringLiteral("20180131_20180207");
        QTest::newRow("2018-04-05") << l8 << QStringLiteral("20180405_20180417");
        QTest::newRow("2018-04-21") << own << QStringLiteral("20180421_20180502");
        QTest::newRow("2018-07-10") << own << QStringLiteral("20180710_20180717");
        QTest::newRow("2018-08-27") << l8 << QStringLiteral("20180827_20180911");
        QTest::newRow("2018-10-30") << own << QStringLiteral("20181030_20181115");
        QTest::newRow("2018-12-01") << l8 << QStringLiteral("20181201_20181211");
        QTest::newRow("2018-12-17") << own << QStringLiteral("20181217_20181227");
    }

    // Every date meets the goal with default parameters: agreement 90 %, precision
    // 70 %, recall 85 % against the quality band's medium-or-high-confidence cloud. The two
    // hard dates: on 2018-01-31 the cloud lies scattered over frozen land hardly colder than
    // the clear land, on 2018-07-10 it is haze over warm sea; both reached recall 47 % until
    // the flatness took Fmask's own terms and cloud_margin the quality band's medium
    // confidence (marginIsTheQualityBandsMediumConfidence; with the old flatness and the new
    // margin 2018-01-31 reaches precision 58 % and recall 58 %).
    void goalOnEveryDate() {
        QFETCH(QString, folder);
        QFETCH(QString, dates);
        const std::string f = folder.toStdString(), d = dates.toStdString();
        const std::string stack = scene(d.c_str(), "stack", f.c_str());
        const rbtest::CloudAgreement a = rbtest::cloud_agreement(
            stack, scene(d.c_str(), "BQA", f.c_str()), rbtest::landsat8_cloud_options(stack));
        report(d, a);
        QVERIFY(a.pixels > 3000);
        QVERIFY(a.truth_share() > 0.05);
        QVERIFY(a.agreement() >= 0.90);
        QVERIFY(a.precision() >= 0.70);
        QVERIFY(a.recall() >= 0.85);
    }

    // The margin is what the reference means: CFMask calls a pixel medium confidence above
    // the clear sky's 82.5th percentile probability plus 0.125 and high above plus 0.225.
    // Judged at Fmask 4's 0.175 (between the two) the haze over the sea of 2018-07-10 is
    // missed; at the medium level it is found, at no loss of precision on the frozen date.
    void marginIsTheQualityBandsMediumConfidence() {
        const std::string summer = scene("20180710_20180717", "stack", "landsat8_cloud");
        const std::string summerQa = scene("20180710_20180717", "BQA", "landsat8_cloud");
        ScoreOptions o = rbtest::landsat8_cloud_options(summer);
        QCOMPARE(std::get<CloudOptions>(o.method).cloud_margin, 0.125);
        const rbtest::CloudAgreement medium = rbtest::cloud_agreement(summer, summerQa, o);
        set_score_param(o, "cloud_margin", "0.175");
        const rbtest::CloudAgreement between = rbtest::cloud_agreement(summer, summerQa, o);
        set_score_param(o, "cloud_margin", "0.225");
        const rbtest::CloudAgreement high = rbtest::cloud_agreement(summer, summerQa, o);
        report("2018-07-10 margin 0.125", medium);
        report("2018-07-10 margin 0.175", between);
        report("2018-07-10 margin 0.225", high);
        QVERIFY(between.recall() < 0.6);
        QVERIFY(medium.recall() >= 0.85);
        // Fewer pixels pass a higher margin: the margin orders the masks.
        QVERIFY(high.flagged_share() <= between.flagged_share());
        QVERIFY(between.flagged_share() < medium.flagged_share());
    }

    // What fixed the frozen date: judged against the scene's own clear land (Fmask's
    // percentiles of the sampled scene), bright frozen ground no longer passes for cloud;
    // the fixed brightness ramp (no sampled pixels, so no scene statistics) flags four
    // times the quality band's cloud.
    void sceneStatisticsJudgeFrozenGround() {
        const std::string stack = scene("20180131_20180207", "stack", "landsat8_cloud");
        const std::string bqa = scene("20180131_20180207", "BQA", "landsat8_cloud");
        const ScoreOptions o = rbtest::landsat8_cloud_options(stack);
        const rbtest::CloudAgreement a = rbtest::cloud_agreement(stack, bqa, o);
        const rbtest::CloudAgreement fixed =
            rbtest::cloud_agreement(stack, bqa, o, nullptr, nullptr, nullptr, false);
        report("2018-01-31 with scene statistics", a);
        report("2018-01-31 fixed thresholds", fixed);
        QVERIFY(a.precision() >= 0.70);
        QVERIFY(fixed.precision() < 0.5);
        QVERIFY(fixed.flagged_share() > 2 * a.flagged_share());
        // A later date of a stack without its own sample (SceneInfo::sample) keeps the
        // fixed thresholds, not the first date's temperatures (stackDatesJudgedByOwnSky).
        const SceneReader reader(SceneSource{{stack}});
        BandLayout layout = reader.sampled_layout();
        const Scorer sampled(o, layout);
        layout.sample.reset();
        const Scorer unsampled(o, layout);
        const Profile& p = reader.profile();
        const Raster data = reader.read(Window::full(p.width, p.height));
        auto same = [](const Raster& x, const Raster& y) {
            const auto a = x.band<float>(0), b = y.band<float>(0);
            return std::equal(a.begin(), a.end(), b.begin(), b.end());
        };
        QVERIFY(same(sampled.score(data, nullptr, 1), unsampled.score(data, nullptr, 1)));
        QVERIFY(!same(sampled.score(data, nullptr, 0), unsampled.score(data, nullptr, 0)));
        QVERIFY(same(sampled.score(data, nullptr, 0), sampled.score(data)));
    }

    // Fmask's probabilities read none of the probability options (brightness_min,
    // brightness_width, cloud_probability), so a change of those keeps the verdicts of a
    // date judged by its clear-sky statistics. The first date of this two-date stack is (its
    // layout's sample), the second is not (the fixed probabilities, from kept inputs).
    void probabilityChangesKeepFmaskVerdicts() {
        const std::string file = scene("20180131_20180207", "stack", "landsat8_cloud");
        ScoreOptions o = rbtest::landsat8_cloud_options(file);
        const SceneReader reader(SceneSource{{file}});
        const BandLayout layout = reader.sampled_layout();
        const Profile& p = reader.profile();
        const Raster data = reader.read(Window::full(p.width, p.height));
        const std::vector<Raster> stack{data, data};
        std::vector<ScorePlanes> planes;
        score_stack(stack, Scorer(o, layout), nullptr, planes);
        auto equal = [](const Raster& x, const Raster& y) {
            const auto a = x.band<float>(0), b = y.band<float>(0);
            return std::equal(a.begin(), a.end(), b.begin(), b.end());
        };
        // Unmarked: the kept verdicts and inputs give fresh scores, and the change matters.
        std::size_t changed = 0;
        for (const auto& [name, value] :
             std::vector<std::pair<const char*, const char*>>{{"brightness_min", "0.2"},
                                                              {"cloud_probability", "0.3"},
                                                              {"water_swir1_min", "0.02"},
                                                              {"brightness_min", "0.1"}}) {
            const auto before = score_stack(stack, Scorer(o, layout), nullptr);
            set_score_param(o, name, value);
            const Scorer scorer(o, layout);
            const auto reused = score_stack(stack, scorer, nullptr, planes);
            const auto fresh = score_stack(stack, scorer, nullptr);
            QVERIFY2(equal(fresh[0], reused[0]) && equal(fresh[1], reused[1]), name);
            // Fmask's date does not change; the other does.
            QVERIFY2(equal(before[0], fresh[0]), name);
            changed += !equal(before[1], fresh[1]);
        }
        QVERIFY(changed >= 2);
        // Marked: the first date's kept verdicts are taken over a probability change...
        QVERIFY(!planes[0].verdicts_fmask_key.empty() && planes[1].verdicts_fmask_key.empty());
        std::fill(planes[0].cloud.begin(), planes[0].cloud.end(), std::uint8_t(1));
        set_score_param(o, "cloud_probability", "0.35");
        const Scorer marked(o, layout);
        QVERIFY(!equal(score_stack(stack, marked, nullptr, planes)[0],
                       score_stack(stack, marked, nullptr)[0]));
        // ...and not over another threshold's.
        set_score_param(o, "whiteness_max", "0.6");
        const Scorer whiter(o, layout);
        QVERIFY(equal(score_stack(stack, whiter, nullptr, planes)[0],
                      score_stack(stack, whiter, nullptr)[0]));
        // Nor over the options of the temperature's and cirrus's tests, which this layout
        // has the bands for (without them the options are left out of the keys).
        QVERIFY(Scorer(o, layout).roles().has(BandRole::Thermal) &&
                Scorer(o, layout).roles().has(BandRole::Cirrus));
        for (const auto& [name, value] :
             std::vector<std::pair<const char*, const char*>>{{"cloud_probability", "0.3"},
                                                              {"thermal_margin", "3"},
                                                              {"cloud_probability", "0.35"},
                                                              {"thin_weight", "0.5"},
                                                              {"cloud_probability", "0.3"},
                                                              {"cloud_margin", "0.1"}}) {
            std::fill(planes[0].cloud.begin(), planes[0].cloud.end(), std::uint8_t(1));
            set_score_param(o, name, value);
            const Scorer changed_scorer(o, layout);
            const bool kept = !equal(score_stack(stack, changed_scorer, nullptr, planes)[0],
                                     score_stack(stack, changed_scorer, nullptr)[0]);
            QVERIFY2(kept == (std::string(name) == "cloud_probability"), name);
        }
    }

    // A stack of dates as an analyst scores it (calibrated to reflectance and degrees C,
    // one set of options): every date is judged against its own clear sky. A winter date
    // and a summer date have clear land tens of degrees apart, so the first date's
    // statistics would be wrong for the others; stack_scorer() reads each date's sample,
    // and each date's scores in the stack equal its scores alone.
    void stackDatesJudgedByOwnSky() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::vector<SceneSource> sources;
        std::vector<std::string> bqas;
        for (const char* d : {"20181217_20181227", "20180131_20180207", "20180710_20180717"}) {
            const std::string path = scene(d, "stack", "landsat8_cloud");
            sources.push_back(SceneSource{{rbtest::landsat8_toa_copy(
                path, dir.filePath(QString::fromLatin1(d)).toStdString())}});
            bqas.push_back(scene(d, "BQA", "landsat8_cloud"));
        }
        const ScoreOptions o = make_score_options("cloud");
        const BandLayout first = SceneReader(sources[0]).sampled_layout();
        const Scorer stack = stack_scorer(o, first, sources);
        QVERIFY(stack.uses_scene_samples());
        // What --verbose and a recipe's dry run print says so.
        QVERIFY2(stack.tests_run().find("each date's own clear-sky statistics: 3 of 3 dates") !=
                     std::string::npos,
                 stack.tests_run().c_str());
        const Scorer firstOnly(o, first); // no samples: the old behaviour of later dates
        auto same = [](const Raster& x, const Raster& y) {
            const auto a = x.band<float>(0), b = y.band<float>(0);
            return std::equal(a.begin(), a.end(), b.begin(), b.end());
        };
        for (std::size_t k = 0; k < sources.size(); ++k) {
            const SceneReader reader(sources[k]);
            const Profile& p = reader.profile();
            const Raster data = reader.read(Window::full(p.width, p.height));
            const Scorer alone(o, reader.sampled_layout());
            const Raster inStack = stack.score(data, nullptr, int(k));
            QVERIFY2(same(inStack, alone.score(data)), sources[k].label().c_str());
            if (k > 0) // the first date's scorer judged this date by fixed thresholds
                QVERIFY(!same(inStack, firstOnly.score(data, nullptr, int(k))));
            const rbtest::CloudAgreement a = rbtest::cloud_agreement(
                sources[k].label(), bqas[k], o, nullptr, nullptr, nullptr, true, &stack, int(k));
            report(sources[k].label() + " in the stack", a);
            report(sources[k].label() + " by the first date's scorer",
                   rbtest::cloud_agreement(sources[k].label(), bqas[k], o, nullptr, nullptr,
                                           nullptr, true, &firstOnly, int(k)));
            QVERIFY(a.agreement() >= 0.90);
            QVERIFY(a.precision() >= 0.70);
        }
        // The streaming composite (`composite`, recipes, cluster tiles) scores the same way:
        // its winners are the in-memory composite's under the stack's scorer. The dates lie
        // on shifted grids, so both see them on the first date's grid.
        const AlignedScenes aligned(sources, stack_grid(sources, StackGridOptions{}));
        QCOMPARE(aligned.warped(), std::size_t(2));
        const Scorer onGrid =
            stack_scorer(o, SceneReader(aligned.scenes()[0]).sampled_layout(), aligned.scenes());
        std::vector<Raster> data;
        for (const auto& src : aligned.scenes()) {
            const SceneReader reader(src);
            data.push_back(
                reader.read(Window::full(reader.profile().width, reader.profile().height)));
        }
        const CompositeResult inMemory = composite(data, score_stack(data, onGrid), {});
        CompositeOutputs outs;
        outs.composite = dir.filePath("composite.tif").toStdString();
        outs.index = dir.filePath("index.tif").toStdString();
        composite_files(aligned.scenes(), o, CompositeOptions{}, outs);
        const Raster written = Dataset::open(outs.index).read();
        int compared = 0, mismatched = 0;
        for (int y = 0; y < written.rows(); ++y)
            for (int x = 0; x < written.cols(); ++x) {
                if (!inMemory.index.valid(0, y, x))
                    continue;
                ++compared;
                mismatched += written.value(0, y, x) != inMemory.index.value(0, y, x);
            }
        QVERIFY(compared > 3000);
        QCOMPARE(mismatched, 0);
    }

    // The statistics come from the scene's sample, once per scorer: a window scored alone
    // (a viewport preview) equals the whole scene's score there.
    void windowEqualsWholeScene() {
        const std::string stack = scene("20181201_20181211", "stack");
        const SceneReader reader(SceneSource{{stack}});
        const Scorer scorer(rbtest::landsat8_cloud_options(stack), reader.sampled_layout());
        const Profile& p = reader.profile();
        const Raster whole = scorer.score(reader.read(Window::full(p.width, p.height)));
        // Wide enough for the halo (the temporal tests' background window, 12 pixels).
        const Window w{2, 20, 66, 56};
        const Raster part = scorer.score(reader.read(w));
        const int halo = scorer.halo();
        int compared = 0, cloud = 0;
        for (int y = halo; y < int(w.height) - halo; ++y)
            for (int x = halo; x < int(w.width) - halo; ++x) {
                const int wy = y + int(w.row_off), wx = x + int(w.col_off);
                QCOMPARE(part.valid(0, y, x), whole.valid(0, wy, wx));
                if (!whole.valid(0, wy, wx))
                    continue;
                QCOMPARE(part.value(0, y, x), whole.value(0, wy, wx));
                ++compared;
                cloud += whole.value(0, wy, wx) <= -1.5;
            }
        QVERIFY(compared > 500);
        QVERIFY(cloud > 50); // the window holds cloud, not only clear pixels
    }

    void sunElevationFromDateAndPlace() {
        // NOAA's solar position: at 40.33 N, 73.32 W on 2018-12-17 at 15:34 UTC the sun is
        // about 24 degrees up; at the June solstice at local noon on the equator, 66.5.
        QVERIFY(std::abs(rbtest::solar_elevation(2018, 12, 17, 15 + 34 / 60.0, 40.33, -73.32) -
                         24.0) < 1.0);
        QVERIFY(std::abs(rbtest::solar_elevation(2018, 6, 21, 12, 0, 0) - 66.6) < 0.5);
    }
};

QTEST_GUILESS_MAIN(Landsat8CloudTest)
#include "tst_landsat8_cloud.moc"
