// The cached-spectrum deband session (apply notches to one band without a new forward
// transform) and its coarse preview.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <utility>

#include "atomic_file.h"
#include "deband_detail.h"
#include "rasterbench/error.h"

namespace rb::fft {

using detail::check_notches;
using detail::scratch;

// ---- session -------------------------------------------------------------------------

DebandSession::DebandSession(const Raster& src, int b, Progress progress)
    : DebandSession(src, b, std::move(progress), nullptr) {}

DebandSession::DebandSession(const Raster& src, int b, Progress progress, RealBuffer* filled)
    : rows_(src.rows()), cols_(src.cols()),
      transform_(std::max(1, src.rows()), std::max(1, src.cols())) {
    if (src.empty())
        throw ArgumentError("deband of an empty raster");
    RealBuffer data = band_as_float(src, b, false);
    const std::size_t n = src.band_size();
    const auto m = src.mask(b);
    mask_.assign(m.begin(), m.end());
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(data[i])) {
            if (mask_.empty())
                mask_.assign(n, kValid);
            mask_[i] = kInvalid;
        }
    // Runs, not single pixels: collars and SLC-off gaps are long spans along a row, so the
    // restore after each inverse is a few thousand short copies instead of a scattered
    // write per pixel.
    for (std::size_t i = 0; i < mask_.size();) {
        if (mask_[i]) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < mask_.size() && !mask_[i])
            invalid_values_.push_back(data[i++]);
        invalid_.push_back(start);
        invalid_.push_back(i - start);
    }
    if (invalid_.empty())
        mask_.clear();
    progress.report(0.1);
    if (!mask_.empty())
        fill_invalid(data.get(), mask_.data(), rows_, cols_);
    progress.report(0.4);
    half_ = alloc_complex(transform_.half_size());
    transform_.forward(data.get(), half_.get());
    const float scale = 1.0f / float(n);
    const std::size_t hn = transform_.half_size();
    for (std::size_t i = 0; i < hn; ++i)
        half_[i] *= scale;
    if (filled)
        *filled = std::move(data); // r2c out-of-place kept it
    progress.report(1.0);
}

Spectrum DebandSession::spectrum() const {
    // The stored spectrum is scaled by 1/N; undo that so magnitudes match compute_spectrum.
    ComplexBuffer tmp = alloc_complex(transform_.half_size());
    const float n = float(std::size_t(rows_) * cols_);
    for (std::size_t i = 0; i < transform_.half_size(); ++i)
        tmp[i] = half_[i] * n;
    return centred_log_magnitude(tmp.get(), rows_, cols_);
}

namespace {
// One reusable scratch spectrum per thread: the preview path runs apply() once per notch
// edit, and a fresh 16 MB allocation costs more than the mask itself.
struct Scratch {
    ComplexBuffer buf;
    std::size_t size = 0;
};
Scratch& thread_scratch() {
    thread_local Scratch s;
    return s;
}
} // namespace

cfloat* detail::scratch(std::size_t n) {
    Scratch& s = thread_scratch();
    if (s.size < n) {
        s.buf.reset();
        s.buf = alloc_complex(n);
        s.size = n;
    }
    return s.buf.get();
}

void release_scratch() {
    thread_scratch() = Scratch{};
}
void DebandSession::apply(const NotchSet& notches, float* out) const {
    const std::size_t hn = transform_.half_size();
    cfloat* work = scratch(hn);
    std::memcpy(work, half_.get(), hn * sizeof(cfloat));
    apply_mask(work, rows_, cols_, notches);
    transform_.inverse(work, out);
    const float* src = invalid_values_.data();
    for (std::size_t k = 0; k < invalid_.size(); k += 2) {
        std::memcpy(out + invalid_[k], src, invalid_[k + 1] * sizeof(float));
        src += invalid_[k + 1];
    }
}

double DebandSession::removed_energy(const NotchSet& notches, double* total) const {
    const std::size_t hn = transform_.half_size();
    const int hc = half_cols(cols_);
    cfloat* work = scratch(hn);
    std::memcpy(work, half_.get(), hn * sizeof(cfloat));
    apply_mask(work, rows_, cols_, notches);
    double removed = 0, all = 0;
    const double n = double(rows_) * cols_;
    for (int i = 0; i < rows_; ++i)
        for (int j = 0; j < hc; ++j) {
            if (i == 0 && j == 0)
                continue;
            // Columns other than 0 and the even Nyquist stand for themselves and their twin.
            const double w = (j == 0 || (cols_ % 2 == 0 && j == cols_ / 2)) ? 1.0 : 2.0;
            const std::size_t k = std::size_t(i) * hc + j;
            const double e0 = std::norm(std::complex<double>(half_[k])) * n * n;
            const double e1 = std::norm(std::complex<double>(work[k])) * n * n;
            all += w * e0;
            removed += w * (e0 - e1);
        }
    if (total)
        *total = all;
    return removed;
}

// ---- preview -------------------------------------------------------------------------

DebandPreview::DebandPreview(const Raster& src, int b, Progress progress)
    : DebandPreview(src, b, std::move(progress), nullptr) {}

DebandPreview::DebandPreview(const Raster& src, int b, Progress progress, RealBuffer* keep) {
    RealBuffer filled;
    full_.reset(new DebandSession(src, b, progress.sub(0, 0.8), &filled));
    const int rows = full_->rows(), cols = full_->cols();
    const int cr = rows / 2, cc = cols / 2;
    if (cr < 1 || cc < 1) {
        if (keep)
            *keep = std::move(filled);
        return;
    }
    // The box average of the filled band: what the full-resolution result, averaged the
    // same way, is the filtered version of. It needs no fill of its own (no mask).
    Raster coarse(DataType::Float32, 1, cr, cc);
    auto dst = coarse.band<float>(0);
    const auto& m = full_->mask();
    if (!m.empty())
        coarseMask_.assign(std::size_t(cr) * cc, kValid);
    std::atomic<bool> anyInvalid{false};
    tbb::parallel_for(tbb::blocked_range<int>(0, cr, 16), [&](const tbb::blocked_range<int>& rr) {
        bool invalidHere = false;
        for (int i = rr.begin(); i < rr.end(); ++i) {
            const std::size_t r0 = std::size_t(2 * i) * cols, r1 = r0 + cols;
            for (int j = 0; j < cc; ++j) {
                const std::size_t k = std::size_t(i) * cc + j;
                dst[k] = 0.25f * (filled[r0 + 2 * j] + filled[r0 + 2 * j + 1] + filled[r1 + 2 * j] +
                                  filled[r1 + 2 * j + 1]);
                if (!m.empty() &&
                    !(m[r0 + 2 * j] && m[r0 + 2 * j + 1] && m[r1 + 2 * j] && m[r1 + 2 * j + 1])) {
                    coarseMask_[k] = kInvalid;
                    invalidHere = true;
                }
            }
        }
        if (invalidHere)
            anyInvalid = true;
    });
    if (!anyInvalid)
        coarseMask_.clear();
    if (keep)
        *keep = std::move(filled);
    else
        filled.reset();
    coarse_ = std::make_unique<DebandSession>(coarse, 0, progress.sub(0.8, 1.0));
}

NotchSet DebandPreview::coarse_notches(const NotchSet& notches, std::size_t* skipped) {
    NotchSet out;
    std::size_t skip = 0;
    out.points.reserve(notches.points.size());
    for (PointNotch p : notches.points) {
        p.u *= 2;
        p.v *= 2;
        p.radius *= 2;
        // Beyond the half grid's Nyquist the box average has no such frequency of its own:
        // wrapping the notch would remove an unrelated (aliased) one instead.
        if (std::abs(p.u) > 0.5 || std::abs(p.v) > 0.5) {
            ++skip;
            continue;
        }
        out.points.push_back(p);
    }
    out.stripes.reserve(notches.stripes.size());
    for (StripeNotch s : notches.stripes) {
        // A line through DC keeps its angle; its sizes double like the frequencies. The part
        // beyond the half grid's Nyquist simply falls off the grid.
        s.width *= 2;
        s.softness *= 2;
        s.protect_radius *= 2;
        out.stripes.push_back(s);
    }
    if (skipped)
        *skipped = skip;
    return out;
}

std::size_t DebandPreview::apply_coarse(const NotchSet& notches, float* out) const {
    if (!coarse_)
        throw ArgumentError("deband preview: the area is too small for a coarse level");
    check_notches(notches); // the full-resolution set's errors, not the scaled one's
    std::size_t skipped = 0;
    coarse_->apply(coarse_notches(notches, &skipped), out);
    return skipped;
}

} // namespace rb::fft
