// The full cloud kernel's verdicts computed in vectorized passes (engine/src/score/
// cloud_lanes.h) against the same verdicts from the per-pixel functions they replace in
// the kernel and that the scene statistics still use (cloud_spectral, fmask_probability,
// temporal_verdict), written out pixel by pixel as the kernel's loop had them. They must be
// equal bit for bit: cloud, shadow, probability and tie-break of every pixel,
// - for every set of optional bands (blue, green, swir2, cirrus, thermal);
// - with the fixed probabilities and with Fmask's scene statistics (with and without clear
//   water), temperatures relative to the scene's or not, a brightness step or ramp;
// - with bands stored as scaled and offset Int16, UInt16 or Int32 or as Float32, converted a
//   block at a time where the functions see whole reflectance planes (band_plane's formula);
//   the first three types have passes of their own, Int32 the passes for any type;
// - with the temporal tests on one to three visible bands (the date over its gain, the
//   background as the stack statistics keep it), the background unknown at some pixels,
//   and without them;
// - with thresholds a float cannot hold, and some just above or below a pixel's own value
//   (where comparing in float instead of double would flip a verdict);
// - on ranges that do not start at 0 nor end on a block boundary;
// - with the distance to the background wanted or not (then its plane is left alone);
// - and the inputs a pass keeps (cloud_verdicts_from_inputs), alone or with tests'
//   thresholds moved (those tests made again: from the bands, moved_tests_again, or for a
//   temporal test from the date's lanes, temporal_tests_again), give under changed options
//   the verdicts a new pass gives.
// Before Qt: TBB (in scorer_impl.h) names a member `emit`, which Qt defines as a macro.
#include "cloud_lanes.h"
#include "cloud_tests.h"
#include "scorer_impl.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace rb;
using namespace rb::detail;

namespace {

// A band stored as Float32, Int16, UInt16 or Int32, and the reflectance band_plane makes of it
// (what the per-pixel functions see). Int32 takes the passes' path for any type.
struct StoredBand {
    std::vector<float> f32;
    std::vector<std::int16_t> i16;
    std::vector<std::uint16_t> u16;
    std::vector<std::int32_t> i32;
    LaneBand lane;
    std::vector<float> refl;
};

StoredBand store(const std::vector<float>& value, DataType storage, float scale, float offset) {
    StoredBand b;
    const std::size_t n = value.size();
    b.refl.resize(n);
    b.lane.scale = scale;
    b.lane.offset = offset;
    if (storage == DataType::UInt16) {
        b.u16.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double raw = std::isnan(value[i]) ? 0.0 : std::round((value[i] - offset) / scale);
            b.u16[i] = std::uint16_t(std::clamp(raw, 0.0, 65535.0));
            b.refl[i] = scale * static_cast<float>(b.u16[i]) + offset;
        }
        b.lane.dtype = DataType::UInt16;
        b.lane.data = b.u16.data();
    } else if (storage == DataType::Int16) {
        b.i16.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double raw =
                std::isnan(value[i]) ? -32768.0 : std::round((value[i] - offset) / scale);
            b.i16[i] = std::int16_t(std::clamp(raw, -32768.0, 32767.0));
            b.refl[i] = scale * static_cast<float>(b.i16[i]) + offset;
        }
        b.lane.dtype = DataType::Int16;
        b.lane.data = b.i16.data();
    } else if (storage == DataType::Int32) {
        b.i32.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double raw =
                std::isnan(value[i]) ? -32768.0 : std::round((value[i] - offset) / scale);
            b.i32[i] = std::int32_t(std::clamp(raw, -32768.0, 65535.0));
            b.refl[i] = scale * static_cast<float>(b.i32[i]) + offset;
        }
        b.lane.dtype = DataType::Int32;
        b.lane.data = b.i32.data();
    } else {
        b.f32 = value;
        for (std::size_t i = 0; i < n; ++i)
            b.refl[i] = scale * b.f32[i] + offset;
        b.lane.dtype = DataType::Float32;
        b.lane.data = b.f32.data();
    }
    return b;
}

struct Scene {
    StoredBand blue, green, red, nir, swir1, swir2, cirrus, thermal;
    std::vector<std::uint8_t> valid;
    // The temporal tests: the background as StackStats keeps it (stored units) and each
    // visible band's gain; as temporal_planes makes them, the date over its gain and the
    // background as reflectance.
    std::vector<std::vector<float>> background;
    std::vector<float> gains;
    std::vector<std::vector<float>> vis, bg;
};

// Pixels of every kind the tests tell apart: vegetation, soil, water, bright and hazy
// cloud, shadow, snow, zeros; invalid pixels hold NaN (the lowest Int16).
Scene make_scene(std::mt19937& rng, std::size_t n, int visible_bands, DataType storage) {
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<float> blue(n), green(n), red(n), nir(n), swir1(n), swir2(n), cirrus(n), thermal(n);
    Scene s;
    s.valid.resize(n);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 0; i < n; ++i) {
        const int kind = int(u(rng) * 8);
        const float base = 0.02f + 0.6f * u(rng);
        float b = base, g = base, r = base, ni = base, s1 = base, s2 = base;
        switch (kind) {
        case 0: // vegetation
            r = 0.03f + 0.05f * u(rng), ni = 0.25f + 0.3f * u(rng), s1 = 0.1f + 0.1f * u(rng);
            break;
        case 1: // water
            ni = 0.01f + 0.1f * u(rng), s1 = 0.005f + 0.05f * u(rng), s2 = 0.5f * s1;
            break;
        case 2: // cloud, slightly tinted
            b = base + 0.05f * u(rng), g = base, r = base - 0.02f * u(rng);
            ni = base, s1 = 0.8f * base, s2 = 0.6f * base;
            break;
        case 3: // shadow
            b = g = r = 0.02f * u(rng), ni = 0.05f * u(rng), s1 = 0.05f * u(rng);
            break;
        case 4: // snow: bright visible, dark swir
            s1 = 0.05f * u(rng), s2 = 0.03f * u(rng);
            break;
        case 5: // zeros and a negative reflectance
            b = g = r = ni = s1 = s2 = (u(rng) < 0.5f ? 0.0f : -0.01f);
            break;
        default: // anything
            b = u(rng), g = u(rng), r = u(rng), ni = u(rng), s1 = u(rng), s2 = u(rng);
        }
        blue[i] = b, green[i] = g, red[i] = r, nir[i] = ni, swir1[i] = s1, swir2[i] = s2;
        cirrus[i] = 0.05f * u(rng) - 0.005f;
        // Degrees C around 20, a few out of the calibrated range (raw numbers).
        thermal[i] = u(rng) < 0.05f ? 300 + 50 * u(rng) : -30 + 60 * u(rng);
        s.valid[i] = u(rng) < 0.9f;
        if (!s.valid[i])
            blue[i] = green[i] = red[i] = nir[i] = swir1[i] = swir2[i] = nan;
    }
    // Reflectance as scaled integers (offset too) or as floats.
    const bool integers = storage != DataType::Float32;
    const float scale = integers ? 1e-4f : 1.0f, offset = integers ? -0.02f : 0.0f;
    s.blue = store(blue, storage, scale, offset);
    s.green = store(green, storage, scale, offset);
    s.red = store(red, storage, scale, offset);
    s.nir = store(nir, storage, scale, offset);
    s.swir1 = store(swir1, storage, scale, offset);
    s.swir2 = store(swir2, storage, scale, offset);
    s.cirrus = store(cirrus, storage, scale, offset);
    s.thermal = store(thermal, storage, integers ? 0.01f : 1.0f, 0.0f);
    for (int k = 0; k < visible_bands; ++k) {
        const StoredBand& band = k == 0 ? s.blue : k == 1 ? s.green : s.red;
        const float gain = 0.85f + 0.3f * u(rng);
        std::vector<float> stored(n), vis(n), bg(n);
        for (std::size_t i = 0; i < n; ++i) {
            // The background is unknown (NaN) at some pixels, the same ones in every band.
            stored[i] = i % 7 == 0 ? nan : (0.05f + 0.3f * u(rng) - offset) / scale;
            bg[i] = scale * stored[i] + offset;
            vis[i] = band.refl[i] / gain;
        }
        s.gains.push_back(gain);
        s.background.push_back(std::move(stored));
        s.vis.push_back(std::move(vis));
        s.bg.push_back(std::move(bg));
    }
    return s;
}

struct Expected {
    std::uint8_t cloud = 0, shadow = 0;
    float prob = 0, tie = 0;
};

// The kernel's per-pixel loop, as it was: what the passes must reproduce.
Expected reference(const CloudOptions& o, const CloudLaneScene& sc, const TemporalPlanes* tp,
                   const Scene& s, const CloudBands& b, std::size_t i) {
    Expected e;
    if (!s.valid[i])
        return e;
    static const std::vector<float> none;
    CloudPixel x =
        cloud_pixel(b.blue.data ? s.blue.refl : none, b.green.data ? s.green.refl : none,
                    s.red.refl, s.nir.refl, s.swir1.refl, b.swir2.data ? s.swir2.refl : none, i);
    if (b.thermal.data) {
        const double t = s.thermal.refl[i] * o.thermal_scale + o.thermal_offset;
        if (t >= kMinCelsius && t <= kMaxCelsius)
            x.celsius = float(t);
    }
    const CloudSpectral spec = cloud_spectral(o, x);
    const CloudSceneStats& st = sc.stats;
    float p = 0;
    bool is_cloud = false;
    auto clamp01 = [](float v) { return std::clamp(v, 0.0f, 1.0f); };
    if (st.land) {
        bool over_water = false;
        p = fmask_probability(o, st, x, spec, &over_water);
        if (b.cirrus.data)
            p += fmask_thin_probability(o, s.cirrus.refl[i]);
        is_cloud = (spec.pcp && p > (over_water ? st.water_threshold : st.land_threshold)) ||
                   (!std::isnan(x.celsius) && x.celsius < st.land_low - kColdCloud);
    } else {
        const bool t_relative = !std::isnan(sc.thermal_median) && o.thermal_ramp > 0;
        const double t_warm = sc.thermal_median + o.thermal_margin;
        const float b_lo = float(o.brightness_min - 0.5 * o.brightness_width);
        const float b_w = float(o.brightness_width);
        if (spec.pcp) {
            float t_prob = 1;
            if (t_relative && !std::isnan(x.celsius))
                t_prob = clamp01(float((t_warm - x.celsius) / o.thermal_ramp));
            if (o.water_swir1_width > 0 && spec.water) {
                p = clamp01((x.swir1 - float(o.water_swir1_min)) / float(o.water_swir1_width));
            } else {
                const float bright = b_w > 0 ? clamp01((spec.vis_mean - b_lo) / b_w)
                                             : (spec.vis_mean >= b_lo ? 1.0f : 0.0f);
                p = clamp01(1 - spec.variability) * bright;
            }
            p *= t_prob;
        }
        if (b.cirrus.data)
            p += clamp01(s.cirrus.refl[i] / float(o.cirrus_full));
        is_cloud = p >= o.cloud_probability;
    }
    e.prob = p;
    bool is_shadow = x.nir < o.shadow_nir_max && x.swir1 < o.shadow_swir1_max;
    if (tp && !std::isnan(tp->bg[0][i])) {
        const TemporalVerdict v =
            temporal_verdict(*tp, i, is_cloud, float(o.temporal_cloud), float(o.temporal_shadow));
        is_cloud = v.cloud;
        is_shadow = v.shadow;
        e.tie = v.tie;
    }
    e.cloud = is_cloud;
    e.shadow = is_shadow && !is_cloud;
    return e;
}

bool same_float(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

class TestCloudLanes : public QObject {
    Q_OBJECT
private slots:
    void thresholdHelpersSplitTheFloatsAsDoublesDo();
    void passesEqualThePerPixelFunctions();
};

void TestCloudLanes::thresholdHelpersSplitTheFloatsAsDoublesDo() {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-2.0, 2.0);
    for (int c = 0; c < 20000; ++c) {
        double t = u(rng);
        const float x = float(u(rng));
        if (c % 4 == 1) // a threshold just beside a float's value
            t = double(x) + (c % 8 == 1 ? 1e-12 : -1e-12);
        if (c % 4 == 2) // exactly a float's value
            t = double(x);
        QCOMPARE(x > float_below(t), double(x) > t);
        QCOMPARE(x <= float_below(t), double(x) <= t);
        QCOMPARE(x < float_above(t), double(x) < t);
        QCOMPARE(x >= float_above(t), double(x) >= t);
    }
    // Beyond the floats' range.
    QVERIFY(!(std::numeric_limits<float>::max() > float_below(1e300)));
    QVERIFY(std::numeric_limits<float>::max() < float_above(1e300));
}

// The inputs a pass keeps (scenes judged by the fixed probabilities) give, under new
// probability options, the verdicts a new pass gives: cloud, shadow and probability bit for
// bit. Returns how many cloud verdicts the new options changed.
// The option of a varied threshold, and how far a change moves it.
double* varied_option(CloudOptions& o, CloudVaried v, double* span) {
    switch (v) {
    case CloudVaried::SwirMin:
        return *span = 0.04, &o.swir_min;
    case CloudVaried::NdviMax:
        return *span = 0.6, &o.ndvi_max;
    case CloudVaried::NirSwir1Min:
        return *span = 0.5, &o.nir_swir1_min;
    case CloudVaried::NdsiMax:
        return *span = 0.6, &o.ndsi_max;
    case CloudVaried::WhitenessMax:
        return *span = 0.6, &o.whiteness_max;
    case CloudVaried::HotMin:
        return *span = 0.1, &o.hot_min;
    case CloudVaried::ThermalMax:
        return *span = 30, &o.thermal_max;
    case CloudVaried::TemporalCloud:
        return *span = 0.06, &o.temporal_cloud;
    case CloudVaried::TemporalShadow:
        return *span = 0.06, &o.temporal_shadow;
    case CloudVaried::ShadowNirMax:
        return *span = 0.1, &o.shadow_nir_max;
    case CloudVaried::ShadowSwir1Max:
        return *span = 0.1, &o.shadow_swir1_max;
    case CloudVaried::None:
        break;
    }
    return nullptr;
}

// Pixel i of a band as reflectance (the passes' conversion).
float reflectance(const LaneBand& b, std::size_t i) {
    float v = 0;
    visit_dtype(b.dtype, [&](auto x) {
        using T = decltype(x);
        v = b.scale * static_cast<float>(static_cast<const T*>(b.data)[i]) + b.offset;
    });
    return v;
}

// The value spectral or shadow test `v` compares at pixel i (cloud_spectral's formulas), NaN
// where the scene lacks the test's bands.
float spectral_value(const CloudOptions& o, const CloudBands& b, CloudVaried v, std::size_t i) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    auto at = [&](const LaneBand& x) { return x.data ? reflectance(x, i) : nan; };
    const float red = at(b.red), nir = at(b.nir), swir1 = at(b.swir1);
    switch (v) {
    case CloudVaried::SwirMin:
        return b.swir2.data ? at(b.swir2) : swir1;
    case CloudVaried::NdviMax:
        return ndvi_of(red, nir);
    case CloudVaried::NirSwir1Min:
        return nir_swir1_of(nir, swir1);
    case CloudVaried::NdsiMax:
        return ndsi_of(at(b.green), swir1);
    case CloudVaried::WhitenessMax: {
        const int vis_n = 1 + (b.blue.data != nullptr) + (b.green.data != nullptr);
        if (vis_n < 2)
            return nan;
        float mean = red;
        for (const LaneBand* x : {&b.blue, &b.green})
            if (x->data)
                mean += at(*x);
        mean /= float(vis_n);
        float dev = std::abs(red - mean);
        for (const LaneBand* x : {&b.blue, &b.green})
            if (x->data)
                dev += std::abs(at(*x) - mean);
        return dev / std::max(mean, 1e-6f) / float(vis_n);
    }
    case CloudVaried::HotMin:
        return hot_of(at(b.blue), red);
    case CloudVaried::ThermalMax:
        return b.thermal.data
                   ? float(double(reflectance(b.thermal, i)) * o.thermal_scale + o.thermal_offset)
                   : nan;
    case CloudVaried::ShadowNirMax:
        return nir;
    case CloudVaried::ShadowSwir1Max:
        return swir1;
    default:
        return nan;
    }
}

// The value temporal test `v` compares at pixel i of the date `t` (temporal_verdict's
// formulas: the brightest excess over the background, or the visible mean's darkness below
// it), and its margin for the gain into `margin`.
float temporal_value(const LaneTemporal& t, CloudVaried v, std::size_t i, float* margin) {
    float excess = -1e30f, vis = 0, bg = 0;
    for (std::size_t k = 0; k < t.vis.size(); ++k) {
        const float date = reflectance(t.vis[k], i) / t.gains[k];
        const float back = t.scale * t.background[k][i] + t.offset;
        excess = std::max(excess, date - back);
        vis += date;
        bg += back;
    }
    const float nv = float(t.vis.size());
    *margin = kGainMargin * (bg / nv);
    return v == CloudVaried::TemporalCloud ? excess : bg / nv - vis / nv;
}

// The inputs of a pass that keeps them give under three changes of the probability options
// and of test `varied`'s threshold (None: none) the verdicts a new pass gives; the pass that
// keeps them gives the verdicts of one that does not. The threshold is moved through the
// failures the pass keeps (CloudInputPlanes::fails): that test made again, from the bands
// (a spectral or shadow test's) or from the date's lanes (a temporal test's), and on the last
// change another spectral test's too. Returns how many verdicts the changes flipped.
std::size_t check_inputs(std::mt19937& rng, const CloudOptions& o, const CloudLaneScene& sc,
                         const CloudBands& b, const std::vector<std::uint8_t>& valid, std::size_t n,
                         CloudVaried varied) {
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<float> vis_mean(n), factor(n), t_prob(n), cirrus(n), prob(n), tested(n), margin(n);
    std::vector<std::uint8_t> cls(n), cloud(n), shadow(n), fails(n);
    const bool temporal_test =
        varied == CloudVaried::TemporalCloud || varied == CloudVaried::TemporalShadow;
    const bool has_test = varied != CloudVaried::None && (!temporal_test || sc.temporal);
    CloudInputPlanes inputs;
    inputs.vis_mean = vis_mean.data();
    inputs.factor = factor.data();
    inputs.t_prob = b.thermal.data ? t_prob.data() : nullptr;
    inputs.cirrus = b.cirrus.data ? cirrus.data() : nullptr;
    inputs.cls = cls.data();
    inputs.fails = fails.data();
    CloudInputPlanes moved = inputs;
    if (has_test) {
        moved.moved = moved_bit_of(varied);
        moved.bands = &b;
        moved.temporal = sc.temporal;
        // The value the test compares (a temporal test's with its margin): where the
        // threshold is set at a pixel's own value below.
        for (std::size_t i = 0; i < n; ++i)
            tested[i] = temporal_test ? temporal_value(*sc.temporal, varied, i, &margin[i])
                                      : spectral_value(o, b, varied, i);
    }
    cloud_verdicts(o, sc, b, valid.data(), 0, n,
                   {cloud.data(), shadow.data(), prob.data(), nullptr, inputs});
    {
        std::vector<std::uint8_t> c0(n), s0(n);
        std::vector<float> p0(n);
        cloud_verdicts(o, sc, b, valid.data(), 0, n,
                       {c0.data(), s0.data(), p0.data(), nullptr, {}});
        for (std::size_t i = 0; i < n; ++i)
            if (c0[i] != cloud[i] || s0[i] != shadow[i] || !same_float(p0[i], prob[i])) {
                QTest::qFail(qPrintable(QStringLiteral("varied %1, pixel %2: the pass keeping "
                                                       "the inputs gave other verdicts")
                                            .arg(int(varied))
                                            .arg(i)),
                             __FILE__, __LINE__);
                return 0;
            }
    }
    std::size_t flips = 0;
    for (int change = 0; change < 3; ++change) {
        CloudOptions o2 = o;
        o2.brightness_min = 0.05 + 0.2 * u(rng);
        o2.brightness_width = change == 2 ? 0 : 0.05 + 0.2 * u(rng);
        o2.cloud_probability = 0.2 + 0.6 * u(rng);
        // The water's brightness (its width only while the water test runs: the inputs
        // are kept for one state of it).
        o2.water_swir1_min = 0.1 * u(rng);
        if (o.water_swir1_width > 0)
            o2.water_swir1_width = 0.005 + 0.05 * u(rng);
        double span = 0;
        if (change == 2 && has_test) {
            // Another spectral test besides.
            const CloudVaried other =
                varied == CloudVaried::HotMin ? CloudVaried::NdviMax : CloudVaried::HotMin;
            *varied_option(o2, other, &span) += (double(u(rng)) - 0.5) * span;
            moved.moved = std::uint16_t(moved.moved | moved_bit_of(other));
        }
        if (double* t = varied_option(o2, varied, &span)) {
            *t += (double(u(rng)) - 0.5) * span;
            // The threshold at a pixel's own value (change 1: the comparison's strictness
            // shows) or just beside it, where a double and its float part (change 2); for a
            // temporal test, where the value equals the threshold plus the margin.
            const bool below = varied == CloudVaried::SwirMin ||
                               varied == CloudVaried::NirSwir1Min || varied == CloudVaried::HotMin;
            // For a temporal test the pixel is one whose verdict that test alone decides:
            // background known, not a potential cloud (probability 0), not cloud by the
            // temporal cloud test (for the shadow test).
            auto decided = [&](std::size_t i) {
                const float th = tested[i] - margin[i];
                return (cls[i] & 8) && prob[i] == 0 && !(cls[i] & 16) && th > 0 &&
                       th + margin[i] == tested[i];
            };
            if (change > 0 && has_test)
                for (std::size_t i = 0; i < n; ++i)
                    if (valid[i] && std::isfinite(tested[i]) && (!temporal_test || decided(i)) &&
                        u(rng) < 0.1f) {
                        if (temporal_test)
                            *t = double(tested[i] - margin[i]);
                        else
                            *t = double(tested[i]) + (change == 1 ? 0 : below ? -1e-12 : 1e-12);
                        break;
                    }
        }
        std::vector<std::uint8_t> c1(n), s1(n), c2(n, 9), s2(n, 9);
        std::vector<float> p1(n), p2(n, -7);
        cloud_verdicts(o2, sc, b, valid.data(), 0, n,
                       {c1.data(), s1.data(), p1.data(), nullptr, {}});
        if (change == 1 && varied == CloudVaried::None) {
            // The threshold at a pixel's own probability: ">=" and ">" part there.
            for (std::size_t i = 0; i < n; ++i)
                if (p1[i] > 0.05f && p1[i] < 0.95f) {
                    o2.cloud_probability = double(p1[i]);
                    break;
                }
            cloud_verdicts(o2, sc, b, valid.data(), 0, n,
                           {c1.data(), s1.data(), p1.data(), nullptr, {}});
        }
        cloud_verdicts_from_inputs(o2, moved, n, {c2.data(), s2.data(), p2.data(), nullptr, {}});
        for (std::size_t i = 0; i < n; ++i) {
            if (c1[i] != c2[i] || s1[i] != s2[i] || !same_float(p1[i], p2[i]))
                QTest::qFail(qPrintable(QStringLiteral("pixel %1: cloud %2/%3 shadow %4/%5 "
                                                       "prob %6/%7")
                                            .arg(i)
                                            .arg(c2[i])
                                            .arg(c1[i])
                                            .arg(s2[i])
                                            .arg(s1[i])
                                            .arg(double(p2[i]), 0, 'g', 9)
                                            .arg(double(p1[i]), 0, 'g', 9)),
                             __FILE__, __LINE__);
            if (c1[i] != c2[i] || s1[i] != s2[i] || !same_float(p1[i], p2[i]))
                return 0;
            flips += c1[i] != cloud[i];
        }
    }
    return flips;
}

void TestCloudLanes::passesEqualThePerPixelFunctions() {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const std::size_t n = 1300; // five blocks and a part
    int cases = 0;
    std::size_t varied_cases = 0;
    std::size_t clouds = 0, shadows = 0, temporal_pixels = 0, flips = 0, varied_flips = 0;
    for (int bands = 0; bands < 32; ++bands)
        for (int mode = 0; mode < 6; ++mode) {
            const int visible = mode % 4; // 0: no temporal tests
            const int kind = (bands + mode) % 4;
            const DataType storage = kind == 0   ? DataType::Float32
                                     : kind == 1 ? DataType::Int16
                                     : kind == 2 ? DataType::UInt16
                                                 : DataType::Int32;
            Scene s = make_scene(rng, n, visible == 0 ? 1 : visible, storage);
            CloudBands b;
            b.red = s.red.lane;
            b.nir = s.nir.lane;
            b.swir1 = s.swir1.lane;
            if (bands & 1)
                b.blue = s.blue.lane;
            if (bands & 2)
                b.green = s.green.lane;
            if (bands & 4)
                b.swir2 = s.swir2.lane;
            if (bands & 8)
                b.cirrus = s.cirrus.lane;
            if (bands & 16)
                b.thermal = s.thermal.lane;

            CloudOptions o;
            o.brightness_width = mode == 5 ? 0 : 0.05 + 0.2 * u(rng);
            o.brightness_min = 0.05 + 0.2 * u(rng);
            o.water_swir1_width = mode == 4 ? 0 : 0.02;
            o.cloud_probability = 0.2 + 0.6 * u(rng);
            o.hot_min = 0.01 * u(rng);
            o.thermal_ramp = mode == 3 ? 0 : 8;
            // Thresholds just beside a pixel's own value: double and float comparisons part.
            const std::size_t at = 5 + std::size_t(u(rng) * 1000);
            if (s.valid[at]) {
                o.shadow_nir_max = double(s.nir.refl[at]) + 1e-12;
                o.swir_min = double(b.swir2.data ? s.swir2.refl[at] : s.swir1.refl[at]) - 1e-12;
            }

            CloudLaneScene sc;
            if (mode == 1 || mode == 2) {
                sc.stats.land = true;
                sc.stats.land_low = 5 + 5 * u(rng);
                sc.stats.land_high = 20 + 5 * u(rng);
                sc.stats.land_threshold = 0.2f + 0.3f * u(rng);
                sc.stats.water = mode == 2;
                sc.stats.water_high = 15;
                sc.stats.water_threshold = 0.3f;
            }
            if (mode != 3)
                sc.thermal_median = 15 + 10 * double(u(rng));
            TemporalPlanes tp;
            LaneTemporal lt;
            if (visible > 0) {
                for (int k = 0; k < visible; ++k) {
                    const std::size_t kk = std::size_t(k);
                    tp.vis.push_back(s.vis[kk].data());
                    tp.bg.push_back(s.bg[kk].data());
                    lt.vis.push_back(k == 0 ? s.blue.lane : k == 1 ? s.green.lane : s.red.lane);
                    lt.gains.push_back(s.gains[kk]);
                    lt.background.push_back(s.background[kk].data());
                }
                lt.scale = s.red.lane.scale;
                lt.offset = s.red.lane.offset;
                sc.temporal = &lt;
            }

            const std::size_t begin = std::size_t(cases % 3) * 17, end = n - std::size_t(cases % 5);
            std::vector<std::uint8_t> cloud(n, 9), shadow(n, 9);
            std::vector<float> prob(n, -7), tie(n, -7);
            // Every other case wants no distance: the tie plane must stay as it was.
            const bool want_tie = (bands ^ mode) % 2 == 0;
            cloud_verdicts(
                o, sc, b, s.valid.data(), begin, end,
                {cloud.data(), shadow.data(), prob.data(), want_tie ? tie.data() : nullptr, {}});
            for (std::size_t i = 0; i < n; ++i) {
                if (i < begin || i >= end) {
                    // Outside the range nothing is written.
                    QCOMPARE(int(cloud[i]), 9);
                    QCOMPARE(prob[i], -7.0f);
                    continue;
                }
                Expected e = reference(o, sc, visible > 0 ? &tp : nullptr, s, b, i);
                if (!want_tie)
                    e.tie = -7;
                if (cloud[i] != e.cloud || shadow[i] != e.shadow || !same_float(prob[i], e.prob) ||
                    !same_float(tie[i], e.tie))
                    QFAIL(qPrintable(QStringLiteral("bands %1 mode %2 pixel %3: cloud %4/%5 "
                                                    "shadow %6/%7 prob %8/%9 tie %10/%11")
                                         .arg(bands)
                                         .arg(mode)
                                         .arg(i)
                                         .arg(cloud[i])
                                         .arg(e.cloud)
                                         .arg(shadow[i])
                                         .arg(e.shadow)
                                         .arg(double(prob[i]), 0, 'g', 9)
                                         .arg(double(e.prob), 0, 'g', 9)
                                         .arg(double(tie[i]), 0, 'g', 9)
                                         .arg(double(e.tie), 0, 'g', 9)));
                clouds += e.cloud;
                shadows += e.shadow;
                temporal_pixels += want_tie && e.tie > 0;
            }
            if (!sc.stats.land) {
                flips += check_inputs(rng, o, sc, b, s.valid, n, CloudVaried::None);
                // One test's threshold varied too, each in turn (the temporal ones with the
                // stack).
                std::vector<CloudVaried> all;
                for (int v = 1; v <= int(CloudVaried::ShadowSwir1Max); ++v)
                    if (sc.temporal || (CloudVaried(v) != CloudVaried::TemporalCloud &&
                                        CloudVaried(v) != CloudVaried::TemporalShadow))
                        all.push_back(CloudVaried(v));
                const CloudVaried varied = all[varied_cases++ % all.size()];
                varied_flips += check_inputs(rng, o, sc, b, s.valid, n, varied);
            }
            ++cases;
        }
    // A change of the probability options changed verdicts, through the inputs too.
    QVERIFY(flips > 1000);
    QVERIFY(varied_flips > 1000);
    qInfo("%zu flips, %zu with a varied threshold", flips, varied_flips);
    // The cases reach every verdict, not only "clear".
    QVERIFY(clouds > 10000);
    QVERIFY(shadows > 5000);
    qInfo("%zu clouds, %zu shadows, %zu with a distance", clouds, shadows, temporal_pixels);
    QVERIFY(temporal_pixels > 50000);
}

QTEST_GUILESS_MAIN(TestCloudLanes)
#include "tst_cloud_lanes.moc"
