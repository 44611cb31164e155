// Per-pixel validity and the statistics over a stack of scenes that temporal scores need.
#include "rasterbench/score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "hazy_background.h"
#include "mode_ratio.h"
#include "pixel_util.h"
#include "scorer_impl.h"
#include "two_window_mean.h"

namespace rb {

namespace detail {

// pixel_validity() into a reused vector (Scorer::score_into's scratch).
void pixel_validity_into(const Raster& scene, std::vector<std::uint8_t>& valid) {
    valid.assign(scene.band_size(), kValid);
    for (int b = 0; b < scene.bands(); ++b) {
        const auto m = scene.mask(b);
        if (!m.empty())
            for (std::size_t i = 0; i < valid.size(); ++i)
                valid[i] &= m[i];
    }
    if (is_floating(scene.dtype())) {
        visit_dtype(scene.dtype(), [&](auto x) {
            using T = decltype(x);
            for (int b = 0; b < scene.bands(); ++b) {
                const auto d = scene.band<T>(b);
                for (std::size_t i = 0; i < valid.size(); ++i)
                    if (std::isnan(double(d[i])))
                        valid[i] = kInvalid;
            }
        });
    }
}

} // namespace detail

std::vector<std::uint8_t> pixel_validity(const Raster& scene) {
    std::vector<std::uint8_t> valid;
    detail::pixel_validity_into(scene, valid);
    return valid;
}

namespace {

// StackStats::background of one band's k valid observations (reordered): the darkest
// value that agrees (within `tol` plus a tenth of it) with at least another observation
// and a tenth of all, as the median of the values that agree with it; the darkest value
// when none does. Why a tenth: in a long stack two dates under one cloud shadow agree
// too, and where that shadow covers a whole block the spatial refinement cannot undo
// it (on the 63-date Landsat 5/7 stack, a 40 x 40 crop then took every winner from a
// shadowed date; with the tenth 0.9 %). In eight dates a tenth is still a pair.
double clear_background(double* v, std::size_t k, double tol) {
    if (k == 0)
        return std::numeric_limits<double>::quiet_NaN();
    const std::size_t need = std::max<std::size_t>(2, (k + 9) / 10);
    if (k <= 32) // (std::sort's memmove calls were a fifth of this function's time on 12 dates)
        detail::insertion_sort(v, k);
    else
        std::sort(v, v + k);
    for (std::size_t j = 0; j + 1 < k; ++j) {
        const double limit = v[j] + tol + 0.1 * std::abs(v[j]);
        std::size_t m = j + 1;
        while (m < k && v[m] <= limit)
            ++m;
        if (m - j >= need) {
            const std::size_t h = m - j;
            return h % 2 ? v[j + h / 2] : 0.5 * (v[j + h / 2 - 1] + v[j + h / 2]);
        }
    }
    return v[0];
}

// Working planes of the refinement come from the pixel pool (detail::allocate_pixels), not
// fresh from the C library: a view's statistics take over 100 MiB of them (12 scenes of
// 1200 x 1200 px), and fresh memory faults on first touch (on the 2-core development VM,
// bringing the weights back to full resolution took 210-270 ms with fresh planes, 15-23 ms
// from the pool). The pool hands back what earlier views and scores freed.
template <class T> using PooledPlane = std::vector<T, detail::PixelAllocator<T>>;

// A date's gain is one number, the mode of its ratios to the background: some 65,000 pixels
// find it as well as all. They are counted in runs of kRatioRun pixels, every `step`-th run
// (ratio_step), not as every k-th pixel: a strided count touched every cache line of the
// planes all the same (count_ratios was 17 % of the statistics of 12 dates of 1200 x 1200 px
// at a quarter million strided pixels).
constexpr std::size_t kRatioRun = 1024;

std::size_t ratio_step(std::size_t n) {
    return std::max<std::size_t>(1, n / (std::size_t(64) * kRatioRun));
}

// count_ratios over the pixels of [begin, end) in the runs that ratio_step samples.
template <typename T>
void count_ratio_runs(const T* v, const float* bg, const std::uint8_t* valid, std::size_t begin,
                      std::size_t end, std::size_t step, float floor, detail::RatioCounts& part) {
    for (std::size_t run = begin / kRatioRun; run * kRatioRun < end; ++run) {
        if (run % step != 0)
            continue;
        const std::size_t a = std::max(begin, run * kRatioRun),
                          b = std::min(end, (run + 1) * kRatioRun);
        detail::count_ratios(v, bg, valid, a, b, 1, floor, part);
    }
}

// Per date, a plane the refinement works in: the date's departure from the background,
// and after the last round its weight (written in place of the departure).
using DatePlanes = std::vector<PooledPlane<float>>;

// Pixels [begin, end) of a date's departure from the background, the mean over the bands of
// |value / gain - background|, into d (`background`: each band's plane). NaN backgrounds (no valid
// observation) and invalid pixels depart by 0. Band after band over chunks of pixels, so
// that the sum stays in the cache; computed everywhere and then chosen (& not &&), so that
// the loops vectorize. Built for AVX2 too (chosen at load; no FMA in it, so both give the
// same numbers).
template <typename T>
__attribute__((target_clones("avx2", "default"))) void
departure(const T* const* bands, const float* const* background, std::size_t begin, std::size_t end,
          int nb, const float* inv_gain, float inv_nb, const std::uint8_t* ok, float* d) {
    constexpr std::size_t kChunk = 2048;
    for (std::size_t p0 = begin; p0 < end; p0 += kChunk) {
        const std::size_t len = std::min(kChunk, end - p0);
        const std::uint8_t* okc = ok + p0;
        float* dc = d + p0;
        for (int b = 0; b < nb; ++b) {
            const float ig = inv_gain[b];
            const T* vp = bands[b] + p0;
            const float* bp = background[b] + p0;
            const auto dep = [&](std::size_t k) {
                const float v = std::abs(float(vp[k]) * ig - bp[k]) * inv_nb;
                return (okc[k] != 0) & (bp[k] == bp[k]) ? v : 0.0f;
            };
            if (b == 0)
                for (std::size_t k = 0; k < len; ++k)
                    dc[k] = dep(k);
            else
                for (std::size_t k = 0; k < len; ++k)
                    dc[k] += dep(k);
        }
    }
}

// Pixels [begin, end) of the background become the dates' weighted mean (each date over
// its gain), date by date over chunks of pixels (so the loops vectorize). A date's weight
// is (eps / (eps + d))^4 of its plane d, or with `given` the plane itself. With `last` the
// weights are written back into the planes. With `counts` (one per date and band,
// date-major) each date's ratios to the new background are counted there too, at the pixels
// in the runs of ratio_step `step`, while both are in the cache: the
// next round's gains. Built for AVX2 too, as above. Chunks of 4096
// px, not 512: each chunk reads a run of every date's every band (48 runs on 12 dates of 4
// bands), and runs of 1 KiB left the loads waiting on memory (half the function's time; the
// statistics of 12 dates of 1200 x 1200 px took 1.27 s with 512, 1.09 s with 4096).
template <typename T>
__attribute__((target_clones("avx2", "default"))) void
weighted_mean(std::size_t begin, std::size_t end, const T* const* bands,
              const std::vector<std::vector<std::uint8_t>>& valid, DatePlanes& planes,
              const float* inv_gain, int nb, float eps, bool given, bool last,
              float* const* background, detail::RatioCounts* counts, std::size_t step,
              float floor) {
    constexpr std::size_t kChunk = 4096;
    const std::size_t nbs = std::size_t(nb), ns = planes.size();
    std::vector<float> buf(kChunk * (nbs + 2));
    float* wsum = buf.data();
    float* wi = wsum + kChunk;
    float* acc = wi + kChunk;
    for (std::size_t p0 = begin; p0 < end; p0 += kChunk) {
        const std::size_t len = std::min(kChunk, end - p0);
        std::fill(buf.begin(), buf.end(), 0.0f);
        for (std::size_t i = 0; i < ns; ++i) {
            const std::uint8_t* ok = valid[i].data() + p0;
            float* d = planes[i].data() + p0;
            if (given) {
                for (std::size_t k = 0; k < len; ++k)
                    wi[k] = ok[k] ? d[k] : 0.0f;
            } else {
                for (std::size_t k = 0; k < len; ++k) {
                    float q = eps / (eps + d[k]);
                    q *= q;
                    wi[k] = ok[k] ? q * q : 0.0f;
                }
            }
            for (std::size_t k = 0; k < len; ++k)
                wsum[k] += wi[k];
            if (last)
                std::copy_n(wi, len, d);
            for (std::size_t b = 0; b < nbs; ++b) {
                const float ig = inv_gain[i * nbs + b];
                const T* vp = bands[i * nbs + b] + p0;
                float* a = acc + b * kChunk;
                for (std::size_t k = 0; k < len; ++k)
                    a[k] += wi[k] * (float(vp[k]) * ig);
            }
        }
        for (std::size_t b = 0; b < nbs; ++b) {
            float* out = background[b] + p0;
            const float* a = acc + b * kChunk;
            for (std::size_t k = 0; k < len; ++k)
                out[k] = wsum[k] > 0 ? a[k] / wsum[k] : out[k];
        }
        if (counts) {
            for (std::size_t i = 0; i < ns; ++i)
                for (std::size_t b = 0; b < nbs; ++b)
                    count_ratio_runs(bands[i * nbs + b], background[b], valid[i].data(), p0,
                                     p0 + len, step, floor, counts[i * nbs + b]);
        }
    }
}

// Refines StackStats::background in space: clouds and shadows are patches, so a date whose
// neighbourhood departs from the background gets little weight, and the background becomes
// the dates' weighted mean; `rounds` times. The neighbourhood is two windows,
// StackStatsNeeds::background_radius and twice that, averaged: the small one keeps a clear
// date's weight next to its own cloud, the large one lets a right background spread from
// where most dates are clear into places where a single date is (where the lowest agreeing
// pair was two thin clouds). Each round spreads it by about a window, so the rounds run
// coarse to fine (refine_background_pyramid). Each date is first divided by its gain
// against the background (per band), so that a brighter or darker date is not mistaken for
// haze or shadow.
//
// `bands`: the scenes' bands it is made of, which are also the background's planes.
// `planes` returns each date's weights of the last round. With `start_from_weights` it holds
// the first round's weights on entry (that round then only measures the gains). `inv_gain`
// returns the last round's 1 / gain per date and band of `bands` (date-major).
void refine_background(std::span<const Raster> scenes, const std::vector<int>& bands,
                       const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                       double tol, int radius, int rounds, DatePlanes& planes,
                       bool start_from_weights, std::vector<float>& inv_gain) {
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const int nb = int(bands.size());
    const std::size_t nbs = std::size_t(nb);
    std::vector<float*> background(nbs);
    for (std::size_t j = 0; j < nbs; ++j)
        background[j] = st.background.data() + std::size_t(bands[j]) * n;
    planes.resize(ns);
    for (auto& p : planes)
        p.resize(n);
    std::vector<char> all_valid(ns);
    for (std::size_t i = 0; i < ns; ++i)
        all_valid[i] =
            std::all_of(valid[i].begin(), valid[i].end(), [](std::uint8_t v) { return v != 0; });
    inv_gain.assign(ns * nbs, 1.0f);
    const double eps = std::max(tol, 1e-6);
    const float epsf = float(eps), inv_nb = 1.0f / float(nb), ratio_floor = float(4 * eps);
    tbb::enumerable_thread_specific<detail::WindowSums> sums;
    tbb::enumerable_thread_specific<std::vector<detail::RatioCounts>> counts;
    const std::size_t step = ratio_step(n);
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * nbs);
        for (std::size_t i = 0; i < ns; ++i)
            for (std::size_t j = 0; j < nbs; ++j)
                ptr[i * nbs + j] = scenes[i].band<T>(bands[j]).data();
        for (int it = 0; it < rounds; ++it) {
            const bool given = it == 0 && start_from_weights, last = it + 1 == rounds;
            if (it == 0) {
                // The first gains, against the background the rounds start from.
                tbb::parallel_for(std::size_t(0), ns * nbs, [&](std::size_t ib) {
                    const std::size_t i = ib / nbs;
                    const int b = bands[ib % nbs];
                    detail::RatioCounts first{};
                    count_ratio_runs(scenes[i].band<T>(b).data(), st.plane(st.background, b).data(),
                                     valid[i].data(), 0, n, step, ratio_floor, first);
                    inv_gain[ib] = float(1.0 / detail::ratio_mode(first));
                });
            } else {
                // The next ones from the ratios the last weighted mean counted.
                for (std::size_t ib = 0; ib < ns * nbs; ++ib) {
                    detail::RatioCounts total{};
                    for (const auto& c : counts)
                        for (std::size_t j = 0; j < total.size(); ++j)
                            for (std::size_t k = 0; k < total[j].size(); ++k)
                                total[j][k] += c[ib][j][k];
                    inv_gain[ib] = float(1.0 / detail::ratio_mode(total));
                }
                for (auto& c : counts)
                    std::fill(c.begin(), c.end(), detail::RatioCounts{});
            }
            if (!given) { // else this round's weights are given
                // Every date over each chunk of pixels: the chunk's background is read once.
                tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 8192), [&](const auto& r) {
                    for (std::size_t i = 0; i < ns; ++i)
                        departure(&ptr[i * nbs], background.data(), r.begin(), r.end(), nb,
                                  &inv_gain[i * nbs], inv_nb, valid[i].data(), planes[i].data());
                });
                tbb::parallel_for(std::size_t(0), ns, [&](std::size_t i) {
                    detail::two_window_mean(planes[i].data(), valid[i].data(), all_valid[i] != 0,
                                            st.rows, st.cols, radius, sums.local());
                });
            }
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& r) {
                auto& local = counts.local();
                if (local.size() != ns * nbs)
                    local.assign(ns * nbs, detail::RatioCounts{});
                weighted_mean(r.begin(), r.end(), ptr.data(), valid, planes, inv_gain.data(), nb,
                              epsf, given, last, background.data(), last ? nullptr : local.data(),
                              step, ratio_floor);
            });
        }
    });
}

// Rounds of refine_background at full resolution, and before them at half of it (means of
// the valid pixels of 2x2 blocks): there a round spreads the background twice as far for a
// quarter of the work, and the first full-resolution round averages the dates with the
// weights the last half-resolution round gave them. Blocks too small for the half-resolution
// windows take all rounds at full resolution. `bands` and `inv_gain` as refine_background's;
// `share` of the rounds (StackStatsNeeds::background_rounds).
constexpr int kCoarseFactor = 2, kCoarseRounds = 16, kFineRounds = 6;

void refine_background_pyramid(std::span<const Raster> scenes, const std::vector<int>& bands,
                               const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                               double tol, int radius, double share, std::vector<float>& inv_gain) {
    const int f = kCoarseFactor;
    const int coarse_rounds = std::max(1, int(std::lround(kCoarseRounds * share)));
    const int fine_rounds = std::max(1, int(std::lround(kFineRounds * share)));
    const int crows = (st.rows + f - 1) / f, ccols = (st.cols + f - 1) / f;
    const int cradius = (radius + f - 1) / f;
    DatePlanes planes;
    if (crows < 4 * cradius || ccols < 4 * cradius) {
        refine_background(scenes, bands, valid, st, tol, radius, coarse_rounds + fine_rounds,
                          planes, false, inv_gain);
        return;
    }
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const std::size_t cn = std::size_t(crows) * std::size_t(ccols);
    // The half-resolution stack holds the background's bands alone, in their order.
    const int nb = int(bands.size());
    std::vector<int> coarse_bands(bands.size());
    for (std::size_t j = 0; j < bands.size(); ++j)
        coarse_bands[j] = int(j);
    std::vector<Raster> coarse(ns);
    std::vector<std::vector<std::uint8_t>> cvalid(ns);
    StackStats cst;
    cst.bands = nb;
    cst.rows = crows;
    cst.cols = ccols;
    cst.background.assign(cn * std::size_t(nb), std::numeric_limits<float>::quiet_NaN());
    // The means of the valid pixels of each block, summed in the block's rows top to bottom,
    // each left to right, adding 0 for an invalid pixel (the same sum: it starts from +0).
    // Blocks without a valid pixel keep what `out` holds. Whole blocks first, without
    // branches (the vectorizer takes them), then the partial ones at the right and bottom.
    const auto block_means = [&](auto value, auto use, float* out, std::uint8_t* out_valid) {
        static_assert(kCoarseFactor == 2, "whole blocks are 2 x 2");
        const int whole_rows = st.rows / f, whole_cols = st.cols / f;
        const auto put = [&](std::size_t cp, double sum, int k) {
            if (k) {
                out[cp] = float(sum / k);
                if (out_valid)
                    out_valid[cp] = kValid;
            }
        };
        for (int cy = 0; cy < crows; ++cy) {
            const std::size_t crow = std::size_t(cy) * std::size_t(ccols);
            const int y0 = cy * f, y1 = std::min(st.rows, y0 + f);
            const int cx0 = cy < whole_rows ? whole_cols : 0;
            if (cy < whole_rows) {
                const std::size_t r0 = std::size_t(y0) * std::size_t(st.cols),
                                  r1 = r0 + std::size_t(st.cols);
                for (int cx = 0; cx < whole_cols; ++cx) {
                    const std::size_t p = std::size_t(cx) * 2;
                    const bool u0 = use(r0 + p), u1 = use(r0 + p + 1), u2 = use(r1 + p),
                               u3 = use(r1 + p + 1);
                    double sum = 0;
                    sum += u0 ? value(r0 + p) : 0.0;
                    sum += u1 ? value(r0 + p + 1) : 0.0;
                    sum += u2 ? value(r1 + p) : 0.0;
                    sum += u3 ? value(r1 + p + 1) : 0.0;
                    put(crow + std::size_t(cx), sum, int(u0) + int(u1) + int(u2) + int(u3));
                }
            }
            for (int cx = cx0; cx < ccols; ++cx) {
                double sum = 0;
                int k = 0;
                for (int y = y0; y < y1; ++y)
                    for (int xx = cx * f; xx < std::min(st.cols, cx * f + f); ++xx) {
                        const std::size_t p =
                            std::size_t(y) * std::size_t(st.cols) + std::size_t(xx);
                        const bool u = use(p);
                        sum += u ? value(p) : 0.0;
                        k += u;
                    }
                put(crow + std::size_t(cx), sum, k);
            }
        }
    };
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        tbb::parallel_for(std::size_t(0), ns, [&](std::size_t i) {
            Raster r(DataType::Float32, nb, crows, ccols); // 0 where a block has no valid pixel
            cvalid[i].assign(cn, kInvalid);
            const std::uint8_t* ok = valid[i].data();
            for (int b = 0; b < nb; ++b) {
                const T* v = scenes[i].band<T>(bands[std::size_t(b)]).data();
                block_means([&](std::size_t p) { return double(v[p]); },
                            [&](std::size_t p) { return ok[p] != 0; }, r.band<float>(b).data(),
                            cvalid[i].data());
            }
            coarse[i] = std::move(r);
        });
    });
    tbb::parallel_for(0, nb, [&](int b) {
        const float* bg = st.plane(st.background, bands[std::size_t(b)]).data();
        block_means([&](std::size_t p) { return double(bg[p]); },
                    [&](std::size_t p) { return !std::isnan(bg[p]); },
                    cst.background.data() + std::size_t(b) * cn, nullptr);
    });
    DatePlanes cw;
    refine_background(coarse, coarse_bands, cvalid, cst, tol, cradius, coarse_rounds, cw, false,
                      inv_gain);
    coarse.clear();
    // The dates' last weights back at full resolution (bilinear between block centres): the
    // first full-resolution round averages the full-resolution dates with them.
    planes.resize(ns);
    for (auto& p : planes)
        p.resize(n); // every pixel written below
    // Each column's two block centres and weight, the same in every row.
    std::vector<int> col0(std::size_t(st.cols)), col1(std::size_t(st.cols));
    std::vector<float> colw(std::size_t(st.cols));
    for (int xx = 0; xx < st.cols; ++xx) {
        const double fx = std::clamp((xx + 0.5) / f - 0.5, 0.0, double(ccols - 1));
        col0[std::size_t(xx)] = int(fx);
        col1[std::size_t(xx)] = std::min(ccols - 1, int(fx) + 1);
        colw[std::size_t(xx)] = float(fx - int(fx));
    }
    tbb::parallel_for(0, st.rows, [&](int y) {
        const double fy = std::clamp((y + 0.5) / f - 0.5, 0.0, double(crows - 1));
        const int y0 = int(fy), y1 = std::min(crows - 1, y0 + 1);
        const float wy = float(fy - y0);
        const std::size_t row = std::size_t(y) * std::size_t(st.cols);
        // Date by date: one plane written at a time.
        for (std::size_t i = 0; i < ns; ++i) {
            const float* u0 = cw[i].data() + std::size_t(y0) * std::size_t(ccols);
            const float* u1 = cw[i].data() + std::size_t(y1) * std::size_t(ccols);
            float* out = planes[i].data() + row;
            for (std::size_t xx = 0; xx < std::size_t(st.cols); ++xx) {
                const std::size_t x0 = std::size_t(col0[xx]), x1 = std::size_t(col1[xx]);
                const float wx = colw[xx];
                out[xx] = (1 - wy) * ((1 - wx) * u0[x0] + wx * u0[x1]) +
                          wy * ((1 - wx) * u1[x0] + wx * u1[x1]);
            }
        }
    });
    cw.clear();
    refine_background(scenes, bands, valid, st, tol, radius, fine_rounds, planes, true, inv_gain);
}

void check_stack(std::span<const Raster> scenes, const char* what) {
    for (std::size_t i = 1; i < scenes.size(); ++i) {
        const Raster& a = scenes[0];
        const Raster& b = scenes[i];
        if (a.rows() != b.rows() || a.cols() != b.cols() || a.bands() != b.bands())
            throw ArgumentError(std::string(what) + ": scene " + std::to_string(i) + " is " +
                                std::to_string(b.bands()) + "x" + std::to_string(b.rows()) + "x" +
                                std::to_string(b.cols()) + " but scene 0 is " +
                                std::to_string(a.bands()) + "x" + std::to_string(a.rows()) + "x" +
                                std::to_string(a.cols()) + " (bands x rows x cols)");
        if (a.dtype() != b.dtype())
            throw ArgumentError(std::string(what) + ": scene " + std::to_string(i) + " is " +
                                std::string(dtype_name(b.dtype())) + " but scene 0 is " +
                                std::string(dtype_name(a.dtype())));
    }
}

} // namespace

StackStats stack_statistics(std::span<const Raster> scenes, const StackStatsNeeds& needs) {
    StackStats st;
    if (scenes.empty())
        return st;
    check_stack(scenes, "stack statistics");
    st.bands = scenes[0].bands();
    st.rows = scenes[0].rows();
    st.cols = scenes[0].cols();
    const std::size_t n = scenes[0].band_size();
    const std::size_t total = n * std::size_t(st.bands);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (needs.median)
        st.median.assign(total, nan);
    if (needs.mean)
        st.mean.assign(total, nan);
    if (needs.min)
        st.min.assign(total, nan);
    if (needs.max)
        st.max.assign(total, nan);
    if (needs.background)
        st.background.assign(total, nan);
    st.count.assign(n, 0);
    // The background's bands: every band unless named. A quality band's codes are no
    // reflectance: a date's departure from the background must not count them (a Landsat
    // QA_PIXEL word changes by hundreds where a bit flips), and on the bench's stack (three
    // bands and Fmask's classes) they were a quarter of the refinement's work.
    std::vector<int> bg_bands = needs.background_bands;
    std::vector<char> in_background(std::size_t(st.bands), 0);
    if (needs.background && !(needs.background_rounds > 0 && needs.background_rounds <= 1))
        throw ArgumentError("stack statistics: background_rounds " +
                            std::to_string(needs.background_rounds) +
                            " is not a share of the refinement's rounds in (0, 1]");
    if (needs.background) {
        if (bg_bands.empty())
            for (int b = 0; b < st.bands; ++b)
                bg_bands.push_back(b);
        for (int b : bg_bands) {
            if (b < 0 || b >= st.bands || in_background[std::size_t(b)])
                throw ArgumentError(
                    "stack statistics: background band " + std::to_string(b) +
                    (b < 0 || b >= st.bands
                         ? " is not one of the " + std::to_string(st.bands) + " bands"
                         : " is named twice"));
            in_background[std::size_t(b)] = 1;
        }
        for (int b : needs.haze_bands)
            if (b >= 0 && b < st.bands && !in_background[std::size_t(b)])
                throw ArgumentError("stack statistics: haze band " + std::to_string(b) +
                                    " is not one of the background's bands");
    }
    const bool per_band = needs.mean || needs.min || needs.max || needs.median;
    std::vector<std::vector<std::uint8_t>> valid(scenes.size());
    tbb::parallel_for(std::size_t(0), scenes.size(),
                      [&](std::size_t i) { valid[i] = pixel_validity(scenes[i]); });
    const std::size_t ns = scenes.size();
    // The statistics of one band at one pixel from its k valid observations (reordered).
    const auto summarize = [&](double* vals, std::size_t k, std::size_t at, bool background) {
        if (needs.mean || needs.min || needs.max) {
            double sum = 0, lo = vals[0], hi = vals[0];
            for (std::size_t j = 0; j < k; ++j) {
                sum += vals[j];
                lo = std::min(lo, vals[j]);
                hi = std::max(hi, vals[j]);
            }
            if (needs.mean)
                st.mean[at] = float(sum / double(k));
            if (needs.min)
                st.min[at] = float(lo);
            if (needs.max)
                st.max[at] = float(hi);
        }
        if (needs.median)
            st.median[at] = float(detail::median_inplace(vals, k));
        if (background)
            st.background[at] = float(clear_background(vals, k, needs.background_tolerance));
    };
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * std::size_t(st.bands));
        for (std::size_t i = 0; i < ns; ++i)
            for (int b = 0; b < st.bands; ++b)
                ptr[i * std::size_t(st.bands) + std::size_t(b)] = scenes[i].band<T>(b).data();
        // Runs of pixels, each band's run copied date by date first: gathering a pixel's
        // dates straight from the planes read from a stream per date and band at once (48 on
        // 12 dates of 4 bands), more than the prefetchers follow.
        constexpr std::size_t kRun = 256;
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
            std::vector<double> vals(ns), run(ns * kRun);
            for (std::size_t p0 = range.begin(); p0 < range.end(); p0 += kRun) {
                const std::size_t len = std::min(kRun, range.end() - p0);
                for (std::size_t k = 0; k < len; ++k) {
                    std::size_t c = 0;
                    for (std::size_t i = 0; i < ns; ++i)
                        c += valid[i][p0 + k] != 0;
                    st.count[p0 + k] = std::uint16_t(std::min<std::size_t>(c, 65535));
                }
                for (int b = 0; b < st.bands; ++b) {
                    if (!per_band && !in_background[std::size_t(b)])
                        continue;
                    for (std::size_t i = 0; i < ns; ++i) {
                        const T* src = ptr[i * std::size_t(st.bands) + std::size_t(b)] + p0;
                        for (std::size_t k = 0; k < len; ++k)
                            run[i * kRun + k] = double(src[k]);
                    }
                    for (std::size_t k = 0; k < len; ++k) {
                        const std::size_t p = p0 + k;
                        if (st.count[p] == 0)
                            continue;
                        std::size_t m = 0;
                        for (std::size_t i = 0; i < ns; ++i)
                            if (valid[i][p])
                                vals[m++] = run[i * kRun + k];
                        summarize(vals.data(), m, std::size_t(b) * n + p,
                                  in_background[std::size_t(b)]);
                    }
                }
            }
        });
    });
    if (needs.background) {
        std::vector<float> refined; // per date and background band
        refine_background_pyramid(scenes, bg_bands, valid, st, needs.background_tolerance,
                                  needs.background_radius, needs.background_rounds, refined);
        // Per date and band (1 for the bands outside the background).
        std::vector<float> inv_gain(ns * std::size_t(st.bands), 1.0f);
        for (std::size_t i = 0; i < ns; ++i)
            for (std::size_t j = 0; j < bg_bands.size(); ++j)
                inv_gain[i * std::size_t(st.bands) + std::size_t(bg_bands[j])] =
                    refined[i * bg_bands.size() + j];
        if (needs.keep_unlowered) {
            st.unlowered_background = st.background;
            st.background_inv_gain = inv_gain;
        }
        if (needs.haze_bands.size() >= 2 && needs.haze_white > 0)
            detail::lower_hazy_background(scenes, valid, st, needs, inv_gain);
    }
    return st;
}

StackStats relower_statistics(std::span<const Raster> scenes, const StackStats& stats,
                              const StackStatsNeeds& needs) {
    const std::size_t n = std::size_t(stats.rows) * std::size_t(stats.cols);
    if (stats.unlowered_background.size() != n * std::size_t(stats.bands) ||
        stats.background_inv_gain.size() != scenes.size() * std::size_t(stats.bands))
        throw ArgumentError("stack statistics: no background kept before the haze step "
                            "(StackStatsNeeds::keep_unlowered) for these " +
                            std::to_string(scenes.size()) + " scenes");
    check_stack(scenes, "stack statistics");
    if (!scenes.empty() && (scenes[0].rows() != stats.rows || scenes[0].cols() != stats.cols ||
                            scenes[0].bands() != stats.bands))
        throw ArgumentError("stack statistics: the scenes are not the block the statistics "
                            "were made of");
    StackStats st = stats;
    st.background = st.unlowered_background;
    if (needs.haze_bands.size() >= 2 && needs.haze_white > 0) {
        std::vector<std::vector<std::uint8_t>> valid(scenes.size());
        tbb::parallel_for(std::size_t(0), scenes.size(),
                          [&](std::size_t i) { valid[i] = pixel_validity(scenes[i]); });
        detail::lower_hazy_background(scenes, valid, st, needs, st.background_inv_gain);
    }
    return st;
}

StackStats subsample(const StackStats& st, int step) {
    if (step < 1)
        throw ArgumentError("subsample: step " + std::to_string(step) + " is not positive");
    StackStats out;
    out.bands = st.bands;
    out.rows = (st.rows + step - 1) / step;
    out.cols = (st.cols + step - 1) / step;
    const std::size_t n_in = std::size_t(st.rows) * std::size_t(st.cols);
    const std::size_t n_out = std::size_t(out.rows) * std::size_t(out.cols);
    auto planes = [&](const auto& in, auto& dst, int count) {
        if (in.empty())
            return;
        dst.resize(n_out * std::size_t(count));
        for (int b = 0; b < count; ++b)
            for (int y = 0; y < out.rows; ++y)
                for (int x = 0; x < out.cols; ++x)
                    dst[std::size_t(b) * n_out + std::size_t(y) * std::size_t(out.cols) +
                        std::size_t(x)] =
                        in[std::size_t(b) * n_in +
                           std::size_t(y) * std::size_t(step) * std::size_t(st.cols) +
                           std::size_t(x) * std::size_t(step)];
    };
    planes(st.median, out.median, st.bands);
    planes(st.mean, out.mean, st.bands);
    planes(st.min, out.min, st.bands);
    planes(st.max, out.max, st.bands);
    planes(st.background, out.background, st.bands);
    planes(st.count, out.count, 1);
    return out;
}

} // namespace rb
