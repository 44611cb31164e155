// Fmask's scene-wide statistics of the clear-sky pixels, computed once per scorer and date
// from the scene's sample (a read of at most 128 pixels a side), so every block and every
// view of a scene is judged against the same thresholds.
#include "cloud_fmask.h"

#include <algorithm>
#include <vector>

#include "pixel_util.h"
#include "scorer_impl.h"

namespace rb::detail {

namespace {

// Fewer clear pixels than this in the sample give percentiles too coarse to set thresholds
// on: the scene then keeps the fixed probabilities (land) or the land statistics (water).
constexpr std::size_t kMinClearPixels = 50;

float percentile(std::vector<float>& v, double q) {
    const auto k = std::size_t(q * double(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

} // namespace

CloudSceneStats cloud_scene_stats(const ScorerImpl& s, const CloudOptions& o,
                                  const Raster* sample_in, double thermal_median) {
    CloudSceneStats st;
    const BandRoles& roles = s.roles;
    if (!sample_in || std::isnan(thermal_median) || !roles.has(BandRole::Red) ||
        !roles.has(BandRole::Nir) || !roles.has(BandRole::Swir1))
        return st;
    const Raster& sample = *sample_in;
    if (sample.bands() != s.layout.count)
        return st;
    std::vector<std::uint8_t> valid;
    pixel_validity_into(sample, valid);
    const std::size_t n = valid.size();
    const float sc = float(s.refl_scale), off = float(o.reflectance_offset);
    auto plane = [&](BandRole r, bool reflectance) {
        std::vector<float> v;
        if (!roles.has(r))
            return v;
        const auto src = band_as_float(sample, roles[r]);
        v.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            v[i] = reflectance ? sc * src[i] + off
                               : float(src[i] * o.thermal_scale + o.thermal_offset);
        return v;
    };
    const auto blue = plane(BandRole::Blue, true), green = plane(BandRole::Green, true),
               red = plane(BandRole::Red, true), nir = plane(BandRole::Nir, true),
               sw1 = plane(BandRole::Swir1, true), sw2 = plane(BandRole::Swir2, true),
               cirrus = plane(BandRole::Cirrus, true), temp = plane(BandRole::Thermal, false);
    auto pixel = [&](std::size_t i) {
        CloudPixel x = cloud_pixel(blue, green, red, nir, sw1, sw2, i);
        const double t = temp[i];
        if (t >= kMinCelsius && t <= kMaxCelsius)
            x.celsius = float(t);
        return x;
    };
    std::vector<std::size_t> land, water;
    std::vector<float> t_land, t_water;
    for (std::size_t i = 0; i < n; ++i) {
        if (!valid[i])
            continue;
        const CloudPixel x = pixel(i);
        if (std::isnan(x.celsius))
            continue;
        const CloudSpectral c = cloud_spectral(o, x);
        if (c.pcp)
            continue;
        (c.water ? water : land).push_back(i);
        (c.water ? t_water : t_land).push_back(x.celsius);
    }
    if (land.size() < kMinClearPixels) {
        // Too little clear land (a scene of sea and cloud): Fmask then takes the land's
        // temperatures from every clear pixel.
        land.insert(land.end(), water.begin(), water.end());
        t_land.insert(t_land.end(), t_water.begin(), t_water.end());
    }
    if (land.size() < kMinClearPixels)
        return st;
    st.land = true;
    st.land_low = percentile(t_land, kClearLow);
    st.land_high = percentile(t_land, kClearHigh);
    if (water.size() >= kMinClearPixels) {
        st.water = true;
        st.water_high = percentile(t_water, kClearHigh);
    }
    auto probabilities = [&](const std::vector<std::size_t>& idx) {
        std::vector<float> p;
        p.reserve(idx.size());
        for (std::size_t i : idx) {
            const CloudPixel x = pixel(i);
            bool over_water = false;
            float v = fmask_probability(o, st, x, cloud_spectral(o, x), &over_water);
            if (!cirrus.empty())
                v += fmask_thin_probability(o, cirrus[i]);
            p.push_back(v);
        }
        return p;
    };
    auto land_p = probabilities(land);
    st.land_threshold = percentile(land_p, kClearHigh) + float(o.cloud_margin);
    if (st.water) {
        auto water_p = probabilities(water);
        st.water_threshold = percentile(water_p, kClearHigh) + float(o.cloud_margin);
    }
    return st;
}

} // namespace rb::detail
