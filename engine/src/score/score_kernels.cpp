// The per-pixel score kernels of every method, the penalties, and scoring a scene block.
#include "rasterbench/score.h"

#include <muParser.h>
#include <tbb/concurrent_queue.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <set>
#include <type_traits>

#include "pixel_util.h"

#include "cloud_band_pass.h"
#include "cloud_lanes.h"
#include "cloud_temporal.h"
#include "scorer_impl.h"

namespace rb {

using detail::ExprVar;
using detail::StatKind;

namespace {

using detail::band_as_float;

struct ScoreCtx {
    const detail::ScorerImpl& s;
    const Raster& scene;
    const std::vector<std::uint8_t>& valid;
    const StackStats* stats;
    std::vector<float>& out;
    std::vector<double>& acc; // scratch for methods that accumulate in double
    detail::ScoreScratch& scratch;
    /// The scene's position in the stack (-1 unknown): the cloud method's scene statistics
    /// are those of the scene the scorer sampled, the first.
    int scene_index = -1;
    /// The scene's planes kept between option changes (Scorer::score_reusing), or null: what
    /// a method computes from the pixels alone can stay there.
    ScorePlanes* kept = nullptr;
    /// Where the cloud kernel also writes the finished score raster (no penalties apply), or
    /// null: it saves finish_from_planes' pass over the method's scores.
    Raster* finished = nullptr;
    std::size_t n() const { return valid.size(); }
};

void score_darkness(const ScoreCtx& c) {
    double wsum = 0;
    for (double w : c.s.weights)
        wsum += w;
    // Accumulated in double and divided once, so equal weighted sums give equal scores
    // (exact ties, broken by scene order) rather than float rounding deciding.
    std::vector<double>& acc = c.acc;
    acc.assign(c.n(), 0.0);
    visit_dtype(c.scene.dtype(), [&](auto x) {
        using T = decltype(x);
        for (std::size_t j = 0; j < c.s.bands.size(); ++j) {
            const double w = c.s.weights[j];
            const auto v = c.scene.band<T>(c.s.bands[j]);
            for (std::size_t i = 0; i < c.n(); ++i)
                acc[i] += w * double(v[i]);
        }
    });
    for (std::size_t i = 0; i < c.n(); ++i)
        c.out[i] = float(-acc[i] / wsum);
}

void score_median_distance(const ScoreCtx& c, int radius) {
    double wsum = 0;
    for (double w : c.s.weights)
        wsum += w;
    std::fill(c.out.begin(), c.out.end(), 0.0f);
    for (std::size_t j = 0; j < c.s.bands.size(); ++j) {
        const float w = float(c.s.weights[j] / wsum);
        const auto v = band_as_float(c.scene, c.s.bands[j]);
        const auto med = c.stats->plane(c.stats->median, c.s.bands[j]);
        for (std::size_t i = 0; i < c.n(); ++i) {
            const float d = v[i] - med[i];
            c.out[i] += w * d * d;
        }
    }
    for (auto& v : c.out)
        v = std::sqrt(v);
    detail::box_mean(c.out, c.valid, c.scene.rows(), c.scene.cols(), radius);
    for (auto& v : c.out)
        v = -v;
}

void score_cloud(const ScoreCtx& c, const CloudOptions& options) {
    const detail::ScorerImpl& s = c.s;
    const CloudOptions& o = options;
    const std::size_t n = c.n();
    const int rows = c.scene.rows(), cols = c.scene.cols();
    // With the stack: the temporal tests against its clear background (cloud_temporal.h).
    const bool temporal = o.temporal && c.stats && !c.stats->background.empty();
    // A change of the tie-break's window alone: averaged from its kept distance.
    if (temporal)
        detail::average_kept_cloud_tie(s, o, c.kept, rows, cols, c.scratch);
    // A change of a dilation or a score alone: the verdicts of the last change stand.
    if (const detail::CloudVerdictPlanes kept =
            detail::kept_cloud_verdicts(s, o, c.kept, n, temporal);
        kept.cloud) {
        detail::finish_cloud_scores(s, o, c.valid, rows, cols, temporal, kept, c.scratch, c.out,
                                    c.kept, c.finished);
        return;
    }
    if (s.cloud_visible) {
        detail::score_cloud_visible(s, options, c.scene, c.valid, c.stats, c.out, c.scratch, c.kept,
                                    c.finished);
        return;
    }
    // A change of the probability options or of tests' thresholds: the verdicts from the
    // inputs the last change kept, the moved tests made again (from their bands, and the
    // temporal ones from the date's lanes; the averaged tie-break kept too where the stack
    // takes part: it comes out of the bands' pass).
    detail::KeptInputLanes lanes; // the moved tests' bands, the temporal tests' lanes
    if (const detail::CloudInputPlanes in = detail::kept_cloud_inputs(
            s, o, c.kept, n, temporal ? c.stats : nullptr, c.scene, c.valid, c.scratch, lanes);
        in.cls) {
        c.scratch.cloud.resize(n);
        c.scratch.shadow.resize(n);
        c.scratch.prob.resize(n);
        detail::cloud_verdicts_from_inputs(
            o, in, n,
            {c.scratch.cloud.data(), c.scratch.shadow.data(), c.scratch.prob.data(), nullptr, {}});
        c.kept->last_pass_inputs_key = s.cloud_inputs_key;
        detail::finish_cloud_scores(s, o, c.valid, rows, cols, temporal,
                                    detail::keep_cloud_verdicts(s, c.scratch, c.kept), c.scratch,
                                    c.out, c.kept, c.finished);
        return;
    }
    // The bands' pass over the whole scene (its inputs kept where cloud_band_pass.h says).
    detail::CloudBandPass pass;
    detail::begin_cloud_band_pass(s, o, c.scene, c.scene_index, c.stats, temporal, c.valid,
                                  c.scratch, c.kept, pass);
    std::vector<std::uint8_t>& cloud = c.scratch.cloud;
    std::vector<std::uint8_t>& shadow = c.scratch.shadow;
    std::vector<float>& prob = c.scratch.prob;
    std::vector<float>& tie = c.scratch.tie;
    // Every pixel is written: no fill first.
    cloud.resize(n);
    shadow.resize(n);
    prob.resize(n);
    tie.resize(n);
    // The distance to the background is averaged into the tie-break, unless that is kept
    // (without the stack the passes write zeros there, which nothing reads).
    const bool tie_kept = temporal && detail::kept_cloud_tie(s, o, c.kept, n);
    const detail::CloudVerdicts verdicts{cloud.data(), shadow.data(), prob.data(),
                                         tie_kept ? nullptr : tie.data(), pass.inputs};
    detail::cloud_verdicts(o, pass.lane, pass.bands, c.valid.data(), 0, n, verdicts);
    detail::end_cloud_band_pass(s, c.kept, pass);
    detail::finish_cloud_scores(
        s, o, c.valid, rows, cols, temporal,
        detail::keep_cloud_verdicts(s, c.scratch, c.kept, pass.lane.stats.land), c.scratch, c.out,
        c.kept, c.finished);
}

void score_mask(const ScoreCtx& c, const MaskOptions& o) {
    const auto v = band_as_float(c.scene, c.s.mask_band);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::size_t n = c.n();
    // The mode is chosen once per call, not per pixel.
    if (!c.s.preset_table.empty()) {
        const auto& t = c.s.preset_table;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = v[i];
            c.out[i] = x >= 0 && x < 65536 && x == std::floor(x) ? t[std::size_t(x)] : nan;
        }
    } else if (o.mode == "linear") {
        for (std::size_t i = 0; i < n; ++i)
            c.out[i] = float(o.scale * double(v[i]) + o.offset);
    } else if (o.mode == "bits") {
        for (std::size_t i = 0; i < n; ++i) {
            const auto bits = std::uint64_t(std::max(0.0, double(v[i])));
            double sum = 0;
            for (const auto& [bit, sc] : c.s.bit_map)
                if (bits >> bit & 1u)
                    sum += sc;
            c.out[i] = float(sum);
        }
    } else {
        auto lookup = [&](double x) {
            for (const auto& [val, sc] : c.s.value_map)
                if (val == x)
                    return std::isnan(sc) ? nan : float(sc);
            return float(o.default_score);
        };
        // Quality classes are small integers (Fmask 0..4, 255): a table indexed by the value
        // answers them; anything else takes the search.
        constexpr int kTable = 4096;
        std::vector<float> table(kTable);
        for (int k = 0; k < kTable; ++k)
            table[std::size_t(k)] = lookup(double(k));
        for (std::size_t i = 0; i < n; ++i) {
            const double x = v[i];
            c.out[i] =
                x >= 0 && x < kTable && x == std::floor(x) ? table[std::size_t(x)] : lookup(x);
        }
    }
}

void score_expression(const ScoreCtx& c, const std::string& expr) {
    const std::size_t n = c.n();
    mu::Parser parser;
    std::vector<std::vector<double>> storage(c.s.vars.size());
    for (std::size_t j = 0; j < c.s.vars.size(); ++j) {
        const ExprVar& v = c.s.vars[j];
        auto& dst = storage[j];
        dst.resize(n);
        if (v.kind == StatKind::Band) {
            visit_dtype(c.scene.dtype(), [&](auto x) {
                using T = decltype(x);
                const auto src = c.scene.band<T>(v.band);
                for (std::size_t i = 0; i < n; ++i)
                    dst[i] = double(src[i]);
            });
        } else if (v.kind == StatKind::Count) {
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = double(c.stats->count[i]);
        } else {
            const std::vector<float>& all = v.kind == StatKind::Median ? c.stats->median
                                            : v.kind == StatKind::Mean ? c.stats->mean
                                            : v.kind == StatKind::Min  ? c.stats->min
                                                                       : c.stats->max;
            const auto src = c.stats->plane(all, v.band);
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = double(src[i]);
        }
        parser.DefineVar(v.name, dst.data());
    }
    parser.SetExpr(expr);
    std::vector<double> result(n);
    // muparser's bulk mode reads variable arrays at each pixel's offset: one call per block.
    if (n > 0)
        parser.Eval(result.data(), int(n));
    for (std::size_t i = 0; i < n; ++i)
        c.out[i] = float(result[i]);
}

// Subtracts the penalties from c.out; `planes` (may be null) keeps the distance and
// brightness planes they are computed from, for the next options.
void apply_penalties(const ScoreCtx& c, const PenaltyOptions& p, ScorePlanes* planes) {
    const std::size_t n = c.n();
    if (p.saturation_value > 0 && p.saturation_penalty > 0) {
        const float pen = float(p.saturation_penalty);
        if (planes && planes->brightest.empty())
            planes->brightest = detail::brightest_band(c.scene, c.s.data_bands);
        if (planes && !planes->brightest.empty()) {
            const float* bright = planes->brightest.data();
            for (std::size_t i = 0; i < n; ++i)
                if (double(bright[i]) >= p.saturation_value)
                    c.out[i] -= pen;
        } else {
            std::vector<std::uint8_t> sat(n, 0);
            visit_dtype(c.scene.dtype(), [&](auto x) {
                using T = decltype(x);
                for (int b : c.s.data_bands) {
                    const auto d = c.scene.band<T>(b);
                    for (std::size_t i = 0; i < n; ++i)
                        sat[i] |= double(d[i]) >= p.saturation_value;
                }
            });
            for (std::size_t i = 0; i < n; ++i)
                if (sat[i])
                    c.out[i] -= pen;
        }
    }
    if (p.invalid_distance > 0 && p.invalid_distance_penalty > 0) {
        const int cap = p.invalid_distance + 1;
        std::vector<std::uint16_t> own;
        const std::vector<std::uint16_t>* dist = &own;
        if (planes) {
            dist = &detail::distance_plane(*planes, p.invalid_distance);
        } else {
            own = detail::chessboard_distance(c.valid, c.scene.rows(), c.scene.cols(), cap);
        }
        const std::uint16_t* d = dist->data();
        const float D = float(p.invalid_distance);
        const float w = float(p.invalid_distance_penalty);
        const int dmax = p.invalid_distance;
        for (std::size_t i = 0; i < n; ++i)
            if (d[i] >= 1 && d[i] <= dmax)
                c.out[i] -= w * (D + 1 - float(d[i])) / D;
    }
}

// The method's own score (before penalties) into c.out.
void score_method(const ScoreCtx& c) {
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, DarknessOptions>)
                score_darkness(c);
            else if constexpr (std::is_same_v<M, MedianDistanceOptions>)
                score_median_distance(c, m.radius);
            else if constexpr (std::is_same_v<M, CloudOptions>)
                score_cloud(c, m);
            else if constexpr (std::is_same_v<M, MaskOptions>)
                score_mask(c, m);
            else if constexpr (std::is_same_v<M, ExpressionOptions>)
                score_expression(c, m.expression);
        },
        c.s.options.method);
}

// The score raster (rows x cols) from the penalized scores `out` and the validity plane.
void finish(const detail::ScorerImpl& s, const std::vector<std::uint8_t>& valid,
            const std::vector<float>& out, int rows, int cols, Raster& r) {
    r.reset(DataType::Float32, 1, rows, cols);
    auto dst = r.band<float>(0);
    const float lowest = std::numeric_limits<float>::lowest();
    // A mask mapping may declare a value invalid (NaN score); it then ranks with nodata.
    const bool nan_is_invalid = std::holds_alternative<MaskOptions>(s.options.method) &&
                                std::get<MaskOptions>(s.options.method).mode == "values";
    // Most blocks have no invalid pixel: then a branch-free copy, without the mask checks.
    if (!nan_is_invalid && std::memchr(valid.data(), kInvalid, valid.size()) == nullptr) {
        for (std::size_t i = 0; i < out.size(); ++i) {
            const float v = out[i];
            dst[i] = v > kInvalidScore ? v : lowest;
        }
        return;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const float v = out[i];
        if (!valid[i] || (nan_is_invalid && std::isnan(v))) {
            dst[i] = kInvalidScore;
            r.mask(0)[i] = kInvalid; // the mask is made on the first invalid pixel only
            continue;
        }
        dst[i] = v > kInvalidScore ? v : lowest; // NaN and -inf rank last among valid pixels
    }
}

} // namespace

Raster Scorer::score(const Raster& scene, const StackStats* stats, int scene_index) const {
    Raster r;
    score_into(scene, stats, r, scene_index);
    return r;
}

namespace {

// Darkness with integer weights on bands of at most 16 bits whose weighted sum stays below
// 2^24 (equal weights, the default, on 8- and 16-bit bands): the sum is then exact in int32
// and in float, and float(-sum / wsum) computed in doubles equals -(float(sum) / float(wsum))
// bit for bit (a double has more than 2 x 24 + 2 bits, so rounding its quotient to float
// again is the float quotient: Figueroa, "When is double rounding innocuous?", 1995). Float
// division takes a fraction of the double one's time: in a perf profile of bench_composite
// the score went from 3.2 % to 2.6 % of the samples (what is left is mostly the bands' first
// read from memory). Pixels [0, n) of the bands into dst.
template <class T>
__attribute__((target_clones("avx2", "default"))) void
darkness_integer(const T* const* src, const std::int32_t* w, std::size_t nw, float wsum,
                 std::size_t n, float* __restrict dst) {
    constexpr std::size_t kChunk = 512;
    alignas(64) std::int32_t acc[kChunk];
    const float lowest = std::numeric_limits<float>::lowest();
    for (std::size_t i0 = 0; i0 < n; i0 += kChunk) {
        const std::size_t len = std::min(kChunk, n - i0);
        for (std::size_t j = 0; j < len; ++j)
            acc[j] = 0;
        for (std::size_t b = 0; b < nw; ++b) {
            const T* s = src[b] + i0;
            const std::int32_t wb = w[b];
            for (std::size_t j = 0; j < len; ++j)
                acc[j] += wb * std::int32_t(s[j]);
        }
        float* out = dst + i0;
        for (std::size_t j = 0; j < len; ++j) {
            const float v = -(float(acc[j]) / wsum);
            out[j] = v > kInvalidScore ? v : lowest;
        }
    }
}

// The weights as int32 when darkness_integer gives darkness_span's numbers for bands of type
// T: whole numbers, and every weighted sum (and the weights' sum) below 2^24 in magnitude.
template <class T>
bool integer_weights(const std::vector<double>& weights, std::array<std::int32_t, 16>& out) {
    if constexpr (!std::is_integral_v<T> || sizeof(T) > 2) {
        return false;
    } else {
        if (weights.size() > out.size())
            return false;
        const double largest =
            std::max(double(std::numeric_limits<T>::max()), -double(std::numeric_limits<T>::min()));
        double bound = 0, wsum = 0;
        for (std::size_t j = 0; j < weights.size(); ++j) {
            const double w = weights[j];
            if (!(std::abs(w) < 256) || w != std::trunc(w))
                return false;
            out[j] = std::int32_t(w);
            bound += std::abs(w) * largest;
            wsum += w;
        }
        return bound < double(1 << 24) && std::abs(wsum) < double(1 << 24);
    }
}

// Darkness on an unmasked integer block (the streaming default), pixels [i0, i1) into
// dst[0, i1 - i0): one pass with exactly the arithmetic of score_darkness() and
// score_into()'s final loop, instead of separate validity, accumulator, division and copy
// passes.
void darkness_span(const detail::ScorerImpl& s, const Raster& scene, std::size_t i0, std::size_t i1,
                   float* dst) {
    double wsum = 0;
    for (double w : s.weights)
        wsum += w;
    const float lowest = std::numeric_limits<float>::lowest();
    visit_dtype(scene.dtype(), [&](auto x) {
        using T = decltype(x);
        // Band pointers without an allocation: this runs once per row when compositing
        // row by row.
        const std::size_t nw = s.bands.size();
        std::array<const T*, 16> fixed{};
        std::vector<const T*> many(nw > fixed.size() ? nw : 0);
        const T** src = nw > fixed.size() ? many.data() : fixed.data();
        for (std::size_t j = 0; j < nw; ++j)
            src[j] = scene.band<T>(s.bands[j]).data();
        if (std::array<std::int32_t, 16> iw{}; integer_weights<T>(s.weights, iw)) {
            for (std::size_t j = 0; j < nw; ++j)
                src[j] += i0;
            darkness_integer<T>(src, iw.data(), nw, float(wsum), i1 - i0, dst);
            return;
        }
        const double* w = s.weights.data();
        float* __restrict out = dst; // out[i - i0] is pixel i
        auto one = [&](std::size_t i) {
            double acc = 0.0;
            for (std::size_t j = 0; j < nw; ++j)
                acc += w[j] * double(src[j][i]);
            const float v = float(-acc / wsum);
            out[i - i0] = v > kInvalidScore ? v : lowest;
        };
        std::size_t i = i0;
#if defined(__SSE2__)
        if constexpr (std::is_same_v<T, std::uint16_t>) {
            if (nw == 3) {
                // Three UInt16 bands (the common case), two pixels per step: the scalar
                // double division dominated the whole score. Per pixel the operations
                // and their order are one()'s, all exact IEEE ones: same bits.
                const __m128d w0 = _mm_set1_pd(w[0]), w1 = _mm_set1_pd(w[1]),
                              w2 = _mm_set1_pd(w[2]), ws = _mm_set1_pd(wsum),
                              zero = _mm_setzero_pd(), sign = _mm_set1_pd(-0.0);
                const __m128 neg_inf = _mm_set1_ps(kInvalidScore), low = _mm_set1_ps(lowest);
                const __m128i z16 = _mm_setzero_si128();
                auto widen = [&](const T* p) { // 4 x UInt16 -> 2 x (2 doubles)
                    const __m128i v = _mm_unpacklo_epi16(
                        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), z16);
                    return std::pair{_mm_cvtepi32_pd(v), _mm_cvtepi32_pd(_mm_srli_si128(v, 8))};
                };
                for (; i + 4 <= i1; i += 4) {
                    const auto [a0, a1] = widen(src[0] + i);
                    const auto [b0, b1] = widen(src[1] + i);
                    const auto [c0, c1] = widen(src[2] + i);
                    auto score2 = [&](__m128d a, __m128d b, __m128d c) {
                        __m128d acc = _mm_add_pd(zero, _mm_mul_pd(w0, a));
                        acc = _mm_add_pd(acc, _mm_mul_pd(w1, b));
                        acc = _mm_add_pd(acc, _mm_mul_pd(w2, c));
                        // -acc is a sign flip (not 0 - acc, which turns -0 into +0).
                        return _mm_cvtpd_ps(_mm_div_pd(_mm_xor_pd(acc, sign), ws));
                    };
                    const __m128 v = _mm_movelh_ps(score2(a0, b0, c0), score2(a1, b1, c1));
                    const __m128 keep = _mm_cmpgt_ps(v, neg_inf); // false for NaN
                    _mm_storeu_ps(out + (i - i0),
                                  _mm_or_ps(_mm_and_ps(keep, v), _mm_andnot_ps(keep, low)));
                }
            }
        }
#endif
        for (; i < i1; ++i)
            one(i);
    });
}

bool darkness_fast_path(const detail::ScorerImpl& s, const Raster& scene) {
    return std::holds_alternative<DarknessOptions>(s.options.method) &&
           !detail::has_penalties(s.options.penalties) && !scene.has_mask() &&
           !is_floating(scene.dtype());
}

} // namespace

bool Scorer::scores_by_row(const Raster& scene) const {
    return scene.bands() == impl_->layout.count && darkness_fast_path(*impl_, scene);
}

void Scorer::score_row(const Raster& scene, int row, float* out) const {
    if (!scores_by_row(scene) || row < 0 || row >= scene.rows())
        throw ArgumentError("score method '" + impl_->method +
                            "': row scoring is not available for this block (row " +
                            std::to_string(row) + ")");
    const auto cols = std::size_t(scene.cols());
    darkness_span(*impl_, scene, std::size_t(row) * cols, std::size_t(row + 1) * cols, out);
}

void detail::check_score_block(const detail::ScorerImpl& s, const Raster& scene,
                               const StackStats* stats) {
    if (scene.bands() != s.layout.count)
        throw ArgumentError("score method '" + s.method + "': a block of scene '" + s.layout.label +
                            "' has " + std::to_string(scene.bands()) +
                            " bands, the scorer was set up for " + std::to_string(s.layout.count));
    if (stats && (stats->rows != scene.rows() || stats->cols != scene.cols() ||
                  stats->bands != scene.bands()))
        throw ArgumentError("score method '" + s.method + "': stack statistics of " +
                            std::to_string(stats->rows) + "x" + std::to_string(stats->cols) +
                            " do not match the block of scene '" + s.layout.label + "'");
    if (s.stats_required && !stats)
        throw ArgumentError("score method '" + s.method +
                            "' needs the stack's per-pixel "
                            "statistics: score scene '" +
                            s.layout.label + "' together with its stack");
}

namespace {

/// Pops a scratch from the pool and pushes it back when it goes. One pool for every scorer:
/// a parameter change in the Score panel makes a new scorer, whose own pool would start
/// empty, so each change allocated and faulted in every working plane again (a tenth of a
/// threshold change's time in a perf profile of bench_score_preview). The pool holds as
/// many scratches as scored at once (a thread each), sized to the largest block each met.
///
/// One queue per size class of the block (pixels, rounded down to a power of two): each
/// change scores a coarse preview and then the full view, and a scratch serving both had
/// its planes resized down and up again, and std::vector zero-fills what grows (memset was
/// 5 % of a threshold change in a perf profile of bench_score_preview).
struct PooledScratch {
    explicit PooledScratch(std::size_t pixels) : queue_(pool()[std::bit_width(pixels)]) {
        if (!queue_.try_pop(p_))
            p_ = std::make_unique<detail::ScoreScratch>();
    }
    ~PooledScratch() { queue_.push(std::move(p_)); }
    PooledScratch(const PooledScratch&) = delete;
    PooledScratch& operator=(const PooledScratch&) = delete;
    detail::ScoreScratch* operator->() { return p_.get(); }
    detail::ScoreScratch& operator*() { return *p_; }

private:
    using Queue = tbb::concurrent_queue<std::unique_ptr<detail::ScoreScratch>>;
    static std::array<Queue, 65>& pool() {
        static std::array<Queue, 65> scratches;
        return scratches;
    }
    Queue& queue_;
    std::unique_ptr<detail::ScoreScratch> p_;
};

// Checks the block, then scores it where no per-pixel planes are needed (bap's own kernel,
// darkness without penalties); false when the general path must run.
bool score_directly(const detail::ScorerImpl& s, const Raster& scene, const StackStats* stats,
                    int scene_index, Raster& result) {
    detail::check_score_block(s, scene, stats);
    if (s.bap) {
        detail::score_bap(s, scene, stats, scene_index, result, false);
        return true;
    }
    if (!darkness_fast_path(s, scene))
        return false;
    result.reset(DataType::Float32, 1, scene.rows(), scene.cols());
    auto dst = result.band<float>(0);
    darkness_span(s, scene, 0, dst.size(), dst.data());
    return true;
}

} // namespace

void Scorer::score_into(const Raster& scene, const StackStats* stats, Raster& result,
                        int scene_index) const {
    const detail::ScorerImpl& s = *impl_;
    if (score_directly(s, scene, stats, scene_index, result))
        return;
    PooledScratch scratch(scene.band_size());
    std::vector<std::uint8_t>& valid = scratch->valid;
    detail::pixel_validity_into(scene, valid);
    std::vector<float>& out = scratch->out;
    out.assign(valid.size(), 0.0f);
    const ScoreCtx c{s, scene, valid, stats, out, scratch->acc, *scratch, scene_index};
    score_method(c);
    apply_penalties(c, s.options.penalties, nullptr);
    finish(s, valid, out, scene.rows(), scene.cols(), result);
}

void Scorer::score_reusing(const Raster& scene, const StackStats* stats, ScorePlanes& planes,
                           Raster& result, int scene_index) const {
    const detail::ScorerImpl& s = *impl_;
    if (score_directly(s, scene, stats, scene_index, result))
        return;
    if (planes.rows != scene.rows() || planes.cols != scene.cols()) {
        planes.clear();
        planes.rows = scene.rows();
        planes.cols = scene.cols();
    }
    if (planes.valid.size() != scene.band_size())
        detail::pixel_validity_into(scene, planes.valid);
    const std::vector<std::uint8_t>& valid = planes.valid;
    PooledScratch scratch(scene.band_size());
    if (planes.method_key != s.method_key || planes.method_score.size() != valid.size()) {
        planes.method_key.clear(); // unusable until the method has run through
        // The cloud kernel writes every pixel (finish_cloud_scores), so it skips the zeros
        // the other kernels add into: 69 MB of stores per change on 12 scenes of 1.44 MP.
        const bool cloud = std::holds_alternative<CloudOptions>(s.options.method);
        if (cloud)
            planes.method_score.resize(valid.size());
        else
            planes.method_score.assign(valid.size(), 0.0f);
        // The cloud kernel finishes the score raster itself when no penalty applies.
        const bool finished = cloud && !detail::has_penalties(s.options.penalties);
        score_method(ScoreCtx{s, scene, valid, stats, planes.method_score, scratch->acc, *scratch,
                              scene_index, &planes, finished ? &result : nullptr});
        planes.method_key = s.method_key;
        if (finished)
            return;
    }
    if (detail::finish_from_planes(s, scene, planes, result))
        return;
    std::vector<float>& out = scratch->out;
    out.assign(planes.method_score.begin(), planes.method_score.end());
    const ScoreCtx c{s, scene, valid, stats, out, scratch->acc, *scratch, scene_index};
    apply_penalties(c, s.options.penalties, &planes);
    finish(s, valid, out, scene.rows(), scene.cols(), result);
}

} // namespace rb
