#pragma once
// Internal to the score module: a varied threshold's test (CloudInputPlanes::varied) as the
// bands' passes (cloud_lanes.cpp) and the verdicts from kept inputs (cloud_inputs.cpp) both
// compare it, so that the two give the same verdicts bit for bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "cloud_lanes.h"

namespace rb::detail {

inline float clamp01(float x) {
    return std::clamp(x, 0.0f, 1.0f);
}

// How a varied threshold's test compares its value x with the threshold k (VariedTest).
// Shadow: the single date's shadow test, x < k.
enum class TestForm : std::uint8_t { None, Greater, Less, HotMin, NotAtLeast, Temporal, Shadow };

// Whether a form is a spectral test's (a potential cloud pixel passes all of them).
inline bool spectral_form(TestForm f) {
    return f == TestForm::Greater || f == TestForm::Less || f == TestForm::HotMin ||
           f == TestForm::NotAtLeast;
}

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
    case CloudVaried::ShadowNirMax:
        return {v, TestForm::Shadow, float_above(o.shadow_nir_max)};
    case CloudVaried::ShadowSwir1Max:
        return {v, TestForm::Shadow, float_above(o.shadow_swir1_max)};
    case CloudVaried::None:
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

// `bits` (0 or 1 per pixel, or the class bits) with bit `shift` cleared where the spectral test
// fails. The form is a template argument so that each loop vectorizes.
template <TestForm kForm>
[[gnu::always_inline]] inline void clear_failed(const float* __restrict x, float k, int shift,
                                                std::size_t len, std::int32_t* __restrict bits) {
    for (std::size_t j = 0; j < len; ++j) {
        const std::int32_t fails = passes<kForm>(x[j], k) ? 0 : 1;
        bits[j] &= ~(fails << shift);
    }
}

[[gnu::always_inline]] inline void clear_failed(TestForm form, const float* x, float k, int shift,
                                                std::size_t len, std::int32_t* bits) {
    switch (form) {
    case TestForm::Greater:
        return clear_failed<TestForm::Greater>(x, k, shift, len, bits);
    case TestForm::Less:
        return clear_failed<TestForm::Less>(x, k, shift, len, bits);
    case TestForm::HotMin:
        return clear_failed<TestForm::HotMin>(x, k, shift, len, bits);
    case TestForm::NotAtLeast:
        return clear_failed<TestForm::NotAtLeast>(x, k, shift, len, bits);
    default:
        return;
    }
}

} // namespace rb::detail
