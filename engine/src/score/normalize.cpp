// Relative radiometric normalization: histogram (quantile) and pseudo-invariant-pixel fits.
#include "rasterbench/normalize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "rasterbench/error.h"
#include "rasterbench/score.h"

namespace rb {

namespace {

// Pairs (scene, reference) of one band at most this many: enough for a fit to 0.1 %.
constexpr std::size_t kMaxPairs = 200000;

LinearFit least_squares(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::size_t>& use) {
    double sx = 0, sy = 0;
    for (std::size_t i : use) {
        sx += x[i];
        sy += y[i];
    }
    const double n = double(std::max<std::size_t>(use.size(), 1));
    const double mx = sx / n, my = sy / n;
    double sxx = 0, sxy = 0;
    for (std::size_t i : use) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    LinearFit f;
    f.gain = sxx > 0 ? sxy / sxx : 1.0;
    f.offset = my - f.gain * mx;
    return f;
}

LinearFit quantile_fit(std::vector<double> x, std::vector<double> y) {
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    std::vector<double> qx, qy;
    for (int q = 2; q <= 98; ++q) {
        const auto at = [&](const std::vector<double>& v) {
            return v[std::min(v.size() - 1, std::size_t(double(q) / 100.0 * double(v.size() - 1)))];
        };
        qx.push_back(at(x));
        qy.push_back(at(y));
    }
    std::vector<std::size_t> all(qx.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    return least_squares(qx, qy, all);
}

double nth(std::vector<double> v, double fraction) {
    if (v.empty())
        return 0;
    const auto k = std::size_t(fraction * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

} // namespace

NormalizationFit fit_normalization(std::span<const Raster> scenes, const std::string& method,
                                   int reference, const std::vector<int>& bands_in) {
    if (method != "histogram" && method != "pif")
        throw ArgumentError("unknown normalization '" + method +
                            "' (normalizations: none, histogram, pif)");
    if (scenes.empty())
        throw ArgumentError("normalization needs at least one scene");
    const Raster& first = scenes.front();
    for (std::size_t i = 1; i < scenes.size(); ++i)
        if (scenes[i].rows() != first.rows() || scenes[i].cols() != first.cols() ||
            scenes[i].bands() != first.bands())
            throw ArgumentError("normalization: scene " + std::to_string(i + 1) +
                                " differs in shape from scene 1");
    std::vector<int> bands = bands_in;
    if (bands.empty())
        for (int b = 0; b < first.bands(); ++b)
            bands.push_back(b);
    for (int b : bands)
        if (b < 0 || b >= first.bands())
            throw ArgumentError("normalization: band " + std::to_string(b + 1) +
                                " is outside the scenes' " + std::to_string(first.bands()) +
                                " bands");
    std::vector<std::vector<std::uint8_t>> valid;
    for (const Raster& r : scenes)
        valid.push_back(pixel_validity(r));
    if (reference < 0) {
        std::size_t best = 0;
        for (std::size_t i = 0; i < scenes.size(); ++i) {
            const auto n = std::size_t(std::count(valid[i].begin(), valid[i].end(), kValid));
            if (reference < 0 || n > best) {
                best = n;
                reference = int(i);
            }
        }
    }
    if (reference >= int(scenes.size()))
        throw ArgumentError("normalization: reference scene " + std::to_string(reference + 1) +
                            " is outside the stack's " + std::to_string(scenes.size()) + " scenes");
    NormalizationFit out;
    out.method = method;
    out.reference = reference;
    out.fits.assign(scenes.size(), std::vector<LinearFit>(std::size_t(first.bands())));
    out.pixels.assign(scenes.size(), 0);
    const Raster& ref = scenes[std::size_t(reference)];
    const std::size_t n = first.band_size();
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        if (int(i) == reference) {
            out.pixels[i] = std::size_t(std::count(valid[i].begin(), valid[i].end(), kValid));
            continue;
        }
        std::vector<std::size_t> common;
        for (std::size_t p = 0; p < n; ++p)
            if (valid[i][p] && valid[std::size_t(reference)][p])
                common.push_back(p);
        if (common.size() > kMaxPairs) {
            std::vector<std::size_t> sub;
            const double step = double(common.size()) / double(kMaxPairs);
            for (std::size_t k = 0; k < kMaxPairs; ++k)
                sub.push_back(common[std::size_t(double(k) * step)]);
            common.swap(sub);
        }
        if (common.size() < 10)
            throw ArgumentError("normalization: scene " + std::to_string(i + 1) + " shares " +
                                std::to_string(common.size()) +
                                " valid pixels with the reference scene " +
                                std::to_string(reference + 1) + " (10 needed)");
        const std::size_t m = common.size();
        std::vector<std::vector<double>> xs(bands.size()), ys(bands.size());
        for (std::size_t j = 0; j < bands.size(); ++j) {
            xs[j].resize(m);
            ys[j].resize(m);
            visit_dtype(first.dtype(), [&](auto tag) {
                using T = decltype(tag);
                const auto xb = scenes[i].band<T>(bands[j]);
                const auto yb = ref.band<T>(bands[j]);
                for (std::size_t k = 0; k < m; ++k) {
                    xs[j][k] = double(xb[common[k]]);
                    ys[j][k] = double(yb[common[k]]);
                }
            });
        }
        std::vector<LinearFit> fit(bands.size());
        for (std::size_t j = 0; j < bands.size(); ++j)
            fit[j] = quantile_fit(xs[j], ys[j]);
        std::size_t used = m;
        // Residuals below this are float precision, not disagreement: without a floor, data
        // that agree exactly would shrink the kept set onto the few pixels with no rounding
        // error at all, which need not span the range a gain is fitted over.
        std::vector<double> res_floor(bands.size());
        for (std::size_t j = 0; j < bands.size(); ++j) {
            double sum = 0, sq = 0;
            for (double v : ys[j]) {
                sum += v;
                sq += v * v;
            }
            const double mean_y = sum / double(m);
            res_floor[j] =
                1e-3 * std::sqrt(std::max(0.0, sq / double(m) - mean_y * mean_y)) + 1e-12;
        }
        if (method == "pif") {
            // Pseudo-invariant pixels: first those whose worst band residual (in units of
            // that band's median residual) is among the smallest 40 %, then, refit after
            // refit, those within 3 typical residuals of the kept pixels' fit: the set
            // shrinks onto the pixels that agree with one line (noise sets its width), and
            // clouds, haze, shadows and change fall out.
            std::vector<double> worst(m), res(m), kept_res;
            std::vector<std::size_t> keep;
            for (int iter = 0; iter < 12; ++iter) {
                std::fill(worst.begin(), worst.end(), 0.0);
                for (std::size_t j = 0; j < bands.size(); ++j) {
                    for (std::size_t k = 0; k < m; ++k)
                        res[k] = std::abs(ys[j][k] - (fit[j].gain * xs[j][k] + fit[j].offset));
                    double scale;
                    if (iter == 0) {
                        scale = nth(res, 0.5);
                    } else {
                        kept_res.clear();
                        for (std::size_t k : keep)
                            kept_res.push_back(res[k]);
                        scale = nth(kept_res, 0.5);
                    }
                    scale = std::max(scale, res_floor[j]);
                    for (std::size_t k = 0; k < m; ++k)
                        worst[k] = std::max(worst[k], res[k] / scale);
                }
                const double limit = iter == 0 ? nth(worst, 0.4) : 3.0;
                std::vector<std::size_t> next;
                for (std::size_t k = 0; k < m; ++k)
                    if (worst[k] <= limit)
                        next.push_back(k);
                if (next.size() < std::max<std::size_t>(10, m / 20))
                    break; // too few agree: keep the last fit
                const bool stable = next == keep;
                keep.swap(next);
                for (std::size_t j = 0; j < bands.size(); ++j)
                    fit[j] = least_squares(xs[j], ys[j], keep);
                used = keep.size();
                if (stable)
                    break;
            }
        }
        for (std::size_t j = 0; j < bands.size(); ++j)
            out.fits[i][std::size_t(bands[j])] = fit[j];
        out.pixels[i] = used;
    }
    return out;
}

void apply_normalization(Raster& scene, const std::vector<LinearFit>& fit) {
    const int nb = std::min(scene.bands(), int(fit.size()));
    visit_dtype(scene.dtype(), [&](auto tag) {
        using T = decltype(tag);
        for (int b = 0; b < nb; ++b) {
            const LinearFit f = fit[std::size_t(b)];
            if (f.gain == 1 && f.offset == 0)
                continue;
            auto d = scene.band<T>(b);
            const std::uint8_t* mask =
                scene.has_mask() ? std::as_const(scene).mask(b).data() : nullptr;
            for (std::size_t k = 0; k < d.size(); ++k) {
                if (mask && !mask[k])
                    continue;
                const double v = f.gain * double(d[k]) + f.offset;
                if constexpr (std::is_floating_point_v<T>) {
                    d[k] = static_cast<T>(v);
                } else {
                    const double r = std::nearbyint(v);
                    d[k] = static_cast<T>(std::clamp(r, double(std::numeric_limits<T>::lowest()),
                                                     double(std::numeric_limits<T>::max())));
                }
            }
        }
    });
}

} // namespace rb
