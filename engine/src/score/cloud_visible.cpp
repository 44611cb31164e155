// The cloud method's preparation (which tests the bands allow), its temporal tests' planes
// (cloud_temporal.h) and its kernel for scenes without red, nir and swir1 together, e.g.
// three-band RGB products: the visible-band tests (brightness, whiteness, haze), cirrus
// and thermal where present, and the temporal cloud and shadow tests.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cloud_band_pass.h"
#include "cloud_temporal.h"
#include "mode_ratio.h"
#include "pixel_util.h"
#include "rasterbench/score.h"

#include "scorer_impl.h"

namespace rb::detail {

namespace {

// The most common ratio x / bg over valid pixels with a background above 0.02.
float relative_gain(const std::vector<float>& x, const std::vector<float>& bg,
                    const std::vector<std::uint8_t>& valid) {
    return float(
        detail::mode_ratio(std::span<const float>(x), std::span<const float>(bg), valid, 0.02));
}

std::string join(const std::vector<std::string>& items) {
    std::string t;
    for (std::size_t i = 0; i < items.size(); ++i)
        t += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
    return t;
}

} // namespace

void ScorerImpl::prepare_cloud(const CloudOptions& m) {
    const bool full =
        roles.has(BandRole::Red) && roles.has(BandRole::Nir) && roles.has(BandRole::Swir1);
    const bool blue = roles.has(BandRole::Blue), green = roles.has(BandRole::Green),
               red = roles.has(BandRole::Red);
    const int visible = int(blue) + int(green) + int(red);
    if (!full && visible == 0)
        throw ArgumentError("score method 'cloud': scene '" + layout.label +
                            "' has no visible band (blue, green or red) and not red, nir and "
                            "swir1 together, so no cloud test can run (roles: " +
                            roles.describe() +
                            "); name the bands with --param roles=red=1,green=2,blue=3");
    cloud_visible = !full;
    // Without nir and swir the scene is most likely a display product (8-bit RGB): its
    // numbers read as reflectances through 1/255.
    const double auto_scale = is_floating(layout.dtype)                          ? 1.0
                              : layout.dtype == DataType::UInt8 && cloud_visible ? 1.0 / 255
                                                                                 : 1e-4;
    refl_scale = m.reflectance_scale > 0 ? m.reflectance_scale : auto_scale;
    check_cloud_bands(m);
    if (m.temporal) {
        needs.background = true;
        // Two clear dates differ by their offsets and noise: a hundredth in reflectance.
        needs.background_tolerance = 0.01 / refl_scale;
        // The scene's data bands: a quality band's codes are no reflectance.
        needs.background_bands.clear();
        if (data_bands.size() < std::size_t(layout.count))
            needs.background_bands = data_bands;
        // Where thin clouds outnumber the clear dates of a pixel, the visible bands show
        // it: the clear date is darker by the way haze brightens, towards white.
        needs.haze_bands.clear();
        for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
            if (roles.has(r))
                needs.haze_bands.push_back(roles[r]);
        if (needs.haze_bands.size() < 2)
            needs.haze_bands.clear();
        needs.haze_white = (1.0 - m.reflectance_offset) / refl_scale;
    }
    halo = std::max({m.cloud_dilation, m.shadow_dilation, m.tiebreak_radius});
    if (needs.background)
        halo = std::max(halo, 2 * needs.background_radius); // its wide window

    std::vector<std::string> run, off;
    if (full) {
        run = {"swir", "NDVI", "nir/swir1", "brightness", "water", "spectral shadow"};
        (green ? run : off).push_back("NDSI");
    } else {
        run = {"brightness"};
        off = {"swir", "NDVI", "NDSI", "nir/swir1", "water", "spectral shadow"};
    }
    (visible >= 2 ? run : off).push_back("whiteness");
    (blue && red ? run : off).push_back("haze");
    (roles.has(BandRole::Cirrus) ? run : off).push_back("cirrus");
    if (std::isnan(thermal_median)) {
        off.push_back("thermal");
    } else if (scene_clouds.empty()) {
        run.push_back("thermal");
    } else {
        // A stack: whether every date is judged against its own clear sky.
        const auto sampled = std::count_if(scene_clouds.begin(), scene_clouds.end(),
                                           [](const auto& c) { return c.has_value(); });
        run.push_back("thermal (each date's own clear-sky statistics: " + std::to_string(sampled) +
                      " of " + std::to_string(scene_clouds.size()) + " dates sampled)");
    }
    if (m.temporal)
        run.push_back("temporal (against the stack's clear background, when scored with the "
                      "stack)");
    else
        off.push_back("temporal (temporal=false)");
    cloud_tests = "cloud tests on scene '" + layout.label + "': " + join(run) +
                  (off.empty() ? "" : "; off: " + join(off));
    if (cloud_visible) {
        std::vector<std::string> missing;
        for (BandRole r : {BandRole::Red, BandRole::Nir, BandRole::Swir1})
            if (!roles.has(r))
                missing.emplace_back(role_name(r));
        roles.warn("cloud: scene '" + layout.label + "' has no " + join(missing) +
                   " band: only the visible-band" +
                   (m.temporal ? " and temporal tests run" : " tests run (temporal is off)") +
                   " (" + cloud_tests + ")");
    }
}

std::string cloud_planes_key(const ScorerImpl& s, float scale, float offset) {
    // The background's own options too: statistics made under others are another background.
    char text[128];
    // (The haze bands and white follow from the roles and the scale and offset below.)
    std::snprintf(text, sizeof text, "%a %a %a %d", double(scale), double(offset),
                  s.needs.background_tolerance, s.needs.background_radius);
    std::string key = text;
    for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
        key += " " + std::to_string(s.roles.has(r) ? s.roles[r] : -1);
    key += " of";
    for (int b : s.needs.background_bands)
        key += " " + std::to_string(b);
    return key;
}

namespace {

// The date's visible band `band` as reflectance into `date`, and the background's into `back`.
void visible_pair(const Raster& scene, const StackStats& stats, int band, float scale, float offset,
                  std::vector<float>& date, std::vector<float>& back) {
    band_plane(scene, band, scale, offset, date);
    const auto m = stats.plane(stats.background, band);
    back.resize(m.size());
    for (std::size_t i = 0; i < m.size(); ++i)
        back[i] = scale * m[i] + offset;
}

// The visible bands' indices in the scene: blue, green, red, those it has.
std::vector<int> visible_bands(const ScorerImpl& s) {
    std::vector<int> bands;
    for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
        if (s.roles.has(r))
            bands.push_back(s.roles[r]);
    return bands;
}

} // namespace

namespace {

// The gains kept in `kept` when made with the same scale, offset and bands (the thresholds do
// not change them); else gain(k) for each visible band k, left in `kept`.
template <class Gain>
std::vector<float> kept_or_new_gains(const ScorerImpl& s, float scale, float offset,
                                     ScorePlanes* kept, std::size_t bands, Gain gain) {
    const std::string key = kept ? cloud_planes_key(s, scale, offset) : std::string();
    if (kept && kept->gains_key == key)
        return kept->gains;
    std::vector<float> gains;
    for (std::size_t k = 0; k < bands; ++k)
        gains.push_back(gain(k));
    if (kept) {
        kept->gains = gains;
        kept->gains_key = key;
    }
    return gains;
}

} // namespace

std::vector<float> temporal_gains(const ScorerImpl& s, const Raster& scene, const StackStats& stats,
                                  const std::vector<std::uint8_t>& valid, float scale, float offset,
                                  std::vector<std::vector<float>>& pool, std::size_t& next,
                                  ScorePlanes* kept) {
    const std::vector<int> bands = visible_bands(s);
    if (pool.size() < next + 2)
        pool.resize(next + 2);
    std::vector<float>& date = pool[next];
    std::vector<float>& back = pool[next + 1];
    return kept_or_new_gains(s, scale, offset, kept, bands.size(), [&](std::size_t k) {
        visible_pair(scene, stats, bands[k], scale, offset, date, back);
        return relative_gain(date, back, valid);
    });
}

void temporal_planes(const ScorerImpl& s, const Raster& scene, const StackStats& stats,
                     const std::vector<std::uint8_t>& valid, float scale, float offset,
                     std::vector<std::vector<float>>& pool, std::size_t& next, TemporalPlanes& t,
                     ScorePlanes* kept) {
    t.vis.clear();
    t.bg.clear();
    const std::vector<int> bands = visible_bands(s);
    if (pool.size() < next + 2 * bands.size())
        pool.resize(next + 2 * bands.size());
    // The planes first, so that new gains come from them rather than from planes made twice.
    std::vector<std::vector<float>*> dates, backs;
    for (int band : bands) {
        dates.push_back(&pool[next++]);
        backs.push_back(&pool[next++]);
        visible_pair(scene, stats, band, scale, offset, *dates.back(), *backs.back());
    }
    const std::vector<float> gains =
        kept_or_new_gains(s, scale, offset, kept, bands.size(), [&](std::size_t k) {
            return relative_gain(*dates[k], *backs[k], valid);
        });
    for (std::size_t k = 0; k < bands.size(); ++k) {
        // Dividing the date's gain out leaves the tests and the tie-break with the clouds
        // and shadows alone.
        const float g = gains.at(k);
        for (float& x : *dates[k])
            x /= g;
        t.vis.push_back(dates[k]->data());
        t.bg.push_back(backs[k]->data());
    }
}

void score_cloud_visible(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                         const std::vector<std::uint8_t>& valid, const StackStats* stats,
                         std::vector<float>& out, ScoreScratch& scratch, ScorePlanes* kept,
                         Raster* finished) {
    const std::size_t n = valid.size();
    const bool temporal = o.temporal && stats && !stats->background.empty();
    const float sc = float(s.refl_scale), off = float(o.reflectance_offset);
    std::vector<std::vector<float>>& planes = scratch.planes;
    if (planes.size() < 16)
        planes.resize(16);
    std::size_t next_plane = 0;
    const std::vector<float> none;
    auto refl = [&](BandRole r, bool scale) -> const std::vector<float>& {
        if (!s.roles.has(r))
            return none;
        std::vector<float>& v = planes[next_plane++];
        band_plane(scene, s.roles[r], scale ? sc : 1.0f, scale ? off : 0.0f, v);
        return v;
    };
    // The visible bands the spectral tests see: divided by the date's gain when scored with
    // the stack (the temporal tests' planes), as reflectance otherwise.
    TemporalPlanes tp;
    std::vector<const float*> vis;
    if (temporal) {
        temporal_planes(s, scene, *stats, valid, sc, off, planes, next_plane, tp, kept);
        vis = tp.vis;
    } else {
        for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
            if (s.roles.has(r))
                vis.push_back(refl(r, true).data());
    }
    const auto& blue = refl(BandRole::Blue, true);
    const auto& red = refl(BandRole::Red, true);
    const auto& cirrus = refl(BandRole::Cirrus, true);
    const auto& thermal = refl(BandRole::Thermal, false);
    const std::size_t nv = vis.size();

    std::vector<std::uint8_t>& cloud = scratch.cloud;
    std::vector<std::uint8_t>& shadow = scratch.shadow;
    std::vector<float>& prob = scratch.prob;
    std::vector<float>& tie = scratch.tie;
    // Every pixel is written below: no fill first.
    cloud.resize(n);
    shadow.resize(n);
    prob.resize(n);
    tie.resize(n);
    const float b_lo = float(o.brightness_min - 0.5 * o.brightness_width);
    const float b_w = float(o.brightness_width);
    const bool t_relative = !std::isnan(s.thermal_median) && o.thermal_ramp > 0;
    const double t_warm = s.thermal_median + o.thermal_margin;
    const float t_cloud = float(o.temporal_cloud), t_shadow = float(o.temporal_shadow);
    for (std::size_t i = 0; i < n; ++i) {
        if (!valid[i]) {
            cloud[i] = shadow[i] = 0;
            prob[i] = tie[i] = 0;
            continue;
        }
        float vis_mean = 0;
        for (std::size_t k = 0; k < nv; ++k)
            vis_mean += vis[k][i];
        vis_mean /= float(nv);
        bool pcp = true;
        float whiteness = 0;
        if (nv >= 2) {
            float dev = 0;
            for (std::size_t k = 0; k < nv; ++k)
                dev += std::abs(vis[k][i] - vis_mean);
            whiteness = dev / float(nv) / std::max(vis_mean, 1e-6f);
            pcp = whiteness < o.whiteness_max;
        }
        if (pcp && !blue.empty() && !red.empty())
            pcp = blue[i] - 0.5f * red[i] - float(o.hot_min) > 0;
        float t_prob = 1;
        if (pcp && !thermal.empty()) {
            const double t = thermal[i] * o.thermal_scale + o.thermal_offset;
            if (t >= kMinCelsius && t <= kMaxCelsius) {
                pcp = t < o.thermal_max;
                if (t_relative)
                    t_prob = std::clamp(float((t_warm - t) / o.thermal_ramp), 0.0f, 1.0f);
            }
        }
        float p = 0;
        if (pcp) {
            const float bright = b_w > 0 ? std::clamp((vis_mean - b_lo) / b_w, 0.0f, 1.0f)
                                         : (vis_mean >= b_lo ? 1.0f : 0.0f);
            p = std::clamp(1 - whiteness, 0.0f, 1.0f) * bright * t_prob;
        }
        if (!cirrus.empty())
            p += std::clamp(cirrus[i] / float(o.cirrus_full), 0.0f, 1.0f);
        prob[i] = p;
        bool is_cloud = p >= o.cloud_probability;
        bool is_shadow = false;
        float tie_i = 0;
        if (temporal && !std::isnan(tp.bg[0][i])) {
            const TemporalVerdict v = temporal_verdict(tp, i, is_cloud, t_cloud, t_shadow);
            is_cloud = v.cloud;
            is_shadow = v.shadow;
            tie_i = v.tie;
        }
        tie[i] = tie_i;
        cloud[i] = is_cloud;
        shadow[i] = is_shadow && !is_cloud;
    }
    finish_cloud_scores(s, o, valid, scene.rows(), scene.cols(), temporal,
                        keep_cloud_verdicts(s, scratch, kept), scratch, out, kept, finished);
}

std::string cloud_tie_key(const ScorerImpl& s, const CloudOptions& o) {
    return cloud_planes_key(s, float(s.refl_scale), float(o.reflectance_offset)) + " r" +
           std::to_string(o.tiebreak_radius);
}

namespace {

// What the penalty classes depend on: the verdicts' options and the dilations'.
std::string cloud_classes_key(const ScorerImpl& s, const CloudOptions& o) {
    // The grow threshold exactly: its bits, as the loop compares it as a float.
    const float grow_min = float(o.cloud_grow_min);
    std::uint32_t bits;
    std::memcpy(&bits, &grow_min, sizeof bits);
    return s.cloud_verdicts_key + "\nclasses " +
           std::to_string(s.capped_dilation(o.cloud_dilation, o.dilation_max_m)) + " " +
           std::to_string(s.capped_dilation(o.shadow_dilation, o.dilation_max_m)) + " " +
           std::to_string(bits);
}

} // namespace

CloudClassesUse use_cloud_classes(const ScorerImpl& s, const CloudOptions& o, ScorePlanes& planes,
                                  std::size_t n, bool kept_verdicts) {
    CloudClassesUse use;
    use.key = cloud_classes_key(s, o);
    if (planes.classes.size() == n && planes.classes_key == use.key) {
        use.kept = planes.classes.data();
    } else if (kept_verdicts || planes.last_verdicts_key == s.cloud_verdicts_key ||
               planes.last_verdicts_key.empty()) {
        // Written by a change that keeps the verdicts (a finishing option moved), and by the
        // first scoring of these planes (a method change or a new view: the analyst's first
        // move of the window or a score then takes them; in bench_score_preview that move
        // took 66-69 ms without them, 52-53 with them, and the method change no longer),
        // not by every threshold change (about 1 ms each, for planes the next one cannot
        // use).
        planes.classes_key.clear(); // until they are written
        planes.classes.resize(n);
        use.out = planes.classes.data();
    }
    planes.last_verdicts_key = s.cloud_verdicts_key;
    return use;
}

void cloud_classes_written(ScorePlanes& planes, CloudClassesUse& use) {
    if (use.out)
        planes.classes_key = std::move(use.key);
}

const std::vector<float>* kept_cloud_tie(const ScorerImpl& s, const CloudOptions& o,
                                         const ScorePlanes* kept, std::size_t n) {
    return kept && kept->tie.size() == n && kept->tie_key == cloud_tie_key(s, o) ? &kept->tie
                                                                                 : nullptr;
}

bool cloud_finish_param(const std::string& name) {
    for (const char* p : {"cloud_dilation", "shadow_dilation", "dilation_max_m", "cloud_grow_min",
                          "cloud_score", "shadow_score", "tiebreak_radius"})
        if (name == p)
            return true;
    return false;
}

bool cloud_probability_param(const std::string& name) {
    for (const char* p : {"brightness_min", "brightness_width", "cloud_probability",
                          "water_swir1_min", "water_swir1_width"})
        if (name == p)
            return true;
    return false;
}

bool cloud_param_without_band(const std::string& name, const BandRoles& roles) {
    // The temperature's options (Fmask's statistics, and so cloud_margin, need temperatures
    // too), and cirrus's.
    static const char* const kThermal[] = {"thermal_max",    "thermal_scale", "thermal_offset",
                                           "thermal_margin", "thermal_ramp",  "cloud_margin"};
    static const char* const kCirrus[] = {"cirrus_full", "thin_weight"};
    const auto in = [&](const auto& names) {
        return std::any_of(std::begin(names), std::end(names),
                           [&](const char* p) { return name == p; });
    };
    return (!roles.has(BandRole::Thermal) && in(kThermal)) ||
           (!roles.has(BandRole::Cirrus) && in(kCirrus));
}

CloudVerdictPlanes kept_cloud_verdicts(const ScorerImpl& s, const CloudOptions& o,
                                       const ScorePlanes* kept, std::size_t n, bool temporal) {
    if (!kept)
        return {};
    // The tie-break comes out of the verdicts' pass: without it kept, they are made again.
    if (temporal && !kept_cloud_tie(s, o, kept, n))
        return {};
    // Made under these options; or by Fmask's probabilities under options that differ at
    // most in the probability options, which those do not read. The last verdicts, or the
    // ones before them.
    const auto usable = [&](const std::string& key, const std::string& fmask_key, const auto& cloud,
                            const auto& shadow, const auto& prob) {
        return cloud.size() == n && shadow.size() == n && prob.size() == n &&
               ((!key.empty() && key == s.cloud_verdicts_key) ||
                (!fmask_key.empty() && fmask_key == s.cloud_inputs_key));
    };
    if (usable(kept->verdicts_key, kept->verdicts_fmask_key, kept->cloud, kept->shadow,
               kept->cloud_prob))
        return {kept->cloud.data(), kept->shadow.data(), kept->cloud_prob.data()};
    if (usable(kept->previous_verdicts_key, kept->previous_verdicts_fmask_key, kept->previous_cloud,
               kept->previous_shadow, kept->previous_cloud_prob))
        return {kept->previous_cloud.data(), kept->previous_shadow.data(),
                kept->previous_cloud_prob.data()};
    return {};
}

LaneTemporal background_lanes(const ScorerImpl& s, const CloudOptions& o, const StackStats& stats) {
    LaneTemporal t;
    for (BandRole r : kVisibleRoles)
        if (s.roles.has(r))
            t.background.push_back(stats.plane(stats.background, s.roles[r]).data());
    t.scale = float(s.refl_scale);
    t.offset = float(o.reflectance_offset);
    return t;
}

namespace {

// The names of the options whose entries differ between two cloud_inputs_keys (entries in
// the same order: the parameter table's), or nullopt where the keys do not have the same
// options.
std::optional<std::vector<std::string>> cloud_entries_between(const std::string& before,
                                                              const std::string& now) {
    std::vector<std::string> differ;
    std::size_t a = 0, b = 0;
    while (a <= before.size() && b <= now.size()) {
        const std::size_t ea = std::min(before.find('\n', a), before.size());
        const std::size_t eb = std::min(now.find('\n', b), now.size());
        const std::string_view la(before.data() + a, ea - a), lb(now.data() + b, eb - b);
        if (la != lb) {
            const std::size_t eq = la.find('=');
            if (eq == std::string_view::npos || la.substr(0, eq + 1) != lb.substr(0, eq + 1))
                return std::nullopt;
            differ.emplace_back(la.substr(0, eq));
        }
        a = ea + 1;
        b = eb + 1;
    }
    if (a <= before.size() || b <= now.size())
        return std::nullopt; // not as many entries
    return differ;
}

} // namespace

std::optional<std::uint16_t> cloud_moved_between(const std::string& before,
                                                 const std::string& now) {
    if (before == now)
        return std::uint16_t(0);
    const auto differ = cloud_entries_between(before, now);
    if (!differ)
        return std::nullopt;
    std::uint16_t moved = 0;
    for (const std::string& name : *differ) {
        const std::uint16_t bit = moved_bit_of(cloud_varied(name));
        if (bit == 0)
            return std::nullopt;
        moved = std::uint16_t(moved | bit);
    }
    return moved;
}

void demote_kept_cloud_verdicts(const ScorerImpl& s, ScorePlanes& kept) {
    if (kept.verdicts_key.empty() || kept.verdicts_key == s.cloud_verdicts_key)
        return;
    kept.previous_verdicts_key.swap(kept.verdicts_key);
    kept.previous_verdicts_fmask_key.swap(kept.verdicts_fmask_key);
    kept.previous_cloud.swap(kept.cloud);
    kept.previous_shadow.swap(kept.shadow);
    kept.previous_cloud_prob.swap(kept.cloud_prob);
}

CloudVerdictPlanes keep_cloud_verdicts(const ScorerImpl& s, ScoreScratch& scratch,
                                       ScorePlanes* kept, bool fmask) {
    if (!kept)
        return {scratch.cloud.data(), scratch.shadow.data(), scratch.prob.data()};
    // The first verdicts kept: the previous ones' planes are sized now, so that the first
    // change of an option swaps them in instead of faulting in 6 fresh bytes a pixel.
    if (kept->verdicts_key.empty() && kept->previous_verdicts_key.empty()) {
        kept->previous_cloud.resize(scratch.cloud.size());
        kept->previous_shadow.resize(scratch.shadow.size());
        kept->previous_cloud_prob.resize(scratch.prob.size());
    }
    // The verdicts kept so far become the previous ones, where made under other options
    // (their planes become the ones written below).
    demote_kept_cloud_verdicts(s, *kept);
    // Swapped, not copied, when the kept planes are as large: scratch takes the old ones as
    // its next buffers. Otherwise copied: a scratch serves the coarse previews' small planes
    // too, and a small buffer swapped into it made the next full-resolution scene grow it
    // again, zero-filling fresh memory (memset was 4 % of a threshold change in a perf
    // profile of bench_score_preview).
    auto keep = [](auto& plane, auto& made) {
        if (plane.size() == made.size())
            plane.swap(made);
        else
            plane.assign(made.begin(), made.end());
    };
    keep(kept->cloud, scratch.cloud);
    keep(kept->shadow, scratch.shadow);
    keep(kept->cloud_prob, scratch.prob);
    kept->verdicts_key = s.cloud_verdicts_key;
    kept->verdicts_fmask_key = fmask ? s.cloud_inputs_key : std::string();
    return {kept->cloud.data(), kept->shadow.data(), kept->cloud_prob.data()};
}

} // namespace rb::detail
