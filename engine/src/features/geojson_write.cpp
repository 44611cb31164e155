// Writing features and traced shapes as GeoJSON (RFC 7946 winding, WGS 84 or a named CRS).
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

#include "features_detail.h"
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
using detail::ring_signed_area;

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
            detail::collect_polygons(p, v);
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
