// The full cloud kernel's per-pixel verdicts in vectorizable passes (cloud_lanes.h).
#include "cloud_lanes.h"

#include <algorithm>

#include "rasterbench/raster.h"

#include "cloud_lane_rows.h"
#include "cloud_tests.h"
#include "scorer_impl.h"

namespace rb::detail {

namespace {

// Masks are 32-bit integers (0 or 1), as wide as the floats beside them, so a pass mixing
// both stays in one vector width.
struct Block {
    // The scene's bands as reflectance (thermal: its values).
    alignas(64) float blue[kBlock];
    alignas(64) float green[kBlock];
    alignas(64) float red[kBlock];
    alignas(64) float nir[kBlock];
    alignas(64) float swir1[kBlock];
    alignas(64) float swir2[kBlock];
    alignas(64) float cirrus[kBlock];
    alignas(64) float thermal[kBlock];
    // The temporal tests' date (gain divided out) and background, one visible band at a time.
    alignas(64) float t_date[kBlock];
    alignas(64) float t_back[kBlock];
    alignas(64) float t_back0[kBlock]; ///< the first band's background: known where a number
    alignas(64) float vis_mean[kBlock];
    alignas(64) float ndvi[kBlock];
    alignas(64) float ndsi[kBlock];
    alignas(64) float whiteness_sum[kBlock];
    alignas(64) float variability[kBlock];
    alignas(64) float celsius[kBlock];
    alignas(64) float t_prob[kBlock];
    alignas(64) float prob[kBlock];
    alignas(64) float excess[kBlock];
    alignas(64) float t_vis[kBlock];
    alignas(64) float t_bg[kBlock];
    alignas(64) float t_sq[kBlock];
    alignas(64) float tie[kBlock];
    alignas(64) float factor[kBlock]; ///< CloudInputPlanes::factor
    alignas(64) float cirrus_term[kBlock];
    alignas(64) std::int32_t pcp[kBlock];
    alignas(64) std::int32_t fails[kBlock]; ///< CloudInputPlanes::fails
    alignas(64) std::int32_t water[kBlock];
    alignas(64) std::int32_t cloud[kBlock];
    alignas(64) std::int32_t shadow[kBlock];
    alignas(64) std::int32_t t_cloud[kBlock]; ///< the verdicts with the temporal tests
    alignas(64) std::int32_t t_shadow[kBlock];
    alignas(64) std::int32_t water_sel[kBlock]; ///< judged as water by the fixed probabilities
    alignas(64) std::int32_t t_hi[kBlock];      ///< cloud by the temporal test alone
    alignas(64) std::int32_t t_mid[kBlock];     ///< cloud by it where the date's verdict is
};

// std::max by value: nested std::max of references reads through an address chosen per
// pixel, which the vectorizer takes for a load that may trap. Same result (a when b is not
// larger, NaN included).
float larger(float a, float b) {
    return a < b ? b : a;
}

// The options as the passes compare them: thresholds as floats (float_below/float_above),
// factors as the per-pixel functions convert them.
struct Constants {
    float swir_min, ndvi_max, nir_swir1_min, ndsi_max, whiteness_max, hot_min, thermal_max;
    float b_lo, b_w, w_lo, w_w, cirrus_full, thin_weight, cloud_probability;
    float shadow_nir_max, shadow_swir1_max, t_cloud, t_shadow;
    bool water_test, t_relative;
    double t_warm;

    Constants(const CloudOptions& o, const CloudLaneScene& scene)
        : swir_min(float_below(o.swir_min)), ndvi_max(float_above(o.ndvi_max)),
          nir_swir1_min(float_below(o.nir_swir1_min)), ndsi_max(float_above(o.ndsi_max)),
          whiteness_max(float_above(o.whiteness_max)), hot_min(float(o.hot_min)),
          thermal_max(float_above(o.thermal_max)),
          b_lo(float(o.brightness_min - 0.5 * o.brightness_width)), b_w(float(o.brightness_width)),
          w_lo(float(o.water_swir1_min)), w_w(float(o.water_swir1_width)),
          cirrus_full(float(o.cirrus_full)), thin_weight(float(o.thin_weight)),
          cloud_probability(float_above(o.cloud_probability)),
          shadow_nir_max(float_above(o.shadow_nir_max)),
          shadow_swir1_max(float_above(o.shadow_swir1_max)), t_cloud(float(o.temporal_cloud)),
          t_shadow(float(o.temporal_shadow)), water_test(o.water_swir1_width > 0),
          t_relative(!std::isnan(scene.thermal_median) && o.thermal_ramp > 0),
          t_warm(scene.thermal_median + o.thermal_margin) {}
};

// Each spectral test's bit in Block::fails (CloudInputPlanes::fails).
constexpr int kSwirBit = spectral_bit(CloudVaried::SwirMin);
constexpr int kNdviBit = spectral_bit(CloudVaried::NdviMax);
constexpr int kNirSwir1Bit = spectral_bit(CloudVaried::NirSwir1Min);
constexpr int kNdsiBit = spectral_bit(CloudVaried::NdsiMax);
constexpr int kWhitenessBit = spectral_bit(CloudVaried::WhitenessMax);
constexpr int kHotBit = spectral_bit(CloudVaried::HotMin);
constexpr int kThermalBit = spectral_bit(CloudVaried::ThermalMax);

// cloud_spectral's tests, one pass per band it takes part in, on the block's bands.
template <class T>
[[gnu::always_inline]] inline void spectral(const CloudOptions& o, const Constants& k,
                                            const CloudBands& b, std::size_t i0, std::size_t len,
                                            Block& w) {
    load<T>(b.red, i0, len, w.red);
    load<T>(b.nir, i0, len, w.nir);
    load<T>(b.swir1, i0, len, w.swir1);
    const float* red = w.red;
    const float* nir = w.nir;
    const float* swir1 = w.swir1;
    const float* swir = load<T>(b.swir2, i0, len, w.swir2) ? w.swir2 : w.swir1;
    const float* blue = load<T>(b.blue, i0, len, w.blue) ? w.blue : nullptr;
    const float* green = load<T>(b.green, i0, len, w.green) ? w.green : nullptr;
    const int vis_n = 1 + (blue != nullptr) + (green != nullptr);
    const float vis_nf = float(vis_n);

    for (std::size_t j = 0; j < len; ++j)
        w.vis_mean[j] = red[j];
    if (blue)
        for (std::size_t j = 0; j < len; ++j)
            w.vis_mean[j] += blue[j];
    if (green)
        for (std::size_t j = 0; j < len; ++j)
            w.vis_mean[j] += green[j];
    if (vis_n > 1)
        for (std::size_t j = 0; j < len; ++j)
            w.vis_mean[j] /= vis_nf;

    // Each test's failure a bit of w.fails (spectral_bit), the tests' outcome w.pcp.
    for (std::size_t j = 0; j < len; ++j) {
        const float r = red[j], ni = nir[j], s1 = swir1[j];
        const float ndvi = ndvi_of(r, ni);
        w.ndvi[j] = ndvi;
        w.fails[j] = std::int32_t(!(swir[j] > k.swir_min)) << kSwirBit |
                     std::int32_t(!(ndvi < k.ndvi_max)) << kNdviBit |
                     std::int32_t(!(nir_swir1_of(ni, s1) > k.nir_swir1_min)) << kNirSwir1Bit;
        w.water[j] = ((ndvi < 0.01f) & (ni < 0.11f)) | ((ndvi > 0) & (ndvi < 0.1f) & (ni < 0.05f));
        w.ndsi[j] = 0;
        w.whiteness_sum[j] = 0;
        w.variability[j] = 0;
    }
    if (green)
        for (std::size_t j = 0; j < len; ++j) {
            const float ndsi = ndsi_of(green[j], swir1[j]);
            w.fails[j] |= std::int32_t(!(ndsi < k.ndsi_max)) << kNdsiBit;
            w.ndsi[j] = ndsi;
            w.variability[j] = std::max(w.variability[j], std::abs(ndsi));
        }
    if (vis_n >= 2) {
        for (std::size_t j = 0; j < len; ++j)
            w.whiteness_sum[j] = std::abs(red[j] - w.vis_mean[j]);
        if (blue)
            for (std::size_t j = 0; j < len; ++j)
                w.whiteness_sum[j] += std::abs(blue[j] - w.vis_mean[j]);
        if (green)
            for (std::size_t j = 0; j < len; ++j)
                w.whiteness_sum[j] += std::abs(green[j] - w.vis_mean[j]);
        for (std::size_t j = 0; j < len; ++j) {
            const float sum = w.whiteness_sum[j] / std::max(w.vis_mean[j], 1e-6f);
            const float whiteness = sum / vis_nf;
            w.whiteness_sum[j] = sum;
            w.fails[j] |= std::int32_t(!(whiteness < k.whiteness_max)) << kWhitenessBit;
            w.variability[j] = std::max(w.variability[j], whiteness);
        }
    }
    if (blue)
        for (std::size_t j = 0; j < len; ++j)
            w.fails[j] |=
                std::int32_t(!passes<TestForm::HotMin>(hot_of(blue[j], red[j]), k.hot_min))
                << kHotBit;

    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (load<T>(b.thermal, i0, len, w.thermal)) {
        // Only a temperature takes part: raw digital numbers or kelvins do not.
        const float* thermal = w.thermal;
        const double scale = o.thermal_scale, offset = o.thermal_offset;
        for (std::size_t j = 0; j < len; ++j) {
            const double t = thermal[j] * scale + offset;
            const bool in = (t >= kMinCelsius) & (t <= kMaxCelsius);
            const float celsius = float(t);
            w.celsius[j] = in ? celsius : nan;
            w.fails[j] |= std::int32_t(!(!in | (celsius < k.thermal_max))) << kThermalBit;
        }
    } else {
        for (std::size_t j = 0; j < len; ++j)
            w.celsius[j] = nan;
    }
    for (std::size_t j = 0; j < len; ++j)
        w.pcp[j] = w.fails[j] == 0;
}

// fmask_probability against the date's own clear land and water, and its verdict.
template <class T>
[[gnu::always_inline]] inline void fmask_verdict(const CloudOptions& o, const Constants& k,
                                                 const CloudSceneStats& st, const CloudBands& b,
                                                 std::size_t i0, std::size_t len, Block& w) {
    const float* swir1 = w.swir1;
    const float margin = float(o.thermal_margin);
    const bool water_margin = margin > 0;
    const float hi = st.land_high + margin, lo = st.land_low - margin;
    const float span = std::max(hi - lo, 1e-3f);
    const bool st_water = st.water;
    const float water_high = st.water_high;
    for (std::size_t j = 0; j < len; ++j) {
        const float c = w.celsius[j];
        const bool t_ok = c == c;
        const float t_water =
            t_ok & water_margin ? std::max(0.0f, (water_high - c) / margin) : 1.0f;
        const float s1 = swir1[j], cap = kWaterBrightSwir1;
        const float p_water = t_water * std::min(s1, cap) / cap;
        const float t_land = t_ok ? std::max(0.0f, (hi - c) / span) : 1.0f;
        const float flat = 1 - larger(larger(w.whiteness_sum[j], larger(w.ndvi[j], 0.0f)),
                                      larger(w.ndsi[j], 0.0f));
        const float p_land = t_land * std::clamp(flat, 0.0f, 1.0f);
        const bool over_water = w.water[j] & st_water;
        w.water[j] = over_water;
        w.prob[j] = over_water ? p_water : p_land;
    }
    if (load<T>(b.cirrus, i0, len, w.cirrus)) {
        const float* cirrus = w.cirrus;
        for (std::size_t j = 0; j < len; ++j)
            w.prob[j] += k.thin_weight * std::max(0.0f, cirrus[j] / k.cirrus_full);
    }
    const float cold_cloud = st.land_low - kColdCloud;
    const float water_threshold = st.water_threshold, land_threshold = st.land_threshold;
    for (std::size_t j = 0; j < len; ++j) {
        const float threshold = w.water[j] ? water_threshold : land_threshold;
        w.cloud[j] = (w.pcp[j] & (w.prob[j] > threshold)) | (w.celsius[j] < cold_cloud);
    }
}

// The fixed probabilities (no scene statistics): flatness times brightness, or swir1's
// brightness over water, times the temperature's, on potential cloud pixels.
template <class T>
[[gnu::always_inline]] inline void fixed_verdict(const Constants& k, const CloudBands& b,
                                                 std::size_t i0, std::size_t len, Block& w,
                                                 const CloudOptions& o) {
    const float* swir1 = w.swir1;
    if (k.t_relative && b.thermal.data) {
        const double ramp = o.thermal_ramp;
        for (std::size_t j = 0; j < len; ++j) {
            const float c = w.celsius[j];
            w.t_prob[j] = c == c ? clamp01(float((k.t_warm - c) / ramp)) : 1.0f;
        }
    } else {
        for (std::size_t j = 0; j < len; ++j)
            w.t_prob[j] = 1;
    }
    const bool step = !(k.b_w > 0);
    const bool water_test = k.water_test;
    for (std::size_t j = 0; j < len; ++j) {
        const float vm = w.vis_mean[j];
        const float bright = step ? (vm >= k.b_lo ? 1.0f : 0.0f) : clamp01((vm - k.b_lo) / k.b_w);
        const float flat = clamp01(1 - w.variability[j]);
        const float p_land = flat * bright;
        // Clear water is black at swir1: its brightness there is the cloud's.
        const float p_water = clamp01((swir1[j] - k.w_lo) / k.w_w);
        const bool water = water_test & (w.water[j] != 0);
        const float p = water ? p_water : p_land;
        w.prob[j] = w.pcp[j] ? p * w.t_prob[j] : 0.0f;
        // What cloud_verdicts_from_inputs makes the probability from under other brightness
        // options.
        w.water_sel[j] = water;
        w.factor[j] = water ? swir1[j] : flat;
    }
    if (load<T>(b.cirrus, i0, len, w.cirrus)) {
        const float* cirrus = w.cirrus;
        for (std::size_t j = 0; j < len; ++j) {
            const float c = clamp01(cirrus[j] / k.cirrus_full);
            w.cirrus_term[j] = c;
            w.prob[j] += c;
        }
    }
    for (std::size_t j = 0; j < len; ++j)
        w.cloud[j] = w.prob[j] >= k.cloud_probability;
}

// temporal_verdict, band by band: the accumulations keep its order. Without kTie the
// distance (a square root per pixel) is left out.
template <class T, bool kTie>
[[gnu::always_inline]] inline void temporal(const Constants& k, const LaneTemporal& t,
                                            std::size_t i0, std::size_t len, Block& w) {
    const float nvf = float(t.vis.size());
    temporal_sums<T, kTie>(t, i0, len,
                           {w.t_date, w.t_back, w.t_back0, w.excess, w.t_vis, w.t_bg, w.t_sq});
    const float* bg0 = w.t_back0;
    const float half_cloud = 0.5f * k.t_cloud;
    for (std::size_t j = 0; j < len; ++j) {
        const float vis_mean = w.t_vis[j] / nvf, bg_mean = w.t_bg[j] / nvf;
        const float margin = kGainMargin * bg_mean;
        const float excess = w.excess[j];
        const bool hi = excess > k.t_cloud + margin, mid = excess > half_cloud + margin;
        const bool cloud = hi | ((w.cloud[j] != 0) & mid);
        w.t_hi[j] = hi;
        w.t_mid[j] = mid;
        const float dark = bg_mean - vis_mean;
        const bool shadow = dark > k.t_shadow + margin;
        // Where the background is unknown the single-date verdicts stand. Into other rows:
        // a select that stores a row's own value back becomes a conditional store, which
        // does not vectorize.
        const bool known = bg0[j] == bg0[j];
        w.t_cloud[j] = known ? cloud : w.cloud[j] != 0;
        w.t_shadow[j] = known ? shadow : w.shadow[j] != 0;
        if constexpr (kTie)
            w.tie[j] = known ? std::sqrt(w.t_sq[j] / nvf) : 0.0f;
    }
}

// The block's CloudInputPlanes from pixel i0 on (verdicts() with the fixed probabilities).
[[gnu::always_inline]] inline void keep_inputs(const CloudLaneScene& scene, const CloudBands& b,
                                               const std::uint8_t* ok, std::size_t len,
                                               const Block& w, const std::int32_t* shadow_verdict,
                                               const CloudInputPlanes& in, std::size_t i0) {
    std::copy(w.vis_mean, w.vis_mean + len, in.vis_mean + i0);
    std::copy(w.factor, w.factor + len, in.factor + i0);
    if (in.t_prob)
        std::copy(w.t_prob, w.t_prob + len, in.t_prob + i0);
    if (in.cirrus && b.cirrus.data)
        std::copy(w.cirrus_term, w.cirrus_term + len, in.cirrus + i0);
    const std::int32_t* pcp = w.pcp;
    std::uint8_t* cls = in.cls + i0;
    if (scene.temporal) {
        for (std::size_t j = 0; j < len; ++j) {
            const std::int32_t known = w.t_back0[j] == w.t_back0[j];
            cls[j] = std::uint8_t((ok[j] != 0) | (pcp[j] != 0) << 1 | w.water_sel[j] << 2 |
                                  known << 3 | (known & w.t_hi[j]) << 4 |
                                  (known & w.t_mid[j]) << 5 | (shadow_verdict[j] != 0) << 6);
        }
    } else {
        for (std::size_t j = 0; j < len; ++j)
            cls[j] = std::uint8_t((ok[j] != 0) | (pcp[j] != 0) << 1 | w.water_sel[j] << 2 |
                                  (shadow_verdict[j] != 0) << 6);
    }
    if (in.fails)
        for (std::size_t j = 0; j < len; ++j)
            in.fails[i0 + j] = std::uint8_t(w.fails[j]);
}

template <class T>
[[gnu::always_inline]] inline void verdicts(const CloudOptions& o, const Constants& k,
                                            const CloudLaneScene& scene, const CloudBands& b,
                                            const std::uint8_t* valid, std::size_t i0,
                                            std::size_t len, const CloudVerdicts& out, Block& w) {
    spectral<T>(o, k, b, i0, len, w);
    if (scene.stats.land)
        fmask_verdict<T>(o, k, scene.stats, b, i0, len, w);
    else
        fixed_verdict<T>(k, b, i0, len, w, o);
    // A single date's shadow test: dark at nir and swir1. With the stack, darker than the
    // clear background instead (clear water and wet soil are dark there too).
    const float* nir = w.nir;
    const float* swir1 = w.swir1;
    for (std::size_t j = 0; j < len; ++j)
        w.shadow[j] = (nir[j] < k.shadow_nir_max) & (swir1[j] < k.shadow_swir1_max);
    const std::int32_t* cloud_verdict = w.cloud;
    const std::int32_t* shadow_verdict = w.shadow;
    if (scene.temporal) {
        if (out.tie)
            temporal<T, true>(k, *scene.temporal, i0, len, w);
        else
            temporal<T, false>(k, *scene.temporal, i0, len, w);
        cloud_verdict = w.t_cloud;
        shadow_verdict = w.t_shadow;
    }
    const std::uint8_t* ok = valid + i0;
    std::uint8_t* cloud = out.cloud + (i0 - out.base);
    std::uint8_t* shadow = out.shadow + (i0 - out.base);
    float* prob = out.prob + (i0 - out.base);
    for (std::size_t j = 0; j < len; ++j) {
        const bool v = ok[j] != 0;
        const bool c = cloud_verdict[j] != 0;
        cloud[j] = std::uint8_t(v & c);
        shadow[j] = std::uint8_t(v & !c & (shadow_verdict[j] != 0));
    }
    // A value read before the select: a read inside it would be a conditional load, which
    // does not vectorize.
    for (std::size_t j = 0; j < len; ++j) {
        const float p = w.prob[j];
        prob[j] = ok[j] != 0 ? p : 0.0f;
    }
    if (out.tie && scene.temporal) {
        float* tie = out.tie + (i0 - out.base);
        for (std::size_t j = 0; j < len; ++j) {
            const float t = w.tie[j];
            tie[j] = ok[j] != 0 ? t : 0.0f;
        }
    } else if (out.tie) {
        std::fill_n(out.tie + (i0 - out.base), len, 0.0f); // no distance without the stack
    }
    if (out.inputs.cls && !scene.stats.land)
        keep_inputs(scene, b, ok, len, w, shadow_verdict, out.inputs, i0);
}

} // namespace

LaneBand lane_band(const Raster& scene, int band, float scale, float offset) {
    LaneBand b;
    if (band < 0)
        return b;
    b.dtype = scene.dtype();
    b.scale = scale;
    b.offset = offset;
    visit_dtype(scene.dtype(), [&](auto x) {
        using T = decltype(x);
        b.data = scene.band<T>(band).data();
    });
    return b;
}

// Eight lanes where the processor has AVX2 (its divisions and square roots are most of the
// passes' arithmetic), four otherwise; chosen once, at load. AVX2 brings no fused
// multiply-add, so both give the same numbers. T: the scene's stored type (void: any).
template <class T>
__attribute__((target_clones("avx2", "default"))) void
typed_verdicts(const CloudOptions& o, const CloudLaneScene& scene, const CloudBands& b,
               const std::uint8_t* valid, std::size_t begin, std::size_t end,
               const CloudVerdicts& out) {
    const Constants k(o, scene);
    Block w;
    for (std::size_t i0 = begin; i0 < end; i0 += kBlock)
        verdicts<T>(o, k, scene, b, valid, i0, std::min(kBlock, end - i0), out, w);
}

bool stored_as(DataType t, const CloudBands& b, const LaneTemporal* temporal) {
    for (const LaneBand* x :
         {&b.blue, &b.green, &b.red, &b.nir, &b.swir1, &b.swir2, &b.cirrus, &b.thermal})
        if (x->data && x->dtype != t)
            return false;
    if (temporal)
        for (const LaneBand& x : temporal->vis)
            if (x.data && x.dtype != t)
                return false;
    return true;
}

void cloud_verdicts(const CloudOptions& o, const CloudLaneScene& scene, const CloudBands& b,
                    const std::uint8_t* valid, std::size_t begin, std::size_t end,
                    const CloudVerdicts& out) {
    with_pass_type(b.red.dtype, stored_as(b.red.dtype, b, scene.temporal), [&](auto type) {
        typed_verdicts<typename decltype(type)::type>(o, scene, b, valid, begin, end, out);
    });
}

} // namespace rb::detail
