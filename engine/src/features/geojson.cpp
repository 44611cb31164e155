// Geometry values over OGR, reading any OGR vector source, and GeoJSON writing.
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "gdal_util.h"
#include "partial_file.h"
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

FeatureCollection read_layer(GDALDatasetH ds, const std::string& what, const VectorReadOptions& o) {
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
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        Feature feat;
        feat.geometry = Geometry::adopt_ogr(OGR_F_StealGeometry(f));
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
    return read_layer(ds.get(), "'" + path + "'", o);
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
    return read_layer(ds.get(), "GeoJSON text", {});
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
        std::ofstream out(tmp, std::ios::binary);
        if (!out)
            throw IoError("cannot write '" + path + "': cannot create a file in its folder");
        out.write(text.data(), std::streamsize(text.size()));
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            throw IoError("cannot write '" + path + "': write failed (disk full?)");
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
