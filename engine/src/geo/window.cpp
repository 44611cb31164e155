#include "rasterbench/window.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "rasterbench/error.h"

namespace rb {

Window Window::intersection(const Window& o) const {
    const std::int64_t c0 = std::max(col_off, o.col_off), r0 = std::max(row_off, o.row_off);
    const std::int64_t c1 = std::min(col_end(), o.col_end()), r1 = std::min(row_end(), o.row_end());
    if (c1 <= c0 || r1 <= r0)
        return {c0, r0, 0, 0};
    return {c0, r0, c1 - c0, r1 - r0};
}

bool Window::contains(const Window& o) const {
    return o.col_off >= col_off && o.row_off >= row_off && o.col_end() <= col_end() &&
           o.row_end() <= row_end();
}

Window Window::clamped(std::int64_t w, std::int64_t h) const {
    return intersection(full(w, h));
}

void Window::require_inside(std::int64_t w, std::int64_t h) const {
    if (width <= 0 || height <= 0)
        throw WindowError("window " + to_string() + " is empty");
    if (!full(w, h).contains(*this)) {
        std::ostringstream os;
        os << "window " << to_string() << " lies outside the " << w << "x" << h << " raster";
        throw WindowError(os.str());
    }
}

Window Window::from_bounds(const Bounds& b, const Affine& t) {
    const Affine inv = t.inverse();
    const double xs[4] = {b.left, b.right, b.left, b.right};
    const double ys[4] = {b.top, b.top, b.bottom, b.bottom};
    double cmin = INFINITY, cmax = -INFINITY, rmin = INFINITY, rmax = -INFINITY;
    for (int i = 0; i < 4; ++i) {
        auto [c, r] = inv.apply(xs[i], ys[i]);
        cmin = std::min(cmin, c), cmax = std::max(cmax, c);
        rmin = std::min(rmin, r), rmax = std::max(rmax, r);
    }
    // Tolerate float noise so exact pixel edges do not grow the window by one pixel.
    constexpr double eps = 1e-6;
    const auto c0 = std::int64_t(std::floor(cmin + eps)), r0 = std::int64_t(std::floor(rmin + eps));
    const auto c1 = std::int64_t(std::ceil(cmax - eps)), r1 = std::int64_t(std::ceil(rmax - eps));
    return {c0, r0, c1 - c0, r1 - r0};
}

Affine Window::transform(const Affine& t) const {
    return t * Affine::translation(double(col_off), double(row_off));
}

Bounds Window::bounds(const Affine& t) const {
    const double cs[4] = {double(col_off), double(col_end()), double(col_off), double(col_end())};
    const double rs[4] = {double(row_off), double(row_off), double(row_end()), double(row_end())};
    Bounds b{INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < 4; ++i) {
        auto [x, y] = t.apply(cs[i], rs[i]);
        b.left = std::min(b.left, x), b.right = std::max(b.right, x);
        b.bottom = std::min(b.bottom, y), b.top = std::max(b.top, y);
    }
    return b;
}

std::string Window::to_string() const {
    std::ostringstream os;
    os << "(col " << col_off << ", row " << row_off << ", " << width << "x" << height << ")";
    return os.str();
}

} // namespace rb
