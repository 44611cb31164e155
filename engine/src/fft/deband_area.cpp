#include "rasterbench/deband_area.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "rasterbench/dataset.h"
#include "rasterbench/dtype.h"
#include "rasterbench/error.h"

namespace rb::fft {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

constexpr std::uint32_t grey(int g) {
    return 0xff000000u | (std::uint32_t(g) << 16) | (std::uint32_t(g) << 8) | std::uint32_t(g);
}

StretchRange ownStretch(const Raster& data) {
    // band_percentile's nearest ranks, from one float copy of the valid values (half the
    // memory of doubles, the same values: they are Float32).
    const auto v = data.band<float>(0);
    const auto m = data.mask(0);
    std::vector<float> valid;
    valid.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (m.empty() || m[i])
            valid.push_back(v[i]);
    if (valid.empty())
        return {0, 1};
    auto rank = [&](double percent) {
        const auto k = std::size_t(std::llround(percent / 100.0 * double(valid.size() - 1)));
        return valid.begin() + std::ptrdiff_t(k);
    };
    const auto lo = rank(2), hi = rank(98);
    std::nth_element(valid.begin(), lo, valid.end());
    const double low = *lo;                // read first: the next partition may move it
    std::nth_element(lo, hi, valid.end()); // the 98th rank lies at or above the 2nd
    return {low, double(*hi)};
}

} // namespace

Raster read_band_float(const std::string& path, int band, std::optional<Window> window) {
    const Dataset ds = Dataset::open(path);
    ReadOptions ro;
    ro.bands = {band};
    ro.window = window;
    const Raster r = ds.read(ro);
    Raster f(DataType::Float32, 1, r.rows(), r.cols());
    auto dst = f.band<float>(0);
    visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto src = r.band<T>(0);
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i] = float(src[i]);
    });
    if (r.has_mask()) {
        const auto m = r.mask(0);
        std::copy(m.begin(), m.end(), f.mask(0).begin());
    }
    return f;
}

Window area_around(const Window& view, std::int64_t width, std::int64_t height, int max_side) {
    const Window v = view.empty() ? Window::full(width, height) : view;
    const auto aw = std::min<std::int64_t>(max_side, width),
               ah = std::min<std::int64_t>(max_side, height);
    const std::int64_t cx = v.col_off + v.width / 2, cy = v.row_off + v.height / 2;
    return {std::clamp<std::int64_t>(cx - aw / 2, 0, width - aw),
            std::clamp<std::int64_t>(cy - ah / 2, 0, height - ah), aw, ah};
}

Rgba8Image grey_image(const float* values, const float* reference, const std::uint8_t* mask,
                      int rows, int cols, int step, double lo, double hi) {
    if (step < 1)
        throw ArgumentError("grey image: step " + std::to_string(step) + " must be at least 1");
    Rgba8Image img;
    img.height = (rows + step - 1) / step;
    img.width = (cols + step - 1) / step;
    img.pixels.assign(std::size_t(img.width) * std::size_t(img.height), 0);
    if (reference) {
        // Difference: symmetric about mid grey, +-4 RMS of the change (at least 1 unit),
        // estimated from every 7th pixel.
        double s2 = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < std::size_t(rows) * std::size_t(cols); i += 7)
            if (!mask || mask[i]) {
                const double d = double(values[i]) - reference[i];
                s2 += d * d;
                ++n;
            }
        const double span = std::max(1.0, 4 * std::sqrt(s2 / double(std::max<std::size_t>(n, 1))));
        lo = -span;
        hi = span;
    }
    const double scale = 255.0 / std::max(hi - lo, 1e-12);
    for (int r = 0; r < img.height; ++r) {
        std::uint32_t* line = img.pixels.data() + std::size_t(r) * std::size_t(img.width);
        for (int c = 0; c < img.width; ++c) {
            const std::size_t i = std::size_t(r) * std::size_t(step) * std::size_t(cols) +
                                  std::size_t(c) * std::size_t(step);
            if (mask && !mask[i])
                continue; // transparent: nodata shows the map's checkerboard
            const double v = reference ? double(values[i]) - reference[i] : double(values[i]);
            line[c] = grey(int(std::clamp((v - lo) * scale, 0.0, 255.0)));
        }
    }
    return img;
}

DebandArea::DebandArea(const std::string& path, int band, const Window& window,
                       std::optional<StretchRange> stretch, Progress progress)
    : window_(window), band_(band) {
    if (window.empty())
        throw ArgumentError(path + ": the deband area " + window.to_string() + " is empty");
    data_ = read_band_float(path, band, window);
    init(stretch, std::move(progress));
}

DebandArea::DebandArea(Raster data, const Window& window, int band,
                       std::optional<StretchRange> stretch, Progress progress)
    : window_(window), band_(band), data_(std::move(data)) {
    if (data_.dtype() != DataType::Float32 || data_.bands() != 1)
        throw ArgumentError("deband area: the data must be one Float32 band");
    init(stretch, std::move(progress));
}

void DebandArea::init(std::optional<StretchRange> stretch, Progress progress) {
    RealBuffer filled;
    preview_ = std::make_unique<DebandPreview>(data_, 0, progress.sub(0, 0.7), &filled);
    if (preview_->has_coarse()) {
        // The "before" of the coarse difference view, on the same grid.
        coarse_before_.resize(std::size_t(preview_->coarse_rows()) *
                              std::size_t(preview_->coarse_cols()));
        preview_->apply_coarse({}, coarse_before_.data());
    }
    progress.check();
    // The display spectrum of the band the preview already filled (no second fill).
    spectrum_ = std::make_shared<const Spectrum>(
        spectrum_of_filled(filled.get(), data_.rows(), data_.cols()));
    filled.reset();
    stretch_ = stretch ? *stretch : ownStretch(data_);
    progress.report(1);
}

Rgba8Image DebandArea::coarse_image(const NotchSet& notches, AreaView view, int step,
                                    std::vector<float>& values, double* ms) const {
    if (!preview_->has_coarse())
        return {};
    const int rows = preview_->coarse_rows(), cols = preview_->coarse_cols();
    values.resize(std::size_t(rows) * std::size_t(cols));
    const auto t = Clock::now();
    preview_->apply_coarse(notches, values.data());
    if (ms)
        *ms = msSince(t);
    const auto& m = preview_->coarse_mask();
    return grey_image(values.data(), view == AreaView::Difference ? coarse_before_.data() : nullptr,
                      m.empty() ? nullptr : m.data(), rows, cols, std::max(1, step / 2),
                      stretch_.lo, stretch_.hi);
}

Rgba8Image DebandArea::full_image(const NotchSet& notches, AreaView view, int step,
                                  std::vector<float>& values, bool draw, double* ms) const {
    values.resize(data_.band_size());
    const auto t = Clock::now();
    preview_->apply_full(notches, values.data());
    if (ms)
        *ms = msSince(t);
    if (!draw)
        return {};
    const auto m = data_.mask(0);
    return grey_image(
        values.data(), view == AreaView::Difference ? data_.band<float>(0).data() : nullptr,
        m.empty() ? nullptr : m.data(), data_.rows(), data_.cols(), step, stretch_.lo, stretch_.hi);
}

double DebandArea::removed_energy(const NotchSet& notches, double* total) const {
    if (notches.empty()) {
        if (total)
            *total = 0;
        return 0;
    }
    return preview_->full().removed_energy(notches, total);
}

StripeEnergy DebandArea::stripe_energy(const NotchSet& notches, double angle_deg) const {
    return rb::fft::stripe_energy(preview_->full(), notches, angle_deg);
}

AutoDetection DebandArea::auto_detect(const OrientationOptions& orientation,
                                      const PeakOptions& peaks) const {
    AutoDetection d;
    d.orientation = estimate_orientation(data_, 0, orientation);
    if (d.orientation.source == OrientationSource::None)
        return d;
    d.peaks = find_peaks(*spectrum_, d.orientation, peaks);
    d.found = true;
    return d;
}

SceneDeband deband_scene(const std::string& path, int band, const NotchSet& notches,
                         std::optional<StretchRange> stretch, int overlay_side,
                         const Raster* reference, Progress progress) {
    SceneDeband r;
    progress.check();
    const Raster src = read_band_float(path, band, std::nullopt);
    progress.sub(0, 0.1).report(1);
    const Raster out = deband(src, notches, {}, std::nullopt, progress.sub(0.1, 0.8));
    const StretchRange s = stretch ? *stretch : ownStretch(src);
    const int longest = std::max(src.rows(), src.cols());
    const int side = std::max(1, overlay_side);
    r.step = std::max(1, (longest + side - 1) / side);
    const auto m = src.mask(0);
    const std::uint8_t* mask = m.empty() ? nullptr : m.data();
    r.after = grey_image(out.band<float>(0).data(), nullptr, mask, src.rows(), src.cols(), r.step,
                         s.lo, s.hi);
    r.difference = grey_image(out.band<float>(0).data(), src.band<float>(0).data(), mask,
                              src.rows(), src.cols(), r.step, s.lo, s.hi);
    progress.sub(0.8, 0.85).report(1);
    if (reference && reference->rows() == src.rows() && reference->cols() == src.cols()) {
        r.psnr_before = psnr(src, *reference, 0);
        r.psnr_after = psnr(out, *reference, 0);
        progress.sub(0.85, 0.9).report(1);
        r.ssim_before = ssim(src, *reference, 0);
        progress.sub(0.9, 0.95).report(1);
        r.ssim_after = ssim(out, *reference, 0);
    }
    progress.report(1);
    return r;
}

Raster read_reference(const std::string& path, int band, std::int64_t width, std::int64_t height,
                      const std::string& scene_name) {
    const Profile p = Dataset::open(path).profile();
    if (p.width != width || p.height != height)
        throw ArgumentError(path + ": " + std::to_string(p.width) + "x" + std::to_string(p.height) +
                            " pixels, but the scene " + scene_name + " is " +
                            std::to_string(width) + "x" + std::to_string(height) +
                            ": a reference must be on the scene's grid");
    // The same band, or the only band of a single-band reference (a clean version of the
    // debanded band).
    const int rband = p.count >= band ? band : (p.count == 1 ? 1 : 0);
    if (rband == 0)
        throw ArgumentError(path + ": has " + std::to_string(p.count) + " bands, no band " +
                            std::to_string(band) + " to compare with");
    return read_band_float(path, rband, std::nullopt);
}

} // namespace rb::fft
