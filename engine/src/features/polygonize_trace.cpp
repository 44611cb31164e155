#include "polygonize_trace.h"

#include <algorithm>
#include <cstddef>

namespace rb::detail {

namespace {

// Directions along pixel edges, rows growing downwards: east, south, west, north.
enum Dir : int { E = 0, S = 1, W = 2, N = 3 };
constexpr int kDx[4] = {1, 0, -1, 0};
constexpr int kDy[4] = {0, 1, 0, -1};
// The cell to the left / right of the edge leaving corner (x, y) in direction d, as an
// offset from (x, y). Walking with the region on the left traces its boundary.
constexpr int kLeftX[4] = {0, 0, -1, -1}, kLeftY[4] = {-1, 0, 0, -1};
constexpr int kRightX[4] = {0, -1, -1, 0}, kRightY[4] = {0, 0, -1, -1};
// Which side of its left cell an edge is (bit in the per-cell visited mask): an east edge
// is the bottom of the cell above it, a south edge the left side of the cell east of it...
constexpr std::uint8_t kSide[4] = {4 /*bottom*/, 8 /*left*/, 1 /*top*/, 2 /*right*/};
constexpr int turn_right(int d) {
    return (d + 1) & 3;
}
constexpr int turn_left(int d) {
    return (d + 3) & 3;
}

// Union-find over provisional labels; the smaller label is always the root, so a single
// increasing pass resolves every label to its root.
struct Labels {
    std::vector<std::int32_t> parent;
    std::int32_t find(std::int32_t a) {
        while (parent[std::size_t(a)] != a) {
            parent[std::size_t(a)] = parent[std::size_t(parent[std::size_t(a)])];
            a = parent[std::size_t(a)];
        }
        return a;
    }
    void unite(std::int32_t a, std::int32_t b) {
        a = find(a);
        b = find(b);
        if (a < b)
            parent[std::size_t(b)] = a;
        else if (b < a)
            parent[std::size_t(a)] = b;
    }
};

} // namespace

template <class T>
std::vector<TracedRegion> trace_regions(const T* values, const std::uint8_t* valid, int rows,
                                        int cols, int connectivity, Progress& progress) {
    const auto width = std::size_t(cols), height = std::size_t(rows);
    std::vector<std::int32_t> label(width * height, -1);
    Labels uf;
    std::vector<T> first_value; // of each provisional label
    const bool eight = connectivity == 8;
    // Pass 1: provisional labels, merged where equal neighbours above or to the left meet.
    for (std::size_t y = 0; y < height; ++y) {
        const std::size_t row = y * width;
        for (std::size_t x = 0; x < width; ++x) {
            const std::size_t i = row + x;
            if (valid && !valid[i])
                continue;
            const T v = values[i];
            std::int32_t l = -1;
            auto join = [&](std::size_t j) {
                const std::int32_t lj = label[j];
                if (lj < 0 || values[j] != v)
                    return;
                if (l < 0)
                    l = lj;
                else if (lj != l)
                    uf.unite(l, lj);
            };
            if (x > 0)
                join(i - 1);
            if (y > 0) {
                join(i - width);
                if (eight) {
                    if (x > 0)
                        join(i - width - 1);
                    if (x + 1 < width)
                        join(i - width + 1);
                }
            }
            if (l < 0) {
                l = std::int32_t(uf.parent.size());
                uf.parent.push_back(l);
                first_value.push_back(v);
            }
            label[i] = l;
        }
        if ((y & 255) == 0)
            progress.report(0.4 * double(y) / double(height));
    }
    // Final labels: roots numbered in the raster order of their first pixel.
    std::vector<std::int32_t> final_of(uf.parent.size());
    std::vector<TracedRegion> regions;
    for (std::size_t k = 0; k < uf.parent.size(); ++k) {
        const std::int32_t p = uf.parent[k];
        if (p == std::int32_t(k)) {
            final_of[k] = std::int32_t(regions.size());
            regions.push_back({std::int64_t(first_value[k]), {}});
        } else {
            final_of[k] = final_of[std::size_t(uf.find(p))];
        }
    }
    for (auto& l : label)
        if (l >= 0)
            l = final_of[std::size_t(l)];
    progress.report(0.5);

    // Pass 2: every boundary, walked with its region on the left. A ring always has a top
    // edge of some cell, so rings start there; each directed edge is walked once.
    std::vector<std::uint8_t> visited(width * height, 0);
    auto inside = [&](long cx, long cy, std::int32_t l) {
        return cx >= 0 && cy >= 0 && std::size_t(cx) < width && std::size_t(cy) < height &&
               label[std::size_t(cy) * width + std::size_t(cx)] == l;
    };
    std::vector<std::vector<std::pair<int, int>>> exterior(regions.size());
    std::vector<std::pair<int, int>> ring;
    for (std::size_t y = 0; y < height; ++y) {
        for (std::size_t x = 0; x < width; ++x) {
            const std::size_t i = y * width + x;
            const std::int32_t l = label[i];
            if (l < 0 || (visited[i] & kSide[Dir::W]) || (y > 0 && label[i - width] == l))
                continue;
            ring.clear();
            const long sx = long(x) + 1, sy = long(y);
            long vx = sx, vy = sy;
            int d = Dir::W;
            ring.emplace_back(int(vx), int(vy));
            long long area2 = 0; // twice the signed area (shoelace), pixel units
            for (;;) {
                const long lx = vx + kLeftX[d], ly = vy + kLeftY[d];
                visited[std::size_t(ly) * width + std::size_t(lx)] |= kSide[d];
                const long nx = vx + kDx[d], ny = vy + kDy[d];
                area2 += (long long)vx * ny - (long long)nx * vy;
                vx = nx;
                vy = ny;
                const bool al = inside(vx + kLeftX[d], vy + kLeftY[d], l);
                const bool ar = inside(vx + kRightX[d], vy + kRightY[d], l);
                int nd = d;
                if (al && ar)
                    nd = turn_right(d);
                else if (!al && !ar)
                    nd = turn_left(d);
                else if (!al && ar) // diagonal neighbour: joined only under 8-connectivity
                    nd = eight ? turn_right(d) : turn_left(d);
                if (vx == sx && vy == sy && nd == Dir::W)
                    break;
                if (nd != d)
                    ring.emplace_back(int(vx), int(vy));
                d = nd;
            }
            // The start corner is a real corner only if the walk turned there.
            if (d == Dir::W && ring.size() > 1)
                ring.erase(ring.begin());
            ring.push_back(ring.front());
            // Rows grow downwards: the exterior (region on the left) has negative area.
            auto& r = regions[std::size_t(l)].rings;
            if (area2 < 0 && exterior[std::size_t(l)].empty())
                exterior[std::size_t(l)] = ring;
            else
                r.push_back(ring);
        }
        if ((y & 255) == 0) {
            progress.report(0.5 + 0.5 * double(y) / double(height));
            progress.check();
        }
    }
    for (std::size_t k = 0; k < regions.size(); ++k)
        regions[k].rings.insert(regions[k].rings.begin(), std::move(exterior[k]));
    return regions;
}

template std::vector<TracedRegion> trace_regions(const std::uint8_t*, const std::uint8_t*, int, int,
                                                 int, Progress&);
template std::vector<TracedRegion> trace_regions(const std::uint16_t*, const std::uint8_t*, int,
                                                 int, int, Progress&);
template std::vector<TracedRegion> trace_regions(const std::int16_t*, const std::uint8_t*, int, int,
                                                 int, Progress&);
template std::vector<TracedRegion> trace_regions(const std::int32_t*, const std::uint8_t*, int, int,
                                                 int, Progress&);

} // namespace rb::detail
