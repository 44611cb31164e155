#pragma once
// Internal to the cloud passes: what the bands' pass (cloud_lanes.cpp) and the tests it makes
// again from the bands (cloud_tests_again.cpp) share, so that both convert the bands and
// accumulate the temporal sums alike, and give the same verdicts bit for bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "rasterbench/raster.h"

#include "cloud_lanes.h"

namespace rb::detail {

// Pixels per block: a block's working rows (a dozen of them) stay in the first-level cache.
// The passes are always inlined: their entry points are compiled twice (target_clones), and
// each copy must hold its own passes, in its own lane width.
inline constexpr std::size_t kBlock = 256;

// Pixels [i0, i0 + len) of `b` into `dst` under its map (band_plane's formula); false,
// and nothing read, for a band the scene does not have. T is the band's stored type, or void
// for any (a call through visit_dtype per block and band). A known type matters: the
// conversion then belongs to the AVX2 copy of the passes, while visit_dtype's lambdas are
// compiled once, for the default target (a perf profile of threshold changes in
// bench_score_preview put 15 % of the samples in that call).
template <class T>
[[gnu::always_inline]] inline bool load(const LaneBand& b, std::size_t i0, std::size_t len,
                                        float* dst) {
    if (!b.data)
        return false;
    const float scale = b.scale, offset = b.offset;
    auto convert = [&](auto x) {
        using S = decltype(x);
        const S* src = static_cast<const S*>(b.data) + i0;
        for (std::size_t j = 0; j < len; ++j)
            dst[j] = scale * static_cast<float>(src[j]) + offset;
    };
    if constexpr (std::is_void_v<T>)
        visit_dtype(b.dtype, convert);
    else
        convert(T{});
    return true;
}

// f(std::type_identity<T>{}) for the stored types that get passes of their own (the types of
// Landsat and Sentinel-2 products, of 8-bit and of float scenes) where every band read is
// stored as `t` (`uniform`); else f(std::type_identity<void>{}): the passes that convert any
// type through visit_dtype.
template <class F> void with_pass_type(DataType t, bool uniform, F&& f) {
    if (uniform) {
        switch (t) {
        case DataType::UInt8:
            return f(std::type_identity<std::uint8_t>{});
        case DataType::UInt16:
            return f(std::type_identity<std::uint16_t>{});
        case DataType::Int16:
            return f(std::type_identity<std::int16_t>{});
        case DataType::Float32:
            return f(std::type_identity<float>{});
        default:
            break;
        }
    }
    f(std::type_identity<void>{});
}

// The temporal tests' sums of a block (temporal_verdict's, band by band: the accumulations
// keep its order), into rows of kBlock floats: the brightest excess over the background, the
// sums of the date's and of the background's visible bands and, with kSq, of the squared
// differences. `back0` keeps the first band's background (known where a number); `date` and
// `back` are working rows.
struct TemporalRows {
    float *date, *back, *back0, *excess, *vis, *bg, *sq;
};

template <class T, bool kSq>
[[gnu::always_inline]] inline void temporal_sums(const LaneTemporal& t, std::size_t i0,
                                                 std::size_t len, const TemporalRows& r) {
    const std::size_t nv = t.vis.size();
    for (std::size_t band = 0; band < nv; ++band) {
        // As temporal_planes makes them: the date's reflectance over its gain, and the
        // background's reflectance.
        load<T>(t.vis[band], i0, len, r.date);
        const float gain = t.gains[band];
        for (std::size_t j = 0; j < len; ++j)
            r.date[j] /= gain;
        float* bg = band == 0 ? r.back0 : r.back;
        load<float>(LaneBand{DataType::Float32, t.background[band], t.scale, t.offset}, i0, len,
                    bg);
        const float* vis = r.date;
        if (band == 0) {
            // The sums start from the first band instead of from zeroed rows: GCC turned
            // those zeroing loops into a memset per block (rep stos, 7 % of the passes' time
            // in a perf profile). 0 + x, as the sums' first step, keeps their numbers (-0
            // included).
            for (std::size_t j = 0; j < len; ++j) {
                const float d = vis[j] - bg[j];
                r.excess[j] = std::max(-1e30f, d);
                r.vis[j] = 0.0f + vis[j];
                r.bg[j] = 0.0f + bg[j];
                if constexpr (kSq)
                    r.sq[j] = 0.0f + d * d;
            }
            continue;
        }
        for (std::size_t j = 0; j < len; ++j) {
            const float d = vis[j] - bg[j];
            r.excess[j] = std::max(r.excess[j], d);
            r.vis[j] += vis[j];
            r.bg[j] += bg[j];
            if constexpr (kSq)
                r.sq[j] += d * d;
        }
    }
}

// Whether every band the passes read is stored as `t`.
bool stored_as(DataType t, const CloudBands& b, const LaneTemporal* temporal);

} // namespace rb::detail
