#pragma once
// Internal to the score module: a varied threshold's test (CloudInputPlanes::varied) and the
// spectral tests' values, as the bands' passes (cloud_lanes.cpp) and the verdicts from kept
// inputs (cloud_inputs.cpp, spectral_tests_again) both compute them, so that the two give the
// same verdicts bit for bit.
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

// How a varied threshold's test compares its value x with the threshold k (VariedTest).
enum class TestForm : std::uint8_t { None, Greater, Less, HotMin, NotAtLeast, Temporal };

// A varied threshold as the passes compare it (k2: the temporal cloud test's half
// threshold), the same floats as Constants holds.
struct VariedTest {
    CloudVaried varied = CloudVaried::None;
    TestForm form = TestForm::None;
    float k = 0, k2 = 0;
};

inline VariedTest varied_test(const CloudOptions& o, CloudVaried v) {
    switch (v) {
    case CloudVaried::SwirMin:
        return {v, TestForm::Greater, float_below(o.swir_min)};
    case CloudVaried::NdviMax:
        return {v, TestForm::Less, float_above(o.ndvi_max)};
    case CloudVaried::NirSwir1Min:
        return {v, TestForm::Greater, float_below(o.nir_swir1_min)};
    case CloudVaried::NdsiMax:
        return {v, TestForm::Less, float_above(o.ndsi_max)};
    case CloudVaried::WhitenessMax:
        return {v, TestForm::Less, float_above(o.whiteness_max)};
    case CloudVaried::HotMin:
        return {v, TestForm::HotMin, float(o.hot_min)};
    case CloudVaried::ThermalMax:
        return {v, TestForm::NotAtLeast, float_above(o.thermal_max)};
    case CloudVaried::TemporalCloud:
        return {v, TestForm::Temporal, float(o.temporal_cloud), 0.5f * float(o.temporal_cloud)};
    case CloudVaried::TemporalShadow:
        return {v, TestForm::Temporal, float(o.temporal_shadow)};
    default:
        break;
    }
    return {};
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
