// Which sensor took a scene, from its metadata or its name.
#include <algorithm>
#include <cctype>
#include <regex>

#include "rasterbench/scene_date.h"

namespace rb {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

// "LANDSAT_7" + "ETM" -> LE07, "SENTINEL-2A" -> S2A.
std::string sensor_from_text(const std::string& text) {
    const std::string t = upper(text);
    std::smatch m;
    static const std::regex landsat(R"(LANDSAT[_ -]?(\d))");
    if (std::regex_search(t, m, landsat)) {
        const int n = std::stoi(m[1]);
        const char kind = n >= 8 ? 'C' : n == 7 ? 'E' : 'T';
        return std::string("L") + kind + "0" + std::to_string(n);
    }
    static const std::regex sentinel(R"(SENTINEL[-_ ]?2([ABC]))");
    if (std::regex_search(t, m, sentinel))
        return "S2" + m[1].str();
    return {};
}

} // namespace

std::string scene_sensor(const std::map<std::string, std::string>& md, const std::string& path) {
    for (const char* key : {"SPACECRAFT_ID", "SPACECRAFT_NAME", "SATELLITE", "MISSION"}) {
        const auto it = md.find(key);
        if (it == md.end())
            continue;
        if (auto s = sensor_from_text(it->second); !s.empty())
            return s;
    }
    const auto slash = path.find_last_of("/\\");
    const std::string name = upper(slash == std::string::npos ? path : path.substr(slash + 1));
    std::smatch m;
    // Collection product ids (LE07_L1TP_...) and pre-collection scene ids (LE70350322008118...).
    static const std::regex product(R"((?:^|[^A-Z0-9])L([CEOTM])0([1-9])_)");
    if (std::regex_search(name, m, product))
        return "L" + m[1].str() + "0" + m[2].str();
    static const std::regex scene(R"((?:^|[^A-Z0-9])L([CEOTM])([1-9])\d{13}[A-Z]{3}\d{2})");
    if (std::regex_search(name, m, scene))
        return "L" + m[1].str() + "0" + m[2].str();
    static const std::regex s2(R"((?:^|[^A-Z0-9])S2([ABC])_)");
    if (std::regex_search(name, m, s2))
        return "S2" + m[1].str();
    return {};
}

bool SceneInfo::slc_off() const {
    return sensor == "LE07" && date && *date > SceneDate{2003, 5, 31};
}

SceneInfo scene_info(const std::map<std::string, std::string>& metadata, const std::string& path) {
    SceneInfo info;
    info.label = path;
    info.date = scene_date(metadata, path);
    info.sensor = scene_sensor(metadata, path);
    return info;
}

} // namespace rb
