#pragma once
// The deband workbench without a UI: the area of a scene being edited (one band, up to a
// few thousand pixels a side around the view) with everything a notch edit reuses (the
// forward transforms of the area and of its half-resolution box average, the spectrum the
// notches are drawn on, the display stretch), the preview images of an edit (after, or the
// difference to before, as grey images), auto-detection of the notches, the whole-scene
// result with its metrics against a reference, and the reference itself. A caller (the UI's
// controller) decides when each runs and on which thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/deband.h"
#include "rasterbench/fft.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/render.h"
#include "rasterbench/window.h"

namespace rb::fft {

/// Band `band` (1-based) of the raster at `path` in `window` (the whole raster when none) as
/// Float32 with its validity mask. IoError naming the file when it cannot be read.
Raster read_band_float(const std::string& path, int band,
                       std::optional<Window> window = std::nullopt);

/// The window of at most `max_side` pixels a side centred on `view`, inside a `width` x
/// `height` raster (the whole raster's centre when the view is empty).
Window area_around(const Window& view, std::int64_t width, std::int64_t height, int max_side);

/// A grey image of `values` (rows x cols, row-major), one sample every `step` pixels
/// (ceil(rows / step) x ceil(cols / step)): stretched linearly from `lo` (black) to `hi`
/// (white), or with `reference` the difference values - reference about mid grey, over +-4
/// times its RMS (at least 1 unit). Pixels where `mask` is 0 are transparent (0). Opaque
/// pixels are 0xffgggggg.
Rgba8Image grey_image(const float* values, const float* reference, const std::uint8_t* mask,
                      int rows, int cols, int step, double lo, double hi);

/// What a preview image shows.
enum class AreaView { After, Difference };

/// Orientation and peaks found in an area.
struct AutoDetection {
    bool found = false; ///< false when no stripe orientation was convincing
    Orientation orientation;
    PeakResult peaks;
};

/// One band of an area of a scene, read and transformed once for many notch edits. The
/// apply and image functions are const; the forward transforms use the engine's per-thread
/// scratch, so a caller keeps one thread for an area's previews to keep it warm.
class DebandArea {
public:
    /// Reads band `band` (1-based) of `path` in `window` and transforms it. `stretch` is
    /// the display's for this band; without one the area's 2nd-98th percentiles are used.
    /// IoError naming the file; ArgumentError for an empty window.
    DebandArea(const std::string& path, int band, const Window& window,
               std::optional<StretchRange> stretch = std::nullopt, Progress progress = {});
    /// The same for a band already in memory (band 0 of `data`, Float32 with its mask).
    DebandArea(Raster data, const Window& window, int band,
               std::optional<StretchRange> stretch = std::nullopt, Progress progress = {});
    DebandArea(const DebandArea&) = delete;
    DebandArea& operator=(const DebandArea&) = delete;

    const Window& window() const { return window_; }
    int band() const { return band_; }           ///< 1-based band of the scene
    const Raster& data() const { return data_; } ///< Float32, one band, with mask
    const DebandPreview& preview() const { return *preview_; }
    /// Tapered spectrum of the area, for display and auto-detection.
    const std::shared_ptr<const Spectrum>& spectrum() const { return spectrum_; }
    const StretchRange& stretch() const { return stretch_; }
    /// The box-averaged area (the coarse difference view's "before"); empty when the area
    /// has no coarse level.
    const std::vector<float>& coarse_before() const { return coarse_before_; }

    /// The half-resolution preview: the filtered box average into `values` (resized) and
    /// its image at `step` / 2 (the coarse grid is half the area's); null image without a
    /// coarse level. `ms` (when not null) receives the apply's milliseconds.
    Rgba8Image coarse_image(const NotchSet& notches, AreaView view, int step,
                            std::vector<float>& values, double* ms = nullptr) const;
    /// The full-resolution preview: the filtered area into `values` (resized) and, when
    /// `draw`, its image at `step`. `ms` as above.
    Rgba8Image full_image(const NotchSet& notches, AreaView view, int step,
                          std::vector<float>& values, bool draw = true, double* ms = nullptr) const;
    /// Energy the notches remove from the area and the total it is a share of (0 and 0 for
    /// no notches).
    double removed_energy(const NotchSet& notches, double* total) const;
    /// Stripe-band energy of the area along `angle_deg`, before and after the notches
    /// (stripe_energy in deband.h): how much of the bands remains.
    StripeEnergy stripe_energy(const NotchSet& notches, double angle_deg) const;
    /// Stripe orientation (gap mask, spectrum or footprint) and the peaks along it.
    AutoDetection auto_detect(const OrientationOptions& orientation = {},
                              const PeakOptions& peaks = {}) const;

private:
    void init(std::optional<StretchRange> stretch, Progress progress);

    Window window_;
    int band_ = 1;
    Raster data_;
    std::unique_ptr<DebandPreview> preview_;
    std::vector<float> coarse_before_;
    std::shared_ptr<const Spectrum> spectrum_;
    StretchRange stretch_;
};

/// The whole scene debanded, as the map shows it: grey images of the result and of its
/// difference to the scene (longest side at most `overlay_side`), and, with a reference on
/// the scene's grid, PSNR and SSIM before and after.
struct SceneDeband {
    Rgba8Image after, difference;
    int step = 1; ///< scene pixels per image pixel
    std::optional<double> psnr_before, psnr_after, ssim_before, ssim_after;
};

/// Reads band `band` (1-based) of `path`, debands it with `notches` and measures it.
/// `stretch` as for DebandArea; `reference` (Float32, one band) is used when its size is the
/// scene's. Progress: read 10 %, deband to 80 %, images, metrics; rb::Cancelled when it
/// says stop.
SceneDeband deband_scene(const std::string& path, int band, const NotchSet& notches,
                         std::optional<StretchRange> stretch, int overlay_side,
                         const Raster* reference = nullptr, Progress progress = {});

/// A reference for the metrics of a `width` x `height` scene: band `band` of `path`, or its
/// only band. ArgumentError naming the file when it is not on the scene's grid ("... is
/// WxH pixels, but the scene NAME is ...") or has no such band.
Raster read_reference(const std::string& path, int band, std::int64_t width, std::int64_t height,
                      const std::string& scene_name);

} // namespace rb::fft
