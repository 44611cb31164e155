// The parametric best-available-pixel score: its parameter table, its preparation and its
// kernel (day of year, year, distance to clouds and shadows, haze, sensor).
#include "rasterbench/bap.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "rasterbench/score.h"
#include "scorer_impl.h"

namespace rb {

const ParamTable<BapOptions>& BapOptions::params() {
    static const ParamTable<BapOptions> t = [] {
        using O = BapOptions;
        constexpr double inf = std::numeric_limits<double>::infinity();
        ParamTable<O> t;
        t.add(&O::target_doy, "target_doy", "day of year the composite is for", 1, 366);
        t.add(&O::doy_sigma, "doy_sigma",
              "width of the day-of-year score (Gaussian sigma, days; 0.61 at one sigma)", 1, 366);
        t.add(&O::target_year, "target_year",
              "year the composite is for; 0 = the most common year of the stack", 0, 2100);
        t.add(&O::year_range, "year_range",
              "years from the target year that still score above 0 (linear fall-off)", 0, 100);
        t.add(&O::cloud_distance_m, "cloud_distance_m",
              "distance to the nearest cloud or shadow (metres) at which its score reaches 1", 0,
              1e5);
        t.add_choice(&O::mask, "mask", {"auto", "qa", "cloud", "none"},
                     "where clouds and shadows come from: the quality band (its preset, else "
                     "Fmask classes), the cloud method's tests, auto (qa if the scene has one, "
                     "else the cloud tests where its bands allow) or none");
        t.add(&O::pixel_size_m, "pixel_size_m",
              "ground size of a pixel in metres; 0 = the grid's (30 when unknown)", 0, 1e6);
        t.add(&O::reflectance_scale, "reflectance_scale",
              "reflectance = scale * value for the haze test; 0 = auto (1 for float data, "
              "1/255 for bytes, 1e-4 for other integers)",
              0, inf);
        t.add(&O::hot_clear, "hot_clear",
              "haze-optimized transform (blue - 0.5 red) at or below which the haze score is 1", -1,
              1);
        t.add(&O::hot_full, "hot_full", "HOT at or above which the haze score is 0", -1, 2);
        t.add(&O::sensor_scores, "sensor_scores",
              "SENSOR=SCORE pairs in 0..1 (LT05, LE07, LC08, S2A, ...; slc-off = Landsat 7 "
              "after 2003-05-31); unlisted sensors score 1");
        t.add_choice(&O::combine, "combine", {"additive", "multiplicative"},
                     "additive: sum of weight x score; multiplicative: product of score^weight");
        t.add(&O::weight_doy, "weight_doy", "weight of the day-of-year score", 0, 1000);
        t.add(&O::weight_year, "weight_year", "weight of the year score", 0, 1000);
        t.add(&O::weight_cloud, "weight_cloud", "weight of the cloud-distance score", 0, 1000);
        t.add(&O::weight_haze, "weight_haze", "weight of the haze score", 0, 1000);
        t.add(&O::weight_sensor, "weight_sensor", "weight of the sensor score", 0, 1000);
        t.add(&O::flagged_penalty, "flagged_penalty",
              "subtracted from cloud and shadow pixels (large: they win only where every "
              "observation is flagged)",
              0, 1e6);
        return t;
    }();
    return t;
}

const std::vector<std::string>& bap_component_names() {
    static const std::vector<std::string> names = {"total", "doy",    "year", "cloud",
                                                   "haze",  "sensor", "clear"};
    return names;
}

namespace detail {

struct BapSetup {
    BapOptions o;
    std::optional<Scorer> flags; // cloud/shadow source; none: no distance score
    float flag_below = 0;        // a flag score below this is cloud or shadow
    int blue = -1, red = -1;
    double refl = 1;
    double pixel_m = 30;
    double dreq_px = 0;
    int target_year = 0;
    std::map<std::string, double> sensor_score; // upper-case keys
    std::vector<SceneInfo> scenes;
};

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

std::map<std::string, double> parse_sensor_scores(const std::string& text) {
    std::map<std::string, double> out;
    std::size_t start = 0;
    while (!text.empty() && start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string item = text.substr(start, comma - start);
        const auto eq = item.find('=');
        char* end = nullptr;
        const std::string val = eq == std::string::npos ? "" : item.substr(eq + 1);
        const double v = std::strtod(val.c_str(), &end);
        if (eq == std::string::npos || eq == 0 || val.empty() || *end != '\0' || !(v >= 0) || v > 1)
            throw ArgumentError("parameter 'sensor_scores': '" + item +
                                "' is not SENSOR=SCORE with a score in 0..1");
        out[upper(item.substr(0, eq))] = v;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

// Squared Euclidean distance transform along one line (Felzenszwalb & Huttenlocher 2012).
void edt_1d(const double* f, int n, double* d, int* v, double* z) {
    const double inf = std::numeric_limits<double>::infinity();
    int k = -1;
    for (int q = 0; q < n; ++q) {
        if (!std::isfinite(f[q]))
            continue;
        if (k < 0) {
            k = 0;
            v[0] = q;
            z[0] = -inf;
            z[1] = inf;
            continue;
        }
        double s = 0;
        while (true) {
            s = ((f[q] + double(q) * q) - (f[v[k]] + double(v[k]) * v[k])) / (2.0 * (q - v[k]));
            if (s > z[k])
                break;
            --k; // z[0] is -inf: k stays >= 0
        }
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = inf;
    }
    if (k < 0) {
        std::fill(d, d + n, inf);
        return;
    }
    k = 0;
    for (int q = 0; q < n; ++q) {
        while (z[k + 1] < q)
            ++k;
        d[q] = double(q - v[k]) * (q - v[k]) + f[v[k]];
    }
}

// Distance in pixels from every pixel to the nearest flagged one (infinity: none in the block).
std::vector<float> distance_to_flags(const std::vector<std::uint8_t>& flagged, int rows, int cols) {
    const int n = std::max(rows, cols);
    const auto len = static_cast<std::size_t>(n);
    std::vector<double> f(len), d(len), z(len + 1);
    std::vector<int> v(len);
    std::vector<double> g(flagged.size());
    const double inf = std::numeric_limits<double>::infinity();
    for (int x = 0; x < cols; ++x) {
        for (int y = 0; y < rows; ++y)
            f[std::size_t(y)] =
                flagged[std::size_t(y) * std::size_t(cols) + std::size_t(x)] ? 0 : inf;
        edt_1d(f.data(), rows, d.data(), v.data(), z.data());
        for (int y = 0; y < rows; ++y)
            g[std::size_t(y) * std::size_t(cols) + std::size_t(x)] = d[std::size_t(y)];
    }
    std::vector<float> out(flagged.size());
    for (int y = 0; y < rows; ++y) {
        const double* row = g.data() + std::size_t(y) * std::size_t(cols);
        edt_1d(row, cols, d.data(), v.data(), z.data());
        for (int x = 0; x < cols; ++x)
            out[std::size_t(y) * std::size_t(cols) + std::size_t(x)] =
                float(std::sqrt(d[std::size_t(x)]));
    }
    return out;
}

} // namespace

void ScorerImpl::prepare_bap(const BapOptions& m) {
    auto b = std::make_shared<BapSetup>();
    b->o = m;
    const PenaltyOptions none;
    if (options.penalties.saturation_value != none.saturation_value ||
        options.penalties.invalid_distance != none.invalid_distance)
        throw ArgumentError("score method 'bap' takes no penalty parameters (saturation_value, "
                            "invalid_distance): its cloud distance and weights do that work");
    if (!(m.hot_full > m.hot_clear))
        throw ArgumentError("parameter 'hot_full': " + format_param_value(m.hot_full) +
                            " must be above hot_clear (" + format_param_value(m.hot_clear) + ")");
    b->sensor_score = parse_sensor_scores(m.sensor_scores);
    b->blue = roles[BandRole::Blue];
    b->red = roles[BandRole::Red];
    b->refl = m.reflectance_scale > 0           ? m.reflectance_scale
              : is_floating(layout.dtype)       ? 1.0
              : layout.dtype == DataType::UInt8 ? 1.0 / 255
                                                : 1e-4;
    b->pixel_m = m.pixel_size_m > 0        ? m.pixel_size_m
                 : layout.pixel_size_m > 0 ? layout.pixel_size_m
                                           : 30.0;
    b->dreq_px = m.cloud_distance_m / b->pixel_m;
    // Clouds and shadows: the quality band through the mask method (its preset, snow kept
    // clear), or the cloud method's tests.
    ScoreOptions inner;
    inner.roles = options.roles;
    const bool has_qa = roles.has(BandRole::Qa);
    std::string source = m.mask;
    if (source == "auto")
        source = has_qa ? "qa" : "cloud";
    if (source == "qa") {
        MaskOptions mo;
        mo.snow = 0;
        inner.method = mo;
        b->flags.emplace(inner, layout); // ArgumentError naming the missing qa band
        b->flag_below = -0.5f;           // clear 0, shadow/cirrus/edges -1, cloud -2
    } else if (source == "cloud") {
        inner.method = CloudOptions{};
        try {
            b->flags.emplace(inner, layout);
        } catch (const ArgumentError&) {
            if (m.mask != "auto")
                throw;
            // auto on a scene the cloud tests cannot read: no cloud distance.
        }
        b->flag_below = -0.75f; // clear (-0.5, 0], shadow (-1.5, -1], cloud (-2.5, -2]
    }
    if (b->flags) {
        halo = b->flags->halo() + int(std::ceil(b->dreq_px));
        needs = b->flags->stack_needs();
    }
    b->scenes = options.scenes;
    // The target year: the stack's most common (the later of equals).
    b->target_year = m.target_year;
    if (b->target_year == 0) {
        std::map<int, int> years;
        for (const auto& s : b->scenes)
            if (s.date)
                ++years[s.date->year];
        int best = 0;
        for (const auto& [y, n] : years)
            if (n >= best) {
                best = n;
                b->target_year = y;
            }
    }
    bap = std::move(b);
}

void score_bap(const ScorerImpl& s, const Raster& scene, const StackStats* stats, int scene_index,
               Raster& result, bool components) {
    const BapSetup& b = *s.bap;
    const BapOptions& o = b.o;
    const bool needs_date = o.weight_doy > 0 || o.weight_year > 0;
    const SceneInfo* info = scene_index >= 0 && std::size_t(scene_index) < b.scenes.size()
                                ? &b.scenes[std::size_t(scene_index)]
                                : nullptr;
    if (needs_date && (!info || !info->date))
        throw ArgumentError(
            "score method 'bap': " +
            (info ? "scene '" + info->label + "' has no acquisition date"
                  : std::string("scene ") + std::to_string(scene_index + 1) +
                        " of the stack has no known acquisition date") +
            " (none in its metadata or name); set weight_doy and weight_year to 0 to score "
            "without dates");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double s_doy = nan, s_year = nan, s_sensor = 1;
    if (info && info->date) {
        const SceneDate& d = *info->date;
        const long long jan1 = SceneDate{d.year, 1, 1}.days_since_epoch();
        const double doy = double(d.days_since_epoch() - jan1 + 1);
        double dd = std::abs(doy - o.target_doy);
        dd = std::min(dd, 365.25 - dd);
        s_doy = std::exp(-0.5 * (dd / o.doy_sigma) * (dd / o.doy_sigma));
        s_year = std::max(0.0, 1.0 - std::abs(d.year - b.target_year) / double(o.year_range + 1));
    }
    if (info) {
        const auto it = b.sensor_score.find(upper(info->sensor));
        if (it != b.sensor_score.end())
            s_sensor = it->second;
        if (info->slc_off())
            if (const auto sl = b.sensor_score.find("SLC-OFF"); sl != b.sensor_score.end())
                s_sensor = std::min(s_sensor, sl->second);
    }

    const int rows = scene.rows(), cols = scene.cols();
    const std::size_t n = scene.band_size();
    std::vector<std::uint8_t> valid;
    pixel_validity_into(scene, valid);
    std::vector<std::uint8_t> flagged(n, 0);
    std::vector<float> dist;
    if (b.flags) {
        Raster f;
        b.flags->score_into(scene, stats, f, scene_index);
        const auto fs = std::as_const(f).band<float>(0);
        for (std::size_t i = 0; i < n; ++i)
            flagged[i] = fs[i] > kInvalidScore && fs[i] < b.flag_below;
        dist = distance_to_flags(flagged, rows, cols);
    }
    const int nout = components ? int(bap_component_names().size()) : 1;
    result.reset(DataType::Float32, nout, rows, cols);
    std::vector<float*> out(static_cast<std::size_t>(nout));
    for (int k = 0; k < nout; ++k)
        out[std::size_t(k)] = result.band<float>(k).data();
    const bool multiplicative = o.combine == "multiplicative";
    auto term = [&](double score, double w) {
        if (w <= 0)
            return multiplicative ? 1.0 : 0.0;
        return multiplicative ? std::pow(std::max(score, 0.0), w) : w * score;
    };
    const double doy_t = term(s_doy, o.weight_doy), year_t = term(s_year, o.weight_year),
                 sensor_t = term(s_sensor, o.weight_sensor);
    const double base = multiplicative ? doy_t * year_t * sensor_t : doy_t + year_t + sensor_t;
    const double hot_span = o.hot_full - o.hot_clear;
    bool any_invalid = false;
    visit_dtype(scene.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* blue = b.blue >= 0 ? scene.band<T>(b.blue).data() : nullptr;
        const T* red = b.red >= 0 ? scene.band<T>(b.red).data() : nullptr;
        for (std::size_t i = 0; i < n; ++i) {
            if (!valid[i]) {
                any_invalid = true;
                for (int k = 0; k < nout; ++k)
                    out[std::size_t(k)][i] = k == 0 ? kInvalidScore : 0.0f;
                continue;
            }
            double s_cloud = 1;
            if (b.flags) {
                if (flagged[i]) {
                    s_cloud = 0;
                } else if (b.dreq_px > 0) {
                    const double x = double(dist[i]) / b.dreq_px;
                    s_cloud = x >= 1 ? 1.0 : 1.0 / (1.0 + std::exp(-10.0 * (x - 0.5)));
                }
            }
            double s_haze = 1;
            if (blue && red) {
                const double hot = b.refl * (double(blue[i]) - 0.5 * double(red[i]));
                s_haze = std::clamp((o.hot_full - hot) / hot_span, 0.0, 1.0);
            }
            const double c = term(s_cloud, o.weight_cloud), h = term(s_haze, o.weight_haze);
            double total = multiplicative ? base * c * h : base + c + h;
            if (flagged[i])
                total -= o.flagged_penalty;
            out[0][i] = std::isnan(total) ? std::numeric_limits<float>::lowest() : float(total);
            if (components) {
                out[1][i] = float(s_doy);
                out[2][i] = float(s_year);
                out[3][i] = float(s_cloud);
                out[4][i] = float(s_haze);
                out[5][i] = float(s_sensor);
                out[6][i] = flagged[i] ? 0.0f : 1.0f;
            }
        }
    });
    if (any_invalid)
        for (int k = 0; k < nout; ++k) {
            auto m = result.mask(k);
            for (std::size_t i = 0; i < n; ++i)
                m[i] = valid[i];
        }
}

} // namespace detail

Raster Scorer::components(const Raster& scene, const StackStats* stats, int scene_index) const {
    Raster out;
    if (impl_->bap) {
        detail::score_bap(*impl_, scene, stats, scene_index, out, true);
        return out;
    }
    score_into(scene, stats, out, scene_index);
    return out;
}

std::vector<std::string> Scorer::component_names() const {
    if (impl_->bap)
        return bap_component_names();
    return {"total"};
}

} // namespace rb
