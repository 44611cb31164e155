#pragma once
// Turning pixel values into display colours: contrast stretch and 8-bit RGBA rendering.
// Qt-free so the GUI, the CLI (PNG output) and tests share one implementation.
#include <cstdint>
#include <vector>

#include "rasterbench/raster.h"

namespace rb {

struct StretchRange {
    double lo = 0, hi = 1;
};

enum class StretchMode { MinMax, PercentClip, StdDev, Manual };

struct StretchOptions {
    StretchMode mode = StretchMode::PercentClip;
    double low_percent = 2, high_percent = 98; ///< PercentClip
    double stddev_k = 2;                       ///< StdDev: mean +/- k stddev
    std::vector<StretchRange> manual;          ///< Manual: one per band
};

/// Per-band stretch limits computed exactly over the valid samples of `r`.
/// A band without valid samples gets {0, 1}.
std::vector<StretchRange> compute_stretch(const Raster& r, const StretchOptions& options);

/// Exact percentile (0..100) of band `b`'s valid samples (nearest-rank on sorted values).
double band_percentile(const Raster& r, int b, double percent);

/// An 8-bit image, pixels as 0xAARRGGBB (non-premultiplied), row-major.
struct Rgba8Image {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels;
};

struct RenderOptions {
    std::vector<int> rgb_bands; ///< 0-based bands of `r`: 3 for RGB, 1 for grey; empty = auto
    double gamma = 1.0;
};

/// Renders `r` with per-band `stretch` (indexed like r's bands). Invalid samples (in any
/// used band) become fully transparent. Auto bands: 0,1,2 for 3+ bands, else band 0 grey.
Rgba8Image render_rgba(const Raster& r, const std::vector<StretchRange>& stretch,
                       const RenderOptions& options = {});

} // namespace rb
