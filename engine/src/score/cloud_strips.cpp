// The cloud method over a stack in strips of rows (Scorer::score_strips_reusing), where a
// change keeps the verdicts or their inputs: for each strip, every scene's verdicts,
// dilations and scores while the strip is in the cache.
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

#include "cloud_lanes.h"
#include "pixel_util.h"
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
    const ScorePlanes* planes = nullptr;
    bool kept_verdicts = false; ///< the verdicts themselves (a finishing option changed)
    bool all_valid = false;
};

detail::CloudInputPlanes inputs_from(const ScorePlanes& p, std::size_t offset) {
    auto at = [&](const std::vector<float>& v) {
        return v.empty() ? nullptr : const_cast<float*>(v.data()) + offset;
    };
    detail::CloudInputPlanes in;
    in.vis_mean = at(p.input_vis_mean);
    in.factor = at(p.input_factor);
    in.t_prob = at(p.input_t_prob);
    in.cirrus = at(p.input_cirrus);
    in.cls = const_cast<std::uint8_t*>(p.input_class.data()) + offset;
    return in;
}

} // namespace

bool Scorer::score_strips_reusing(std::span<const Raster> scenes, const StackStats* stats,
                                  std::vector<ScorePlanes>& planes, std::vector<Raster>& out,
                                  Progress& progress) const {
    const detail::ScorerImpl& s = *impl_;
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
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const ScorePlanes& p = planes[i];
        detail::check_score_block(s, scenes[i], stats);
        if (scenes[i].rows() != rows || scenes[i].cols() != cols || p.rows != rows ||
            p.cols != cols || p.valid.size() != n)
            return false;
        // The verdicts kept, or their inputs (with the averaged tie-break, which takes a
        // whole scene); else the bands' pass, scene by scene.
        jobs[i].planes = &p;
        jobs[i].kept_verdicts = detail::kept_cloud_verdicts(s, o, &p, n, temporal).cloud != nullptr;
        const bool inputs = !p.inputs_key.empty() && p.inputs_key == s.cloud_inputs_key &&
                            p.input_class.size() == n &&
                            (!temporal || detail::kept_cloud_tie(s, o, &p, n));
        if (!jobs[i].kept_verdicts && !inputs)
            return false;
        rescored |= p.method_key != s.method_key || p.method_score.size() != n;
    }
    if (!rescored)
        return false; // score_reusing finishes from the kept method scores

    out.resize(scenes.size());
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        ScorePlanes& p = planes[i];
        jobs[i].all_valid = std::memchr(p.valid.data(), kInvalid, n) == nullptr;
        // The method's scores and the verdicts are not kept: the next change makes them
        // again from the verdicts or inputs kept (as cheap as reading them back).
        p.method_key.clear();
        if (!jobs[i].kept_verdicts) {
            p.verdicts_key.clear();
            p.verdicts_fmask_key.clear();
        }
        out[i].reset(DataType::Float32, 1, rows, cols);
        if (!jobs[i].all_valid)
            out[i].ensure_mask(); // made here: the strips write their rows of it at once
    }

    const int cloud_dilation = s.capped_dilation(o.cloud_dilation, o.dilation_max_m);
    const int shadow_dilation = s.capped_dilation(o.shadow_dilation, o.dilation_max_m);
    const int halo = std::max(cloud_dilation, shadow_dilation);
    const int strip_rows = std::max(8, int(kStripPixels / std::size_t(std::max(cols, 1))));
    const int strips = (rows + strip_rows - 1) / strip_rows;
    const auto w = std::size_t(cols);
    const float grow_min = float(o.cloud_grow_min);
    const float cloud_score = float(o.cloud_score), shadow_score = float(o.shadow_score);
    tbb::enumerable_thread_specific<detail::ScoreScratch> scratches;
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
            const std::size_t own = std::size_t(y0 - v0) * w, own_first = std::size_t(y0) * w,
                              own_end = std::size_t(y1) * w;
            for (std::size_t i = 0; i < scenes.size(); ++i) {
                const ScorePlanes& p = planes[i];
                const std::uint8_t* vc = p.cloud.data() + first;
                const std::uint8_t* vs = p.shadow.data() + first;
                const float* vp = p.cloud_prob.data() + first;
                if (!jobs[i].kept_verdicts) {
                    scratch.cloud.resize(len);
                    scratch.shadow.resize(len);
                    scratch.prob.resize(len);
                    detail::cloud_verdicts_from_inputs(o, inputs_from(p, first), len,
                                                       {scratch.cloud.data(),
                                                        scratch.shadow.data(),
                                                        scratch.prob.data(),
                                                        nullptr,
                                                        {}});
                    vc = scratch.cloud.data();
                    vs = scratch.shadow.data();
                    vp = scratch.prob.data();
                }
                // The strip's dilations equal the whole scene's on its own rows: they read at
                // most `halo` rows beyond them.
                const std::uint8_t* grown = nullptr;
                if (cloud_dilation > 0) {
                    scratch.grown.resize(len);
                    detail::dilate(vc, scratch.grown.data(), v1 - v0, cols, cloud_dilation,
                                   scratch.tmp8);
                    grown = scratch.grown.data() + own;
                }
                const std::uint8_t* sh = vs + own;
                if (shadow_dilation > 0) {
                    scratch.grown_shadow.resize(len);
                    detail::dilate(vs, scratch.grown_shadow.data(), v1 - v0, cols, shadow_dilation,
                                   scratch.tmp8);
                    sh = scratch.grown_shadow.data() + own;
                }
                // The scores into the score raster, finished there in place, a chunk at a
                // time while it is in the first-level cache.
                float* scores = out[i].band<float>(0).data();
                constexpr std::size_t kChunk = 4096;
                for (std::size_t i0 = own_first; i0 < own_end; i0 += kChunk) {
                    const std::size_t i1 = std::min(own_end, i0 + kChunk), c = i0 - own_first;
                    detail::cloud_score_rows(vc + own + c, grown ? grown + c : nullptr,
                                             p.valid.data() + i0, vp + own + c, grow_min, sh + c,
                                             temporal ? p.tie.data() + i0 : nullptr, cloud_score,
                                             shadow_score, i1 - i0, scores + i0);
                    detail::finish_unpenalized(p.valid.data(), scores, jobs[i].all_valid, i0, i1,
                                               out[i]);
                }
            }
            const std::lock_guard lock(progress_mutex);
            progress.report(double(++done) / double(strips));
        }
    });
    return true;
}

} // namespace rb
