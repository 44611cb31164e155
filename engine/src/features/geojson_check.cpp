// Checks of GeoJSON geometries against RFC 7946 before OGR reads them: OGR turns an unknown
// type or non-numeric coordinates silently into a null geometry, which a burn would drop.
#include <cmath>
#include <string>

#include "features_detail.h"

namespace rb::detail {

using Json = nlohmann::json;

namespace {

// Stands for a NaN or infinite literal in the text given to nlohmann (which, like JSON,
// has none, while GDAL's parser accepts them).
const char* const kNonFinite = "\x01non-finite";

} // namespace

// The text with NaN/Infinity literals outside strings replaced by kNonFinite as a string.
std::string quote_non_finite(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size())
                out += text[++i];
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            out += c;
            continue;
        }
        std::size_t j = i + (c == '-' || c == '+');
        std::size_t len = 0;
        for (const char* word : {"infinity", "nan", "inf"}) {
            const std::size_t n = std::strlen(word);
            if (j + n <= text.size() && strncasecmp(text.c_str() + j, word, n) == 0 &&
                (j + n == text.size() || !std::isalnum(static_cast<unsigned char>(text[j + n])))) {
                len = j + n - i;
                break;
            }
        }
        if (len > 0 && (j > i || std::isalpha(static_cast<unsigned char>(c)))) {
            out += '"';
            out += "\\u0001non-finite";
            out += '"';
            i += len - 1;
        } else {
            out += c;
        }
    }
    return out;
}

namespace {

std::string position_problem(const Json& p) {
    if (!p.is_array() || p.size() < 2)
        return "coordinates are not arrays of 2 or more numbers";
    for (const Json& c : p) {
        if (c.is_string() && c.get<std::string>() == kNonFinite)
            return "a coordinate is NaN or infinite";
        if (!c.is_number())
            return "coordinates are not numbers";
        if (!std::isfinite(c.get<double>()))
            return "a coordinate is NaN or infinite";
    }
    return {};
}

// `depth` array levels above the positions.
std::string positions_problem(const Json& c, int depth) {
    if (depth == 0)
        return position_problem(c);
    if (!c.is_array())
        return "coordinates are not arrays of numbers";
    for (const Json& e : c)
        if (std::string p = positions_problem(e, depth - 1); !p.empty())
            return p;
    return {};
}

std::string rings_problem(const Json& rings) {
    if (!rings.is_array())
        return "coordinates are not arrays of numbers";
    for (std::size_t r = 0; r < rings.size(); ++r) {
        if (std::string p = positions_problem(rings[r], 1); !p.empty())
            return p;
        if (rings[r].size() < 4)
            return "ring " + std::to_string(r) + " has " + std::to_string(rings[r].size()) +
                   " positions (a polygon ring needs at least 4)";
    }
    return {};
}

} // namespace

// Why a GeoJSON geometry object is not one RFC 7946 defines; empty when it is. OGR still
// builds the geometries; this only catches what OGR would turn silently into a null
// geometry (an unknown type, coordinates that are not numbers) and so drop from a burn.
std::string geometry_problem(const Json& g) {
    if (g.is_null())
        return {};
    if (!g.is_object())
        return "the geometry is not an object";
    const auto t = g.find("type");
    if (t == g.end() || !t->is_string())
        return "the geometry has no \"type\"";
    const std::string type = t->get<std::string>();
    if (type == "GeometryCollection") {
        const auto parts = g.find("geometries");
        if (parts == g.end() || !parts->is_array())
            return "a GeometryCollection without a \"geometries\" array";
        for (const Json& part : *parts)
            if (std::string p = geometry_problem(part); !p.empty())
                return p;
        return {};
    }
    static const std::map<std::string, int> depth = {{"Point", 0},      {"MultiPoint", 1},
                                                     {"LineString", 1}, {"MultiLineString", 2},
                                                     {"Polygon", 3},    {"MultiPolygon", 4}};
    const auto d = depth.find(type);
    if (d == depth.end())
        return "geometry type '" + type + "' is not a GeoJSON geometry type";
    const auto c = g.find("coordinates");
    if (c == g.end())
        return "a " + type + " without \"coordinates\"";
    if (type == "Polygon")
        return rings_problem(*c);
    if (type == "MultiPolygon") {
        if (!c->is_array())
            return "coordinates are not arrays of numbers";
        for (const Json& poly : *c)
            if (std::string p = rings_problem(poly); !p.empty())
                return p;
        return {};
    }
    return positions_problem(*c, d->second);
}

} // namespace rb::detail
