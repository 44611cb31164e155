// Geometry values over OGR: polygons, construction from GeoJSON/WKT, bounds, area,
// transformation and simplification; feature attributes.
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

namespace rb::detail {

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

std::string snippet(std::string_view text) {
    std::string s(text.substr(0, 60));
    for (char& c : s)
        if (c == '\n' || c == '\r')
            c = ' ';
    return text.size() > 60 ? s + "..." : s;
}

} // namespace rb::detail

namespace rb {

using detail::GdalErrorCapture;
using detail::GeomPtr;
using detail::reason;
using detail::ring_signed_area;
using detail::snippet;

namespace {

OGRGeometryH h(const std::shared_ptr<void>& g) {
    return static_cast<OGRGeometryH>(g.get());
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

} // namespace

void detail::collect_polygons(void* handle, std::vector<Polygon>& out) {
    auto g = static_cast<OGRGeometryH>(handle);
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
            detail::collect_polygons(OGR_G_GetGeometryRef(g, i), out);
    }
}

std::size_t Geometry::point_count() const {
    return g_ ? count_points(h(g_)) : 0;
}

std::vector<Polygon> Geometry::polygons() const {
    std::vector<Polygon> out;
    if (g_)
        detail::collect_polygons(h(g_), out);
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

} // namespace rb
