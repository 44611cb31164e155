#include "cloud_band_pass.h"

#include "cloud_temporal.h"
#include "rasterbench/score.h"
#include "scorer_impl.h"

namespace rb::detail {

std::optional<std::string> cloud_inputs_kept_by_pass(const ScorerImpl& s, const ScorePlanes* kept,
                                                     bool land) {
    // A change of the probability options or of one test's threshold (the last change had
    // every other option as now: the analyst is moving that one; its test's value is kept
    // too), or the first pass on these planes (a method change or a new view: the analyst's
    // first move of a probability option then needs no pass, and a threshold's finds the
    // planes allocated). Not on other passes: writing them costs a sixth of a pass (9 bytes a
    // pixel; 58 against 68 ms in bench_score_preview).
    if (!kept || land)
        return std::nullopt;
    if (kept->last_pass_inputs_key.empty())
        return std::string();
    auto varied = cloud_varied_between(kept->last_pass_inputs_key, s.cloud_inputs_key);
    if (varied && moved_bit_of(cloud_varied(*varied)) != 0)
        varied = std::string(); // the kept failures and the bands serve its next moves
    return varied;
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

    pass.varied = cloud_inputs_kept_by_pass(s, kept, pass.lane.stats.land);
    if (!kept)
        return;
    const bool keep = pass.varied.has_value();
    const std::size_t n = valid.size();
    const CloudVaried test = keep ? cloud_varied(*pass.varied) : CloudVaried::None;
    const bool temporal_test =
        test == CloudVaried::TemporalCloud || test == CloudVaried::TemporalShadow;
    ScorePlanes& k = *kept;
    const bool first_pass = k.last_pass_inputs_key.empty();
    k.inputs_key.clear(); // unusable until the pass has run through
    k.last_pass_inputs_key = s.cloud_inputs_key;
    // A plane not written by this pass is released, unless `hold`: then it keeps (or, on
    // keeping passes, gets) its storage for a later pass.
    auto plane = [&](auto& v, bool wanted, bool hold = false) {
        if (!wanted && !hold)
            v = {};
        else if (keep)
            v.resize(n);
        return wanted && keep ? v.data() : nullptr;
    };
    CloudInputPlanes& in = pass.inputs;
    in.vis_mean = plane(k.input_vis_mean, true);
    in.factor = plane(k.input_factor, true);
    in.t_prob = plane(k.input_t_prob, b.thermal.data != nullptr);
    in.cirrus = plane(k.input_cirrus, b.cirrus.data != nullptr);
    in.cls = plane(k.input_class, true);
    in.fails = plane(k.input_fails, true);
    // A temporal test's value, only where the stack takes part; held from the first pass on
    // there: the analyst's first move of its threshold would otherwise fault in 4 fresh bytes
    // a pixel (about 2 us a page here).
    in.tested = plane(k.input_tested, temporal_test && temporal,
                      (first_pass && temporal) || k.input_tested.size() == n);
    in.varied = test;
}

void end_cloud_band_pass(const ScorerImpl& s, ScorePlanes* kept, const CloudBandPass& pass) {
    if (!kept || !pass.varied)
        return;
    kept->inputs_varied = *pass.varied;
    kept->inputs_key = cloud_key_without(s.cloud_inputs_key, *pass.varied);
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
    lanes.again.clear();
    if (!kept || kept->inputs_key.empty() || kept->input_class.size() != n ||
        (stats && !kept_cloud_tie(s, o, kept, n)))
        return {};
    const std::string now = cloud_key_without(s.cloud_inputs_key, kept->inputs_varied);
    auto moved = cloud_moved_between(kept->inputs_key, now);
    // A temporal threshold moved too, where no test's value is kept: its value made again
    // into the plane the first pass sized (held there for this move: faulting it in would
    // cost about 2 us a page here). The bands' pass instead took 61-76 ms in
    // bench_score_preview, 1.25-1.5x GDAL's read of the view.
    if (!moved && stats && kept->inputs_varied.empty() && kept->input_tested.size() == n)
        for (const char* name : {"temporal_cloud", "temporal_shadow"}) {
            moved = cloud_moved_between(cloud_key_without(kept->inputs_key, name),
                                        cloud_key_without(now, name));
            if (moved) {
                lanes.again = name;
                break;
            }
        }
    if (!moved || (*moved != 0 && kept->input_fails.size() != n))
        return {};
    auto plane = [](std::vector<float>& v) { return v.empty() ? nullptr : v.data(); };
    // A temporal test's value plane is held between the passes that write it: read only under
    // one, with the stack (the passes write it only then).
    const CloudVaried varied =
        cloud_varied(lanes.again.empty() ? kept->inputs_varied : lanes.again);
    const bool tested = varied != CloudVaried::None && stats;
    CloudInputPlanes in;
    in.vis_mean = plane(kept->input_vis_mean);
    in.factor = plane(kept->input_factor);
    in.t_prob = plane(kept->input_t_prob);
    in.cirrus = plane(kept->input_cirrus);
    in.cls = kept->input_class.data();
    in.tested = tested ? plane(kept->input_tested) : nullptr;
    in.varied = varied;
    if (*moved != 0) {
        lanes.bands = cloud_bands(s, o, scene);
        in.fails = kept->input_fails.data();
        in.moved = *moved;
        in.bands = &lanes.bands;
    }
    if (!lanes.again.empty()) {
        lanes.temporal = date_lanes(s, o, scene, *stats, valid, scratch, kept);
        in.again = &lanes.temporal;
    }
    return in;
}

void kept_cloud_inputs_read(ScorePlanes* kept, const KeptInputLanes& lanes) {
    if (!kept || lanes.again.empty())
        return;
    kept->inputs_key = cloud_key_without(kept->inputs_key, lanes.again);
    kept->inputs_varied = lanes.again;
}

} // namespace rb::detail
