#pragma once
// Polygons burnt with GDAL's centre-inside scanline rule, without GDAL's per-strip costs.
//
// GDALRasterizeGeometries, for every strip it burns, walks each geometry vertex by vertex,
// transforms the points again and tests every edge of the polygon on every row. Here each
// polygon leaves OGR once (whole rings at a time), is mapped to pixel/line coordinates of
// the full grid by the same GDAL transformer, and becomes an edge table: a strip then costs
// only the edges that cross its rows, and strips burn in any order on any thread.
//
// The arithmetic is GDALdllImageFilledPolygon's (alg/llrasterize.cpp), step for step, so the
// pixels are gdal_rasterize's:
// - rings are taken in GDAL's order (GDALCollectRingsFromGeometry: a clockwise ring as
//   stored, any other reversed), each closed by an edge from its last point to its first;
// - row y is cut at dy = y + 0.5 by every edge with y_low <= dy < y_high, at
//   floor(x + 0.5) where x = (dy - y_low) * (x_high - x_low) / (y_high - y_low) + x_low,
//   computed from the edge's lower end; the cuts are sorted and paired, and each pair
//   (a, b) burns columns a .. b - 1;
// - a horizontal edge lying exactly on a row's centre line burns
//   floor(x_end + 0.5) .. floor(x_start + 0.5) - 1 when it runs towards smaller x;
// - the burn value is converted to the pixel type as GDAL converts it (GDALCopyWords:
//   rounded, clamped).
// Only what GDAL does in REPLACE mode without ALL_TOUCHED is covered, for Polygon and
// MultiPolygon geometries (each polygon of a multipolygon burnt on its own, as GDAL does in
// that mode); callers keep GDAL's rasterizer for anything else.
#include <gdal_alg.h>
#include <ogr_api.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rasterbench/dtype.h"

namespace rb::detail {

/// Sets n samples to v with 32-byte stores (a plain loop stores one sample at a time at -O2):
/// the background of every strip and every burnt span goes through here.
template <class T> void fill_samples(T* p, std::size_t n, T v) {
    if constexpr (sizeof(T) == 1) {
        std::memset(p, int(std::uint8_t(v)), n);
    } else {
        constexpr std::size_t k = 32 / sizeof(T);
        T block[k];
        for (T& b : block)
            b = v;
        std::size_t i = 0;
        for (; i + k <= n; i += k)
            std::memcpy(p + i, block, sizeof block);
        for (; i < n; ++i)
            p[i] = v;
    }
}

class ScanPolygons {
public:
    ScanPolygons(int width, int height, DataType dtype);

    /// Pixel types this fill writes (those GDAL 3.6's rasterizer writes, 64-bit integers
    /// excepted).
    static bool supports(DataType t);
    /// Null and empty geometries (which burn nothing), Polygon and MultiPolygon.
    static bool handles(OGRGeometryH g);

    /// Appends the polygons of `g` (handles(g) must hold) burning `value`; `transform` maps
    /// the geometry's coordinates to pixel/line of the full grid (called with bDstToSrc
    /// FALSE, as GDALRasterizeGeometries calls it). Returns false, having appended nothing,
    /// when a coordinate comes out not finite or beyond +-1e9 pixels, where GDAL's integer
    /// conversions are undefined: the caller then burns with GDAL.
    bool add(OGRGeometryH g, double value, GDALTransformerFunc transform, void* transform_arg);
    /// Appends the polygons of `other` (same grid and type) after this one's.
    void append(ScanPolygons&& other);

    std::size_t polygon_count() const { return parts_.size(); }

    /// Burns rows [row0, row0 + rows) of the grid, all columns, into `buf` (rows x width
    /// samples of the pixel type, row-major, already holding the background), polygons in
    /// the order they were added. Thread-safe: strips may burn concurrently.
    void burn(int row0, int rows, std::byte* buf) const;

private:
    struct Edge {
        double x_low, y_low, dx, dy; // lower end, and upper end minus lower end
        int row_first, row_last;     // rows cut by the edge, clipped to the grid
    };
    struct Span {
        int row, col_first, col_last; // a horizontal edge's pixels, clipped to the grid
    };
    struct Part {
        std::uint32_t edge_begin, edge_end, span_begin, span_end;
        int row_first, row_last; // rows with anything to burn
        std::array<std::byte, 8> value;
    };
    template <class T> void burn_typed(int row0, int rows, std::byte* buf) const;
    bool add_polygon(OGRGeometryH polygon, const std::array<std::byte, 8>& value,
                     GDALTransformerFunc transform, void* transform_arg);

    int width_, height_;
    DataType dtype_;
    std::vector<Edge> edges_;
    std::vector<Span> spans_;
    std::vector<Part> parts_;
};

} // namespace rb::detail
