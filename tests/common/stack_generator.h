#pragma once
// Realistic cloudy stacks from a real clear base scene, for composite tests and benchmarks:
// soft bright clouds (Gaussian blobs blended towards white), shadows offset from them,
// Landsat 7 SLC-off wedge gaps (invalid stripes widening away from the centre column), and a
// date-to-date gain/offset. Qt-free (engine only) so bench/ can use it too. Deterministic
// for a given seed.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "rasterbench/raster.h"
#include "rasterbench/score.h"

namespace rbtest {

struct StackGenOptions {
    int scenes = 10;
    unsigned seed = 1;
    double cloud_cover = 0.35; ///< target share of pixels under cloud (alpha > 0.5) per date
    double cloud_sigma = 6;    ///< blob size, pixels
    double shadow_dx = 7, shadow_dy = 5;  ///< shadow offset from its cloud, pixels
    double shadow_factor = 0.3;           ///< reflectance multiplier in full shadow
    std::vector<double> cloud_value;      ///< per band value of thick cloud (empty: 1.3 x band max)
    bool slc_off = true;                  ///< every other date gets SLC-off wedge gaps
    int slc_period = 33, slc_max_gap = 7; ///< as measured on the eo-box Landsat 7 files
    double gain_sd = 0.03, offset_sd = 0.01; ///< offset in units of the band's mean
};

struct GeneratedStack {
    std::vector<rb::Raster> scenes;         ///< Float32, masked in SLC-off gaps
    std::vector<std::vector<float>> cloud;  ///< per date, alpha in 0..1
    std::vector<std::vector<float>> shadow; ///< per date, shadow strength in 0..1
    std::vector<double> gain, offset;       ///< per date (offset as a fraction)
};

/// `base`: a clear scene (any real type, no invalid pixels expected), returned as Float32.
inline GeneratedStack generate_stack(const rb::Raster& base, const StackGenOptions& o) {
    const int rows = base.rows(), cols = base.cols(), bands = base.bands();
    const std::size_t n = base.band_size();
    std::vector<std::vector<float>> b(static_cast<std::size_t>(bands), std::vector<float>(n));
    std::vector<double> band_max(std::size_t(bands), 0), band_mean(std::size_t(bands), 0);
    for (int k = 0; k < bands; ++k)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const double v = base.value(k, y, x);
                b[std::size_t(k)][std::size_t(y) * std::size_t(cols) + std::size_t(x)] = float(v);
                band_max[std::size_t(k)] = std::max(band_max[std::size_t(k)], v);
                band_mean[std::size_t(k)] += v / double(n);
            }
    std::vector<double> cloud_value = o.cloud_value;
    if (cloud_value.empty())
        for (double m : band_max)
            cloud_value.push_back(1.3 * m);

    GeneratedStack out;
    std::mt19937 rng(o.seed);
    std::normal_distribution<double> gauss(0, 1);
    std::uniform_real_distribution<double> uni(0, 1);
    for (int d = 0; d < o.scenes; ++d) {
        // Soft clouds: add Gaussian blobs until the target cover is reached.
        std::vector<float> alpha(n, 0.0f);
        const double cover = o.cloud_cover * (0.5 + uni(rng)); // dates differ in cloudiness
        for (int blobs = 0; blobs < 2000; ++blobs) {
            std::size_t covered = 0;
            for (float a : alpha)
                covered += a > 0.5f;
            if (double(covered) >= cover * double(n))
                break;
            const double cx = uni(rng) * cols, cy = uni(rng) * rows;
            const double s = o.cloud_sigma * (0.5 + uni(rng));
            const int r = int(2 * s); // clouds have edges: no haze beyond two sigmas
            for (int y = std::max(0, int(cy) - r); y < std::min(rows, int(cy) + r + 1); ++y)
                for (int x = std::max(0, int(cx) - r); x < std::min(cols, int(cx) + r + 1); ++x) {
                    const double dd = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s);
                    if (dd > 2)
                        continue;
                    float& a = alpha[std::size_t(y) * std::size_t(cols) + std::size_t(x)];
                    a = float(std::min(1.0, double(a) + 1.2 * std::exp(-dd)));
                }
        }
        std::vector<float> shade(n, 0.0f);
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const int sy = y - int(std::lround(o.shadow_dy));
                const int sx = x - int(std::lround(o.shadow_dx));
                if (sy >= 0 && sy < rows && sx >= 0 && sx < cols)
                    shade[std::size_t(y) * std::size_t(cols) + std::size_t(x)] =
                        alpha[std::size_t(sy) * std::size_t(cols) + std::size_t(sx)];
            }
        const double gain = 1 + o.gain_sd * gauss(rng);
        const double offset = o.offset_sd * gauss(rng);
        rb::Raster r(rb::DataType::Float32, bands, rows, cols);
        for (int k = 0; k < bands; ++k) {
            auto dst = r.band<float>(k);
            const double off = offset * band_mean[std::size_t(k)];
            for (std::size_t p = 0; p < n; ++p) {
                double v = gain * double(b[std::size_t(k)][p]) + off;
                v *= 1 - (1 - o.shadow_factor) * double(shade[p]) * (1 - double(alpha[p]));
                v = (1 - double(alpha[p])) * v + double(alpha[p]) * cloud_value[std::size_t(k)];
                dst[p] = float(v);
            }
        }
        if (o.slc_off && d % 2 == 1) {
            // Wedges: gaps are widest at the left and right edges and close at the centre.
            const double phase = uni(rng) * o.slc_period;
            const double tilt = 0.08;
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x) {
                    const double width =
                        o.slc_max_gap * std::abs(x - cols / 2.0) / std::max(1.0, cols / 2.0);
                    double pos = std::fmod(y + tilt * x + phase, double(o.slc_period));
                    if (pos < 0)
                        pos += o.slc_period;
                    if (pos < width)
                        for (int k = 0; k < bands; ++k)
                            r.mask(k)[std::size_t(y) * std::size_t(cols) + std::size_t(x)] =
                                rb::kInvalid;
                }
        }
        out.scenes.push_back(std::move(r));
        out.cloud.push_back(std::move(alpha));
        out.shadow.push_back(std::move(shade));
        out.gain.push_back(gain);
        out.offset.push_back(offset);
    }
    return out;
}

/// Three-band RGB stacks as display products deliver them (8-bit, no nir or swir): the
/// clear base with a gain/offset per date, semi-transparent clouds with soft edges (each
/// cloud a cluster of Gaussian puffs of its own peak opacity, blended over the ground
/// towards a near-white cloud colour), shadows offset from the clouds, and SLC-off wedge
/// gaps (masked, value 0) in every other date. Cloud cover per date (opacity above 0.1)
/// is drawn between cover_min and cover_max.
struct RgbStackOptions {
    int scenes = 8;
    unsigned seed = 1;
    double cover_min = 0.10, cover_max = 0.55;
    double opacity_min = 0.3, opacity_max = 1.0; ///< peak opacity of each cloud
    double cloud_sigma = 7;                      ///< puff size, pixels
    double shadow_dx = 9, shadow_dy = 6;         ///< shadow offset from its cloud, pixels
    double shadow_factor = 0.35;                 ///< brightness multiplier in full shadow
    std::vector<double> cloud_colour = {236, 238, 244};
    bool slc_off = true;
    int slc_period = 33, slc_max_gap = 7;
    double gain_sd = 0.04, offset_sd = 1.5; ///< offset in digital numbers
};

/// The pixel's cloud opacity in `st.cloud` above which a date counts as cloudy there.
inline constexpr float kCloudyOpacity = 0.03f;

/// `base`: a clear three-band scene without invalid pixels. Scenes are Byte rasters.
inline GeneratedStack generate_rgb_stack(const rb::Raster& base, const RgbStackOptions& o) {
    const int rows = base.rows(), cols = base.cols(), bands = base.bands();
    const std::size_t n = base.band_size();
    GeneratedStack out;
    std::mt19937 rng(o.seed);
    std::normal_distribution<double> gauss(0, 1);
    std::uniform_real_distribution<double> uni(0, 1);
    for (int d = 0; d < o.scenes; ++d) {
        std::vector<float> alpha(n, 0.0f);
        const double cover = o.cover_min + (o.cover_max - o.cover_min) * uni(rng);
        std::size_t covered = 0;
        while (double(covered) < cover * double(n)) {
            const double cx = uni(rng) * cols, cy = uni(rng) * rows;
            const double peak = o.opacity_min + (o.opacity_max - o.opacity_min) * uni(rng);
            const int puffs = 1 + int(uni(rng) * 6);
            for (int k = 0; k < puffs; ++k) {
                const double s = o.cloud_sigma * (0.5 + uni(rng));
                const double px = cx + 1.5 * o.cloud_sigma * gauss(rng);
                const double py = cy + 1.5 * o.cloud_sigma * gauss(rng);
                const int r = int(3 * s) + 1; // soft edges: the puff fades out over 3 sigmas
                for (int y = std::max(0, int(py) - r); y < std::min(rows, int(py) + r + 1); ++y)
                    for (int x = std::max(0, int(px) - r); x < std::min(cols, int(px) + r + 1);
                         ++x) {
                        const double dd = ((x - px) * (x - px) + (y - py) * (y - py)) / (2 * s * s);
                        if (dd > 4.5)
                            continue;
                        float& a = alpha[std::size_t(y) * std::size_t(cols) + std::size_t(x)];
                        const bool was = a > 0.1f;
                        // A flat core at the peak opacity, fading out at the edge.
                        a = std::max(a, float(std::min(peak, 1.3 * peak * std::exp(-dd))));
                        covered += !was && a > 0.1f;
                    }
            }
        }
        std::vector<float> shade(n, 0.0f);
        const int dy = int(std::lround(o.shadow_dy)), dx = int(std::lround(o.shadow_dx));
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x)
                if (y - dy >= 0 && y - dy < rows && x - dx >= 0 && x - dx < cols)
                    shade[std::size_t(y) * std::size_t(cols) + std::size_t(x)] =
                        alpha[std::size_t(y - dy) * std::size_t(cols) + std::size_t(x - dx)];
        const double gain = 1 + o.gain_sd * gauss(rng);
        const double offset = o.offset_sd * gauss(rng);
        rb::Raster r(rb::DataType::UInt8, bands, rows, cols);
        for (int k = 0; k < bands; ++k) {
            auto dst = r.band<std::uint8_t>(k);
            const double cloud = o.cloud_colour[std::size_t(k) % o.cloud_colour.size()];
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x) {
                    const std::size_t p = std::size_t(y) * std::size_t(cols) + std::size_t(x);
                    double v = gain * base.value(k, y, x) + offset;
                    v *= 1 - (1 - o.shadow_factor) * double(shade[p]) * (1 - double(alpha[p]));
                    v = (1 - double(alpha[p])) * v + double(alpha[p]) * cloud;
                    dst[p] = std::uint8_t(std::clamp(std::lround(v), 1L, 255L));
                }
        }
        if (o.slc_off && d % 2 == 1) {
            const double phase = uni(rng) * o.slc_period;
            const double tilt = 0.08;
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x) {
                    const double width =
                        o.slc_max_gap * std::abs(x - cols / 2.0) / std::max(1.0, cols / 2.0);
                    double pos = std::fmod(y + tilt * x + phase, double(o.slc_period));
                    if (pos < 0)
                        pos += o.slc_period;
                    if (pos < width)
                        for (int k = 0; k < bands; ++k) {
                            const std::size_t p =
                                std::size_t(y) * std::size_t(cols) + std::size_t(x);
                            r.band<std::uint8_t>(k)[p] = 0;
                            r.mask(k)[p] = rb::kInvalid;
                        }
                }
        }
        out.scenes.push_back(std::move(r));
        out.cloud.push_back(std::move(alpha));
        out.shadow.push_back(std::move(shade));
        out.gain.push_back(gain);
        out.offset.push_back(offset);
    }
    return out;
}

/// Share of a composite's valid pixels taken from a date that is cloudy there
/// (opacity above kCloudyOpacity): `source` holds each pixel's 0-based date, -1 for none.
inline double cloudy_share(const GeneratedStack& st, const std::vector<int>& source,
                           float opacity = kCloudyOpacity) {
    std::size_t cloudy = 0, count = 0;
    for (std::size_t p = 0; p < source.size(); ++p) {
        if (source[p] < 0)
            continue;
        ++count;
        cloudy += st.cloud[std::size_t(source[p])][p] > opacity;
    }
    return double(cloudy) / double(std::max<std::size_t>(count, 1));
}

/// The part of cloudy_share() that a perfect cloud mask avoids: pixels taken from a cloudy
/// date where some valid date was clear (opacity at most `opacity`).
inline double avoidable_cloudy_share(const GeneratedStack& st, const std::vector<int>& source,
                                     float opacity = kCloudyOpacity) {
    std::vector<std::vector<std::uint8_t>> valid;
    for (const auto& s : st.scenes)
        valid.push_back(rb::pixel_validity(s));
    std::size_t cloudy = 0, count = 0;
    for (std::size_t p = 0; p < source.size(); ++p) {
        if (source[p] < 0)
            continue;
        ++count;
        if (st.cloud[std::size_t(source[p])][p] <= opacity)
            continue;
        for (std::size_t d = 0; d < st.scenes.size(); ++d)
            if (valid[d][p] && st.cloud[d][p] <= opacity) {
                ++cloudy;
                break;
            }
    }
    return double(cloudy) / double(std::max<std::size_t>(count, 1));
}

/// PSNR (dB) of `a` against `ref` over pixels valid in `a`, peak = ref's largest value.
inline double psnr(const rb::Raster& a, const rb::Raster& ref) {
    double se = 0, peak = 0;
    std::size_t count = 0;
    for (int k = 0; k < ref.bands(); ++k)
        for (int y = 0; y < ref.rows(); ++y)
            for (int x = 0; x < ref.cols(); ++x) {
                peak = std::max(peak, ref.value(k, y, x));
                if (!a.valid(k, y, x))
                    continue;
                const double d = a.value(k, y, x) - ref.value(k, y, x);
                se += d * d;
                ++count;
            }
    return 10 * std::log10(peak * peak / (se / double(std::max<std::size_t>(count, 1))));
}

} // namespace rbtest
