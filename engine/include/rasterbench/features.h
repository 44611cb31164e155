#pragma once
// Vector features: geometries, GeoJSON and OGR vector files, rasterizing geometries into a
// grid and vectorizing ("shapes") a band into polygons, in rasterio.features' model: plain
// values in, plain values out, no dataset needed.
//
// Rules beyond the shared ones in rasterbench.h:
// - Geometries are parsed by OGR (GeoJSON, WKT, any OGR vector file), never by hand.
// - Coordinates are always x = easting/longitude, y = northing/latitude (GIS order).
// - rasterize() is pixel-identical to gdal_rasterize on the same inputs, and a window
//   (preview) equals the same window of the full run. Row strips burn in parallel: polygons
//   (centre rule, REPLACE) by an edge-table copy of GDAL's scanline fill, with GDAL's own
//   arithmetic, each polygon taken out of OGR once; anything else (points, lines,
//   ALL_TOUCHED, ADD) by GDALRasterizeGeometries itself, gdal_rasterize's engine.
// - shapes() is GDALPolygonize/GDALFPolygonize: the same polygons, in map coordinates.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "rasterbench/affine.h"
#include "rasterbench/crs.h"
#include "rasterbench/dtype.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

namespace rb {

using Point2 = std::array<double, 2>;
/// A closed ring: first point == last point.
using Ring = std::vector<Point2>;

struct Polygon {
    Ring exterior;
    std::vector<Ring> holes;
    /// Number of vertices of all rings (closing points included), e.g. for a UI's counts.
    std::size_t vertex_count() const;
    /// Planar area (exterior minus holes), always >= 0.
    double area() const;
};

/// An immutable geometry value backed by OGR (copies share the same OGR object). A
/// default-constructed Geometry is null (GeoJSON `"geometry": null`).
class Geometry {
public:
    Geometry() = default;
    /// Any GeoJSON geometry object. Throws ArgumentError quoting the start of the text and
    /// OGR's reason.
    static Geometry from_geojson(std::string_view json);
    static Geometry from_wkt(std::string_view wkt);
    static Geometry from_polygon(const Polygon& polygon);
    static Geometry point(double x, double y);

    bool is_null() const { return !g_; }
    /// Null, or a geometry without coordinates (e.g. "POLYGON EMPTY").
    bool is_empty() const;
    /// OGR's name of the type: "Polygon", "MultiLineString", "GeometryCollection", ...
    std::string type() const;
    /// GeoJSON geometry text ("null" for a null geometry); precision = significant digits
    /// after the decimal point (-1: as many as needed to round-trip).
    std::string to_geojson(int precision = -1) const;
    std::string to_wkt() const;
    /// Envelope; nullopt for null and empty geometries.
    std::optional<Bounds> bounds() const;
    double area() const;
    std::size_t point_count() const;
    /// The polygonal parts (Polygon, MultiPolygon, polygons inside collections).
    std::vector<Polygon> polygons() const;
    /// Reprojected from `from` to `to` (a copy). Throws CrsError naming both CRSs.
    Geometry transformed(const Crs& from, const Crs& to) const;
    /// Simplified with GEOS (topology preserving); tolerance in coordinate units.
    Geometry simplified(double tolerance) const;

    /// The OGRGeometryH, for engine code and tests that talk to GDAL directly.
    const void* ogr_handle() const { return g_.get(); }
    /// Takes ownership of an OGRGeometryH.
    static Geometry adopt_ogr(void* handle);

private:
    std::shared_ptr<void> g_;
};

/// A property value as GeoJSON/OGR types it.
using PropertyValue = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct Feature {
    Geometry geometry;
    std::map<std::string, PropertyValue> properties;
    /// Numeric value of a property (strings parsed as numbers); nullopt when absent or not
    /// numeric.
    std::optional<double> number(const std::string& name) const;
};

struct FeatureCollection {
    std::vector<Feature> features;
    Crs crs; ///< CRS of the coordinates (empty: unknown)
};

struct VectorReadOptions {
    std::string layer; ///< layer name; empty = the first layer
    std::string where; ///< OGR attribute filter (SQL WHERE syntax), empty = all
    /// Attributes to convert into Feature::properties; nullopt = all. Burning one property
    /// of a large file need not convert the others.
    std::optional<std::vector<std::string>> fields;
    /// A feature whose geometry is invalid (a type GeoJSON does not define such as
    /// "Circle", coordinates that are not arrays of numbers, a polygon ring of fewer than 4
    /// positions, NaN or infinite coordinates) is an ArgumentError naming the file and the
    /// feature's index (0-based, in file order). With skip_invalid such features are left
    /// out, and one rb::warn line gives their count and the first problem.
    bool skip_invalid = false;
};

/// Reads the features of any OGR vector file (GeoJSON, Shapefile, GeoPackage, ...), with
/// the layer's CRS. Throws IoError naming the file (and layer) on failure, ArgumentError
/// for invalid geometries (see VectorReadOptions::skip_invalid).
FeatureCollection read_features(const std::string& path, const VectorReadOptions& options = {});
/// Parses GeoJSON text: a FeatureCollection, a Feature or a bare geometry. A "crs" member
/// (GDAL's non-RFC-7946 extension) sets the CRS; otherwise the CRS is WGS 84 (RFC 7946).
FeatureCollection parse_geojson(std::string_view text);

struct GeoJsonWriteOptions {
    /// RFC 7946 output: coordinates reprojected to WGS 84 longitude/latitude and no "crs"
    /// member. When false (default) coordinates stay in the collection's CRS and a "crs"
    /// member names it when it is not WGS 84 and has an EPSG code, as GDAL writes it.
    bool rfc7946 = false;
    /// Digits after the decimal point; -1 = shortest text that round-trips.
    int precision = -1;

    static const ParamTable<GeoJsonWriteOptions>& params();
};

/// GeoJSON FeatureCollection text. Polygon rings are written counter-clockwise (exterior)
/// and clockwise (holes), RFC 7946's right-hand rule.
std::string to_geojson(const FeatureCollection& fc, const GeoJsonWriteOptions& options = {});
/// Writes atomically (temporary sibling renamed into place). Throws IoError naming the file.
void write_geojson(const std::string& path, const FeatureCollection& fc,
                   const GeoJsonWriteOptions& options = {});

// ---------------------------------------------------------------------------------------
// Rasterize

enum class MergeAlg { Replace, Add };

struct RasterizeOptions {
    double burn = 1; ///< value burnt when `property` is empty
    /// Burn this numeric property. Missing or null in some features: they burn 0, as with
    /// GDAL, and one rb::warn line counts them; missing from every feature: ArgumentError.
    std::string property;
    bool all_touched = false; ///< every pixel touched, not only those whose centre is inside
    MergeAlg merge = MergeAlg::Replace;
    double fill = 0; ///< value of pixels no geometry covers
    DataType dtype = DataType::UInt8;
    /// Compute only this window of the grid (a preview); clipped to the grid. The result is
    /// the window's size and equals the same window of the full run.
    std::optional<Window> window;
    int threads = 0; ///< 0 = all cores

    /// burn, property, all_touched, merge, fill (dtype, window and threads are the caller's).
    static const ParamTable<RasterizeOptions>& params();
};

/// Burns geometries with values (rasterio.features.rasterize's `shapes`), the geometries
/// being in the grid's CRS. Null and empty geometries are skipped. The result is one band
/// without a mask.
Raster rasterize(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
                 const RasterizeOptions& options = {}, Progress progress = {});
/// Burns features (value from options.property or options.burn); geometries are
/// reprojected from the collection's CRS to the grid's when both are set and differ, as
/// gdal_rasterize does (features that cannot be reprojected are skipped, as gdal_rasterize
/// skips them). Throws ArgumentError naming a feature whose property is not numeric.
Raster rasterize(const FeatureCollection& features, const Grid& grid,
                 const RasterizeOptions& options = {}, Progress progress = {});

/// How rasterize_file() writes its GeoTIFF, where it should differ from gdal_rasterize's.
struct RasterizeFileOptions {
    /// GeoTIFF compression ("DEFLATE", "LZW", ...); empty or "NONE": none, as gdal_rasterize.
    std::string compression;
    /// Nodata value declared on the band (pixels are not changed); none by default.
    std::optional<double> nodata;
    /// A vector file without features (or none left after the filter) is an ArgumentError
    /// unless this is set; then the output is all `fill` and a warning says so.
    bool allow_empty = false;
};

/// File to file, as `gdal_rasterize` does: burns the features of an OGR vector file (layer
/// and filter as for read_features) exactly as rasterize(read_features(path, read), grid,
/// options) would, into a new one-band GeoTIFF on `grid` (GDAL's default layout, no
/// compression and no nodata, like gdal_rasterize's output; written atomically). Strips
/// burn in parallel while finished ones are written, so memory stays a few strips. (An
/// uncompressed local file is laid out by GDAL, every strip in place and in order, and the
/// burnt rows are written straight to their place, not through GDAL's block cache.)
/// `options.window` is ignored. Throws as read_features and rasterize do, and IoError when
/// the output cannot be written.
void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& options = {}, const VectorReadOptions& read = {},
                    Progress progress = {});
/// The same, with compression or a nodata value on the output (the CLI's DEFLATE files).
void rasterize_file(const std::string& vector_path, const std::string& dst_path, const Grid& grid,
                    const RasterizeOptions& options, const VectorReadOptions& read,
                    const RasterizeFileOptions& file, Progress progress = {});

// ---------------------------------------------------------------------------------------
// Shapes (vectorize)

struct ShapesOptions {
    int connectivity = 4; ///< 4 or 8
    /// Float bands: 0 polygonizes exact float values (GDALFPolygonize); > 0 groups values
    /// into bins floor(v / step) and reports each bin's lower edge as the value.
    double quantize = 0;
    /// Optional mask (rows x cols, non-zero = include); combined with the raster's own
    /// validity mask. Excluded pixels produce no polygons.
    std::vector<std::uint8_t> mask;
    /// > 0: simplify each polygon (GEOS, topology preserving per polygon) with this
    /// tolerance in map units. Adjacent polygons may then no longer share edges exactly.
    double simplify = 0;

    /// connectivity, quantize, simplify (the mask is data, not a parameter).
    static const ParamTable<ShapesOptions>& params();
};

struct Shape {
    Polygon polygon; ///< in map coordinates
    double value = 0;
};

/// Polygonizes band `band` (0-based) of `r`, whose pixels are placed by `transform`:
/// one polygon (with holes) per connected region of equal value. Integer bands up to
/// 32 bits are exact; larger integers and floats need `quantize` or use GDALFPolygonize.
std::vector<Shape> shapes(const Raster& r, int band, const Affine& transform,
                          const ShapesOptions& options = {}, Progress progress = {});

/// Shapes as features with property "value" (integer-valued values as integers).
FeatureCollection to_features(const std::vector<Shape>& shapes, const Crs& crs);
/// Fast direct GeoJSON serialization of shapes (no OGR objects): same output as
/// to_geojson(to_features(shapes, crs), options).
std::string shapes_to_geojson(const std::vector<Shape>& shapes, const Crs& crs,
                              const GeoJsonWriteOptions& options = {});
/// Atomic write of shapes_to_geojson().
void write_shapes_geojson(const std::string& path, const std::vector<Shape>& shapes, const Crs& crs,
                          const GeoJsonWriteOptions& options = {});

} // namespace rb
