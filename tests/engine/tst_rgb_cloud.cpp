// The cloud score on three-band RGB stacks (no nir, no swir): the tests the bands allow run
// and are named, the temporal background stays right where half the dates are cloudy, and
// on 8-date stacks generated from two crops of the real sample scene (soft semi-transparent
// clouds, offset shadows, SLC-off gaps, a gain/offset per date) the default composite
// recovers the clear base.
// TBB first: Qt's emit macro breaks its headers.
#include <tbb/task_arena.h>
// (after TBB)
#include <QtTest>

#include <cstring>
#include <random>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "stack_generator.h"
#include "test_support.h"

using namespace rb;

namespace {

// A 200 x 200 crop of the sample where every band is valid.
Raster crop(std::int64_t col, std::int64_t row) {
    ReadOptions ro;
    ro.window = Window{col, row, 200, 200};
    Raster r = Dataset::open(RB_SAMPLE).read(ro);
    const auto v = pixel_validity(r);
    if (std::count(v.begin(), v.end(), kInvalid) != 0)
        throw std::runtime_error("the sample's crop has nodata");
    return r;
}

BandLayout rgb_layout() {
    BandLayout l;
    l.count = 3;
    l.dtype = DataType::UInt8;
    l.colorinterp = {"Red", "Green", "Blue"};
    l.label = "rgb";
    return l;
}

std::vector<int> sources(const CompositeResult& c) {
    std::vector<int> s(c.index.band_size(), -1);
    for (int y = 0; y < c.index.rows(); ++y)
        for (int x = 0; x < c.index.cols(); ++x)
            if (c.index.valid(0, y, x))
                s[std::size_t(y * c.index.cols() + x)] = int(c.index.value(0, y, x));
    return s;
}

struct Measured {
    double psnr = 0, cloudy = 0, avoidable = 0;
};

Measured measure(const rbtest::GeneratedStack& st, const Raster& base, const std::string& method,
                 const CompositeOptions& co = {}) {
    const Scorer scorer(make_score_options(method), rgb_layout());
    const CompositeResult c = composite(st.scenes, score_stack(st.scenes, scorer), co);
    const auto src = sources(c);
    return {rbtest::psnr(c.composite, base), rbtest::cloudy_share(st, src),
            rbtest::avoidable_cloudy_share(st, src)};
}

} // namespace

class RgbCloudTest : public QObject {
    Q_OBJECT
private slots:
    void testsFollowTheBands() {
        const Scorer rgb(make_score_options("cloud"), rgb_layout());
        const std::string& tests = rgb.tests_run();
        QVERIFY2(tests.find("brightness, whiteness, haze") != std::string::npos, tests.c_str());
        QVERIFY2(tests.find("temporal") != std::string::npos, tests.c_str());
        QVERIFY2(tests.find("off: swir, NDVI, NDSI, nir/swir1") != std::string::npos,
                 tests.c_str());
        QVERIFY(rgb.stack_needs().background && !rgb.stack_needs().median);
        QVERIFY(!rgb.requires_stack());
        bool warned = false;
        for (const auto& w : rgb.roles().warnings())
            warned |= w.find("has no nir and swir1 band") != std::string::npos;
        QVERIFY(warned);

        // Red and green only: no haze test (needs blue).
        BandLayout rg = rgb_layout();
        rg.count = 2;
        rg.colorinterp = {"Red", "Green"};
        const std::string t2 = Scorer(make_score_options("cloud"), rg).tests_run();
        QVERIFY2(t2.find("off: swir, NDVI, NDSI, nir/swir1, water, spectral shadow, haze") !=
                     std::string::npos,
                 t2.c_str());

        // A scene with red, nir and swir1 keeps the Fmask tests; its temporal tests take the
        // clear background too (the median fails where half the dates are cloudy).
        BandLayout full;
        full.count = 6;
        full.dtype = DataType::Float32;
        full.descriptions = {"B02", "B03", "B04", "B08", "B11", "B12"};
        full.label = "s2";
        const Scorer s2(make_score_options("cloud"), full);
        QVERIFY2(s2.tests_run().find("swir, NDVI, nir/swir1") != std::string::npos,
                 s2.tests_run().c_str());
        QVERIFY(s2.stack_needs().background && !s2.stack_needs().median);
        QVERIFY2(s2.tests_run().find("temporal (against the stack's clear background") !=
                     std::string::npos,
                 s2.tests_run().c_str());

        // No visible band and not red + nir + swir1: nothing can run.
        BandLayout nir;
        nir.count = 1;
        nir.dtype = DataType::UInt16;
        nir.descriptions = {"nir"};
        nir.label = "nir-only";
        try {
            Scorer(make_score_options("cloud"), nir);
            QFAIL("a scene without visible bands was accepted");
        } catch (const ArgumentError& e) {
            QVERIFY2(QString(e.what()).contains("no cloud test can run") &&
                         QString(e.what()).contains("nir-only"),
                     e.what());
        }
    }

    void backgroundStaysRightWhereHalfTheStackIsCloudy() {
        // One pixel, 8 dates: 4 clear (gain differences), 3 cloudy of different opacity, one
        // shadowed; then 4 clear, 4 cloudy; then 2 observations.
        auto stack = [](const std::vector<float>& values) {
            std::vector<Raster> s;
            for (float v : values) {
                Raster r(DataType::Float32, 1, 1, 1);
                r.band<float>(0)[0] = v;
                s.push_back(std::move(r));
            }
            return s;
        };
        StackStatsNeeds needs;
        needs.background = needs.median = true;
        needs.background_tolerance = 1;
        const auto a = stack_statistics(stack({100, 180, 103, 220, 98, 150, 40, 101}), needs);
        QVERIFY2(a.background[0] >= 98 && a.background[0] <= 103,
                 qPrintable(QString::number(a.background[0])));
        const auto b = stack_statistics(stack({100, 210, 230, 103, 98, 190, 250, 101}), needs);
        QVERIFY2(b.background[0] >= 98 && b.background[0] <= 103,
                 qPrintable(QString::number(b.background[0])));
        QVERIFY(b.median[0] > 140); // what a median gives here
        const auto c = stack_statistics(stack({160, 100}), needs);
        QCOMPARE(c.background[0], 100.0f);
        // A long stack: two dates under one shadow agree, but a tenth of 30 is three, so
        // the background is the clear cluster (two of them decided it before; where one
        // shadow covers a whole block the spatial refinement cannot undo that).
        std::vector<float> long_stack = {40, 41};
        for (int i = 0; i < 20; ++i)
            long_stack.push_back(100 + float(i % 4));
        for (int i = 0; i < 8; ++i)
            long_stack.push_back(150 + 12 * float(i));
        const auto d = stack_statistics(stack(long_stack), needs);
        QVERIFY2(d.background[0] >= 100 && d.background[0] <= 103,
                 qPrintable(QString::number(d.background[0])));
        // Subsampling keeps the plane.
        QCOMPARE(subsample(b, 2).background.size(), std::size_t(1));
    }

    void gainsOfALargeViewOnAnyThreadCount() {
        // The whole sample (791 x 718 px, its nodata invalid), four dates at gains known to
        // within the rounding of UInt16: large enough that the refinement counts every second
        // pixel for each date's gain at full resolution (as on a 1200 x 1200 px view).
        const Raster base = Dataset::open(RB_SAMPLE).read(ReadOptions{});
        const double gains[4] = {1.0, 1.12, 0.9, 1.05};
        std::vector<Raster> dates;
        for (const double g : gains) {
            Raster r(DataType::UInt16, base.bands(), base.rows(), base.cols());
            r.ensure_mask();
            for (int b = 0; b < base.bands(); ++b) {
                const auto in = base.band<std::uint8_t>(b);
                auto out = r.band<std::uint16_t>(b);
                for (std::size_t p = 0; p < in.size(); ++p)
                    out[p] = std::uint16_t(std::lround(4 * g * in[p]));
                std::copy(base.mask(b).begin(), base.mask(b).end(), r.mask(b).begin());
            }
            dates.push_back(std::move(r));
        }
        StackStatsNeeds needs;
        needs.background = true;
        needs.background_tolerance = 4 * 2.55;
        needs.keep_unlowered = true; // keeps the gains
        const StackStats st = stack_statistics(dates, needs);
        const std::size_t nb = std::size_t(base.bands());
        QCOMPARE(st.background_inv_gain.size(), 4 * nb);
        for (std::size_t i = 1; i < 4; ++i)
            for (std::size_t b = 0; b < nb; ++b) {
                // Relative to date 0; the gains are measured in bins of 0.5 %.
                const double measured =
                    double(st.background_inv_gain[b]) / double(st.background_inv_gain[i * nb + b]);
                QVERIFY2(std::abs(measured / gains[i] - 1) < 0.01,
                         qPrintable(QString("date %1 band %2: gain %3, not %4")
                                        .arg(i)
                                        .arg(b)
                                        .arg(measured)
                                        .arg(gains[i])));
            }
        // The same numbers on one thread: chunks of pixels split elsewhere.
        StackStats one;
        tbb::task_arena(1).execute([&] { one = stack_statistics(dates, needs); });
        QCOMPARE(one.background_inv_gain, st.background_inv_gain);
        // (Bytes: the background is NaN where no date is valid.)
        QCOMPARE(one.background.size(), st.background.size());
        QVERIFY(std::memcmp(one.background.data(), st.background.data(),
                            st.background.size() * sizeof(float)) == 0);
    }

    void qualityBandStaysOutOfTheBackground() {
        // Six dates of a crop of the sample with a Landsat QA_PIXEL-like band after the three
        // data bands, its words drawn per date and pixel (clear 21824, cloud 22280: hundreds
        // apart, far more than the background's tolerance).
        const Raster base = crop(120, 220);
        const auto stack = [&](unsigned seed) {
            std::mt19937 rng(seed);
            std::vector<Raster> dates;
            for (int d = 0; d < 6; ++d) {
                Raster r(DataType::UInt16, 4, base.rows(), base.cols());
                for (int b = 0; b < 3; ++b) {
                    const auto in = base.band<std::uint8_t>(b);
                    auto out = r.band<std::uint16_t>(b);
                    for (std::size_t p = 0; p < in.size(); ++p)
                        out[p] = std::uint16_t(in[p] * (20 + d)); // a gain per date
                }
                for (auto& q : r.band<std::uint16_t>(3))
                    q = rng() % 3 ? 21824 : 22280;
                dates.push_back(std::move(r));
            }
            return dates;
        };
        BandLayout layout = rgb_layout();
        layout.count = 4;
        layout.dtype = DataType::UInt16;
        layout.colorinterp.push_back("Undefined");
        layout.qa_band = 3;
        const Scorer scorer(make_score_options("cloud"), layout);
        const StackStatsNeeds needs = scorer.stack_needs();
        QCOMPARE(needs.background_bands, std::vector<int>({0, 1, 2}));
        const auto a = stack(1), b = stack(2);
        const StackStats sa = stack_statistics(a, needs), sb = stack_statistics(b, needs);
        const std::size_t n = base.band_size();
        QCOMPARE(sa.background.size(), 4 * n);
        // The quality words change nothing, and the quality band has no background.
        QVERIFY(std::memcmp(sa.background.data(), sb.background.data(), 3 * n * sizeof(float)) ==
                0);
        QVERIFY(std::all_of(sa.background.begin() + std::ptrdiff_t(3 * n), sa.background.end(),
                            [](float v) { return std::isnan(v); }));
        // With every band in it, they would.
        StackStatsNeeds every = needs;
        every.background_bands.clear();
        QVERIFY(stack_statistics(a, every).background != stack_statistics(b, every).background);
        // Bands it cannot have are refused, naming the band.
        StackStatsNeeds wrong = needs;
        wrong.background_bands = {0, 4};
        QVERIFY(rbtest::error_of([&] { stack_statistics(a, wrong); }).find("background band 4") !=
                std::string::npos);
        wrong.background_bands = {0, 1};
        wrong.haze_bands = {0, 2};
        QVERIFY(rbtest::error_of([&] { stack_statistics(a, wrong); }).find("haze band 2") !=
                std::string::npos);
    }

    void hazyBackgroundIsLoweredToTheClearDate() {
        // 32 x 32 px of textured vegetation, six dates. In the central 12 x 12 patch four
        // dates are under thin cloud (opacity 0.2-0.24, towards the generator's cloud colour),
        // one is clear and one shadowed; elsewhere every date is clear. The hazy dates agree,
        // so the background follows them there, unless it is lowered to the clear date.
        constexpr int kSize = 32;
        const float white[3] = {236, 238, 244}, ground[3] = {28, 52, 30};
        auto clear = [&](int b, int y, int x) {
            return ground[b] + float((x * 7 + y * 3 + b * 5) % 9);
        };
        auto in_patch = [](int y, int x) { return y >= 10 && y < 22 && x >= 10 && x < 22; };
        auto make_stack = [&](bool hazy) {
            const float opacity[6] = {0.2f, 0.22f, 0.24f, 0.2f, 0, 0};
            std::vector<Raster> dates;
            for (int d = 0; d < 6; ++d) {
                Raster r(DataType::UInt8, 3, kSize, kSize);
                for (int b = 0; b < 3; ++b)
                    for (int y = 0; y < kSize; ++y)
                        for (int x = 0; x < kSize; ++x) {
                            float v = clear(b, y, x);
                            if (in_patch(y, x) && d == 5)
                                v *= 0.35f;
                            else if (in_patch(y, x) && hazy)
                                v = (1 - opacity[d]) * v + opacity[d] * white[b];
                            r.band<std::uint8_t>(b)[std::size_t(y * kSize + x)] =
                                std::uint8_t(std::lround(v));
                        }
                dates.push_back(std::move(r));
            }
            return dates;
        };
        StackStatsNeeds needs;
        needs.background = true;
        needs.background_tolerance = 2.55; // the cloud method's, for Byte RGB
        StackStatsNeeds lowered = needs;
        lowered.haze_bands = {0, 1, 2};
        lowered.haze_white = 255;
        const auto hazy = make_stack(true);
        const StackStats plain = stack_statistics(hazy, needs);
        const StackStats fixed = stack_statistics(hazy, lowered);
        const std::size_t n = std::size_t(kSize * kSize);
        for (int y = 12; y < 20; ++y)
            for (int x = 12; x < 20; ++x) {
                const std::size_t p = std::size_t(y * kSize + x);
                for (int b = 0; b < 3; ++b) {
                    const float c = clear(b, y, x);
                    const QString at = QString("%1,%2 band %3").arg(y).arg(x).arg(b);
                    // Without the haze bands the background is hazy (the case this is for).
                    QVERIFY2(plain.background[std::size_t(b) * n + p] > c + 15,
                             qPrintable(at + ": " +
                                        QString::number(plain.background[std::size_t(b) * n + p])));
                    QVERIFY2(std::abs(fixed.background[std::size_t(b) * n + p] - c) <= 3,
                             qPrintable(at + ": " +
                                        QString::number(fixed.background[std::size_t(b) * n + p])));
                }
            }
        // The cloud score asks for the haze bands, and its composite takes the clear date.
        const Scorer scorer(make_score_options("cloud"), rgb_layout());
        QCOMPARE(scorer.stack_needs().haze_bands.size(), std::size_t(3));
        const CompositeResult c = composite(hazy, score_stack(hazy, scorer), {});
        for (int y = 12; y < 20; ++y)
            for (int x = 12; x < 20; ++x)
                QCOMPARE(int(c.index.value(0, y, x)), 4);
        // A haze band the scenes do not have is refused.
        StackStatsNeeds wrong = lowered;
        wrong.haze_bands = {0, 3};
        QVERIFY(rbtest::error_of([&] { stack_statistics(hazy, wrong); }).find("haze band 3") !=
                std::string::npos);
        // Kept before the haze step, the background is lowered again under another white,
        // or none, as statistics made afresh with those needs (bit for bit), and the first
        // white's lowering differs from the second's.
        StackStatsNeeds kept = lowered;
        kept.keep_unlowered = true;
        const StackStats with_kept = stack_statistics(hazy, kept);
        QCOMPARE(with_kept.background, fixed.background);
        QCOMPARE(with_kept.unlowered_background, plain.background);
        StackStatsNeeds whiter = lowered;
        whiter.haze_white = 120; // darker than the haze: other dates fit its line
        const StackStats fresh_whiter = stack_statistics(hazy, whiter);
        QVERIFY(fresh_whiter.background != fixed.background);
        QCOMPARE(relower_statistics(hazy, with_kept, whiter).background, fresh_whiter.background);
        QCOMPARE(relower_statistics(hazy, with_kept, needs).background, plain.background);
        QCOMPARE(relower_statistics(hazy, with_kept, lowered).background, fixed.background);
        // Statistics that kept nothing are refused.
        QVERIFY(rbtest::error_of([&] {
                    relower_statistics(hazy, fixed, whiter);
                }).find("no background kept") != std::string::npos);
        // A shadow is no haze: with the four dates clear, the shadowed one stays out of the
        // background.
        const StackStats shadowed = stack_statistics(make_stack(false), lowered);
        for (int y = 12; y < 20; ++y)
            for (int x = 12; x < 20; ++x)
                for (int b = 0; b < 3; ++b)
                    QVERIFY(
                        std::abs(
                            shadowed.background[std::size_t(b) * n + std::size_t(y * kSize + x)] -
                            clear(b, y, x)) <= 3);
    }

    void compositeRecoversTheClearBase_data() {
        QTest::addColumn<int>("col");
        QTest::addColumn<int>("row");
        QTest::addColumn<unsigned>("seed");
        QTest::newRow("crop 1, seed 3") << 120 << 220 << 3u;
        QTest::newRow("crop 2, seed 11") << 320 << 420 << 11u;
        // bench_rgb_cloud --seed-base 200: its first four stacks, one per crop (seed 200 +
        // s on crop s % 4), all of them, as the bench draws them.
        const int crops[4][2] = {{120, 220}, {320, 420}, {100, 250}, {340, 420}};
        for (unsigned s = 0; s < 4; ++s)
            QTest::newRow(qPrintable(QString("bench crop %1, seed %2").arg(s + 1).arg(200 + s)))
                << crops[s][0] << crops[s][1] << 200 + s;
        // Thin clouds outnumber the clear date in places: 2.2 % of the pixels came from
        // cloudy dates until the hazy background was lowered (hazy_background.h).
        QTest::newRow("bench crop 3, seed 22") << 100 << 250 << 22u;
    }

    void compositeRecoversTheClearBase() {
        QFETCH(int, col);
        QFETCH(int, row);
        QFETCH(unsigned, seed);
        const Raster base = crop(col, row);
        rbtest::RgbStackOptions g;
        g.seed = seed;
        const auto st = rbtest::generate_rgb_stack(base, g);
        // The generator did what it says: 10-55 % cloud per date, gaps in half the dates.
        for (std::size_t d = 0; d < st.scenes.size(); ++d) {
            const double cover = double(std::count_if(st.cloud[d].begin(), st.cloud[d].end(),
                                                      [](float a) { return a > 0.1f; })) /
                                 double(base.band_size());
            QVERIFY2(cover >= 0.1 && cover < 0.6, qPrintable(QString::number(cover)));
            const auto v = pixel_validity(st.scenes[d]);
            QCOMPARE(std::count(v.begin(), v.end(), kInvalid) > 0, d % 2 == 1);
        }
        const Measured cloud = measure(st, base, "cloud");
        const Measured dist = measure(st, base, "median-distance");
        CompositeOptions median;
        median.method = "percentile";
        median.percentile = 50;
        const Measured med = measure(st, base, "darkness", median);
        qInfo("PSNR / pixels from cloudy dates (where a clear date was valid): cloud %.2f dB "
              "%.3f %% (%.3f %%), median-distance %.2f dB %.3f %% (%.3f %%), per-pixel median "
              "%.2f dB",
              cloud.psnr, 100 * cloud.cloudy, 100 * cloud.avoidable, dist.psnr, 100 * dist.cloudy,
              100 * dist.avoidable, med.psnr);
        QVERIFY2(cloud.psnr >= 30, qPrintable(QString::number(cloud.psnr)));
        // Some pixels are cloudy on every valid date (up to 1.8 % here at opacity 0.03): only
        // the picks a perfect mask avoids count.
        QVERIFY2(cloud.avoidable < 0.005, qPrintable(QString::number(cloud.avoidable)));
        QVERIFY(cloud.psnr > dist.psnr && cloud.psnr > med.psnr);
    }

    void strongGainDifferences() {
        const Raster base = crop(120, 220);
        rbtest::RgbStackOptions g;
        g.seed = 5;
        g.gain_sd = 0.15;
        g.offset_sd = 6;
        const auto st = rbtest::generate_rgb_stack(base, g);
        const Measured cloud = measure(st, base, "cloud");
        qInfo("strong gain/offset (gains %.2f..%.2f): cloud %.2f dB, %.3f %% from cloudy dates "
              "(%.3f %% avoidable)",
              *std::min_element(st.gain.begin(), st.gain.end()),
              *std::max_element(st.gain.begin(), st.gain.end()), cloud.psnr, 100 * cloud.cloudy,
              100 * cloud.avoidable);
        // Gains of 15 % make clear dates depart from the background as thin clouds do: far
        // fewer cloudy picks than median-distance still, but not the goal.
        const Measured dist = measure(st, base, "median-distance");
        QVERIFY2(cloud.avoidable < dist.avoidable / 4,
                 qPrintable(QString("%1 vs %2").arg(cloud.avoidable).arg(dist.avoidable)));
    }
};

QTEST_GUILESS_MAIN(RgbCloudTest)
#include "tst_rgb_cloud.moc"
