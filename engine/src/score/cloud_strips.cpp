// The cloud method over a stack in strips of rows (Scorer::score_strips_reusing), where a
// change keeps the verdicts or their inputs (tests' thresholds moved too: those tests made
// again from the bands, the temporal ones with the stack's background), or is the first
// change of tests' thresholds after a pass that kept no inputs (the bands' pass then runs in
// the strips too, keeping them for the next change): for each strip, every scene's verdicts,
// dilations and scores while the strip is in the cache.
//
// The bands' pass in strips (measured when it still served spectral thresholds): the first
// move of whiteness_max after a method change took 87-91 against 95-99 ms in
// bench_score_preview (12 scenes of 1200 x 1200 px). Each strip makes its halo rows' verdicts
// again (3 rows each side at the default dilations: 11 % more of the pass); strips twice as
// tall were slower (85-86 ms).
//
// Why: with the verdicts made from kept planes (a threshold change), what is left of a
// change is passes that each stream whole planes of every scene through memory (the
// verdicts written and read back, the dilations' masks, the scores, the finished score), and
// a perf profile of bench_score_preview showed them bound by memory traffic. In strips, only
// the kept inputs are read and the finished scores written; the rest stays in a core's
// cache.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "cloud_band_pass.h"
#include "cloud_lanes.h"
#include "rasterbench/score.h"
#include "scorer_impl.h"

namespace rb {

namespace {

// Pixels per strip: a strip's kept planes and working masks of one scene (about 25 bytes a
// pixel) stay within a core's second-level cache (2 MB here), halo rows included. Measured
// with bench_score_preview's threshold change (12 scenes of 1200 x 1200 px): 16,384 px took
// 39 ms to score, 32,768 35 ms, 65,536 32-33 ms, 131,072 32 ms with a slower coarse image.
constexpr std::size_t kStripPixels = 65536;

// Where one scene's verdicts come from.
struct StripScene {
    detail::CloudInputPlanes inputs;     ///< the verdicts' inputs, where made from them
    detail::KeptInputLanes lanes;        ///< what the inputs are read with besides
    detail::CloudVerdictPlanes verdicts; ///< the verdicts kept (a finishing option changed)
    bool kept_verdicts = false;
    /// The penalty classes kept (the tie-break's window or a score changed), else where the
    /// strips write them for the next change.
    detail::CloudClassesUse classes;
    bool all_valid = false;
    /// Neither: the bands' pass, a strip at a time (passes[i]).
    bool band_pass = false;
};

} // namespace

bool Scorer::score_strips_reusing(std::span<const Raster> scenes, const StackStats* stats,
                                  std::vector<ScorePlanes>& planes, std::vector<Raster>& out,
                                  Progress& progress, detail::StackWinners* winners) const {
    const detail::ScorerImpl& s = *impl_;
    if (winners)
        winners->made = false;
    const auto* cloud = std::get_if<CloudOptions>(&s.options.method);
    if (!cloud || s.cloud_visible || s.bap || detail::has_penalties(s.options.penalties) ||
        scenes.empty() || planes.size() != scenes.size())
        return false;
    const CloudOptions& o = *cloud;
    const int rows = scenes[0].rows(), cols = scenes[0].cols();
    const std::size_t n = scenes[0].band_size();
    const bool temporal = o.temporal && stats && !stats->background.empty();
    std::vector<StripScene> jobs(scenes.size());
    bool rescored = false;
    tbb::enumerable_thread_specific<detail::ScoreScratch> scratches;
    // A change of the tie-break's window alone: each scene's averaged from its kept distance
    // (a whole scene's window, before the strips).
    if (temporal)
        tbb::parallel_for(std::size_t(0), scenes.size(), [&](std::size_t i) {
            detail::average_kept_cloud_tie(s, o, &planes[i], rows, cols, scratches.local());
        });
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const ScorePlanes& p = planes[i];
        detail::check_score_block(s, scenes[i], stats);
        if (scenes[i].rows() != rows || scenes[i].cols() != cols || p.rows != rows ||
            p.cols != cols || p.valid.size() != n)
            return false;
        // The verdicts kept, or their inputs (with the averaged tie-break, which takes a
        // whole scene); else the bands' pass in the strips, where it keeps the inputs (tests'
        // thresholds moved after a pass that kept none: the next moves are made from them)
        // and the averaged tie-break stands. Otherwise (a reflectance, the temporal tests or
        // several options changed) the bands' pass, scene by scene, which keeps the verdicts and
        // the tie-break's distance.
        jobs[i].verdicts = detail::kept_cloud_verdicts(s, o, &p, n, temporal);
        jobs[i].kept_verdicts = jobs[i].verdicts.cloud != nullptr;
        jobs[i].inputs =
            detail::kept_cloud_inputs(s, o, &planes[i], n, temporal ? stats : nullptr, scenes[i],
                                      p.valid, scratches.local(), jobs[i].lanes);
        if (!jobs[i].kept_verdicts && !jobs[i].inputs.cls) {
            if ((temporal && !detail::kept_cloud_tie(s, o, &p, n)) ||
                !detail::cloud_inputs_kept_by_pass(s, &p, s.scene_cloud(int(i)).stats.land))
                return false;
            jobs[i].band_pass = true;
        }
        rescored |= p.method_key != s.method_key || p.method_score.size() != n;
    }
    if (!rescored)
        return false; // score_reusing finishes from the kept method scores

    // The bands' passes set up (the dates' gains, the kept input planes sized).
    std::vector<detail::CloudBandPass> passes(scenes.size());
    tbb::parallel_for(std::size_t(0), scenes.size(), [&](std::size_t i) {
        if (jobs[i].band_pass)
            detail::begin_cloud_band_pass(s, o, scenes[i], int(i), stats, temporal, planes[i].valid,
                                          scratches.local(), &planes[i], passes[i]);
    });

    out.resize(scenes.size());
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        ScorePlanes& p = planes[i];
        jobs[i].classes = detail::use_cloud_classes(s, o, p, n, jobs[i].kept_verdicts);
        jobs[i].all_valid = std::memchr(p.valid.data(), kInvalid, n) == nullptr;
        // The method's scores and the verdicts are not kept: the next change makes them
        // again from the verdicts or inputs kept (as cheap as reading them back).
        p.method_key.clear();
        p.last_pass_inputs_key = s.cloud_inputs_key;
        if (!jobs[i].kept_verdicts) {
            // A bands' pass (thresholds moved after a pass that kept no inputs, as after a
            // reflectance change) keeps the verdicts it replaces as the previous ones, as the
            // pass scene by scene does: moving the threshold back to where it was takes them
            // (22-31 ms against about 45 from the inputs).
            if (jobs[i].band_pass)
                detail::demote_kept_cloud_verdicts(s, p);
            p.verdicts_key.clear();
            p.verdicts_fmask_key.clear();
        }
        out[i].reset(DataType::Float32, 1, rows, cols);
        if (!jobs[i].all_valid)
            out[i].ensure_mask_unset(); // the strips write every byte, a row at a time
    }

    // The composite's winners, where asked for: each strip's scenes visited in its tie order.
    const bool fused = winners && winners->deliver && winners->order.size() == scenes.size();
    std::vector<std::size_t> visit(scenes.size());
    for (std::size_t k = 0; k < scenes.size(); ++k)
        visit[k] = fused ? winners->order[k] : k;
    // A strip's winners, in a core's cache while its scenes are added, then delivered.
    struct StripWinners {
        std::vector<float> best;
        std::vector<std::int32_t> scene, count;
    };
    tbb::enumerable_thread_specific<StripWinners> strip_winners;

    const int cloud_dilation = s.capped_dilation(o.cloud_dilation, o.dilation_max_m);
    const int shadow_dilation = s.capped_dilation(o.shadow_dilation, o.dilation_max_m);
    const int halo = std::max(cloud_dilation, shadow_dilation); // rows a strip's dilations read
    const int strip_rows = std::max(8, int(kStripPixels / std::size_t(std::max(cols, 1))));
    const int strips = (rows + strip_rows - 1) / strip_rows;
    const auto w = std::size_t(cols);
    std::mutex progress_mutex;
    int done = 0;
    tbb::parallel_for(tbb::blocked_range<int>(0, strips, 1), [&](const auto& range) {
        detail::ScoreScratch& scratch = scratches.local();
        for (int k = range.begin(); k != range.end(); ++k) {
            {
                const std::lock_guard lock(progress_mutex);
                progress.check();
            }
            // The strip's own rows [y0, y1) and the rows its dilations read [v0, v1).
            const int y0 = k * strip_rows, y1 = std::min(rows, y0 + strip_rows);
            const int v0 = std::max(0, y0 - halo), v1 = std::min(rows, y1 + halo);
            const std::size_t first = std::size_t(v0) * w, len = std::size_t(v1 - v0) * w;
            StripWinners& won = strip_winners.local();
            const std::size_t own = std::size_t(y1 - y0) * w;
            if (fused) {
                won.best.resize(own);
                won.scene.resize(own);
                won.count.resize(own);
            }
            for (std::size_t at = 0; at < scenes.size(); ++at) {
                const std::size_t i = visit[at];
                const ScorePlanes& p = planes[i];
                const std::uint8_t* vc = nullptr;
                const std::uint8_t* vs = nullptr;
                const float* vp = nullptr;
                if (jobs[i].classes.kept) {
                    // Scored from the classes alone.
                } else if (jobs[i].kept_verdicts) {
                    vc = jobs[i].verdicts.cloud + first;
                    vs = jobs[i].verdicts.shadow + first;
                    vp = jobs[i].verdicts.prob + first;
                } else if (jobs[i].band_pass) {
                    // The strip's rows and its halo's, each strip keeping the inputs of its
                    // own rows alone (the halo's are its neighbours' own).
                    scratch.cloud.resize(len);
                    scratch.shadow.resize(len);
                    scratch.prob.resize(len);
                    const detail::CloudBandPass& bp = passes[i];
                    detail::CloudVerdicts halo_rows{scratch.cloud.data(),
                                                    scratch.shadow.data(),
                                                    scratch.prob.data(),
                                                    nullptr,
                                                    {}};
                    halo_rows.base = first;
                    detail::CloudVerdicts own_rows = halo_rows;
                    own_rows.inputs = bp.inputs;
                    const std::size_t own0 = std::size_t(y0) * w, own1 = std::size_t(y1) * w;
                    const std::uint8_t* valid = p.valid.data();
                    detail::cloud_verdicts(o, bp.lane, bp.bands, valid, first, own0, halo_rows);
                    detail::cloud_verdicts(o, bp.lane, bp.bands, valid, own0, own1, own_rows);
                    detail::cloud_verdicts(o, bp.lane, bp.bands, valid, own1, first + len,
                                           halo_rows);
                    vc = scratch.cloud.data();
                    vs = scratch.shadow.data();
                    vp = scratch.prob.data();
                } else {
                    scratch.cloud.resize(len);
                    scratch.shadow.resize(len);
                    scratch.prob.resize(len);
                    detail::cloud_verdicts_from_inputs(
                        o, detail::offset_inputs(jobs[i].inputs, first), len,
                        {scratch.cloud.data(),
                         scratch.shadow.data(),
                         scratch.prob.data(),
                         nullptr,
                         {}});
                    vc = scratch.cloud.data();
                    vs = scratch.shadow.data();
                    vp = scratch.prob.data();
                }
                // The scores into the score raster, finished there in place.
                detail::CloudFinishRows r;
                r.rows = rows;
                r.cols = cols;
                r.valid = p.valid.data();
                r.tie = temporal ? p.tie.data() : nullptr;
                r.verdicts = {vc, vs, vp};
                r.v0 = v0;
                r.v1 = v1;
                r.y0 = y0;
                r.y1 = y1;
                r.out = out[i].band<float>(0).data();
                r.finished = &out[i];
                r.all_valid = jobs[i].all_valid;
                r.stream = true;
                r.classes = jobs[i].classes.kept;
                r.classes_out = jobs[i].classes.out;
                if (fused) {
                    r.winners = {won.best.data(), won.scene.data(), won.count.data()};
                    r.winner_scene = std::int32_t(i);
                    r.first_winner = at == 0;
                    r.min_score = winners->min_score;
                }
                detail::finish_cloud_rows(s, o, r, scratch);
            }
            if (fused)
                winners->deliver(y0, y1, won.best.data(), won.scene.data(), won.count.data());
            const std::lock_guard lock(progress_mutex);
            progress.report(double(++done) / double(strips));
        }
    });
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        detail::cloud_classes_written(planes[i], jobs[i].classes);
        if (jobs[i].band_pass)
            detail::end_cloud_band_pass(s, &planes[i], passes[i]);
    }
    if (fused)
        winners->made = true;
    return true;
}

} // namespace rb
