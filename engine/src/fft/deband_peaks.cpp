// Automatic peak finding along a stripe orientation: the peaks standing above their
// neighbourhood, the fundamental they are harmonics of, and every harmonic of it.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "rasterbench/deband.h"
#include "rasterbench/error.h"

namespace rb::fft {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

double median(std::vector<float>& v) {
    if (v.empty())
        return 0;
    auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

// Reads a centred log-magnitude spectrum around its bins.
struct Lookup {
    const Spectrum& s;
    std::vector<float> ring;

    double at(int r, int c) const { return s.at(r, c); }
    bool inside(int r, int c) const { return r >= 1 && c >= 1 && r < s.rows - 1 && c < s.cols - 1; }
    bool local_max(int r, int c) const {
        const double l = at(r, c);
        for (int dr = -1; dr <= 1; ++dr)
            for (int dc = -1; dc <= 1; ++dc)
                if ((dr || dc) && at(r + dr, c + dc) > l)
                    return false;
        return true;
    }
    // Magnitude over the local background: the median of a square ring 3..6 bins away.
    double ratio(int r0, int c0) {
        ring.clear();
        for (int dr = -6; dr <= 6; ++dr)
            for (int dc = -6; dc <= 6; ++dc) {
                if (std::max(std::abs(dr), std::abs(dc)) < 3)
                    continue;
                const int r = r0 + dr, c = c0 + dc;
                if (r >= 0 && c >= 0 && r < s.rows && c < s.cols)
                    ring.push_back(s.at(r, c));
            }
        const double bg = median(ring);
        return std::expm1(at(r0, c0)) / std::max(std::expm1(bg), 1e-12);
    }
    // Sub-bin position of a maximum: a parabola through each axis' three samples.
    Peak refine(int r, int c, double ratio) const {
        auto vertex = [](double m, double z, double p) {
            const double d = m - 2 * z + p;
            return d < 0 ? std::clamp(0.5 * (m - p) / d, -0.5, 0.5) : 0.0;
        };
        const double l = at(r, c);
        const double dc = vertex(at(r, c - 1), l, at(r, c + 1));
        const double dr = vertex(at(r - 1, c), l, at(r + 1, c));
        Peak p;
        centred_to_frequency(c + dc, r + dr, s.rows, s.cols, p.u, p.v);
        p.ratio = ratio;
        return p;
    }
};

double freq(const Peak& p) {
    return std::hypot(p.u, p.v);
}

// The fundamental frequency: the candidate (a low peak, or a half or third of a strong one)
// whose multiples explain the most peak strength, times the share of its harmonics (up to
// the highest peak) that are present -- a sub-harmonic explains as much strength but leaves
// most of its own multiples missing; among near-ties the highest. 0 when none.
double fit_fundamental(const std::vector<Peak>& peaks, double fmin, double binF) {
    if (peaks.empty())
        return 0;
    std::vector<double> cand;
    for (std::size_t i = 0; i < peaks.size() && i < 4; ++i)
        for (int d = 1; d <= 3; ++d)
            cand.push_back(freq(peaks[i]) / d);
    double fmax = 0;
    for (const Peak& p : peaks)
        fmax = std::max(fmax, freq(p));
    auto explain = [&](double f0, double* refined) {
        double score = 0, skf = 0, skk = 0;
        std::vector<char> seen(std::size_t(fmax / f0) + 2, 0);
        for (const Peak& p : peaks) {
            const double f = freq(p);
            const double k = std::round(f / f0);
            if (k < 1 || std::abs(f - k * f0) > std::max(1.5 * binF, 0.02 * f))
                continue;
            const double w = std::log(p.ratio);
            score += w;
            skf += w * k * f;
            skk += w * k * k;
            if (std::size_t(k) < seen.size())
                seen[std::size_t(k)] = 1;
        }
        const double expected = std::max(1.0, std::floor(fmax / f0 + 0.5));
        double present = 0;
        for (std::size_t k = 1; k < seen.size(); ++k)
            present += seen[k];
        if (refined)
            *refined = skk > 0 ? skf / skk : f0;
        return score * std::min(1.0, present / expected);
    };
    double best = 0;
    for (double f0 : cand)
        if (f0 >= fmin * 0.999)
            best = std::max(best, explain(f0, nullptr));
    double f0 = 0;
    for (double c : cand)
        if (c >= fmin * 0.999 && explain(c, nullptr) >= 0.9 * best)
            f0 = std::max(f0, c);
    if (f0 <= 0)
        return 0;
    double refined = f0;
    explain(f0, &refined);
    return refined;
}

} // namespace

const ParamTable<PeakOptions>& PeakOptions::params() {
    static const ParamTable<PeakOptions> t = [] {
        using O = PeakOptions;
        ParamTable<O> t;
        t.add(&O::threshold, "threshold", "peak magnitude over its local background, at least", 1.0,
              1000.0, "x background");
        t.add(&O::min_frequency, "min_frequency",
              "peaks closer to DC are image content and are kept", 0.0, 0.5, "cycles/px");
        t.add(&O::angle_tolerance, "angle_tolerance", "searched either side of the stripe line",
              0.0, 10.0, "degrees");
        t.add(&O::max_peaks, "max_peaks", "most peaks returned", 1, 1000);
        t.add(&O::radius_bins, "radius_bins", "radius of each automatic notch", 0.25, 50.0, "bins");
        t.add_enum(&O::shape, "shape", {"ideal", "gaussian", "butterworth"},
                   "shape of the automatic notches");
        t.add(&O::harmonics_only, "harmonics_only",
              "fit the fundamental and keep one peak per harmonic of it (the fundamental "
              "included)");
        t.add(&O::harmonic_threshold, "harmonic_threshold",
              "magnitude over local background a harmonic of the fitted fundamental needs", 1.0,
              1000.0, "x background");
        t.add(&O::stripe, "stripe",
              "propose one stripe notch along the fitted line instead of point notches");
        return t;
    }();
    return t;
}

PeakResult find_peaks(const Spectrum& s, double angle_deg, const PeakOptions& o,
                      double period_hint) {
    PeakResult result;
    const int rows = s.rows, cols = s.cols;
    if (rows < 8 || cols < 8)
        return result;
    const double a = angle_deg * kDeg;
    const double nu = std::sin(a), nv = std::cos(a); // the spectral line's direction
    const double pu = nv, pv = -nu;                  // across it
    const double binF = 1.0 / std::max(rows, cols);
    // Within three bins of DC nothing is a peak: that is the image's own large scale, and
    // on a small image the minimum frequency may fall inside it.
    const double fmin = std::max(o.min_frequency, 3.0 / std::min(rows, cols));
    const double tmax = 0.5 / std::max(std::abs(nu), std::abs(nv));
    Lookup L{s, {}};
    struct Cand {
        int r, c;
    };
    std::vector<Cand> cands;
    // Walk the half line (the other half mirrors it), keeping the brightest bin across the
    // line at each step: it absorbs small errors in the given angle.
    for (double t = fmin; t <= tmax; t += 0.5 * binF) {
        const double across = std::max(1.0, t * std::tan(o.angle_tolerance * kDeg) / binF);
        int br = -1, bc = -1;
        double bl = -1e300;
        for (double k = -across; k <= across + 1e-9; k += 0.5) {
            const double u = t * nu + k * binF * pu, v = t * nv + k * binF * pv;
            double c = 0, r = 0;
            frequency_to_centred(u, v, rows, cols, c, r);
            const int ic = int(std::lround(c)), ir = int(std::lround(r));
            if (!L.inside(ir, ic))
                continue;
            if (L.at(ir, ic) > bl) {
                bl = L.at(ir, ic);
                br = ir;
                bc = ic;
            }
        }
        if (br >= 0 && (cands.empty() || cands.back().r != br || cands.back().c != bc))
            cands.push_back({br, bc});
    }
    // Peaks above `threshold`, and (with harmonics_only) the weaker ones a fundamental
    // may be fitted to when no strong peak is there: faint bands.
    const bool hinted = o.harmonics_only && period_hint > 0;
    const double weakest = hinted ? std::min(o.threshold, o.harmonic_threshold) : o.threshold;
    std::vector<Peak> found;
    for (const Cand& cd : cands) {
        if (!L.local_max(cd.r, cd.c))
            continue;
        const double ratio = L.ratio(cd.r, cd.c);
        if (!(ratio >= weakest))
            continue;
        const Peak p = L.refine(cd.r, cd.c, ratio);
        if (freq(p) < fmin)
            continue;
        // Two steps may land on the same maximum: keep one peak per two bins.
        bool dup = false;
        for (Peak& q : found)
            if (std::hypot(q.u - p.u, q.v - p.v) < 2 * binF) {
                dup = true;
                if (p.ratio > q.ratio)
                    q = p;
            }
        if (!dup)
            found.push_back(p);
    }
    auto byFrequency = [](const Peak& x, const Peak& y) { return freq(x) < freq(y); };
    std::sort(found.begin(), found.end(), byFrequency);

    std::vector<Peak> strong;
    for (const Peak& p : found)
        if (p.ratio >= o.threshold)
            strong.push_back(p);
    double f0 = fit_fundamental(strong, fmin, binF);
    if (f0 <= 0 && hinted) {
        // Only weak peaks: the hinted fundamental counts when at least three of them are
        // its harmonics (one or two weak peaks on a line are the image's texture).
        f0 = 1.0 / period_hint;
        int teeth = 0;
        std::erase_if(found, [&](const Peak& p) {
            const double k = std::round(freq(p) / f0);
            return k < 1 || std::abs(freq(p) - k * f0) > std::max(1.5 * binF, 0.02 * freq(p));
        });
        teeth = int(found.size());
        if (teeth < 3)
            f0 = 0;
    } else {
        found = std::move(strong);
    }
    if (f0 > 0) {
        // The fundamental's wave vector: least squares over the peaks that are its
        // multiples, k p ~ k^2 w, so the far harmonics (one bin subtends a smaller angle
        // there) set its direction.
        double su = 0, sv = 0, skk = 0;
        for (const Peak& p : found) {
            const double k = std::round(freq(p) / f0);
            if (k < 1 || std::abs(freq(p) - k * f0) > std::max(1.5 * binF, 0.02 * freq(p)))
                continue;
            const double w = std::log(p.ratio);
            su += w * k * p.u;
            sv += w * k * p.v;
            skk += w * k * k;
        }
        if (skk > 0) {
            result.fu = su / skk;
            result.fv = sv / skk;
        } else {
            result.fu = f0 * nu;
            result.fv = f0 * nv;
        }
        result.period = 1.0 / std::hypot(result.fu, result.fv);
    }
    if (o.harmonics_only && f0 > 0) {
        // Every harmonic inside the spectrum, one peak each: the brightest bin within a bin
        // and a half of where it is expected, kept when it stands above the background.
        std::vector<Peak> harmonics;
        for (int k = 1; int(harmonics.size()) < o.max_peaks; ++k) {
            const double eu = k * result.fu, ev = k * result.fv;
            if (std::abs(eu) > 0.5 || std::abs(ev) > 0.5)
                break;
            if (std::hypot(eu, ev) < fmin)
                continue;
            double ec = 0, er = 0;
            frequency_to_centred(eu, ev, rows, cols, ec, er);
            int br = -1, bc = -1;
            double bl = -1e300;
            for (int r = int(std::floor(er - 1.5)); r <= int(std::ceil(er + 1.5)); ++r)
                for (int c = int(std::floor(ec - 1.5)); c <= int(std::ceil(ec + 1.5)); ++c) {
                    if (!L.inside(r, c) || std::hypot(r - er, c - ec) > 1.5)
                        continue;
                    if (L.at(r, c) > bl) {
                        bl = L.at(r, c);
                        br = r;
                        bc = c;
                    }
                }
            if (br < 0)
                continue;
            const double ratio = L.ratio(br, bc);
            if (!(ratio >= std::min(o.harmonic_threshold, o.threshold)))
                continue;
            // A strong peak is where it is; a weak one's position is mostly the texture's,
            // so it is notched where the fitted fundamental puts it.
            Peak p = ratio >= o.threshold ? L.refine(br, bc, ratio) : Peak{eu, ev, ratio, 0};
            p.harmonic = k;
            harmonics.push_back(p);
        }
        found = std::move(harmonics);
    } else if (int(found.size()) > o.max_peaks) {
        std::sort(found.begin(), found.end(),
                  [](const Peak& x, const Peak& y) { return x.ratio > y.ratio; });
        found.resize(std::size_t(o.max_peaks));
        std::sort(found.begin(), found.end(), byFrequency);
    }
    result.peaks = std::move(found);
    if (o.stripe && result.period > 0) {
        // The line through the fitted harmonics: narrow (a raised cosine two bins either
        // side, no flat core: a line removes image content between the harmonics too),
        // rejecting fully from 90 % of the fundamental's frequency outward.
        StripeNotch st;
        st.angle_deg = frequency_info(result.fu, result.fv).stripe_deg;
        st.width = 0;
        st.softness = 2 * binF;
        st.protect_radius = std::max(0.9 / result.period - st.softness, 0.0);
        result.notches.stripes.push_back(st);
    } else if (!o.stripe) {
        const double radius = o.radius_bins * binF;
        for (const Peak& p : result.peaks)
            result.notches.points.push_back({p.u, p.v, radius, o.shape, 2});
    }
    return result;
}

} // namespace rb::fft
