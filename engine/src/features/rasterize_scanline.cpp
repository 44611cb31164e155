// ScanPolygons: GDAL's polygon scanline fill over an edge table (see rasterize_scanline.h).
#include "rasterize_scanline.h"

#include <gdal.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gdal_util.h"

namespace rb::detail {

namespace {

// Beyond this, GDAL's (int) conversions of pixel coordinates are undefined behaviour: such
// geometries go to GDAL's own rasterizer, whatever it makes of them.
constexpr double kMaxPixelCoordinate = 1e9;

// The smallest row y whose centre line y + 0.5 is at or above `y_low` (GDAL: dy >= dy1).
int first_row_from(double y_low) {
    int y = int(std::ceil(y_low - 0.5));
    while (double(y) + 0.5 < y_low)
        ++y;
    while (double(y) - 0.5 >= y_low)
        --y;
    return y;
}

// The largest row y whose centre line y + 0.5 is below `y_high` (GDAL: dy < dy2).
int last_row_before(double y_high) {
    int y = int(std::ceil(y_high - 0.5)) - 1;
    while (double(y) + 0.5 >= y_high)
        --y;
    while (double(y) + 1.5 < y_high)
        ++y;
    return y;
}

void sort_small(int* a, int n) {
    if (n > 16) {
        std::sort(a, a + n);
        return;
    }
    for (int i = 1; i < n; ++i) {
        const int v = a[i];
        int j = i;
        for (; j > 0 && a[j - 1] > v; --j)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

} // namespace

ScanPolygons::ScanPolygons(int width, int height, DataType dtype)
    : width_(width), height_(height), dtype_(dtype) {}

bool ScanPolygons::supports(DataType t) {
    switch (t) {
    case DataType::UInt8:
    case DataType::UInt16:
    case DataType::Int16:
    case DataType::UInt32:
    case DataType::Int32:
    case DataType::Float32:
    case DataType::Float64:
        return true;
    default:
        return false;
    }
}

bool ScanPolygons::handles(OGRGeometryH g) {
    if (!g || OGR_G_IsEmpty(g))
        return true;
    const OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    return t == wkbPolygon || t == wkbMultiPolygon;
}

bool ScanPolygons::add(OGRGeometryH g, double value, GDALTransformerFunc transform,
                       void* transform_arg) {
    if (!g || OGR_G_IsEmpty(g))
        return true; // GDAL burns nothing for them
    // The value in the pixel type, converted by GDAL itself.
    std::array<std::byte, 8> typed{};
    GDALCopyWords(&value, GDT_Float64, 0, typed.data(), to_gdal_type(dtype_), 0, 1);
    const std::size_t edges = edges_.size(), spans = spans_.size(), parts = parts_.size();
    bool ok = true;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon) {
        ok = add_polygon(g, typed, transform, transform_arg);
    } else {
        // REPLACE mode: GDAL burns each polygon of a collection on its own.
        const int n = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < n && ok; ++i) {
            OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
            if (part && !OGR_G_IsEmpty(part))
                ok = add_polygon(part, typed, transform, transform_arg);
        }
    }
    if (!ok) {
        edges_.resize(edges);
        spans_.resize(spans);
        parts_.resize(parts);
    }
    return ok;
}

bool ScanPolygons::add_polygon(OGRGeometryH polygon, const std::array<std::byte, 8>& value,
                               GDALTransformerFunc transform, void* transform_arg) {
    const OGRPolygon* poly = OGRGeometry::FromHandle(polygon)->toPolygon();
    // GDALCollectRingsFromGeometry: exterior ring then holes, empty rings skipped, each ring
    // clockwise as stored or else reversed.
    std::vector<double> x, y;
    std::vector<int> ring_sizes;
    auto collect = [&](const OGRLinearRing* ring) {
        if (!ring || ring->IsEmpty())
            return;
        const int n = ring->getNumPoints();
        const std::size_t at = x.size();
        x.resize(at + std::size_t(n));
        y.resize(at + std::size_t(n));
        ring->getPoints(x.data() + at, sizeof(double), y.data() + at, sizeof(double));
        if (!ring->isClockwise()) {
            std::reverse(x.begin() + std::ptrdiff_t(at), x.end());
            std::reverse(y.begin() + std::ptrdiff_t(at), y.end());
        }
        ring_sizes.push_back(n);
    };
    collect(poly->getExteriorRing());
    for (int i = 0; i < poly->getNumInteriorRings(); ++i)
        collect(poly->getInteriorRing(i));
    if (ring_sizes.empty())
        return true;
    const int n = int(x.size());
    std::vector<double> z(x.size(), 0.0);
    std::vector<int> success(x.size(), 0);
    transform(transform_arg, FALSE, n, x.data(), y.data(), z.data(), success.data());
    for (int i = 0; i < n; ++i)
        if (!(std::fabs(x[std::size_t(i)]) <= kMaxPixelCoordinate &&
              std::fabs(y[std::size_t(i)]) <= kMaxPixelCoordinate))
            return false;

    Part part{};
    part.edge_begin = std::uint32_t(edges_.size());
    part.span_begin = std::uint32_t(spans_.size());
    part.row_first = height_;
    part.row_last = -1;
    part.value = value;
    int start = 0;
    for (const int size : ring_sizes) {
        for (int i = 0; i < size; ++i) {
            // GDAL's edge i of a ring: from the previous point (the last one for i == 0).
            const std::size_t a = std::size_t(start + (i == 0 ? size - 1 : i - 1));
            const std::size_t b = std::size_t(start + i);
            const double ya = y[a], yb = y[b];
            if (ya == yb) {
                // Burnt only from the centre line it lies on, and only running to smaller x.
                if (!(x[a] > x[b]))
                    continue;
                const int row = int(std::floor(ya));
                if (double(row) + 0.5 != ya || row < 0 || row >= height_)
                    continue;
                const int c0 = int(std::floor(x[b] + 0.5));
                const int c1 = int(std::floor(x[a] + 0.5)) - 1;
                if (c0 > width_ - 1 || c1 < 0 || c0 > c1)
                    continue;
                spans_.push_back({row, std::max(c0, 0), std::min(c1, width_ - 1)});
                part.row_first = std::min(part.row_first, row);
                part.row_last = std::max(part.row_last, row);
                continue;
            }
            const bool up = ya < yb;
            const double x_low = up ? x[a] : x[b], y_low = up ? ya : yb;
            const double x_high = up ? x[b] : x[a], y_high = up ? yb : ya;
            const int r0 = std::max(first_row_from(y_low), 0);
            const int r1 = std::min(last_row_before(y_high), height_ - 1);
            if (r0 > r1)
                continue;
            edges_.push_back({x_low, y_low, x_high - x_low, y_high - y_low, r0, r1});
            part.row_first = std::min(part.row_first, r0);
            part.row_last = std::max(part.row_last, r1);
        }
        start += size;
    }
    part.edge_end = std::uint32_t(edges_.size());
    part.span_end = std::uint32_t(spans_.size());
    if (part.row_first <= part.row_last)
        parts_.push_back(part);
    return true;
}

void ScanPolygons::append(ScanPolygons&& other) {
    const auto edges = std::uint32_t(edges_.size()), spans = std::uint32_t(spans_.size());
    edges_.insert(edges_.end(), other.edges_.begin(), other.edges_.end());
    spans_.insert(spans_.end(), other.spans_.begin(), other.spans_.end());
    for (Part p : other.parts_) {
        p.edge_begin += edges;
        p.edge_end += edges;
        p.span_begin += spans;
        p.span_end += spans;
        parts_.push_back(p);
    }
    other = ScanPolygons(width_, height_, dtype_);
}

template <class T> void ScanPolygons::burn_typed(int row0, int rows, std::byte* buf) const {
    T* const out = reinterpret_cast<T*>(buf);
    const int last = row0 + rows - 1;
    const std::size_t width = std::size_t(width_);
    // Per part: the cuts of every row, bucketed by row (offsets[r] .. offsets[r + 1]).
    thread_local std::vector<int> offsets, cursor, cuts;
    for (const Part& p : parts_) {
        const int y0 = std::max(row0, p.row_first), y1 = std::min(last, p.row_last);
        if (y0 > y1)
            continue;
        T value;
        std::memcpy(&value, p.value.data(), sizeof(T));
        const int n = y1 - y0 + 1;
        offsets.assign(std::size_t(n) + 1, 0);
        for (std::uint32_t k = p.edge_begin; k < p.edge_end; ++k) {
            const Edge& e = edges_[k];
            const int a = std::max(e.row_first, y0), b = std::min(e.row_last, y1);
            if (a > b)
                continue;
            ++offsets[std::size_t(a - y0)];
            --offsets[std::size_t(b - y0 + 1)];
        }
        int running = 0, total = 0;
        for (std::size_t r = 0; r < std::size_t(n); ++r) {
            running += offsets[r];
            offsets[r] = total;
            total += running;
        }
        offsets[std::size_t(n)] = total;
        cursor.assign(offsets.begin(), offsets.end() - 1);
        cuts.resize(std::size_t(total));
        for (std::uint32_t k = p.edge_begin; k < p.edge_end; ++k) {
            const Edge& e = edges_[k];
            const int a = std::max(e.row_first, y0), b = std::min(e.row_last, y1);
            for (int row = a; row <= b; ++row) {
                const double dy = double(row) + 0.5;
                const double cut = (dy - e.y_low) * e.dx / e.dy + e.x_low;
                cuts[std::size_t(cursor[std::size_t(row - y0)]++)] = int(std::floor(cut + 0.5));
            }
        }
        for (int r = 0; r < n; ++r) {
            int* c = cuts.data() + offsets[std::size_t(r)];
            const int count = offsets[std::size_t(r) + 1] - offsets[std::size_t(r)];
            if (count < 2)
                continue;
            sort_small(c, count);
            T* line = out + std::size_t(y0 + r - row0) * width;
            for (int i = 0; i + 1 < count; i += 2) {
                const int c0 = c[i], c1 = c[i + 1] - 1;
                if (c0 > width_ - 1 || c1 < 0 || c0 > c1)
                    continue;
                const int from = std::max(c0, 0);
                fill_samples(line + from, std::size_t(std::min(c1, width_ - 1) - from + 1), value);
            }
        }
        for (std::uint32_t k = p.span_begin; k < p.span_end; ++k) {
            const Span& s = spans_[k];
            if (s.row < y0 || s.row > y1)
                continue;
            T* line = out + std::size_t(s.row - row0) * width;
            fill_samples(line + s.col_first, std::size_t(s.col_last - s.col_first + 1), value);
        }
    }
}

void ScanPolygons::burn(int row0, int rows, std::byte* buf) const {
    switch (dtype_) {
    case DataType::UInt8:
        return burn_typed<std::uint8_t>(row0, rows, buf);
    case DataType::UInt16:
        return burn_typed<std::uint16_t>(row0, rows, buf);
    case DataType::Int16:
        return burn_typed<std::int16_t>(row0, rows, buf);
    case DataType::UInt32:
        return burn_typed<std::uint32_t>(row0, rows, buf);
    case DataType::Int32:
        return burn_typed<std::int32_t>(row0, rows, buf);
    case DataType::Float32:
        return burn_typed<float>(row0, rows, buf);
    case DataType::Float64:
        return burn_typed<double>(row0, rows, buf);
    default:
        break; // supports() is false: callers never get here
    }
}

} // namespace rb::detail
