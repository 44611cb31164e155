// The parameter tables of rasterize, shapes and GeoJSON writing: the CLI flags, the
// Transform panel's forms and their checks come from these rows.
#include <limits>

#include "rasterbench/features.h"

namespace rb {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

const ParamTable<RasterizeOptions>& RasterizeOptions::params() {
    static const ParamTable<RasterizeOptions> t = [] {
        using O = RasterizeOptions;
        ParamTable<O> t;
        t.add(&O::burn, "burn", "value burnt where no property is named", -kInf, kInf);
        t.add(&O::property, "property",
              "burn this numeric attribute of each feature (gdal_rasterize -a)");
        t.add(&O::all_touched, "all_touched",
              "every pixel a geometry touches, not only those whose centre is inside");
        t.add_enum(&O::merge, "merge", {"replace", "add"},
                   "where geometries overlap: the last one's value, or the sum");
        t.add(&O::fill, "fill", "value of pixels no geometry covers", -kInf, kInf);
        return t;
    }();
    return t;
}

const ParamTable<ShapesOptions>& ShapesOptions::params() {
    static const ParamTable<ShapesOptions> t = [] {
        using O = ShapesOptions;
        ParamTable<O> t;
        t.add(&O::connectivity, "connectivity", "pixel neighbours that join a region: 4 or 8", 4,
              8);
        t.require_multiple(4);
        t.add(&O::quantize, "quantize",
              "float bands: group values into bins of this step (0 = exact values)", 0, kInf);
        t.add(&O::simplify, "simplify",
              "simplify polygons with this tolerance, topology preserving (0 = off)", 0, kInf,
              "map units");
        return t;
    }();
    return t;
}

const ParamTable<GeoJsonWriteOptions>& GeoJsonWriteOptions::params() {
    static const ParamTable<GeoJsonWriteOptions> t = [] {
        using O = GeoJsonWriteOptions;
        ParamTable<O> t;
        t.add(&O::rfc7946, "rfc7946",
              "WGS 84 longitude/latitude without a crs member (else the raster's CRS, named)");
        t.add(&O::precision, "precision",
              "decimals of coordinates (-1 = the shortest text that reads back exactly)", -1, 17);
        return t;
    }();
    return t;
}

} // namespace rb
