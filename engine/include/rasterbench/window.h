#pragma once
// A rectangular block of pixels: column/row offset and size, in a raster's pixel grid.
#include <cstdint>
#include <string>

#include "rasterbench/affine.h"

namespace rb {

struct Bounds {
    double left = 0, bottom = 0, right = 0, top = 0;
};

struct Window {
    std::int64_t col_off = 0, row_off = 0, width = 0, height = 0;

    static Window full(std::int64_t width, std::int64_t height) { return {0, 0, width, height}; }
    bool empty() const { return width <= 0 || height <= 0; }
    std::int64_t col_end() const { return col_off + width; }
    std::int64_t row_end() const { return row_off + height; }
    /// The overlap of two windows (empty window with width/height 0 when they do not meet).
    Window intersection(const Window& o) const;
    bool contains(const Window& o) const;
    /// This window clipped to a raster of the given size.
    Window clamped(std::int64_t raster_width, std::int64_t raster_height) const;
    /// Throws WindowError (naming the window and raster size) unless fully inside.
    void require_inside(std::int64_t raster_width, std::int64_t raster_height) const;
    /// Smallest window covering map `bounds` under `transform` (any rotation): outward
    /// rounding of the fractional pixel extent, like rasterio.windows.from_bounds + round.
    static Window from_bounds(const Bounds& bounds, const Affine& transform);
    /// Transform whose origin is this window's upper-left corner.
    Affine transform(const Affine& dataset_transform) const;
    /// Map bounds of the window (axis-aligned envelope for rotated grids).
    Bounds bounds(const Affine& dataset_transform) const;
    std::string to_string() const;
    bool operator==(const Window&) const = default;
};

} // namespace rb
