// The cloud method's last steps (finish_cloud_scores): the verdicts' masks grown, the
// tie-break averaged, and the scores written.
#include <cstring>

#include "pixel_util.h"
#include "rasterbench/score.h"

#include "scorer_impl.h"

namespace rb::detail {

namespace {

// Pixels [0, len) of a block: the grown cloud (`grown`: the dilated verdicts, when kGrown),
// the shadow (dilated already when there is a shadow dilation) and the tie-break (when
// kTie) into the method's scores. Branch-free and through plain pointers (a byte store may
// alias a vector's own pointers), so it vectorizes; inlined into each clone of score_rows.
template <bool kGrown, bool kTie>
[[gnu::always_inline]] inline void
score_loop(const std::uint8_t* __restrict raw, const std::uint8_t* __restrict grown,
           const std::uint8_t* __restrict ok, const float* __restrict prob, float grow_min,
           const std::uint8_t* __restrict shadow, const float* __restrict tie, float cloud_score,
           float shadow_score, std::size_t len, float* __restrict dst) {
    for (std::size_t j = 0; j < len; ++j) {
        bool is_cloud = raw[j] != 0;
        if constexpr (kGrown) {
            // With cloud_grow_min the dilation takes hazy edges, not clear ground.
            const float p = prob[j];
            is_cloud = is_cloud | ((grown[j] != 0) & (ok[j] != 0) & (p >= grow_min));
        }
        const bool is_shadow = shadow[j] != 0;
        const float penalty = is_cloud ? cloud_score : is_shadow ? shadow_score : 0.0f;
        if constexpr (kTie)
            dst[j] = penalty - tie[j];
        else
            dst[j] = penalty;
    }
}

} // namespace

// score_loop for the planes there are (null `grown`: no cloud dilation; null `tie`: no
// stack), in eight lanes where the processor has AVX2.
__attribute__((target_clones("avx2", "default"))) void
cloud_score_rows(const std::uint8_t* raw, const std::uint8_t* grown, const std::uint8_t* ok,
                 const float* prob, float grow_min, const std::uint8_t* shadow, const float* tie,
                 float cloud_score, float shadow_score, std::size_t len, float* dst) {
    if (grown && tie)
        score_loop<true, true>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                               shadow_score, len, dst);
    else if (grown)
        score_loop<true, false>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                shadow_score, len, dst);
    else if (tie)
        score_loop<false, true>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                shadow_score, len, dst);
    else
        score_loop<false, false>(raw, grown, ok, prob, grow_min, shadow, tie, cloud_score,
                                 shadow_score, len, dst);
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
            box_mean(t, valid, rows, cols, o.tiebreak_radius, scratch.window_sums,
                     scratch.window_counts);
            for (auto& x : t)
                x = 0.5f * x / (x + 0.05f);
            if (kept) {
                kept->tie = t;
                kept->tie_key = cloud_tie_key(s, o);
            }
            tie = &t;
        }
    }
    // The grown masks go to scratch: the verdicts may be kept ones, for the next change.
    const std::uint8_t* grown = nullptr;
    const int cloud_dilation = s.capped_dilation(o.cloud_dilation, o.dilation_max_m);
    if (cloud_dilation > 0) {
        scratch.grown.resize(n);
        dilate(verdicts.cloud, scratch.grown.data(), rows, cols, cloud_dilation, scratch.tmp8);
        grown = scratch.grown.data();
    }
    const std::uint8_t* shadow = verdicts.shadow;
    const int shadow_dilation = s.capped_dilation(o.shadow_dilation, o.dilation_max_m);
    if (shadow_dilation > 0) {
        scratch.grown_shadow.resize(n);
        dilate(verdicts.shadow, scratch.grown_shadow.data(), rows, cols, shadow_dilation,
               scratch.tmp8);
        shadow = scratch.grown_shadow.data();
    }
    const bool all_valid = finished && std::memchr(valid.data(), kInvalid, n) == nullptr;
    if (finished)
        finished->reset(DataType::Float32, 1, rows, cols);
    const float grow_min = float(o.cloud_grow_min);
    const float cloud_score = float(o.cloud_score), shadow_score = float(o.shadow_score);
    // In chunks, each finished (into `finished`) while in the first-level cache.
    constexpr std::size_t kChunk = 4096;
    for (std::size_t i0 = 0; i0 < n; i0 += kChunk) {
        const std::size_t i1 = std::min(n, i0 + kChunk);
        cloud_score_rows(verdicts.cloud + i0, grown ? grown + i0 : nullptr, valid.data() + i0,
                         verdicts.prob + i0, grow_min, shadow + i0,
                         tie ? tie->data() + i0 : nullptr, cloud_score, shadow_score, i1 - i0,
                         out.data() + i0);
        if (finished)
            finish_unpenalized(valid.data(), out.data(), all_valid, i0, i1, *finished);
    }
}

} // namespace rb::detail
