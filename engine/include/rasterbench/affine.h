#pragma once
// The six-coefficient affine transform from pixel (col, row) to map (x, y), in Rasterio's
// coefficient order: x = a*col + b*row + c, y = d*col + e*row + f. Rotation and shear are
// first-class (b, d non-zero).
#include <array>
#include <utility>

namespace rb {

struct Affine {
    double a = 1, b = 0, c = 0, d = 0, e = 1, f = 0;

    static Affine identity() { return {}; }
    static Affine translation(double x, double y) { return {1, 0, x, 0, 1, y}; }
    static Affine scale(double sx, double sy) { return {sx, 0, 0, 0, sy, 0}; }
    /// Counter-clockwise rotation by `degrees` about the origin.
    static Affine rotation(double degrees);
    static Affine shear(double x_degrees, double y_degrees);
    /// From GDAL's geotransform order (c, a, b, f, d, e).
    static Affine from_gdal(const std::array<double, 6>& gt);
    std::array<double, 6> to_gdal() const { return {c, a, b, f, d, e}; }

    /// Composition: (A * B)(p) == A(B(p)).
    Affine operator*(const Affine& o) const;
    std::pair<double, double> apply(double col, double row) const {
        return {a * col + b * row + c, d * col + e * row + f};
    }
    double determinant() const { return a * e - b * d; }
    bool is_invertible() const;
    /// Throws ArgumentError for a degenerate (non-invertible) transform.
    Affine inverse() const;
    /// True when there is no rotation or shear (b == d == 0).
    bool is_rectilinear() const { return b == 0.0 && d == 0.0; }
    bool almost_equals(const Affine& o, double tol = 1e-9) const;
    bool operator==(const Affine&) const = default;

    /// Map coordinates of the centre / the upper-left corner of pixel (col,row).
    std::pair<double, double> pixel_center(double col, double row) const {
        return apply(col + 0.5, row + 0.5);
    }
    /// (col, row) as fractional pixel coordinates of map point (x, y).
    std::pair<double, double> to_pixel(double x, double y) const { return inverse().apply(x, y); }
};

} // namespace rb
