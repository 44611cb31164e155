#include "cloud_band_pass.h"

#include "cloud_temporal.h"
#include "rasterbench/score.h"
#include "scorer_impl.h"

namespace rb::detail {

bool cloud_inputs_kept_by_pass(const ScorerImpl& s, const ScorePlanes* kept, bool land) {
    // A change of the probability options or of tests' thresholds (the last change had every
    // other option as now: the analyst is moving them; the next moves are made from the
    // inputs), or the first pass on these planes (a method change or a new view: the
    // analyst's first move of a threshold or probability option then needs no pass). Not on
    // other passes: writing them costs a sixth of a pass (9 bytes a pixel; 58 against 68 ms in
    // bench_score_preview).
    if (!kept || land)
        return false;
    return kept->last_pass_inputs_key.empty() ||
           cloud_moved_between(kept->last_pass_inputs_key, s.cloud_inputs_key).has_value();
}

CloudBands cloud_bands(const ScorerImpl& s, const CloudOptions& o, const Raster& scene) {
    const float sc = float(s.refl_scale), off = float(o.reflectance_offset);
    auto band = [&](BandRole r, bool reflectance) {
        return lane_band(scene, s.roles.has(r) ? s.roles[r] : -1, reflectance ? sc : 1.0f,
                         reflectance ? off : 0.0f);
    };
    CloudBands b;
    b.blue = band(BandRole::Blue, true);
    b.green = band(BandRole::Green, true);
    b.red = band(BandRole::Red, true);
    b.nir = band(BandRole::Nir, true);
    b.swir1 = band(BandRole::Swir1, true);
    b.swir2 = band(BandRole::Swir2, true);
    b.cirrus = band(BandRole::Cirrus, true);
    b.thermal = band(BandRole::Thermal, false);
    return b;
}

void begin_cloud_band_pass(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                           int index, const StackStats* stats, bool temporal,
                           const std::vector<std::uint8_t>& valid, ScoreScratch& scratch,
                           ScorePlanes* kept, CloudBandPass& pass) {
    // The bands as stored: the passes make them reflectance a block at a time.
    pass.bands = cloud_bands(s, o, scene);
    const CloudBands& b = pass.bands;
    if (temporal)
        pass.temporal = date_lanes(s, o, scene, *stats, valid, scratch, kept);
    // Temperature relative to the scene's (sampled) median, when the band is in degrees;
    // the clear-sky statistics of this date's own sample (ScorerImpl::scene_cloud).
    const ScorerImpl::SceneCloud date = s.scene_cloud(index);
    pass.lane.stats = date.stats;
    pass.lane.thermal_median = date.thermal_median;
    pass.lane.temporal = temporal ? &pass.temporal : nullptr;

    pass.keeps = cloud_inputs_kept_by_pass(s, kept, pass.lane.stats.land);
    if (!kept)
        return;
    const std::size_t n = valid.size();
    ScorePlanes& k = *kept;
    k.inputs_key.clear(); // unusable until the pass has run through
    k.last_pass_inputs_key = s.cloud_inputs_key;
    // A plane not written by this pass is released.
    auto plane = [&](auto& v, bool wanted) {
        if (!wanted)
            v = {};
        else if (pass.keeps)
            v.resize(n);
        return wanted && pass.keeps ? v.data() : nullptr;
    };
    CloudInputPlanes& in = pass.inputs;
    in.vis_mean = plane(k.input_vis_mean, true);
    in.factor = plane(k.input_factor, true);
    in.t_prob = plane(k.input_t_prob, b.thermal.data != nullptr);
    in.cirrus = plane(k.input_cirrus, b.cirrus.data != nullptr);
    in.cls = plane(k.input_class, true);
    in.fails = plane(k.input_fails, true);
}

void end_cloud_band_pass(const ScorerImpl& s, ScorePlanes* kept, const CloudBandPass& pass) {
    if (kept && pass.keeps)
        kept->inputs_key = s.cloud_inputs_key;
}

LaneTemporal date_lanes(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                        const StackStats& stats, const std::vector<std::uint8_t>& valid,
                        ScoreScratch& scratch, ScorePlanes* kept) {
    const float sc = float(s.refl_scale), off = float(o.reflectance_offset);
    std::size_t next_plane = 0;
    LaneTemporal t = background_lanes(s, o, stats);
    t.gains = temporal_gains(s, scene, stats, valid, sc, off, scratch.planes, next_plane, kept);
    for (BandRole r : kVisibleRoles)
        if (s.roles.has(r))
            t.vis.push_back(lane_band(scene, s.roles[r], sc, off));
    return t;
}

CloudInputPlanes kept_cloud_inputs(const ScorerImpl& s, const CloudOptions& o, ScorePlanes* kept,
                                   std::size_t n, const StackStats* stats, const Raster& scene,
                                   const std::vector<std::uint8_t>& valid, ScoreScratch& scratch,
                                   KeptInputLanes& lanes) {
    if (!kept || kept->inputs_key.empty() || kept->input_class.size() != n ||
        (stats && !kept_cloud_tie(s, o, kept, n)))
        return {};
    auto moved = cloud_moved_between(kept->inputs_key, s.cloud_inputs_key);
    if (!moved || (*moved != 0 && kept->input_fails.size() != n))
        return {};
    // Without the stack no temporal test runs: its thresholds change nothing.
    if (!stats)
        *moved = std::uint16_t(*moved & ~kTemporalMoved);
    auto plane = [](std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    CloudInputPlanes in;
    in.vis_mean = plane(kept->input_vis_mean);
    in.factor = plane(kept->input_factor);
    in.t_prob = plane(kept->input_t_prob);
    in.cirrus = plane(kept->input_cirrus);
    in.cls = kept->input_class.data();
    if (*moved != 0) {
        in.fails = kept->input_fails.data();
        in.moved = *moved;
    }
    if (*moved & (kSpectralMoved | kShadowMoved)) {
        lanes.bands = cloud_bands(s, o, scene);
        in.bands = &lanes.bands;
    }
    // The temporal tests made again from the visible bands and the background. Before, the
    // first move of a temporal threshold ran the bands' pass, which kept that test's value (4
    // bytes a pixel and date) for the next moves. In bench_score_preview (12 scenes of 1200 x
    // 1200 px) that first move took 76-84 ms, now 39-41; a later move takes 3-5 ms more than
    // reading the kept value did (38-39 against 34 ms), and any temporal thresholds, with
    // others, move without a pass.
    if (*moved & kTemporalMoved) {
        lanes.temporal = date_lanes(s, o, scene, *stats, valid, scratch, kept);
        in.temporal = &lanes.temporal;
    }
    return in;
}

} // namespace rb::detail
