// The score methods' parameter tables and the registry that names them, reads and writes
// their values by name.
#include "rasterbench/score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "rasterbench/quality.h"

namespace rb {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- parameter tables -------------------------------------------------------------------

template <class O> void add_band_rows(ParamTable<O>& t) {
    t.add(&O::bands, "bands",
          "bands to use: 1-based numbers or role names (red,nir,swir1), comma separated; "
          "empty = every band but quality bands");
    t.add(&O::weights, "weights", "one weight per band, comma separated; empty = equal");
}

} // namespace

const ParamTable<DarknessOptions>& DarknessOptions::params() {
    static const ParamTable<DarknessOptions> t = [] {
        ParamTable<DarknessOptions> t;
        add_band_rows(t);
        return t;
    }();
    return t;
}

const ParamTable<MedianDistanceOptions>& MedianDistanceOptions::params() {
    static const ParamTable<MedianDistanceOptions> t = [] {
        ParamTable<MedianDistanceOptions> t;
        add_band_rows(t);
        t.add(&MedianDistanceOptions::radius, "radius",
              "average the distance over valid pixels of a (2r+1)^2 window; 0 = per pixel", 0, 50);
        return t;
    }();
    return t;
}

const ParamTable<CloudOptions>& CloudOptions::params() {
    static const ParamTable<CloudOptions> t = [] {
        using O = CloudOptions;
        ParamTable<O> t;
        t.add(&O::reflectance_scale, "reflectance_scale",
              "reflectance = scale * value + offset; 0 = auto (1 for float data, 1e-4 for "
              "integers)",
              0, kInf);
        t.add(&O::reflectance_offset, "reflectance_offset", "reflectance offset", -10, 10);
        t.add(&O::swir_min, "swir_min", "basic test: swir2 (or swir1) reflectance above", 0, 1);
        t.add(&O::ndvi_max, "ndvi_max", "basic test: NDVI below", -1, 1);
        t.add(&O::ndsi_max, "ndsi_max", "basic test: NDSI below (needs green)", -1, 1);
        t.add(&O::brightness_min, "brightness_min",
              "brightness: mean visible reflectance at which the brightness probability is 0.5", 0,
              2);
        t.add(&O::brightness_width, "brightness_width",
              "brightness: the probability rises linearly over this width around "
              "brightness_min (0: a step)",
              0, 2);
        t.add(&O::whiteness_max, "whiteness_max",
              "whiteness test: mean |band - mean| / mean of the visible bands below (needs two "
              "of blue, green, red)",
              0, 10);
        t.add(&O::hot_min, "hot_min", "haze test: blue - 0.5 red above (needs blue)", -1, 1);
        t.add(&O::nir_swir1_min, "nir_swir1_min", "nir / swir1 ratio above", 0, 10);
        t.add(&O::thermal_max, "thermal_max",
              "brightness temperature below, in degrees C after thermal_scale/offset (needs "
              "thermal; values outside -90..70 C are not degrees and skip the test)",
              -100, 100);
        t.add(&O::thermal_scale, "thermal_scale", "thermal value -> degrees C: scale", -kInf, kInf);
        t.add(&O::thermal_offset, "thermal_offset", "thermal value -> degrees C: offset", -kInf,
              kInf);
        t.add(&O::thermal_margin, "thermal_margin",
              "temperature probability is 0 at the scene's median temperature plus this "
              "(degrees C; needs a calibrated thermal band and a sampled scene; under "
              "cloud_margin, the margin around the clear-sky percentile temperatures)",
              -100, 100);
        t.add(&O::thermal_ramp, "thermal_ramp",
              "temperature probability rises to 1 over this many degrees below that (0: off)", 0,
              100);
        t.add(&O::water_swir1_min, "water_swir1_min",
              "over water, the cloud probability rises from 0 at this swir1 reflectance", 0, 1);
        t.add(&O::water_swir1_width, "water_swir1_width",
              "over water, ... to 1 at water_swir1_min plus this (0: water test off)", 0, 1);
        t.add(&O::cirrus_full, "cirrus_full",
              "cirrus reflectance at which the cirrus band alone gives cloud probability 1 "
              "(probability = cirrus / cirrus_full; needs cirrus)",
              1e-4, 1);
        t.add(&O::cloud_probability, "cloud_probability",
              "a pixel is cloud when spectral plus cirrus probability reaches this", 0, 2);
        t.add(&O::cloud_margin, "cloud_margin",
              "with a calibrated thermal band: cloud above the scene's clear-sky 82.5th "
              "percentile probability plus this (Fmask; replaces cloud_probability; 0.125 is "
              "the Landsat quality band's medium confidence, 0.225 its high)",
              0, 2);
        t.add(&O::thin_weight, "thin_weight",
              "with a calibrated thermal band: weight of the cirrus probability (Fmask 4: 0.3 "
              "for Landsat 8)",
              0, 10);
        t.add(&O::shadow_nir_max, "shadow_nir_max", "shadow test: nir reflectance below", 0, 1);
        t.add(&O::shadow_swir1_max, "shadow_swir1_max", "shadow test: swir1 reflectance below", 0,
              1);
        t.add(&O::temporal, "temporal",
              "also compare with the stack's per-pixel median when a stack is given");
        t.add(&O::temporal_cloud, "temporal_cloud",
              "temporal cloud test: a visible band brighter than the stack's clear background "
              "by (plus a tenth of the background)",
              0, 1);
        t.add(&O::temporal_shadow, "temporal_shadow",
              "temporal shadow test: the visible bands darker than the clear background by "
              "(plus a tenth of it)",
              0, 1);
        t.add(&O::cloud_dilation, "cloud_dilation", "grow clouds by this many pixels", 0, 100);
        t.add(&O::cloud_grow_min, "cloud_grow_min",
              "the cloud dilation takes only pixels whose cloud probability reaches this "
              "(0: every pixel within reach)",
              0, 2);
        t.add(&O::shadow_dilation, "shadow_dilation", "grow shadows by this many pixels", 0, 100);
        t.add(&O::dilation_max_m, "dilation_max_m",
              "cloud and shadow dilations reach at most this many metres of ground when the "
              "pixel size is known (0: no cap)",
              0, 1e6);
        t.add(&O::tiebreak_radius, "tiebreak_radius",
              "window radius over which the tie-break's distance to the median is averaged", 0, 50);
        t.add(&O::cloud_score, "cloud_score", "score of a cloud pixel (clear is 0)", -1e6, 0);
        t.add(&O::shadow_score, "shadow_score", "score of a shadow pixel (clear is 0)", -1e6, 0);
        return t;
    }();
    return t;
}

const ParamTable<MaskOptions>& MaskOptions::params() {
    static const ParamTable<MaskOptions> t = [] {
        using O = MaskOptions;
        ParamTable<O> t;
        t.add(&O::band, "band", "1-based quality band of the scene; 0 = the qa role", 0, 65535);
        t.add_choice(
            &O::mode, "mode", {"values", "bits", "linear"},
            "values: V=S pairs; bits: S added per set bit N=S; linear: scale*value+offset");
        t.add(&O::mapping, "mapping",
              "values mode: VALUE=SCORE pairs (SCORE may be 'invalid'); bits mode: BIT=SCORE "
              "pairs; default fits Fmask (0 clear, 1 water, 2 shadow, 3 snow, 4 cloud)");
        std::vector<std::string> presets = {"auto", "none"};
        for (const auto& n : quality_preset_names())
            presets.push_back(n);
        t.add_choice(&O::preset, "preset", presets,
                     "quality preset: auto (from the band or file names when mode and mapping "
                     "are defaults), none (the mapping), or a product's (fmask, landsat-c1-bqa, "
                     "landsat-c2-qa-pixel, s2-scl)");
        t.add(&O::snow, "snow", "score of snow with a preset (0 keeps snow for winter mosaics)",
              -kInf, kInf);
        t.add(&O::default_score, "default_score", "values mode: score of unlisted values", -kInf,
              kInf);
        t.add(&O::scale, "scale", "linear mode: score = scale * value + offset", -kInf, kInf);
        t.add(&O::offset, "offset", "linear mode offset", -kInf, kInf);
        return t;
    }();
    return t;
}

const ParamTable<ExpressionOptions>& ExpressionOptions::params() {
    static const ParamTable<ExpressionOptions> t = [] {
        ParamTable<ExpressionOptions> t;
        t.add(&ExpressionOptions::expression, "expression",
              "formula (muparser) over b1, b2, ... and median_bN, mean_bN, min_bN, max_bN, "
              "count; higher scores win");
        return t;
    }();
    return t;
}

const ParamTable<PenaltyOptions>& PenaltyOptions::params() {
    static const ParamTable<PenaltyOptions> t = [] {
        using O = PenaltyOptions;
        ParamTable<O> t;
        t.add(&O::saturation_value, "saturation_value",
              "a band value at or above this is saturated; 0 = off", 0, kInf);
        t.add(&O::saturation_penalty, "saturation_penalty", "subtracted from saturated pixels", 0,
              kInf);
        t.add(&O::invalid_distance, "invalid_distance",
              "penalize pixels within this many pixels of an invalid one; 0 = off", 0, 1000);
        t.add(&O::invalid_distance_penalty, "invalid_distance_penalty",
              "penalty at distance 1, falling linearly to penalty/D at distance D", 0, kInf);
        return t;
    }();
    return t;
}

// ---- method registry ----------------------------------------------------------------------

namespace {

const std::vector<std::string>& method_names() {
    // In the order of ScoreMethod's alternatives.
    static const std::vector<std::string> names = {"darkness", "median-distance", "cloud",
                                                   "mask",     "expression",      "bap"};
    return names;
}

template <class F> decltype(auto) with_table(const ScoreOptions& o, F&& f) {
    return std::visit(
        [&](const auto& m) -> decltype(auto) {
            using M = std::decay_t<decltype(m)>;
            return f(M::params(), m);
        },
        o.method);
}

template <class F> decltype(auto) with_table(ScoreOptions& o, F&& f) {
    return std::visit(
        [&](auto& m) -> decltype(auto) {
            using M = std::decay_t<decltype(m)>;
            return f(M::params(), m);
        },
        o.method);
}

std::string all_param_names(const ScoreOptions& o) {
    std::string out;
    for (const auto& p : score_params(o))
        out += (out.empty() ? "" : ", ") + p.name;
    return out;
}

} // namespace

std::vector<std::string> score_method_names() {
    return method_names();
}

ScoreOptions make_score_options(std::string_view method) {
    ScoreOptions o;
    if (method == "darkness")
        o.method = DarknessOptions{};
    else if (method == "median-distance")
        o.method = MedianDistanceOptions{};
    else if (method == "cloud")
        o.method = CloudOptions{};
    else if (method == "mask")
        o.method = MaskOptions{};
    else if (method == "expression")
        o.method = ExpressionOptions{};
    else if (method == "bap")
        o.method = BapOptions{};
    else {
        std::string list;
        for (const auto& n : method_names())
            list += (list.empty() ? "" : ", ") + n;
        throw ArgumentError("unknown score method '" + std::string(method) + "' (methods: " + list +
                            ")");
    }
    return o;
}

std::string score_method_name(const ScoreOptions& o) {
    return method_names()[o.method.index()];
}

std::vector<ParamInfo> score_params(const ScoreOptions& o) {
    std::vector<ParamInfo> out =
        with_table(o, [](const auto& table, const auto&) { return table.infos(); });
    for (auto&& p : PenaltyOptions::params().infos())
        out.push_back(p);
    for (auto&& p : BandRoleOptions::params().infos())
        out.push_back(p);
    return out;
}

void set_score_param(ScoreOptions& o, std::string_view name, std::string_view value) {
    const bool done = with_table(o, [&](const auto& table, auto& m) {
        if (!table.has(name))
            return false;
        table.set(m, name, value);
        return true;
    });
    if (done)
        return;
    if (PenaltyOptions::params().has(name))
        return PenaltyOptions::params().set(o.penalties, name, value);
    if (BandRoleOptions::params().has(name))
        return BandRoleOptions::params().set(o.roles, name, value);
    throw ArgumentError("score method '" + score_method_name(o) + "' has no parameter '" +
                        std::string(name) + "' (parameters: " + all_param_names(o) + ")");
}

std::string get_score_param(const ScoreOptions& o, std::string_view name) {
    const auto v =
        with_table(o, [&](const auto& table, const auto& m) -> std::optional<std::string> {
            if (!table.has(name))
                return std::nullopt;
            return table.get(m, name);
        });
    if (v)
        return *v;
    if (PenaltyOptions::params().has(name))
        return PenaltyOptions::params().get(o.penalties, name);
    if (BandRoleOptions::params().has(name))
        return BandRoleOptions::params().get(o.roles, name);
    throw ArgumentError("score method '" + score_method_name(o) + "' has no parameter '" +
                        std::string(name) + "'");
}

std::map<std::string, std::string> score_param_values(const ScoreOptions& o) {
    auto out = with_table(o, [](const auto& table, const auto& m) { return table.values(m); });
    out.merge(PenaltyOptions::params().values(o.penalties));
    out.merge(BandRoleOptions::params().values(o.roles));
    return out;
}

} // namespace rb
