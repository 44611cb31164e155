#include "rasterbench/bands.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

// Sentinel-2 band names as the eo-learn and SAFE products write them: two digits or 8A.
std::optional<BandRole> sentinel2_role(const std::string& d) {
    if (d.size() != 3 || d[0] != 'b')
        return std::nullopt;
    const std::string n = d.substr(1);
    if (n == "02")
        return BandRole::Blue;
    if (n == "03")
        return BandRole::Green;
    if (n == "04")
        return BandRole::Red;
    if (n == "08")
        return BandRole::Nir;
    if (n == "10")
        return BandRole::Cirrus;
    if (n == "11")
        return BandRole::Swir1;
    if (n == "12")
        return BandRole::Swir2;
    return std::nullopt;
}

// A description that names its role in words ("red (TM/ETM+ band 3)", "Near Infrared",
// "SWIR 1", "pixel_qa"). "red edge" is not red.
std::optional<BandRole> description_role(std::string_view description) {
    const std::string d = lower_compact(description);
    if (d.empty())
        return std::nullopt;
    if (auto r = sentinel2_role(d))
        return r;
    if (starts(d, "rededge"))
        return std::nullopt;
    if (starts(d, "red"))
        return BandRole::Red;
    if (starts(d, "blue"))
        return BandRole::Blue;
    if (starts(d, "green"))
        return BandRole::Green;
    if (starts(d, "nir") || starts(d, "nearinfrared") || starts(d, "nearir"))
        return BandRole::Nir;
    if (starts(d, "swir2") || starts(d, "shortwaveinfrared2"))
        return BandRole::Swir2;
    if (starts(d, "swir") || starts(d, "shortwaveinfrared"))
        return BandRole::Swir1;
    if (starts(d, "thermal") || starts(d, "tir") || starts(d, "lwir") ||
        starts(d, "brightnesstemp"))
        return BandRole::Thermal;
    if (starts(d, "cirrus"))
        return BandRole::Cirrus;
    if (starts(d, "qa") || starts(d, "pixelqa") || starts(d, "bqa") || starts(d, "quality") ||
        starts(d, "fmask"))
        return BandRole::Qa;
    return std::nullopt;
}

void apply_layout(BandRoles& roles, const std::string& layout, int count,
                  const std::string& label) {
    struct Entry {
        BandRole role;
        int band0;
    };
    std::vector<Entry> entries;
    if (layout == "sentinel2")
        entries = {{BandRole::Blue, 1},  {BandRole::Green, 2},   {BandRole::Red, 3},
                   {BandRole::Nir, 7},   {BandRole::Cirrus, 10}, {BandRole::Swir1, 11},
                   {BandRole::Swir2, 12}};
    else if (layout == "landsat-tm")
        entries = {{BandRole::Blue, 0}, {BandRole::Green, 1}, {BandRole::Red, 2},
                   {BandRole::Nir, 3},  {BandRole::Swir1, 4}, {BandRole::Thermal, 5},
                   {BandRole::Swir2, 6}};
    else if (layout == "landsat-oli")
        entries = {{BandRole::Blue, 1},   {BandRole::Green, 2},  {BandRole::Red, 3},
                   {BandRole::Nir, 4},    {BandRole::Swir1, 5},  {BandRole::Swir2, 6},
                   {BandRole::Cirrus, 8}, {BandRole::Thermal, 9}};
    else if (layout == "red-nir-swir1")
        entries = {{BandRole::Red, 0}, {BandRole::Nir, 1}, {BandRole::Swir1, 2}};
    int needed = 0;
    for (const auto& e : entries)
        needed = std::max(needed, e.band0 + 1);
    if (needed > count)
        throw ArgumentError("band layout '" + layout + "' needs " + std::to_string(needed) +
                            " bands but scene '" + label + "' has " + std::to_string(count));
    for (const auto& e : entries)
        roles.set(e.role, e.band0);
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

const ParamTable<BandRoleOptions>& BandRoleOptions::params() {
    static const ParamTable<BandRoleOptions> table = [] {
        ParamTable<BandRoleOptions> t;
        t.add(&BandRoleOptions::roles, "roles",
              "band roles as ROLE=BAND (1-based), comma separated, e.g. red=1,nir=2,swir1=3; "
              "overrides the layout and band descriptions");
        t.add_choice(&BandRoleOptions::layout, "layout",
                     {"auto", "none", "sentinel2", "landsat-tm", "landsat-oli", "red-nir-swir1"},
                     "known product band layout; auto reads band descriptions and colour "
                     "interpretations");
        return t;
    }();
    return table;
}

BandRoles resolve_band_roles(const BandLayout& layout, const BandRoleOptions& options) {
    BandRoles roles;
    const std::string& label = layout.label;
    if (options.layout == "auto") {
        for (int b = 0; b < layout.count; ++b) {
            std::optional<BandRole> r;
            if (std::size_t(b) < layout.descriptions.size())
                r = description_role(layout.descriptions[std::size_t(b)]);
            if (!r && std::size_t(b) < layout.colorinterp.size()) {
                const std::string ci = lower_compact(layout.colorinterp[std::size_t(b)]);
                if (ci == "red" || ci == "green" || ci == "blue")
                    r = parse_role(ci);
            }
            // The first band named for a role wins (B08 before B8A, which we do not match).
            if (r && !roles.has(*r))
                roles.set(*r, b);
        }
        if (layout.qa_band >= 0 && !roles.has(BandRole::Qa))
            roles.set(BandRole::Qa, layout.qa_band);
    } else if (options.layout != "none") {
        apply_layout(roles, options.layout, layout.count, label);
        if (layout.qa_band >= 0 && !roles.has(BandRole::Qa))
            roles.set(BandRole::Qa, layout.qa_band);
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
                                    "' is not ROLE=BAND (roles: blue, green, red, nir, swir1, "
                                    "swir2, thermal, cirrus, qa)");
            const std::string num(item.substr(eq + 1));
            char* end = nullptr;
            const long b = std::strtol(num.c_str(), &end, 10);
            if (num.empty() || *end != '\0' || b < 1 || b > layout.count)
                throw ArgumentError("parameter 'roles': band '" + num + "' for " +
                                    std::string(role_name(*role)) + " is not a band of scene '" +
                                    label + "' (1.." + std::to_string(layout.count) + ")");
            roles.set(*role, int(b - 1));
        }
    }
    return roles;
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
