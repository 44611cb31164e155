// Tests the bands' pass makes (cloud_lanes.cpp) made again for the kept inputs
// (cloud_inputs.cpp), with the pass's own conversions and sums: spectral and single-date
// shadow tests whose thresholds moved (moved_tests_again), and temporal ones
// (temporal_tests_again).
#include <algorithm>

#include "cloud_lane_rows.h"
#include "cloud_lanes.h"
#include "cloud_tests.h"
#include "scorer_impl.h"

namespace rb::detail {

namespace {

// spectral()'s tests of `moved` alone, a block at a time: 1 in `pass` where they all pass;
// and the single date's shadow test into `shadow` where moved too (verdicts()'s).
template <class T>
[[gnu::always_inline]] inline void
tests_again(const CloudOptions& o, const CloudBands& b, std::uint16_t moved, std::size_t i0,
            std::size_t len, std::int32_t* __restrict pass, std::int32_t* __restrict shadow) {
    alignas(64) float x[kBlock], y[kBlock], z[kBlock], vm[kBlock];
    auto has = [&](CloudVaried v) { return (moved & moved_bit_of(v)) != 0; };
    auto test = [&](CloudVaried v) { return spectral_threshold(o, v); };
    if (moved & kShadowMoved) {
        load<T>(b.nir, i0, len, x);
        load<T>(b.swir1, i0, len, y);
        const float nir_max = float_above(o.shadow_nir_max);
        const float swir1_max = float_above(o.shadow_swir1_max);
        for (std::size_t j = 0; j < len; ++j)
            shadow[j] = (x[j] < nir_max) & (y[j] < swir1_max);
    }
    std::fill(pass, pass + len, 1);
    if (has(CloudVaried::SwirMin)) {
        load<T>(b.swir2.data ? b.swir2 : b.swir1, i0, len, x);
        const float k = test(CloudVaried::SwirMin);
        for (std::size_t j = 0; j < len; ++j)
            pass[j] &= x[j] > k;
    }
    if (has(CloudVaried::NdviMax)) {
        load<T>(b.red, i0, len, x);
        load<T>(b.nir, i0, len, y);
        const float k = test(CloudVaried::NdviMax);
        for (std::size_t j = 0; j < len; ++j)
            pass[j] &= ndvi_of(x[j], y[j]) < k;
    }
    if (has(CloudVaried::NirSwir1Min)) {
        load<T>(b.nir, i0, len, x);
        load<T>(b.swir1, i0, len, y);
        const float k = test(CloudVaried::NirSwir1Min);
        for (std::size_t j = 0; j < len; ++j)
            pass[j] &= nir_swir1_of(x[j], y[j]) > k;
    }
    if (has(CloudVaried::NdsiMax) && load<T>(b.green, i0, len, x)) {
        load<T>(b.swir1, i0, len, y);
        const float k = test(CloudVaried::NdsiMax);
        for (std::size_t j = 0; j < len; ++j)
            pass[j] &= ndsi_of(x[j], y[j]) < k;
    }
    const int vis_n = 1 + (b.blue.data != nullptr) + (b.green.data != nullptr);
    if (has(CloudVaried::WhitenessMax) && vis_n >= 2) {
        // spectral()'s sums, in its order.
        const float vis_nf = float(vis_n);
        const float* blue = load<T>(b.blue, i0, len, y) ? y : nullptr;
        const float* green = load<T>(b.green, i0, len, z) ? z : nullptr;
        load<T>(b.red, i0, len, x);
        for (std::size_t j = 0; j < len; ++j)
            vm[j] = x[j];
        if (blue)
            for (std::size_t j = 0; j < len; ++j)
                vm[j] += blue[j];
        if (green)
            for (std::size_t j = 0; j < len; ++j)
                vm[j] += green[j];
        for (std::size_t j = 0; j < len; ++j) {
            vm[j] /= vis_nf;
            x[j] = std::abs(x[j] - vm[j]);
        }
        if (blue)
            for (std::size_t j = 0; j < len; ++j)
                x[j] += std::abs(blue[j] - vm[j]);
        if (green)
            for (std::size_t j = 0; j < len; ++j)
                x[j] += std::abs(green[j] - vm[j]);
        const float k = test(CloudVaried::WhitenessMax);
        for (std::size_t j = 0; j < len; ++j) {
            const float sum = x[j] / std::max(vm[j], 1e-6f);
            pass[j] &= sum / vis_nf < k;
        }
    }
    if (has(CloudVaried::HotMin) && load<T>(b.blue, i0, len, x)) {
        load<T>(b.red, i0, len, y);
        const float k = test(CloudVaried::HotMin);
        for (std::size_t j = 0; j < len; ++j)
            pass[j] &= passes<TestForm::HotMin>(hot_of(x[j], y[j]), k);
    }
    if (has(CloudVaried::ThermalMax) && load<T>(b.thermal, i0, len, x)) {
        const double scale = o.thermal_scale, offset = o.thermal_offset;
        const float k = test(CloudVaried::ThermalMax);
        for (std::size_t j = 0; j < len; ++j) {
            const double t = x[j] * scale + offset;
            const bool in = (t >= kMinCelsius) & (t <= kMaxCelsius);
            pass[j] &= !in | (float(t) < k);
        }
    }
}

template <class T>
__attribute__((target_clones("avx2", "default"))) void
typed_tests_again(const CloudOptions& o, const CloudBands& b, std::uint16_t moved,
                  std::size_t begin, std::size_t end, std::int32_t* pass, std::int32_t* shadow) {
    for (std::size_t i0 = begin; i0 < end; i0 += kBlock)
        tests_again<T>(o, b, moved, i0, std::min(kBlock, end - i0), pass + (i0 - begin),
                       shadow + (i0 - begin));
}

// temporal()'s tests of `moved` alone, a block at a time (kTemporalMoved): the cloud test's
// outcomes into `hi` and `mid`, the shadow test's into `shadow`.
template <class T>
[[gnu::always_inline]] inline void
temporal_again(const CloudOptions& o, const LaneTemporal& t, std::uint16_t moved, std::size_t i0,
               std::size_t len, std::int32_t* __restrict hi, std::int32_t* __restrict mid,
               std::int32_t* __restrict shadow) {
    alignas(64) float date[kBlock], back[kBlock], back0[kBlock], excess[kBlock], vis[kBlock],
        bg[kBlock];
    temporal_sums<T, false>(t, i0, len, {date, back, back0, excess, vis, bg, nullptr});
    const float nvf = float(t.vis.size());
    const float t_cloud = float(o.temporal_cloud), half_cloud = 0.5f * t_cloud;
    const float t_shadow = float(o.temporal_shadow);
    if (moved & kTemporalCloudMoved)
        for (std::size_t j = 0; j < len; ++j) {
            const float margin = kGainMargin * (bg[j] / nvf);
            hi[j] = excess[j] > t_cloud + margin;
            mid[j] = excess[j] > half_cloud + margin;
        }
    if (moved & kTemporalShadowMoved)
        for (std::size_t j = 0; j < len; ++j) {
            const float vis_mean = vis[j] / nvf, bg_mean = bg[j] / nvf;
            const float margin = kGainMargin * bg_mean;
            shadow[j] = bg_mean - vis_mean > t_shadow + margin;
        }
}

template <class T>
__attribute__((target_clones("avx2", "default"))) void
typed_temporal_again(const CloudOptions& o, const LaneTemporal& t, std::uint16_t moved,
                     std::size_t begin, std::size_t end, std::int32_t* hi, std::int32_t* mid,
                     std::int32_t* shadow) {
    for (std::size_t i0 = begin; i0 < end; i0 += kBlock) {
        const std::size_t at = i0 - begin;
        temporal_again<T>(o, t, moved, i0, std::min(kBlock, end - i0), hi + at, mid + at,
                          shadow + at);
    }
}

} // namespace

void moved_tests_again(const CloudOptions& o, const CloudBands& b, std::uint16_t moved,
                       std::size_t begin, std::size_t end, std::int32_t* pass,
                       std::int32_t* shadow) {
    with_pass_type(b.red.dtype, stored_as(b.red.dtype, b, nullptr), [&](auto type) {
        typed_tests_again<typename decltype(type)::type>(o, b, moved, begin, end, pass, shadow);
    });
}

void temporal_tests_again(const CloudOptions& o, const LaneTemporal& t, std::uint16_t moved,
                          std::size_t begin, std::size_t end, std::int32_t* hi, std::int32_t* mid,
                          std::int32_t* shadow) {
    const DataType type = t.vis.empty() ? DataType::Float32 : t.vis.front().dtype;
    with_pass_type(type, stored_as(type, CloudBands{}, &t), [&](auto x) {
        typed_temporal_again<typename decltype(x)::type>(o, t, moved, begin, end, hi, mid, shadow);
    });
}

} // namespace rb::detail
