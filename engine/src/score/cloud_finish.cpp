// The cloud method's last steps (finish_cloud_scores): the verdicts' masks grown, the
// tie-break averaged, and the scores written.
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pixel_util.h"
#include "rasterbench/score.h"

#include "scorer_impl.h"

namespace rb::detail {

namespace {

// Pixels [0, len) of a block: the grown cloud (`grown`: the dilated verdicts, when kGrown),
// the shadow (dilated already when there is a shadow dilation) and the tie-break (when
// kTie) into the method's scores, and with kClasses their penalty classes into `classes`.
// Branch-free and through plain pointers (a byte store may alias a vector's own pointers),
// so it vectorizes; inlined into each clone of cloud_score_rows.
template <bool kGrown, bool kTie, bool kClasses>
[[gnu::always_inline]] inline void
score_loop(const std::uint8_t* __restrict raw, const std::uint8_t* __restrict grown,
           const std::uint8_t* __restrict ok, const float* __restrict prob, float grow_min,
           const std::uint8_t* __restrict shadow, const float* __restrict tie, float cloud_score,
           float shadow_score, std::size_t len, float* __restrict dst,
           std::uint8_t* __restrict classes) {
    for (std::size_t j = 0; j < len; ++j) {
        bool is_cloud = raw[j] != 0;
        if constexpr (kGrown) {
            // With cloud_grow_min the dilation takes hazy edges, not clear ground.
            const float p = prob[j];
            is_cloud = is_cloud | ((grown[j] != 0) & (ok[j] != 0) & (p >= grow_min));
        }
        const bool is_shadow = shadow[j] != 0;
        const float penalty = is_cloud ? cloud_score : is_shadow ? shadow_score : 0.0f;
        if constexpr (kClasses)
            classes[j] = is_cloud ? kCloudClass : is_shadow ? kShadowClass : kClearClass;
        if constexpr (kTie)
            dst[j] = penalty - tie[j];
        else
            dst[j] = penalty;
    }
}

template <bool kClasses>
[[gnu::always_inline]] inline void
score_loops(const std::uint8_t* raw, const std::uint8_t* grown, const std::uint8_t* ok,
            const float* prob, float grow_min, const std::uint8_t* shadow, const float* tie,
            float cloud_score, float shadow_score, std::size_t len, float* dst,
            std::uint8_t* classes) {
    if (grown && tie)
        score_loop<true, true, kClasses>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                         shadow_score, len, dst, classes);
    else if (grown)
        score_loop<true, false, kClasses>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                          shadow_score, len, dst, classes);
    else if (tie)
        score_loop<false, true, kClasses>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                          shadow_score, len, dst, classes);
    else
        score_loop<false, false, kClasses>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                           shadow_score, len, dst, classes);
}

// score_loop for the planes there are (null `grown`: no cloud dilation; null `tie`: no
// stack; null `classes`: none written), in eight lanes where the processor has AVX2.
__attribute__((target_clones("avx2", "default"))) void
cloud_score_rows(const std::uint8_t* raw, const std::uint8_t* grown, const std::uint8_t* ok,
                 const float* prob, float grow_min, const std::uint8_t* shadow, const float* tie,
                 float cloud_score, float shadow_score, std::size_t len, float* dst,
                 std::uint8_t* classes) {
    if (classes)
        score_loops<true>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score, shadow_score,
                          len, dst, classes);
    else
        score_loops<false>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score, shadow_score,
                           len, dst, classes);
}

template <bool kTie>
[[gnu::always_inline]] inline void
class_score_loop(const std::uint8_t* __restrict classes, const float* __restrict tie,
                 float cloud_score, float shadow_score, std::size_t len, float* __restrict dst) {
    for (std::size_t j = 0; j < len; ++j) {
        const std::uint8_t c = classes[j];
        const float penalty = c == kCloudClass    ? cloud_score
                              : c == kShadowClass ? shadow_score
                                                  : 0.0f;
        if constexpr (kTie)
            dst[j] = penalty - tie[j];
        else
            dst[j] = penalty;
    }
}

// The scores of pixels [0, len) from their kept penalty classes and the tie-break (null: no
// stack): cloud_score_rows' scores, without the verdicts and their dilations.
__attribute__((target_clones("avx2", "default"))) void
class_score_rows(const std::uint8_t* classes, const float* tie, float cloud_score,
                 float shadow_score, std::size_t len, float* dst) {
    if (tie)
        class_score_loop<true>(classes, tie, cloud_score, shadow_score, len, dst);
    else
        class_score_loop<false>(classes, tie, cloud_score, shadow_score, len, dst);
}

// finish_unpenalized of pixels [i0, i1) from `method` (indexed from i0, in the cache), the
// scores stored past the cache (SSE2's streaming stores, where aligned): a store that
// misses the cache otherwise reads the line from memory first, which the strips' finished
// scores, overwritten whole, do not need.
// With `keep`, the finished scores also replace `method`'s (for the composite's winners).
void finish_streamed(const std::uint8_t* valid, float* method, bool all_valid, std::size_t i0,
                     std::size_t i1, Raster& r, bool keep) {
    const float lowest = std::numeric_limits<float>::lowest();
    float* dst = r.band<float>(0).data();
    if (!all_valid) {
        std::uint8_t* m = r.mask(0).data();
        for (std::size_t i = i0; i < i1; ++i)
            m[i] = valid[i] != 0 ? kValid : kInvalid;
    }
    auto one = [&](std::size_t i) {
        const float v = method[i - i0];
        const float f =
            all_valid || valid[i] != 0 ? (v > kInvalidScore ? v : lowest) : kInvalidScore;
        dst[i] = f;
        if (keep)
            method[i - i0] = f;
    };
    std::size_t i = i0;
#if defined(__SSE2__)
    for (; i < i1 && (reinterpret_cast<std::uintptr_t>(dst + i) & 15) != 0; ++i)
        one(i);
    // max(v, lowest) is v for every v above -inf, and lowest for -inf and NaN (maxps returns
    // its second operand when either is NaN): finish_unpenalized's select. Invalid pixels
    // then get kInvalidScore.
    const __m128 low = _mm_set1_ps(lowest), invalid_score = _mm_set1_ps(kInvalidScore);
    const __m128i zero = _mm_setzero_si128();
    for (; i + 4 <= i1; i += 4) {
        __m128 v = _mm_max_ps(_mm_loadu_ps(method + (i - i0)), low);
        if (!all_valid) {
            std::int32_t four;
            std::memcpy(&four, valid + i, sizeof four);
            __m128i bad = _mm_cmpeq_epi8(_mm_cvtsi32_si128(four), zero);
            bad = _mm_unpacklo_epi8(bad, bad);
            const __m128 badf = _mm_castsi128_ps(_mm_unpacklo_epi16(bad, bad));
            v = _mm_or_ps(_mm_and_ps(badf, invalid_score), _mm_andnot_ps(badf, v));
        }
        _mm_stream_ps(dst + i, v);
        if (keep)
            _mm_storeu_ps(method + (i - i0), v);
    }
    _mm_sfence(); // the stores are visible before the strip is reported done
#endif
    for (; i < i1; ++i)
        one(i);
}

// The tie-break from the distance to the clear background (`distance`; `tie` may be it):
// averaged over the window, then mapped into [0, 0.5). Invalid pixels' distance is 0, and
// so is their tie-break.
void average_tie(const float* distance, float* tie, const std::vector<std::uint8_t>& valid,
                 int rows, int cols, int radius, ScoreScratch& scratch) {
    box_mean_into(distance, tie, valid.data(), rows, cols, radius, scratch.window_sums,
                  scratch.window_counts, [](float x) { return 0.5f * x / (x + 0.05f); });
}

} // namespace

void finish_cloud_rows(const ScorerImpl& s, const CloudOptions& o, const CloudFinishRows& r,
                       ScoreScratch& scratch) {
    const auto cols = std::size_t(r.cols);
    const std::size_t len = std::size_t(r.v1 - r.v0) * cols, own = std::size_t(r.y0 - r.v0) * cols;
    // The grown masks go to scratch: the verdicts may be kept ones, for the next change. A
    // dilation of rows [v0, v1) equals the whole block's on rows [y0, y1): it reads at most
    // its radius beyond them.
    auto dilated = [&](const std::uint8_t* mask, int radius, std::vector<std::uint8_t>& buf) {
        buf.resize(len);
        dilate(mask, buf.data(), r.v1 - r.v0, r.cols, radius, scratch.tmp8);
        return static_cast<const std::uint8_t*>(buf.data() + own);
    };
    const int cloud_dilation = s.capped_dilation(o.cloud_dilation, o.dilation_max_m);
    const int shadow_dilation = s.capped_dilation(o.shadow_dilation, o.dilation_max_m);
    const std::uint8_t* grown = nullptr;
    const std::uint8_t* shadow = nullptr;
    if (!r.classes) {
        if (cloud_dilation > 0)
            grown = dilated(r.verdicts.cloud, cloud_dilation, scratch.grown);
        shadow = shadow_dilation > 0
                     ? dilated(r.verdicts.shadow, shadow_dilation, scratch.grown_shadow)
                     : r.verdicts.shadow + own;
    }
    const float grow_min = float(o.cloud_grow_min);
    const float cloud_score = float(o.cloud_score), shadow_score = float(o.shadow_score);
    // In chunks, each finished (into `finished`) while in the first-level cache.
    constexpr std::size_t kChunk = 4096;
    const std::size_t first = std::size_t(r.y0) * cols, end = std::size_t(r.y1) * cols;
    if (r.stream)
        scratch.out.resize(kChunk);
    for (std::size_t i0 = first; i0 < end; i0 += kChunk) {
        const std::size_t i1 = std::min(end, i0 + kChunk), k = own + (i0 - first);
        float* scores = r.stream ? scratch.out.data() : r.out + i0;
        if (r.classes)
            class_score_rows(r.classes + i0, r.tie ? r.tie + i0 : nullptr, cloud_score,
                             shadow_score, i1 - i0, scores);
        else
            cloud_score_rows(r.verdicts.cloud + k, grown ? grown + (i0 - first) : nullptr,
                             r.valid + i0, r.verdicts.prob + k, grow_min, shadow + (i0 - first),
                             r.tie ? r.tie + i0 : nullptr, cloud_score, shadow_score, i1 - i0,
                             scores, r.classes_out ? r.classes_out + i0 : nullptr);
        if (r.stream) {
            finish_streamed(r.valid, scores, r.all_valid, i0, i1, *r.finished, r.winners.best);
            if (r.winners.best)
                add_to_running_best(scores, r.winner_scene, r.min_score, r.first_winner, i1 - i0,
                                    {r.winners.best + (i0 - first),
                                     r.winners.best_scene + (i0 - first),
                                     r.winners.count + (i0 - first)});
        } else if (r.finished)
            finish_unpenalized(r.valid, r.out, r.all_valid, i0, i1, *r.finished);
    }
}

void average_kept_cloud_tie(const ScorerImpl& s, const CloudOptions& o, ScorePlanes* kept, int rows,
                            int cols, ScoreScratch& scratch) {
    const std::size_t n = std::size_t(rows) * std::size_t(cols);
    if (!kept || kept->valid.size() != n || kept->tie_distance.size() != n ||
        kept_cloud_tie(s, o, kept, n) ||
        kept->tie_distance_key !=
            cloud_planes_key(s, float(s.refl_scale), float(o.reflectance_offset)))
        return;
    kept->tie.resize(n);
    average_tie(kept->tie_distance.data(), kept->tie.data(), kept->valid, rows, cols,
                o.tiebreak_radius, scratch);
    kept->tie_key = cloud_tie_key(s, o);
}

void finish_cloud_scores(const ScorerImpl& s, const CloudOptions& o,
                         const std::vector<std::uint8_t>& valid, int rows, int cols, bool temporal,
                         const CloudVerdictPlanes& verdicts, ScoreScratch& scratch,
                         std::vector<float>& out, ScorePlanes* kept, Raster* finished) {
    const std::size_t n = valid.size();
    // The tie-break: none without the stack, else averaged (or kept from a change of the
    // thresholds alone).
    const std::vector<float>* tie = nullptr;
    if (temporal) {
        tie = kept_cloud_tie(s, o, kept, n);
        if (!tie) {
            std::vector<float>& t = scratch.tie;
            if (kept) {
                // The distance is kept with its average (4 bytes a pixel): a change of the
                // window alone then averages it again, without a pass over the bands. Kept
                // from the first pass on, as the verdicts' inputs are: the analyst's first
                // move of tiebreak_radius took a pass (149-179 ms in bench_score_preview,
                // against 42-52 ms for the later ones). Swapped in where as large (the
                // scratch takes the old plane as its next buffer), else copied, as
                // keep_cloud_verdicts does (a scratch serves the coarse previews too).
                if (kept->tie_distance.size() == t.size())
                    kept->tie_distance.swap(t);
                else
                    kept->tie_distance.assign(t.begin(), t.end());
                kept->tie_distance_key =
                    cloud_planes_key(s, float(s.refl_scale), float(o.reflectance_offset));
                kept->tie.resize(n);
                average_tie(kept->tie_distance.data(), kept->tie.data(), valid, rows, cols,
                            o.tiebreak_radius, scratch);
                kept->tie_key = cloud_tie_key(s, o);
                tie = &kept->tie;
            } else {
                average_tie(t.data(), t.data(), valid, rows, cols, o.tiebreak_radius, scratch);
                tie = &t;
            }
        }
    }
    if (finished)
        finished->reset(DataType::Float32, 1, rows, cols);
    CloudFinishRows r;
    r.rows = rows;
    r.cols = cols;
    r.valid = valid.data();
    r.tie = tie ? tie->data() : nullptr;
    r.verdicts = verdicts;
    r.v0 = r.y0 = 0;
    r.v1 = r.y1 = rows;
    r.out = out.data();
    r.finished = finished;
    r.all_valid = finished && std::memchr(valid.data(), kInvalid, n) == nullptr;
    // The penalty classes: kept ones, or these kept for the next change. (Fresh verdicts are
    // moved into `kept` too: only the verdicts key tells kept ones apart.)
    CloudClassesUse classes;
    if (kept) {
        classes = use_cloud_classes(s, o, *kept, n, false);
        r.classes = classes.kept;
        r.classes_out = classes.out;
    }
    finish_cloud_rows(s, o, r, scratch);
    if (kept)
        cloud_classes_written(*kept, classes);
}

} // namespace rb::detail
