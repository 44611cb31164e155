#pragma once
// Landsat Collection 1 quality bands (BQA) as a cloud reference, and the agreement of a
// cloud score with it. Qt-free: shared by the accuracy test and bench_cloud_accuracy.
//
// BQA bits (USGS Landsat Collection 1 Level-1 quality band): bit 0 designated fill,
// bit 4 cloud, bits 5-6 cloud confidence (0 none, 1 low, 2 medium, 3 high).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/score.h"

namespace rbtest {

/// Landsat 8 Collection 1 Level-1 reflectance rescaling, the same for bands 1-9 in every
/// MTL (REFLECTANCE_MULT_BAND_n = 2.0E-05, REFLECTANCE_ADD_BAND_n = -0.100000): top of
/// atmosphere reflectance without the sun-angle correction.
inline constexpr double kL8ReflectanceMult = 2.0e-5;
inline constexpr double kL8ReflectanceAdd = -0.1;

/// Band 10 digital numbers to brightness temperature in degrees C, linearised: the MTL's
/// RADIANCE_MULT_BAND_10 = 3.3420E-04, RADIANCE_ADD_BAND_10 = 0.10000, K1 = 774.8853,
/// K2 = 1321.0789 give T = K2 / ln(K1 / L + 1) - 273.15; the line through its values at
/// 18000 (-0.75 C) and 30000 (30.5 C) digital numbers is within about 1 C of it between
/// them (what thermal_scale/offset can express).
inline constexpr double kL8ThermalScale = 0.0026042;
inline constexpr double kL8ThermalOffset = -47.6;

inline bool bqa_fill(std::uint16_t q) {
    return (q & 1u) != 0;
}
/// Medium or high cloud confidence.
inline bool bqa_cloud(std::uint16_t q) {
    return ((q >> 5) & 3u) >= 2;
}

struct CloudAgreement {
    std::size_t pixels = 0, tp = 0, fp = 0, fn = 0, tn = 0;
    double agreement() const { return pixels ? double(tp + tn) / double(pixels) : 0; }
    /// 1 when nothing is flagged and nothing should be (no cloud at all).
    double precision() const { return tp + fp ? double(tp) / double(tp + fp) : (fn ? 0 : 1); }
    double recall() const { return tp + fn ? double(tp) / double(tp + fn) : (fp ? 0 : 1); }
    double truth_share() const { return pixels ? double(tp + fn) / double(pixels) : 0; }
    double flagged_share() const { return pixels ? double(tp + fp) / double(pixels) : 0; }
    CloudAgreement& operator+=(const CloudAgreement& o) {
        pixels += o.pixels;
        tp += o.tp;
        fp += o.fp;
        fn += o.fn;
        tn += o.tn;
        return *this;
    }
};

/// Scores `stack_path` on its own (no stack statistics) with `options` and compares the
/// pixels scored as cloud with the BQA's medium-or-high-confidence cloud, over the pixels
/// that are neither BQA fill nor invalid in the scene. `roles` receives the scorer's roles;
/// `flags` (when given) one value per pixel, row by row: -1 excluded, 0 clear, 1 cloud.
/// Without `scene_sample` the scorer gets the sampled ranges but not the sampled pixels, so
/// no scene-wide statistics (the cloud score's Fmask thresholds) can be made. With
/// `stack_scorer` the scene is scored by it as date `scene_index` of its stack instead.
inline CloudAgreement cloud_agreement(const std::string& stack_path, const std::string& bqa_path,
                                      const rb::ScoreOptions& options,
                                      rb::BandRoles* roles = nullptr,
                                      rb::BandLayout* layout_out = nullptr,
                                      std::vector<int>* flags = nullptr, bool scene_sample = true,
                                      const rb::Scorer* stack_scorer = nullptr,
                                      int scene_index = -1) {
    const rb::SceneReader scene(rb::SceneSource{{stack_path}});
    rb::BandLayout layout = scene.sampled_layout();
    if (!scene_sample)
        layout.sample.reset();
    const rb::Scorer own(options, layout);
    const rb::Scorer& scorer = stack_scorer ? *stack_scorer : own;
    if (roles)
        *roles = scorer.roles();
    if (layout_out)
        *layout_out = layout;
    const rb::Profile& p = scene.profile();
    const rb::Raster data = scene.read(rb::Window::full(p.width, p.height));
    const rb::Raster score = scorer.score(data, nullptr, scene_index);
    const rb::SceneReader qa(rb::SceneSource{{bqa_path}});
    const rb::Raster q = qa.read(rb::Window::full(p.width, p.height));
    if (q.rows() != data.rows() || q.cols() != data.cols())
        throw rb::ArgumentError("quality band '" + bqa_path + "' is not on the grid of '" +
                                stack_path + "'");
    const auto& cloud_options = std::get<rb::CloudOptions>(options.method);
    // Cloud scores cloud_score minus a tie-break below 0.5; shadows shadow_score.
    const double threshold =
        cloud_options.cloud_score + 0.5 * (cloud_options.shadow_score - cloud_options.cloud_score);
    CloudAgreement a;
    const auto s = score.band<float>(0);
    if (flags)
        flags->assign(std::size_t(q.rows()) * std::size_t(q.cols()), -1);
    for (int y = 0; y < q.rows(); ++y)
        for (int x = 0; x < q.cols(); ++x) {
            const auto v = std::uint16_t(q.value(0, y, x));
            const std::size_t i = std::size_t(y) * std::size_t(q.cols()) + std::size_t(x);
            if (bqa_fill(v) || !score.valid(0, y, x))
                continue;
            const bool truth = bqa_cloud(v);
            const bool flagged = double(s[i]) <= threshold;
            if (flags)
                (*flags)[i] = flagged;
            ++a.pixels;
            a.tp += truth && flagged;
            a.fp += !truth && flagged;
            a.fn += truth && !flagged;
            a.tn += !truth && !flagged;
        }
    return a;
}

/// Sun elevation in degrees at (lat, lon) on a day at `hour_utc`: NOAA's low-precision
/// solar position (declination and equation of time as Fourier series), good to a fraction
/// of a degree.
inline double solar_elevation(int year, unsigned month, unsigned day, double hour_utc, double lat,
                              double lon) {
    using namespace std::chrono;
    const sys_days d{
        year_month_day{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)}};
    const sys_days jan1{year_month_day{std::chrono::year(year), January, std::chrono::day(1)}};
    const double doy = double((d - jan1).count()) + 1;
    const double pi = std::numbers::pi;
    const double g = 2 * pi / 365 * (doy - 1 + (hour_utc - 12) / 24);
    const double eqt = 229.18 * (0.000075 + 0.001868 * std::cos(g) - 0.032077 * std::sin(g) -
                                 0.014615 * std::cos(2 * g) - 0.040849 * std::sin(2 * g));
    const double decl = 0.006918 - 0.399912 * std::cos(g) + 0.070257 * std::sin(g) -
                        0.006758 * std::cos(2 * g) + 0.000907 * std::sin(2 * g) -
                        0.002697 * std::cos(3 * g) + 0.00148 * std::sin(3 * g);
    const double true_solar_min = hour_utc * 60 + eqt + 4 * lon;
    const double hour_angle = (true_solar_min / 4 - 180) * pi / 180;
    const double la = lat * pi / 180;
    const double cos_zenith =
        std::sin(la) * std::sin(decl) + std::cos(la) * std::cos(decl) * std::cos(hour_angle);
    return 90 - std::acos(std::clamp(cos_zenith, -1.0, 1.0)) * 180 / pi;
}

/// The scene-centre sun elevation of a Landsat 8 file that lacks its MTL (the shared stacks
/// keep only ACQUISITION_DATE): the centre of its grid in longitude and latitude, and the
/// time Landsat 8's descending pass reaches that latitude, about 10:12 local mean solar
/// time at the equator and 10:42 at 40 N (the MTLs of path/row 013/032 say 15:34 UTC).
inline double landsat8_sun_elevation(const std::string& path) {
    const rb::Dataset ds = rb::Dataset::open(path);
    const rb::Profile& p = ds.profile();
    const auto it = p.metadata.find("ACQUISITION_DATE");
    int y = 0;
    unsigned m = 0, d = 0;
    if (it == p.metadata.end() || std::sscanf(it->second.c_str(), "%d-%u-%u", &y, &m, &d) != 3)
        throw rb::ArgumentError("'" + path + "' has no ACQUISITION_DATE=YYYY-MM-DD metadata");
    const auto [cx, cy] = p.transform.apply(0.5 * p.width, 0.5 * p.height);
    const rb::CrsTransformer to_geo(p.crs, rb::Crs::from_user_input("EPSG:4326"));
    const auto [lon, lat] = to_geo.transform(cx, cy);
    const double local_hours = 10.2 + 0.0125 * std::abs(lat);
    return solar_elevation(y, m, d, local_hours - lon / 15, lat, lon);
}

/// Cloud options for a Landsat 8 Level-1 stack: its digital numbers to top-of-atmosphere
/// reflectance (the MTL's rescaling, divided by the sine of the sun elevation) and band 10
/// to degrees C (linearised), no stack.
inline rb::ScoreOptions landsat8_cloud_options(const std::string& stack_path) {
    const double s = std::sin(landsat8_sun_elevation(stack_path) * std::numbers::pi / 180);
    rb::ScoreOptions o = rb::make_score_options("cloud");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", kL8ReflectanceMult / s);
    rb::set_score_param(o, "reflectance_scale", buf);
    std::snprintf(buf, sizeof buf, "%.9g", kL8ReflectanceAdd / s);
    rb::set_score_param(o, "reflectance_offset", buf);
    std::snprintf(buf, sizeof buf, "%.9g", kL8ThermalScale);
    rb::set_score_param(o, "thermal_scale", buf);
    std::snprintf(buf, sizeof buf, "%.9g", kL8ThermalOffset);
    rb::set_score_param(o, "thermal_offset", buf);
    return o;
}

/// A copy of a Landsat 8 Level-1 stack as an analyst scores a stack: reflective bands as top-of-
/// atmosphere reflectance and the thermal bands (described B10, B11) in degrees C, Float32
/// with NaN where the scene has no data: `out` + ".tif", whose path it returns.
inline std::string landsat8_toa_copy(const std::string& stack, const std::string& out) {
    const double s = std::sin(landsat8_sun_elevation(stack) * std::numbers::pi / 180);
    const rb::SceneReader reader(rb::SceneSource{{stack}});
    rb::Profile p = reader.profile();
    const rb::Raster dn = reader.read(rb::Window::full(p.width, p.height));
    rb::Raster f(rb::DataType::Float32, dn.bands(), dn.rows(), dn.cols());
    for (int b = 0; b < dn.bands(); ++b) {
        const std::string d = b < int(p.descriptions.size()) ? p.descriptions[std::size_t(b)] : "";
        const bool thermal = d == "B10" || d == "B11";
        auto o = f.band<float>(b);
        for (int y = 0; y < dn.rows(); ++y)
            for (int x = 0; x < dn.cols(); ++x) {
                const double v = dn.value(b, y, x);
                o[std::size_t(y) * std::size_t(dn.cols()) + std::size_t(x)] =
                    !dn.valid(b, y, x) ? std::numeric_limits<float>::quiet_NaN()
                    : thermal          ? float(v * kL8ThermalScale + kL8ThermalOffset)
                                       : float((v * kL8ReflectanceMult + kL8ReflectanceAdd) / s);
            }
    }
    p.dtype = rb::DataType::Float32;
    p.set_nodata(std::numeric_limits<double>::quiet_NaN());
    const std::string path = out + ".tif";
    rb::Dataset::create(path, p).write(f);
    return path;
}

} // namespace rbtest
