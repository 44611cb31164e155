#include "rasterbench/affine.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "rasterbench/error.h"

namespace rb {

Affine Affine::rotation(double degrees) {
    const double r = degrees * std::numbers::pi / 180.0;
    const double c = std::cos(r), s = std::sin(r);
    return {c, -s, 0, s, c, 0};
}

Affine Affine::shear(double x_degrees, double y_degrees) {
    const double sx = std::tan(x_degrees * std::numbers::pi / 180.0);
    const double sy = std::tan(y_degrees * std::numbers::pi / 180.0);
    return {1, sx, 0, sy, 1, 0};
}

Affine Affine::from_gdal(const std::array<double, 6>& g) {
    return {g[1], g[2], g[0], g[4], g[5], g[3]};
}

Affine Affine::operator*(const Affine& o) const {
    return {a * o.a + b * o.d, a * o.b + b * o.e, a * o.c + b * o.f + c,
            d * o.a + e * o.d, d * o.b + e * o.e, d * o.c + e * o.f + f};
}

bool Affine::is_invertible() const {
    const double det = determinant();
    const double scale = std::max({std::fabs(a), std::fabs(b), std::fabs(d), std::fabs(e)});
    return std::isfinite(det) && scale > 0 && std::fabs(det) > 1e-15 * scale * scale;
}

Affine Affine::inverse() const {
    if (!is_invertible()) {
        std::ostringstream os;
        os << "affine transform (" << a << ", " << b << ", " << c << ", " << d << ", " << e << ", "
           << f << ") is degenerate and cannot be inverted";
        throw ArgumentError(os.str());
    }
    const double det = determinant();
    const double ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
    return {ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)};
}

bool Affine::almost_equals(const Affine& o, double tol) const {
    return std::fabs(a - o.a) <= tol && std::fabs(b - o.b) <= tol && std::fabs(c - o.c) <= tol &&
           std::fabs(d - o.d) <= tol && std::fabs(e - o.e) <= tol && std::fabs(f - o.f) <= tol;
}

} // namespace rb
