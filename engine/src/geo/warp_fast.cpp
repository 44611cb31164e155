// Our warp kernel for nearest and bilinear (see warp_fast.h). Two parts:
// - Source coordinates: GDAL's own GenImgProj transformer (so exact points are the very
//   numbers gdalwarp computes, PROJ operation choice included) evaluated on a quadtree of
//   cells over the tile; a cell whose corners interpolate its centre and edge midpoints
//   within the error threshold is interpolated bilinearly, others are split, down to a few
//   pixels transformed exactly. GDAL's approximate transformer does the same along each
//   row; a 2-D grid needs far fewer exact points (a tile is usually one cell).
// - Sampling: GDAL's per-pixel rules, written for one pixel type chosen once per tile.
#include "warp_fast.h"

#include <gdal_alg.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "gdal_util.h"
#include "rasterbench/error.h"

namespace rb::detail {

FastWarpMode fast_warp_mode(const ReprojectOptions& o) {
    FastWarpMode mode = FastWarpMode::Auto;
    for (const auto& [key, value] : o.warp_options) {
        if (key != "RB_FAST_PATH")
            return FastWarpMode::Off; // GDAL options change what GDAL's kernel does
        std::string v = value;
        for (char& c : v)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (v == "no" || v == "off" || v == "false" || v == "0")
            mode = FastWarpMode::Off;
        else if (v == "yes" || v == "on" || v == "true" || v == "1" || v == "force")
            mode = FastWarpMode::Force;
    }
    if (o.resampling != WarpResampling::Nearest && o.resampling != WarpResampling::Bilinear)
        return FastWarpMode::Off;
    // Exact mode stays on GDAL's kernel unless forced: `--et 0` promises gdalwarp's bytes.
    if (mode == FastWarpMode::Auto && !(o.error_threshold > 0))
        return FastWarpMode::Off;
    return mode;
}

namespace {

// GDAL adds this before truncating a source coordinate to a pixel index.
constexpr double kTruncEps = 1e-10;
// Cells of at most this many pixels are transformed pixel by pixel: cheap, and it ends the
// subdivision where the transformation fails (outside the projection's domain).
constexpr int kExactCellPixels = 16;
// GDAL's 4-sample bilinear formula is used while the destination/source scale stays above
// 0.95 (else a widened kernel). Our scale estimate of a tile may differ slightly from
// GDAL's for its chunk, so near the limit the tile goes to GDAL's kernel.
constexpr double kMinScale = 0.97;

// floor() as an int for finite values well inside the int range (the callers clamp), without
// a libm call in the inner loop.
inline int ifloor(double v) {
    const int i = int(v);
    return v < double(i) ? i - 1 : i;
}

struct Cell {
    int x0, y0, x1, y1; // tile pixels [x0, x1) x [y0, y1)
    bool exact;
    // Interpolated cells: source coordinates at the corners (x0,y0) (x1,y0) (x0,y1) (x1,y1)
    // (pixel edges, so that a one-pixel cell is not degenerate).
    double sx[4], sy[4];
    std::size_t first; // exact cells: the cell's first pixel in Planner::ex/ey/eok
};

class Planner {
public:
    Planner(void* transformer, double threshold) : tr_(transformer), thr_(threshold) {}

    std::vector<Cell> cells;
    std::vector<double> ex, ey; // exact coordinates of exact cells, cell by cell, row-major
    std::vector<int> eok;
    double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;

    void plan(int x0, int y0, int x1, int y1) {
        const int w = x1 - x0, h = y1 - y0;
        if (w <= 0 || h <= 0)
            return;
        if (thr_ > 0 && w * h > kExactCellPixels) {
            const double X0 = x0, X1 = x1, Y0 = y0, Y1 = y1;
            const double XM = 0.5 * (X0 + X1), YM = 0.5 * (Y0 + Y1);
            // 4 corners, then the centre and the 4 edge midpoints as checks.
            double px[9] = {X0, X1, X0, X1, XM, XM, XM, X0, X1};
            double py[9] = {Y0, Y0, Y1, Y1, YM, Y0, Y1, YM, YM};
            int ok[9];
            if (transform(9, px, py, ok)) {
                static constexpr double cu[5] = {0.5, 0.5, 0.5, 0, 1},
                                        cv[5] = {0.5, 0, 1, 0.5, 0.5};
                bool good = true;
                for (int k = 0; k < 5 && good; ++k) {
                    const double ix = bilerp(px, cu[k], cv[k]), iy = bilerp(py, cu[k], cv[k]);
                    good = std::fabs(ix - px[4 + k]) + std::fabs(iy - py[4 + k]) <= thr_;
                }
                if (good) {
                    Cell c{x0, y0, x1, y1, false, {}, {}, 0};
                    for (int k = 0; k < 4; ++k) {
                        c.sx[k] = px[k];
                        c.sy[k] = py[k];
                        extend(px[k], py[k]);
                    }
                    cells.push_back(c);
                    return;
                }
            }
            const int xm = x0 + w / 2, ym = y0 + h / 2;
            if (w >= 2 && h >= 2) {
                plan(x0, y0, xm, ym);
                plan(xm, y0, x1, ym);
                plan(x0, ym, xm, y1);
                plan(xm, ym, x1, y1);
            } else if (w >= 2) {
                plan(x0, y0, xm, y1);
                plan(xm, y0, x1, y1);
            } else {
                plan(x0, y0, x1, ym);
                plan(x0, ym, x1, y1);
            }
            return;
        }
        const std::size_t first = ex.size(), n = std::size_t(w) * std::size_t(h);
        ex.resize(first + n);
        ey.resize(first + n);
        eok.resize(first + n);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                ex[first + std::size_t(y) * w + x] = x0 + x + 0.5;
                ey[first + std::size_t(y) * w + x] = y0 + y + 0.5;
            }
        transform(int(n), ex.data() + first, ey.data() + first, eok.data() + first);
        for (std::size_t i = first; i < first + n; ++i)
            if (eok[i] && std::isfinite(ex[i]) && std::isfinite(ey[i]))
                extend(ex[i], ey[i]);
        cells.push_back(Cell{x0, y0, x1, y1, true, {}, {}, first});
    }

private:
    static double bilerp(const double* c, double u, double v) {
        return (c[0] * (1 - u) + c[1] * u) * (1 - v) + (c[2] * (1 - u) + c[3] * u) * v;
    }
    void extend(double x, double y) {
        minx = std::min(minx, x);
        maxx = std::max(maxx, x);
        miny = std::min(miny, y);
        maxy = std::max(maxy, y);
    }
    // True when every point transformed to finite coordinates.
    bool transform(int n, double* x, double* y, int* ok) {
        z_.assign(std::size_t(n), 0.0);
        GDALGenImgProjTransform(tr_, TRUE, n, x, y, z_.data(), ok);
        bool all = true;
        for (int i = 0; i < n; ++i)
            if (!ok[i] || !std::isfinite(x[i]) || !std::isfinite(y[i])) {
                ok[i] = FALSE;
                all = false;
            }
        return all;
    }

    void* tr_;
    double thr_;
    std::vector<double> z_;
};

// Rounding of GDAL's kernels: the no-mask kernels round without clamping, the general
// ones clamp to the type's range first. Floating types are only cast.
template <class T> T round_nomask(double v) {
    if constexpr (std::is_floating_point_v<T>)
        return static_cast<T>(v);
    else if constexpr (std::is_signed_v<T>)
        return static_cast<T>(std::floor(v + 0.5));
    else
        return static_cast<T>(v + 0.5);
}
template <class T> T clamp_round(double v) {
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(v);
    } else {
        if (v < double(std::numeric_limits<T>::min()))
            return std::numeric_limits<T>::min();
        if (v > double(std::numeric_limits<T>::max()))
            return std::numeric_limits<T>::max();
        return round_nomask<T>(v);
    }
}

// GDAL has dedicated no-mask kernels (and their slightly different bilinear arithmetic) for
// these types only; the others go through its general kernel even without masks.
template <class T>
constexpr bool kHasNoMaskKernel =
    std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int16_t> ||
    std::is_same_v<T, std::uint16_t> || std::is_same_v<T, float>;

// The source window read for a tile, in source pixels of the whole image.
template <class T> struct Src {
    std::vector<const T*> band;
    int x0 = 0, y0 = 0, w = 0, h = 0;        // window
    int W = 0, H = 0;                        // image
    const std::uint8_t* uvalid = nullptr;    // per window pixel, or null: all valid
    std::vector<const std::uint8_t*> bvalid; // per band (entries may be null)
    std::size_t at(int x, int y) const { return std::size_t(y - y0) * std::size_t(w) + (x - x0); }
};

// Samples n destination pixels whose source coordinates are xs/ys (ok: transformation
// success, null = all). Writes each band's value into dst[b][i] and validity into valid[i].
// Masked: validity buffers exist. Nearest on masked data follows GDAL's nearest kernels:
// for its dedicated types a pixel is valid when its unified validity is, whatever each band
// says; for the others (general kernel) when at least one band is valid.
template <class T, bool Bilinear, bool Masked>
void sample_general(const Src<T>& s, int n, const double* xs, const double* ys, const int* ok,
                    T* const* dst, std::uint8_t* valid) {
    const int nb = int(s.band.size());
    const int W = s.W, H = s.H;
    const std::size_t w = std::size_t(s.w);
    for (int i = 0; i < n; ++i) {
        valid[i] = 0;
        const double x = xs[i], y = ys[i];
        if (ok && !ok[i])
            continue;
        // GDAL: outside the source (or NaN) -> untouched destination pixel.
        if (!(x >= 0) || !(y >= 0) || x + kTruncEps > W || y + kTruncEps > H)
            continue;
        const int ix = int(x + kTruncEps), iy = int(y + kTruncEps);
        if (ix >= W || iy >= H)
            continue;
        const std::size_t c = s.at(ix, iy);
        if constexpr (Masked)
            if (s.uvalid && !s.uvalid[c])
                continue;
        if constexpr (!Bilinear) {
            if constexpr (!Masked) {
                for (int b = 0; b < nb; ++b)
                    dst[b][i] = s.band[std::size_t(b)][c];
                valid[i] = 1;
            } else {
                bool any = false;
                for (int b = 0; b < nb; ++b) {
                    const std::uint8_t* bv = s.bvalid[std::size_t(b)];
                    if (!bv || bv[c]) {
                        dst[b][i] = s.band[std::size_t(b)][c];
                        any = true;
                    } else {
                        dst[b][i] = T(0); // GDAL leaves its initial 0 there
                    }
                }
                valid[i] = kHasNoMaskKernel<T> || any;
            }
            continue;
        }
        int i0 = ifloor(x - 0.5), j0 = ifloor(y - 0.5);
        double rx = 1.5 - (x - i0), ry = 1.5 - (y - j0);
        if constexpr (!Masked && kHasNoMaskKernel<T>) {
            // GDAL's no-mask 4-sample kernel.
            if (i0 >= 0 && i0 + 1 < W && j0 >= 0 && j0 + 1 < H) {
                const std::size_t o = s.at(i0, j0);
                for (int b = 0; b < nb; ++b) {
                    const T* p = s.band[std::size_t(b)];
                    const double v =
                        (double(p[o]) * rx + double(p[o + 1]) * (1.0 - rx)) * ry +
                        (double(p[o + w]) * rx + double(p[o + w + 1]) * (1.0 - rx)) * (1.0 - ry);
                    dst[b][i] = round_nomask<T>(v);
                }
            } else {
                const bool in00 = i0 >= 0 && i0 < W && j0 >= 0 && j0 < H;
                const bool in10 = i0 + 1 >= 0 && i0 + 1 < W && j0 >= 0 && j0 < H;
                const bool in11 = i0 + 1 >= 0 && i0 + 1 < W && j0 + 1 >= 0 && j0 + 1 < H;
                const bool in01 = i0 >= 0 && i0 < W && j0 + 1 >= 0 && j0 + 1 < H;
                for (int b = 0; b < nb; ++b) {
                    const T* p = s.band[std::size_t(b)];
                    double acc = 0, div = 0;
                    // GDAL's order: upper left, upper right, lower right, lower left.
                    if (in00) {
                        const double m = rx * ry;
                        div += m;
                        acc += p[s.at(i0, j0)] * m;
                    }
                    if (in10) {
                        const double m = (1.0 - rx) * ry;
                        div += m;
                        acc += p[s.at(i0 + 1, j0)] * m;
                    }
                    if (in11) {
                        const double m = (1.0 - rx) * (1.0 - ry);
                        div += m;
                        acc += p[s.at(i0 + 1, j0 + 1)] * m;
                    }
                    if (in01) {
                        const double m = rx * (1.0 - ry);
                        div += m;
                        acc += p[s.at(i0, j0 + 1)] * m;
                    }
                    const double v = div < 0.00001 ? 0.0 : div == 1.0 ? acc : acc / div;
                    dst[b][i] = round_nomask<T>(v);
                }
            }
            valid[i] = 1;
        } else {
            // GDAL's general 4-sample kernel: invalid neighbours drop out and the weights
            // of the others are renormalized.
            if (i0 == -1) {
                i0 = 0;
                rx = 1;
            }
            if (j0 == -1) {
                j0 = 0;
                ry = 1;
            }
            const bool row0 = j0 >= 0 && j0 < H, row1 = j0 + 1 < H;
            bool any = false;
            for (int b = 0; b < nb; ++b) {
                const T* p = s.band[std::size_t(b)];
                const std::uint8_t* bv = Masked ? s.bvalid[std::size_t(b)] : nullptr;
                auto usable = [&](int px, int py, std::size_t& at) {
                    if (px < 0 || px >= W)
                        return false;
                    at = s.at(px, py);
                    if constexpr (Masked)
                        return (!s.uvalid || s.uvalid[at]) && (!bv || bv[at]);
                    return true;
                };
                double acc = 0, div = 0;
                std::size_t at = 0;
                if (row0) {
                    const double m1 = rx * ry, m2 = (1.0 - rx) * ry;
                    if (usable(i0, j0, at)) {
                        div += m1;
                        acc += double(p[at]) * m1;
                    }
                    if (usable(i0 + 1, j0, at)) {
                        div += m2;
                        acc += double(p[at]) * m2;
                    }
                }
                if (row1) {
                    const double m1 = rx * (1.0 - ry), m2 = (1.0 - rx) * (1.0 - ry);
                    if (usable(i0, j0 + 1, at)) {
                        div += m1;
                        acc += double(p[at]) * m1;
                    }
                    if (usable(i0 + 1, j0 + 1, at)) {
                        div += m2;
                        acc += double(p[at]) * m2;
                    }
                }
                if (div == 1.0) {
                    dst[b][i] = clamp_round<T>(acc);
                } else if (div < 0.00001) {
                    dst[b][i] = T(0);
                    continue; // no valid input: the band keeps GDAL's initial 0
                } else {
                    dst[b][i] = clamp_round<T>(acc / div);
                }
                any = true;
            }
            valid[i] = any;
        }
    }
}

// The common case (one band, no validity masks, bilinear) with the interior test first:
// the four neighbours lie inside the source exactly when x - 0.5 and y - 0.5 are in
// [0, size - 1), and then the pixel is covered and GDAL's plain 4-sample formula applies.
// Everything else (edges, failed transformations) goes through sample_general().
template <class T, bool Bilinear, bool Masked>
void sample(const Src<T>& s, int n, const double* xs, const double* ys, const int* ok,
            T* const* dst, std::uint8_t* valid) {
    if constexpr (Bilinear && !Masked && kHasNoMaskKernel<T>) {
        if (s.band.size() == 1) {
            const T* p = s.band[0];
            T* d = dst[0];
            const std::ptrdiff_t w = s.w;
            const double xmax = double(s.W) - 1, ymax = double(s.H) - 1;
            for (int i = 0; i < n; ++i) {
                const double x = xs[i], y = ys[i];
                const double xm = x - 0.5, ym = y - 0.5; // exact: x, y < 2^52
                if ((!ok || ok[i]) && xm >= 0 && ym >= 0 && xm < xmax && ym < ymax) {
                    const int i0 = int(xm), j0 = int(ym); // truncation = floor here
                    const double rx = 1.5 - (x - i0), ry = 1.5 - (y - j0);
                    const T* q = p + (j0 - s.y0) * w + (i0 - s.x0);
                    const double v =
                        (double(q[0]) * rx + double(q[1]) * (1.0 - rx)) * ry +
                        (double(q[w]) * rx + double(q[w + 1]) * (1.0 - rx)) * (1.0 - ry);
                    d[i] = round_nomask<T>(v);
                    valid[i] = 1;
                } else {
                    T* di = d + i;
                    sample_general<T, Bilinear, Masked>(s, 1, xs + i, ys + i, ok ? ok + i : nullptr,
                                                        &di, valid + i);
                }
            }
            return;
        }
    }
    sample_general<T, Bilinear, Masked>(s, n, xs, ys, ok, dst, valid);
}

// Window rows/cols read for the tile and everything else one pass of one tile needs.
template <class T> bool run_tile(const FastTile& t, Planner& plan, Raster& out) {
    const WarpPass& pass = *t.pass;
    const int nb = int(pass.src_bands.size());
    const bool bilinear = t.resampling == WarpResampling::Bilinear;
    GDALDatasetH ds = t.src;
    Src<T> s;
    s.W = GDALGetRasterXSize(ds);
    s.H = GDALGetRasterYSize(ds);

    // Source window: every pixel a sample may touch (bilinear reaches one pixel further).
    if (plan.minx <= plan.maxx && plan.miny <= plan.maxy) {
        const double lo_x = std::clamp(plan.minx, -2.0, double(s.W) + 2);
        const double hi_x = std::clamp(plan.maxx, -2.0, double(s.W) + 2);
        const double lo_y = std::clamp(plan.miny, -2.0, double(s.H) + 2);
        const double hi_y = std::clamp(plan.maxy, -2.0, double(s.H) + 2);
        s.x0 = std::max(0, ifloor(lo_x) - 1);
        s.y0 = std::max(0, ifloor(lo_y) - 1);
        s.w = std::max(0, std::min(s.W, ifloor(hi_x) + 2) - s.x0);
        s.h = std::max(0, std::min(s.H, ifloor(hi_y) + 2) - s.y0);
        if (bilinear && s.w > 0 && s.h > 0) {
            // The 4-sample formula only while not downsampling (see kMinScale).
            const double span_x = std::ceil(hi_x) - std::floor(lo_x);
            const double span_y = std::ceil(hi_y) - std::floor(lo_y);
            if (double(t.tile.width) / std::max(1.0, span_x) < kMinScale ||
                double(t.tile.height) / std::max(1.0, span_y) < kMinScale)
                return false;
        }
        // A window far larger than the tile means a strongly distorting transformation:
        // leave it to GDAL, which chunks.
        const double limit = std::max(16.0 * double(t.tile.width) * double(t.tile.height), 4e6);
        if (double(s.w) * double(s.h) > limit)
            return false;
    }
    const std::size_t npix = std::size_t(s.w) * std::size_t(s.h);

    // Read the window and build validity as GDAL's warper would.
    GdalErrorCapture cap;
    std::vector<std::vector<T>> data(static_cast<std::size_t>(nb));
    std::vector<std::vector<std::uint8_t>> bvalid(static_cast<std::size_t>(nb));
    std::vector<std::uint8_t> uvalid;
    const GDALDataType type = to_gdal_type(t.dtype);
    if (npix > 0) {
        for (int b = 0; b < nb; ++b) {
            data[std::size_t(b)].resize(npix);
            if (GDALRasterIO(GDALGetRasterBand(ds, pass.src_bands[std::size_t(b)]), GF_Read, s.x0,
                             s.y0, s.w, s.h, data[std::size_t(b)].data(), s.w, s.h, type, 0,
                             0) != CE_None)
                throw IoError("cannot read source pixels: " + reason(cap, "read failed"));
        }
        if (pass.src_alpha > 0) {
            // GDAL weighs samples by alpha/255; we reproduce only fully opaque or fully
            // transparent pixels (the masks we write ourselves), else GDAL's kernel.
            uvalid.resize(npix);
            if (GDALRasterIO(GDALGetRasterBand(ds, pass.src_alpha), GF_Read, s.x0, s.y0, s.w, s.h,
                             uvalid.data(), s.w, s.h, GDT_Byte, 0, 0) != CE_None)
                throw IoError("cannot read source alpha: " + reason(cap, "read failed"));
            for (auto& a : uvalid) {
                if (a != 0 && a != 255)
                    return false;
                a = a != 0;
            }
        } else if (!pass.src_nodata.empty()) {
            // One mask per band; GDAL 3.6 (UNIFIED_SRC_NODATA=PARTIAL, its default) also
            // treats a pixel as invalid for every band when all bands are nodata there.
            uvalid.assign(npix, 0);
            for (int b = 0; b < nb; ++b) {
                auto& m = bvalid[std::size_t(b)];
                m.resize(npix);
                const T nd = static_cast<T>(pass.src_nodata[std::size_t(b)]);
                const T* d = data[std::size_t(b)].data();
                for (std::size_t i = 0; i < npix; ++i) {
                    m[i] = d[i] != nd;
                    uvalid[i] |= m[i];
                }
            }
        }
    }
    // Masks without an invalid pixel are dropped, as GDAL drops them for a chunk.
    auto all_valid = [](const std::vector<std::uint8_t>& m) {
        return std::find(m.begin(), m.end(), std::uint8_t(0)) == m.end();
    };
    if (!uvalid.empty() && all_valid(uvalid))
        uvalid.clear();
    bool masked = !uvalid.empty();
    for (auto& m : bvalid) {
        if (!m.empty() && all_valid(m))
            m.clear();
        masked = masked || !m.empty();
    }
    for (int b = 0; b < nb; ++b) {
        s.band.push_back(data[std::size_t(b)].data());
        s.bvalid.push_back(bvalid[std::size_t(b)].empty() ? nullptr
                                                          : bvalid[std::size_t(b)].data());
    }
    s.uvalid = uvalid.empty() ? nullptr : uvalid.data();

    auto kernel = [&] {
        if (bilinear)
            return masked ? &sample<T, true, true> : &sample<T, true, false>;
        return masked ? &sample<T, false, true> : &sample<T, false, false>;
    }();

    // Sample the part of each cell inside the region, row segment by row segment.
    const Window in = t.tile.intersection(t.region);
    const int lx0 = int(in.col_off - t.tile.col_off), lx1 = lx0 + int(in.width);
    const int ly0 = int(in.row_off - t.tile.row_off), ly1 = ly0 + int(in.height);
    const std::size_t ocols = std::size_t(out.cols());
    const int max_w = int(t.tile.width);
    std::vector<double> bx(static_cast<std::size_t>(max_w)), by(static_cast<std::size_t>(max_w));
    std::vector<std::uint8_t> valid(static_cast<std::size_t>(max_w));
    std::vector<T*> dst(static_cast<std::size_t>(nb));
    std::vector<T*> bands_out(static_cast<std::size_t>(nb));
    for (int b = 0; b < nb; ++b)
        bands_out[std::size_t(b)] = out.band<T>(pass.out_bands[std::size_t(b)]).data();
    for (const Cell& c : plan.cells) {
        const int xa = std::max(c.x0, lx0), xb = std::min(c.x1, lx1);
        const int ya = std::max(c.y0, ly0), yb = std::min(c.y1, ly1);
        if (xa >= xb || ya >= yb)
            continue;
        const int n = xb - xa;
        for (int y = ya; y < yb; ++y) {
            const double *xs = nullptr, *ys = nullptr;
            const int* ok = nullptr;
            if (c.exact) {
                const std::size_t o = c.first + std::size_t(y - c.y0) * std::size_t(c.x1 - c.x0) +
                                      std::size_t(xa - c.x0);
                xs = plan.ex.data() + o;
                ys = plan.ey.data() + o;
                ok = plan.eok.data() + o;
            } else {
                const double v = (y + 0.5 - c.y0) / double(c.y1 - c.y0);
                const double lx = c.sx[0] + (c.sx[2] - c.sx[0]) * v;
                const double rx = c.sx[1] + (c.sx[3] - c.sx[1]) * v;
                const double ly = c.sy[0] + (c.sy[2] - c.sy[0]) * v;
                const double ry = c.sy[1] + (c.sy[3] - c.sy[1]) * v;
                const double inv_w = 1.0 / double(c.x1 - c.x0);
                for (int x = xa; x < xb; ++x) {
                    const double u = (x + 0.5 - c.x0) * inv_w;
                    bx[std::size_t(x - xa)] = lx + (rx - lx) * u;
                    by[std::size_t(x - xa)] = ly + (ry - ly) * u;
                }
                xs = bx.data();
                ys = by.data();
            }
            const std::size_t orow = std::size_t(t.tile.row_off + y - t.region.row_off) * ocols +
                                     std::size_t(t.tile.col_off + xa - t.region.col_off);
            for (int b = 0; b < nb; ++b)
                dst[std::size_t(b)] = bands_out[std::size_t(b)] + orow;
            if (npix > 0)
                kernel(s, n, xs, ys, ok, dst.data(), valid.data());
            else
                std::fill_n(valid.begin(), n, std::uint8_t(0));
            for (int b = 0; b < nb; ++b) {
                const int ob = pass.out_bands[std::size_t(b)];
                auto mask = out.mask(ob).subspan(orow, std::size_t(n));
                const T fill = static_cast<T>((*t.fill)[std::size_t(ob)]);
                T* d = dst[std::size_t(b)];
                for (int i = 0; i < n; ++i) {
                    mask[std::size_t(i)] = valid[std::size_t(i)] ? kValid : kInvalid;
                    if (!valid[std::size_t(i)])
                        d[i] = fill;
                }
            }
        }
    }
    return true;
}

// Whether GDAL would apply validity we do not reproduce.
bool validity_supported(const FastTile& t) {
    const WarpPass& pass = *t.pass;
    if (pass.src_alpha > 0)
        return GDALGetRasterDataType(GDALGetRasterBand(t.src, pass.src_alpha)) == GDT_Byte;
    if (!pass.src_nodata.empty()) {
        // Integer nodata values the pixel type holds exactly: GDAL compares for equality.
        // Floating nodata has GDAL's tolerance and NaN rules: GDAL's kernel.
        if (is_floating(t.dtype))
            return false;
        for (double nd : pass.src_nodata)
            if (!fits_dtype(t.dtype, nd))
                return false;
        return true;
    }
    // No nodata, no alpha: GDAL would still use a per-dataset mask band (e.g. .msk).
    const int flags = GDALGetMaskFlags(GDALGetRasterBand(t.src, pass.src_bands.front()));
    return flags == GMF_ALL_VALID;
}

} // namespace

bool warp_tile_fast(const FastTile& t, Raster& out) {
    switch (t.dtype) {
    case DataType::UInt8:
    case DataType::UInt16:
    case DataType::Int16:
    case DataType::UInt32:
    case DataType::Int32:
    case DataType::Float32:
    case DataType::Float64:
        break;
    default:
        return false;
    }
    if (t.pass->src_bands.empty() || !validity_supported(t))
        return false;
    Planner plan(t.transformer, t.error_threshold);
    plan.plan(0, 0, int(t.tile.width), int(t.tile.height));
    return visit_dtype(t.dtype, [&](auto zero) -> bool {
        using T = decltype(zero);
        if constexpr (std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int64_t> ||
                      std::is_same_v<T, std::uint64_t>)
            return false;
        else
            return run_tile<T>(t, plan, out);
    });
}

} // namespace rb::detail
