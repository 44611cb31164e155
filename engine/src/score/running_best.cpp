// The best-pixel composite's inner loop, column block by column block.
//
// Why this shape: the earlier loop went scene by scene over the whole row and kept the
// running best, its scene and the count in row arrays, so every scene cost three loads and
// three stores per column besides its score. Here a block of columns keeps them in vector
// registers while all the scenes' scores of that block stream by: one load per scene and
// column. Comparisons are branch-free: whether a scene beats the running best is close to a
// coin toss, so a branch would mispredict on a large share of pixels.
#include "running_best.h"

#include <cstring>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define RB_RUNNING_BEST_X86 1
#endif

namespace rb::detail {

namespace {

constexpr std::int32_t kNone = -1;

template <bool Worst>
void scalar_columns(const RunningBestRow& in, std::size_t c0, std::size_t c1,
                    const RunningBestColumns& out) {
    for (std::size_t c = c0; c < c1; ++c) {
        float b = 0, lw = 0;
        std::int32_t w = kNone, l = kNone, cnt = 0;
        for (std::size_t k = 0; k < in.n; ++k) {
            const float v = in.scores[k][c];
            bool ok = v >= in.min_score; // false for NaN
            for (std::size_t m = in.mask_begin[k]; m < in.mask_begin[k + 1]; ++m)
                ok &= in.masks[m][c] != 0;
            cnt += ok;
            const bool better = ok & ((w == kNone) | (v > b));
            b = better ? v : b;
            w = better ? in.scene[k] : w;
            if constexpr (Worst) {
                const bool worse = ok & ((l == kNone) | (v <= lw)); // ties: the later scene
                lw = worse ? v : lw;
                l = worse ? in.scene[k] : l;
            }
        }
        out.best[c] = b;
        out.best_scene[c] = w;
        out.count[c] = cnt;
        if constexpr (Worst) {
            out.worst[c] = lw;
            out.worst_scene[c] = l;
        }
    }
}

#if defined(RB_RUNNING_BEST_X86)

/// scalar_columns() four columns at a time (SSE2, which every x86-64 CPU has); returns the
/// first column left for the scalar loop.
template <bool Worst>
__attribute__((target("sse2"))) std::size_t sse2_columns(const RunningBestRow& in, std::size_t cols,
                                                         const RunningBestColumns& out) {
    const __m128 minv = _mm_set1_ps(in.min_score);
    const __m128i none = _mm_set1_epi32(kNone), zero = _mm_setzero_si128();
    std::size_t c = 0;
    for (; c + 4 <= cols; c += 4) {
        __m128 b = _mm_setzero_ps(), lw = _mm_setzero_ps();
        __m128i w = none, l = none, cnt = zero;
        for (std::size_t k = 0; k < in.n; ++k) {
            const __m128 v = _mm_loadu_ps(in.scores[k] + c);
            __m128i ok = _mm_castps_si128(_mm_cmpge_ps(v, minv)); // ordered: false for NaN
            for (std::size_t m = in.mask_begin[k]; m < in.mask_begin[k + 1]; ++m) {
                // Four mask bytes widened to four lanes: all ones where the byte is 0.
                std::int32_t four;
                std::memcpy(&four, in.masks[m] + c, sizeof four);
                __m128i invalid = _mm_cmpeq_epi8(_mm_cvtsi32_si128(four), zero);
                invalid = _mm_unpacklo_epi8(invalid, invalid);
                ok = _mm_andnot_si128(_mm_unpacklo_epi16(invalid, invalid), ok);
            }
            const __m128i s = _mm_set1_epi32(in.scene[k]);
            const __m128i better = _mm_and_si128(
                ok, _mm_or_si128(_mm_cmpeq_epi32(w, none), _mm_castps_si128(_mm_cmpgt_ps(v, b))));
            const __m128 bf = _mm_castsi128_ps(better);
            cnt = _mm_sub_epi32(cnt, ok);
            b = _mm_or_ps(_mm_and_ps(bf, v), _mm_andnot_ps(bf, b));
            w = _mm_or_si128(_mm_and_si128(better, s), _mm_andnot_si128(better, w));
            if constexpr (Worst) {
                const __m128i worse =
                    _mm_and_si128(ok, _mm_or_si128(_mm_cmpeq_epi32(l, none),
                                                   _mm_castps_si128(_mm_cmple_ps(v, lw))));
                const __m128 wf = _mm_castsi128_ps(worse);
                lw = _mm_or_ps(_mm_and_ps(wf, v), _mm_andnot_ps(wf, lw));
                l = _mm_or_si128(_mm_and_si128(worse, s), _mm_andnot_si128(worse, l));
            }
        }
        _mm_storeu_ps(out.best + c, b);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out.best_scene + c), w);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out.count + c), cnt);
        if constexpr (Worst) {
            _mm_storeu_ps(out.worst + c, lw);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out.worst_scene + c), l);
        }
    }
    return c;
}

/// The same eight columns at a time (AVX2, chosen at run time where the CPU has it).
template <bool Worst>
__attribute__((target("avx2"))) std::size_t avx2_columns(const RunningBestRow& in, std::size_t cols,
                                                         const RunningBestColumns& out) {
    const __m256 minv = _mm256_set1_ps(in.min_score);
    const __m256i none = _mm256_set1_epi32(kNone), zero = _mm256_setzero_si256();
    std::size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 b = _mm256_setzero_ps(), lw = _mm256_setzero_ps();
        __m256i w = none, l = none, cnt = zero;
        for (std::size_t k = 0; k < in.n; ++k) {
            const __m256 v = _mm256_loadu_ps(in.scores[k] + c);
            __m256i ok = _mm256_castps_si256(_mm256_cmp_ps(v, minv, _CMP_GE_OQ));
            for (std::size_t m = in.mask_begin[k]; m < in.mask_begin[k + 1]; ++m) {
                const __m256i bytes = _mm256_cvtepu8_epi32(
                    _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in.masks[m] + c)));
                ok = _mm256_andnot_si256(_mm256_cmpeq_epi32(bytes, zero), ok);
            }
            const __m256i s = _mm256_set1_epi32(in.scene[k]);
            const __m256i better = _mm256_and_si256(
                ok, _mm256_or_si256(_mm256_cmpeq_epi32(w, none),
                                    _mm256_castps_si256(_mm256_cmp_ps(v, b, _CMP_GT_OQ))));
            cnt = _mm256_sub_epi32(cnt, ok);
            b = _mm256_blendv_ps(b, v, _mm256_castsi256_ps(better));
            w = _mm256_blendv_epi8(w, s, better);
            if constexpr (Worst) {
                const __m256i worse = _mm256_and_si256(
                    ok, _mm256_or_si256(_mm256_cmpeq_epi32(l, none),
                                        _mm256_castps_si256(_mm256_cmp_ps(v, lw, _CMP_LE_OQ))));
                lw = _mm256_blendv_ps(lw, v, _mm256_castsi256_ps(worse));
                l = _mm256_blendv_epi8(l, s, worse);
            }
        }
        _mm256_storeu_ps(out.best + c, b);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.best_scene + c), w);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.count + c), cnt);
        if constexpr (Worst) {
            _mm256_storeu_ps(out.worst + c, lw);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.worst_scene + c), l);
        }
    }
    return c;
}

bool has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

#endif

template <bool Worst>
void columns(const RunningBestRow& in, std::size_t cols, const RunningBestColumns& out,
             int max_lanes) {
    std::size_t c = 0;
#if defined(RB_RUNNING_BEST_X86)
    if (max_lanes >= 8 && has_avx2())
        c = avx2_columns<Worst>(in, cols, out);
    else if (max_lanes >= 4)
        c = sse2_columns<Worst>(in, cols, out);
#else
    (void)max_lanes;
#endif
    scalar_columns<Worst>(in, c, cols, out);
}

// add_to_running_best's loop: int32 lanes throughout (a bool mixed into float lanes keeps
// GCC from vectorizing), one template per kind of scene so that the loop has no branch.
template <bool kFirst>
[[gnu::always_inline]] inline void
add_scene(const float* __restrict v, std::int32_t scene, float min_score, std::size_t len,
          float* __restrict best, std::int32_t* __restrict w, std::int32_t* __restrict cnt) {
    for (std::size_t j = 0; j < len; ++j) {
        const float x = v[j];
        const std::int32_t ok = x >= min_score ? 1 : 0; // 0 for NaN
        if constexpr (kFirst) {
            best[j] = ok != 0 ? x : 0.0f;
            w[j] = ok != 0 ? scene : kNone;
            cnt[j] = ok;
        } else {
            const std::int32_t beats = (w[j] == kNone ? 1 : 0) | (x > best[j] ? 1 : 0);
            const std::int32_t better = ok & beats;
            best[j] = better != 0 ? x : best[j];
            w[j] = better != 0 ? scene : w[j];
            cnt[j] += ok;
        }
    }
}

} // namespace

__attribute__((target_clones("avx2", "default"))) void
add_to_running_best(const float* scores, std::int32_t scene, float min_score, bool first,
                    std::size_t len, const RunningBestPixels& out) {
    if (first)
        add_scene<true>(scores, scene, min_score, len, out.best, out.best_scene, out.count);
    else
        add_scene<false>(scores, scene, min_score, len, out.best, out.best_scene, out.count);
}

void running_best(const RunningBestRow& row, std::size_t cols, const RunningBestColumns& out,
                  int max_lanes) {
    if (out.worst)
        columns<true>(row, cols, out, max_lanes);
    else
        columns<false>(row, cols, out, max_lanes);
}

void running_best(const RunningBestRow& row, std::size_t cols, const RunningBestColumns& out) {
    running_best(row, cols, out, 8);
}

} // namespace rb::detail
