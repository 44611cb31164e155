// Geometry values over OGR, reading any OGR vector source, and GeoJSON writing.
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <strings.h>
#include <unistd.h>

#include "gdal_util.h"
#include "partial_file.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "warp_mem.h"

namespace rb {

using detail::GdalErrorCapture;
using detail::GeomPtr;
using detail::reason;

// ---------------------------------------------------------------------------------------
// Polygon

namespace {

double ring_signed_area(const Ring& r) {
    if (r.size() < 3)
        return 0;
    // Relative to the first vertex: map coordinates are large (UTM northings ~5e6) and the
    // shoelace products would otherwise cancel away most of the area's digits.
    const double x0 = r[0][0], y0 = r[0][1];
    double a = 0;
    for (std::size_t i = 0; i + 1 < r.size(); ++i)
        a += (r[i][0] - x0) * (r[i + 1][1] - y0) - (r[i + 1][0] - x0) * (r[i][1] - y0);
    return a / 2;
}

OGRGeometryH h(const std::shared_ptr<void>& g) {
    return static_cast<OGRGeometryH>(g.get());
}

std::string snippet(std::string_view text) {
    std::string s(text.substr(0, 60));
    for (char& c : s)
        if (c == '\n' || c == '\r')
            c = ' ';
    return text.size() > 60 ? s + "..." : s;
}

} // namespace

std::size_t Polygon::vertex_count() const {
    std::size_t n = exterior.size();
    for (const auto& r : holes)
        n += r.size();
    return n;
}

double Polygon::area() const {
    double a = std::fabs(ring_signed_area(exterior));
    for (const auto& r : holes)
        a -= std::fabs(ring_signed_area(r));
    return std::max(0.0, a);
}

// ---------------------------------------------------------------------------------------
// Geometry

Geometry Geometry::adopt_ogr(void* handle) {
    Geometry g;
    if (handle)
        g.g_ = std::shared_ptr<void>(
            handle, [](void* p) { OGR_G_DestroyGeometry(static_cast<OGRGeometryH>(p)); });
    return g;
}

Geometry Geometry::from_geojson(std::string_view json) {
    GdalErrorCapture cap;
    const std::string text(json);
    OGRGeometryH g = OGR_G_CreateGeometryFromJson(text.c_str());
    if (!g)
        throw ArgumentError("invalid GeoJSON geometry '" + snippet(json) +
                            "': " + reason(cap, "OGR could not parse it"));
    return adopt_ogr(g);
}

Geometry Geometry::from_wkt(std::string_view wkt) {
    GdalErrorCapture cap;
    std::string text(wkt);
    char* p = text.data();
    OGRGeometryH g = nullptr;
    if (OGR_G_CreateFromWkt(&p, nullptr, &g) != OGRERR_NONE || !g)
        throw ArgumentError("invalid WKT geometry '" + snippet(wkt) +
                            "': " + reason(cap, "OGR could not parse it"));
    return adopt_ogr(g);
}

Geometry Geometry::point(double x, double y) {
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, x, y);
    return adopt_ogr(g);
}

Geometry Geometry::from_polygon(const Polygon& polygon) {
    GeomPtr poly(OGR_G_CreateGeometry(wkbPolygon));
    auto add = [&](const Ring& r) {
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        OGR_G_SetPointCount(ring, int(r.size()));
        for (std::size_t i = 0; i < r.size(); ++i)
            OGR_G_SetPoint_2D(ring, int(i), r[i][0], r[i][1]);
        OGR_G_AddGeometryDirectly(poly.get(), ring);
    };
    if (!polygon.exterior.empty()) {
        add(polygon.exterior);
        for (const auto& r : polygon.holes)
            add(r);
    }
    return adopt_ogr(poly.release());
}

bool Geometry::is_empty() const {
    return !g_ || OGR_G_IsEmpty(h(g_));
}

std::string Geometry::type() const {
    if (!g_)
        return "null";
    return OGRGeometryTypeToName(wkbFlatten(OGR_G_GetGeometryType(h(g_))));
}

std::string Geometry::to_wkt() const {
    if (!g_)
        return "";
    char* wkt = nullptr;
    OGR_G_ExportToIsoWkt(h(g_), &wkt);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

std::optional<Bounds> Geometry::bounds() const {
    if (is_empty())
        return std::nullopt;
    OGREnvelope e;
    OGR_G_GetEnvelope(h(g_), &e);
    return Bounds{e.MinX, e.MinY, e.MaxX, e.MaxY};
}

double Geometry::area() const {
    return g_ ? OGR_G_Area(h(g_)) : 0.0;
}

namespace {

std::size_t count_points(OGRGeometryH g) {
    const int n = OGR_G_GetGeometryCount(g);
    if (n == 0)
        return std::size_t(std::max(0, OGR_G_GetPointCount(g)));
    std::size_t total = 0;
    for (int i = 0; i < n; ++i)
        total += count_points(OGR_G_GetGeometryRef(g, i));
    return total;
}

Ring ring_of(OGRGeometryH ring) {
    const int n = OGR_G_GetPointCount(ring);
    Ring r(std::size_t(std::max(0, n)));
    for (int i = 0; i < n; ++i)
        r[std::size_t(i)] = {OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)};
    return r;
}

void collect_polygons(OGRGeometryH g, std::vector<Polygon>& out) {
    const auto t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon) {
        Polygon p;
        const int n = OGR_G_GetGeometryCount(g);
        if (n > 0)
            p.exterior = ring_of(OGR_G_GetGeometryRef(g, 0));
        for (int i = 1; i < n; ++i)
            p.holes.push_back(ring_of(OGR_G_GetGeometryRef(g, i)));
        out.push_back(std::move(p));
    } else if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i)
            collect_polygons(OGR_G_GetGeometryRef(g, i), out);
    }
}

} // namespace

std::size_t Geometry::point_count() const {
    return g_ ? count_points(h(g_)) : 0;
}

std::vector<Polygon> Geometry::polygons() const {
    std::vector<Polygon> out;
    if (g_)
        collect_polygons(h(g_), out);
    return out;
}

Geometry Geometry::transformed(const Crs& from, const Crs& to) const {
    if (!g_)
        return {};
    GdalErrorCapture cap;
    auto a = detail::make_srs(from), b = detail::make_srs(to);
    if (!a || !b)
        throw CrsError("cannot reproject a geometry: " + std::string(!a ? "source" : "target") +
                       " CRS is empty");
    detail::CtPtr ct(OCTNewCoordinateTransformation(a.get(), b.get()));
    if (!ct)
        throw CrsError("cannot reproject geometries from '" + from.name() + "' to '" + to.name() +
                       "': " + reason(cap, "no transformation"));
    OGRGeometryH copy = OGR_G_Clone(h(g_));
    Geometry out = adopt_ogr(copy);
    if (OGR_G_Transform(copy, ct.get()) != OGRERR_NONE)
        throw CrsError("cannot reproject a " + type() + " from '" + from.name() + "' to '" +
                       to.name() + "': " + reason(cap, "point outside the projection's domain"));
    return out;
}

Geometry Geometry::simplified(double tolerance) const {
    if (!g_)
        return {};
    GdalErrorCapture cap;
    OGRGeometryH s = OGR_G_SimplifyPreserveTopology(h(g_), tolerance);
    if (!s)
        throw UnsupportedError("cannot simplify a " + type() + ": " +
                               reason(cap, "GDAL was built without GEOS"));
    return adopt_ogr(s);
}

std::optional<double> Feature::number(const std::string& name) const {
    const auto it = properties.find(name);
    if (it == properties.end())
        return std::nullopt;
    return std::visit(
        [](const auto& v) -> std::optional<double> {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>)
                return std::nullopt;
            else if constexpr (std::is_same_v<V, std::string>) {
                char* end = nullptr;
                const double d = std::strtod(v.c_str(), &end);
                if (v.empty() || end != v.c_str() + v.size())
                    return std::nullopt;
                return d;
            } else
                return double(v);
        },
        it->second);
}

// ---------------------------------------------------------------------------------------
// Reading

namespace {

std::string iso_datetime(OGRFeatureH f, int i, OGRFieldType type) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
    float s = 0;
    OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz);
    char buf[64];
    std::string out;
    if (type != OFTTime) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
        out = buf;
    }
    if (type != OFTDate) {
        if (!out.empty())
            out += 'T';
        const int whole = int(s);
        if (s != float(whole))
            std::snprintf(buf, sizeof buf, "%02d:%02d:%06.3f", h, mi, double(s));
        else
            std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, mi, whole);
        out += buf;
        if (tz == 100) {
            out += 'Z';
        } else if (tz > 1) {
            const int minutes = (tz - 100) * 15;
            std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+',
                          std::abs(minutes) / 60, std::abs(minutes) % 60);
            out += buf;
        }
    }
    return out;
}

// Why OGR's reading of a geometry is not what the file meant (a polygon ring too short to
// enclose anything, a NaN or infinite coordinate); empty when it is fine. Checked for every
// format, since OGR passes such geometries on and burning them gives nonsense or nothing.
std::string ogr_geometry_problem(OGRGeometryH g) {
    if (!g)
        return {};
    const auto t = wkbFlatten(OGR_G_GetGeometryType(g));
    const int parts = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < parts; ++i) {
        OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
        if (t == wkbPolygon) {
            const int n = OGR_G_GetPointCount(part);
            if (n > 0 && n < 4)
                return "ring " + std::to_string(i) + " has " + std::to_string(n) +
                       " positions (a polygon ring needs at least 4)";
        }
        if (std::string p = ogr_geometry_problem(part); !p.empty())
            return p;
    }
    const bool has_z = OGR_G_Is3D(g);
    for (int i = 0; i < OGR_G_GetPointCount(g); ++i)
        if (!std::isfinite(OGR_G_GetX(g, i)) || !std::isfinite(OGR_G_GetY(g, i)) ||
            (has_z && !std::isfinite(OGR_G_GetZ(g, i))))
            return "a coordinate is NaN or infinite";
    return {};
}

struct InvalidFeatures {
    std::size_t count = 0;
    std::string first; ///< "feature N: problem"
    void add(std::size_t index, const std::string& problem) {
        if (count++ == 0)
            first = "feature " + std::to_string(index) + ": " + problem;
    }
};

FeatureCollection read_layer(GDALDatasetH ds, const std::string& what, const VectorReadOptions& o,
                             InvalidFeatures& invalid) {
    GdalErrorCapture cap;
    OGRLayerH layer =
        o.layer.empty() ? (GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : nullptr)
                        : GDALDatasetGetLayerByName(ds, o.layer.c_str());
    if (!layer)
        throw IoError("cannot read " + what + ": " +
                      (o.layer.empty() ? std::string("it has no vector layer")
                                       : "no layer named '" + o.layer + "'"));
    if (!o.where.empty() && OGR_L_SetAttributeFilter(layer, o.where.c_str()) != OGRERR_NONE)
        throw ArgumentError("invalid attribute filter '" + o.where + "' for " + what + ": " +
                            reason(cap, "OGR rejected it"));
    FeatureCollection fc;
    fc.crs = detail::crs_from_srs(OGR_L_GetSpatialRef(layer));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    std::vector<int> fields;
    if (o.fields) {
        for (const std::string& name : *o.fields)
            if (const int i = OGR_FD_GetFieldIndex(defn, name.c_str()); i >= 0)
                fields.push_back(i);
    } else {
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i)
            fields.push_back(i);
    }
    OGR_L_ResetReading(layer);
    for (std::size_t index = 0; OGRFeatureH f = OGR_L_GetNextFeature(layer); ++index) {
        Feature feat;
        feat.geometry = Geometry::adopt_ogr(OGR_F_StealGeometry(f));
        if (const std::string problem = ogr_geometry_problem(
                static_cast<OGRGeometryH>(const_cast<void*>(feat.geometry.ogr_handle())));
            !problem.empty()) {
            OGR_F_Destroy(f);
            if (!o.skip_invalid)
                throw ArgumentError(what + ": feature " + std::to_string(index) + ": " + problem);
            invalid.add(index, problem);
            continue;
        }
        for (const int i : fields) {
            OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
            PropertyValue v;
            if (OGR_F_IsFieldSetAndNotNull(f, i)) {
                switch (OGR_Fld_GetType(fd)) {
                case OFTInteger:
                case OFTInteger64:
                    if (OGR_Fld_GetSubType(fd) == OFSTBoolean)
                        v = OGR_F_GetFieldAsInteger(f, i) != 0;
                    else
                        v = std::int64_t(OGR_F_GetFieldAsInteger64(f, i));
                    break;
                case OFTReal:
                    v = OGR_F_GetFieldAsDouble(f, i);
                    break;
                case OFTDate:
                case OFTTime:
                case OFTDateTime:
                    // ISO 8601 as in the GeoJSON text, not OGR's "YYYY/MM/DD" display form.
                    v = iso_datetime(f, i, OGR_Fld_GetType(fd));
                    break;
                default:
                    v = std::string(OGR_F_GetFieldAsString(f, i));
                }
            }
            feat.properties[OGR_Fld_GetNameRef(fd)] = std::move(v);
        }
        OGR_F_Destroy(f);
        fc.features.push_back(std::move(feat));
    }
    if (cap.failed())
        throw IoError("cannot read " + what + ": " + reason(cap, "read failed"));
    return fc;
}

} // namespace

namespace {

using Json = nlohmann::json;

// Stands for a NaN or infinite literal in the text given to nlohmann (which, like JSON,
// has none, while GDAL's parser accepts them).
const char* const kNonFinite = "\x01non-finite";

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

std::string read_vsi_text(const std::string& path) {
    std::string text;
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    if (!f)
        return text;
    char buf[1 << 16];
    for (std::size_t n; (n = VSIFReadL(buf, 1, sizeof buf, f)) > 0;)
        text.append(buf, n);
    VSIFCloseL(f);
    return text;
}

// Files this large are left to OGR's own checks alone rather than parsed a second time.
constexpr vsi_l_offset max_checked_json = vsi_l_offset(256) << 20;

} // namespace

FeatureCollection read_features(const std::string& path, const VectorReadOptions& o) {
    GdalErrorCapture cap;
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0)
        throw IoError("cannot open '" + path + "': no such file");
    detail::DatasetPtr ds(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds)
        throw IoError("cannot open '" + path +
                      "': " + reason(cap, "not a vector format GDAL recognizes"));
    const std::string what = "'" + path + "'";
    InvalidFeatures invalid;
    // The filtered copy read instead of the file when invalid features are skipped.
    struct Unlink {
        std::string n;
        ~Unlink() {
            if (!n.empty())
                VSIUnlink(n.c_str());
        }
    } filtered;
    GDALDriverH driver = GDALGetDatasetDriver(ds.get());
    if (driver && std::string(GDALGetDriverShortName(driver)) == "GeoJSON" &&
        vsi_l_offset(st.st_size) <= max_checked_json) {
        Json doc = Json::parse(quote_non_finite(read_vsi_text(path)), nullptr, false);
        // Text nlohmann cannot parse otherwise is left to OGR and the checks of read_layer.
        if (!doc.is_discarded() && doc.is_object()) {
            const auto type = doc.find("type");
            const bool collection = type != doc.end() && *type == "FeatureCollection";
            const bool feature = type != doc.end() && *type == "Feature";
            Json* features = nullptr;
            if (collection) {
                const auto it = doc.find("features");
                if (it != doc.end() && it->is_array())
                    features = &*it;
            }
            auto problem_of = [&](const Json& item) {
                if (!collection && !feature)
                    return geometry_problem(item);
                if (!item.is_object())
                    return std::string("the feature is not an object");
                const auto g = item.find("geometry");
                return g == item.end() ? std::string() : geometry_problem(*g);
            };
            Json kept = Json::array();
            const std::size_t n = features ? features->size() : 1;
            for (std::size_t i = 0; i < n; ++i) {
                const Json& item = features ? (*features)[i] : doc;
                const std::string problem = problem_of(item);
                if (problem.empty()) {
                    if (features)
                        kept.push_back(item);
                    continue;
                }
                if (!o.skip_invalid)
                    throw ArgumentError(what + ": feature " + std::to_string(i) + ": " + problem);
                invalid.add(i, problem);
            }
            if (invalid.count > 0) {
                if (features)
                    *features = std::move(kept);
                else
                    doc = {{"type", "FeatureCollection"}, {"features", Json::array()}};
                static std::atomic<unsigned> counter{0};
                filtered.n = "/vsimem/rasterbench_valid_" + std::to_string(getpid()) + "_" +
                             std::to_string(counter++) + ".geojson";
                const std::string text = doc.dump();
                VSILFILE* f = VSIFOpenL(filtered.n.c_str(), "wb");
                if (!f || VSIFWriteL(text.data(), 1, text.size(), f) != text.size()) {
                    if (f)
                        VSIFCloseL(f);
                    throw IoError("cannot read " + what + ": no memory for its valid features");
                }
                VSIFCloseL(f);
                const char* drivers[] = {"GeoJSON", nullptr};
                ds.reset(GDALOpenEx(filtered.n.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers,
                                    nullptr, nullptr));
                if (!ds)
                    throw IoError("cannot read " + what + ": " +
                                  reason(cap, "its valid features could not be read"));
            }
        }
    }
    FeatureCollection fc = read_layer(ds.get(), what, o, invalid);
    if (invalid.count > 0)
        warn(what + ": skipped " + std::to_string(invalid.count) + " invalid feature" +
             (invalid.count == 1 ? "" : "s") + " (first: " + invalid.first + ")");
    return fc;
}

FeatureCollection parse_geojson(std::string_view text) {
    detail::ensure_gdal();
    static std::atomic<unsigned> counter{0};
    const std::string name = "/vsimem/rasterbench_parse_" + std::to_string(getpid()) + "_" +
                             std::to_string(counter++) + ".geojson";
    VSILFILE* f =
        VSIFileFromMemBuffer(name.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(text.data())),
                             vsi_l_offset(text.size()), FALSE);
    if (!f)
        throw IoError("cannot buffer GeoJSON text");
    VSIFCloseL(f);
    struct Unlink {
        std::string n;
        ~Unlink() { VSIUnlink(n.c_str()); }
    } unlink{name};
    GdalErrorCapture cap;
    const char* drivers[] = {"GeoJSON", nullptr};
    detail::DatasetPtr ds(
        GDALOpenEx(name.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds)
        throw ArgumentError("invalid GeoJSON '" + snippet(text) +
                            "': " + reason(cap, "OGR could not parse it"));
    InvalidFeatures invalid;
    return read_layer(ds.get(), "GeoJSON text", {}, invalid);
}

// ---------------------------------------------------------------------------------------
// Writing

namespace {

/// A JSON string literal. OGR reads GeoJSON strings without checking their UTF-8, so a
/// property name or value may hold invalid bytes; they are written as U+FFFD rather than
/// failing the whole file.
std::string json_string(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class JsonOut {
public:
    explicit JsonOut(int precision) : precision_(precision) {}
    std::string s;

    void num(double v) {
        if (!std::isfinite(v)) {
            s += "null"; // JSON has no NaN/Inf
            return;
        }
        char buf[64];
        std::to_chars_result r;
        if (precision_ >= 0)
            r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision_);
        // Fixed notation of a huge value does not fit: the shortest form always does.
        if (precision_ < 0 || r.ec != std::errc())
            r = std::to_chars(buf, buf + sizeof buf, v);
        s.append(buf, r.ptr);
    }
    void point(const Point2& p) {
        s += '[';
        num(p[0]);
        s += ',';
        num(p[1]);
        s += ']';
    }
    // Right-hand rule: exterior counter-clockwise, holes clockwise.
    void ring(const Ring& r, bool exterior) {
        const bool ccw = ring_signed_area(r) > 0;
        const bool reverse = exterior ? !ccw : ccw;
        s += '[';
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (i)
                s += ',';
            point(reverse ? r[r.size() - 1 - i] : r[i]);
        }
        s += ']';
    }
    void polygon_coords(const Polygon& p) {
        s += '[';
        if (!p.exterior.empty()) {
            ring(p.exterior, true);
            for (const auto& hole : p.holes) {
                s += ',';
                ring(hole, false);
            }
        }
        s += ']';
    }
    void geometry(OGRGeometryH g) {
        if (!g) {
            s += "null";
            return;
        }
        const auto t = wkbFlatten(OGR_G_GetGeometryType(g));
        auto line = [&](OGRGeometryH l) {
            s += '[';
            for (int i = 0; i < OGR_G_GetPointCount(l); ++i) {
                if (i)
                    s += ',';
                point({OGR_G_GetX(l, i), OGR_G_GetY(l, i)});
            }
            s += ']';
        };
        auto poly = [&](OGRGeometryH p) {
            std::vector<Polygon> v;
            collect_polygons(p, v);
            polygon_coords(v.empty() ? Polygon{} : v[0]);
        };
        auto parts = [&](auto&& fn) {
            s += '[';
            for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
                if (i)
                    s += ',';
                fn(OGR_G_GetGeometryRef(g, i));
            }
            s += ']';
        };
        switch (t) {
        case wkbPoint:
            s += "{\"type\":\"Point\",\"coordinates\":";
            if (OGR_G_IsEmpty(g))
                s += "[]";
            else
                point({OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)});
            break;
        case wkbLineString:
            s += "{\"type\":\"LineString\",\"coordinates\":";
            line(g);
            break;
        case wkbPolygon:
            s += "{\"type\":\"Polygon\",\"coordinates\":";
            poly(g);
            break;
        case wkbMultiPoint:
            s += "{\"type\":\"MultiPoint\",\"coordinates\":";
            parts([&](OGRGeometryH p) { point({OGR_G_GetX(p, 0), OGR_G_GetY(p, 0)}); });
            break;
        case wkbMultiLineString:
            s += "{\"type\":\"MultiLineString\",\"coordinates\":";
            parts(line);
            break;
        case wkbMultiPolygon:
            s += "{\"type\":\"MultiPolygon\",\"coordinates\":";
            parts(poly);
            break;
        case wkbGeometryCollection:
            s += "{\"type\":\"GeometryCollection\",\"geometries\":";
            parts([&](OGRGeometryH p) { geometry(p); });
            break;
        default: {
            // Curves and other exotic types: let OGR linearize them first.
            GeomPtr lin(OGR_G_GetLinearGeometry(g, 0, nullptr));
            if (lin && wkbFlatten(OGR_G_GetGeometryType(lin.get())) != t) {
                geometry(lin.get());
                return;
            }
            throw UnsupportedError(std::string("cannot write a ") + OGRGeometryTypeToName(t) +
                                   " as GeoJSON");
        }
        }
        s += '}';
    }
    void property(const PropertyValue& v) {
        std::visit(
            [&](const auto& x) {
                using V = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<V, std::monostate>)
                    s += "null";
                else if constexpr (std::is_same_v<V, bool>)
                    s += x ? "true" : "false";
                else if constexpr (std::is_same_v<V, std::int64_t>)
                    s += std::to_string(x);
                else if constexpr (std::is_same_v<V, double>)
                    num(x);
                else
                    s += json_string(x);
            },
            v);
    }

private:
    int precision_;
};

// GDAL's "crs" member for a non-RFC-7946 FeatureCollection.
std::string crs_member(const Crs& crs) {
    if (crs.empty())
        return "";
    const auto epsg = crs.to_epsg();
    if (!epsg)
        return "";
    const std::string name = *epsg == 4326 ? "urn:ogc:def:crs:OGC:1.3:CRS84"
                                           : "urn:ogc:def:crs:EPSG::" + std::to_string(*epsg);
    return "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"" + name + "\"}},";
}

void write_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = detail::begin_partial(path, false);
    struct Untrack {
        const std::string& tmp;
        ~Untrack() { detail::end_partial(tmp); }
    } untrack{tmp};
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary);
        if (!out)
            throw IoError("cannot write '" + path + "': cannot create a file in its folder" +
                          (errno ? std::string(" (") + std::strerror(errno) + ")" : ""));
        out.write(text.data(), std::streamsize(text.size()));
        out.close();
        if (!out) {
            // The stream keeps no error code; errno holds the failing call's (ENOSPC...).
            const std::string why = errno ? std::strerror(errno) : "write failed";
            std::remove(tmp.c_str());
            throw IoError("cannot write '" + path + "': " + why);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw IoError("cannot write '" + path + "': renaming the finished file into place failed");
    }
}

const Crs& wgs84() {
    static const Crs c = Crs::from_epsg(4326);
    return c;
}

} // namespace

std::string to_geojson(const FeatureCollection& fc, const GeoJsonWriteOptions& o) {
    const bool reproject = o.rfc7946 && !fc.crs.empty() && !(fc.crs == wgs84());
    JsonOut out(o.precision);
    out.s = "{\"type\":\"FeatureCollection\",";
    if (!o.rfc7946)
        out.s += crs_member(fc.crs);
    out.s += "\"features\":[";
    for (std::size_t i = 0; i < fc.features.size(); ++i) {
        const Feature& f = fc.features[i];
        if (i)
            out.s += ',';
        out.s += "\n{\"type\":\"Feature\",\"properties\":{";
        bool first = true;
        for (const auto& [k, v] : f.properties) {
            if (!first)
                out.s += ',';
            first = false;
            out.s += json_string(k);
            out.s += ':';
            out.property(v);
        }
        out.s += "},\"geometry\":";
        try {
            const Geometry g = reproject ? f.geometry.transformed(fc.crs, wgs84()) : f.geometry;
            out.geometry(static_cast<OGRGeometryH>(const_cast<void*>(g.ogr_handle())));
        } catch (const Error& e) {
            throw ArgumentError("feature " + std::to_string(i) + ": " + e.what());
        }
        out.s += '}';
    }
    out.s += "\n]}\n";
    return std::move(out.s);
}

void write_geojson(const std::string& path, const FeatureCollection& fc,
                   const GeoJsonWriteOptions& o) {
    write_atomically(path, to_geojson(fc, o));
}

FeatureCollection to_features(const std::vector<Shape>& shapes, const Crs& crs) {
    FeatureCollection fc;
    fc.crs = crs;
    fc.features.reserve(shapes.size());
    for (const Shape& s : shapes) {
        Feature f;
        f.geometry = Geometry::from_polygon(s.polygon);
        if (s.value == std::trunc(s.value) && std::fabs(s.value) < 9.0e15)
            f.properties["value"] = std::int64_t(s.value);
        else
            f.properties["value"] = s.value;
        fc.features.push_back(std::move(f));
    }
    return fc;
}

std::string shapes_to_geojson(const std::vector<Shape>& shapes, const Crs& crs,
                              const GeoJsonWriteOptions& o) {
    const bool reproject = o.rfc7946 && !crs.empty() && !(crs == wgs84());
    std::optional<CrsTransformer> ct;
    if (reproject)
        ct.emplace(crs, wgs84());
    JsonOut out(o.precision);
    out.s.reserve(shapes.size() * 200);
    out.s = "{\"type\":\"FeatureCollection\",";
    if (!o.rfc7946)
        out.s += crs_member(crs);
    out.s += "\"features\":[";
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Shape& sh = shapes[i];
        if (i)
            out.s += ',';
        out.s += "\n{\"type\":\"Feature\",\"properties\":{\"value\":";
        if (sh.value == std::trunc(sh.value) && std::fabs(sh.value) < 9.0e15)
            out.s += std::to_string(std::int64_t(sh.value));
        else
            out.num(sh.value);
        out.s += "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":";
        if (ct) {
            Polygon p = sh.polygon;
            auto tr = [&](Ring& r) {
                xs.clear();
                ys.clear();
                for (auto& pt : r) {
                    xs.push_back(pt[0]);
                    ys.push_back(pt[1]);
                }
                ct->transform(xs, ys);
                for (std::size_t k = 0; k < r.size(); ++k)
                    r[k] = {xs[k], ys[k]};
            };
            tr(p.exterior);
            for (auto& hole : p.holes)
                tr(hole);
            out.polygon_coords(p);
        } else {
            out.polygon_coords(sh.polygon);
        }
        out.s += "}}";
    }
    out.s += "\n]}\n";
    return std::move(out.s);
}

void write_shapes_geojson(const std::string& path, const std::vector<Shape>& shapes, const Crs& crs,
                          const GeoJsonWriteOptions& o) {
    write_atomically(path, shapes_to_geojson(shapes, crs, o));
}

} // namespace rb
