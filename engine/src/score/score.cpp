#include "rasterbench/score.h"

#include <muParser.h>
#include <tbb/concurrent_queue.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>

#include "pixel_util.h"

namespace rb {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Brightness temperatures on Earth, in degrees C: what a calibrated thermal band holds.
constexpr double kMinCelsius = -90, kMaxCelsius = 70;
// Cirrus (1.38 um) reflectance is near 0 under a clear sky and rarely above 0.1 even over
// thick high clouds: a band whose median is above this is not cirrus reflectance.
constexpr double kMaxCirrusMedian = 0.1;

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
        t.add(&O::cirrus_full, "cirrus_full",
              "cirrus reflectance at which the cirrus band alone gives cloud probability 1 "
              "(probability = cirrus / cirrus_full; needs cirrus)",
              1e-4, 1);
        t.add(&O::cloud_probability, "cloud_probability",
              "a pixel is cloud when spectral plus cirrus probability reaches this", 0, 2);
        t.add(&O::shadow_nir_max, "shadow_nir_max", "shadow test: nir reflectance below", 0, 1);
        t.add(&O::shadow_swir1_max, "shadow_swir1_max", "shadow test: swir1 reflectance below", 0,
              1);
        t.add(&O::temporal, "temporal",
              "also compare with the stack's per-pixel median when a stack is given");
        t.add(&O::temporal_cloud, "temporal_cloud",
              "temporal cloud test: red (and blue) brighter than the median by", 0, 1);
        t.add(&O::temporal_shadow, "temporal_shadow",
              "temporal shadow test: nir and swir1 darker than the median by", 0, 1);
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
    static const std::vector<std::string> names = {"darkness", "median-distance", "cloud", "mask",
                                                   "expression"};
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

// ---- validity and stack statistics ---------------------------------------------------------

namespace {

// pixel_validity() into a reused vector (Scorer::score_into's scratch).
void pixel_validity_into(const Raster& scene, std::vector<std::uint8_t>& valid) {
    valid.assign(scene.band_size(), kValid);
    for (int b = 0; b < scene.bands(); ++b) {
        const auto m = scene.mask(b);
        if (!m.empty())
            for (std::size_t i = 0; i < valid.size(); ++i)
                valid[i] &= m[i];
    }
    if (is_floating(scene.dtype())) {
        visit_dtype(scene.dtype(), [&](auto x) {
            using T = decltype(x);
            for (int b = 0; b < scene.bands(); ++b) {
                const auto d = scene.band<T>(b);
                for (std::size_t i = 0; i < valid.size(); ++i)
                    if (std::isnan(double(d[i])))
                        valid[i] = kInvalid;
            }
        });
    }
}

} // namespace

std::vector<std::uint8_t> pixel_validity(const Raster& scene) {
    std::vector<std::uint8_t> valid;
    pixel_validity_into(scene, valid);
    return valid;
}

namespace {

void check_stack(std::span<const Raster> scenes, const char* what) {
    for (std::size_t i = 1; i < scenes.size(); ++i) {
        const Raster& a = scenes[0];
        const Raster& b = scenes[i];
        if (a.rows() != b.rows() || a.cols() != b.cols() || a.bands() != b.bands())
            throw ArgumentError(std::string(what) + ": scene " + std::to_string(i) + " is " +
                                std::to_string(b.bands()) + "x" + std::to_string(b.rows()) + "x" +
                                std::to_string(b.cols()) + " but scene 0 is " +
                                std::to_string(a.bands()) + "x" + std::to_string(a.rows()) + "x" +
                                std::to_string(a.cols()) + " (bands x rows x cols)");
        if (a.dtype() != b.dtype())
            throw ArgumentError(std::string(what) + ": scene " + std::to_string(i) + " is " +
                                std::string(dtype_name(b.dtype())) + " but scene 0 is " +
                                std::string(dtype_name(a.dtype())));
    }
}

} // namespace

StackStats stack_statistics(std::span<const Raster> scenes, const StackStatsNeeds& needs) {
    StackStats st;
    if (scenes.empty())
        return st;
    check_stack(scenes, "stack statistics");
    st.bands = scenes[0].bands();
    st.rows = scenes[0].rows();
    st.cols = scenes[0].cols();
    const std::size_t n = scenes[0].band_size();
    const std::size_t total = n * std::size_t(st.bands);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    if (needs.median)
        st.median.assign(total, nan);
    if (needs.mean)
        st.mean.assign(total, nan);
    if (needs.min)
        st.min.assign(total, nan);
    if (needs.max)
        st.max.assign(total, nan);
    st.count.assign(n, 0);
    std::vector<std::vector<std::uint8_t>> valid(scenes.size());
    tbb::parallel_for(std::size_t(0), scenes.size(),
                      [&](std::size_t i) { valid[i] = pixel_validity(scenes[i]); });
    const std::size_t ns = scenes.size();
    visit_dtype(scenes[0].dtype(), [&](auto x) {
        using T = decltype(x);
        std::vector<const T*> ptr(ns * std::size_t(st.bands));
        for (std::size_t i = 0; i < ns; ++i)
            for (int b = 0; b < st.bands; ++b)
                ptr[i * std::size_t(st.bands) + std::size_t(b)] = scenes[i].band<T>(b).data();
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096), [&](const auto& range) {
            std::vector<double> vals(ns);
            for (std::size_t p = range.begin(); p != range.end(); ++p) {
                std::size_t c = 0;
                for (std::size_t i = 0; i < ns; ++i)
                    c += valid[i][p] != 0;
                st.count[p] = std::uint16_t(std::min<std::size_t>(c, 65535));
                if (c == 0)
                    continue;
                for (int b = 0; b < st.bands; ++b) {
                    std::size_t k = 0;
                    for (std::size_t i = 0; i < ns; ++i)
                        if (valid[i][p])
                            vals[k++] = double(ptr[i * std::size_t(st.bands) + std::size_t(b)][p]);
                    const std::size_t at = std::size_t(b) * n + p;
                    if (needs.mean || needs.min || needs.max) {
                        double sum = 0, lo = vals[0], hi = vals[0];
                        for (std::size_t j = 0; j < k; ++j) {
                            sum += vals[j];
                            lo = std::min(lo, vals[j]);
                            hi = std::max(hi, vals[j]);
                        }
                        if (needs.mean)
                            st.mean[at] = float(sum / double(k));
                        if (needs.min)
                            st.min[at] = float(lo);
                        if (needs.max)
                            st.max[at] = float(hi);
                    }
                    if (needs.median)
                        st.median[at] = float(detail::median_inplace(vals.data(), k));
                }
            }
        });
    });
    return st;
}

StackStats subsample(const StackStats& st, int step) {
    if (step < 1)
        throw ArgumentError("subsample: step " + std::to_string(step) + " is not positive");
    StackStats out;
    out.bands = st.bands;
    out.rows = (st.rows + step - 1) / step;
    out.cols = (st.cols + step - 1) / step;
    const std::size_t n_in = std::size_t(st.rows) * std::size_t(st.cols);
    const std::size_t n_out = std::size_t(out.rows) * std::size_t(out.cols);
    auto planes = [&](const auto& in, auto& dst, int count) {
        if (in.empty())
            return;
        dst.resize(n_out * std::size_t(count));
        for (int b = 0; b < count; ++b)
            for (int y = 0; y < out.rows; ++y)
                for (int x = 0; x < out.cols; ++x)
                    dst[std::size_t(b) * n_out + std::size_t(y) * std::size_t(out.cols) +
                        std::size_t(x)] =
                        in[std::size_t(b) * n_in +
                           std::size_t(y) * std::size_t(step) * std::size_t(st.cols) +
                           std::size_t(x) * std::size_t(step)];
    };
    planes(st.median, out.median, st.bands);
    planes(st.mean, out.mean, st.bands);
    planes(st.min, out.min, st.bands);
    planes(st.max, out.max, st.bands);
    planes(st.count, out.count, 1);
    return out;
}

// ---- the scorer ---------------------------------------------------------------------------

namespace {

enum class StatKind { Band, Median, Mean, Min, Max, Count };

struct ExprVar {
    std::string name;
    StatKind kind = StatKind::Band;
    int band = 0; // 0-based
};

// Names the expression may use: b1..bN, median_bN, mean_bN, min_bN, max_bN, count.
std::optional<ExprVar> parse_expr_var(const std::string& name, int band_count) {
    ExprVar v;
    v.name = name;
    if (name == "count") {
        v.kind = StatKind::Count;
        return v;
    }
    std::string rest = name;
    const std::pair<const char*, StatKind> prefixes[] = {{"median_", StatKind::Median},
                                                         {"mean_", StatKind::Mean},
                                                         {"min_", StatKind::Min},
                                                         {"max_", StatKind::Max}};
    for (const auto& [p, k] : prefixes) {
        if (rest.rfind(p, 0) == 0) {
            v.kind = k;
            rest = rest.substr(std::strlen(p));
            break;
        }
    }
    if (rest.size() < 2 || rest[0] != 'b' ||
        !std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const long b = std::strtol(rest.c_str() + 1, nullptr, 10);
    if (b < 1 || b > band_count)
        return std::nullopt;
    v.band = int(b - 1);
    return v;
}

struct UnknownVars {
    std::vector<std::string> names;
    std::deque<double> storage;
};

double* collect_unknown(const char* name, void* user) {
    auto* u = static_cast<UnknownVars*>(user);
    u->names.emplace_back(name);
    u->storage.push_back(0);
    return &u->storage.back();
}

std::size_t token_position(const std::string& expr, const std::string& name) {
    std::size_t pos = 0;
    while ((pos = expr.find(name, pos)) != std::string::npos) {
        const bool left_ok =
            pos == 0 ||
            !(std::isalnum(static_cast<unsigned char>(expr[pos - 1])) || expr[pos - 1] == '_');
        const std::size_t end = pos + name.size();
        const bool right_ok =
            end >= expr.size() ||
            !(std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_');
        if (left_ok && right_ok)
            return pos;
        ++pos;
    }
    return 0;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& what) {
    std::vector<double> out;
    if (text.empty())
        return out;
    std::size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma - start);
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !std::isfinite(v))
            throw ArgumentError("parameter '" + what + "': '" + item + "' is not a number");
        out.push_back(v);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

} // namespace

} // namespace rb

namespace rb::detail {

// Per-call working buffers. Reused through a pool rather than allocated per block: fresh
// multi-megabyte vectors cost a page fault per 4 KiB page, which profiled at a fifth of a
// streaming composite. A pool (not thread_local) because TBB may run another score() on the
// same thread while one waits in a nested parallel loop.
struct ScoreScratch {
    std::vector<std::uint8_t> valid;
    std::vector<float> out;
    std::vector<double> acc;
};

struct ScorerImpl {
    mutable tbb::concurrent_queue<std::unique_ptr<ScoreScratch>> scratch;
    ScoreOptions options;
    BandLayout layout;
    BandRoles roles;
    std::string method;
    std::vector<int> data_bands; // every band but quality bands
    // darkness, median-distance
    std::vector<int> bands;
    std::vector<double> weights;
    // cloud
    double refl_scale = 1;
    // mask
    int mask_band = -1;
    std::vector<std::pair<double, double>> value_map; // value -> score (NaN score = invalid)
    std::vector<std::pair<int, double>> bit_map;
    // expression
    std::vector<ExprVar> vars;
    StackStatsNeeds needs;
    bool stats_required = false;
    int halo = 0;

    void prepare_bands(const std::string& bands_text, const std::string& weights_text) {
        bands = parse_band_list(bands_text, roles, layout.count, "bands", data_bands);
        weights = parse_number_list(weights_text, "weights");
        if (weights.empty())
            weights.assign(bands.size(), 1.0);
        if (weights.size() != bands.size())
            throw ArgumentError("parameter 'weights': " + std::to_string(weights.size()) +
                                " weights for " + std::to_string(bands.size()) + " bands");
        double sum = 0;
        for (double w : weights)
            sum += w;
        if (!(sum > 0))
            throw ArgumentError("parameter 'weights': they must add up to more than 0");
    }

    // Bands whose sampled values cannot be what the cloud tests read: a "cirrus" band far
    // above the reflectance of cirrus (a thermal band, a missing scale) would make every
    // pixel cloud; a thermal band not in degrees would make none pass. An explicit role
    // stays (the user asked for it) but is warned about.
    void check_cloud_bands(const CloudOptions& m) {
        if (layout.ranges.size() != std::size_t(layout.count))
            return;
        const double off = m.reflectance_offset;
        if (roles.has(BandRole::Cirrus)) {
            const int b = roles[BandRole::Cirrus];
            const double median = refl_scale * layout.ranges[std::size_t(b)].median + off;
            if (median > kMaxCirrusMedian) {
                const bool keep = roles.source(BandRole::Cirrus) == RoleSource::Parameter;
                roles.warn("cloud: cirrus " + band_name(b) + " of scene '" + layout.label +
                           "' has a typical reflectance of " + short_number(median) +
                           " under reflectance_scale " + short_number(refl_scale) +
                           ", not a cirrus reflectance; " +
                           (keep ? "kept as the roles parameter says"
                                 : "cirrus test off (check the band and reflectance_scale, or "
                                   "set roles=cirrus=N)"));
                if (!keep)
                    roles.remove(BandRole::Cirrus);
            }
        }
        if (roles.has(BandRole::Thermal)) {
            const int b = roles[BandRole::Thermal];
            const double t =
                layout.ranges[std::size_t(b)].median * m.thermal_scale + m.thermal_offset;
            if (!(t >= kMinCelsius && t <= kMaxCelsius))
                roles.warn("cloud: thermal " + band_name(b) + " of scene '" + layout.label +
                           "' is not in degrees C (typical value " + short_number(t) +
                           "); the thermal test is off (calibrate the band or set "
                           "thermal_scale/thermal_offset)");
        }
    }

    int capped_dilation(int pixels, double max_m) const {
        if (max_m <= 0 || layout.pixel_size_m <= 0)
            return pixels;
        return std::min(pixels, int(std::floor(max_m / layout.pixel_size_m + 1e-9)));
    }

    std::string band_name(int b) const {
        std::string t = "band " + std::to_string(b + 1);
        if (std::size_t(b) < layout.descriptions.size() &&
            !layout.descriptions[std::size_t(b)].empty())
            t += " (" + layout.descriptions[std::size_t(b)] + ")";
        return t;
    }

    void prepare_mask(const MaskOptions& m) {
        if (m.band > 0) {
            if (m.band > layout.count)
                throw ArgumentError("parameter 'band': scene '" + layout.label + "' has no band " +
                                    std::to_string(m.band) + " (1.." +
                                    std::to_string(layout.count) + ")");
            mask_band = m.band - 1;
        } else {
            mask_band = roles.require(BandRole::Qa, "mask", layout.label);
        }
        if (m.mode == "linear")
            return;
        std::size_t start = 0;
        const std::string& text = m.mapping;
        while (start <= text.size() && !text.empty()) {
            const auto comma = text.find(',', start);
            const std::string item = text.substr(start, comma - start);
            const auto eq = item.find('=');
            const std::string key = item.substr(0, eq);
            const std::string val = eq == std::string::npos ? "" : item.substr(eq + 1);
            char* end = nullptr;
            const double k = std::strtod(key.c_str(), &end);
            const bool key_ok = !key.empty() && *end == '\0';
            double s = std::numeric_limits<double>::quiet_NaN();
            bool val_ok = val == "invalid";
            if (!val_ok) {
                s = std::strtod(val.c_str(), &end);
                val_ok = !val.empty() && *end == '\0';
            }
            if (eq == std::string::npos || !key_ok || !val_ok)
                throw ArgumentError("parameter 'mapping': '" + item + "' is not " +
                                    (m.mode == "bits" ? "BIT=SCORE" : "VALUE=SCORE"));
            if (m.mode == "bits") {
                if (k < 0 || k > 63 || k != std::floor(k) || std::isnan(s))
                    throw ArgumentError("parameter 'mapping': '" + item +
                                        "' needs a bit number 0..63 and a numeric score");
                bit_map.emplace_back(int(k), s);
            } else {
                value_map.emplace_back(k, s);
            }
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }

    void prepare_expression(const std::string& expr) {
        mu::Parser parser;
        UnknownVars unknown;
        std::deque<double> dummy;
        for (int b = 1; b <= layout.count; ++b) {
            for (const char* p : {"b", "median_b", "mean_b", "min_b", "max_b"}) {
                dummy.push_back(1);
                parser.DefineVar(p + std::to_string(b), &dummy.back());
            }
        }
        dummy.push_back(1);
        parser.DefineVar("count", &dummy.back());
        parser.SetVarFactory(collect_unknown, &unknown);
        const std::string where = "score expression '" + expr + "'";
        try {
            parser.SetExpr(expr);
            parser.Eval();
        } catch (const mu::Parser::exception_type& e) {
            std::string msg = e.GetMsg();
            if (msg.find("position") == std::string::npos)
                msg += " at position " + std::to_string(e.GetPos());
            throw ArgumentError(where + ": " + msg);
        }
        if (!unknown.names.empty()) {
            const std::string& name = unknown.names.front();
            throw ArgumentError(where + ": unknown variable '" + name + "' at position " +
                                std::to_string(token_position(expr, name)) + " (variables: b1..b" +
                                std::to_string(layout.count) +
                                ", median_bN, mean_bN, min_bN, max_bN, count)");
        }
        for (const auto& [name, ptr] : parser.GetUsedVar()) {
            auto v = parse_expr_var(name, layout.count);
            if (!v)
                continue;
            vars.push_back(*v);
            switch (v->kind) {
            case StatKind::Median:
                needs.median = true;
                break;
            case StatKind::Mean:
                needs.mean = true;
                break;
            case StatKind::Min:
                needs.min = true;
                break;
            case StatKind::Max:
                needs.max = true;
                break;
            case StatKind::Count:
                needs.count = true;
                break;
            case StatKind::Band:
                break;
            }
        }
        stats_required = needs.any();
    }
};

} // namespace rb::detail

namespace rb {

Scorer::Scorer(const ScoreOptions& options, const BandLayout& layout) {
    auto impl = std::make_shared<detail::ScorerImpl>();
    impl->options = options;
    impl->layout = layout;
    if (impl->layout.label.empty())
        impl->layout.label = "scene";
    impl->roles = resolve_band_roles(layout, options.roles);
    impl->method = score_method_name(options);
    const int qa = impl->roles[BandRole::Qa];
    for (int b = 0; b < layout.count; ++b)
        if (b != qa && (layout.qa_band < 0 || b < layout.qa_band))
            impl->data_bands.push_back(b);
    if (impl->data_bands.empty())
        for (int b = 0; b < layout.count; ++b)
            impl->data_bands.push_back(b);
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            detail::ScorerImpl& s = *impl;
            if constexpr (std::is_same_v<M, DarknessOptions>) {
                s.prepare_bands(m.bands, m.weights);
            } else if constexpr (std::is_same_v<M, MedianDistanceOptions>) {
                s.prepare_bands(m.bands, m.weights);
                s.needs.median = true;
                s.stats_required = true;
                s.halo = m.radius;
            } else if constexpr (std::is_same_v<M, CloudOptions>) {
                for (BandRole r : {BandRole::Red, BandRole::Nir, BandRole::Swir1})
                    s.roles.require(r, "cloud", s.layout.label);
                s.refl_scale = m.reflectance_scale > 0     ? m.reflectance_scale
                               : is_floating(layout.dtype) ? 1.0
                                                           : 1e-4;
                s.check_cloud_bands(m);
                if (m.temporal)
                    s.needs.median = true;
                s.halo = std::max({m.cloud_dilation, m.shadow_dilation, m.tiebreak_radius});
            } else if constexpr (std::is_same_v<M, MaskOptions>) {
                s.prepare_mask(m);
            } else {
                s.prepare_expression(m.expression);
            }
        },
        options.method);
    impl->halo += options.penalties.invalid_distance;
    impl_ = std::move(impl);
}

const ScoreOptions& Scorer::options() const {
    return impl_->options;
}
const BandRoles& Scorer::roles() const {
    return impl_->roles;
}
const BandLayout& Scorer::layout() const {
    return impl_->layout;
}
int Scorer::halo() const {
    return impl_->halo;
}
StackStatsNeeds Scorer::stack_needs() const {
    return impl_->needs;
}
bool Scorer::requires_stack() const {
    return impl_->stats_required;
}

namespace {

using detail::band_as_float;

struct ScoreCtx {
    const detail::ScorerImpl& s;
    const Raster& scene;
    const std::vector<std::uint8_t>& valid;
    const StackStats* stats;
    std::vector<float>& out;
    std::vector<double>& acc; // scratch for methods that accumulate in double
    std::size_t n() const { return valid.size(); }
};

void score_darkness(const ScoreCtx& c) {
    double wsum = 0;
    for (double w : c.s.weights)
        wsum += w;
    // Accumulated in double and divided once, so equal weighted sums give equal scores
    // (exact ties, broken by scene order) rather than float rounding deciding.
    std::vector<double>& acc = c.acc;
    acc.assign(c.n(), 0.0);
    visit_dtype(c.scene.dtype(), [&](auto x) {
        using T = decltype(x);
        for (std::size_t j = 0; j < c.s.bands.size(); ++j) {
            const double w = c.s.weights[j];
            const auto v = c.scene.band<T>(c.s.bands[j]);
            for (std::size_t i = 0; i < c.n(); ++i)
                acc[i] += w * double(v[i]);
        }
    });
    for (std::size_t i = 0; i < c.n(); ++i)
        c.out[i] = float(-acc[i] / wsum);
}

void score_median_distance(const ScoreCtx& c, int radius) {
    double wsum = 0;
    for (double w : c.s.weights)
        wsum += w;
    std::fill(c.out.begin(), c.out.end(), 0.0f);
    for (std::size_t j = 0; j < c.s.bands.size(); ++j) {
        const float w = float(c.s.weights[j] / wsum);
        const auto v = band_as_float(c.scene, c.s.bands[j]);
        const auto med = c.stats->plane(c.stats->median, c.s.bands[j]);
        for (std::size_t i = 0; i < c.n(); ++i) {
            const float d = v[i] - med[i];
            c.out[i] += w * d * d;
        }
    }
    for (auto& v : c.out)
        v = std::sqrt(v);
    detail::box_mean(c.out, c.valid, c.scene.rows(), c.scene.cols(), radius);
    for (auto& v : c.out)
        v = -v;
}

void score_cloud(const ScoreCtx& c, const CloudOptions& o) {
    const detail::ScorerImpl& s = c.s;
    const std::size_t n = c.n();
    const float sc = float(s.refl_scale), off = float(o.reflectance_offset);
    auto refl = [&](BandRole r) {
        std::vector<float> v;
        if (!s.roles.has(r))
            return v;
        v = band_as_float(c.scene, s.roles[r]);
        if (r != BandRole::Thermal && r != BandRole::Qa)
            for (auto& x : v)
                x = sc * x + off;
        return v;
    };
    const auto red = refl(BandRole::Red), nir = refl(BandRole::Nir), sw1 = refl(BandRole::Swir1);
    const auto blue = refl(BandRole::Blue), green = refl(BandRole::Green);
    const auto sw2 = refl(BandRole::Swir2), cirrus = refl(BandRole::Cirrus);
    const auto thermal = refl(BandRole::Thermal);
    const bool temporal = o.temporal && c.stats && !c.stats->median.empty();
    auto median_refl = [&](BandRole r) {
        std::vector<float> v;
        if (!temporal || !s.roles.has(r))
            return v;
        const auto m = c.stats->plane(c.stats->median, s.roles[r]);
        v.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            v[i] = sc * m[i] + off;
        return v;
    };
    const auto m_red = median_refl(BandRole::Red), m_nir = median_refl(BandRole::Nir);
    const auto m_sw1 = median_refl(BandRole::Swir1), m_blue = median_refl(BandRole::Blue);

    std::vector<std::uint8_t> cloud(n, 0), shadow(n, 0);
    std::vector<float> prob(n, 0.0f);
    std::vector<float> tie(n, 0.0f);
    const int rows = c.scene.rows(), cols = c.scene.cols();
    const float b_lo = float(o.brightness_min - 0.5 * o.brightness_width);
    const float b_w = float(o.brightness_width);
    const float cirrus_full = float(o.cirrus_full);
    auto clamp01 = [](float x) { return std::clamp(x, 0.0f, 1.0f); };
    for (std::size_t i = 0; i < n; ++i) {
        if (!c.valid[i])
            continue;
        const float r = red[i], ni = nir[i], s1 = sw1[i];
        float vis_sum = r;
        int vis_n = 1;
        if (!blue.empty()) {
            vis_sum += blue[i];
            ++vis_n;
        }
        if (!green.empty()) {
            vis_sum += green[i];
            ++vis_n;
        }
        const float vis_mean = vis_sum / float(vis_n);
        const float swir = sw2.empty() ? s1 : sw2[i];
        const float ndvi = (ni - r) / std::max(ni + r, 1e-6f);
        bool pcp =
            swir > o.swir_min && ndvi < o.ndvi_max && ni / std::max(s1, 1e-6f) > o.nir_swir1_min;
        // NDVI is left out of the flatness: ndvi_max already gates vegetation, and thin
        // cloud over vegetation keeps much of its NDVI.
        float variability = 0;
        if (pcp && !green.empty()) {
            const float ndsi = (green[i] - s1) / std::max(green[i] + s1, 1e-6f);
            pcp = ndsi < o.ndsi_max;
            variability = std::max(variability, std::abs(ndsi));
        }
        if (pcp && vis_n >= 2) {
            float dev = std::abs(r - vis_mean);
            if (!blue.empty())
                dev += std::abs(blue[i] - vis_mean);
            if (!green.empty())
                dev += std::abs(green[i] - vis_mean);
            const float whiteness = dev / float(vis_n) / std::max(vis_mean, 1e-6f);
            pcp = whiteness < o.whiteness_max;
            variability = std::max(variability, whiteness);
        }
        if (pcp && !blue.empty())
            pcp = blue[i] - 0.5f * r - float(o.hot_min) > 0;
        if (pcp && !thermal.empty()) {
            // Only a temperature takes part: raw digital numbers or kelvins do not.
            const double t = thermal[i] * o.thermal_scale + o.thermal_offset;
            if (t >= kMinCelsius && t <= kMaxCelsius)
                pcp = t < o.thermal_max;
        }
        float p = 0;
        if (pcp) {
            const float bright =
                b_w > 0 ? clamp01((vis_mean - b_lo) / b_w) : (vis_mean >= b_lo ? 1.0f : 0.0f);
            p = clamp01(1 - variability) * bright;
        }
        if (!cirrus.empty())
            p += clamp01(cirrus[i] / cirrus_full);
        prob[i] = p;
        bool is_cloud = p >= o.cloud_probability;
        bool is_shadow = ni < o.shadow_nir_max && s1 < o.shadow_swir1_max;
        if (temporal && !std::isnan(m_red[i])) {
            float excess = r - m_red[i];
            if (!m_blue.empty())
                excess = std::max(excess, blue[i] - m_blue[i]);
            if (excess > o.temporal_cloud)
                is_cloud = true;
            if (m_nir[i] - ni > o.temporal_shadow && m_sw1[i] - s1 > o.temporal_shadow)
                is_shadow = true;
            const float dr = r - m_red[i], dn = ni - m_nir[i], ds = s1 - m_sw1[i];
            tie[i] = std::sqrt((dr * dr + dn * dn + ds * ds) / 3.0f);
        }
        cloud[i] = is_cloud;
        shadow[i] = is_shadow && !is_cloud;
    }
    if (temporal) {
        detail::box_mean(tie, c.valid, rows, cols, o.tiebreak_radius);
        for (auto& t : tie)
            t = 0.5f * t / (t + 0.05f);
    }
    const int cloud_dilation = s.capped_dilation(o.cloud_dilation, o.dilation_max_m);
    if (cloud_dilation > 0) {
        std::vector<std::uint8_t> grown = cloud;
        detail::dilate(grown, rows, cols, cloud_dilation);
        // With cloud_grow_min the dilation takes hazy edges, not clear ground.
        const float grow_min = float(o.cloud_grow_min);
        for (std::size_t i = 0; i < n; ++i)
            if (grown[i] && !cloud[i] && c.valid[i] && prob[i] >= grow_min)
                cloud[i] = 1;
    }
    detail::dilate(shadow, rows, cols, s.capped_dilation(o.shadow_dilation, o.dilation_max_m));
    for (std::size_t i = 0; i < n; ++i)
        c.out[i] = (cloud[i]    ? float(o.cloud_score)
                    : shadow[i] ? float(o.shadow_score)
                                : 0.0f) -
                   tie[i];
}

void score_mask(const ScoreCtx& c, const MaskOptions& o) {
    const auto v = band_as_float(c.scene, c.s.mask_band);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::size_t n = c.n();
    // The mode is chosen once per call, not per pixel.
    if (o.mode == "linear") {
        for (std::size_t i = 0; i < n; ++i)
            c.out[i] = float(o.scale * double(v[i]) + o.offset);
    } else if (o.mode == "bits") {
        for (std::size_t i = 0; i < n; ++i) {
            const auto bits = std::uint64_t(std::max(0.0, double(v[i])));
            double sum = 0;
            for (const auto& [bit, sc] : c.s.bit_map)
                if (bits >> bit & 1u)
                    sum += sc;
            c.out[i] = float(sum);
        }
    } else {
        auto lookup = [&](double x) {
            for (const auto& [val, sc] : c.s.value_map)
                if (val == x)
                    return std::isnan(sc) ? nan : float(sc);
            return float(o.default_score);
        };
        // Quality classes are small integers (Fmask 0..4, 255): a table indexed by the value
        // answers them; anything else takes the search.
        constexpr int kTable = 4096;
        std::vector<float> table(kTable);
        for (int k = 0; k < kTable; ++k)
            table[std::size_t(k)] = lookup(double(k));
        for (std::size_t i = 0; i < n; ++i) {
            const double x = v[i];
            c.out[i] =
                x >= 0 && x < kTable && x == std::floor(x) ? table[std::size_t(x)] : lookup(x);
        }
    }
}

void score_expression(const ScoreCtx& c, const std::string& expr) {
    const std::size_t n = c.n();
    mu::Parser parser;
    std::vector<std::vector<double>> storage(c.s.vars.size());
    for (std::size_t j = 0; j < c.s.vars.size(); ++j) {
        const ExprVar& v = c.s.vars[j];
        auto& dst = storage[j];
        dst.resize(n);
        if (v.kind == StatKind::Band) {
            visit_dtype(c.scene.dtype(), [&](auto x) {
                using T = decltype(x);
                const auto src = c.scene.band<T>(v.band);
                for (std::size_t i = 0; i < n; ++i)
                    dst[i] = double(src[i]);
            });
        } else if (v.kind == StatKind::Count) {
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = double(c.stats->count[i]);
        } else {
            const std::vector<float>& all = v.kind == StatKind::Median ? c.stats->median
                                            : v.kind == StatKind::Mean ? c.stats->mean
                                            : v.kind == StatKind::Min  ? c.stats->min
                                                                       : c.stats->max;
            const auto src = c.stats->plane(all, v.band);
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = double(src[i]);
        }
        parser.DefineVar(v.name, dst.data());
    }
    parser.SetExpr(expr);
    std::vector<double> result(n);
    // muparser's bulk mode reads variable arrays at each pixel's offset: one call per block.
    if (n > 0)
        parser.Eval(result.data(), int(n));
    for (std::size_t i = 0; i < n; ++i)
        c.out[i] = float(result[i]);
}

void apply_penalties(const ScoreCtx& c, const PenaltyOptions& p) {
    const std::size_t n = c.n();
    if (p.saturation_value > 0 && p.saturation_penalty > 0) {
        std::vector<std::uint8_t> sat(n, 0);
        visit_dtype(c.scene.dtype(), [&](auto x) {
            using T = decltype(x);
            for (int b : c.s.data_bands) {
                const auto d = c.scene.band<T>(b);
                for (std::size_t i = 0; i < n; ++i)
                    sat[i] |= double(d[i]) >= p.saturation_value;
            }
        });
        const float pen = float(p.saturation_penalty);
        for (std::size_t i = 0; i < n; ++i)
            if (sat[i])
                c.out[i] -= pen;
    }
    if (p.invalid_distance > 0 && p.invalid_distance_penalty > 0) {
        const auto dist = detail::chessboard_distance(c.valid, c.scene.rows(), c.scene.cols(),
                                                      p.invalid_distance + 1);
        const float D = float(p.invalid_distance);
        const float w = float(p.invalid_distance_penalty);
        for (std::size_t i = 0; i < n; ++i) {
            const int d = dist[i];
            if (d >= 1 && d <= p.invalid_distance)
                c.out[i] -= w * (D + 1 - float(d)) / D;
        }
    }
}

} // namespace

Raster Scorer::score(const Raster& scene, const StackStats* stats) const {
    Raster r;
    score_into(scene, stats, r);
    return r;
}

namespace {

// Darkness on an unmasked integer block (the streaming default), pixels [i0, i1) into
// dst[0, i1 - i0): one pass with exactly the arithmetic of score_darkness() and
// score_into()'s final loop, instead of separate validity, accumulator, division and copy
// passes.
void darkness_span(const detail::ScorerImpl& s, const Raster& scene, std::size_t i0, std::size_t i1,
                   float* dst) {
    double wsum = 0;
    for (double w : s.weights)
        wsum += w;
    const float lowest = std::numeric_limits<float>::lowest();
    visit_dtype(scene.dtype(), [&](auto x) {
        using T = decltype(x);
        // Band pointers without an allocation: this runs once per row when compositing
        // row by row.
        const std::size_t nw = s.bands.size();
        std::array<const T*, 16> fixed{};
        std::vector<const T*> many(nw > fixed.size() ? nw : 0);
        const T** src = nw > fixed.size() ? many.data() : fixed.data();
        for (std::size_t j = 0; j < nw; ++j)
            src[j] = scene.band<T>(s.bands[j]).data();
        const double* w = s.weights.data();
        float* __restrict out = dst; // out[i - i0] is pixel i
        auto one = [&](std::size_t i) {
            double acc = 0.0;
            for (std::size_t j = 0; j < nw; ++j)
                acc += w[j] * double(src[j][i]);
            const float v = float(-acc / wsum);
            out[i - i0] = v > kInvalidScore ? v : lowest;
        };
        std::size_t i = i0;
#if defined(__SSE2__)
        if constexpr (std::is_same_v<T, std::uint16_t>) {
            if (nw == 3) {
                // Three UInt16 bands (the common case), two pixels per step: the scalar
                // double division dominated the whole score. Per pixel the operations
                // and their order are one()'s, all exact IEEE ones: same bits.
                const __m128d w0 = _mm_set1_pd(w[0]), w1 = _mm_set1_pd(w[1]),
                              w2 = _mm_set1_pd(w[2]), ws = _mm_set1_pd(wsum),
                              zero = _mm_setzero_pd(), sign = _mm_set1_pd(-0.0);
                const __m128 neg_inf = _mm_set1_ps(kInvalidScore), low = _mm_set1_ps(lowest);
                const __m128i z16 = _mm_setzero_si128();
                auto widen = [&](const T* p) { // 4 x UInt16 -> 2 x (2 doubles)
                    const __m128i v = _mm_unpacklo_epi16(
                        _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), z16);
                    return std::pair{_mm_cvtepi32_pd(v), _mm_cvtepi32_pd(_mm_srli_si128(v, 8))};
                };
                for (; i + 4 <= i1; i += 4) {
                    const auto [a0, a1] = widen(src[0] + i);
                    const auto [b0, b1] = widen(src[1] + i);
                    const auto [c0, c1] = widen(src[2] + i);
                    auto score2 = [&](__m128d a, __m128d b, __m128d c) {
                        __m128d acc = _mm_add_pd(zero, _mm_mul_pd(w0, a));
                        acc = _mm_add_pd(acc, _mm_mul_pd(w1, b));
                        acc = _mm_add_pd(acc, _mm_mul_pd(w2, c));
                        // -acc is a sign flip (not 0 - acc, which turns -0 into +0).
                        return _mm_cvtpd_ps(_mm_div_pd(_mm_xor_pd(acc, sign), ws));
                    };
                    const __m128 v = _mm_movelh_ps(score2(a0, b0, c0), score2(a1, b1, c1));
                    const __m128 keep = _mm_cmpgt_ps(v, neg_inf); // false for NaN
                    _mm_storeu_ps(out + (i - i0),
                                  _mm_or_ps(_mm_and_ps(keep, v), _mm_andnot_ps(keep, low)));
                }
            }
        }
#endif
        for (; i < i1; ++i)
            one(i);
    });
}

bool darkness_fast_path(const detail::ScorerImpl& s, const Raster& scene) {
    const PenaltyOptions& pen = s.options.penalties;
    const bool penalties = (pen.saturation_value > 0 && pen.saturation_penalty > 0) ||
                           (pen.invalid_distance > 0 && pen.invalid_distance_penalty > 0);
    return std::holds_alternative<DarknessOptions>(s.options.method) && !penalties &&
           !scene.has_mask() && !is_floating(scene.dtype());
}

} // namespace

bool Scorer::scores_by_row(const Raster& scene) const {
    return scene.bands() == impl_->layout.count && darkness_fast_path(*impl_, scene);
}

void Scorer::score_row(const Raster& scene, int row, float* out) const {
    if (!scores_by_row(scene) || row < 0 || row >= scene.rows())
        throw ArgumentError("score method '" + impl_->method +
                            "': row scoring is not available for this block (row " +
                            std::to_string(row) + ")");
    const auto cols = std::size_t(scene.cols());
    darkness_span(*impl_, scene, std::size_t(row) * cols, std::size_t(row + 1) * cols, out);
}

void Scorer::score_into(const Raster& scene, const StackStats* stats, Raster& result) const {
    const detail::ScorerImpl& s = *impl_;
    if (scene.bands() != s.layout.count)
        throw ArgumentError("score method '" + s.method + "': a block of scene '" + s.layout.label +
                            "' has " + std::to_string(scene.bands()) +
                            " bands, the scorer was set up for " + std::to_string(s.layout.count));
    if (stats && (stats->rows != scene.rows() || stats->cols != scene.cols() ||
                  stats->bands != scene.bands()))
        throw ArgumentError("score method '" + s.method + "': stack statistics of " +
                            std::to_string(stats->rows) + "x" + std::to_string(stats->cols) +
                            " do not match the block of scene '" + s.layout.label + "'");
    if (s.stats_required && !stats)
        throw ArgumentError("score method '" + s.method +
                            "' needs the stack's per-pixel "
                            "statistics: score scene '" +
                            s.layout.label + "' together with its stack");
    if (darkness_fast_path(s, scene)) {
        result.reset(DataType::Float32, 1, scene.rows(), scene.cols());
        auto dst = result.band<float>(0);
        darkness_span(s, scene, 0, dst.size(), dst.data());
        return;
    }
    std::unique_ptr<detail::ScoreScratch> scratch;
    if (!s.scratch.try_pop(scratch))
        scratch = std::make_unique<detail::ScoreScratch>();
    std::vector<std::uint8_t>& valid = scratch->valid;
    pixel_validity_into(scene, valid);
    std::vector<float>& out = scratch->out;
    out.assign(valid.size(), 0.0f);
    const ScoreCtx c{s, scene, valid, stats, out, scratch->acc};
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, DarknessOptions>)
                score_darkness(c);
            else if constexpr (std::is_same_v<M, MedianDistanceOptions>)
                score_median_distance(c, m.radius);
            else if constexpr (std::is_same_v<M, CloudOptions>)
                score_cloud(c, m);
            else if constexpr (std::is_same_v<M, MaskOptions>)
                score_mask(c, m);
            else
                score_expression(c, m.expression);
        },
        s.options.method);
    apply_penalties(c, s.options.penalties);

    Raster& r = result;
    r.reset(DataType::Float32, 1, scene.rows(), scene.cols());
    auto dst = r.band<float>(0);
    const float lowest = std::numeric_limits<float>::lowest();
    // A mask mapping may declare a value invalid (NaN score); it then ranks with nodata.
    const bool nan_is_invalid = std::holds_alternative<MaskOptions>(s.options.method) &&
                                std::get<MaskOptions>(s.options.method).mode == "values";
    // Most blocks have no invalid pixel: then a branch-free copy, without the mask checks.
    if (!nan_is_invalid && std::memchr(valid.data(), kInvalid, valid.size()) == nullptr) {
        for (std::size_t i = 0; i < out.size(); ++i) {
            const float v = out[i];
            dst[i] = v > kInvalidScore ? v : lowest;
        }
        s.scratch.push(std::move(scratch));
        return;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const float v = out[i];
        if (!valid[i] || (nan_is_invalid && std::isnan(v))) {
            dst[i] = kInvalidScore;
            r.mask(0)[i] = kInvalid; // the mask is made on the first invalid pixel only
            continue;
        }
        dst[i] = v > kInvalidScore ? v : lowest; // NaN and -inf rank last among valid pixels
    }
    s.scratch.push(std::move(scratch));
}

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                Progress progress) {
    StackStats stats;
    const StackStatsNeeds needs = scorer.stack_needs();
    if (needs.any())
        stats = stack_statistics(scenes, needs);
    return score_stack(scenes, scorer, needs.any() ? &stats : nullptr, std::move(progress));
}

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, Progress progress) {
    const StackStatsNeeds needs = scorer.stack_needs();
    if (scorer.requires_stack() && !stats)
        throw ArgumentError("score_stack: the score needs the stack's statistics");
    if (stats && ((needs.median && stats->median.empty()) || (needs.mean && stats->mean.empty()) ||
                  (needs.min && stats->min.empty()) || (needs.max && stats->max.empty())))
        throw ArgumentError("score_stack: the given stack statistics lack one the score needs");
    std::vector<Raster> out(scenes.size());
    std::mutex m;
    std::size_t done = 0;
    tbb::parallel_for(std::size_t(0), scenes.size(), [&](std::size_t i) {
        out[i] = scorer.score(scenes[i], needs.any() ? stats : nullptr);
        std::lock_guard lock(m);
        progress.report(double(++done) / double(scenes.size()));
    });
    return out;
}

} // namespace rb
