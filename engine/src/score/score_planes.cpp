// The planes a score keeps between parameter changes (ScorePlanes) and the score raster made
// straight from them.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "pixel_util.h"
#include "rasterbench/score.h"
#include "scorer_impl.h"

namespace rb::detail {

void band_plane(const Raster& scene, int band, float scale, float offset, std::vector<float>& out) {
    out.resize(scene.band_size());
    visit_dtype(scene.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto src = scene.band<T>(band);
        float* __restrict dst = out.data();
        for (std::size_t i = 0; i < out.size(); ++i)
            dst[i] = scale * static_cast<float>(src[i]) + offset;
    });
}

// The brightest data band of each pixel as a float, where that is exact (types of 16 bits or
// fewer, Float32; NaN ignored): "any band >= v" is "brightest >= v". Empty otherwise.
std::vector<float> brightest_band(const Raster& scene, const std::vector<int>& bands) {
    std::vector<float> out;
    if (!(scene.dtype() == DataType::Float32 ||
          (!is_floating(scene.dtype()) && dtype_size(scene.dtype()) <= 2)))
        return out;
    out.assign(scene.band_size(), -std::numeric_limits<float>::infinity());
    visit_dtype(scene.dtype(), [&](auto x) {
        using T = decltype(x);
        for (int b : bands) {
            const auto d = scene.band<T>(b);
            for (std::size_t i = 0; i < out.size(); ++i) {
                const float v = float(d[i]);
                out[i] = v > out[i] ? v : out[i]; // false for NaN: kept out
            }
        }
    });
    return out;
}

// Distances below the cap are exact, so a plane made with a larger cap serves; a new one
// is made with room (at least 32) for the next few changes.
const std::vector<std::uint16_t>& distance_plane(ScorePlanes& planes, int invalid_distance) {
    const int cap = invalid_distance + 1;
    if (planes.distance.empty() || planes.distance_cap < cap) {
        planes.distance_cap = std::min(65534, std::max(cap, 32));
        planes.distance =
            chessboard_distance(planes.valid, planes.rows, planes.cols, planes.distance_cap);
    }
    return planes.distance;
}

// The score raster straight from kept planes: the method's score minus the penalties, with
// apply_penalties()' and finish()'s arithmetic in one pass instead of a copy of the method's
// score and two more passes over it (a penalty change in the Score panel is this pass alone).
// False, with nothing written, where the saturation penalty has no brightest plane (32-bit
// and wider integer data): apply_penalties() then tests every band.
bool finish_from_planes(const ScorerImpl& s, const Raster& scene, ScorePlanes& planes, Raster& r) {
    const PenaltyOptions& p = s.options.penalties;
    const bool saturation = p.saturation_value > 0 && p.saturation_penalty > 0;
    const bool distance = p.invalid_distance > 0 && p.invalid_distance_penalty > 0;
    if (saturation && planes.brightest.empty())
        planes.brightest = brightest_band(scene, s.data_bands);
    if (saturation && planes.brightest.empty())
        return false;
    const std::vector<std::uint8_t>& valid = planes.valid;
    const std::uint16_t* dist =
        distance ? distance_plane(planes, p.invalid_distance).data() : nullptr;
    r.reset(DataType::Float32, 1, scene.rows(), scene.cols());
    const std::size_t n = valid.size();
    float* dst = r.band<float>(0).data();
    const float* method = planes.method_score.data();
    const float* bright = saturation ? planes.brightest.data() : nullptr;
    const double sat_value = p.saturation_value;
    const float sat_pen = float(p.saturation_penalty);
    const float D = float(p.invalid_distance);
    const float w = float(p.invalid_distance_penalty);
    const int dmax = p.invalid_distance;
    const float lowest = std::numeric_limits<float>::lowest();
    const bool nan_is_invalid = std::holds_alternative<MaskOptions>(s.options.method) &&
                                std::get<MaskOptions>(s.options.method).mode == "values";
    const bool all_valid =
        !nan_is_invalid && std::memchr(valid.data(), kInvalid, valid.size()) == nullptr;
    // Subtracting 0 leaves every value as it was (-0 included), so the penalties are
    // branch-free; the flags are template arguments so each loop vectorizes alone.
    auto run = [&](auto with_saturation, auto with_distance) {
        auto penalized = [&](std::size_t i) {
            float v = method[i];
            if constexpr (decltype(with_saturation)::value)
                v -= double(bright[i]) >= sat_value ? sat_pen : 0.0f;
            if constexpr (decltype(with_distance)::value) {
                const int d = dist[i];
                v -= d >= 1 && d <= dmax ? w * (D + 1 - float(d)) / D : 0.0f;
            }
            return v;
        };
        if (all_valid) {
            for (std::size_t i = 0; i < n; ++i) {
                const float v = penalized(i);
                dst[i] = v > kInvalidScore ? v : lowest;
            }
            return;
        }
        if (!nan_is_invalid) {
            // Some pixel is invalid, so finish() would have made the mask: the same mask
            // and scores, branch-free.
            std::uint8_t* m = r.mask(0).data();
            for (std::size_t i = 0; i < n; ++i) {
                const float v = penalized(i);
                const bool ok = valid[i] != 0;
                dst[i] = ok ? (v > kInvalidScore ? v : lowest) : kInvalidScore;
                m[i] = ok ? kValid : kInvalid;
            }
            return;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const float v = penalized(i);
            if (!valid[i] || std::isnan(v)) {
                dst[i] = kInvalidScore;
                r.mask(0)[i] = kInvalid; // the mask is made on the first invalid pixel only
                continue;
            }
            dst[i] = v > kInvalidScore ? v : lowest;
        }
    };
    using Yes = std::true_type;
    using No = std::false_type;
    if (saturation && distance)
        run(Yes{}, Yes{});
    else if (saturation)
        run(Yes{}, No{});
    else if (distance)
        run(No{}, Yes{});
    else if (nan_is_invalid)
        run(No{}, No{});
    else
        finish_unpenalized(valid.data(), method, all_valid, 0, n, r);
    return true;
}

bool has_penalties(const PenaltyOptions& p) {
    return (p.saturation_value > 0 && p.saturation_penalty > 0) ||
           (p.invalid_distance > 0 && p.invalid_distance_penalty > 0);
}

void finish_unpenalized(const std::uint8_t* valid, const float* method, bool all_valid,
                        std::size_t i0, std::size_t i1, Raster& r) {
    const float lowest = std::numeric_limits<float>::lowest();
    float* dst = r.band<float>(0).data();
    if (all_valid) {
        for (std::size_t i = i0; i < i1; ++i) {
            const float v = method[i];
            dst[i] = v > kInvalidScore ? v : lowest;
        }
        return;
    }
    // finish()'s mask and scores where some pixel is invalid, branch-free.
    std::uint8_t* m = r.mask(0).data();
    for (std::size_t i = i0; i < i1; ++i) {
        const float v = method[i];
        const bool ok = valid[i] != 0;
        dst[i] = ok ? (v > kInvalidScore ? v : lowest) : kInvalidScore;
        m[i] = ok ? kValid : kInvalid;
    }
}

} // namespace rb::detail
