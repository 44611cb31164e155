// Reading any OGR vector source into features, with invalid GeoJSON features named by
// index (or skipped on request), and parsing GeoJSON text.
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
using detail::geometry_problem;
using detail::GeomPtr;
using detail::quote_non_finite;
using detail::reason;
using detail::snippet;
using Json = nlohmann::json;

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

} // namespace rb
