// Stripe orientation from a comb of harmonics: faint periodic bands put peaks at equal steps
// along one line through DC, too weak to out-vote the image's own texture peaks one by one
// but unmistakable together. Every line through DC is searched for such a comb.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "deband_detail.h"
#include "rasterbench/deband.h"

namespace rb::fft {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kStep = 0.25;  // degrees between the lines searched
constexpr int kCandidates = 8;  // strongest peaks of a line tried as a harmonic of the comb
constexpr int kMinTeeth = 3;    // harmonics a comb needs above the line's noise
constexpr double kMinStep = 14; // bins between a comb's teeth, at least

struct Comb {
    double angle = 0, f0 = 0, z = 0;
    int teeth = 0, expected = 0;
};

} // namespace

Orientation orientation_from_harmonics(const Spectrum& s, const OrientationOptions& o) {
    const int rows = s.rows, cols = s.cols;
    if (rows < 16 || cols < 16)
        return {};
    // Excess of each bin that is a 3 x 3 maximum over the mean of its 13 x 13 neighbourhood
    // (0 elsewhere): peaks, not ridges or the image's bright low frequencies.
    constexpr int R = 6;
    std::vector<double> sat(std::size_t(rows + 1) * (cols + 1), 0.0);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            sat[std::size_t(r + 1) * (cols + 1) + c + 1] =
                s.at(r, c) + sat[std::size_t(r) * (cols + 1) + c + 1] +
                sat[std::size_t(r + 1) * (cols + 1) + c] - sat[std::size_t(r) * (cols + 1) + c];
    std::vector<float> ex(std::size_t(rows) * cols, 0.0f);
    tbb::parallel_for(tbb::blocked_range<int>(1, rows - 1, 32),
                      [&](const tbb::blocked_range<int>& rr) {
                          for (int r = rr.begin(); r < rr.end(); ++r)
                              for (int c = 1; c < cols - 1; ++c) {
                                  if (!detail::is_local_max(s, r, c))
                                      continue;
                                  const float l = s.at(r, c);
                                  const int r0 = std::max(0, r - R), r1 = std::min(rows, r + R + 1);
                                  const int c0 = std::max(0, c - R), c1 = std::min(cols, c + R + 1);
                                  const double sum = sat[std::size_t(r1) * (cols + 1) + c1] -
                                                     sat[std::size_t(r0) * (cols + 1) + c1] -
                                                     sat[std::size_t(r1) * (cols + 1) + c0] +
                                                     sat[std::size_t(r0) * (cols + 1) + c0];
                                  ex[std::size_t(r) * cols + c] =
                                      float(std::max(0.0, l - sum / double((r1 - r0) * (c1 - c0))));
                              }
                      });
    const double bin = 1.0 / std::max(rows, cols);
    const double fmin = std::max(o.min_frequency, 3 * bin);
    const int nAngles = int(180.0 / kStep);
    std::vector<Comb> best(static_cast<std::size_t>(nAngles));
    tbb::parallel_for(
        tbb::blocked_range<int>(0, nAngles, 8), [&](const tbb::blocked_range<int>& ra) {
            std::vector<float> p;
            std::vector<int> order;
            for (int ai = ra.begin(); ai < ra.end(); ++ai) {
                const double a = ai * kStep * kDeg, nu = std::sin(a), nv = std::cos(a);
                // The line's profile, one sample per bin: the largest peak excess within a bin
                // across it.
                p.clear();
                for (int m = 0;; ++m) {
                    const double t = m * bin;
                    const double u = t * nu, v = t * nv;
                    if (std::abs(u) >= 0.5 || std::abs(v) >= 0.5)
                        break;
                    float e = 0;
                    if (t >= fmin)
                        for (int k = -1; k <= 1; ++k) {
                            double c = 0, r = 0;
                            frequency_to_centred(u + k * bin * nv, v - k * bin * nu, rows, cols, c,
                                                 r);
                            const int ic = int(std::lround(c)), ir = int(std::lround(r));
                            if (ic >= 0 && ir >= 0 && ic < cols && ir < rows)
                                e = std::max(e, ex[std::size_t(ir) * cols + ic]);
                        }
                    p.push_back(e);
                }
                const int n = int(p.size());
                const int m0 = int(std::ceil(fmin / bin));
                // A comb's step is at least kMinStep bins: finer ones are the taper's ripple
                // (its edges are a tenth of the image, ten bins) and the image's own texture.
                const double minStep = std::max(double(m0), kMinStep);
                if (n - m0 < 8)
                    continue;
                double mu = 0, s2 = 0;
                for (int m = m0; m < n; ++m) {
                    mu += p[std::size_t(m)];
                    s2 += double(p[std::size_t(m)]) * p[std::size_t(m)];
                }
                mu /= (n - m0);
                const double sd = std::sqrt(std::max(s2 / (n - m0) - mu * mu, 1e-12));
                // The tallest peak within a bin of position x (in bins) and where it is.
                auto tooth = [&](double x, double* at) {
                    const int lo = std::max(m0, int(std::floor(x - 1))),
                              hi = std::min(n - 1, int(std::ceil(x + 1)));
                    double e = 0;
                    for (int m = lo; m <= hi; ++m)
                        if (std::abs(m - x) <= 1.0 && p[std::size_t(m)] > e) {
                            e = p[std::size_t(m)];
                            if (at)
                                *at = m;
                        }
                    return e;
                };
                order.resize(std::size_t(n - m0));
                for (int m = m0; m < n; ++m)
                    order[std::size_t(m - m0)] = m;
                const int nc = std::min(kCandidates, int(order.size()));
                std::partial_sort(
                    order.begin(), order.begin() + nc, order.end(),
                    [&](int x, int y) { return p[std::size_t(x)] > p[std::size_t(y)]; });
                Comb& b = best[std::size_t(ai)];
                for (int ci = 0; ci < nc; ++ci) {
                    if (p[std::size_t(order[std::size_t(ci)])] <= 0)
                        break;
                    for (int d = 1; d <= 3; ++d) {
                        double f0 = double(order[std::size_t(ci)]) / d; // in bins
                        if (f0 < minStep)
                            continue;
                        // Two passes: score the comb, refit its step to the teeth found, rescore.
                        for (int pass = 0; pass < 2; ++pass) {
                            const int K = int((n - 1) / f0);
                            double sum = 0, skx = 0, skk = 0;
                            int teeth = 0;
                            for (int k = 1; k <= K; ++k) {
                                double at = k * f0;
                                const double e = tooth(k * f0, &at);
                                sum += e - mu;
                                if (e > mu + 2 * sd) {
                                    ++teeth;
                                    skx += k * at;
                                    skk += double(k) * k;
                                }
                            }
                            // Against picking the best of a line's maxima (the max of 3 samples
                            // per tooth lifts the mean): the z of the comb over its teeth.
                            const double z = sum / (sd * std::sqrt(double(K)));
                            if (teeth >= kMinTeeth && z > b.z && f0 >= minStep)
                                b = {ai * kStep, f0 * bin, z, teeth, K};
                            if (skk <= 0)
                                break;
                            f0 = skx / skk;
                        }
                    }
                }
            }
        });
    const auto it = std::max_element(best.begin(), best.end(),
                                     [](const Comb& x, const Comb& y) { return x.z < y.z; });
    Orientation out;
    if (it == best.end() || it->z <= 0)
        return out;
    // Strength: how far the comb stands above the best of the other lines (away from its
    // own neighbourhood, which sees the same comb through the one-bin tolerance).
    double other = 0;
    for (const Comb& c : best) {
        const double d = std::abs(c.angle - it->angle);
        if (std::min(d, 180.0 - d) > 3.0)
            other = std::max(other, c.z);
    }
    out.angle_deg = it->angle;
    out.strength = std::clamp(1.0 - other / it->z, 0.0, 1.0);
    out.source = OrientationSource::Spectrum;
    out.period = 1.0 / it->f0;
    return out;
}

} // namespace rb::fft
