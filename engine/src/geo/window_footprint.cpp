#include "window_footprint.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "rasterbench/crs.h"
#include "rasterbench/error.h"

namespace rb::detail {

std::optional<PixelBounds> window_footprint(const Grid& from, const Window& window, const Grid& to,
                                            OutsidePoints outside) {
    if (window.empty())
        return std::nullopt;
    // One point per pixel of an edge, up to 64: enough that the bend between two points
    // stays far under a pixel for any projection a scene uses.
    constexpr std::int64_t kSegments = 64;
    std::vector<double> xs, ys;
    auto edge = [&](double c0, double r0, double c1, double r1, std::int64_t side) {
        const std::int64_t n = std::clamp<std::int64_t>(side, 1, kSegments);
        for (std::int64_t k = 0; k < n; ++k) { // the next edge starts at this one's end
            const double t = double(k) / double(n);
            const auto [x, y] = from.transform.apply(c0 + t * (c1 - c0), r0 + t * (r1 - r0));
            xs.push_back(x);
            ys.push_back(y);
        }
    };
    const double c0 = double(window.col_off), r0 = double(window.row_off);
    const double c1 = double(window.col_end()), r1 = double(window.row_end());
    edge(c0, r0, c1, r0, window.width);
    edge(c1, r0, c1, r1, window.height);
    edge(c1, r1, c0, r1, window.width);
    edge(c0, r1, c0, r0, window.height);
    if (!(from.crs == to.crs)) {
        if (from.crs.empty() || to.crs.empty())
            return std::nullopt;
        try {
            const std::size_t failed = CrsTransformer(from.crs, to.crs).transform(xs, ys);
            if (failed > 0 && outside == OutsidePoints::Fail)
                return std::nullopt;
        } catch (const Error&) {
            return std::nullopt;
        }
    }
    const Affine inv = to.transform.inverse();
    constexpr double kInf = std::numeric_limits<double>::infinity();
    PixelBounds b{kInf, -kInf, kInf, -kInf};
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const auto [c, r] = inv.apply(xs[i], ys[i]);
        if (!std::isfinite(c) || !std::isfinite(r)) {
            if (outside == OutsidePoints::Fail)
                return std::nullopt;
            continue;
        }
        b.col_min = std::min(b.col_min, c);
        b.col_max = std::max(b.col_max, c);
        b.row_min = std::min(b.row_min, r);
        b.row_max = std::max(b.row_max, r);
    }
    if (!(b.col_min <= b.col_max) || !(b.row_min <= b.row_max))
        return std::nullopt;
    return b;
}

} // namespace rb::detail
