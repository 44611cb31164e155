// Per-pixel validity and the statistics over a stack of scenes that temporal scores need.
#include "rasterbench/score.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <tbb/parallel_for.h>

#include "mode_ratio.h"
#include "pixel_util.h"
#include "scorer_impl.h"

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

// In place: each valid pixel becomes the mean of its valid neighbours' means over the
// (2r+1)^2 and (4r+1)^2 windows, from one summed-area table.
void two_window_mean(std::vector<float>& v, const std::vector<std::uint8_t>& valid, int rows,
                     int cols, int r) {
    if (r <= 0)
        return;
    std::vector<double> sum;
    std::vector<int> cnt;
    detail::valid_sums(v, valid, rows, cols, sum, cnt);
    const auto mean = [&](int y, int x, int rr) {
        return detail::valid_window_mean(sum, cnt, rows, cols, y, x, rr);
    };
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x) {
            const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
            if (valid[p])
                v[p] = float(0.5 * (mean(y, x, r) + mean(y, x, 2 * r)));
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
void refine_background(std::span<const Raster> scenes,
                       const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                       double tol, int radius, int rounds,
                       const std::vector<std::vector<float>>* start_weights = nullptr,
                       std::vector<std::vector<float>>* last_weights = nullptr) {
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const int nb = st.bands;
    std::vector<std::vector<float>> dev(ns);
    std::vector<double> gain(ns * std::size_t(nb), 1.0);
    const double eps = std::max(tol, 1e-6);
    // A date's gain is one number: a quarter million pixels find its mode as well as all.
    const std::size_t stride = std::max<std::size_t>(1, n / (std::size_t(1) << 18));
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * std::size_t(nb));
        for (std::size_t i = 0; i < ns; ++i)
            for (int b = 0; b < nb; ++b)
                ptr[i * std::size_t(nb) + std::size_t(b)] = scenes[i].band<T>(b).data();
        if (last_weights)
            last_weights->assign(ns, std::vector<float>(n, 0.0f));
        for (int it = 0; it < rounds; ++it) {
            tbb::parallel_for(std::size_t(0), ns, [&](std::size_t i) {
                std::vector<float>& d = dev[i];
                d.assign(n, 0.0f);
                for (int b = 0; b < nb; ++b) {
                    const auto bg = st.plane(st.background, b);
                    const auto v = scenes[i].band<T>(b);
                    double& g = gain[i * std::size_t(nb) + std::size_t(b)];
                    g = detail::mode_ratio<T>(v, bg, valid[i], 4 * eps, stride);
                    for (std::size_t p = 0; p < n; ++p)
                        if (valid[i][p] && !std::isnan(bg[p]))
                            d[p] += float(std::abs(double(v[p]) / g - double(bg[p])) / nb);
                }
                if (it == 0 && start_weights)
                    return; // the gains only: this round's weights are given
                two_window_mean(d, valid[i], st.rows, st.cols, radius);
            });
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
                std::vector<double> w(ns);
                for (std::size_t p = range.begin(); p != range.end(); ++p) {
                    double wsum = 0;
                    for (std::size_t i = 0; i < ns; ++i) {
                        w[i] = 0;
                        if (!valid[i][p])
                            continue;
                        if (it == 0 && start_weights) {
                            w[i] = (*start_weights)[i][p];
                        } else {
                            const double q = eps / (eps + double(dev[i][p]));
                            w[i] = q * q * q * q;
                        }
                        wsum += w[i];
                    }
                    if (last_weights && it + 1 == rounds)
                        for (std::size_t i = 0; i < ns; ++i)
                            (*last_weights)[i][p] = float(w[i]);
                    if (!(wsum > 0))
                        continue;
                    for (int b = 0; b < nb; ++b) {
                        double acc = 0;
                        for (std::size_t i = 0; i < ns; ++i) {
                            const std::size_t ib = i * std::size_t(nb) + std::size_t(b);
                            if (w[i] > 0)
                                acc += w[i] * double(ptr[ib][p]) / gain[ib];
                        }
                        st.background[std::size_t(b) * n + p] = float(acc / wsum);
                    }
                }
            });
        }
    });
}

// Rounds of refine_background at full resolution, and before them at half of it (means of
// the valid pixels of 2x2 blocks): there a round spreads the background twice as far for a
// quarter of the work, and the first full-resolution round averages the dates with the
// weights the last half-resolution round gave them. Blocks too small for the half-resolution
// windows take all rounds at full resolution.
constexpr int kCoarseFactor = 2, kCoarseRounds = 16, kFineRounds = 6;

void refine_background_pyramid(std::span<const Raster> scenes,
                               const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                               double tol, int radius) {
    const int f = kCoarseFactor;
    const int crows = (st.rows + f - 1) / f, ccols = (st.cols + f - 1) / f;
    const int cradius = (radius + f - 1) / f;
    if (crows < 4 * cradius || ccols < 4 * cradius) {
        refine_background(scenes, valid, st, tol, radius, kCoarseRounds + kFineRounds);
        return;
    }
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const std::size_t cn = std::size_t(crows) * std::size_t(ccols);
    const int nb = st.bands;
    auto block = [&](std::size_t cp) {
        const int cy = int(cp / std::size_t(ccols)), cx = int(cp % std::size_t(ccols));
        return std::array<int, 4>{cy * f, std::min(st.rows, cy * f + f), cx * f,
                                  std::min(st.cols, cx * f + f)};
    };
    std::vector<Raster> coarse(ns);
    std::vector<std::vector<std::uint8_t>> cvalid(ns);
    StackStats cst;
    cst.bands = nb;
    cst.rows = crows;
    cst.cols = ccols;
    cst.background.assign(cn * std::size_t(nb), std::numeric_limits<float>::quiet_NaN());
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        tbb::parallel_for(std::size_t(0), ns, [&](std::size_t i) {
            Raster r(DataType::Float32, nb, crows, ccols);
            cvalid[i].assign(cn, kInvalid);
            for (std::size_t cp = 0; cp < cn; ++cp) {
                const auto [y0, y1, x0, x1] = block(cp);
                for (int b = 0; b < nb; ++b) {
                    const auto v = scenes[i].band<T>(b);
                    double sum = 0;
                    int k = 0;
                    for (int y = y0; y < y1; ++y)
                        for (int xx = x0; xx < x1; ++xx) {
                            const std::size_t p =
                                std::size_t(y) * std::size_t(st.cols) + std::size_t(xx);
                            if (valid[i][p]) {
                                sum += double(v[p]);
                                ++k;
                            }
                        }
                    r.band<float>(b)[cp] = k ? float(sum / k) : 0.0f;
                    if (k)
                        cvalid[i][cp] = kValid;
                }
            }
            coarse[i] = std::move(r);
        });
    });
    for (std::size_t cp = 0; cp < cn; ++cp) {
        const auto [y0, y1, x0, x1] = block(cp);
        for (int b = 0; b < nb; ++b) {
            const auto bg = st.plane(st.background, b);
            double sum = 0;
            int k = 0;
            for (int y = y0; y < y1; ++y)
                for (int xx = x0; xx < x1; ++xx) {
                    const float v = bg[std::size_t(y) * std::size_t(st.cols) + std::size_t(xx)];
                    if (!std::isnan(v)) {
                        sum += double(v);
                        ++k;
                    }
                }
            if (k)
                cst.background[std::size_t(b) * cn + cp] = float(sum / k);
        }
    }
    std::vector<std::vector<float>> cw, w(ns, std::vector<float>(n, 0.0f));
    refine_background(coarse, cvalid, cst, tol, cradius, kCoarseRounds, nullptr, &cw);
    // The dates' last weights back at full resolution (bilinear between block centres): the
    // first full-resolution round averages the full-resolution dates with them.
    tbb::parallel_for(0, st.rows, [&](int y) {
        const double fy = std::clamp((y + 0.5) / f - 0.5, 0.0, double(crows - 1));
        const int y0 = int(fy), y1 = std::min(crows - 1, y0 + 1);
        const double wy = fy - y0;
        for (int xx = 0; xx < st.cols; ++xx) {
            const double fx = std::clamp((xx + 0.5) / f - 0.5, 0.0, double(ccols - 1));
            const int x0 = int(fx), x1 = std::min(ccols - 1, x0 + 1);
            const double wx = fx - x0;
            const std::size_t p = std::size_t(y) * std::size_t(st.cols) + std::size_t(xx);
            const std::size_t c00 = std::size_t(y0) * std::size_t(ccols) + std::size_t(x0),
                              c01 = std::size_t(y0) * std::size_t(ccols) + std::size_t(x1),
                              c10 = std::size_t(y1) * std::size_t(ccols) + std::size_t(x0),
                              c11 = std::size_t(y1) * std::size_t(ccols) + std::size_t(x1);
            for (std::size_t i = 0; i < ns; ++i)
                w[i][p] = float((1 - wy) * ((1 - wx) * cw[i][c00] + wx * cw[i][c01]) +
                                wy * ((1 - wx) * cw[i][c10] + wx * cw[i][c11]));
        }
    });
    refine_background(scenes, valid, st, tol, radius, kFineRounds, &w);
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
    std::vector<std::vector<std::uint8_t>> valid(scenes.size());
    tbb::parallel_for(std::size_t(0), scenes.size(),
                      [&](std::size_t i) { valid[i] = pixel_validity(scenes[i]); });
    const std::size_t ns = scenes.size();
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * std::size_t(st.bands));
        for (std::size_t i = 0; i < ns; ++i)
            for (int b = 0; b < st.bands; ++b)
                ptr[i * std::size_t(st.bands) + std::size_t(b)] = scenes[i].band<T>(b).data();
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
            std::vector<double> vals(ns);
            for (std::size_t p = range.begin(); p != range.end(); ++p) {
                std::size_t c = 0;
                for (std::size_t i = 0; i < ns; ++i)
                    c += valid[i][p] != 0;
                st.count[p] = std::uint16_t(std::min<std::size_t>(c, 65535));
                if (c == 0)
                    continue;
                for (int b = 0; b < st.bands; ++b) {
                    std::size_t k = 0;
                    for (std::size_t i = 0; i < ns; ++i)
                        if (valid[i][p])
                            vals[k++] = double(ptr[i * std::size_t(st.bands) + std::size_t(b)][p]);
                    const std::size_t at = std::size_t(b) * n + p;
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
                        st.median[at] = float(detail::median_inplace(vals.data(), k));
                    if (needs.background)
                        st.background[at] =
                            float(clear_background(vals.data(), k, needs.background_tolerance));
                }
            }
        });
    });
    if (needs.background)
        refine_background_pyramid(scenes, valid, st, needs.background_tolerance,
                                  needs.background_radius);
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
