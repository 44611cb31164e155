#include "rasterbench/composite.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include "composite_best_row.h"
#include "composite_own_scores.h"
#include "pixel_util.h"
#include "running_best.h"
#include "tie_rule.h"

namespace rb {

const ParamTable<CompositeOptions>& CompositeOptions::params() {
    static const ParamTable<CompositeOptions> t = [] {
        using O = CompositeOptions;
        constexpr double inf = std::numeric_limits<double>::infinity();
        ParamTable<O> t;
        t.add_choice(&O::method, "method", {"best", "best-k-mean", "best-k-median", "percentile"},
                     "what each output pixel is: the best-scored pixel, the mean or median of the "
                     "best k, or a per-band percentile of all valid pixels");
        t.add(&O::k, "k", "pixels averaged by best-k-mean and best-k-median", 1, 65535);
        t.add(&O::percentile, "percentile", "percentile (0..100) for the percentile method", 0,
              100);
        t.add(&O::min_score, "min_score", "pixels scoring below this count as invalid", -inf, inf);
        t.add_choice(&O::tie, "tie", {"earliest", "latest", "closest"},
                     "which of equally scored pixels wins: the earliest or latest acquisition, or "
                     "the one closest to target_date (scenes without dates rank last)");
        t.add(&O::target_date, "target_date",
              "for tie 'closest': YYYY-MM-DD, or a day of year 1..366 (the season, any year)");
        t.add_choice(&O::normalize, "normalize", {"none", "histogram", "pif"},
                     "relative radiometric normalization before scoring: linear fit of each "
                     "scene's quantiles (histogram) or of pseudo-invariant pixels (pif) to the "
                     "reference scene");
        t.add(&O::normalize_reference, "normalize_reference",
              "1-based scene the others are normalized to; 0 = the one with most valid pixels", 0,
              65535);
        t.add(&O::harmonize, "harmonize",
              "match each pixel's radiometry to its neighbourhood's scene (best only)");
        t.add(&O::harmonize_radius, "harmonize_radius", "harmonization window radius, pixels", 1,
              100);
        t.add(&O::harmonize_min_pixels, "harmonize_min_pixels",
              "overlap pixels needed for a harmonization fit", 2, 100000);
        return t;
    }();
    return t;
}

namespace {

enum class Method { Best, KMean, KMedian, Percentile };

Method parse_method(const std::string& m) {
    if (m == "best")
        return Method::Best;
    if (m == "best-k-mean")
        return Method::KMean;
    if (m == "best-k-median")
        return Method::KMedian;
    if (m == "percentile")
        return Method::Percentile;
    throw ArgumentError("unknown composite method '" + m +
                        "' (methods: best, best-k-mean, best-k-median, percentile)");
}

template <class T> T to_pixel(double v) {
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(v);
    } else {
        const double r = std::nearbyint(v);
        return static_cast<T>(std::clamp(r, double(std::numeric_limits<T>::lowest()),
                                         double(std::numeric_limits<T>::max())));
    }
}

// Scores descending, then by the tie rule (`rank`: each scene's place in it). Stacks are
// small, so an insertion sort beats std::sort's setup.
inline void order_candidates(std::uint16_t* cand, int m, const float* s,
                             const std::uint16_t* rank) {
    for (int a = 1; a < m; ++a) {
        const std::uint16_t v = cand[a];
        const float sv = s[v];
        int b = a - 1;
        while (b >= 0 && (s[cand[b]] < sv || (s[cand[b]] == sv && rank[cand[b]] > rank[v]))) {
            cand[b + 1] = cand[b];
            --b;
        }
        cand[b + 1] = v;
    }
}

struct Setup {
    Method method;
    std::vector<int> bands;
    std::size_t n = 0; // scenes
    int rows = 0, cols = 0;
    std::vector<std::uint16_t> order, rank; // tie rule: visiting order, place of each scene
};

// `scored`: scores are given (else a Scorer scores row by row: no score rasters to check).
Setup check_inputs(std::span<const Raster> scenes, std::span<const Raster> scores,
                   const CompositeOptions& o, bool scored = true) {
    Setup s;
    s.method = parse_method(o.method);
    if (scenes.empty())
        throw ArgumentError("composite needs at least one scene");
    if (scored && scenes.size() != scores.size())
        throw ArgumentError("composite: " + std::to_string(scenes.size()) + " scenes but " +
                            std::to_string(scores.size()) + " score rasters");
    detail::check_composite_scene_count(scenes.size());
    s.n = scenes.size();
    s.rows = scenes[0].rows();
    s.cols = scenes[0].cols();
    for (std::size_t i = 0; i < s.n; ++i) {
        const Raster& a = scenes[i];
        if (a.rows() != s.rows || a.cols() != s.cols || a.bands() != scenes[0].bands())
            throw ArgumentError("composite: scene " + std::to_string(i) + " is " +
                                std::to_string(a.bands()) + "x" + std::to_string(a.rows()) + "x" +
                                std::to_string(a.cols()) + ", scene 0 is " +
                                std::to_string(scenes[0].bands()) + "x" + std::to_string(s.rows) +
                                "x" + std::to_string(s.cols) + " (bands x rows x cols)");
        if (a.dtype() != scenes[0].dtype())
            throw ArgumentError("composite: scene " + std::to_string(i) + " is " +
                                std::string(dtype_name(a.dtype())) + ", scene 0 is " +
                                std::string(dtype_name(scenes[0].dtype())));
        if (!scored)
            continue;
        const Raster& sc = scores[i];
        if (sc.dtype() != DataType::Float32 || sc.bands() != 1 || sc.rows() != s.rows ||
            sc.cols() != s.cols)
            throw ArgumentError("composite: the score of scene " + std::to_string(i) +
                                " must be one Float32 band of " + std::to_string(s.rows) + "x" +
                                std::to_string(s.cols));
    }
    if (o.bands.empty())
        for (int b = 0; b < scenes[0].bands(); ++b)
            s.bands.push_back(b);
    else
        s.bands = o.bands;
    for (int b : s.bands)
        if (b < 0 || b >= scenes[0].bands())
            throw ArgumentError("composite: band index " + std::to_string(b) +
                                " is outside the scenes' " + std::to_string(scenes[0].bands()) +
                                " bands");
    if (o.k < 1)
        throw ArgumentError("parameter 'k': must be at least 1, got " + std::to_string(o.k));
    if (!(o.percentile >= 0 && o.percentile <= 100))
        throw ArgumentError("parameter 'percentile': must be within [0, 100]");
    for (int r : o.best_ranks)
        if (r < 1)
            throw ArgumentError("rank images: rank " + std::to_string(r) + " is not >= 1");
    for (int r : o.worst_ranks)
        if (r < 1)
            throw ArgumentError("rank images: rank " + std::to_string(r) + " is not >= 1");
    if (o.harmonize && s.method != Method::Best)
        throw ArgumentError("harmonize works with the 'best' composite method only, not '" +
                            o.method + "'");
    if (o.harmonize && (o.harmonize_radius < 1 || o.harmonize_min_pixels < 2))
        throw ArgumentError("harmonize needs harmonize_radius >= 1 and harmonize_min_pixels >= 2");
    s.order = detail::tie_order(o, s.n);
    s.rank.resize(s.n);
    for (std::size_t k = 0; k < s.n; ++k)
        s.rank[s.order[k]] = std::uint16_t(k);
    return s;
}

} // namespace

CompositeResult composite(std::span<const Raster> scenes, std::span<const Raster> scores,
                          const CompositeOptions& o, Progress progress) {
    CompositeResult res;
    composite_into(scenes, scores, o, res, std::move(progress));
    return res;
}

namespace {

// composite_into() with either the scores given, or (by_row not null, best pixel only)
// each scene scored one row at a time into a small buffer, compared and forgotten.
// `masks_in_scores`: every sample a band mask of its scene marks invalid scores kInvalidScore
// (scores a Scorer made from these scenes), so the band masks need not be read.
// The composite's outputs shaped for `s`, their storage reused (Raster::reset), so every
// sample the loops do not set is zeroed explicitly where a fresh raster would have been
// zero-filled.
void shape_outputs(const Setup& s, const CompositeOptions& o, DataType dt, CompositeResult& res) {
    const int nb = int(s.bands.size());
    // The plain best pixel (write_best_row) writes every sample and mask byte of the
    // composite, index, score and count: no zero-fill of fresh storage first, which one
    // thread did before the strips ran (the first threshold change after a method change in
    // bench_score_preview: 84-86 against 81-85 ms).
    const bool plain = s.method == Method::Best && o.best_ranks.empty() && o.worst_ranks.empty();
    const auto shape = [&](Raster& r, DataType t, int bands) {
        if (plain)
            r.reset_unset(t, bands, s.rows, s.cols);
        else
            r.reset(t, bands, s.rows, s.cols);
    };
    shape(res.composite, dt, nb);
    shape(res.index, DataType::UInt16, 1);
    shape(res.score, DataType::Float32, 1);
    shape(res.count, DataType::UInt16, 1);
    res.best_rank.resize(o.best_ranks.size());
    res.worst_rank.resize(o.worst_ranks.size());
    for (auto& r : res.best_rank)
        r.reset(dt, nb, s.rows, s.cols);
    for (auto& r : res.worst_rank)
        r.reset(dt, nb, s.rows, s.cols);
    // The plain best pixel (write_best_row) writes every mask byte; the other loops mark
    // invalid samples alone, on an all-valid mask.
    if (plain) {
        res.composite.ensure_mask_unset();
        res.index.ensure_mask_unset();
        res.score.ensure_mask_unset();
    } else {
        res.composite.ensure_mask();
        res.index.ensure_mask();
        res.score.ensure_mask();
    }
    for (auto& r : res.best_rank)
        r.ensure_mask();
    for (auto& r : res.worst_rank)
        r.ensure_mask();
}

void composite_impl(std::span<const Raster> scenes, std::span<const Raster> scores,
                    const Scorer* by_row, const CompositeOptions& o, CompositeResult& res,
                    Progress progress, bool masks_in_scores = false) {
    const Setup s = check_inputs(scenes, scores, o, by_row == nullptr);
    const int nb = int(s.bands.size());
    const DataType dt = scenes[0].dtype();
    shape_outputs(s, o, dt, res);

    std::vector<const float*> score_ptr(s.n);
    if (!by_row)
        for (std::size_t i = 0; i < s.n; ++i)
            score_ptr[i] = scores[i].band<float>(0).data();
    // Per scene: does any output band carry a mask? (Checked per pixel only where it does.)
    std::vector<const std::uint8_t*> mask_ptr(s.n * std::size_t(nb), nullptr);
    for (std::size_t i = 0; i < s.n && !masks_in_scores; ++i)
        if (scenes[i].has_mask())
            for (int j = 0; j < nb; ++j)
                mask_ptr[i * std::size_t(nb) + std::size_t(j)] = scenes[i].mask(s.bands[j]).data();
    const bool need_order =
        s.method != Method::Best || !o.best_ranks.empty() || !o.worst_ranks.empty();
    const float min_score = detail::candidate_floor(o.min_score);
    auto idx_out = res.index.band<std::uint16_t>(0);
    auto score_out = res.score.band<float>(0);
    auto count_out = res.count.band<std::uint16_t>(0);
    auto idx_mask = res.index.mask(0);
    auto score_mask = res.score.mask(0);
    std::mutex progress_mutex;
    std::atomic<int> rows_done{0};

    visit_dtype(dt, [&](auto tag) {
        using T = decltype(tag);
        std::vector<const T*> src(s.n * std::size_t(nb));
        for (std::size_t i = 0; i < s.n; ++i)
            for (int j = 0; j < nb; ++j)
                src[i * std::size_t(nb) + std::size_t(j)] = scenes[i].band<T>(s.bands[j]).data();
        auto out_ptrs = [&](Raster& r) {
            std::vector<T*> p(static_cast<std::size_t>(nb));
            for (int j = 0; j < nb; ++j)
                p[std::size_t(j)] = r.band<T>(j).data();
            return p;
        };
        const std::vector<T*> comp = out_ptrs(res.composite);
        std::vector<std::vector<T*>> best_ptr, worst_ptr;
        for (auto& r : res.best_rank)
            best_ptr.push_back(out_ptrs(r));
        for (auto& r : res.worst_rank)
            worst_ptr.push_back(out_ptrs(r));

        // Where no scene is valid, every rank image is nodata (0 under the mask).
        auto invalidate_ranks = [&](std::size_t p) {
            for (std::size_t r = 0; r < res.best_rank.size(); ++r)
                for (int j = 0; j < nb; ++j) {
                    res.best_rank[r].mask(j)[p] = kInvalid;
                    best_ptr[r][std::size_t(j)][p] = T(0);
                }
            for (std::size_t r = 0; r < res.worst_rank.size(); ++r)
                for (int j = 0; j < nb; ++j) {
                    res.worst_rank[r].mask(j)[p] = kInvalid;
                    worst_ptr[r][std::size_t(j)][p] = T(0);
                }
        };
        auto report_rows = [&](int rows) {
            const int done = rows_done += rows;
            std::lock_guard lock(progress_mutex);
            progress.report(double(done) / double(std::max(1, s.rows)) * (o.harmonize ? 0.5 : 1.0));
        };
        // The fast path also serves the first-ranked and last-ranked images (what the
        // workbench's preview asks for): a running best and a running worst per column.
        const auto only_rank_one = [](const std::vector<int>& ranks) {
            return std::all_of(ranks.begin(), ranks.end(), [](int r) { return r == 1; });
        };
        const bool best_only =
            s.method == Method::Best && only_rank_one(o.best_ranks) && only_rank_one(o.worst_ranks);
        const bool track_worst = best_only && !o.worst_ranks.empty();
        if (best_only) {
            // The plain best pixel (the streaming default): per row, every scene's score row
            // streams through a running best per column (detail::running_best), with no
            // per-pixel candidate list, so it costs a fraction of the general loop below.
            // Same rule: the first scene with the strictly highest score wins.
            std::vector<std::uint8_t*> comp_mask(static_cast<std::size_t>(nb));
            for (int j = 0; j < nb; ++j)
                comp_mask[std::size_t(j)] = res.composite.mask(j).data();
            // Per scene in tie order: its index and the masks of its output bands (a masked
            // sample is not a candidate), offsets into each row added per row.
            std::vector<std::int32_t> scene_of(s.n);
            std::vector<std::size_t> mask_begin(s.n + 1, 0);
            std::vector<const std::uint8_t*> scene_masks;
            for (std::size_t k = 0; k < s.n; ++k) {
                const std::size_t i = s.order[k];
                scene_of[k] = std::int32_t(i);
                for (int j = 0; j < nb; ++j)
                    if (const std::uint8_t* mk = mask_ptr[i * std::size_t(nb) + std::size_t(j)])
                        scene_masks.push_back(mk);
                mask_begin[k + 1] = scene_masks.size();
            }
            // Without rank images each row is written in plain passes (write_best_row).
            const bool plain = res.best_rank.empty() && res.worst_rank.empty();
            std::vector<std::vector<const T*>> by_band(static_cast<std::size_t>(nb));
            for (int j = 0; j < nb; ++j)
                for (std::size_t i = 0; i < s.n; ++i)
                    by_band[std::size_t(j)].push_back(src[i * std::size_t(nb) + std::size_t(j)]);
            const detail::BestOutputs best_out{idx_out.data(), score_out.data(), count_out.data(),
                                               idx_mask.data(), score_mask.data()};
            tbb::parallel_for(tbb::blocked_range<int>(0, s.rows, 8), [&](const auto& range) {
                const auto cols = std::size_t(s.cols);
                std::vector<float> bs(cols);
                std::vector<std::int32_t> bi(cols), cnt(cols);
                detail::BestRowScratch row_scratch;
                // Running worst: the last of the order (lowest score; ties: the later scene).
                std::vector<float> ws(track_worst ? cols : 0);
                std::vector<std::int32_t> wi(track_worst ? cols : 0);
                // Every scene's row, scored here when by_row.
                std::vector<float> scored(by_row ? cols * s.n : 0);
                std::vector<const float*> rows_of(s.n);
                std::vector<const std::uint8_t*> masks(scene_masks.size());
                const detail::RunningBestRow in{
                    rows_of.data(), scene_of.data(), masks.data(), mask_begin.data(), s.n,
                    min_score};
                const detail::RunningBestColumns out{bs.data(), bi.data(), cnt.data(),
                                                     track_worst ? ws.data() : nullptr,
                                                     track_worst ? wi.data() : nullptr};
                for (int row = range.begin(); row != range.end(); ++row) {
                    const std::size_t base = std::size_t(row) * cols;
                    for (std::size_t k = 0; k < s.n; ++k) {
                        const std::size_t i = s.order[k];
                        if (by_row) {
                            by_row->score_row(scenes[i], row, scored.data() + k * cols);
                            rows_of[k] = scored.data() + k * cols;
                        } else {
                            rows_of[k] = score_ptr[i] + base;
                        }
                    }
                    for (std::size_t m = 0; m < masks.size(); ++m)
                        masks[m] = scene_masks[m] + base;
                    detail::running_best(in, cols, out);
                    const float* bsp = bs.data();
                    const std::int32_t *bip = bi.data(), *cntp = cnt.data();
                    // The winners' samples are scattered over the scenes' bands, which no
                    // hardware prefetcher follows: asking for all of this row's first keeps
                    // many misses in flight, where the copy below would wait for each.
                    for (std::size_t c = 0; c < cols; c += 16)
                        if (bip[c] >= 0)
                            for (int j = 0; j < nb; ++j)
                                __builtin_prefetch(
                                    src[std::size_t(bip[c]) * std::size_t(nb) + std::size_t(j)] +
                                    base + c);
                    if (plain) {
                        detail::write_best_row(bsp, bip, cntp, cols, base, by_band, comp, comp_mask,
                                               best_out, row_scratch);
                        continue;
                    }
                    for (std::size_t c = 0; c < cols; ++c) {
                        const std::size_t p = base + c;
                        count_out[p] = std::uint16_t(cntp[c]);
                        if (cntp[c] == 0) {
                            idx_out[p] = 65535;
                            score_out[p] = kInvalidScore;
                            idx_mask[p] = kInvalid;
                            score_mask[p] = kInvalid;
                            for (int j = 0; j < nb; ++j) {
                                comp_mask[std::size_t(j)][p] = kInvalid;
                                comp[std::size_t(j)][p] = T(0);
                            }
                            invalidate_ranks(p);
                            continue;
                        }
                        idx_out[p] = std::uint16_t(bip[c]);
                        score_out[p] = bsp[c];
                        const std::size_t wb = std::size_t(bip[c]) * std::size_t(nb);
                        for (int j = 0; j < nb; ++j)
                            comp[std::size_t(j)][p] = src[wb + std::size_t(j)][p];
                        for (std::size_t r = 0; r < res.best_rank.size(); ++r)
                            for (int j = 0; j < nb; ++j)
                                best_ptr[r][std::size_t(j)][p] = src[wb + std::size_t(j)][p];
                        if (track_worst) {
                            const std::size_t lb = std::size_t(wi[c]) * std::size_t(nb);
                            for (std::size_t r = 0; r < res.worst_rank.size(); ++r)
                                for (int j = 0; j < nb; ++j)
                                    worst_ptr[r][std::size_t(j)][p] = src[lb + std::size_t(j)][p];
                        }
                    }
                }
                report_rows(int(range.size()));
            });
        }
        // The general loop; an empty range when the loop above did the work.
        const int rows = best_only ? 0 : s.rows;
        tbb::parallel_for(tbb::blocked_range<int>(0, rows, 8), [&](const auto& range) {
            std::vector<std::uint16_t> cand(s.n);
            std::vector<float> sv(s.n);
            std::vector<double> vals(s.n);
            for (int row = range.begin(); row != range.end(); ++row) {
                for (int col = 0; col < s.cols; ++col) {
                    const std::size_t p = std::size_t(row) * std::size_t(s.cols) + std::size_t(col);
                    int m = 0;
                    int best = -1;
                    float best_s = 0;
                    for (std::size_t k = 0; k < s.n; ++k) {
                        const std::size_t i = s.order[k];
                        const float sc = score_ptr[i][p];
                        sv[i] = sc;
                        if (!(sc >= min_score))
                            continue; // -inf (invalid), NaN, or below the threshold
                        bool ok = true;
                        for (int j = 0; j < nb && ok; ++j) {
                            const std::uint8_t* mk = mask_ptr[i * std::size_t(nb) + std::size_t(j)];
                            ok = !mk || mk[p] != 0;
                        }
                        if (!ok)
                            continue;
                        cand[std::size_t(m++)] = std::uint16_t(i);
                        if (best < 0 || sc > best_s) { // strict: ties keep the earlier in order
                            best = int(i);
                            best_s = sc;
                        }
                    }
                    count_out[p] = std::uint16_t(m);
                    if (m == 0) {
                        idx_out[p] = 65535;
                        score_out[p] = kInvalidScore;
                        idx_mask[p] = kInvalid;
                        score_mask[p] = kInvalid;
                        for (int j = 0; j < nb; ++j) {
                            res.composite.mask(j)[p] = kInvalid;
                            comp[std::size_t(j)][p] = T(0);
                        }
                        invalidate_ranks(p);
                        continue;
                    }
                    if (need_order)
                        order_candidates(cand.data(), m, sv.data(), s.rank.data());
                    idx_out[p] = std::uint16_t(best);
                    score_out[p] = best_s;
                    const std::size_t wb = std::size_t(best) * std::size_t(nb);
                    switch (s.method) {
                    case Method::Best:
                        for (int j = 0; j < nb; ++j)
                            comp[std::size_t(j)][p] = src[wb + std::size_t(j)][p];
                        break;
                    case Method::KMean:
                    case Method::KMedian: {
                        const int k = std::min(o.k, m);
                        for (int j = 0; j < nb; ++j) {
                            for (int a = 0; a < k; ++a)
                                vals[std::size_t(a)] =
                                    double(src[std::size_t(cand[std::size_t(a)]) * std::size_t(nb) +
                                               std::size_t(j)][p]);
                            double v;
                            if (s.method == Method::KMean) {
                                double sum = 0;
                                for (int a = 0; a < k; ++a)
                                    sum += vals[std::size_t(a)];
                                v = sum / double(k);
                            } else {
                                v = detail::median_inplace(vals.data(), std::size_t(k));
                            }
                            comp[std::size_t(j)][p] = to_pixel<T>(v);
                        }
                        break;
                    }
                    case Method::Percentile: {
                        const double pos = o.percentile / 100.0 * double(m - 1);
                        const auto lo = std::size_t(std::floor(pos));
                        const std::size_t hi = std::min(lo + 1, std::size_t(m - 1));
                        for (int j = 0; j < nb; ++j) {
                            for (int a = 0; a < m; ++a)
                                vals[std::size_t(a)] =
                                    double(src[std::size_t(cand[std::size_t(a)]) * std::size_t(nb) +
                                               std::size_t(j)][p]);
                            std::sort(vals.begin(), vals.begin() + m);
                            const double v = vals[lo] + (pos - double(lo)) * (vals[hi] - vals[lo]);
                            comp[std::size_t(j)][p] = to_pixel<T>(v);
                        }
                        break;
                    }
                    }
                    auto put_rank = [&](std::vector<T*>& dst, Raster& r, int rank0) {
                        if (rank0 < 0 || rank0 >= m) {
                            for (int j = 0; j < nb; ++j) {
                                r.mask(j)[p] = kInvalid;
                                dst[std::size_t(j)][p] = T(0);
                            }
                            return;
                        }
                        const std::size_t base =
                            std::size_t(cand[std::size_t(rank0)]) * std::size_t(nb);
                        for (int j = 0; j < nb; ++j)
                            dst[std::size_t(j)][p] = src[base + std::size_t(j)][p];
                    };
                    for (std::size_t r = 0; r < o.best_ranks.size(); ++r)
                        put_rank(best_ptr[r], res.best_rank[r], o.best_ranks[r] - 1);
                    for (std::size_t r = 0; r < o.worst_ranks.size(); ++r)
                        put_rank(worst_ptr[r], res.worst_rank[r], m - o.worst_ranks[r]);
                }
            }
            report_rows(int(range.size()));
        });

        if (!o.harmonize)
            return;
        // Seam removal. A pixel from a different scene than the majority of its window is
        // mapped to that scene's radiometry by the least-squares line over the window pixels
        // valid in both: gain = cov(own, ref) / var(own), bias = mean(ref) - gain * mean(own).
        const int R = o.harmonize_radius;
        auto usable = [&](std::size_t i, std::size_t q) {
            if (!(score_ptr[i][q] >= min_score))
                return false;
            for (int j = 0; j < nb; ++j) {
                const std::uint8_t* mk = mask_ptr[i * std::size_t(nb) + std::size_t(j)];
                if (mk && !mk[q])
                    return false;
            }
            return true;
        };
        tbb::parallel_for(tbb::blocked_range<int>(0, s.rows, 4), [&](const auto& range) {
            std::vector<int> hist(s.n, 0);
            const auto nbz = static_cast<std::size_t>(nb);
            std::vector<double> sx(nbz), sy(nbz), sxx(nbz), sxy(nbz);
            for (int row = range.begin(); row != range.end(); ++row) {
                const int r0 = std::max(0, row - R), r1 = std::min(s.rows - 1, row + R);
                for (int col = 0; col < s.cols; ++col) {
                    const std::size_t p = std::size_t(row) * std::size_t(s.cols) + std::size_t(col);
                    if (!idx_mask[p])
                        continue;
                    const int own = idx_out[p];
                    const int c0 = std::max(0, col - R), c1 = std::min(s.cols - 1, col + R);
                    int major = own, major_n = 0;
                    bool mixed = false;
                    for (int y = r0; y <= r1; ++y)
                        for (int x = c0; x <= c1; ++x) {
                            const std::size_t q =
                                std::size_t(y) * std::size_t(s.cols) + std::size_t(x);
                            if (!idx_mask[q])
                                continue;
                            const int w = idx_out[q];
                            mixed = mixed || w != own;
                            const int h = ++hist[std::size_t(w)];
                            if (h > major_n || (h == major_n && w < major)) {
                                major_n = h;
                                major = w;
                            }
                        }
                    for (int y = r0; y <= r1; ++y)
                        for (int x = c0; x <= c1; ++x) {
                            const std::size_t q =
                                std::size_t(y) * std::size_t(s.cols) + std::size_t(x);
                            if (idx_mask[q])
                                hist[idx_out[q]] = 0;
                        }
                    if (!mixed || major == own)
                        continue;
                    std::fill(sx.begin(), sx.end(), 0.0);
                    std::fill(sy.begin(), sy.end(), 0.0);
                    std::fill(sxx.begin(), sxx.end(), 0.0);
                    std::fill(sxy.begin(), sxy.end(), 0.0);
                    int cnt = 0;
                    for (int y = r0; y <= r1; ++y)
                        for (int x = c0; x <= c1; ++x) {
                            const std::size_t q =
                                std::size_t(y) * std::size_t(s.cols) + std::size_t(x);
                            if (!usable(std::size_t(own), q) || !usable(std::size_t(major), q))
                                continue;
                            ++cnt;
                            for (int j = 0; j < nb; ++j) {
                                const double a = double(
                                    src[std::size_t(own) * std::size_t(nb) + std::size_t(j)][q]);
                                const double b = double(
                                    src[std::size_t(major) * std::size_t(nb) + std::size_t(j)][q]);
                                sx[std::size_t(j)] += a;
                                sxx[std::size_t(j)] += a * a;
                                sy[std::size_t(j)] += b;
                                sxy[std::size_t(j)] += a * b;
                            }
                        }
                    if (cnt < o.harmonize_min_pixels)
                        continue;
                    for (int j = 0; j < nb; ++j) {
                        const double mx = sx[std::size_t(j)] / cnt, my = sy[std::size_t(j)] / cnt;
                        const double vx = std::max(0.0, sxx[std::size_t(j)] / cnt - mx * mx);
                        const double cxy = sxy[std::size_t(j)] / cnt - mx * my;
                        // The least-squares line predicting the reference from the own scene
                        // (what minimizes the fill's error); a flat window gives no gain
                        // information: shift only.
                        double gain = vx > 1e-12 ? cxy / vx : 1.0;
                        gain = std::clamp(gain, 0.2, 5.0);
                        const double bias = my - gain * mx;
                        const double v =
                            double(src[std::size_t(own) * std::size_t(nb) + std::size_t(j)][p]);
                        comp[std::size_t(j)][p] = to_pixel<T>(gain * v + bias);
                    }
                }
            }
        });
        progress.report(1.0);
    });
}

} // namespace

void composite_into(std::span<const Raster> scenes, std::span<const Raster> scores,
                    const CompositeOptions& o, CompositeResult& res, Progress progress) {
    composite_impl(scenes, scores, nullptr, o, res, std::move(progress));
}

void score_composite_into(std::span<const Raster> scenes, const Scorer& scorer,
                          const StackStats* stats, const CompositeOptions& o,
                          std::vector<Raster>& scores, CompositeResult& res, Progress progress) {
    // Row by row only for the plain best pixel (the general loop orders every pixel's
    // candidates, and harmonization revisits the scores), and only where every scene's
    // score is a per-pixel function that the scorer computes by rows.
    const bool best_only = parse_method(o.method) == Method::Best && o.best_ranks.empty() &&
                           o.worst_ranks.empty() && !o.harmonize;
    const bool by_rows = best_only && !scenes.empty() &&
                         std::all_of(scenes.begin(), scenes.end(),
                                     [&](const Raster& r) { return scorer.scores_by_row(r); });
    if (by_rows) {
        composite_impl(scenes, {}, &scorer, o, res, std::move(progress));
        return;
    }
    scores.resize(scenes.size());
    tbb::parallel_for(std::size_t(0), scenes.size(), [&](std::size_t i) {
        scorer.score_into(scenes[i], stats, scores[i], int(i));
    });
    composite_impl(scenes, scores, nullptr, o, res, std::move(progress), true);
}

void detail::composite_own_scores_into(std::span<const Raster> scenes,
                                       std::span<const Raster> scores, const CompositeOptions& o,
                                       CompositeResult& res, Progress progress) {
    composite_impl(scenes, scores, nullptr, o, res, std::move(progress), true);
}

std::optional<detail::BestRows> detail::best_rows_for(std::span<const Raster> scenes,
                                                      const CompositeOptions& o,
                                                      CompositeResult& res) {
    const Setup s = check_inputs(scenes, {}, o, false);
    if (s.method != Method::Best || !o.best_ranks.empty() || !o.worst_ranks.empty() || o.harmonize)
        return std::nullopt;
    shape_outputs(s, o, scenes[0].dtype(), res);
    return BestRows(scenes, s.bands, res);
}

detail::StackWinners detail::winners_request(const CompositeOptions& o, std::size_t n) {
    StackWinners w;
    try {
        if (parse_method(o.method) != Method::Best || !o.best_ranks.empty() ||
            !o.worst_ranks.empty() || o.harmonize || n == 0)
            return w;
        check_composite_scene_count(n);
        w.order = tie_order(o, n);
        w.min_score = candidate_floor(o.min_score);
    } catch (const ArgumentError&) {
        w.order.clear(); // the composite says what is wrong with the options
    }
    return w;
}

} // namespace rb
