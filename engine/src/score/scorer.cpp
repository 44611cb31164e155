// A Scorer's preparation: band roles and lists, quality-value maps, the muparser expression
// and the checks on the bands the cloud tests read.
#include "rasterbench/score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <muParser.h>

#include <set>

#include "rasterbench/quality.h"
#include "scorer_impl.h"

namespace rb {

using detail::ExprVar;
using detail::StatKind;

namespace {

// Cirrus (1.38 um) reflectance is near 0 under a clear sky and rarely above 0.1 even over
// thick high clouds: a band whose median is above this is not cirrus reflectance.
constexpr double kMaxCirrusMedian = 0.1;
// A scene's darkest visible band has a median reflectance far below this even under snow
// or broken cloud; above it, the numbers are not reflectances.
constexpr double kMaxVisibleMedian = 0.5;

} // namespace

namespace {

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

void ScorerImpl::prepare_bands(const std::string& bands_text, const std::string& weights_text) {
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
void ScorerImpl::check_cloud_bands(const CloudOptions& m) {
    if (layout.ranges.size() != std::size_t(layout.count))
        return;
    const double off = m.reflectance_offset;
    // Level-1 digital numbers under the automatic scale read as reflectances near 1, and
    // every pixel then passes the brightness tests: say so rather than mark all as cloud.
    double darkest = std::numeric_limits<double>::infinity();
    for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
        if (roles.has(r))
            darkest =
                std::min(darkest, refl_scale * layout.ranges[std::size_t(roles[r])].median + off);
    if (m.reflectance_scale <= 0 && layout.calibration.empty() && !is_floating(layout.dtype) &&
        std::isfinite(darkest) && darkest > kMaxVisibleMedian)
        roles.warn("cloud: the visible bands of scene '" + layout.label +
                   "' have a typical reflectance of " + short_number(darkest) +
                   " under reflectance_scale " + short_number(refl_scale) +
                   ": they look like Level-1 digital numbers, and most pixels will read as "
                   "cloud; read the scene as reflectance (calibrate toa, with its product "
                   "metadata) or set reflectance_scale and reflectance_offset");
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
        const double t = layout.ranges[std::size_t(b)].median * m.thermal_scale + m.thermal_offset;
        if (t >= kMinCelsius && t <= kMaxCelsius)
            thermal_median = t;
        else
            roles.warn("cloud: thermal " + band_name(b) + " of scene '" + layout.label +
                       "' is not in degrees C (typical value " + short_number(t) +
                       "); the thermal test is off (calibrate the band or set "
                       "thermal_scale/thermal_offset)");
    }
    cloud_stats = cloud_scene_stats(*this, m, layout.sample.get(), thermal_median);
    // Fmask's thresholds are per scene: a winter date and a summer date of one stack have
    // clear-sky temperatures tens of degrees apart. Each date with a sample gets its own.
    uses_scene_samples = !cloud_visible && !std::isnan(thermal_median);
    if (!uses_scene_samples)
        return;
    scene_clouds.resize(options.scenes.size());
    for (std::size_t i = 0; i < options.scenes.size(); ++i) {
        const Raster* sample = options.scenes[i].sample.get();
        if (!sample || sample->bands() != layout.count)
            continue;
        const auto ranges = sample_band_ranges(*sample);
        if (ranges.size() != std::size_t(layout.count))
            continue; // no pixel valid in every band
        SceneCloud sc;
        const double t = ranges[std::size_t(roles[BandRole::Thermal])].median * m.thermal_scale +
                         m.thermal_offset;
        if (t >= kMinCelsius && t <= kMaxCelsius)
            sc.thermal_median = t;
        sc.stats = cloud_scene_stats(*this, m, sample, sc.thermal_median);
        scene_clouds[i] = sc;
    }
}

ScorerImpl::SceneCloud ScorerImpl::scene_cloud(int scene_index) const {
    if (scene_index >= 0 && std::size_t(scene_index) < scene_clouds.size() &&
        scene_clouds[std::size_t(scene_index)])
        return *scene_clouds[std::size_t(scene_index)];
    SceneCloud sc;
    sc.thermal_median = thermal_median;
    if (scene_index <= 0)
        sc.stats = cloud_stats;
    return sc;
}

int ScorerImpl::capped_dilation(int pixels, double max_m) const {
    if (max_m <= 0 || layout.pixel_size_m <= 0)
        return pixels;
    return std::min(pixels, int(std::floor(max_m / layout.pixel_size_m + 1e-9)));
}

std::string ScorerImpl::band_name(int b) const {
    std::string t = "band " + std::to_string(b + 1);
    if (std::size_t(b) < layout.descriptions.size() && !layout.descriptions[std::size_t(b)].empty())
        t += " (" + layout.descriptions[std::size_t(b)] + ")";
    return t;
}

void ScorerImpl::prepare_mask(const MaskOptions& m) {
    if (m.band > 0) {
        if (m.band > layout.count)
            throw ArgumentError("parameter 'band': scene '" + layout.label + "' has no band " +
                                std::to_string(m.band) + " (1.." + std::to_string(layout.count) +
                                ")");
        mask_band = m.band - 1;
    } else {
        mask_band = roles.require(BandRole::Qa, "mask", layout.label);
    }
    std::optional<QualityPreset> preset;
    if (m.preset == "auto") {
        if (m.mode == "values" && m.mapping == MaskOptions{}.mapping)
            preset = detect_quality_preset(layout, mask_band, layout.files);
    } else if (m.preset != "none") {
        preset = parse_quality_preset(m.preset);
    }
    if (preset) {
        // Every 16-bit quality value scored once: the kernel looks pixels up.
        this->preset = std::string(quality_preset_name(*preset));
        preset_table.resize(65536);
        for (std::uint32_t v = 0; v < 65536; ++v) {
            float s = 0;
            switch (classify_quality(*preset, v)) {
            case QualityClass::Fill:
                s = std::numeric_limits<float>::quiet_NaN();
                break;
            case QualityClass::Clear:
            case QualityClass::Water:
            case QualityClass::Unclassified:
                s = 0;
                break;
            case QualityClass::Snow:
                s = float(m.snow);
                break;
            case QualityClass::Shadow:
            case QualityClass::CloudEdge:
            case QualityClass::Cirrus:
                s = -1;
                break;
            case QualityClass::Cloud:
                s = -2;
                break;
            }
            preset_table[v] = s;
        }
        return;
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

void ScorerImpl::prepare_expression(const std::string& expr) {
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
    // muparser assigns with '=' ("b1=5" scored 5 everywhere): a score only reads the bands.
    for (std::size_t i = 0; i < expr.size(); ++i)
        if (expr[i] == '=' &&
            (i == 0 || std::string_view("=<>!").find(expr[i - 1]) == std::string_view::npos) &&
            (i + 1 == expr.size() || expr[i + 1] != '='))
            throw ArgumentError(where + ": '=' at position " + std::to_string(i) +
                                " would assign; compare with '=='");
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
                s.prepare_cloud(m);
            } else if constexpr (std::is_same_v<M, MaskOptions>) {
                s.prepare_mask(m);
            } else if constexpr (std::is_same_v<M, BapOptions>) {
                s.prepare_bap(m);
            } else {
                s.prepare_expression(m.expression);
            }
        },
        options.method);
    impl->halo += options.penalties.invalid_distance;
    impl->method_key = impl->cloud_verdicts_key = impl->cloud_inputs_key = impl->method;
    const auto* cloud = std::get_if<CloudOptions>(&options.method);
    if (cloud) // water_swir1_width is left out of the inputs key, but not whether it is > 0
        impl->cloud_inputs_key +=
            cloud->water_swir1_width > 0 ? "\nwater_test=1" : "\nwater_test=0";
    for (const auto& [name, value] : score_param_values(options))
        if (!PenaltyOptions::params().has(name) &&
            !(cloud && detail::cloud_param_without_band(name, impl->roles))) {
            const std::string entry = "\n" + name + "=" + value;
            impl->method_key += entry;
            if (!detail::cloud_finish_param(name))
                impl->cloud_verdicts_key += entry;
            if (!detail::cloud_finish_param(name) && !detail::cloud_probability_param(name))
                impl->cloud_inputs_key += entry;
        }
    impl_ = std::move(impl);
}

const ScoreOptions& Scorer::options() const {
    return impl_->options;
}
const std::string& Scorer::quality_preset() const {
    return impl_->preset;
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
const std::string& Scorer::tests_run() const {
    return impl_->cloud_tests;
}

bool Scorer::uses_scene_samples() const {
    return impl_->uses_scene_samples;
}

} // namespace rb
