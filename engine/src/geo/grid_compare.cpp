#include "rasterbench/grid_compare.h"

#include <cmath>
#include <cstdio>

#include "rasterbench/error.h"

namespace rb {

namespace {
std::string fmt(const char* pattern, double a, double b) {
    char buf[128];
    std::snprintf(buf, sizeof buf, pattern, a, b);
    return buf;
}
} // namespace

GridComparison compare_grids(const Profile& ref, const Profile& other) {
    GridComparison c;
    std::string parts;
    auto add = [&parts](const std::string& s) { parts += (parts.empty() ? "" : "; ") + s; };
    if (ref.crs.empty() != other.crs.empty()) {
        c.same_crs = false;
    } else if (!ref.crs.empty()) {
        try {
            c.same_crs = ref.crs.equivalent(other.crs);
        } catch (const Error&) {
            c.same_crs = false;
        }
    }
    if (!c.same_crs)
        add("CRS " + (other.crs.empty() ? std::string("none") : other.crs.name()) + " vs " +
            (ref.crs.empty() ? std::string("none") : ref.crs.name()));
    c.same_size = ref.width == other.width && ref.height == other.height;
    if (!c.same_size)
        add("size " + std::to_string(other.width) + " x " + std::to_string(other.height) + " vs " +
            std::to_string(ref.width) + " x " + std::to_string(ref.height));
    // A difference that moves the far corner by less than a millionth of a pixel is noise.
    const Affine& a = ref.transform;
    const Affine& b = other.transform;
    const double pixel = std::max(std::hypot(a.a, a.d), std::hypot(a.b, a.e));
    const double extent = std::max(1, std::max(ref.width, ref.height));
    const double tol = 1e-6 * pixel;
    const bool same_origin = std::abs(a.c - b.c) <= tol && std::abs(a.f - b.f) <= tol;
    const bool same_scale =
        std::abs(a.a - b.a) * extent <= tol && std::abs(a.b - b.b) * extent <= tol &&
        std::abs(a.d - b.d) * extent <= tol && std::abs(a.e - b.e) * extent <= tol;
    c.same_transform = ref.has_transform == other.has_transform && same_origin && same_scale;
    if (!same_origin)
        add(fmt("origin %+.2f, %+.2f", b.c - a.c, b.f - a.f));
    if (!same_scale)
        add(fmt("pixel %.4g x %.4g", std::hypot(b.a, b.d), std::hypot(b.b, b.e)) +
            fmt(" vs %.4g x %.4g", std::hypot(a.a, a.d), std::hypot(a.b, a.e)));
    if (ref.has_transform != other.has_transform)
        add(other.has_transform ? "reference has no geotransform" : "no geotransform");
    c.summary = parts;
    return c;
}

} // namespace rb
