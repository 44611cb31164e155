#pragma once
// Internal to the features module: what rasterize() and rasterize_file() share. The checks of
// a call's grid and values, the (geometry, value) pairs a feature collection burns, and the
// Burner, which burns row strips of the grid by our scanline fill or GDAL's rasterizer
// (rasterize_burner.cpp).
#include <gdal_alg.h>
#include <ogr_api.h>

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "rasterbench/features.h"
#include "rasterize_scanline.h"

namespace rb::detail {

/// Throws for an empty grid, a degenerate transform or a type the rasterizer cannot burn.
void check_grid(const Grid& g, DataType t);
/// Throws where the burn or fill value does not fit the output type.
void check_values(const RasterizeOptions& o);
/// Sets `n` samples of type `t` at `buf` to `value`.
void fill_with(DataType t, std::byte* buf, std::size_t n, double value);
/// The (geometry, value) pairs rasterize(features) burns: reprojected to the grid's CRS,
/// valued by o.property (null: 0, as gdal_rasterize) or o.burn.
std::vector<std::pair<Geometry, double>> shapes_of(const FeatureCollection& fc, const Grid& grid,
                                                   const RasterizeOptions& o);

/// A geometry with its burn value and the rows of the full grid it may reach.
struct BurnItem {
    OGRGeometryH g;
    double value;
    double row_min, row_max;
};

// What one call burns, and how: our scanline fill when every geometry and option is one
// it reproduces (polygons, centre rule, REPLACE), else GDAL's rasterizer for all of them.
// Strips of the scanline fill may start at any row; GDAL's are fixed strips of the grid.
class Burner {
public:
    /// `shapes`, `grid` and `o` must outlive the burner.
    Burner(const std::vector<std::pair<Geometry, double>>& shapes, const Grid& grid,
           const RasterizeOptions& o);

    bool scanline() const { return scan_.has_value(); }
    /// Rows per strip: about 1 MiB strips for the scanline fill (they stay in cache while
    /// filled, burnt and written), GDAL's fixed strips otherwise.
    int strip_rows() const;
    /// First row of the strip holding `row`.
    int strip_start(int row, int first_row) const;
    /// Burns the strip starting at `row0` (from strip_start) of `rows` rows into `buf`,
    /// which holds them (full width) already set to the fill value.
    void burn(int row0, int rows, std::byte* buf) const;

private:
    bool try_scanline();

    const Grid& grid_;
    const RasterizeOptions& o_;
    std::optional<ScanPolygons> scan_;
    std::vector<Geometry> clipped_; // geometries cut to the grid, which shapes_ point to
    std::vector<std::pair<const Geometry*, double>> shapes_;
    std::vector<BurnItem> items_;
};

} // namespace rb::detail
