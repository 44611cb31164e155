#pragma once
// Internal to the score module: the full cloud kernel's per-pixel verdicts (spectral tests,
// probability, shadow test, temporal tests), computed a block of pixels at a time in passes
// the compiler vectorizes. Each pass is one plain loop without branches over the block, and
// the options decide which passes run, so a missing band costs nothing per pixel.
//
// Why not the per-pixel functions of cloud_fmask.h and cloud_temporal.h in one loop: with
// their per-pixel tests of which bands a scene has, that loop stayed scalar, and it was most
// of what a threshold change cost in the Score panel (a perf profile of bench_score_preview:
// 46 % of the samples). The passes give the same verdicts bit for bit (tst_cloud_lanes
// compares them with those functions): the same float operations in the same order, and a
// double threshold compared with a float through the float that splits the floats alike
// (float_below / float_above).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rasterbench/dtype.h"

#include "cloud_fmask.h"
#include "cloud_temporal.h"

namespace rb::detail {

/// The largest float not above `t`: for a float x, x > t exactly when x > float_below(t),
/// and x <= t exactly when x <= float_below(t).
inline float float_below(double t) {
    float f = float(t);
    if (double(f) > t)
        f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
}

/// The smallest float not below `t`: for a float x, x < t exactly when x < float_above(t),
/// and x >= t exactly when x >= float_above(t).
inline float float_above(double t) {
    float f = float(t);
    if (double(f) < t)
        f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

/// A band of a scene as stored (null `data`: the scene has no such band) and the map
/// scale * float(value) + offset that makes it reflectance, as band_plane applies it: the
/// passes convert a block at a time instead of writing whole float planes first and reading
/// them back (per-change CPU time in bench_score_preview: 260-277 ms before, 199-217 after).
struct LaneBand {
    DataType dtype = DataType::Float32;
    const void* data = nullptr;
    float scale = 1, offset = 0;
};

/// Band `band` of `scene` (-1: none, an empty LaneBand) under that map.
LaneBand lane_band(const Raster& scene, int band, float scale, float offset);

/// One scene's bands. Reflectances, except `thermal`, whose map gives the band's values
/// (thermal_scale and thermal_offset make them degrees C).
struct CloudBands {
    LaneBand blue, green, red, nir, swir1, swir2, cirrus, thermal;
};

/// The temporal tests' inputs (cloud_temporal.h), per visible band (blue, green, red: those
/// the scene has, in that order): the date's band, its gain against the background, and the
/// background as StackStats keeps it, made reflectance by scale * value + offset.
struct LaneTemporal {
    std::vector<LaneBand> vis;
    std::vector<float> gains;
    std::vector<const float*> background;
    float scale = 1, offset = 0;
};

/// What the verdicts of one scene depend on besides its pixels and the options.
struct CloudLaneScene {
    CloudSceneStats stats; ///< Fmask's statistics of the date (stats.land: they apply)
    double thermal_median = std::numeric_limits<double>::quiet_NaN(); ///< degrees C, NaN: none
    const LaneTemporal* temporal = nullptr; ///< the stack's clear background, or none
};

/// One threshold of the verdicts' tests besides the probability options: a change of it is
/// made from the kept inputs (CloudInputPlanes::moved), its test alone made again. A spectral
/// test's threshold (a potential cloud pixel passes all of them), a temporal test's, or one of
/// the single date's shadow test.
enum class CloudVaried : std::uint8_t {
    None,
    SwirMin,
    NdviMax,
    NirSwir1Min,
    NdsiMax,
    WhitenessMax,
    HotMin,
    ThermalMax,
    TemporalCloud,
    TemporalShadow,
    ShadowNirMax,
    ShadowSwir1Max,
};

/// The CloudVaried of a CloudOptions parameter's name (None: not one of them).
CloudVaried cloud_varied(const std::string& name);

/// Whether `v` is a spectral test's threshold (a potential cloud pixel passes all of them).
constexpr bool spectral_varied(CloudVaried v) {
    return v >= CloudVaried::SwirMin && v <= CloudVaried::ThermalMax;
}
/// A spectral test's bit in CloudInputPlanes::fails and ::moved.
constexpr int spectral_bit(CloudVaried v) {
    return int(v) - int(CloudVaried::SwirMin);
}
/// CloudInputPlanes::moved: the spectral tests' bits, one for the single date's shadow test
/// (either of its thresholds) and one for each temporal test.
inline constexpr std::uint16_t kSpectralMoved = 0x7f, kShadowMoved = 0x80,
                               kTemporalCloudMoved = 0x100, kTemporalShadowMoved = 0x200,
                               kTemporalMoved = kTemporalCloudMoved | kTemporalShadowMoved;
/// The bit of threshold `v` in CloudInputPlanes::moved (0: not a test's threshold).
inline std::uint16_t moved_bit_of(CloudVaried v) {
    if (spectral_varied(v))
        return std::uint16_t(1 << spectral_bit(v));
    switch (v) {
    case CloudVaried::ShadowNirMax:
    case CloudVaried::ShadowSwir1Max:
        return kShadowMoved;
    case CloudVaried::TemporalCloud:
        return kTemporalCloudMoved;
    case CloudVaried::TemporalShadow:
        return kTemporalShadowMoved;
    default:
        return 0;
    }
}

/// What the verdicts of a scene judged by the fixed probabilities (no Fmask statistics)
/// are made of besides the probability options (brightness_min, brightness_width,
/// cloud_probability) and the tests' thresholds, per pixel: a change of those options makes
/// the verdicts from these planes (cloud_verdicts_from_inputs) instead of a pass over all the
/// bands. Written where `cls` is not null; `t_prob` only where the temperature takes part,
/// `cirrus` only with a cirrus band.
struct CloudInputPlanes {
    float* vis_mean = nullptr;   ///< the visible bands' mean reflectance
    float* factor = nullptr;     ///< flatness (1 - variability, clamped), or swir1 over water
    float* t_prob = nullptr;     ///< the temperature's probability
    float* cirrus = nullptr;     ///< cirrus's share of the probability
    std::uint8_t* cls = nullptr; ///< CloudInputBits
    /// Each spectral test's failure, a bit each (spectral_bit), under the thresholds of the
    /// pass that wrote them. With them, a change of any tests' thresholds (`moved`:
    /// moved_bit_of) is made from the inputs: the moved tests alone are made again, from the
    /// scene's `bands` (moved_tests_again) and, for a temporal test, from the date's
    /// `temporal` lanes (temporal_tests_again), from pixel `bands_at` for element 0 of the
    /// planes; the other spectral tests' outcome is read from these bits.
    std::uint8_t* fails = nullptr;
    std::uint16_t moved = 0;
    const CloudBands* bands = nullptr;
    const LaneTemporal* temporal = nullptr;
    std::size_t bands_at = 0;
};

/// `in` from pixel `offset` on (null planes stay null).
inline CloudInputPlanes offset_inputs(const CloudInputPlanes& in, std::size_t offset) {
    auto at = [&](auto* p) { return p ? p + offset : p; };
    CloudInputPlanes out = in;
    out.vis_mean = at(in.vis_mean);
    out.factor = at(in.factor);
    out.t_prob = at(in.t_prob);
    out.cirrus = at(in.cirrus);
    out.cls = at(in.cls);
    out.fails = at(in.fails);
    out.bands_at = in.bands_at + offset;
    return out;
}

/// 1 in `pass` (from its first element) where pixels [begin, end) of `b` pass every spectral
/// test in `moved` (CloudInputPlanes::moved) under `o`, and with kShadowMoved, the single
/// date's shadow test into `shadow`: the bands' passes' own numbers.
void moved_tests_again(const CloudOptions& o, const CloudBands& b, std::uint16_t moved,
                       std::size_t begin, std::size_t end, std::int32_t* pass,
                       std::int32_t* shadow);

/// The temporal tests in `moved` (kTemporalMoved) of pixels [begin, end) of the date `t`,
/// as 0 or 1 into `hi` and `mid` (the cloud test: cloud alone, and cloud where the date's own
/// verdict is; temporal_verdict's) and `shadow` (from their first elements), where moved:
/// the passes' own numbers. Where the background is unknown they are 0.
void temporal_tests_again(const CloudOptions& o, const LaneTemporal& t, std::uint16_t moved,
                          std::size_t begin, std::size_t end, std::int32_t* hi, std::int32_t* mid,
                          std::int32_t* shadow);

/// The bits of CloudInputPlanes::cls.
enum CloudInputBits : std::uint8_t {
    kInputValid = 1,         ///< the pixel is valid
    kInputPcp = 2,           ///< a potential cloud pixel (the spectral tests pass)
    kInputWater = 4,         ///< judged as water (factor is the water probability)
    kInputKnown = 8,         ///< the stack's background is known here
    kInputAlwaysCloud = 16,  ///< the temporal test makes it cloud whatever the date's own verdict
    kInputCloudIfCloud = 32, ///< the temporal test keeps the date's own cloud verdict
    kInputShadow = 64,       ///< the shadow verdict (temporal where known)
};

/// The verdicts' planes, indexed by pixel: cloud and shadow (0 or 1, shadow never where
/// cloud), the cloud probability and the distance to the clear background (0 without it;
/// null `tie`: not wanted, as when the averaged tie-break is kept from an earlier change),
/// and the inputs a change of the probability options needs (CloudInputPlanes; written only
/// for a scene without Fmask statistics).
struct CloudVerdicts {
    std::uint8_t* cloud = nullptr;
    std::uint8_t* shadow = nullptr;
    float* prob = nullptr;
    float* tie = nullptr;
    CloudInputPlanes inputs;
    /// cloud_verdicts: the pixel whose verdicts (cloud, shadow, prob, tie) are at index 0,
    /// as for a strip's planes (pixels before it are not written); the inputs are indexed
    /// by pixel from 0 whatever it is. cloud_verdicts_from_inputs reads it not.
    std::size_t base = 0;
};

/// The verdicts (cloud, shadow and prob of `out`) of pixels [0, n) from the planes an earlier
/// cloud_verdicts left in `in` under options that differ from `o` at most in the
/// probability options and the thresholds of `in.moved`: the same verdicts as cloud_verdicts
/// under `o`.
void cloud_verdicts_from_inputs(const CloudOptions& o, const CloudInputPlanes& in, std::size_t n,
                                const CloudVerdicts& out);

/// The verdicts of pixels [begin, end); an invalid pixel gets zeros. `b` must hold red, nir
/// and swir1. Throws UnsupportedError for a complex band.
void cloud_verdicts(const CloudOptions& o, const CloudLaneScene& scene, const CloudBands& b,
                    const std::uint8_t* valid, std::size_t begin, std::size_t end,
                    const CloudVerdicts& out);

} // namespace rb::detail
