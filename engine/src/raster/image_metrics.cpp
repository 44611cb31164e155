// Image quality metrics against a reference: PSNR and SSIM over pixels valid in both.
#include "rasterbench/image_metrics.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "rasterbench/error.h"

namespace rb {

// ---- metrics -------------------------------------------------------------------------

namespace {

void check_same_shape(const Raster& a, const Raster& ref, int b) {
    if (a.rows() != ref.rows() || a.cols() != ref.cols() || b < 0 || b >= a.bands() ||
        b >= ref.bands()) {
        std::ostringstream os;
        os << "metrics need rasters of the same size with band " << b << ": got " << a.rows() << "x"
           << a.cols() << " and " << ref.rows() << "x" << ref.cols();
        throw ArgumentError(os.str());
    }
}

} // namespace

double psnr(const Raster& a, const Raster& ref, int b) {
    check_same_shape(a, ref, b);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, se = 0;
    std::size_t count = 0;
    for (int r = 0; r < a.rows(); ++r)
        for (int c = 0; c < a.cols(); ++c) {
            if (!a.valid(b, r, c) || !ref.valid(b, r, c))
                continue;
            const double x = a.value(b, r, c), y = ref.value(b, r, c);
            if (!std::isfinite(x) || !std::isfinite(y))
                continue;
            lo = std::min(lo, y);
            hi = std::max(hi, y);
            se += (x - y) * (x - y);
            ++count;
        }
    if (count == 0)
        throw ArgumentError("PSNR: no pixel is valid in both rasters");
    const double mse = se / double(count);
    if (mse == 0)
        return std::numeric_limits<double>::infinity();
    const double peak = hi > lo ? hi - lo : 1.0;
    return 10.0 * std::log10(peak * peak / mse);
}

double ssim(const Raster& a, const Raster& ref, int b) {
    check_same_shape(a, ref, b);
    const int rows = a.rows(), cols = a.cols();
    const std::size_t n = a.band_size();
    // Normalized convolution: invalid pixels get weight 0 in every local mean.
    std::vector<float> w(n), x(n), y(n);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const std::size_t i = std::size_t(r) * cols + c;
            const double xv = a.value(b, r, c), yv = ref.value(b, r, c);
            const bool ok =
                a.valid(b, r, c) && ref.valid(b, r, c) && std::isfinite(xv) && std::isfinite(yv);
            w[i] = ok ? 1.0f : 0.0f;
            x[i] = ok ? float(xv) : 0.0f;
            y[i] = ok ? float(yv) : 0.0f;
            if (ok) {
                lo = std::min(lo, yv);
                hi = std::max(hi, yv);
            }
        }
    if (!(hi >= lo))
        throw ArgumentError("SSIM: no pixel is valid in both rasters");
    const double L = hi > lo ? hi - lo : 1.0;
    const double C1 = (0.01 * L) * (0.01 * L), C2 = (0.03 * L) * (0.03 * L);
    constexpr int R = 5;
    double kernel[2 * R + 1], ks = 0;
    for (int k = -R; k <= R; ++k)
        ks += kernel[k + R] = std::exp(-0.5 * k * k / (1.5 * 1.5));
    for (double& k : kernel)
        k /= ks;
    auto blur = [&](const std::vector<float>& in) {
        std::vector<float> tmp(n), out(n);
        tbb::parallel_for(0, rows, [&](int r) {
            for (int c = 0; c < cols; ++c) {
                double s = 0;
                for (int k = -R; k <= R; ++k) {
                    const int cc = c + k;
                    if (cc >= 0 && cc < cols)
                        s += kernel[k + R] * in[std::size_t(r) * cols + cc];
                }
                tmp[std::size_t(r) * cols + c] = float(s);
            }
        });
        tbb::parallel_for(0, rows, [&](int r) {
            for (int c = 0; c < cols; ++c) {
                double s = 0;
                for (int k = -R; k <= R; ++k) {
                    const int rr = r + k;
                    if (rr >= 0 && rr < rows)
                        s += kernel[k + R] * tmp[std::size_t(rr) * cols + c];
                }
                out[std::size_t(r) * cols + c] = float(s);
            }
        });
        return out;
    };
    // Centre on the reference mean: squares of raw values (reflectance x 10000) would lose
    // the variances to float cancellation.
    double mean = 0, cnt = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (w[i] != 0) {
            mean += y[i];
            ++cnt;
        }
    mean = cnt > 0 ? mean / cnt : 0;
    for (std::size_t i = 0; i < n; ++i)
        if (w[i] != 0) {
            x[i] = float(x[i] - mean);
            y[i] = float(y[i] - mean);
        }
    std::vector<float> xx(n), yy(n), xy(n);
    for (std::size_t i = 0; i < n; ++i) {
        xx[i] = x[i] * x[i];
        yy[i] = y[i] * y[i];
        xy[i] = x[i] * y[i];
    }
    const auto bw = blur(w), bx = blur(x), by = blur(y), bxx = blur(xx), byy = blur(yy),
               bxy = blur(xy);
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (w[i] == 0 || bw[i] <= 1e-6)
            continue;
        const double mx = bx[i] / bw[i], my = by[i] / bw[i];
        const double vx = std::max(0.0, bxx[i] / bw[i] - mx * mx);
        const double vy = std::max(0.0, byy[i] / bw[i] - my * my);
        const double cxy = bxy[i] / bw[i] - mx * my;
        sum += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        ++count;
    }
    return count ? sum / double(count) : 0.0;
}

} // namespace rb
