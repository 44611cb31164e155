// Stripe orientation: from a spectrum, a gap or label mask, or a footprint.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "deband_detail.h"
#include "rasterbench/deband.h"
#include "rasterbench/error.h"

namespace rb::fft {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kHistStep = 0.25; // degrees per histogram bin
constexpr int kHistBins = int(180.0 / kHistStep);
constexpr std::size_t kMinVoters = 60; // spectral peaks voting for an orientation, at least
constexpr double kVoterShare = 0.005;  // ... or this share of all local maxima

double wrap180(double a) {
    a = std::fmod(a, 180.0);
    if (a < 0)
        a += 180.0;
    return a >= 180.0 ? 0.0 : a;
}

double angle_diff(double a, double b) {
    const double d = std::abs(wrap180(a) - wrap180(b));
    return std::min(d, 180.0 - d);
}

// Weighted evidence for stripe angles: each sample is a vector (x, y) whose stripe angle is
// atan2(x, y) (a wave vector or an intensity gradient), with a weight.
struct Evidence {
    std::vector<float> x, y, w;
    void add(double xv, double yv, double wv) {
        x.push_back(float(xv));
        y.push_back(float(yv));
        w.push_back(float(wv));
    }
};

// The histogram's mode (smoothed over +-1 degree), restricted to angles `allowed`, refined by
// the mean direction of the samples within `window` degrees of it; strength is their share.
template <class Allowed>
Orientation mode_angle(const Evidence& e, double window, OrientationSource source,
                       Allowed allowed) {
    Orientation o;
    std::vector<double> hist(kHistBins, 0.0);
    double total = 0;
    for (std::size_t i = 0; i < e.w.size(); ++i) {
        const double a = wrap180(std::atan2(e.x[i], e.y[i]) / kDeg);
        if (!allowed(a))
            continue;
        hist[std::size_t(int(a / kHistStep) % kHistBins)] += e.w[i];
        total += e.w[i];
    }
    if (total <= 0)
        return o;
    const int half = int(1.0 / kHistStep);
    double best = -1;
    int bestBin = 0;
    for (int b = 0; b < kHistBins; ++b) {
        double s = 0;
        for (int k = -half; k <= half; ++k)
            s += hist[std::size_t((b + k + kHistBins) % kHistBins)];
        if (s > best) {
            best = s;
            bestBin = b;
        }
    }
    double angle = (bestBin + 0.5) * kHistStep;
    // Refinement: the weighted sum of the vectors within `window` of the mode, each flipped
    // into the mode's half plane (opposite edges of a gap point opposite ways). Summing
    // gradients is exact for a straight staircase edge, whose individual gradients scatter
    // around the axis directions (divergence theorem); a mode alone would snap to them.
    for (int round = 0; round < 3; ++round) {
        const double dx = std::sin(angle * kDeg), dy = std::cos(angle * kDeg);
        double sx = 0, sy = 0, inside = 0;
        for (std::size_t i = 0; i < e.w.size(); ++i) {
            const double a = wrap180(std::atan2(e.x[i], e.y[i]) / kDeg);
            if (angle_diff(a, angle) > window)
                continue;
            const double sign = e.x[i] * dx + e.y[i] * dy >= 0 ? 1.0 : -1.0;
            sx += sign * e.w[i] * e.x[i];
            sy += sign * e.w[i] * e.y[i];
            inside += e.w[i];
        }
        if (inside <= 0)
            break;
        angle = wrap180(std::atan2(sx, sy) / kDeg);
        o.strength = inside / total;
    }
    o.angle_deg = angle;
    o.source = source;
    return o;
}

// Edge evidence of a label image: binomial smoothing, then Sobel gradients; each edge pixel
// counts once in the histogram whatever the label difference.
Evidence edge_evidence(const std::vector<float>& f, int rows, int cols) {
    Evidence e;
    if (rows < 5 || cols < 5)
        return e;
    const float k[5] = {1, 4, 6, 4, 1};
    std::vector<float> tmp(f.size()), s(f.size());
    s = f;
    for (int pass = 0; pass < 2; ++pass) { // two binomial passes: sigma ~1.4 px
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                float acc = 0;
                for (int d = -2; d <= 2; ++d)
                    acc += k[d + 2] * s[std::size_t(r) * cols + std::clamp(c + d, 0, cols - 1)];
                tmp[std::size_t(r) * cols + c] = acc / 16;
            }
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                float acc = 0;
                for (int d = -2; d <= 2; ++d)
                    acc += k[d + 2] * tmp[std::size_t(std::clamp(r + d, 0, rows - 1)) * cols + c];
                s[std::size_t(r) * cols + c] = acc / 16;
            }
    }
    auto at = [&](int r, int c) { return s[std::size_t(r) * cols + c]; };
    float gmax = 0;
    std::vector<float> gx(f.size()), gy(f.size());
    for (int r = 1; r < rows - 1; ++r)
        for (int c = 1; c < cols - 1; ++c) {
            const float x = (at(r - 1, c + 1) + 2 * at(r, c + 1) + at(r + 1, c + 1)) -
                            (at(r - 1, c - 1) + 2 * at(r, c - 1) + at(r + 1, c - 1));
            const float y = (at(r + 1, c - 1) + 2 * at(r + 1, c) + at(r + 1, c + 1)) -
                            (at(r - 1, c - 1) + 2 * at(r - 1, c) + at(r - 1, c + 1));
            gx[std::size_t(r) * cols + c] = x;
            gy[std::size_t(r) * cols + c] = y;
            gmax = std::max(gmax, std::hypot(x, y));
        }
    if (gmax <= 0)
        return e;
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double m = std::hypot(gx[i], gy[i]);
        if (m > 0.05 * gmax) // raw gradients: their sum along an edge is its exact normal
            e.add(gx[i] / gmax, gy[i] / gmax, 1.0);
    }
    return e;
}

} // namespace

std::string_view source_name(OrientationSource s) {
    switch (s) {
    case OrientationSource::None:
        return "none";
    case OrientationSource::Spectrum:
        return "spectrum";
    case OrientationSource::GapMask:
        return "gap-mask";
    case OrientationSource::Footprint:
        return "footprint";
    }
    return "none";
}

const ParamTable<OrientationOptions>& OrientationOptions::params() {
    static const ParamTable<OrientationOptions> t = [] {
        using O = OrientationOptions;
        ParamTable<O> t;
        t.add(&O::min_frequency, "orientation_min_frequency",
              "spectrum bins closer to DC are image content, not stripes", 0.0, 0.5, "cycles/px");
        t.add(&O::excess, "orientation_excess",
              "natural-log magnitude a spectral peak needs above its neighbourhood", 0.0, 10.0);
        t.add(&O::min_strength, "orientation_min_strength",
              "share of the evidence an orientation needs to be accepted", 0.0, 1.0);
        t.add(&O::min_gap_fraction, "min_gap_fraction",
              "share of interior invalid pixels below which there are no gaps", 0.0, 1.0);
        return t;
    }();
    return t;
}

Orientation orientation_from_spectrum(const Spectrum& s, const OrientationOptions& o) {
    const int rows = s.rows, cols = s.cols;
    if (rows < 8 || cols < 8)
        return {};
    // Evidence is peaks, not bright bins: periodic bands put isolated peaks at their
    // harmonics, while an edge (a scene collar, a coastline) draws a continuous ridge and
    // natural images are bright near the axes. A peak is a 3x3 maximum standing `excess`
    // (natural log) above the mean of its 13 x 13 neighbourhood.
    constexpr int R = 6;
    std::vector<double> sat(std::size_t(rows + 1) * (cols + 1), 0.0); // summed-area table
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            sat[std::size_t(r + 1) * (cols + 1) + c + 1] =
                s.at(r, c) + sat[std::size_t(r) * (cols + 1) + c + 1] +
                sat[std::size_t(r + 1) * (cols + 1) + c] - sat[std::size_t(r) * (cols + 1) + c];
    auto boxMean = [&](int r, int c) {
        const int r0 = std::max(0, r - R), r1 = std::min(rows, r + R + 1);
        const int c0 = std::max(0, c - R), c1 = std::min(cols, c + R + 1);
        const double sum =
            sat[std::size_t(r1) * (cols + 1) + c1] - sat[std::size_t(r0) * (cols + 1) + c1] -
            sat[std::size_t(r1) * (cols + 1) + c0] + sat[std::size_t(r0) * (cols + 1) + c0];
        return sum / double((r1 - r0) * (c1 - c0));
    };
    const double df = 1.0 / std::max(rows, cols);
    struct SpecPeak {
        double u, v, f, ex;
    };
    std::vector<SpecPeak> peaks;
    for (int r = 1; r < rows - 1; ++r)
        for (int c = 1; c < cols - 1; ++c) {
            double u = 0, v = 0;
            centred_to_frequency(c, r, rows, cols, u, v);
            const double f = std::hypot(u, v);
            if (f < o.min_frequency || f > 0.5)
                continue;
            if (!detail::is_local_max(s, r, c))
                continue;
            const double l = s.at(r, c);
            const double ex = l - boxMean(r, c);
            if (ex > o.excess)
                peaks.push_back({u, v, f, ex});
        }
    // Only the strongest peaks vote: image texture leaves local maxima everywhere, and a
    // line of harmonics is a handful of peaks that out-vote any one direction of those.
    const std::size_t keep =
        std::max<std::size_t>(kMinVoters, std::size_t(kVoterShare * double(peaks.size())));
    if (peaks.size() > keep) {
        std::nth_element(peaks.begin(), peaks.begin() + std::ptrdiff_t(keep), peaks.end(),
                         [](const SpecPeak& a, const SpecPeak& b) { return a.ex > b.ex; });
        peaks.resize(keep);
    }
    Evidence e;
    for (const SpecPeak& p : peaks)
        // Far peaks pin the angle more finely (one bin subtends less), so they weigh more.
        e.add(p.u / p.f, p.v / p.f, p.f / df);
    return mode_angle(e, 2.0, OrientationSource::Spectrum, [](double) { return true; });
}

Orientation orientation_from_labels(const std::vector<std::int32_t>& labels, int rows, int cols) {
    if (labels.size() != std::size_t(rows) * std::size_t(cols))
        throw ArgumentError("orientation: label image size does not match " + std::to_string(rows) +
                            "x" + std::to_string(cols));
    // Map labels to ranks so large label values do not make some edges weigh more.
    std::vector<float> f(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        f[i] = float(labels[i]);
    return mode_angle(edge_evidence(f, rows, cols), 25.0, OrientationSource::GapMask,
                      [](double) { return true; });
}

Orientation orientation_from_gap_mask(const std::uint8_t* mask, int rows, int cols) {
    std::vector<float> f(std::size_t(rows) * cols);
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = mask[i] ? 1.0f : 0.0f;
    return mode_angle(edge_evidence(f, rows, cols), 25.0, OrientationSource::GapMask,
                      [](double) { return true; });
}

Orientation orientation_from_footprint(const std::uint8_t* mask, int rows, int cols) {
    std::vector<float> f(std::size_t(rows) * cols);
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = mask[i] ? 1.0f : 0.0f;
    // Scan lines run across track: the footprint sides within 45 degrees of the rows.
    return mode_angle(edge_evidence(f, rows, cols), 25.0, OrientationSource::Footprint,
                      [](double a) { return a <= 45.0 || a >= 135.0; });
}

Orientation estimate_orientation(const Raster& r, int band, const OrientationOptions& o) {
    if (r.empty())
        throw ArgumentError("orientation of an empty raster");
    if (band < 0 || band >= r.bands())
        throw ArgumentError("band index " + std::to_string(band) + " is outside 0.." +
                            std::to_string(r.bands() - 1));
    const int rows = r.rows(), cols = r.cols();
    const auto m = r.mask(band);
    bool anyInvalid = false;
    if (!m.empty()) {
        // Interior gaps: invalid pixels between the first and last valid pixel of a row
        // (the collar outside the footprint is not a gap).
        std::size_t interior = 0, inside = 0;
        for (int i = 0; i < rows; ++i) {
            const std::uint8_t* row = m.data() + std::size_t(i) * cols;
            int first = -1, last = -1;
            for (int j = 0; j < cols; ++j)
                if (row[j]) {
                    if (first < 0)
                        first = j;
                    last = j;
                } else {
                    anyInvalid = true;
                }
            if (first < 0)
                continue;
            inside += std::size_t(last - first + 1);
            for (int j = first; j <= last; ++j)
                interior += row[j] ? 0 : 1;
        }
        if (inside > 0 && double(interior) / double(inside) > o.min_gap_fraction) {
            const Orientation g = orientation_from_gap_mask(m.data(), rows, cols);
            if (g.strength >= o.min_strength)
                return g;
        }
    }
    // The default (Tukey) taper: a Hann window would cost a third of the peaks' contrast.
    const Spectrum spectrum = compute_spectrum(r, band);
    const Orientation s = orientation_from_spectrum(spectrum, o);
    if (s.strength >= o.min_strength)
        return s;
    // Bands too faint to win the vote peak by peak: a comb of harmonics along one line.
    const Orientation h = orientation_from_harmonics(spectrum, o);
    if (h.strength >= o.min_strength)
        return h;
    if (anyInvalid) {
        const Orientation f = orientation_from_footprint(m.data(), rows, cols);
        if (f.strength >= o.min_strength)
            return f;
    }
    Orientation none = s;
    none.source = OrientationSource::None;
    return none;
}

} // namespace rb::fft
