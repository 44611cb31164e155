// Internal to the score module: the cloud method's per-pixel spectral tests (shared by the
// kernel and the scene statistics, so both judge a pixel alike) and Fmask's scene-wide
// statistics of the clear-sky pixels (Zhu & Woodcock 2012; Qiu et al. 2019).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "rasterbench/score.h"

namespace rb::detail {

struct ScorerImpl;

/// Reflectances of one pixel; blue, green and swir2 are read only when present.
struct CloudPixel {
    float blue = 0, green = 0, red = 0, nir = 0, swir1 = 0, swir2 = 0;
    bool has_blue = false, has_green = false, has_swir2 = false;
    /// Brightness temperature in degrees C; NaN when there is none (no thermal band, or its
    /// numbers are not degrees).
    float celsius = std::numeric_limits<float>::quiet_NaN();
};

/// Pixel `i` of the reflectance planes (an empty plane: the scene has no such band), without
/// its temperature.
[[gnu::always_inline]] inline CloudPixel
cloud_pixel(const std::vector<float>& blue, const std::vector<float>& green,
            const std::vector<float>& red, const std::vector<float>& nir,
            const std::vector<float>& swir1, const std::vector<float>& swir2, std::size_t i) {
    CloudPixel x;
    x.red = red[i];
    x.nir = nir[i];
    x.swir1 = swir1[i];
    x.has_blue = !blue.empty();
    x.has_green = !green.empty();
    x.has_swir2 = !swir2.empty();
    if (x.has_blue)
        x.blue = blue[i];
    if (x.has_green)
        x.green = green[i];
    if (x.has_swir2)
        x.swir2 = swir2[i];
    return x;
}

struct CloudSpectral {
    bool pcp = false;   ///< Fmask's potential cloud pixel: every basic test passed
    bool water = false; ///< Fmask's water test (dark nir, low NDVI)
    float ndvi = 0;
    float vis_mean = 0;
    /// max(|NDSI|, whiteness): the spectral flatness test's departure (0 without green and
    /// two visible bands).
    float variability = 0;
    /// The swir band of the basic test (swir2, else swir1): clear water is dark in it.
    float swir = 0;
    /// NDSI (0 without green) and Fmask's whiteness, the visible bands' summed absolute
    /// departure from their mean over the mean (0 with fewer than two visible bands): the
    /// terms of the scene-statistics probability's flatness.
    float ndsi = 0;
    float whiteness_sum = 0;
};

[[gnu::always_inline]] inline CloudSpectral cloud_spectral(const CloudOptions& o,
                                                           const CloudPixel& x) {
    CloudSpectral c;
    const float r = x.red, ni = x.nir, s1 = x.swir1;
    float vis_sum = r;
    int vis_n = 1;
    if (x.has_blue) {
        vis_sum += x.blue;
        ++vis_n;
    }
    if (x.has_green) {
        vis_sum += x.green;
        ++vis_n;
    }
    c.vis_mean = vis_sum / float(vis_n);
    c.swir = x.has_swir2 ? x.swir2 : s1;
    c.ndvi = (ni - r) / std::max(ni + r, 1e-6f);
    bool pcp =
        c.swir > o.swir_min && c.ndvi < o.ndvi_max && ni / std::max(s1, 1e-6f) > o.nir_swir1_min;
    // NDVI is left out of the flatness: ndvi_max already gates vegetation, and thin cloud
    // over vegetation keeps much of its NDVI.
    if (x.has_green) {
        const float ndsi = (x.green - s1) / std::max(x.green + s1, 1e-6f);
        pcp = pcp && ndsi < o.ndsi_max;
        c.ndsi = ndsi;
        c.variability = std::max(c.variability, std::abs(ndsi));
    }
    if (vis_n >= 2) {
        float dev = std::abs(r - c.vis_mean);
        if (x.has_blue)
            dev += std::abs(x.blue - c.vis_mean);
        if (x.has_green)
            dev += std::abs(x.green - c.vis_mean);
        c.whiteness_sum = dev / std::max(c.vis_mean, 1e-6f);
        const float whiteness = c.whiteness_sum / float(vis_n);
        pcp = pcp && whiteness < o.whiteness_max;
        c.variability = std::max(c.variability, whiteness);
    }
    if (x.has_blue)
        pcp = pcp && x.blue - 0.5f * r - float(o.hot_min) > 0;
    if (!std::isnan(x.celsius))
        pcp = pcp && x.celsius < o.thermal_max;
    c.pcp = pcp;
    c.water = (c.ndvi < 0.01f && ni < 0.11f) || (c.ndvi > 0 && c.ndvi < 0.1f && ni < 0.05f);
    return c;
}

/// Fmask's statistics of a scene's clear-sky pixels, from the sample its layout carries.
/// Clear pixels are those failing the potential-cloud tests; clear land is the clear pixels
/// that are not water (all clear pixels when too few are land), clear water those that are.
/// `land` is false when the scene has no calibrated thermal band, no sample or too few clear
/// pixels: the fixed probabilities then apply.
struct CloudSceneStats {
    bool land = false;
    float land_low = 0, land_high = 0; ///< 17.5th and 82.5th percentile temperatures, C
    float land_threshold = 0;          ///< 82.5th percentile clear-land probability + margin
    bool water = false;                ///< enough clear water for its own statistics
    float water_high = 0;              ///< 82.5th percentile clear-water temperature, C
    float water_threshold = 0;
};

// Fmask's constants: the percentiles of the clear pixels, swir1 brightness saturating at
// 0.11 over water, and a pixel 35 degrees colder than the clear land's low percentile is
// cloud whatever its spectrum.
inline constexpr double kClearLow = 0.175, kClearHigh = 0.825;
inline constexpr float kWaterBrightSwir1 = 0.11f;
inline constexpr float kColdCloud = 35;

/// Fmask 4's cirrus ("thin cloud") probability: cirrus / cirrus_full, not capped at 1, times
/// thin_weight.
inline float fmask_thin_probability(const CloudOptions& o, float cirrus) {
    return float(o.thin_weight) * std::max(0.0f, cirrus / float(o.cirrus_full));
}

/// Fmask's cloud probability of a pixel (cirrus not included) under scene statistics with
/// `land` set: over land the temperature probability between the clear land's percentiles
/// (widened by thermal_margin) times the flatness 1 - max(NDVI, NDSI, whiteness), NDVI and
/// NDSI taken as 0 when negative and whiteness summed over the visible bands, as CFMask
/// computes it for the Landsat quality bands; over water (with clear-water statistics) the
/// temperature below the clear water's high percentile over thermal_margin times swir1's
/// brightness. Without a temperature the temperature probability is 1.
///
/// Why these terms: a negative NDVI or NDSI (water-like, or soil brighter at swir1) says
/// nothing about a cloud, and the per-band whiteness the potential-cloud test uses is a
/// third of Fmask's, so a tinted pixel kept most of its flatness. Measured on the eight
/// Landsat 8 New York scenes against their BQA (bench_cloud_accuracy): with |NDVI|, |NDSI|,
/// |NDBI| and the per-band whiteness, 2018-01-31 (scattered cloud over frozen ground) reached
/// 74.4 % precision and 46.9 % recall; with these terms 88.5 % and 70.3 %, and no scene
/// lost more than 1.6 points of recall.
inline float fmask_probability(const CloudOptions& o, const CloudSceneStats& st,
                               const CloudPixel& x, const CloudSpectral& c, bool* over_water) {
    const float margin = float(o.thermal_margin);
    const bool t_ok = !std::isnan(x.celsius);
    if (c.water && st.water) {
        *over_water = true;
        const float t_prob =
            t_ok && margin > 0 ? std::max(0.0f, (st.water_high - x.celsius) / margin) : 1.0f;
        return t_prob * std::min(x.swir1, kWaterBrightSwir1) / kWaterBrightSwir1;
    }
    *over_water = false;
    const float hi = st.land_high + margin, lo = st.land_low - margin;
    const float t_prob = t_ok ? std::max(0.0f, (hi - x.celsius) / std::max(hi - lo, 1e-3f)) : 1.0f;
    const float flat =
        1 - std::max({c.whiteness_sum, std::max(c.ndvi, 0.0f), std::max(c.ndsi, 0.0f)});
    return t_prob * std::clamp(flat, 0.0f, 1.0f);
}

/// The statistics of a scene's `sample` (bands as `s`'s layout) under `o` (refl_scale and
/// roles already set), whose thermal band has the median `thermal_median` in degrees C
/// (NaN: none calibrated, and no statistics).
CloudSceneStats cloud_scene_stats(const ScorerImpl& s, const CloudOptions& o, const Raster* sample,
                                  double thermal_median);

} // namespace rb::detail
