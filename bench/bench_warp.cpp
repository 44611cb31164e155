// bench_warp: reproject an 8000x8000 UTM scene to EPSG:3857 (bilinear) with rasterbench and
// with `gdalwarp -multi -wo NUM_THREADS=...` in the same run, and compare the outputs.
//
//   bench_warp [DIR] [--size N] [--threads N] [--repeat N] [--ours-only]
//
// DIR (default /tmp/rasterbench-bench) receives the generated input (warp_in_N.tif, one
// uncompressed UInt8 band, 512x512 tiles, EPSG:32633 at 10 m; reused when present) and both
// outputs. Timings are whole jobs, file to file, from the same input file to the same kind
// of output (uncompressed GeoTIFF, no nodata): the gdalwarp process (start-up included) and
// rb::reproject_file (open, default grid, warp, GeoTIFF write), with the same thread count
// (--threads, default all cores: gdalwarp NUM_THREADS=ALL_CPUS). The two alternate --repeat
// times (default 5) so that load on a shared machine hits both alike; min and median are
// reported, with the load average and CPU seconds (user + system) per job. The in-memory
// rb::reproject (no output file) is timed once for reference. --ours-only skips gdalwarp
// and the comparison (for profiling).
// Target: rasterbench >= 2x faster than gdalwarp, within 1 DN on >= 99.9 % of the pixels
// valid in both, same grid.
#include <gdal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <vector>

#include "bench_util.h"
#include "rasterbench/dataset.h"
#include "rasterbench/warp.h"

namespace {

using rbbench::cpu_seconds;
using rbbench::load1;
using rbbench::median;
using rbbench::min_of;
using rbbench::seconds_since;

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
    int n = 8000, threads = 0, repeat = 5;
    bool ours_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (a == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--ours-only")
            ours_only = true;
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

    const std::string nthreads = threads > 0 ? std::to_string(threads) : "ALL_CPUS";
    const std::string cmd = "gdalwarp -q -overwrite -multi -wo NUM_THREADS=" + nthreads +
                            " -t_srs EPSG:3857 -r bilinear '" + in + "' '" + gd + "'";
    rb::ReprojectOptions o;
    o.resampling = rb::WarpResampling::Bilinear;
    o.threads = threads;
    std::vector<double> t_gdal, t_ours, c_gdal, c_ours;
    const double load_before = load1();
    rb::Grid grid;
    for (int rep = 0; rep < repeat; ++rep) {
        if (!ours_only) {
            std::filesystem::remove(gd);
            const double c0 = cpu_seconds(RUSAGE_CHILDREN);
            const auto t0 = std::chrono::steady_clock::now();
            if (std::system(cmd.c_str()) != 0) {
                std::fprintf(stderr, "gdalwarp failed: %s\n", cmd.c_str());
                return 1;
            }
            t_gdal.push_back(seconds_since(t0));
            c_gdal.push_back(cpu_seconds(RUSAGE_CHILDREN) - c0);
        }
        std::filesystem::remove(ours);
        const double c0 = cpu_seconds(RUSAGE_SELF);
        const auto t0 = std::chrono::steady_clock::now();
        grid = rb::default_grid(rb::grid_of(rb::read_profile(in)), rb::Crs::from_epsg(3857));
        rb::reproject_file(in, ours, grid, o);
        t_ours.push_back(seconds_since(t0));
        c_ours.push_back(cpu_seconds(RUSAGE_SELF) - c0);
    }
    const double load_after = load1();

    auto t0 = std::chrono::steady_clock::now();
    const rb::Raster mem = rb::reproject(rb::Dataset::open(in), grid, {}, o);
    const double t_mem = seconds_since(t0);
    (void)mem;

    std::printf("grid %dx%d; %d alternating runs; load average %.2f before, %.2f after\n",
                grid.width, grid.height, repeat, load_before, load_after);
    if (!ours_only)
        std::printf("gdalwarp -multi -wo NUM_THREADS=%s : min %6.3f s  median %6.3f s  (CPU "
                    "median %.2f s)\n",
                    nthreads.c_str(), min_of(t_gdal), median(t_gdal), median(c_gdal));
    std::printf("rasterbench reproject_file          : min %6.3f s  median %6.3f s  (CPU "
                "median %.2f s)\n",
                min_of(t_ours), median(t_ours), median(c_ours));
    if (!ours_only)
        std::printf("ratio: of medians %.2fx, of mins %.2fx (target >= 2x)\n",
                    median(t_gdal) / median(t_ours), min_of(t_gdal) / min_of(t_ours));
    std::printf("reference: rasterbench reproject, in memory: %.3f s\n", t_mem);
    if (ours_only)
        return 0;

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
    std::printf("same grid as gdalwarp: %s\n", same_grid ? "yes" : "NO");
    if (both)
        std::printf("pixels within 1 DN: %.4f %% (equal %.4f %%) of %zu; coverage differs on %zu "
                    "(target >= 99.9 %%)\n",
                    100.0 * double(within1) / double(both), 100.0 * double(equal) / double(both),
                    both, validity);
    return 0;
}
