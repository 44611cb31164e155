#pragma once
// Synthetic SLC-off-like bands over real images, shared by the deband engine and CLI tests:
// periodic bands at an angle whose width grows from the scene's centre line toward its ends
// (the wedge shape of Landsat 7 SLC-off gaps), filled with a "second date" (gain * value +
// offset), as a mosaic filled from another acquisition shows them.
#include <cmath>
#include <numbers>

#include "rasterbench/dataset.h"
#include "rasterbench/raster.h"

namespace rbtest {

struct SynthBands {
    double angle = 0; ///< orientation of the bands, degrees (rasterbench/fft.h convention)
    double period = 33;
    double width0 = 4, width1 = 8; ///< band width at the centre line, growth to the ends
    double gain = 1.1, offset = 14;
};

/// Band `band` (1-based) of a file as Float32 with its validity mask.
inline rb::Raster read_float_band(const std::string& path, int band) {
    const rb::Dataset ds = rb::Dataset::open(path);
    rb::ReadOptions ro;
    ro.bands = {band};
    const rb::Raster r = ds.read(ro);
    rb::Raster f(rb::DataType::Float32, 1, r.rows(), r.cols());
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j)
            f.set_value(0, i, j, r.value(0, i, j));
    if (r.has_mask()) {
        const auto m = r.mask(0);
        std::copy(m.begin(), m.end(), f.mask(0).begin());
    }
    return f;
}

/// `clean` (band 0) with bands drawn in; invalid pixels are left as they are.
inline rb::Raster add_bands(const rb::Raster& clean, const SynthBands& b) {
    rb::Raster out = clean;
    const double a = b.angle * std::numbers::pi / 180;
    const double nx = std::sin(a), ny = std::cos(a);  // across the bands (col, row)
    const double tx = std::cos(a), ty = -std::sin(a); // along them
    const double cc = clean.cols() / 2.0, cr = clean.rows() / 2.0;
    const double half = 0.5 * std::hypot(clean.cols(), clean.rows());
    for (int i = 0; i < clean.rows(); ++i)
        for (int j = 0; j < clean.cols(); ++j) {
            const double s = j * nx + i * ny;
            const double t = (j - cc) * tx + (i - cr) * ty;
            const double w = b.width0 + b.width1 * std::abs(t) / half;
            const double phase = s - std::floor(s / b.period) * b.period;
            if (phase < w)
                out.set_value(0, i, j, b.gain * clean.value(0, i, j) + b.offset);
        }
    return out;
}

} // namespace rbtest
