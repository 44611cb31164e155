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
// value that another observation agrees with (within `tol` plus a tenth of it), as the
// median of the values that agree with it; the darkest value when none agree.
double clear_background(double* v, std::size_t k, double tol) {
    if (k == 0)
        return std::numeric_limits<double>::quiet_NaN();
    std::sort(v, v + k);
    for (std::size_t j = 0; j + 1 < k; ++j) {
        const double limit = v[j] + tol + 0.1 * std::abs(v[j]);
        std::size_t m = j + 1;
        while (m < k && v[m] <= limit)
            ++m;
        if (m - j >= 2) {
            const std::size_t h = m - j;
            return h % 2 ? v[j + h / 2] : 0.5 * (v[j + h / 2 - 1] + v[j + h / 2]);
        }
    }
    return v[0];
}

// Refines StackStats::background in space: clouds and shadows are patches, so a date whose
// neighbourhood (StackStatsNeeds::background_radius) departs from the background gets little
// weight, and the background becomes the dates' weighted mean; kBackgroundIterations times.
// Each date is first divided by its gain against the background (per band), so that a
// brighter or darker date is not mistaken for haze or shadow.
constexpr int kBackgroundIterations = 6;

void refine_background(std::span<const Raster> scenes,
                       const std::vector<std::vector<std::uint8_t>>& valid, StackStats& st,
                       double tol, int radius) {
    const std::size_t ns = scenes.size(), n = std::size_t(st.rows) * std::size_t(st.cols);
    const int nb = st.bands;
    std::vector<std::vector<float>> dev(ns);
    std::vector<double> gain(ns * std::size_t(nb), 1.0);
    const double eps = std::max(tol, 1e-6);
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        auto at = [&](std::size_t i, int b, std::size_t p) {
            return double(scenes[i].band<T>(b)[p]) / gain[i * std::size_t(nb) + std::size_t(b)];
        };
        for (int it = 0; it < kBackgroundIterations; ++it) {
            tbb::parallel_for(std::size_t(0), ns, [&](std::size_t i) {
                std::vector<float>& d = dev[i];
                d.assign(n, 0.0f);
                for (int b = 0; b < nb; ++b) {
                    const auto bg = st.plane(st.background, b);
                    const auto v = scenes[i].band<T>(b);
                    double& g = gain[i * std::size_t(nb) + std::size_t(b)];
                    g = detail::mode_ratio<T>(v, bg, valid[i], 4 * eps);
                    for (std::size_t p = 0; p < n; ++p)
                        if (valid[i][p] && !std::isnan(bg[p]))
                            d[p] += float(std::abs(double(v[p]) / g - double(bg[p])) / nb);
                }
                detail::box_mean(d, valid[i], st.rows, st.cols, radius);
            });
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
                std::vector<double> w(ns);
                for (std::size_t p = range.begin(); p != range.end(); ++p) {
                    double wsum = 0;
                    for (std::size_t i = 0; i < ns; ++i) {
                        w[i] = 0;
                        if (!valid[i][p])
                            continue;
                        const double q = eps / (eps + double(dev[i][p]));
                        w[i] = q * q * q * q;
                        wsum += w[i];
                    }
                    if (!(wsum > 0))
                        continue;
                    for (int b = 0; b < nb; ++b) {
                        double acc = 0;
                        for (std::size_t i = 0; i < ns; ++i)
                            if (w[i] > 0)
                                acc += w[i] * at(i, b, p);
                        st.background[std::size_t(b) * n + p] = float(acc / wsum);
                    }
                }
            });
        }
    });
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
        refine_background(scenes, valid, st, needs.background_tolerance, needs.background_radius);
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
