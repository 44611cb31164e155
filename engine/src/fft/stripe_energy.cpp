// How much of a stripe pattern remains: the energy along the stripe line of a spectrum above
// its background, before and after notches, and the stripe angle a notch set acts on.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>

#include "deband_detail.h"
#include "rasterbench/deband.h"

namespace rb::fft {

StripeEnergy stripe_energy(const DebandSession& s, const NotchSet& notches, double angle_deg,
                           double min_frequency, double half_width_bins) {
    const int rows = s.rows(), cols = s.cols(), hc = half_cols(cols);
    const std::size_t hn = std::size_t(rows) * hc;
    const cfloat* half = s.half_spectrum();
    const cfloat* filtered = half;
    if (!notches.empty()) {
        cfloat* work = detail::scratch(hn);
        std::memcpy(work, half, hn * sizeof(cfloat));
        apply_mask(work, rows, cols, notches);
        filtered = work;
    }
    const double a = angle_deg * std::numbers::pi / 180.0;
    const double ca = std::cos(a), sa = std::sin(a);
    const double bin = 1.0 / std::max(rows, cols);
    const double fmin = std::max(min_frequency, 3 * bin);
    // The line's bins (within half_width), and its flanks (3 to 6 bins either side) for the
    // background, over the stored half spectrum: each bin there stands for itself and its
    // conjugate twin, which is on the line exactly when it is, so counting once is enough.
    double line0 = 0, line1 = 0, flank = 0;
    std::size_t nLine = 0, nFlank = 0;
    for (int i = 0; i < rows; ++i) {
        const double v = index_frequency(i, rows);
        // Columns whose distance to the line |u cos a - v sin a| is within 6 bins.
        int jlo = 0, jhi = hc - 1;
        if (std::abs(ca) > 1e-9) {
            double lo = (v * sa - 6 * bin) / ca, hi = (v * sa + 6 * bin) / ca;
            if (lo > hi)
                std::swap(lo, hi);
            jlo = std::max(0, int(std::ceil(lo * cols)));
            jhi = std::min(hc - 1, int(std::floor(hi * cols)));
        } else if (std::abs(v) > 6 * bin) {
            continue;
        }
        for (int j = jlo; j <= jhi; ++j) {
            const double u = double(j) / cols;
            if (std::hypot(u, v) < fmin)
                continue;
            const double across = std::abs(u * ca - v * sa) / bin;
            const std::size_t k = std::size_t(i) * hc + j;
            const double e0 = std::norm(std::complex<double>(half[k]));
            if (across <= half_width_bins) {
                line0 += e0;
                line1 += std::norm(std::complex<double>(filtered[k]));
                ++nLine;
            } else if (across >= 3 && across <= 6) {
                flank += e0;
                ++nFlank;
            }
        }
    }
    StripeEnergy e;
    if (nLine == 0)
        return e;
    const double background = nFlank > 0 ? flank / double(nFlank) * double(nLine) : 0.0;
    // In |F|^2 of the unscaled transform, like removed_energy.
    const double n2 = double(rows) * cols * double(rows) * cols;
    e.before = std::max(0.0, line0 - background) * n2;
    e.after = notches.empty() ? e.before : std::max(0.0, line1 - background) * n2;
    return e;
}

std::optional<double> notch_stripe_angle(const NotchSet& notches) {
    if (!notches.stripes.empty())
        return notches.stripes.front().angle_deg;
    if (notches.points.empty())
        return std::nullopt;
    // Wave vectors on one half plane (a notch at (u, v) also acts at (-u, -v)), summed.
    const PointNotch& ref = *std::max_element(
        notches.points.begin(), notches.points.end(), [](const PointNotch& x, const PointNotch& y) {
            return std::hypot(x.u, x.v) < std::hypot(y.u, y.v);
        });
    double su = 0, sv = 0;
    for (const PointNotch& p : notches.points) {
        const double sign = p.u * ref.u + p.v * ref.v >= 0 ? 1.0 : -1.0;
        su += sign * p.u;
        sv += sign * p.v;
    }
    if (su == 0 && sv == 0)
        return std::nullopt;
    return frequency_info(su, sv).stripe_deg;
}

} // namespace rb::fft
