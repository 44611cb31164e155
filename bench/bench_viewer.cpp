// bench_viewer: the viewer's rendering path on a huge scene without overviews, against
// GDAL's plain decimated read of the same fit-to-window view, in the same run.
//
//   bench_viewer [DIR] [--size N] [--view WxH]
//
// DIR (default /tmp/rasterbench-bench) receives viewer_N.tif, an N x N (default 8000) 3-band
// UInt16 GeoTIFF, DEFLATE, 256x256 tiles, pixel-interleaved, no overviews, with a tilted
// nodata collar; reused when present. View: 1600x1000 screen pixels.
//
// What is timed (the engine's share of what the map canvas does; the canvas adds a QImage
// copy and painting, measured separately by hand with the real widget, see the issue note):
//  1. open -> first paint: RasterPyramid open + preview() (sparse blocks of the file) +
//     provisional percent-clip stretch on it + render_display of the preview. Target 300 ms.
//  2. GDAL baseline: GDALOpen + GDALDatasetRasterIO of the whole scene to the fit-to-window
//     size (nearest), i.e. what a viewer without a pyramid does for its first paint.
//  3. build(): the in-memory pyramid (one pass over the file, background in the UI).
//  4. cached redraw: composing the view's cached rendered tiles into a 1600x1000 frame
//     (what a repaint costs once tiles are cached; QPainter does the same blits). Target 16 ms.
//  5. pan to an uncached area at 1:2 zoom: the coarse stand-in (the resident level under the
//     new area, read from memory and rendered) and the refined tiles from the file. Target:
//     coarse within 50 ms.
// Each figure is the median of several runs; the page cache is warm (the file was just
// written or read), as it is for an analyst looking at scenes again.
#include <gdal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "rasterbench/display.h"
#include "rasterbench/pyramid.h"
#include "rasterbench/render.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median_ms(int runs, const std::function<void()>& f) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        t.push_back(ms_since(t0));
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

void generate(const std::string& path, int n) {
    std::printf("generating %s (%d x %d x 3 UInt16, DEFLATE, 256x256 tiles)...\n", path.c_str(), n,
                n);
    const char* opts[] = {
        "TILED=YES",        "BLOCKXSIZE=256",   "BLOCKYSIZE=256", "COMPRESS=DEFLATE",
        "INTERLEAVE=PIXEL", "BIGTIFF=IF_SAFER", nullptr};
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), (path + ".part").c_str(), n, n, 3,
                                 GDT_UInt16, const_cast<char**>(opts));
    if (!ds) {
        std::fprintf(stderr, "cannot create %s\n", path.c_str());
        std::exit(1);
    }
    const int rows = 256;
    std::vector<std::uint16_t> buf(std::size_t(n) * rows * 3);
    unsigned seed = 12345;
    for (int r0 = 0; r0 < n; r0 += rows) {
        const int h = std::min(rows, n - r0);
        for (int b = 0; b < 3; ++b)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < n; ++x) {
                    const int row = r0 + y;
                    seed = seed * 1664525u + 1013904223u;
                    // Smooth landscape plus sensor noise; a tilted nodata collar like a
                    // Landsat footprint.
                    const double v = 8000 +
                                     3000 * std::sin(x * 0.0031 + b) * std::cos(row * 0.0023) +
                                     1500 * std::sin((x + row) * 0.017) + (seed >> 24) * 4.0;
                    const bool collar =
                        x < n * 0.08 + row * 0.12 || x > n * 0.92 + row * 0.06 - n * 0.1;
                    buf[std::size_t(b) * n * h + std::size_t(y) * n + x] =
                        collar ? 0 : std::uint16_t(v);
                }
        int bands[] = {1, 2, 3};
        if (GDALDatasetRasterIO(ds, GF_Write, 0, r0, n, h, buf.data(), n, h, GDT_UInt16, 3, bands,
                                0, 0, 0) != CE_None)
            std::exit(1);
    }
    for (int b = 1; b <= 3; ++b)
        GDALSetRasterNoDataValue(GDALGetRasterBand(ds, b), 0);
    GDALClose(ds);
    std::filesystem::rename(path + ".part", path);
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench";
    int n = 8000, vw = 1600, vh = 1000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--view" && i + 1 < argc)
            std::sscanf(argv[++i], "%dx%d", &vw, &vh);
        else
            dir = a;
    }
    GDALAllRegister();
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/viewer_" + std::to_string(n) + ".tif";
    if (!std::filesystem::exists(path))
        generate(path, n);

    const double fit = std::min(double(vw) / n, double(vh) / n);
    const int fitW = int(std::ceil(n * fit)), fitH = int(std::ceil(n * fit));
    std::printf("scene %s: %d x %d x 3 UInt16, no overviews; view %d x %d, fit scale %.4f\n",
                path.c_str(), n, n, vw, vh, fit);

    // 2. GDAL baseline (run first and twice, so both paths find the file in the page cache).
    const double gdal_ms = median_ms(3, [&] {
        GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
        std::vector<std::uint16_t> out(std::size_t(fitW) * fitH * 3);
        int bands[] = {1, 2, 3};
        if (GDALDatasetRasterIO(ds, GF_Read, 0, 0, n, n, out.data(), fitW, fitH, GDT_UInt16, 3,
                                bands, 0, 0, 0) != CE_None)
            std::exit(1);
        GDALClose(ds);
    });

    // 1. open -> first paint.
    rb::DisplaySettings display;
    display.bands = {1, 2, 3};
    int preview_level = 0;
    bool preview_exact = true;
    const double first_ms = median_ms(5, [&] {
        rb::RasterPyramid pyramid(path);
        const rb::PyramidPreview preview = pyramid.preview();
        display.stretch = rb::compute_stretch(preview.data, display.stretch_options);
        const rb::Rgba8Image img = rb::render_display(preview.data, {1, 2, 3}, display);
        preview_level = preview.level;
        preview_exact = preview.exact;
        if (img.pixels.empty())
            std::exit(1);
    });

    // 3. the background build.
    rb::RasterPyramid pyramid(path);
    const auto tb = Clock::now();
    pyramid.build();
    const double build_ms = ms_since(tb);

    // 4. cached redraw of the fit view: its tiles rendered once, then composed per frame.
    const int tile = 256;
    const int level = pyramid.level_for_scale(fit);
    struct Tile {
        int x, y;
        rb::Rgba8Image img;
    };
    std::vector<Tile> tiles;
    for (int ty = 0; ty * tile < pyramid.level_height(level); ++ty)
        for (int tx = 0; tx * tile < pyramid.level_width(level); ++tx) {
            const rb::Raster r = pyramid.read(level, rb::Window{tx * tile, ty * tile, tile, tile});
            tiles.push_back({tx * tile, ty * tile, rb::render_display(r, {1, 2, 3}, display)});
        }
    std::vector<std::uint32_t> frame(std::size_t(vw) * vh);
    const double redraw_ms = median_ms(31, [&] {
        std::fill(frame.begin(), frame.end(), 0xff3a3d40u);
        const double s = fit * (double(n) / pyramid.level_width(level)); // screen px per level px
        for (const Tile& t : tiles)
            for (int y = 0; y < t.img.height; ++y) {
                const int fy = int((t.y + y) * s);
                if (fy >= vh)
                    continue;
                for (int x = 0; x < t.img.width; ++x) {
                    const int fx = int((t.x + x) * s);
                    if (fx < vw)
                        frame[std::size_t(fy) * vw + fx] =
                            t.img.pixels[std::size_t(y) * t.img.width + x];
                }
            }
    });

    // 5. pan to an uncached area at 1:2 (level 1): coarse stand-in from the resident level,
    //    then refined tiles from the file. Areas differ per run so nothing is cached.
    const int panLevel = 1;
    const int coarse = std::max(pyramid.first_resident_level(), panLevel + 1);
    int run = 0;
    const int viewFileW = vw * 2, viewFileH = vh * 2; // file pixels under the view at 1:2
    std::vector<double> coarse_ms, refine_ms;
    for (int i = 0; i < 5; ++i, ++run) {
        const int x0 = (run * 1237) % std::max(1, n - viewFileW),
                  y0 = (run * 977 + 500) % std::max(1, n - viewFileH);
        auto t0 = Clock::now();
        {
            const double r = double(n) / pyramid.level_width(coarse);
            const rb::Window w{std::int64_t(x0 / r), std::int64_t(y0 / r),
                               std::int64_t(std::ceil(viewFileW / r)),
                               std::int64_t(std::ceil(viewFileH / r))};
            const rb::Raster data = pyramid.read(coarse, w);
            const rb::Rgba8Image img = rb::render_display(data, {1, 2, 3}, display);
            if (img.pixels.empty())
                std::exit(1);
        }
        coarse_ms.push_back(ms_since(t0));
        t0 = Clock::now();
        {
            const int lx0 = x0 / 2 / tile * tile, ly0 = y0 / 2 / tile * tile;
            for (int ly = ly0; ly < (y0 + viewFileH) / 2; ly += tile)
                for (int lx = lx0; lx < (x0 + viewFileW) / 2; lx += tile) {
                    const rb::Raster data = pyramid.read(panLevel, rb::Window{lx, ly, tile, tile});
                    const rb::Rgba8Image img = rb::render_display(data, {1, 2, 3}, display);
                    if (img.pixels.empty())
                        std::exit(1);
                }
        }
        refine_ms.push_back(ms_since(t0));
    }
    std::sort(coarse_ms.begin(), coarse_ms.end());
    std::sort(refine_ms.begin(), refine_ms.end());

    std::printf("\n%-58s %9s\n", "measure", "ms");
    std::printf("%-58s %9.1f  (target <= 300; preview level %d, %s)\n",
                "open -> first paint (sparse preview + stretch + render)", first_ms, preview_level,
                preview_exact ? "exact" : "sparse");
    std::printf("%-58s %9.1f  (ours is %.1fx faster)\n",
                "GDAL decimated RasterIO of the fit view (baseline)", gdal_ms, gdal_ms / first_ms);
    std::printf("%-58s %9.1f  (background, cancellable; levels >= %d resident)\n",
                "pyramid build (one pass over the file)", build_ms, pyramid.first_resident_level());
    std::printf("%-58s %9.2f  (target <= 16; %zu cached tiles of level %d)\n",
                "cached redraw of the fit view (compose tiles)", redraw_ms, tiles.size(), level);
    std::printf("%-58s %9.1f  (target <= 50; level %d from memory)\n",
                "pan to uncached area at 1:2: coarse data", coarse_ms[coarse_ms.size() / 2],
                coarse);
    std::printf("%-58s %9.1f  (level %d tiles from the file)\n",
                "pan to uncached area at 1:2: refined", refine_ms[refine_ms.size() / 2], panLevel);
    return 0;
}
