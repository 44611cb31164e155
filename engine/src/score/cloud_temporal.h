#pragma once
// The cloud method's temporal tests, one rule for both kernels (the full one of
// score_kernels.cpp and the visible-band one of cloud_visible.cpp): a date against the
// stack's clear background (StackStats::background) on its visible bands, each divided by
// the date's gain against the background first.
//
// Why the clear background and not the stack median, and why only the visible bands: where
// half the dates are cloudy or shadowed at a pixel the median is a cloud or a shadow, and a
// median of dates with different gains (Landsat 5 beside 7, a hazy season) is off by more
// than a thin cloud brightens. Nir and swir follow the season (green-up, moisture) far more
// than they follow haze, so a distance there ranks dates by phenology instead of by
// contamination; a dark-nir-and-swir test flags clear water and wet soil as shadow. On the
// Landsat 5/7 stack with Fmask as truth (63 dates) the median-based rule took 1.05 % of
// its winners from flagged dates (9 subsets of the dates: mean 1.57 %), this one 0.67 %
// (mean 0.12 %); on the Landsat 8 New York stack (BQA as truth) 5.23 % against 1.45 %.
// The background itself still weighs the dates by every band: by the visible bands alone
// those figures were 1.26 % and 5.23 %.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rb {
struct StackStats;
struct ScorePlanes;
class Raster;
} // namespace rb

namespace rb::detail {

struct ScorerImpl;

// Share of the background by which a clear date's gain may brighten or darken a pixel.
inline constexpr float kGainMargin = 0.1f;

/// One date's visible bands (blue, green, red: those the roles name, in that order), as
/// reflectance divided by each band's gain against the background, and the background's.
struct TemporalPlanes {
    std::vector<const float*> vis, bg;
};

/// Fills `t` from `scene` (reflectance = scale * value + offset) and `stats.background`,
/// with planes taken from `pool` from `next` on (grown as needed); the gains come from the
/// valid pixels of `scene` (clear pixels agree on them, clouds spread above and shadows
/// below). With `kept` (the scene's planes under other options), gains computed with the
/// same scale, offset and bands are taken from it, and new ones are left in it.
void temporal_planes(const ScorerImpl& s, const Raster& scene, const StackStats& stats,
                     const std::vector<std::uint8_t>& valid, float scale, float offset,
                     std::vector<std::vector<float>>& pool, std::size_t& next, TemporalPlanes& t,
                     ScorePlanes* kept);

/// The gains of temporal_planes alone (per visible band, blue, green, red, those present):
/// from `kept` when made with the same scale, offset and bands, else computed (in two planes
/// of `pool` from `next` on) and left in it.
std::vector<float> temporal_gains(const ScorerImpl& s, const Raster& scene, const StackStats& stats,
                                  const std::vector<std::uint8_t>& valid, float scale, float offset,
                                  std::vector<std::vector<float>>& pool, std::size_t& next,
                                  ScorePlanes* kept);

struct TemporalVerdict {
    bool cloud = false, shadow = false;
    float tie = 0; ///< RMS distance to the background over the visible bands
};

/// Pixel `i` (whose background is a number) against the background. Clouds brighten every
/// visible band and shadows darken them all; the margins grow with the background, as the
/// dates' gains differ by some percent. A bright surface that is bright on every date (a
/// roof, sand) is no cloud: the spectral test (`spectral_cloud`) counts only on a pixel
/// brighter than its background.
inline TemporalVerdict temporal_verdict(const TemporalPlanes& t, std::size_t i, bool spectral_cloud,
                                        float t_cloud, float t_shadow) {
    const std::size_t nv = t.vis.size();
    float excess = -1e30f, vis_mean = 0, bg_mean = 0, sq = 0;
    for (std::size_t k = 0; k < nv; ++k) {
        const float d = t.vis[k][i] - t.bg[k][i];
        excess = std::max(excess, d);
        vis_mean += t.vis[k][i];
        bg_mean += t.bg[k][i];
        sq += d * d;
    }
    vis_mean /= float(nv);
    bg_mean /= float(nv);
    const float margin = kGainMargin * bg_mean;
    TemporalVerdict v;
    v.cloud = excess > t_cloud + margin || (spectral_cloud && excess > 0.5f * t_cloud + margin);
    v.shadow = bg_mean - vis_mean > t_shadow + margin;
    v.tie = std::sqrt(sq / float(nv));
    return v;
}

} // namespace rb::detail
