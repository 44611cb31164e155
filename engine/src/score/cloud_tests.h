#pragma once
// Internal to the score module: the spectral tests' values and thresholds, as the bands'
// passes (cloud_lanes.cpp) and the tests made again for the kept inputs (cloud_tests_again.cpp)
// both compute them, so that the two give the same verdicts bit for bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cloud_lanes.h"

namespace rb::detail {

inline float clamp01(float x) {
    return std::clamp(x, 0.0f, 1.0f);
}

// The spectral tests' values (cloud_spectral's), as the bands' passes and the spectral tests
// made again (spectral_tests_again) both compute them, so that the two agree bit for bit.
[[gnu::always_inline]] inline float ndvi_of(float red, float nir) {
    return (nir - red) / std::max(nir + red, 1e-6f);
}
[[gnu::always_inline]] inline float nir_swir1_of(float nir, float swir1) {
    return nir / std::max(swir1, 1e-6f);
}
[[gnu::always_inline]] inline float ndsi_of(float green, float swir1) {
    return (green - swir1) / std::max(green + swir1, 1e-6f);
}
[[gnu::always_inline]] inline float hot_of(float blue, float red) {
    return blue - 0.5f * red;
}

// How a spectral test compares its value x with its threshold k.
enum class TestForm : std::uint8_t { Greater, Less, HotMin, NotAtLeast };

// A spectral test's threshold as the passes compare it: the same float as Constants holds.
inline float spectral_threshold(const CloudOptions& o, CloudVaried v) {
    switch (v) {
    case CloudVaried::SwirMin:
        return float_below(o.swir_min);
    case CloudVaried::NdviMax:
        return float_above(o.ndvi_max);
    case CloudVaried::NirSwir1Min:
        return float_below(o.nir_swir1_min);
    case CloudVaried::NdsiMax:
        return float_above(o.ndsi_max);
    case CloudVaried::WhitenessMax:
        return float_above(o.whiteness_max);
    case CloudVaried::HotMin:
        return float(o.hot_min);
    case CloudVaried::ThermalMax:
        return float_above(o.thermal_max);
    default:
        return 0;
    }
}

// Whether a spectral test with value x passes (what spectral() computes).
template <TestForm kForm> [[gnu::always_inline]] inline bool passes(float x, float k) {
    if constexpr (kForm == TestForm::Greater)
        return x > k;
    else if constexpr (kForm == TestForm::Less)
        return x < k;
    else if constexpr (kForm == TestForm::HotMin)
        return x - k > 0;
    else
        return !(x >= k);
}

} // namespace rb::detail
