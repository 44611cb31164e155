#include "rasterbench/bands.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rasterbench/raster.h"

namespace rb {

namespace {

constexpr std::array<std::string_view, kBandRoleCount> kRoleNames = {
    "blue", "green", "red", "nir", "swir1", "swir2", "thermal", "cirrus", "qa"};

std::string lower_compact(std::string_view s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c)) && c != '_' && c != '-')
            out += char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool starts(const std::string& s, std::string_view p) {
    return s.rfind(p, 0) == 0;
}

enum class Sensor { Unknown, LandsatOli, LandsatTm, Sentinel2 };

std::string_view sensor_label(Sensor s) {
    switch (s) {
    case Sensor::LandsatOli:
        return "Landsat 8-9 OLI/TIRS";
    case Sensor::LandsatTm:
        return "Landsat 4-7 TM/ETM+";
    case Sensor::Sentinel2:
        return "Sentinel-2 MSI";
    case Sensor::Unknown:
        break;
    }
    return "";
}

// A description naming a sensor band by number: "B4", "B04", "B8A", "SR_B5", "ST_B10",
// "TOA_B3", "Band 4", "B6_VCID_1". `padded` is true for two-digit names ("B04"), the
// Sentinel-2 spelling; `narrow` for 8A.
struct BandNumber {
    int number = 0;
    bool padded = false;
    bool narrow = false;
};

std::optional<BandNumber> band_number(const std::string& d) {
    std::string_view rest = d;
    for (std::string_view prefix : {"srb", "stb", "toab", "band", "b"}) {
        if (rest.rfind(prefix, 0) == 0) {
            rest.remove_prefix(prefix.size());
            break;
        }
    }
    if (rest.size() == d.size())
        return std::nullopt;
    // Landsat 7's two thermal gains.
    for (std::string_view suffix : {"vcid1", "vcid2"})
        if (rest.size() > suffix.size() && rest.ends_with(suffix))
            rest.remove_suffix(suffix.size());
    BandNumber n;
    if (!rest.empty() && rest.back() == 'a') {
        n.narrow = true;
        rest.remove_suffix(1);
    }
    if (rest.empty() || rest.size() > 2 ||
        !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    n.number = std::atoi(std::string(rest).c_str());
    n.padded = rest.size() == 2 && rest[0] == '0';
    if (n.narrow && n.number != 8)
        return std::nullopt;
    return n;
}

// What a sensor's band number is. nullopt: a real band with no role (coastal, red edge, pan,
// water vapour); the caller tells that apart from a number the sensor does not have.
struct TableEntry {
    bool exists = false;
    std::optional<BandRole> role;
};

TableEntry sensor_band(Sensor s, const BandNumber& n) {
    using R = BandRole;
    auto role = [](std::optional<R> r) { return TableEntry{true, r}; };
    switch (s) {
    case Sensor::LandsatOli:
        switch (n.narrow ? 0 : n.number) {
        case 1: // coastal aerosol
        case 8: // panchromatic
            return role(std::nullopt);
        case 2:
            return role(R::Blue);
        case 3:
            return role(R::Green);
        case 4:
            return role(R::Red);
        case 5:
            return role(R::Nir);
        case 6:
            return role(R::Swir1);
        case 7:
            return role(R::Swir2);
        case 9:
            return role(R::Cirrus);
        case 10:
        case 11:
            return role(R::Thermal);
        default:
            return {};
        }
    case Sensor::LandsatTm:
        switch (n.narrow ? 0 : n.number) {
        case 1:
            return role(R::Blue);
        case 2:
            return role(R::Green);
        case 3:
            return role(R::Red);
        case 4:
            return role(R::Nir);
        case 5:
            return role(R::Swir1);
        case 6:
        case 61:
        case 62:
            return role(R::Thermal);
        case 7:
            return role(R::Swir2);
        case 8:
            return role(std::nullopt);
        default:
            return {};
        }
    case Sensor::Sentinel2:
        if (n.narrow)
            return role(R::Nir); // used only when B08 is missing (20 m products)
        switch (n.number) {
        case 1: // coastal aerosol
        case 5: // red edge
        case 6: // red edge
        case 7: // red edge
        case 9: // water vapour
            return role(std::nullopt);
        case 2:
            return role(R::Blue);
        case 3:
            return role(R::Green);
        case 4:
            return role(R::Red);
        case 8:
            return role(R::Nir);
        case 10:
            return role(R::Cirrus);
        case 11:
            return role(R::Swir1);
        case 12:
            return role(R::Swir2);
        default:
            return {};
        }
    case Sensor::Unknown:
        break;
    }
    return {};
}

// The sensor a product's name gives away: Landsat product ids (LC08, LE07, LT05, ...),
// spacecraft names (LANDSAT_8), Sentinel-2 product names (S2A_MSIL1C, ...).
Sensor sensor_from_product(std::string_view product) {
    std::string p;
    for (char c : product)
        p += char(std::tolower(static_cast<unsigned char>(c)));
    auto has = [&](std::string_view k) { return p.find(k) != std::string::npos; };
    for (std::string_view k : {"lc08", "lc09", "lo08", "lo09", "lc8", "lc9", "landsat_8",
                               "landsat_9", "landsat8", "landsat9", "landsat-8", "landsat-9"})
        if (has(k))
            return Sensor::LandsatOli;
    for (std::string_view k :
         {"le07", "lt05", "lt04", "le7", "lt5", "lt4", "landsat_7", "landsat_5", "landsat_4",
          "landsat7", "landsat5", "landsat-7", "landsat-5"})
        if (has(k))
            return Sensor::LandsatTm;
    for (std::string_view k :
         {"s2a_", "s2b_", "s2c_", "msil1c", "msil2a", "sentinel-2", "sentinel2", "sentinel_2"})
        if (has(k))
            return Sensor::Sentinel2;
    return Sensor::Unknown;
}

// The sensor band names alone imply: a zero-padded number, 8A or 12 is Sentinel-2; 9, 10 or
// 11 unpadded is Landsat 8-9. Plain 1..8 fit both Landsat families: Unknown.
Sensor sensor_from_numbers(const std::vector<std::optional<BandNumber>>& numbers) {
    bool s2 = false, oli = false;
    for (const auto& n : numbers) {
        if (!n)
            continue;
        if (n->padded || n->narrow || n->number == 12)
            s2 = true;
        else if (n->number >= 9 && n->number <= 11)
            oli = true;
    }
    if (s2)
        return Sensor::Sentinel2;
    return oli ? Sensor::LandsatOli : Sensor::Unknown;
}

// A description that names its role in words ("red (TM/ETM+ band 3)", "Near Infrared",
// "SWIR 1", "pixel_qa") or a STAC common name ("nir08", "swir16", "lwir11"). A band named
// for no role ("coastal", "rededge", "pan", "nir09") is named all the same: `named`.
struct WordRole {
    bool named = false;
    std::optional<BandRole> role;
};

WordRole description_role(const std::string& d) {
    auto role = [](BandRole r) { return WordRole{true, r}; };
    if (d.empty())
        return {};
    for (std::string_view none :
         {"rededge", "coastal", "pan", "nir09", "watervapo", "wvp", "aerosol", "deepblue"})
        if (starts(d, none))
            return {true, std::nullopt};
    if (starts(d, "red"))
        return role(BandRole::Red);
    if (starts(d, "blue"))
        return role(BandRole::Blue);
    if (starts(d, "green"))
        return role(BandRole::Green);
    if (starts(d, "nir") || starts(d, "nearinfrared") || starts(d, "nearir"))
        return role(BandRole::Nir);
    if (starts(d, "swir2") || starts(d, "shortwaveinfrared2"))
        return role(BandRole::Swir2);
    if (starts(d, "swir") || starts(d, "shortwaveinfrared"))
        return role(BandRole::Swir1);
    if (starts(d, "thermal") || starts(d, "tir") || starts(d, "lwir") ||
        starts(d, "brightnesstemp"))
        return role(BandRole::Thermal);
    if (starts(d, "cirrus"))
        return role(BandRole::Cirrus);
    if (starts(d, "qa") || starts(d, "pixelqa") || starts(d, "bqa") || starts(d, "quality") ||
        starts(d, "fmask"))
        return role(BandRole::Qa);
    return {};
}

struct PositionLayout {
    Sensor sensor = Sensor::Unknown;
    int bands = 0; ///< the product's band count
    std::vector<std::pair<BandRole, int>> entries;
};

PositionLayout position_layout(const std::string& layout) {
    using R = BandRole;
    if (layout == "sentinel2")
        return {Sensor::Sentinel2,
                13,
                {{R::Blue, 1},
                 {R::Green, 2},
                 {R::Red, 3},
                 {R::Nir, 7},
                 {R::Cirrus, 10},
                 {R::Swir1, 11},
                 {R::Swir2, 12}}};
    if (layout == "landsat-tm")
        return {Sensor::LandsatTm,
                7,
                {{R::Blue, 0},
                 {R::Green, 1},
                 {R::Red, 2},
                 {R::Nir, 3},
                 {R::Swir1, 4},
                 {R::Thermal, 5},
                 {R::Swir2, 6}}};
    if (layout == "landsat-oli")
        return {Sensor::LandsatOli,
                11,
                {{R::Blue, 1},
                 {R::Green, 2},
                 {R::Red, 3},
                 {R::Nir, 4},
                 {R::Swir1, 5},
                 {R::Swir2, 6},
                 {R::Cirrus, 8},
                 {R::Thermal, 9}}};
    if (layout == "red-nir-swir1")
        return {Sensor::Unknown, 3, {{R::Red, 0}, {R::Nir, 1}, {R::Swir1, 2}}};
    return {};
}

std::string band_text(const BandLayout& layout, int band0) {
    std::string t = "band " + std::to_string(band0 + 1);
    if (std::size_t(band0) < layout.descriptions.size() &&
        !layout.descriptions[std::size_t(band0)].empty())
        t += " (" + layout.descriptions[std::size_t(band0)] + ")";
    return t;
}

// A position-only cirrus band is dark at 1.38 um under a clear sky: one whose typical value
// exceeds the visible bands' is some other band (Landsat 8 thermal digital numbers where a
// file lacks the pan band), and scoring it as cirrus would flag every pixel.
void check_positions(BandRoles& roles, const BandLayout& layout, const std::string& name) {
    if (layout.ranges.size() != std::size_t(layout.count) || !roles.has(BandRole::Cirrus))
        return;
    double visible = -1;
    for (BandRole r : {BandRole::Blue, BandRole::Green, BandRole::Red})
        if (roles.has(r))
            visible = std::max(visible, layout.ranges[std::size_t(roles[r])].median);
    const int c = roles[BandRole::Cirrus];
    const double cirrus = layout.ranges[std::size_t(c)].median;
    if (visible > 0 && cirrus > visible) {
        roles.warn("layout '" + name + "': " + band_text(layout, c) + " of scene '" + layout.label +
                   "' is not a cirrus band (typical value " + short_number(cirrus) +
                   ", above the visible bands' " + short_number(visible) +
                   "); cirrus role dropped");
        roles.remove(BandRole::Cirrus);
    }
}

} // namespace

std::string_view role_name(BandRole r) {
    return kRoleNames[std::size_t(r)];
}

std::optional<BandRole> parse_role(std::string_view name) {
    const std::string n = lower_compact(name);
    for (int i = 0; i < kBandRoleCount; ++i)
        if (kRoleNames[std::size_t(i)] == n)
            return BandRole(i);
    return std::nullopt;
}

int BandRoles::require(BandRole r, std::string_view method, std::string_view scene) const {
    if (has(r))
        return (*this)[r];
    throw ArgumentError(
        "score method '" + std::string(method) + "' needs the " + std::string(role_name(r)) +
        " band, which scene '" + std::string(scene) + "' lacks (its roles: " + describe() +
        "; set one with --param roles=" + std::string(role_name(r)) + "=N or --param layout=...)");
}

std::string BandRoles::describe() const {
    std::string out;
    for (int i = 0; i < kBandRoleCount; ++i) {
        if (index_[std::size_t(i)] < 0)
            continue;
        if (!out.empty())
            out += ' ';
        out += std::string(kRoleNames[std::size_t(i)]) + "=" +
               std::to_string(index_[std::size_t(i)] + 1);
    }
    return out.empty() ? "none" : out;
}

std::string BandRoles::explain(const BandLayout& layout) const {
    std::string out;
    for (int i = 0; i < kBandRoleCount; ++i) {
        const int b = index_[std::size_t(i)];
        if (b < 0)
            continue;
        if (!out.empty())
            out += ' ';
        out += std::string(kRoleNames[std::size_t(i)]) + "=" + std::to_string(b + 1);
        std::string note;
        if (std::size_t(b) < layout.descriptions.size())
            note = layout.descriptions[std::size_t(b)];
        const RoleSource s = source_[std::size_t(i)];
        const char* how = s == RoleSource::Parameter     ? "roles parameter"
                          : s == RoleSource::ColorInterp ? "colour interpretation"
                          : s == RoleSource::QaFile      ? "quality file"
                                                         : nullptr;
        if (how)
            note += std::string(note.empty() ? "" : ", ") + how;
        if (!note.empty())
            out += " (" + note + ")";
    }
    if (out.empty())
        out = "none";
    if (!sensor_.empty())
        out += " [" + sensor_ + "]";
    return out;
}

const ParamTable<BandRoleOptions>& BandRoleOptions::params() {
    static const ParamTable<BandRoleOptions> table = [] {
        ParamTable<BandRoleOptions> t;
        t.add(&BandRoleOptions::roles, "roles",
              "band roles as ROLE=BAND (1-based), comma separated, e.g. red=1,nir=2,swir1=3; "
              "ROLE=none removes a role; overrides the layout and band descriptions");
        t.add_choice(&BandRoleOptions::layout, "layout",
                     {"auto", "none", "sentinel2", "landsat-tm", "landsat-oli", "red-nir-swir1"},
                     "sensor band table for band descriptions (B1, B04, B8A, ...); auto takes "
                     "the sensor from the product name and band names; by position only when "
                     "no description names a band");
        return t;
    }();
    return table;
}

BandRoles resolve_band_roles(const BandLayout& layout, const BandRoleOptions& options) {
    BandRoles roles;
    const std::string& label = layout.label;
    const std::string& name = options.layout;
    const int primary = layout.qa_band >= 0 ? std::min(layout.qa_band, layout.count) : layout.count;
    if (name != "none") {
        const PositionLayout pos = position_layout(name);
        std::vector<std::string> desc(std::size_t(layout.count));
        std::vector<std::optional<BandNumber>> numbers(std::size_t(layout.count));
        for (int b = 0; b < layout.count; ++b)
            if (std::size_t(b) < layout.descriptions.size()) {
                desc[std::size_t(b)] = lower_compact(layout.descriptions[std::size_t(b)]);
                numbers[std::size_t(b)] = band_number(desc[std::size_t(b)]);
            }
        const bool any_number =
            std::any_of(numbers.begin(), numbers.end(), [](const auto& n) { return bool(n); });
        Sensor sensor = pos.sensor;
        std::string sensor_how = "the '" + name + "' layout";
        if (name == "auto" && any_number) {
            sensor = sensor_from_product(layout.product.empty() ? label : layout.product);
            sensor_how = "the product name";
            if (sensor == Sensor::Unknown) {
                sensor = sensor_from_numbers(numbers);
                sensor_how = "the band names";
            }
            if (sensor == Sensor::Unknown) {
                sensor = Sensor::LandsatOli;
                sensor_how = "a guess";
                roles.warn("scene '" + label +
                           "': band names B1..B8 fit both Landsat 4-7 and Landsat 8-9; read as "
                           "Landsat 8-9 OLI (set layout=landsat-tm for Landsat 4-7)");
            }
        }
        bool named = false;
        int narrow_nir = -1;
        for (int b = 0; b < layout.count; ++b) {
            std::optional<BandRole> r;
            RoleSource src = RoleSource::Description;
            if (const auto& n = numbers[std::size_t(b)]) {
                if (sensor == Sensor::Unknown) {
                    // A named layout without a band table (red-nir-swir1): numbers say
                    // nothing about roles, but the band is still named.
                    named = true;
                    continue;
                }
                const TableEntry e = sensor_band(sensor, *n);
                named = true;
                if (!e.exists) {
                    roles.warn("scene '" + label + "': " + band_text(layout, b) +
                               " is not a band of " + std::string(sensor_label(sensor)) +
                               "; no role");
                    continue;
                }
                if (n->narrow && e.role == BandRole::Nir) {
                    if (narrow_nir < 0)
                        narrow_nir = b;
                    continue;
                }
                r = e.role;
            } else {
                const WordRole w = description_role(desc[std::size_t(b)]);
                named = named || w.named;
                r = w.role;
                if (!r && std::size_t(b) < layout.colorinterp.size()) {
                    const std::string ci = lower_compact(layout.colorinterp[std::size_t(b)]);
                    if (ci == "red" || ci == "green" || ci == "blue") {
                        r = parse_role(ci);
                        src = RoleSource::ColorInterp;
                    }
                }
            }
            // The first band named for a role wins (B10 before B11 for thermal).
            if (r && !roles.has(*r))
                roles.set(*r, b, src);
        }
        if (narrow_nir >= 0 && !roles.has(BandRole::Nir))
            roles.set(BandRole::Nir, narrow_nir, RoleSource::Description);
        if (named && any_number && !pos.entries.empty() && pos.sensor != Sensor::Unknown) {
            const Sensor said =
                sensor_from_product(layout.product.empty() ? label : layout.product);
            if (said != Sensor::Unknown && said != pos.sensor)
                roles.warn("scene '" + label + "': layout '" + name + "' reads the band names as " +
                           std::string(sensor_label(pos.sensor)) + " but the product name says " +
                           std::string(sensor_label(said)) + " (layout=auto follows the product)");
        }
        if (named) {
            if (any_number && sensor != Sensor::Unknown)
                roles.set_sensor(std::string(sensor_label(sensor)) + " band table (from " +
                                 sensor_how + ")");
        } else if (!pos.entries.empty()) {
            // Nothing names the bands: positions, for exactly the product's bands.
            if (primary != pos.bands)
                throw ArgumentError("band layout '" + name + "' needs " +
                                    std::to_string(pos.bands) + " bands but scene '" + label +
                                    "' has " + std::to_string(primary) +
                                    " (a layout assigns roles by position, so the bands must "
                                    "be the product's own; name them with --param roles=...)");
            for (const auto& [r, b] : pos.entries)
                roles.set(r, b, RoleSource::Layout);
            roles.set_sensor("'" + name + "' layout by position");
            check_positions(roles, layout, name);
        }
        if (layout.qa_band >= 0 && !roles.has(BandRole::Qa))
            roles.set(BandRole::Qa, layout.qa_band, RoleSource::QaFile);
    }
    if (!options.roles.empty()) {
        std::string_view text = options.roles;
        while (!text.empty()) {
            const auto comma = text.find(',');
            const std::string_view item = text.substr(0, comma);
            text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
            const auto eq = item.find('=');
            const auto role = parse_role(item.substr(0, eq));
            if (eq == std::string_view::npos || !role)
                throw ArgumentError("parameter 'roles': '" + std::string(item) +
                                    "' is not ROLE=BAND or ROLE=none (roles: blue, green, red, "
                                    "nir, swir1, swir2, thermal, cirrus, qa)");
            const std::string num(item.substr(eq + 1));
            if (lower_compact(num) == "none") {
                roles.remove(*role);
                continue;
            }
            char* end = nullptr;
            const long b = std::strtol(num.c_str(), &end, 10);
            if (num.empty() || *end != '\0' || b < 1 || b > layout.count)
                throw ArgumentError("parameter 'roles': band '" + num + "' for " +
                                    std::string(role_name(*role)) + " is not a band of scene '" +
                                    label + "' (1.." + std::to_string(layout.count) + ", or none)");
            roles.set(*role, int(b - 1), RoleSource::Parameter);
        }
    }
    return roles;
}

std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, std::abs(v) >= 1000 ? "%.0f" : "%.3g", v);
    return buf;
}

std::vector<BandRange> sample_band_ranges(const Raster& sample) {
    const int nb = sample.bands();
    const std::size_t n = sample.band_size();
    std::vector<std::uint8_t> valid(n, kValid);
    for (int b = 0; b < nb; ++b) {
        const auto m = sample.mask(b);
        if (!m.empty())
            for (std::size_t i = 0; i < n; ++i)
                valid[i] &= m[i];
    }
    std::vector<BandRange> out(static_cast<std::size_t>(nb));
    std::vector<double> v;
    for (int b = 0; b < nb; ++b) {
        v.clear();
        visit_dtype(sample.dtype(), [&](auto x) {
            using T = decltype(x);
            const auto d = sample.band<T>(b);
            for (std::size_t i = 0; i < n; ++i)
                if (valid[i] && !std::isnan(double(d[i])))
                    v.push_back(double(d[i]));
        });
        if (v.empty())
            return {};
        auto at = [&](double q) {
            const auto k = std::size_t(q * double(v.size() - 1) + 0.5);
            std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
            return v[k];
        };
        out[std::size_t(b)] = {at(0.02), at(0.5), at(0.98)};
    }
    return out;
}

std::vector<int> parse_band_list(std::string_view text, const BandRoles& roles, int band_count,
                                 std::string_view what, const std::vector<int>& fallback) {
    if (text.empty())
        return fallback;
    std::vector<int> out;
    while (true) {
        const auto comma = text.find(',');
        const std::string item(text.substr(0, comma));
        char* end = nullptr;
        const long b = std::strtol(item.c_str(), &end, 10);
        if (!item.empty() && *end == '\0') {
            if (b < 1 || b > band_count)
                throw ArgumentError("parameter '" + std::string(what) + "': band " + item +
                                    " does not exist (1.." + std::to_string(band_count) + ")");
            out.push_back(int(b - 1));
        } else if (const auto role = parse_role(item)) {
            if (!roles.has(*role))
                throw ArgumentError("parameter '" + std::string(what) + "': the scene has no " +
                                    item + " band (its roles: " + roles.describe() + ")");
            out.push_back(roles[*role]);
        } else {
            throw ArgumentError("parameter '" + std::string(what) + "': '" + item +
                                "' is neither a band number nor a role name");
        }
        if (comma == std::string_view::npos)
            break;
        text = text.substr(comma + 1);
    }
    return out;
}

} // namespace rb
