// The parametric best-available-pixel score (bap), the composite's tie rule and the relative
// normalization, on stacks generated from the real sample scene (RGB.byte.tif, 300 m pixels):
// clouds, offset shadows and gain/offset differences per date, with Fmask-coded quality bands.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/normalize.h"
#include "stack_generator.h"
#include "test_support.h"

using namespace rb;

namespace {

// A 200 x 200 window of the sample where every band is valid.
Raster base_scene() {
    ReadOptions ro;
    ro.window = Window{110, 220, 200, 200};
    Raster r = Dataset::open(RB_SAMPLE).read(ro);
    const auto v = pixel_validity(r);
    if (std::count(v.begin(), v.end(), kInvalid) != 0)
        throw std::runtime_error("the sample's window has nodata");
    return r;
}

// Fmask classes from the generator's truth: 4 cloud, 2 shadow, 0 clear.
std::vector<std::uint8_t> fmask(const rbtest::GeneratedStack& st, std::size_t d) {
    std::vector<std::uint8_t> q(st.cloud[d].size());
    for (std::size_t p = 0; p < q.size(); ++p)
        q[p] = st.cloud[d][p] > 0.3f ? 4 : st.shadow[d][p] > 0.3f ? 2 : 0;
    return q;
}

// The scene's bands plus the quality band (4 bands, the last qa).
Raster with_qa(const Raster& scene, const std::vector<std::uint8_t>& qa) {
    Raster r(DataType::Float32, 4, scene.rows(), scene.cols());
    for (int b = 0; b < 3; ++b) {
        const auto s = scene.band<float>(b);
        std::copy(s.begin(), s.end(), r.band<float>(b).begin());
        if (scene.has_mask()) {
            const auto m = scene.mask(b);
            std::copy(m.begin(), m.end(), r.mask(b).begin());
        }
    }
    auto q = r.band<float>(3);
    for (std::size_t p = 0; p < qa.size(); ++p)
        q[p] = float(qa[p]);
    return r;
}

BandLayout layout4() {
    BandLayout l;
    l.count = 4;
    l.dtype = DataType::Float32;
    l.colorinterp = {"Red", "Green", "Blue", "Gray"};
    l.qa_band = 3;
    l.pixel_size_m = 300;
    l.label = "generated";
    return l;
}

const std::vector<int> kDoys = {150, 162, 174, 186, 198, 210};

ScoreOptions bap_options(std::size_t scenes) {
    ScoreOptions o = make_score_options("bap");
    set_score_param(o, "reflectance_scale", "0.00392156862745098"); // bytes as floats
    set_score_param(o, "cloud_distance_m", "3000");                 // 10 pixels
    for (std::size_t d = 0; d < scenes; ++d) {
        SceneInfo s;
        s.label = "scene " + std::to_string(d + 1);
        s.date = date_from_day_of_year(2020, kDoys[d % kDoys.size()]);
        s.sensor = d % 2 ? "LE07" : "LC08";
        o.scenes.push_back(s);
    }
    return o;
}

} // namespace

class BapTest : public QObject {
    Q_OBJECT
private slots:
    void sensorsFromNamesAndMetadata() {
        QCOMPARE(scene_sensor({}, "/x/LE07_L1TP_035032_20080427_20160908_01_T1_sr.tif"),
                 std::string("LE07"));
        QCOMPARE(scene_sensor({}, "LT50350322008118PAC01.tif"), std::string("LT05"));
        QCOMPARE(scene_sensor({}, "S2B_MSIL1C_20170216T102101_N0204.tif"), std::string("S2B"));
        QCOMPARE(scene_sensor({{"SPACECRAFT_ID", "LANDSAT_8"}}, "a.tif"), std::string("LC08"));
        QCOMPARE(scene_sensor({}, "RGB.byte.tif"), std::string());
        const SceneInfo off = scene_info({}, "LE07_L1TP_035032_20080427_20160908_01_T1.tif");
        QVERIFY(off.slc_off());
        QVERIFY(!scene_info({}, "LE07_L1TP_035032_20020427_20160908_01_T1.tif").slc_off());
    }

    void componentsFollowTheirFormulas() {
        const Raster base = base_scene();
        rbtest::StackGenOptions g;
        g.scenes = 6;
        g.seed = 7;
        g.cloud_cover = 0.2;
        g.slc_off = false;
        const auto st = rbtest::generate_stack(base, g);
        ScoreOptions o = bap_options(6);
        const Scorer scorer(o, layout4());
        QCOMPARE(scorer.halo(), 10); // the cloud distance's reach, in pixels
        const int rows = base.rows(), cols = base.cols();
        for (std::size_t d = 0; d < 6; ++d) {
            const auto qa = fmask(st, d);
            const Raster scene = with_qa(st.scenes[d], qa);
            const Raster c = scorer.components(scene, nullptr, int(d));
            QCOMPARE(c.bands(), 7);
            const double dd = std::abs(kDoys[d] - 196);
            const double s_doy = std::exp(-0.5 * (dd / 45) * (dd / 45));
            QVERIFY(std::abs(c.value(1, 50, 50) - s_doy) < 1e-6);
            QCOMPARE(c.value(2, 50, 50), 1.0); // every scene is of the target year
            // Distance to the nearest flagged pixel, by brute force, on a sample of pixels.
            std::vector<std::pair<int, int>> flagged;
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x)
                    if (qa[std::size_t(y * cols + x)] != 0)
                        flagged.emplace_back(y, x);
            QVERIFY(!flagged.empty());
            int checked = 0;
            for (int y = 3; y < rows; y += 9)
                for (int x = 5; x < cols; x += 9) {
                    double dist = 1e9;
                    for (const auto& [fy, fx] : flagged)
                        dist = std::min(dist, std::hypot(double(fy - y), double(fx - x)));
                    const double xr = dist / 10.0;
                    const double want = dist == 0 ? 0.0
                                        : xr >= 1 ? 1.0
                                                  : 1 / (1 + std::exp(-10 * (xr - 0.5)));
                    QVERIFY2(std::abs(c.value(3, y, x) - want) < 1e-5,
                             qPrintable(QString("scene %1 pixel %2,%3: cloud score %4, want %5")
                                            .arg(d)
                                            .arg(y)
                                            .arg(x)
                                            .arg(c.value(3, y, x))
                                            .arg(want)));
                    QCOMPARE(c.value(6, y, x), dist == 0 ? 0.0 : 1.0);
                    // Haze: blue - 0.5 red in reflectance, 1 at 0.05 falling to 0 at 0.2.
                    const double hot = (scene.value(2, y, x) - 0.5 * scene.value(0, y, x)) / 255;
                    const double haze = std::clamp((0.2 - hot) / 0.15, 0.0, 1.0);
                    QVERIFY(std::abs(c.value(4, y, x) - haze) < 1e-5);
                    // Additive with the default weights, flagged pixels 10 lower.
                    const double total = s_doy + 0.4 * want + 0.3 * haze - (dist == 0 ? 10 : 0);
                    QVERIFY(std::abs(c.value(0, y, x) - total) < 1e-4);
                    ++checked;
                }
            QVERIFY(checked > 400);
        }
        // Multiplicative: the product of score^weight.
        set_score_param(o, "combine", "multiplicative");
        set_score_param(o, "weight_cloud", "1");
        const Scorer mult(o, layout4());
        const Raster scene = with_qa(st.scenes[4], fmask(st, 4));
        const Raster c = mult.components(scene, nullptr, 4);
        for (int y = 0; y < rows; y += 17)
            for (int x = 0; x < cols; x += 13) {
                const double want =
                    c.value(1, y, x) * c.value(3, y, x) * std::pow(c.value(4, y, x), 0.3) -
                    (c.value(6, y, x) == 0 ? 10 : 0);
                QVERIFY(std::abs(c.value(0, y, x) - want) < 1e-4);
            }
        // A scene without a date cannot be scored by day of year.
        ScoreOptions undated = bap_options(6);
        undated.scenes[2].date.reset();
        const Scorer u(undated, layout4());
        const QString msg = rbtest::error_of([&] { u.score(scene, nullptr, 2); }).c_str();
        QVERIFY2(msg.contains("scene 3") && msg.contains("no acquisition date"), qPrintable(msg));
    }

    void bapCompositeOfFilesTakesClearPixelsNearTheTargetDate() {
        const Raster base = base_scene();
        rbtest::StackGenOptions g;
        g.scenes = 6;
        g.seed = 11;
        g.cloud_cover = 0.1;
        g.slc_off = true;
        const auto st = rbtest::generate_stack(base, g);
        QTemporaryDir dir;
        Profile p = Dataset::open(RB_SAMPLE).profile();
        p.width = base.cols();
        p.height = base.rows();
        p.transform = p.transform * Affine::translation(110, 220);
        p.dtype = DataType::Float32;
        p.count = 3;
        p.set_nodata(std::numeric_limits<double>::quiet_NaN());
        p.block_width = p.block_height = 0;
        Profile qp = p;
        qp.dtype = DataType::UInt8;
        qp.count = 1;
        qp.nodata = {std::nullopt};
        qp.colorinterp.clear();
        std::vector<SceneSource> sources;
        std::vector<std::vector<std::uint8_t>> qas;
        for (std::size_t d = 0; d < 6; ++d) {
            const std::string stem = dir.filePath("LC08_L2SP_044034_2020").toStdString() +
                                     date_from_day_of_year(2020, kDoys[d])->iso().substr(5, 2) +
                                     date_from_day_of_year(2020, kDoys[d])->iso().substr(8, 2) +
                                     "_20200901_02_T1";
            Dataset::create(stem + ".tif", p).write(st.scenes[d]);
            qas.push_back(fmask(st, d));
            Raster q(DataType::UInt8, 1, base.rows(), base.cols());
            std::copy(qas.back().begin(), qas.back().end(), q.band<std::uint8_t>(0).begin());
            Dataset::create(stem + "_fmask.tif", qp).write(q);
            sources.push_back(SceneSource({stem + ".tif", stem + "_fmask.tif"}));
        }
        ScoreOptions so = make_score_options("bap");
        set_score_param(so, "reflectance_scale", "0.00392156862745098");
        set_score_param(so, "weight_haze", "0"); // the day of year decides among clear pixels
        CompositeOutputs out;
        out.composite = dir.filePath("bap.tif").toStdString();
        out.components = dir.filePath("components.tif").toStdString();
        out.bap_info = dir.filePath("info.tif").toStdString();
        out.index = dir.filePath("index.tif").toStdString();
        CompositeOptions co;
        composite_files(sources, so, co, out);
        const Raster comp = Dataset::open(out.composite).read();
        const Raster comps = Dataset::open(out.components).read();
        const Raster info = Dataset::open(out.bap_info).read();
        const Raster index = Dataset::open(out.index).read();
        QCOMPARE(comps.bands(), 7);
        QCOMPARE(info.bands(), 4);
        const int rows = base.rows(), cols = base.cols();
        std::size_t flagged_winner = 0, all_clear = 0, at_target = 0;
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const auto pix = std::size_t(y * cols + x);
                int clear = 0;
                bool every = true; // every scene valid and clear
                for (std::size_t d = 0; d < 6; ++d) {
                    const bool ok = st.scenes[d].valid(0, y, x) && qas[d][pix] == 0;
                    clear += ok;
                    every = every && ok;
                }
                QCOMPARE(int(info.value(3, y, x)), clear);
                if (!index.valid(0, y, x))
                    continue;
                const auto w = std::size_t(index.value(0, y, x));
                QCOMPARE(int(info.value(0, y, x)), kDoys[w]);
                QCOMPARE(int(info.value(1, y, x)), 2020);
                QCOMPARE(comps.value(6, y, x), qas[w][pix] == 0 ? 1.0 : 0.0);
                if (clear > 0 && qas[w][pix] != 0)
                    ++flagged_winner;
                // Far from every cloud in every scene, the date nearest the target wins.
                bool far = every;
                for (std::size_t d = 0; d < 6 && far; ++d)
                    for (int v = std::max(0, y - 10); v <= std::min(rows - 1, y + 10) && far; ++v)
                        for (int u = std::max(0, x - 10); u <= std::min(cols - 1, x + 10); ++u)
                            if (qas[d][std::size_t(v * cols + u)] != 0) {
                                far = false;
                                break;
                            }
                if (far) {
                    ++all_clear;
                    at_target += kDoys[w] == 198;
                }
            }
        QCOMPARE(flagged_winner, std::size_t(0)); // clear pixels always beat flagged ones
        QVERIFY(all_clear > 100);
        qInfo("bap: %zu of %zu pixels far from clouds everywhere took day 198", at_target,
              all_clear);
        QCOMPARE(at_target, all_clear);
        const double p_bap = rbtest::psnr(comp, base);
        CompositeOptions median;
        median.method = "percentile";
        const std::vector<Raster> scores(st.scenes.size(),
                                         Raster(DataType::Float32, 1, rows, cols));
        const double p_median = rbtest::psnr(composite(st.scenes, scores, median).composite, base);
        qInfo("PSNR vs clear base: bap %.2f dB, per-pixel median %.2f dB", p_bap, p_median);
        QVERIFY(p_bap > p_median + 3);
    }

    void tiesFollowTheRule() {
        const Raster base = base_scene();
        // Three scenes, equal scores everywhere, told apart by their values.
        std::vector<Raster> scenes;
        for (int d = 0; d < 3; ++d) {
            Raster r(DataType::Float32, 1, 4, 4);
            std::fill(r.band<float>(0).begin(), r.band<float>(0).end(), float(d + 1));
            scenes.push_back(r);
        }
        std::vector<Raster> scores(3, Raster(DataType::Float32, 1, 4, 4));
        auto winner = [&](const CompositeOptions& o) {
            const auto res = composite(scenes, scores, o);
            // The general loop (rank images) must agree with the fast one.
            CompositeOptions ranked = o;
            ranked.best_ranks = {1, 2};
            const auto r2 = composite(scenes, scores, ranked);
            if (r2.composite.value(0, 1, 1) != res.composite.value(0, 1, 1))
                return -1;
            return int(res.composite.value(0, 1, 1)) - 1;
        };
        CompositeOptions o;
        QCOMPARE(winner(o), 0); // no dates: the stack order
        o.scene_dates = {SceneDate{2020, 6, 10}, SceneDate{2020, 5, 1}, SceneDate{2020, 7, 20}};
        QCOMPARE(winner(o), 1);
        o.tie = "latest";
        QCOMPARE(winner(o), 2);
        o.tie = "closest";
        o.target_date = "2020-06-15";
        QCOMPARE(winner(o), 0);
        o.target_date = "200"; // day of year: 18 July
        QCOMPARE(winner(o), 2);
        o.scene_dates[2].reset(); // undated scenes rank last
        QCOMPARE(winner(o), 0);
        o.target_date = "2020-13-01";
        QVERIFY(QString(rbtest::error_of([&] { composite(scenes, scores, o); }).c_str())
                    .contains("target_date"));
        o.target_date.clear();
        QVERIFY(QString(rbtest::error_of([&] { composite(scenes, scores, o); }).c_str())
                    .contains("needs target_date"));
        // The second rank follows the rule too.
        CompositeOptions r;
        r.scene_dates = {SceneDate{2020, 6, 10}, SceneDate{2020, 5, 1}, SceneDate{2020, 7, 20}};
        r.tie = "latest";
        r.best_ranks = {2};
        QCOMPARE(composite(scenes, scores, r).best_rank[0].value(0, 0, 0), 1.0); // June, scene 1
        (void)base;
    }

    void normalizationRecoversKnownGainAndOffset() {
        const Raster base = base_scene();
        std::vector<double> mean(3, 0);
        for (int b = 0; b < 3; ++b) {
            for (int y = 0; y < base.rows(); ++y)
                for (int x = 0; x < base.cols(); ++x)
                    mean[std::size_t(b)] += base.value(b, y, x);
            mean[std::size_t(b)] /= double(base.band_size());
        }
        for (const char* method : {"histogram", "pif"}) {
            rbtest::StackGenOptions g;
            g.scenes = 5;
            g.seed = 5;
            g.gain_sd = 0.1;
            g.offset_sd = 0.05;
            const bool pif = std::string(method) == "pif";
            // Quantiles match only where the dates differ by gain and offset alone; pseudo-
            // invariant pixels see through clouds, shadows and SLC-off gaps.
            g.cloud_cover = pif ? 0.2 : 0.0;
            g.slc_off = pif;
            const auto st = rbtest::generate_stack(base, g);
            const NormalizationFit fit = fit_normalization(st.scenes, method, 0);
            QCOMPARE(fit.reference, 0);
            QCOMPARE(fit.fits.size(), std::size_t(5));
            for (std::size_t d = 1; d < 5; ++d)
                for (int b = 0; b < 3; ++b) {
                    // scene = g_d * base + o_d * mean, reference = g_0 * base + o_0 * mean.
                    const double gain = st.gain[0] / st.gain[d];
                    const double offset =
                        mean[std::size_t(b)] * (st.offset[0] - gain * st.offset[d]);
                    const LinearFit f = fit.fits[d][std::size_t(b)];
                    qInfo("%s scene %zu band %d: gain %.4f (true %.4f), offset %.3f (true %.3f)",
                          method, d + 1, b + 1, f.gain, gain, f.offset, offset);
                    QVERIFY(std::abs(f.gain - gain) < 0.01 * gain);
                    QVERIFY(std::abs(f.offset - offset) < 0.01 * mean[std::size_t(b)]);
                }
            // Applied, a scene matches the reference where both are clear.
            Raster s1 = st.scenes[1];
            apply_normalization(s1, fit.fits[1]);
            double err = 0;
            std::size_t n = 0;
            for (int y = 0; y < base.rows(); ++y)
                for (int x = 0; x < base.cols(); ++x) {
                    const std::size_t p = std::size_t(y * base.cols() + x);
                    if (st.cloud[0][p] + st.cloud[1][p] + st.shadow[0][p] + st.shadow[1][p] > 0 ||
                        !s1.valid(0, y, x) || !st.scenes[0].valid(0, y, x))
                        continue;
                    err += std::abs(s1.value(0, y, x) - st.scenes[0].value(0, y, x));
                    ++n;
                }
            QVERIFY(n > 1000);
            QVERIFY2(err / double(n) < 0.01 * mean[0], method);
        }
        QVERIFY(QString(rbtest::error_of([&] {
                            fit_normalization(std::vector<Raster>{base}, "gamma");
                        }).c_str())
                    .contains("unknown normalization 'gamma'"));
    }
};

QTEST_GUILESS_MAIN(BapTest)
#include "tst_bap.moc"
