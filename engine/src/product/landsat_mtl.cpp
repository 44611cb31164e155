// Landsat MTL files: ODL text (GROUP = ... / KEY = VALUE / END_GROUP) and the same tree as
// JSON, Collection 1 and 2, Level-1 and Level-2. Keys are looked up within their group,
// because a Level-2 file repeats the Level-1 names (REFLECTANCE_MULT_BAND_n) with other
// values.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "json_nesting.h"
#include "product_detail.h"
#include "rasterbench/error.h"

namespace rb::detail {

namespace {

/// Values by "GROUP.SUBGROUP.KEY" path, in file order.
using Entries = std::vector<std::pair<std::string, std::string>>;

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        s = s.substr(1, s.size() - 2);
    return s;
}

Entries parse_odl(const std::string& path, const std::string& text) {
    Entries out;
    std::vector<std::string> groups;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const std::string t = trim(line);
        if (t.empty() || t == "END")
            continue;
        const auto eq = t.find('=');
        if (eq == std::string::npos)
            throw ArgumentError("'" + path + "': line " + std::to_string(n) +
                                ": not KEY = VALUE (not a Landsat MTL file?)");
        const std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
        if (key == "GROUP") {
            groups.push_back(value);
        } else if (key == "END_GROUP") {
            if (groups.empty() || groups.back() != value)
                throw ArgumentError("'" + path + "': line " + std::to_string(n) +
                                    ": END_GROUP = " + value + " closes no open group");
            groups.pop_back();
        } else {
            std::string p;
            for (const auto& g : groups)
                p += g + ".";
            out.emplace_back(p + key, value);
        }
    }
    return out;
}

void flatten(const nlohmann::json& j, const std::string& prefix, Entries& out) {
    for (const auto& [k, v] : j.items()) {
        if (v.is_object())
            flatten(v, prefix + k + ".", out);
        else if (v.is_string())
            out.emplace_back(prefix + k, v.get<std::string>());
        else if (!v.is_array())
            out.emplace_back(prefix + k, v.dump());
    }
}

class Mtl {
public:
    Mtl(Entries e, std::string path) : entries_(std::move(e)), path_(std::move(path)) {}
    /// The value of KEY in a group whose name contains `group` (any group when empty).
    std::optional<std::string> get(const std::string& key, const std::string& group = {}) const {
        for (const auto& [p, v] : entries_) {
            const auto dot = p.rfind('.');
            const std::string k = dot == std::string::npos ? p : p.substr(dot + 1);
            if (k != key)
                continue;
            if (group.empty() || p.find(group) != std::string::npos)
                return v;
        }
        return std::nullopt;
    }
    std::optional<double> number(const std::string& key, const std::string& group = {}) const {
        const auto v = get(key, group);
        if (!v)
            return std::nullopt;
        char* end = nullptr;
        const double d = std::strtod(v->c_str(), &end);
        if (end == v->c_str())
            return std::nullopt; // a word ("NONE"): no number
        // A number with anything after it ("2.0000E", "12abc": a damaged file) or one that
        // is not finite was read by its prefix: a gain of 2 where the file meant 2e-5.
        while (*end == ' ' || *end == '\t' || *end == '\r')
            ++end;
        if (*end || !std::isfinite(d))
            throw ArgumentError("'" + path_ + "': " + key + " = " + *v + " is not a number");
        return d;
    }
    /// number(key) when it is a whole number in [lo, hi]; ArgumentError naming the file
    /// otherwise (a path of "abc" or 12.5 is a damaged file, not path 0 or 12).
    std::optional<int> whole(const std::string& key, int lo, int hi) const {
        const auto d = number(key);
        if (!d)
            return std::nullopt;
        if (*d != std::floor(*d) || *d < lo || *d > hi)
            throw ArgumentError("'" + path_ + "': " + key + " = " + *get(key) +
                                " is not a whole number in " + std::to_string(lo) + ".." +
                                std::to_string(hi));
        return int(*d);
    }
    bool has_group(const std::string& group) const {
        for (const auto& [p, v] : entries_)
            if (p.find(group + ".") != std::string::npos)
                return true;
        return false;
    }

private:
    Entries entries_;
    std::string path_;
};

} // namespace

ProductMetadata read_landsat_mtl(const std::string& path, const std::string& file_text) {
    Entries entries;
    // A UTF-8 byte order mark (an editor's) is no part of the text.
    const std::string text =
        file_text.rfind("\xEF\xBB\xBF", 0) == 0 ? file_text.substr(3) : file_text;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
        detail::check_json_nesting(text, "'" + path + "'");
        const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            throw ArgumentError("'" + path + "': not valid JSON");
        flatten(j, "", entries);
    } else {
        entries = parse_odl(path, text);
    }
    const Mtl m(std::move(entries), path);
    ProductMetadata p;
    p.source = path;
    p.family = ProductFamily::Landsat;
    if (m.has_group("LANDSAT_METADATA_FILE"))
        p.collection = 2;
    else if (m.has_group("L1_METADATA_FILE"))
        p.collection = m.whole("COLLECTION_NUMBER", 0, 99).value_or(0);
    else
        throw ArgumentError("'" + path +
                            "': no L1_METADATA_FILE or LANDSAT_METADATA_FILE group (not a "
                            "Landsat MTL file)");
    p.product_id = m.get("LANDSAT_PRODUCT_ID").value_or(m.get("LANDSAT_SCENE_ID").value_or(""));
    p.platform = m.get("SPACECRAFT_ID").value_or("");
    p.sensor = m.get("SENSOR_ID").value_or("");
    p.level = m.get("PROCESSING_LEVEL").value_or(m.get("DATA_TYPE").value_or(""));
    const std::string date = m.get("DATE_ACQUIRED").value_or("");
    p.date = date_from_metadata({{"DATE_ACQUIRED", date}});
    if (!p.date)
        throw ArgumentError("'" + path + "': no valid DATE_ACQUIRED (got '" + date + "')");
    p.time = m.get("SCENE_CENTER_TIME").value_or("");
    // WRS-1 (Landsat 1-3) has paths up to 251, WRS-2 up to 233; rows up to 248 in both.
    const auto wrs_path = m.whole("WRS_PATH", 1, 251), wrs_row = m.whole("WRS_ROW", 1, 248);
    if (wrs_path && wrs_row) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%03d/%03d", *wrs_path, *wrs_row);
        p.location = buf;
    }
    p.cloud_cover = m.number("CLOUD_COVER");
    p.sun_elevation = m.number("SUN_ELEVATION");
    p.sun_azimuth = m.number("SUN_AZIMUTH");
    p.earth_sun_distance = m.number("EARTH_SUN_DISTANCE");
    p.quality_file =
        m.get("FILE_NAME_QUALITY_L1_PIXEL").value_or(m.get("FILE_NAME_BAND_QUALITY").value_or(""));
    if (const auto l2 = m.get("FILE_NAME_QUALITY_L2_PIXEL"); l2 && p.quality_file.empty())
        p.quality_file = *l2;
    p.solar_zenith_file = m.get("FILE_NAME_ANGLE_SOLAR_ZENITH_BAND_4").value_or("");
    // Level-1 rescaling lives in RADIOMETRIC_RESCALING (Collection 1) or
    // LEVEL1_RADIOMETRIC_RESCALING (Collection 2); Level-2 scaling in LEVEL2_* groups.
    const std::string l1 =
        p.collection == 2 ? "LEVEL1_RADIOMETRIC_RESCALING" : "RADIOMETRIC_RESCALING";
    for (int b = 1; b <= 11; ++b) {
        const std::string n = std::to_string(b);
        BandRescaling r;
        r.name = "B" + n;
        r.radiance_mult = m.number("RADIANCE_MULT_BAND_" + n, l1);
        r.radiance_add = m.number("RADIANCE_ADD_BAND_" + n, l1);
        r.reflectance_mult = m.number("REFLECTANCE_MULT_BAND_" + n, l1);
        r.reflectance_add = m.number("REFLECTANCE_ADD_BAND_" + n, l1);
        r.k1 = m.number("K1_CONSTANT_BAND_" + n);
        r.k2 = m.number("K2_CONSTANT_BAND_" + n);
        r.sr_mult = m.number("REFLECTANCE_MULT_BAND_" + n, "LEVEL2_SURFACE_REFLECTANCE");
        r.sr_add = m.number("REFLECTANCE_ADD_BAND_" + n, "LEVEL2_SURFACE_REFLECTANCE");
        r.st_mult = m.number("TEMPERATURE_MULT_BAND_ST_B" + n, "LEVEL2_SURFACE_TEMPERATURE");
        r.st_add = m.number("TEMPERATURE_ADD_BAND_ST_B" + n, "LEVEL2_SURFACE_TEMPERATURE");
        r.file =
            m.get("FILE_NAME_BAND_" + n).value_or(m.get("FILE_NAME_BAND_ST_B" + n).value_or(""));
        if (b == 6 && !r.radiance_mult) {
            // Landsat 7 ETM+ has two gains of band 6 (VCID_1 low, VCID_2 high): the low one.
            const std::string v = "6_VCID_1";
            r.radiance_mult = m.number("RADIANCE_MULT_BAND_" + v, l1);
            r.radiance_add = m.number("RADIANCE_ADD_BAND_" + v, l1);
            r.k1 = m.number("K1_CONSTANT_BAND_" + v);
            r.k2 = m.number("K2_CONSTANT_BAND_" + v);
            if (r.file.empty())
                r.file = m.get("FILE_NAME_BAND_" + v).value_or("");
        }
        if (r.radiance_mult || r.reflectance_mult || r.sr_mult || r.st_mult || !r.file.empty())
            p.bands.push_back(std::move(r));
    }
    if (p.bands.empty())
        throw ArgumentError("'" + path + "': no band rescaling (RADIANCE_MULT_BAND_n) found");
    return p;
}

} // namespace rb::detail
