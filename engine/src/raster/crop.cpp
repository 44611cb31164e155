#include "rasterbench/crop.h"

#include <tbb/parallel_for.h>

#include <cstring>
#include <string>

#include "rasterbench/error.h"

namespace rb {

Raster subsample(const Raster& r, int step) {
    if (step < 1)
        throw ArgumentError("subsample: step " + std::to_string(step) + " is not positive");
    const int rows = (r.rows() + step - 1) / step, cols = (r.cols() + step - 1) / step;
    Raster out(r.dtype(), r.bands(), rows, cols);
    const auto in_cols = std::size_t(r.cols()), out_cols = std::size_t(cols);
    const auto st = std::size_t(step);
    // One typed strided copy per plane (a per-sample memcpy of a runtime size would cost
    // more than the coarse preview saves).
    auto plane = [&](const auto* src, auto* dst) {
        for (std::size_t y = 0; y < std::size_t(rows); ++y) {
            const auto* s = src + y * st * in_cols;
            auto* d = dst + y * out_cols;
            for (std::size_t x = 0; x < out_cols; ++x)
                d[x] = s[x * st];
        }
    };
    // Memory-bound: bands (and their masks) in parallel; the mask is allocated first, since
    // Raster::mask() would otherwise create it from several threads.
    const bool masked = r.has_mask();
    if (masked)
        out.ensure_mask();
    tbb::parallel_for(0, r.bands() * (masked ? 2 : 1), [&](int k) {
        const int b = k % r.bands();
        if (k >= r.bands())
            plane(r.mask(b).data(), out.mask(b).data());
        else
            visit_dtype(r.dtype(), [&](auto tag) {
                using T = decltype(tag);
                plane(r.band<T>(b).data(), out.band<T>(b).data());
            });
    });
    return out;
}

Raster crop(const Raster& r, const Window& w) {
    w.require_inside(r.cols(), r.rows());
    Raster out(r.dtype(), r.bands(), int(w.height), int(w.width));
    const std::size_t es = dtype_size(r.dtype());
    for (int b = 0; b < r.bands(); ++b) {
        const std::byte* src = r.bytes() + r.band_size() * std::size_t(b) * es;
        std::byte* dst = out.bytes() + out.band_size() * std::size_t(b) * es;
        for (std::int64_t y = 0; y < w.height; ++y)
            std::memcpy(dst + std::size_t(y) * std::size_t(w.width) * es,
                        src + (std::size_t(w.row_off + y) * std::size_t(r.cols()) +
                               std::size_t(w.col_off)) *
                                  es,
                        std::size_t(w.width) * es);
    }
    if (r.has_mask()) {
        for (int b = 0; b < r.bands(); ++b) {
            const auto src = r.mask(b);
            auto dst = out.mask(b);
            for (std::int64_t y = 0; y < w.height; ++y)
                std::memcpy(dst.data() + std::size_t(y) * std::size_t(w.width),
                            src.data() + std::size_t(w.row_off + y) * std::size_t(r.cols()) +
                                std::size_t(w.col_off),
                            std::size_t(w.width));
        }
    }
    return out;
}

} // namespace rb
