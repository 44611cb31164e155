// Score methods on known values, stack statistics, penalties, band roles, parameter tables
// and expression errors.
#include <QtTest>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/score.h"
#include "test_support.h"

using namespace rb;

namespace {

Raster make(DataType t, int bands, int rows, int cols, const std::vector<double>& v) {
    Raster r(t, bands, rows, cols);
    std::size_t k = 0;
    for (int b = 0; b < bands; ++b)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x)
                r.set_value(b, y, x, v[k++]);
    return r;
}

BandLayout layout_of(const Raster& r, std::vector<std::string> desc = {}) {
    BandLayout l;
    l.count = r.bands();
    l.dtype = r.dtype();
    l.descriptions = std::move(desc);
    l.label = "synthetic";
    return l;
}

using rbtest::error_of;

} // namespace

class ScoreTest : public QObject {
    Q_OBJECT
private slots:
    void paramTablesRoundTripAndCheckRanges() {
        for (const auto& name : score_method_names()) {
            ScoreOptions o = make_score_options(name);
            QCOMPARE(score_method_name(o), name);
            const auto params = score_params(o);
            QVERIFY(!params.empty());
            for (const auto& p : params) {
                // Setting each default back is a no-op, and get returns it.
                set_score_param(o, p.name, p.default_value);
                QCOMPARE(get_score_param(o, p.name), p.default_value);
                QVERIFY(!p.help.empty());
            }
            QCOMPARE(score_param_values(o).size(), params.size());
        }
        ScoreOptions c = make_score_options("cloud");
        set_score_param(c, "cloud_dilation", "5");
        QCOMPARE(std::get<CloudOptions>(c.method).cloud_dilation, 5);
        set_score_param(c, "swir_min", "0.05");
        QCOMPARE(std::get<CloudOptions>(c.method).swir_min, 0.05);
        set_score_param(c, "temporal", "off");
        QCOMPARE(std::get<CloudOptions>(c.method).temporal, false);
        set_score_param(c, "saturation_value", "65535");
        QCOMPARE(c.penalties.saturation_value, 65535.0);
        set_score_param(c, "layout", "sentinel2");
        QCOMPARE(c.roles.layout, std::string("sentinel2"));
        const std::string range = error_of([&] { set_score_param(c, "cloud_dilation", "-1"); });
        QVERIFY2(range.find("'cloud_dilation'") != std::string::npos &&
                     range.find("outside") != std::string::npos,
                 range.c_str());
        const std::string nan = error_of([&] { set_score_param(c, "ndvi_max", "abc"); });
        QVERIFY2(nan.find("not a number") != std::string::npos, nan.c_str());
        const std::string unknown = error_of([&] { set_score_param(c, "nope", "1"); });
        QVERIFY2(unknown.find("'cloud' has no parameter 'nope'") != std::string::npos &&
                     unknown.find("swir_min") != std::string::npos,
                 unknown.c_str());
        const std::string choice = error_of([&] { set_score_param(c, "layout", "modis"); });
        QVERIFY2(choice.find("not one of") != std::string::npos, choice.c_str());
        QVERIFY(error_of([] { make_score_options("brightest"); }).find("median-distance") !=
                std::string::npos);
    }

    void bandRolesFromDescriptionsLayoutsAndParameters() {
        BandLayout s2;
        s2.count = 13;
        for (const char* d : {"B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09",
                              "B10", "B11", "B12"})
            s2.descriptions.push_back(d);
        const BandRoles r = resolve_band_roles(s2);
        QCOMPARE(r[BandRole::Blue], 1);
        QCOMPARE(r[BandRole::Green], 2);
        QCOMPARE(r[BandRole::Red], 3);
        QCOMPARE(r[BandRole::Nir], 7);
        QCOMPARE(r[BandRole::Cirrus], 10);
        QCOMPARE(r[BandRole::Swir1], 11);
        QCOMPARE(r[BandRole::Swir2], 12);
        // The same from the named layout, without descriptions.
        BandLayout bare;
        bare.count = 13;
        BandRoleOptions o;
        o.layout = "sentinel2";
        QVERIFY(resolve_band_roles(bare, o) == r);
        QVERIFY(!resolve_band_roles(bare).has(BandRole::Red));
        // Words, colour interpretation, red edge is not red, and explicit roles win.
        BandLayout words;
        words.count = 4;
        words.descriptions = {"Red Edge 1", "Near Infrared", "SWIR 2", ""};
        words.colorinterp = {"", "", "", "Red"};
        const BandRoles w = resolve_band_roles(words);
        QCOMPARE(w[BandRole::Red], 3);
        QCOMPARE(w[BandRole::Nir], 1);
        QCOMPARE(w[BandRole::Swir2], 2);
        BandRoleOptions explicit_roles;
        explicit_roles.roles = "red=1,swir1=3";
        const BandRoles e = resolve_band_roles(words, explicit_roles);
        QCOMPARE(e[BandRole::Red], 0);
        QCOMPARE(e[BandRole::Swir1], 2);
        QCOMPARE(e.describe(), std::string("red=1 nir=2 swir1=3 swir2=3"));
        explicit_roles.roles = "red=9";
        QVERIFY(error_of([&] {
                    resolve_band_roles(words, explicit_roles);
                }).find("not a band of scene") != std::string::npos);
        explicit_roles.roles = "purple=1";
        QVERIFY(error_of([&] {
                    resolve_band_roles(words, explicit_roles);
                }).find("not ROLE=BAND") != std::string::npos);
        // A layout by position needs exactly the product's bands.
        BandRoleOptions tm;
        tm.layout = "landsat-tm";
        BandLayout four;
        four.count = 4;
        QVERIFY(error_of([&] { resolve_band_roles(four, tm); }).find("needs 7 bands") !=
                std::string::npos);
        // Without swir1 the cloud method runs its visible-band tests and names the role the
        // product lacks.
        const Scorer visible(make_score_options("cloud"), words);
        std::string warned;
        for (const auto& w : visible.roles().warnings())
            warned += w;
        QVERIFY2(warned.find("has no swir1 band") != std::string::npos, warned.c_str());
        QVERIFY2(visible.tests_run().find("off: swir") != std::string::npos,
                 visible.tests_run().c_str());
    }

    void darknessIsMinusTheWeightedMean() {
        const Raster r = make(DataType::UInt16, 2, 1, 3, {100, 200, 300, 10, 20, 1000});
        ScoreOptions o = make_score_options("darkness");
        set_score_param(o, "weights", "1,3");
        const Raster s = Scorer(o, layout_of(r)).score(r);
        for (int x = 0; x < 3; ++x)
            QCOMPARE(s.value(0, 0, x),
                     double(float(-(1 * r.value(0, 0, x) + 3 * r.value(1, 0, x)) / 4)));
        // Equal weighted sums are exact ties whatever the band values.
        const Raster t = make(DataType::Int16, 3, 1, 2, {316, 339, 3179, 3093, 1344, 1407});
        const Raster ts = Scorer(make_score_options("darkness"), layout_of(t)).score(t);
        QCOMPARE(ts.value(0, 0, 0), ts.value(0, 0, 1));
        // Only band 2, by number.
        set_score_param(o, "bands", "2");
        set_score_param(o, "weights", "");
        const Raster s2 = Scorer(o, layout_of(r)).score(r);
        QCOMPARE(s2.value(0, 0, 2), -1000.0);
        set_score_param(o, "weights", "1,2");
        QVERIFY(error_of([&] { Scorer(o, layout_of(r)); }).find("2 weights for 1 bands") !=
                std::string::npos);
        set_score_param(o, "bands", "nir");
        QVERIFY(error_of([&] { Scorer(o, layout_of(r)); }).find("no nir band") !=
                std::string::npos);
    }

    void darknessOnIntegerBandsIsTheDoubleFormulaBitForBit() {
        // Integer bands with whole-number weights are scored in int32 and float instead of
        // doubles: every value of the band types, under weights equal, unequal, negative
        // and fractional (the double path), must give the double formula's float exactly.
        std::mt19937 rng(5);
        for (const DataType t : {DataType::UInt8, DataType::UInt16, DataType::Int16}) {
            const double lo = t == DataType::Int16 ? -32768 : 0;
            const double hi = t == DataType::UInt8 ? 255 : t == DataType::UInt16 ? 65535 : 32767;
            const int cols = 4099; // not a multiple of any vector width or chunk
            Raster r(t, 3, 1, cols);
            std::uniform_real_distribution<double> any(lo, hi + 1);
            for (int b = 0; b < 3; ++b)
                for (int x = 0; x < cols; ++x)
                    r.set_value(b, 0, x, x < 8 ? (x % 2 ? hi : lo) : std::floor(any(rng)));
            for (const char* weights : {"", "1,2,3", "2,-1,1", "0.5,1,1.5", "255,255,255"}) {
                ScoreOptions o = make_score_options("darkness");
                set_score_param(o, "weights", weights);
                const Scorer scorer(o, layout_of(r));
                const Raster s = scorer.score(r);
                std::vector<float> row(std::size_t(cols), 0.0f);
                scorer.score_row(r, 0, row.data());
                std::vector<double> w{1.0, 1.0, 1.0};
                if (weights[0]) {
                    const QStringList parts = QString(weights).split(',');
                    for (int b = 0; b < 3; ++b)
                        w[std::size_t(b)] = parts[b].toDouble();
                }
                const double wsum = w[0] + w[1] + w[2];
                for (int x = 0; x < cols; ++x) {
                    double acc = 0;
                    for (int b = 0; b < 3; ++b)
                        acc += w[std::size_t(b)] * r.value(b, 0, x);
                    const float want = float(-acc / wsum);
                    const float got = float(s.value(0, 0, x));
                    if (std::bit_cast<std::uint32_t>(got) != std::bit_cast<std::uint32_t>(want) ||
                        std::bit_cast<std::uint32_t>(row[std::size_t(x)]) !=
                            std::bit_cast<std::uint32_t>(want))
                        QFAIL(qPrintable(QString("%1 weights '%2' pixel %3: %4 / %5, want %6")
                                             .arg(int(t))
                                             .arg(weights)
                                             .arg(x)
                                             .arg(double(got), 0, 'g', 9)
                                             .arg(double(row[std::size_t(x)]), 0, 'g', 9)
                                             .arg(double(want), 0, 'g', 9)));
                }
            }
        }
    }

    void invalidPixelsRankLast() {
        Raster r = make(DataType::Float32, 1, 1, 3, {1, NAN, 3});
        r.mask(0)[2] = kInvalid;
        const Raster s = Scorer(make_score_options("darkness"), layout_of(r)).score(r);
        QCOMPARE(s.value(0, 0, 0), -1.0);
        QCOMPARE(s.value(0, 0, 1), double(kInvalidScore));
        QCOMPARE(s.value(0, 0, 2), double(kInvalidScore));
        QVERIFY(!s.valid(0, 0, 1) && !s.valid(0, 0, 2) && s.valid(0, 0, 0));
        // A formula giving NaN on a valid pixel ranks after all other valid pixels.
        ScoreOptions o = make_score_options("expression");
        set_score_param(o, "expression", "sqrt(b1 - 2)");
        const Raster e = Scorer(o, layout_of(r)).score(r);
        QCOMPARE(e.value(0, 0, 0), double(std::numeric_limits<float>::lowest()));
        QVERIFY(e.valid(0, 0, 0));
    }

    void stackStatisticsOverValidObservations() {
        std::vector<Raster> st = {
            make(DataType::Int16, 1, 1, 3, {1, 5, 7}), make(DataType::Int16, 1, 1, 3, {4, 2, 7}),
            make(DataType::Int16, 1, 1, 3, {10, 3, 7}), make(DataType::Int16, 1, 1, 3, {0, 8, 7})};
        st[3].mask(0)[0] = kInvalid; // pixel 0: {1, 4, 10}
        for (auto& s : st)           // pixel 2 invalid everywhere
            s.mask(0)[2] = kInvalid;
        const StackStats ss = stack_statistics(st, {true, true, true, true, true});
        QCOMPARE(ss.median[0], 4.0f);
        QCOMPARE(ss.median[1], 4.0f); // {5, 2, 3, 8}: mean of 3 and 5
        QCOMPARE(ss.mean[0], 5.0f);
        QCOMPARE(ss.min[1], 2.0f);
        QCOMPARE(ss.max[1], 8.0f);
        QCOMPARE(ss.count[0], std::uint16_t(3));
        QCOMPARE(ss.count[1], std::uint16_t(4));
        QCOMPARE(ss.count[2], std::uint16_t(0));
        QVERIFY(std::isnan(ss.median[2]));
        std::vector<Raster> bad = {st[0], make(DataType::Int16, 1, 1, 2, {1, 2})};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, stack_statistics(bad, {true}));
    }

    void medianDistanceScoresTheDistanceToTheMedian() {
        const std::vector<Raster> st = {make(DataType::Float32, 2, 1, 2, {1, 1, 1, 1}),
                                        make(DataType::Float32, 2, 1, 2, {2, 2, 4, 5}),
                                        make(DataType::Float32, 2, 1, 2, {9, 3, 7, 0})};
        ScoreOptions o = make_score_options("median-distance");
        set_score_param(o, "radius", "0");
        const Scorer scorer(o, layout_of(st[0]));
        QVERIFY(scorer.requires_stack());
        QVERIFY(error_of([&] { scorer.score(st[0]); }).find("needs the stack") !=
                std::string::npos);
        const auto scores = score_stack(st, scorer);
        const StackStats ss = stack_statistics(st, {true});
        for (std::size_t i = 0; i < st.size(); ++i)
            for (int x = 0; x < 2; ++x) {
                const double d0 = st[i].value(0, 0, x) - ss.median[std::size_t(x)];
                const double d1 = st[i].value(1, 0, x) - ss.median[std::size_t(2 + x)];
                QCOMPARE(scores[i].value(0, 0, x),
                         double(float(-std::sqrt((d0 * d0 + d1 * d1) / 2))));
            }
        // The median scene itself scores 0 at pixel 0 (medians 2 and 4).
        QCOMPARE(scores[1].value(0, 0, 0), 0.0);
        // radius 1 averages the per-pixel distances over the window's valid pixels.
        set_score_param(o, "radius", "1");
        const auto smooth = score_stack(st, Scorer(o, layout_of(st[0])));
        for (std::size_t i = 0; i < st.size(); ++i) {
            const double mean = (scores[i].value(0, 0, 0) + scores[i].value(0, 0, 1)) / 2;
            QVERIFY(std::abs(smooth[i].value(0, 0, 0) - mean) < 1e-5);
            QVERIFY(std::abs(smooth[i].value(0, 0, 1) - mean) < 1e-5);
        }
    }

    void cloudTestsFlagCloudsShadowsAndDilate() {
        // Bands red, nir, swir1 as reflectance x 10000 (Int16, scale auto = 1e-4), 5x5.
        // Vegetation everywhere, one white cloud at (1,1), one dark shadow at (3,4).
        Raster r(DataType::Int16, 3, 5, 5);
        for (int y = 0; y < 5; ++y)
            for (int x = 0; x < 5; ++x) {
                r.set_value(0, y, x, 400);  // red
                r.set_value(1, y, x, 3000); // nir
                r.set_value(2, y, x, 1800); // swir1
            }
        r.set_value(0, 1, 1, 4500);
        r.set_value(1, 1, 1, 4800);
        r.set_value(2, 1, 1, 3000);
        r.set_value(0, 3, 4, 150);
        r.set_value(1, 3, 4, 700);
        r.set_value(2, 3, 4, 400);
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "roles", "red=1,nir=2,swir1=3");
        set_score_param(o, "cloud_dilation", "0");
        set_score_param(o, "shadow_dilation", "0");
        const Raster s = Scorer(o, layout_of(r)).score(r);
        for (int y = 0; y < 5; ++y)
            for (int x = 0; x < 5; ++x) {
                const double expect = (y == 1 && x == 1) ? -2 : (y == 3 && x == 4) ? -1 : 0;
                QCOMPARE(s.value(0, y, x), expect);
            }
        // A plain dilation (every pixel within reach) ...
        set_score_param(o, "cloud_dilation", "1");
        set_score_param(o, "cloud_grow_min", "0");
        const Scorer dil(o, layout_of(r));
        // The temporal tests' clear background (its window twice background_radius, 6) is
        // wider than the tie-break window (4) and the dilation.
        QCOMPARE(dil.halo(), 2 * StackStatsNeeds{}.background_radius);
        const Raster d = dil.score(r);
        int clouds = 0;
        for (int y = 0; y < 5; ++y)
            for (int x = 0; x < 5; ++x) {
                const bool near = std::abs(y - 1) <= 1 && std::abs(x - 1) <= 1;
                QCOMPARE(d.value(0, y, x) == -2, near);
                clouds += d.value(0, y, x) == -2;
            }
        QCOMPARE(clouds, 9);
        // ... but by default only into pixels that look like cloud themselves: the
        // vegetation around this cloud stays clear.
        set_score_param(o, "cloud_grow_min", "0.5");
        const Raster g = Scorer(o, layout_of(r)).score(r);
        for (int y = 0; y < 5; ++y)
            for (int x = 0; x < 5; ++x)
                QCOMPARE(g.value(0, y, x) == -2, y == 1 && x == 1);
        // The cirrus band alone flags cloud when present: its probability is cirrus /
        // cirrus_full (0.04), so 0.05 is cloud and 0.001 is not.
        Raster c(DataType::Float32, 4, 1, 1);
        for (int b = 0; b < 3; ++b)
            c.set_value(b, 0, 0, std::vector<double>{0.04, 0.3, 0.18}[std::size_t(b)]);
        c.set_value(3, 0, 0, 0.05);
        ScoreOptions ci = make_score_options("cloud");
        set_score_param(ci, "roles", "red=1,nir=2,swir1=3,cirrus=4");
        QCOMPARE(Scorer(ci, layout_of(c)).score(c).value(0, 0, 0), -2.0);
        c.set_value(3, 0, 0, 0.001);
        QCOMPARE(Scorer(ci, layout_of(c)).score(c).value(0, 0, 0), 0.0);
    }

    void cloudOverWaterAndRelativeTemperature() {
        // Reflectance (Float32) red, nir, swir1 and a thermal band in degrees C, 1x4:
        // clear water, water under thin cloud (bright at swir1), and the same bright ground
        // warm (25 C) and cold (5 C). The scene's sampled median temperature is 15 C.
        const std::vector<std::array<double, 4>> px = {{0.03, 0.02, 0.005, 15},
                                                       {0.09, 0.07, 0.06, 12},
                                                       {0.25, 0.3, 0.28, 25},
                                                       {0.25, 0.3, 0.28, 5}};
        Raster r(DataType::Float32, 4, 1, 4);
        for (int x = 0; x < 4; ++x)
            for (int b = 0; b < 4; ++b)
                r.set_value(b, 0, x, px[std::size_t(x)][std::size_t(b)]);
        ScoreOptions o = make_score_options("cloud");
        set_score_param(o, "roles", "red=1,nir=2,swir1=3,thermal=4");
        set_score_param(o, "cloud_dilation", "0");
        BandLayout sampled = layout_of(r);
        sampled.ranges = sample_band_ranges(r);
        QCOMPARE(sampled.ranges[3].median, 15.0);
        auto cloud = [&](const ScoreOptions& opt, const BandLayout& l) {
            const Raster s = Scorer(opt, l).score(r);
            std::vector<bool> out;
            for (int x = 0; x < 4; ++x)
                out.push_back(s.value(0, 0, x) <= -1.5);
            return out;
        };
        // Water's cloud probability is its swir1 brightness; ground warmer than the scene's
        // median + thermal_margin (19 C) is not cloud, colder ground is.
        QCOMPARE(cloud(o, sampled), (std::vector<bool>{false, true, false, true}));
        // Without the scene's temperatures (nothing sampled) only thermal_max (27 C) applies.
        QCOMPARE(cloud(o, layout_of(r)), (std::vector<bool>{false, true, true, true}));
        // Without the water test the thin cloud over water is too dark to be cloud.
        ScoreOptions dry = o;
        set_score_param(dry, "water_swir1_width", "0");
        QCOMPARE(cloud(dry, sampled), (std::vector<bool>{false, false, false, true}));
        // A thermal band not in degrees (kelvins) takes no part in either test.
        ScoreOptions kelvin = o;
        set_score_param(kelvin, "thermal_offset", "273.15");
        QCOMPARE(cloud(kelvin, sampled), (std::vector<bool>{false, true, true, true}));
    }

    void maskMapsValuesBitsAndLinear() {
        const Raster q = make(DataType::UInt16, 1, 1, 5, {0, 2, 4, 9, 24});
        ScoreOptions o = make_score_options("mask");
        set_score_param(o, "band", "1");
        set_score_param(o, "mapping", "0=1,2=-1,4=invalid");
        set_score_param(o, "default_score", "-7");
        const Raster v = Scorer(o, layout_of(q)).score(q);
        QCOMPARE(v.value(0, 0, 0), 1.0);
        QCOMPARE(v.value(0, 0, 1), -1.0);
        QVERIFY(!v.valid(0, 0, 2));
        QCOMPARE(v.value(0, 0, 3), -7.0);
        set_score_param(o, "mode", "bits");
        set_score_param(o, "mapping", "3=-2,4=-1");
        const Raster b = Scorer(o, layout_of(q)).score(q);
        QCOMPARE(b.value(0, 0, 0), 0.0);
        QCOMPARE(b.value(0, 0, 3), -2.0); // 9 = bits 0 and 3
        QCOMPARE(b.value(0, 0, 4), -3.0); // 24 = bits 3 and 4
        set_score_param(o, "mode", "linear");
        set_score_param(o, "scale", "-0.5");
        set_score_param(o, "offset", "1");
        const Raster l = Scorer(o, layout_of(q)).score(q);
        QCOMPARE(l.value(0, 0, 4), -11.0);
        set_score_param(o, "mode", "values");
        set_score_param(o, "mapping", "0=1,x");
        QVERIFY(error_of([&] { Scorer(o, layout_of(q)); }).find("'x' is not VALUE=SCORE") !=
                std::string::npos);
        set_score_param(o, "mapping", "");
        set_score_param(o, "band", "2");
        QVERIFY(error_of([&] { Scorer(o, layout_of(q)); }).find("has no band 2") !=
                std::string::npos);
    }

    void expressionsOverBandsAndStatistics() {
        const std::vector<Raster> st = {make(DataType::Int16, 2, 1, 3, {1, 2, 3, 10, 20, 30}),
                                        make(DataType::Int16, 2, 1, 3, {5, 5, 5, 0, 0, 0}),
                                        make(DataType::Int16, 2, 1, 3, {9, 1, 4, 1, 1, 1})};
        ScoreOptions o = make_score_options("expression");
        set_score_param(o, "expression", "b1 - 2*b2");
        const Scorer plain(o, layout_of(st[0]));
        QVERIFY(!plain.requires_stack());
        const Raster s = plain.score(st[0]);
        for (int x = 0; x < 3; ++x)
            QCOMPARE(s.value(0, 0, x), st[0].value(0, 0, x) - 2 * st[0].value(1, 0, x));
        set_score_param(o, "expression", "-abs(b1 - median_b1) + count / 10 + max_b2 - min_b2");
        const Scorer stat(o, layout_of(st[0]));
        QVERIFY(stat.requires_stack());
        const auto scores = score_stack(st, stat);
        const StackStats ss = stack_statistics(st, {true, false, true, true, true});
        for (std::size_t i = 0; i < st.size(); ++i)
            for (int x = 0; x < 3; ++x) {
                const double expect = -std::abs(st[i].value(0, 0, x) - ss.median[std::size_t(x)]) +
                                      0.3 + ss.max[std::size_t(3 + x)] - ss.min[std::size_t(3 + x)];
                QVERIFY(std::abs(scores[i].value(0, 0, x) - expect) < 1e-5);
            }
        QVERIFY(error_of([&] { stat.score(st[0]); }).find("needs the stack") != std::string::npos);
    }

    void badExpressionsReportPositionAndProblem() {
        const Raster r = make(DataType::Int16, 3, 1, 1, {1, 2, 3});
        auto err = [&](const std::string& expr) {
            ScoreOptions o = make_score_options("expression");
            set_score_param(o, "expression", expr);
            return error_of([&] { Scorer(o, layout_of(r)); });
        };
        const std::string op = err("b1 + * b2");
        QVERIFY2(op.find("'b1 + * b2'") != std::string::npos &&
                     op.find("position 5") != std::string::npos,
                 op.c_str());
        const std::string var = err("b1 + b4");
        QVERIFY2(var.find("unknown variable 'b4' at position 5") != std::string::npos &&
                     var.find("b1..b3") != std::string::npos,
                 var.c_str());
        const std::string paren = err("(b1 + b2");
        QVERIFY2(paren.find("position") != std::string::npos, paren.c_str());
        const std::string median = err("median_b9");
        QVERIFY2(median.find("unknown variable 'median_b9' at position 0") != std::string::npos,
                 median.c_str());
        QVERIFY(err("b1 * median_b3 + count").empty());
        // '=' assigns in muparser ("b1=5" scored 5 everywhere): refused; comparisons are not.
        const std::string assign = err("b1=5");
        QVERIFY2(assign.find("'=' at position 2 would assign; compare with '=='") !=
                     std::string::npos,
                 assign.c_str());
        QVERIFY(err("(b1 == 1) + (b2 >= 2) + (b3 <= 3) + (b1 != b2)").empty());
    }

    void penaltiesSaturationAndDistanceToInvalid() {
        // 1x6 row: an invalid pixel at x = 0; x = 5 saturated.
        Raster r = make(DataType::UInt8, 1, 1, 6, {0, 10, 10, 10, 10, 255});
        r.mask(0)[0] = kInvalid;
        ScoreOptions o = make_score_options("expression");
        set_score_param(o, "expression", "0");
        set_score_param(o, "saturation_value", "255");
        set_score_param(o, "saturation_penalty", "100");
        set_score_param(o, "invalid_distance", "2");
        set_score_param(o, "invalid_distance_penalty", "4");
        const Scorer scorer(o, layout_of(r));
        QCOMPARE(scorer.halo(), 2);
        const Raster s = scorer.score(r);
        QVERIFY(!s.valid(0, 0, 0));
        QCOMPARE(s.value(0, 0, 1), -4.0); // distance 1: full penalty
        QCOMPARE(s.value(0, 0, 2), -2.0); // distance 2: half
        QCOMPARE(s.value(0, 0, 3), 0.0);
        QCOMPARE(s.value(0, 0, 5), -100.0);
    }

    void distanceToInvalidIsTheChessboardDistance() {
        // 2-D: the penalty at each pixel follows the chessboard distance to the nearest
        // invalid pixel, checked against a brute-force search.
        const int rows = 31, cols = 47, D = 4;
        std::vector<double> v(std::size_t(rows) * cols, 10.0);
        Raster r = make(DataType::UInt8, 1, rows, cols, v);
        r.ensure_mask();
        std::vector<std::pair<int, int>> holes = {{3, 5}, {3, 6}, {20, 40}, {30, 0}, {15, 20}};
        for (auto [y, x] : holes)
            r.mask(0)[std::size_t(y) * cols + std::size_t(x)] = kInvalid;
        ScoreOptions o = make_score_options("expression");
        set_score_param(o, "expression", "0");
        set_score_param(o, "invalid_distance", std::to_string(D));
        set_score_param(o, "invalid_distance_penalty", "8");
        const Raster s = Scorer(o, layout_of(r)).score(r);
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                int d = 1 << 20;
                for (auto [hy, hx] : holes)
                    d = std::min(d, std::max(std::abs(y - hy), std::abs(x - hx)));
                if (d == 0) {
                    QVERIFY(!s.valid(0, y, x));
                    continue;
                }
                const double expect = d <= D ? -8.0 * (D + 1 - d) / D : 0.0;
                QCOMPARE(s.value(0, y, x), expect);
            }
    }

    void subsampledStatisticsEqualStatisticsOfTheSubsampledStack() {
        // The coarse first preview reuses the full view's statistics: that must equal
        // computing them on the subsampled scenes (odd sizes, masked samples included).
        const int rows = 9, cols = 14, step = 2;
        std::vector<Raster> scenes;
        for (int i = 0; i < 5; ++i) {
            std::vector<double> v;
            for (int k = 0; k < 2 * rows * cols; ++k)
                v.push_back(double((k * 37 + i * 101) % 97));
            Raster r = make(DataType::Int16, 2, rows, cols, v);
            r.ensure_mask();
            for (int k = i; k < rows * cols; k += 7)
                r.mask(1)[std::size_t(k)] = kInvalid;
            scenes.push_back(r);
        }
        StackStatsNeeds needs;
        needs.median = needs.mean = needs.min = needs.max = needs.count = true;
        const StackStats coarse = subsample(stack_statistics(scenes, needs), step);
        std::vector<Raster> small;
        for (const auto& r : scenes) {
            small.push_back(subsample(r, step));
            QCOMPARE(small.back().rows(), 5);
            QCOMPARE(small.back().cols(), 7);
            for (int y = 0; y < 5; ++y)
                for (int x = 0; x < 7; ++x)
                    for (int b = 0; b < 2; ++b) {
                        QCOMPARE(small.back().value(b, y, x), r.value(b, y * step, x * step));
                        QCOMPARE(small.back().valid(b, y, x), r.valid(b, y * step, x * step));
                    }
        }
        const StackStats direct = stack_statistics(small, needs);
        QCOMPARE(coarse.rows, direct.rows);
        QCOMPARE(coarse.cols, direct.cols);
        QCOMPARE(coarse.count, direct.count);
        for (const auto& [a, b] : {std::pair{&coarse.median, &direct.median},
                                   {&coarse.mean, &direct.mean},
                                   {&coarse.min, &direct.min},
                                   {&coarse.max, &direct.max}}) {
            QCOMPARE(a->size(), b->size());
            for (std::size_t k = 0; k < a->size(); ++k)
                QVERIFY((std::isnan((*a)[k]) && std::isnan((*b)[k])) || (*a)[k] == (*b)[k]);
        }
        QVERIFY_THROWS_EXCEPTION(ArgumentError, subsample(scenes[0], 0));
    }
};

QTEST_GUILESS_MAIN(ScoreTest)
#include "tst_score.moc"
