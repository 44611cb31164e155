#pragma once
// FFTW single-precision 2-D real transforms, and the spectrum of a band.
//
// Rules shared by the FFT and deband functions (see also rasterbench.h):
// - Any size: no power-of-two requirement (FFTW plans mixed radices and primes).
// - Frequencies are in cycles/pixel: u along columns (x, to the right), v along rows (y, down),
//   each in [-0.5, 0.5). The period of (u, v) is 1 / sqrt(u^2 + v^2) pixels.
// - Angles are degrees in [0, 180), counter-clockwise on screen from the +x (column) axis.
//   The "stripe angle" is the orientation of bands in the image: horizontal bands are 0,
//   bands rising to the right are 45. Their energy lies on the spectral line through DC
//   perpendicular to them, along (u, v) = (sin a, cos a).
// - Centred spectra are rows x cols images with DC at (cols / 2, rows / 2), u to the right,
//   v down, so bands in the image appear as a perpendicular line in the spectrum.
// - Invalid pixels are filled smoothly (pull-push) before a transform, so gaps and collars do
//   not flood the spectrum with their edges; outputs restore them as invalid.
// - FFTW plans are cached per shape and created under one global mutex (FFTW's planner is
//   not thread-safe; executing a plan is). Plans use all hardware threads. Wisdom is kept in
//   $XDG_CACHE_HOME/rasterbench/fftw-wisdom (or ~/.cache/...); failing to read or write it
//   only makes planning slower.
// - The whole-image steps (the transforms) are not tiled: they say so by taking a Raster.
#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"

namespace rb::fft {

using cfloat = std::complex<float>;

/// Frees memory from fftwf_malloc.
struct FftwFree {
    void operator()(void* p) const noexcept;
};
/// SIMD-aligned buffers (FFTW's new-array execute needs the alignment of the plan's arrays).
using RealBuffer = std::unique_ptr<float[], FftwFree>;
using ComplexBuffer = std::unique_ptr<cfloat[], FftwFree>;
RealBuffer alloc_real(std::size_t n);
ComplexBuffer alloc_complex(std::size_t n);

/// Columns of the half spectrum of a real rows x cols transform (FFTW's r2c layout:
/// rows x (cols / 2 + 1), row-major, bin (i, j) is frequency (j / cols, signed(i) / rows)).
inline int half_cols(int cols) {
    return cols / 2 + 1;
}
/// Signed frequency (cycles/pixel) of transform index k of n: k/n for k <= n/2, else (k-n)/n.
inline double index_frequency(int k, int n) {
    return (k <= n / 2 ? k : k - n) / double(n);
}

/// A cached pair of plans (forward r2c, inverse c2r, unnormalized, out-of-place) for one
/// shape. Cheap to copy; execution is thread-safe, buffers come from alloc_*.
class Transform2D {
public:
    Transform2D(int rows, int cols);
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    std::size_t real_size() const { return std::size_t(rows_) * cols_; }
    std::size_t half_size() const { return std::size_t(rows_) * half_cols(cols_); }
    /// in: rows x cols (kept); out: half spectrum.
    void forward(const float* in, cfloat* out) const;
    /// in: half spectrum (destroyed, as FFTW's c2r does); out: rows x cols, scaled by
    /// rows * cols (the caller normalizes, usually for free in a pass it makes anyway).
    void inverse(cfloat* in, float* out) const;

    /// True when `p` has the alignment the plans were made for (FFTW's new-array execute
    /// needs it): then a caller's own buffer can be transformed without a copy.
    static bool aligned(const void* p);

    struct Plans;

private:
    int rows_ = 0, cols_ = 0;
    std::shared_ptr<const Plans> plans_;
};

/// Where FFTW wisdom is kept (may not exist).
std::string wisdom_path();
/// Threads used by new plans (default: hardware concurrency). Existing plans keep theirs.
void set_threads(int n);
/// Drops cached plans (tests; memory after a big job).
void clear_plan_cache();

/// What a spectrum position means (for hover readouts and peak lists).
struct FrequencyInfo {
    double u = 0, v = 0;      ///< cycles/pixel
    double frequency = 0;     ///< |(u, v)|, cycles/pixel
    double period = 0;        ///< pixels (infinity at DC)
    double direction_deg = 0; ///< direction of the wave vector, [0, 180)
    double stripe_deg = 0;    ///< orientation of the bands it makes in the image, [0, 180)
};
FrequencyInfo frequency_info(double u, double v);
/// (u, v) at a (fractional) pixel of a centred rows x cols spectrum, and back.
void centred_to_frequency(double col, double row, int rows, int cols, double& u, double& v);
void frequency_to_centred(double u, double v, int rows, int cols, double& col, double& row);

/// Fills invalid pixels (mask 0) in place with a smooth pull-push interpolation of the valid
/// ones (a pyramid of weighted means, pushed back with bilinear upsampling). Returns false
/// when no pixel is valid (data is then set to 0).
bool fill_invalid(float* data, const std::uint8_t* mask, int rows, int cols);

/// Band `b` (0-based) of `r` as float32 rows x cols in an FFTW buffer, invalid pixels filled.
RealBuffer band_as_float(const Raster& r, int b, bool fill = true);

enum class Apodization { None, Hann, Tukey };

struct SpectrumOptions {
    Apodization apodization = Apodization::Tukey;
    double tukey_alpha = 0.2;  ///< fraction of each side tapered (Tukey)
    bool subtract_mean = true; ///< so DC does not dominate the log scale
    static const ParamTable<SpectrumOptions>& params();
};

/// Multiplies rows x cols data by a separable window (no-op for None).
void apodize(float* data, int rows, int cols, Apodization a, double tukey_alpha);

/// Centred log-magnitude spectrum: log(1 + |F|) of the filled, apodized band.
struct Spectrum {
    int rows = 0, cols = 0;
    std::vector<float> log_magnitude; ///< rows x cols, DC at (cols / 2, rows / 2)
    float at(int row, int col) const { return log_magnitude[std::size_t(row) * cols + col]; }
    /// Log magnitude at the bin nearest (u, v).
    float at_frequency(double u, double v) const;
};
/// Spectrum of band `b` (0-based) of `r`. Throws ArgumentError for an empty raster or band.
Spectrum compute_spectrum(const Raster& r, int b, const SpectrumOptions& options = {});
/// As compute_spectrum, of a band already filled (rows x cols floats, changed: the mean is
/// subtracted and the window applied in place), so a caller holding the filled band saves
/// the fill.
Spectrum spectrum_of_filled(float* data, int rows, int cols, const SpectrumOptions& options = {});
/// Centred log-magnitude spectrum of a half spectrum (mirrors the missing half).
Spectrum centred_log_magnitude(const cfloat* half, int rows, int cols);

} // namespace rb::fft
