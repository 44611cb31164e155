// The verdicts made from the inputs a pass over the bands kept (cloud_verdicts_from_inputs,
// cloud_lanes.h): a change of the probability options or of tests' thresholds without a pass
// over all the bands.
#include <algorithm>
#include <string>
#include <utility>

#include "cloud_lanes.h"
#include "cloud_tests.h"

namespace rb::detail {

CloudVaried cloud_varied(const std::string& name) {
    static const std::pair<const char*, CloudVaried> kNames[] = {
        {"swir_min", CloudVaried::SwirMin},
        {"ndvi_max", CloudVaried::NdviMax},
        {"nir_swir1_min", CloudVaried::NirSwir1Min},
        {"ndsi_max", CloudVaried::NdsiMax},
        {"whiteness_max", CloudVaried::WhitenessMax},
        {"hot_min", CloudVaried::HotMin},
        {"thermal_max", CloudVaried::ThermalMax},
        {"temporal_cloud", CloudVaried::TemporalCloud},
        {"temporal_shadow", CloudVaried::TemporalShadow},
        {"shadow_nir_max", CloudVaried::ShadowNirMax},
        {"shadow_swir1_max", CloudVaried::ShadowSwir1Max},
    };
    for (const auto& [n, v] : kNames)
        if (name == n)
            return v;
    return CloudVaried::None;
}

namespace {

// Pixels per block: the block's widened bits stay in the first-level cache.
constexpr std::size_t kInputBlock = 256;
// How far ahead the planes are prefetched, in blocks, and floats per cache line.
constexpr std::size_t kPrefetchBlocks = 4, kFloatsPerLine = 16;

// The block's class bits `c32` under moved thresholds (CloudInputPlanes::moved): the moved
// tests made again from the bands; the other spectral tests' outcome read from the kept
// failures; where the background is known, the temporal tests' bits (the shadow verdict is
// the temporal one there); elsewhere the single date's shadow verdict.
[[gnu::always_inline]] inline void moved_again(const CloudOptions& o, const CloudInputPlanes& in,
                                               std::size_t i0, std::size_t len, std::int32_t* c32) {
    alignas(64) std::int32_t pass[kInputBlock], f32[kInputBlock], shadow[kInputBlock];
    alignas(64) std::int32_t hi[kInputBlock], mid[kInputBlock], dark[kInputBlock];
    const std::size_t p0 = in.bands_at + i0;
    if (in.moved & (kSpectralMoved | kShadowMoved))
        moved_tests_again(o, *in.bands, in.moved, p0, p0 + len, pass, shadow);
    if (in.moved & kSpectralMoved) {
        for (std::size_t j = 0; j < len; ++j)
            f32[j] = in.fails[i0 + j];
        const std::int32_t others = ~std::int32_t(in.moved) & kSpectralMoved;
        for (std::size_t j = 0; j < len; ++j) {
            const std::int32_t pcp = ((f32[j] & others) == 0) & pass[j];
            c32[j] = (c32[j] & ~std::int32_t(kInputPcp)) | pcp << 1;
        }
    }
    if (in.moved & kTemporalMoved)
        temporal_tests_again(o, *in.temporal, in.moved, p0, p0 + len, hi, mid, dark);
    if (in.moved & kTemporalCloudMoved)
        for (std::size_t j = 0; j < len; ++j) {
            const std::int32_t c = c32[j], known = (c >> 3) & 1;
            c32[j] = (c & ~std::int32_t(kInputAlwaysCloud | kInputCloudIfCloud)) |
                     (hi[j] & known) << 4 | (mid[j] & known) << 5;
        }
    if (in.moved & (kShadowMoved | kTemporalShadowMoved)) {
        const bool single = (in.moved & kShadowMoved) != 0;
        const bool temporal = (in.moved & kTemporalShadowMoved) != 0;
        for (std::size_t j = 0; j < len; ++j) {
            const std::int32_t c = c32[j], known = (c >> 3) & 1, kept = (c >> 6) & 1;
            const std::int32_t s =
                known ? (temporal ? dark[j] : kept) : (single ? shadow[j] : kept);
            c32[j] = (c & ~std::int32_t(kInputShadow)) | s << 6;
        }
    }
}

// cloud_verdicts_from_inputs' loop, branch-free, with the planes' presence and the
// brightness's kind as template arguments so that it vectorizes; inlined into each of the
// function's target clones.
template <bool kTProb, bool kCirrus, bool kStep>
[[gnu::always_inline]] inline void verdicts_from_inputs(const CloudOptions& o,
                                                        const CloudInputPlanes& in, std::size_t n,
                                                        const CloudVerdicts& out) {
    // As Constants makes them.
    const float b_lo = float(o.brightness_min - 0.5 * o.brightness_width);
    const float b_w = float(o.brightness_width);
    const float w_lo = float(o.water_swir1_min), w_w = float(o.water_swir1_width);
    const float cloud_probability = float_above(o.cloud_probability);
    const std::uint8_t* __restrict cls = in.cls;
    const float* __restrict vis_mean = in.vis_mean;
    const float* __restrict factor = in.factor;
    const float* __restrict t_prob = in.t_prob;
    const float* __restrict cirrus = in.cirrus;
    std::uint8_t* __restrict cloud = out.cloud;
    std::uint8_t* __restrict shadow = out.shadow;
    float* __restrict prob = out.prob;
    // In blocks, the class bits widened to 32-bit integers first: a loop mixing bytes and
    // floats does not vectorize (GCC), one of floats and 32-bit integers does.
    alignas(64) std::int32_t c32[kInputBlock], cloud32[kInputBlock], shadow32[kInputBlock];
    for (std::size_t i0 = 0; i0 < n; i0 += kInputBlock) {
        const std::size_t len = std::min(kInputBlock, n - i0);
        // The planes of the block kPrefetchBlocks on, asked for now. The hardware
        // prefetchers did not keep up with these streams (three to seven, each read once):
        // in bench_score_preview a brightness_min change took 55 ms, 41 ms with this.
        if (const std::size_t ahead = i0 + kPrefetchBlocks * kInputBlock;
            ahead + kInputBlock <= n) {
            for (std::size_t j = 0; j < kInputBlock; j += kFloatsPerLine) {
                __builtin_prefetch(vis_mean + ahead + j);
                __builtin_prefetch(factor + ahead + j);
                if constexpr (kTProb)
                    __builtin_prefetch(t_prob + ahead + j);
                if constexpr (kCirrus)
                    __builtin_prefetch(cirrus + ahead + j);
            }
            for (std::size_t j = 0; j < kInputBlock; j += 4 * kFloatsPerLine) {
                __builtin_prefetch(cls + ahead + j);
                if (in.moved & kSpectralMoved)
                    __builtin_prefetch(in.fails + ahead + j);
            }
        }
        for (std::size_t j = 0; j < len; ++j)
            c32[j] = cls[i0 + j];
        if (in.moved)
            moved_again(o, in, i0, len, c32);
        for (std::size_t j = 0; j < len; ++j) {
            const std::size_t i = i0 + j;
            const std::int32_t c = c32[j];
            const float vm = vis_mean[i];
            float bright;
            if constexpr (kStep)
                bright = vm >= b_lo ? 1.0f : 0.0f;
            else
                bright = clamp01((vm - b_lo) / b_w);
            const float f = factor[i];
            // Over water f is swir1's reflectance, whose brightness is the cloud's.
            const float p = (c & kInputWater) != 0 ? clamp01((f - w_lo) / w_w) : f * bright;
            float tp = 1.0f;
            if constexpr (kTProb)
                tp = t_prob[i];
            float pr = (c & kInputPcp) != 0 ? p * tp : 0.0f;
            if constexpr (kCirrus)
                pr += cirrus[i];
            // The temporal test's outcome where the background is known, else the date's own.
            const std::int32_t spectral = pr >= cloud_probability ? 1 : 0;
            const std::int32_t known = (c >> 3) & 1, always = (c >> 4) & 1, if_cloud = (c >> 5) & 1;
            const std::int32_t is_cloud =
                (known & (always | (spectral & if_cloud))) | ((known ^ 1) & spectral);
            const std::int32_t v = c & 1;
            cloud32[j] = v & is_cloud;
            shadow32[j] = v & (is_cloud ^ 1) & ((c >> 6) & 1);
            prob[i] = v != 0 ? pr : 0.0f;
        }
        for (std::size_t j = 0; j < len; ++j) {
            cloud[i0 + j] = std::uint8_t(cloud32[j]);
            shadow[i0 + j] = std::uint8_t(shadow32[j]);
        }
    }
}

// The loop for the planes `in` has (the choice inlined too, so each clone keeps its width).
template <bool kStep>
[[gnu::always_inline]] inline void dispatch_inputs(const CloudOptions& o,
                                                   const CloudInputPlanes& in, std::size_t n,
                                                   const CloudVerdicts& out) {
    if (in.t_prob && in.cirrus)
        verdicts_from_inputs<true, true, kStep>(o, in, n, out);
    else if (in.t_prob)
        verdicts_from_inputs<true, false, kStep>(o, in, n, out);
    else if (in.cirrus)
        verdicts_from_inputs<false, true, kStep>(o, in, n, out);
    else
        verdicts_from_inputs<false, false, kStep>(o, in, n, out);
}

} // namespace

// AVX2 brings no fused multiply-add, so both copies give fixed_verdict's numbers.
__attribute__((target_clones("avx2", "default"))) void
cloud_verdicts_from_inputs(const CloudOptions& o, const CloudInputPlanes& in, std::size_t n,
                           const CloudVerdicts& out) {
    // A step where the brightness has no width (as fixed_verdict decides).
    if (!(float(o.brightness_width) > 0))
        dispatch_inputs<true>(o, in, n, out);
    else
        dispatch_inputs<false>(o, in, n, out);
}

} // namespace rb::detail
