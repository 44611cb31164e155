// bench_warp: reproject an 8000x8000 UTM scene to EPSG:3857 (bilinear) with rasterbench and
// with `gdalwarp -multi -wo NUM_THREADS=ALL_CPUS` in the same run, and compare the outputs.
//
//   bench_warp [DIR] [--size N] [--threads N]
//
// DIR (default /tmp/rasterbench-bench) receives the generated input (warp_in.tif, one
// uncompressed UInt8 band, 512x512 tiles, EPSG:32633 at 10 m; reused when present) and both
// outputs. Timings are whole jobs, file to file: the gdalwarp process (start-up included)
// and rb::reproject_file (open, default grid, warp, GeoTIFF write), plus the in-memory
// rb::reproject (no output file) for reference.
// Target: rasterbench >= 2x faster than gdalwarp, within 1 DN on >= 99.9 % of the pixels
// valid in both, same grid.
#include <gdal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/warp.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Smooth terrain-like values plus fine texture, so bilinear differences are meaningful.
void generate(const std::string& path, int n) {
    rb::Profile p;
    p.width = p.height = n;
    p.count = 1;
    p.dtype = rb::DataType::UInt8;
    p.crs = rb::Crs::from_epsg(32633);
    p.transform = rb::Affine{10, 0, 400000, 0, -10, 5200000};
    p.has_transform = true;
    p.tiled = true;
    p.block_width = p.block_height = 512;
    rb::Dataset ds = rb::Dataset::create(path, p);
    const int strip = 512;
    for (int y0 = 0; y0 < n; y0 += strip) {
        const int rows = std::min(strip, n - y0);
        rb::Raster r(rb::DataType::UInt8, 1, rows, n);
        auto v = r.band<std::uint8_t>(0);
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < n; ++x) {
                const double gy = y0 + y;
                const double s = 100 + 60 * std::sin(x * 0.0031) * std::cos(gy * 0.0027) +
                                 30 * std::sin((x + gy) * 0.013) +
                                 20 * std::sin(x * 0.11) * std::sin(gy * 0.07);
                v[std::size_t(y) * n + x] = std::uint8_t(std::clamp(s, 1.0, 255.0));
            }
        ds.write(r, {}, rb::Window{0, y0, n, rows});
    }
    ds.close();
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench";
    int n = 8000, threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else
            dir = a;
    }
    std::filesystem::create_directories(dir);
    const std::string in = dir + "/warp_in_" + std::to_string(n) + ".tif";
    const std::string gd = dir + "/warp_gdal.tif", ours = dir + "/warp_rasterbench.tif";
    if (!std::filesystem::exists(in)) {
        const auto t = std::chrono::steady_clock::now();
        generate(in, n);
        std::printf("generated %s (%dx%d) in %.1f s\n", in.c_str(), n, n, seconds_since(t));
    }
    std::filesystem::remove(gd);
    std::filesystem::remove(ours);

    const std::string cmd = "gdalwarp -q -overwrite -multi -wo NUM_THREADS=ALL_CPUS -t_srs "
                            "EPSG:3857 -r bilinear '" +
                            in + "' '" + gd + "'";
    auto t0 = std::chrono::steady_clock::now();
    if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "gdalwarp failed: %s\n", cmd.c_str());
        return 1;
    }
    const double t_gdal = seconds_since(t0);

    rb::ReprojectOptions o;
    o.resampling = rb::WarpResampling::Bilinear;
    o.threads = threads;
    t0 = std::chrono::steady_clock::now();
    const rb::Grid grid =
        rb::default_grid(rb::grid_of(rb::read_profile(in)), rb::Crs::from_epsg(3857));
    rb::reproject_file(in, ours, grid, o);
    const double t_ours = seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    const rb::Raster mem = rb::reproject(rb::Dataset::open(in), grid, {}, o);
    const double t_mem = seconds_since(t0);

    // Compare the two files.
    const rb::Dataset a = rb::Dataset::open(ours), b = rb::Dataset::open(gd);
    const bool same_grid = a.width() == b.width() && a.height() == b.height() &&
                           a.profile().transform.almost_equals(b.profile().transform, 1e-6);
    std::size_t both = 0, within1 = 0, equal = 0, validity = 0;
    if (same_grid) {
        for (int y0 = 0; y0 < a.height(); y0 += 1024) {
            rb::ReadOptions ro;
            ro.window = rb::Window{0, y0, a.width(), std::min(1024, a.height() - y0)};
            const rb::Raster ra = a.read(ro), rbb = b.read(ro);
            const auto va = ra.band<std::uint8_t>(0), vb = rbb.band<std::uint8_t>(0);
            for (std::size_t i = 0; i < va.size(); ++i) {
                // gdalwarp writes 0 where nothing maps (no nodata declared): compare pixels
                // both consider covered.
                const bool ca = va[i] != 0, cb = vb[i] != 0;
                if (ca != cb) {
                    ++validity;
                    continue;
                }
                if (!ca)
                    continue;
                ++both;
                const int d = std::abs(int(va[i]) - int(vb[i]));
                equal += d == 0;
                within1 += d <= 1;
            }
        }
    }
    std::printf("grid %dx%d, same grid as gdalwarp: %s\n", a.width(), a.height(),
                same_grid ? "yes" : "NO");
    std::printf("gdalwarp -multi -wo NUM_THREADS=ALL_CPUS : %7.2f s\n", t_gdal);
    std::printf("rasterbench reproject_file              : %7.2f s  (ratio %.2fx, target >= 2x)\n",
                t_ours, t_gdal / t_ours);
    std::printf("rasterbench reproject, in memory        : %7.2f s  (ratio %.2fx)\n", t_mem,
                t_gdal / t_mem);
    if (both)
        std::printf("pixels within 1 DN: %.4f %% (equal %.4f %%) of %zu; coverage differs on %zu "
                    "(target >= 99.9 %%)\n",
                    100.0 * double(within1) / double(both), 100.0 * double(equal) / double(both),
                    both, validity);
    (void)mem;
    return 0;
}
