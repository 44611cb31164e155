#pragma once
// Debanding: notch filters in the FFT spectrum of a band (libvips' freqfilt split into small
// steps: build a mask, forward transform, multiply, inverse), stripe-orientation estimation,
// automatic peak finding along that orientation, and quality metrics.
//
// Conventions (frequencies, angles, centred spectra, fill, plans) are those of fft.h.
// Every mask is conjugate-symmetric by construction: a point notch always acts at (u, v)
// and at its twin (-u, -v), and stripe notches are lines through DC. The output of a
// deband is real, keeps the input's shape, and keeps invalid pixels invalid with their
// original values (so a file's nodata is restored).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rasterbench/fft.h"
#include "rasterbench/image_metrics.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"

namespace rb::fft {

enum class NotchShape { Ideal, Gaussian, Butterworth };
std::string_view shape_name(NotchShape s);
std::optional<NotchShape> parse_shape(std::string_view name);

/// Rejects frequencies near (u, v) and near (-u, -v). Attenuation at distance d (cycles/px):
/// Ideal: 1 within radius; Gaussian: exp(-d^2 / 2 radius^2); Butterworth:
/// 1 / (1 + (d / radius)^(2 order)). The mask value is 1 - attenuation.
struct PointNotch {
    double u = 0, v = 0;
    double radius = 0.01;
    NotchShape shape = NotchShape::Gaussian;
    int order = 2; ///< Butterworth only
    bool operator==(const PointNotch&) const = default;
};

/// Rejects the spectral line of bands at `angle_deg` (the line through DC along
/// (sin a, cos a)): full rejection within width/2 of the line, a raised-cosine edge `softness`
/// wide, and nothing within `protect_radius` of DC (so the image's mean and broad shapes
/// survive), with the same soft edge.
struct StripeNotch {
    double angle_deg = 0;
    double width = 0.01;          ///< cycles/pixel, full width of total rejection
    double softness = 0.005;      ///< cycles/pixel, width of the soft edge
    double protect_radius = 0.02; ///< cycles/pixel around DC left untouched
    bool operator==(const StripeNotch&) const = default;
};

struct NotchSet {
    std::vector<PointNotch> points;
    std::vector<StripeNotch> stripes;
    bool empty() const { return points.empty() && stripes.empty(); }
    bool operator==(const NotchSet&) const = default;
};

/// Versioned JSON: {"version": 1, "points": [{"u","v","radius","shape","order"}],
/// "stripes": [{"angle","width","softness","protect_radius"}]}.
std::string to_json(const NotchSet& notches);
/// Parses to_json's format; ArgumentError naming `source` and the problem.
NotchSet notches_from_json(std::string_view text, std::string_view source = "notch JSON");
NotchSet load_notches(const std::string& path); ///< IoError / ArgumentError naming the file
void save_notches(const NotchSet& notches, const std::string& path); ///< atomic rename

/// Mask value (0 = removed, 1 = kept) at frequency (u, v).
double mask_value(const NotchSet& notches, double u, double v);
/// The whole mask as a centred rows x cols image (what the spectrum view overlays).
std::vector<float> centred_mask(const NotchSet& notches, int rows, int cols);
/// Multiplies a half spectrum (FFTW r2c layout, see fft.h) by the mask, visiting only the
/// bins each notch reaches. Returns the number of bins changed.
std::size_t apply_mask(cfloat* half, int rows, int cols, const NotchSet& notches);

// ---- orientation ---------------------------------------------------------------------

enum class OrientationSource { None, Spectrum, GapMask, Footprint };
std::string_view source_name(OrientationSource s);

struct Orientation {
    double angle_deg = 0; ///< stripe angle (fft.h), [0, 180)
    double strength = 0;  ///< 0..1: share of the evidence supporting this angle
    OrientationSource source = OrientationSource::None;
    /// Pixels: the period of the comb of harmonics that answered (0 when another source
    /// did); find_peaks fits faint bands' harmonics to it.
    double period = 0;
};

struct OrientationOptions {
    double min_frequency = 0.01;    ///< spectrum: ignore the image content near DC
    double excess = 1.0;            ///< spectrum: log-magnitude of a peak above its surroundings
    double min_strength = 0.15;     ///< estimate_orientation: weakest evidence accepted
    double min_gap_fraction = 0.02; ///< gap mask: fewer interior invalid pixels = no gaps
    static const ParamTable<OrientationOptions>& params();
};

/// The dominant off-DC line of a spectrum (centred, as compute_spectrum gives).
Orientation orientation_from_spectrum(const Spectrum& s, const OrientationOptions& o = {});
/// The line through DC carrying the strongest comb of equally spaced peaks (a fundamental
/// and its harmonics): bands too faint for orientation_from_spectrum's vote, whose peaks the
/// image's own texture out-numbers, still line up there. Strength (0..1) is how far the comb
/// stands above the best one on any other line; `period` is its step in pixels.
Orientation orientation_from_harmonics(const Spectrum& s, const OrientationOptions& o = {});
/// The dominant edge orientation of a label image (rows x cols): SLC-off gaps (0 invalid /
/// 255 valid, as Raster masks are) or a composite's winning-scene index. Every change of
/// label is an edge; gap edges outnumber a footprint's four sides, and the histogram mode
/// (not a mean) is taken, so the collar does not tilt the answer.
Orientation orientation_from_labels(const std::vector<std::int32_t>& labels, int rows, int cols);
Orientation orientation_from_gap_mask(const std::uint8_t* mask, int rows, int cols);
/// Scan direction from the valid-data footprint: the footprint edge orientation nearest to
/// the rows (a Landsat scene's top and bottom edges run along the scan lines).
Orientation orientation_from_footprint(const std::uint8_t* mask, int rows, int cols);
/// Tries the gap mask (interior invalid pixels), then the spectrum (its peaks' vote, then a
/// comb of harmonics), then the footprint, and says which one answered (source None when
/// nothing was convincing).
Orientation estimate_orientation(const Raster& r, int band, const OrientationOptions& o = {});

// ---- peaks ---------------------------------------------------------------------------

struct PeakOptions {
    double threshold = 5.0;       ///< peak magnitude / local background ratio, at least
    double min_frequency = 0.01;  ///< cycles/pixel; closer to DC is image content
    double angle_tolerance = 1.5; ///< degrees searched either side of the given angle
    int max_peaks = 32;
    double radius_bins = 1.5; ///< notch radius in spectrum bins
    NotchShape shape = NotchShape::Gaussian;
    /// Periodic bands have nothing but the harmonics of one fundamental: fit it (a wave
    /// vector, so its direction refines the given angle), then look for every harmonic
    /// inside the spectrum, one peak each (the fundamental included), keeping those above
    /// `harmonic_threshold`. Off keeps every peak above `threshold`, as found.
    bool harmonics_only = true;
    /// Magnitude over local background a harmonic of the fitted fundamental needs (lower
    /// than `threshold`: where it is expected, a weaker peak is still the bands').
    double harmonic_threshold = 2.0;
    /// Propose one stripe notch along the fitted line (protecting the image below the
    /// fundamental) instead of one point notch per peak.
    bool stripe = false;
    static const ParamTable<PeakOptions>& params();
};

struct Peak {
    double u = 0, v = 0;
    double ratio = 0; ///< magnitude over local background
    int harmonic = 0; ///< index k of the fundamental it is a multiple of (0: not fitted)
};

struct PeakResult {
    std::vector<Peak> peaks; ///< sorted by frequency
    /// One point notch per peak, or (PeakOptions::stripe) one stripe notch; editable.
    NotchSet notches;
    double period = 0; ///< pixels, fundamental fitted to the peaks (0 when none)
    /// The fitted fundamental's wave vector, cycles/px (0, 0 when none): its stripe angle
    /// (frequency_info) is the refined orientation.
    double fu = 0, fv = 0;
};

/// Peaks along the spectral line of bands at `angle_deg` standing above their neighbourhood.
/// Without a peak above `threshold`, a `period_hint` (pixels, a comb's step: see
/// Orientation::period) lets faint bands' harmonics above `harmonic_threshold` be fitted to
/// it, when at least three are there.
PeakResult find_peaks(const Spectrum& s, double angle_deg, const PeakOptions& o = {},
                      double period_hint = 0);
/// Along an estimated orientation, with its period as the hint.
inline PeakResult find_peaks(const Spectrum& s, const Orientation& orientation,
                             const PeakOptions& o = {}) {
    return find_peaks(s, orientation.angle_deg, o, orientation.period);
}

// ---- apply ---------------------------------------------------------------------------

/// One band's filled, forward-transformed spectrum kept across notch edits: each apply()
/// costs a copy, the mask and one inverse transform. apply() is const and thread-safe.
class DebandSession {
public:
    /// Band `b` (0-based) of `src`. Throws ArgumentError for an empty raster or bad band.
    DebandSession(const Raster& src, int b, Progress progress = {});
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    /// The half spectrum, pre-scaled by 1 / (rows cols) so the inverse needs no extra pass.
    const cfloat* half_spectrum() const { return half_.get(); }
    /// Centred log-magnitude of the (unapodized, filled) band, as the notches see it.
    Spectrum spectrum() const;
    /// The filtered band into `out` (rows x cols floats): invalid pixels get the source's
    /// values. `out` may be any float buffer.
    void apply(const NotchSet& notches, float* out) const;
    /// Energy (sum |F|^2 over the full spectrum, DC excluded) the notches remove, and the
    /// total it is a share of.
    double removed_energy(const NotchSet& notches, double* total = nullptr) const;
    const std::vector<std::uint8_t>& mask() const { return mask_; } ///< empty: all valid

private:
    friend class DebandPreview;
    /// As the public constructor; `filled` (when not null) receives the filled band the
    /// forward transform was made of, so DebandPreview can downsample it without a 2nd fill.
    DebandSession(const Raster& src, int b, Progress progress, RealBuffer* filled);

    int rows_ = 0, cols_ = 0;
    Transform2D transform_;
    ComplexBuffer half_;
    std::vector<std::uint8_t> mask_;
    /// Invalid pixels and their source values, restored after each inverse: runs of
    /// (start, length) pairs, so the preview does not scan the whole mask per edit.
    std::vector<std::size_t> invalid_;
    std::vector<float> invalid_values_;
};

/// Energy of the stripe band: sum |F|^2 over the bins within `half_width_bins` of the
/// spectral line of bands at `angle_deg` and farther than `min_frequency` from DC, less what
/// the background puts there (the mean |F|^2 of the bins 3 to 6 bins either side of the
/// line, unfiltered): what the bands add to the spectrum. `after` is the same with the
/// notches applied (at least 0), so after / before is the share of the bands that remains.
struct StripeEnergy {
    double before = 0, after = 0;
    double residual() const { return before > 0 ? after / before : 0.0; }
};
StripeEnergy stripe_energy(const DebandSession& s, const NotchSet& notches, double angle_deg,
                           double min_frequency = 0.01, double half_width_bins = 1.5);
/// The stripe angle a notch set acts on: its first stripe notch's, else the angle of its
/// point notches (their wave vectors folded onto one half plane and summed, so the far
/// harmonics, which pin it best, weigh most); none for an empty set.
std::optional<double> notch_stripe_angle(const NotchSet& notches);

/// The viewport preview first, full resolution after: a DebandSession of the area and a
/// second one of its 2 x 2 box average (rows / 2 x cols / 2; an odd last row or column is
/// left out). The coarse one is what a ~1000-pixel canvas shows of a 2048-pixel area, at a
/// quarter of the inverse's cost, so a notch edit reaches the screen within a frame and the
/// full-resolution result replaces it right after. Both applies are const and thread-safe.
class DebandPreview {
public:
    /// Band `b` (0-based) of `src`. Throws ArgumentError for an empty raster or bad band.
    /// Areas under 2 pixels a side have no coarse level (has_coarse() is false).
    DebandPreview(const Raster& src, int b, Progress progress = {});
    /// The same; `filled` (when not null) receives the filled band the transforms were made
    /// of (what a display spectrum is made of without a second fill: spectrum_of_filled).
    DebandPreview(const Raster& src, int b, Progress progress, RealBuffer* filled);
    const DebandSession& full() const { return *full_; }
    bool has_coarse() const { return coarse_ != nullptr; }
    const DebandSession& coarse() const { return *coarse_; } ///< only when has_coarse()
    int coarse_rows() const { return full_->rows() / 2; }
    int coarse_cols() const { return full_->cols() / 2; }
    /// Coarse pixels with any invalid source pixel (empty: all valid). Their values in
    /// apply_coarse's output are the filtered fill: a display shows them as nodata.
    const std::vector<std::uint8_t>& coarse_mask() const { return coarseMask_; }
    /// `notches` on the half grid: frequencies and sizes doubled (a notch at (u, v)
    /// cycles/px of the area is at (2u, 2v) of the half grid). Point notches beyond the half
    /// grid's Nyquist (|2u| or |2v| > 0.5) have no effect on the box average and are left
    /// out; `skipped` (when not null) receives how many.
    static NotchSet coarse_notches(const NotchSet& notches, std::size_t* skipped = nullptr);
    /// The filtered box average into `out` (coarse_rows() x coarse_cols() floats). Returns
    /// the number of point notches skipped (see coarse_notches). Needs has_coarse().
    std::size_t apply_coarse(const NotchSet& notches, float* out) const;
    /// The full-resolution result, as DebandSession::apply.
    void apply_full(const NotchSet& notches, float* out) const { full_->apply(notches, out); }

private:
    std::unique_ptr<DebandSession> full_, coarse_;
    std::vector<std::uint8_t> coarseMask_;
};

struct DebandOptions {
    /// Integer inputs: round and clamp to the type (true), or return Float32 (false).
    bool keep_dtype = true;
    static const ParamTable<DebandOptions>& params();
};

/// Debands every band with the same notches. A valid output that would round onto
/// `nodata` is moved one step away so it stays valid in the written file.
Raster deband(const Raster& src, const NotchSet& notches, const DebandOptions& o = {},
              std::optional<double> nodata = std::nullopt, Progress progress = {});
/// Per-band notches (`per_band.size()` must equal the band count).
Raster deband(const Raster& src, const std::vector<NotchSet>& per_band, const DebandOptions& o = {},
              std::optional<double> nodata = std::nullopt, Progress progress = {});

/// In place (no output allocation: what the CLI and whole-scene jobs use). Same rules as
/// deband(); the type is kept (integers rounded and clamped).
void deband_in_place(Raster& r, const std::vector<NotchSet>& per_band,
                     std::optional<double> nodata = std::nullopt, Progress progress = {});

/// Frees the calling thread's reusable spectrum buffer (deband and previews keep one per
/// thread so repeated calls do not fault in fresh pages each time).
void release_scratch();

// ---- metrics -------------------------------------------------------------------------

// PSNR and SSIM are generic image metrics (image_metrics.h); named here too because every
// deband report uses them.
using rb::psnr;
using rb::ssim;

struct DebandMetrics {
    double energy_removed = 0;  ///< sum |F|^2 removed, summed over bands
    double energy_fraction = 0; ///< of the non-DC energy
    std::vector<double> psnr_before, psnr_after, ssim_before, ssim_after; ///< per band
};

} // namespace rb::fft
