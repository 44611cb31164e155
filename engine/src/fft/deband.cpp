// The deband operation: notches applied to every band of a raster, with nodata kept.

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

// ---- deband --------------------------------------------------------------------------

const ParamTable<DebandOptions>& DebandOptions::params() {
    static const ParamTable<DebandOptions> t = [] {
        ParamTable<DebandOptions> t;
        t.add(&DebandOptions::keep_dtype, "keep_dtype",
              "integer inputs: round and clamp to the input type (else Float32)");
        return t;
    }();
    return t;
}

namespace {

// Output sweep: normalizes the inverse (`scale`), rounds/clamps to T and writes valid pixels
// only, so invalid ones keep their values (the file's nodata).
template <class T>
void store_band(Raster& r, int b, const float* filtered, float scale,
                std::optional<double> nodata) {
    auto dst = r.band<T>(b);
    const auto m = std::as_const(r).mask(b);
    const std::size_t n = r.band_size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                      [&](const tbb::blocked_range<std::size_t>& rr) {
                          for (std::size_t i = rr.begin(); i < rr.end(); ++i) {
                              if (!m.empty() && !m[i])
                                  continue;
                              if constexpr (std::is_integral_v<T>) {
                                  constexpr double lo = double(std::numeric_limits<T>::lowest());
                                  constexpr double hi = double(std::numeric_limits<T>::max());
                                  double v =
                                      std::clamp(std::round(double(filtered[i] * scale)), lo, hi);
                                  // A valid value landing on nodata would vanish from the file.
                                  if (nodata && v == *nodata)
                                      v = *nodata < hi ? v + 1 : v - 1;
                                  dst[i] = T(v);
                              } else {
                                  if (std::isfinite(dst[i]))
                                      dst[i] = T(filtered[i] * scale);
                              }
                          }
                      });
}

} // namespace

void deband_in_place(Raster& r, const std::vector<NotchSet>& per_band, std::optional<double> nodata,
                     Progress progress) {
    if (r.empty())
        throw ArgumentError("deband of an empty raster");
    if (int(per_band.size()) != r.bands())
        throw ArgumentError("deband: " + std::to_string(per_band.size()) + " notch sets for " +
                            std::to_string(r.bands()) + " bands");
    for (const auto& n : per_band)
        check_notches(n);
    const int rows = r.rows(), cols = r.cols();
    const std::size_t n = r.band_size();
    const Transform2D t(rows, cols);
    cfloat* half = scratch(t.half_size());
    const double nb = r.bands();
    const float scale = 1.0f / float(n);
    for (int b = 0; b < r.bands(); ++b) {
        Progress p = progress.sub(b / nb, (b + 1) / nb);
        // A Float32 band that needs no fill is transformed from, and back into, its own
        // buffer: the whole-scene cost is then the two transforms and one scaling sweep.
        // Anything else goes through a float copy (filled) and an output sweep that rounds,
        // clamps and leaves invalid pixels as they were.
        // (The const mask(): the other one creates an all-valid mask, which sent every band
        // down the copy path and added a byte per pixel.)
        bool direct = r.dtype() == DataType::Float32 && std::as_const(r).mask(b).empty() &&
                      Transform2D::aligned(r.band<float>(b).data());
        RealBuffer copy;
        float* data = nullptr;
        if (direct) {
            // No separate finiteness sweep: a NaN or infinity anywhere reaches the DC bin
            // (the sum of all samples), so a non-finite DC sends the band to the filled copy
            // path below. The forward transform leaves its input intact.
            data = r.band<float>(b).data();
            t.forward(data, half);
            if (!std::isfinite(half[0].real()) || !std::isfinite(half[0].imag()))
                direct = false;
        }
        if (!direct) {
            copy = band_as_float(r, b, true);
            data = copy.get();
            p.report(0.2);
            t.forward(data, half);
        }
        p.report(0.5);
        apply_mask(half, rows, cols, per_band[std::size_t(b)]);
        p.check();
        t.inverse(half, data);
        p.report(0.9);
        if (direct) {
            tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                              [&](const tbb::blocked_range<std::size_t>& rr) {
                                  for (std::size_t i = rr.begin(); i < rr.end(); ++i)
                                      data[i] *= scale;
                              });
        } else {
            visit_dtype(r.dtype(),
                        [&](auto x) { store_band<decltype(x)>(r, b, data, scale, nodata); });
        }
        p.report(1.0);
    }
}

Raster deband(const Raster& src, const std::vector<NotchSet>& per_band, const DebandOptions& o,
              std::optional<double> nodata, Progress progress) {
    if (src.empty())
        throw ArgumentError("deband of an empty raster");
    Raster out;
    if (o.keep_dtype || src.dtype() == DataType::Float32) {
        out = src;
    } else {
        out = Raster(DataType::Float32, src.bands(), src.rows(), src.cols());
        for (int b = 0; b < src.bands(); ++b)
            for (int i = 0; i < src.rows(); ++i)
                for (int j = 0; j < src.cols(); ++j)
                    out.set_value(b, i, j, src.value(b, i, j));
        if (src.has_mask())
            for (int b = 0; b < src.bands(); ++b) {
                const auto m = src.mask(b);
                std::copy(m.begin(), m.end(), out.mask(b).begin());
            }
    }
    deband_in_place(out, per_band, nodata, std::move(progress));
    return out;
}

Raster deband(const Raster& src, const NotchSet& notches, const DebandOptions& o,
              std::optional<double> nodata, Progress progress) {
    return deband(src, std::vector<NotchSet>(std::size_t(std::max(0, src.bands())), notches), o,
                  nodata, std::move(progress));
}

} // namespace rb::fft
