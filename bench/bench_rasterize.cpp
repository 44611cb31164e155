// bench_rasterize: burn ~3,000 polygons (attribute "id") into an 8000x8000 UInt16 grid with
// rasterbench and with the `gdal_rasterize` command in the same run; the outputs must be
// identical.
//
//   bench_rasterize [DIR] [--size N] [--polygons N] [--threads N] [--repeat N] [--ours-only]
//
// DIR (default /tmp/rasterbench-bench) receives the generated GeoJSON (irregular star-shaped
// polygons with holes, some overlapping, EPSG:32633; reused when present) and both outputs.
// Timings are whole jobs, file to file, on the same GeoJSON and to the same kind of file (a
// plain uncompressed GeoTIFF): the gdal_rasterize process (start-up, GeoJSON parsing, burn,
// GeoTIFF write) and rb::rasterize_file (GeoJSON parsing, burn, GeoTIFF write). The two
// alternate --repeat times (default 5) so that load on a shared machine hits both alike;
// min and median are reported. gdal_rasterize burns on one thread, rasterbench on --threads
// (default all cores). A reference run of the in-memory route (read_features + rasterize +
// Dataset::write) shows where its time goes. The files are compared pixel by pixel (the
// target), and byte by byte (whether they are the same kind of GeoTIFF).
// --ours-only runs only rb::rasterize_file (for profiling).
// Target: rasterbench >= 2x faster, identical pixels.
#include <gdal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <vector>

#include "bench_util.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace {

using rbbench::cpu_seconds;
using rbbench::load1;
using rbbench::median;
using rbbench::seconds_since;

void generate(const std::string& path, int n, int count) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    const double x0 = 400000, y0 = 5200000, px = 10, extent = n * px;
    std::ofstream os(path);
    os.precision(12);
    os << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
          "\"urn:ogc:def:crs:EPSG::32633\"}},\"features\":[\n";
    for (int i = 0; i < count; ++i) {
        const double cx = x0 + u(rng) * extent, cy = y0 - u(rng) * extent;
        const double r = extent * (0.004 + 0.03 * u(rng) * u(rng));
        const int k = 8 + int(u(rng) * 40);
        auto ring = [&](double radius, bool reverse) {
            os << "[";
            for (int j = 0; j <= k; ++j) {
                const int jj = (reverse ? k - j : j) % k; // the last point closes the ring
                const double a = 2 * M_PI * jj / k;
                const double rr = radius * (0.6 + 0.4 * std::sin(jj * 2.7 + i));
                os << (j ? "," : "") << "[" << cx + rr * std::cos(a) << "," << cy + rr * std::sin(a)
                   << "]";
            }
            os << "]";
        };
        os << (i ? ",\n" : "") << "{\"type\":\"Feature\",\"properties\":{\"id\":" << i + 1
           << "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[";
        ring(r, false);
        if (i % 5 == 0) {
            os << ",";
            ring(r * 0.3, true);
        }
        os << "]}}";
    }
    os << "\n]}\n";
}

// Whether two files hold the same bytes (same kind of GeoTIFF, not only the same pixels).
bool same_bytes(const std::string& a, const std::string& b) {
    std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
    std::vector<char> ba(1 << 20), bb(1 << 20);
    while (fa && fb) {
        fa.read(ba.data(), std::streamsize(ba.size()));
        fb.read(bb.data(), std::streamsize(bb.size()));
        if (fa.gcount() != fb.gcount() ||
            !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin()))
            return false;
    }
    return !fa && !fb;
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench";
    int n = 8000, count = 3000, threads = 0, repeat = 5;
    bool ours_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--polygons" && i + 1 < argc)
            count = std::atoi(argv[++i]);
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
    const std::string vec =
        dir + "/polygons_" + std::to_string(n) + "_" + std::to_string(count) + ".geojson";
    const std::string gd = dir + "/rasterize_gdal.tif", ours = dir + "/rasterize_rasterbench.tif";
    if (!std::filesystem::exists(vec))
        generate(vec, n, count);
    const double x0 = 400000, y1 = 5200000, ext = n * 10.0;
    const rb::Grid grid{n, n, rb::Affine{10, 0, x0, 0, -10, y1}, rb::Crs::from_epsg(32633)};
    rb::RasterizeOptions o;
    o.property = "id";
    o.dtype = rb::DataType::UInt16;
    o.threads = threads;

    char cmd[1024];
    std::snprintf(cmd, sizeof cmd,
                  "gdal_rasterize -q -a id -ot UInt16 -te %.3f %.3f %.3f %.3f -ts %d %d '%s' '%s'",
                  x0, y1 - ext, x0 + ext, y1, n, n, vec.c_str(), gd.c_str());
    std::vector<double> t_gdal, t_ours, c_gdal, c_ours;
    const double load_before = load1();
    for (int rep = 0; rep < repeat; ++rep) {
        std::filesystem::remove(ours);
        if (ours_only) {
            const auto t0 = std::chrono::steady_clock::now();
            rb::rasterize_file(vec, ours, grid, o);
            t_ours.push_back(seconds_since(t0));
            continue;
        }
        std::filesystem::remove(gd);
        double c0 = cpu_seconds(RUSAGE_CHILDREN);
        auto t0 = std::chrono::steady_clock::now();
        if (std::system(cmd) != 0) {
            std::fprintf(stderr, "gdal_rasterize failed: %s\n", cmd);
            return 1;
        }
        t_gdal.push_back(seconds_since(t0));
        c_gdal.push_back(cpu_seconds(RUSAGE_CHILDREN) - c0);
        c0 = cpu_seconds(RUSAGE_SELF);
        t0 = std::chrono::steady_clock::now();
        rb::rasterize_file(vec, ours, grid, o);
        t_ours.push_back(seconds_since(t0));
        c_ours.push_back(cpu_seconds(RUSAGE_SELF) - c0);
    }
    const double load_after = load1();
    if (ours_only) {
        std::printf("rasterbench rasterize_file: min %.3f s  median %.3f s (%d runs, load %.2f "
                    "before, %.2f after)\n",
                    *std::min_element(t_ours.begin(), t_ours.end()), median(t_ours), repeat,
                    load_before, load_after);
        return 0;
    }

    // Reference: the in-memory route, stage by stage.
    auto t0 = std::chrono::steady_clock::now();
    const rb::FeatureCollection fc = rb::read_features(vec);
    const double t_read = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const rb::Raster r = rb::rasterize(fc, grid, o);
    const double t_burn = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    {
        rb::Profile p;
        p.width = p.height = n;
        p.count = 1;
        p.dtype = rb::DataType::UInt16;
        p.crs = grid.crs;
        p.transform = grid.transform;
        p.has_transform = true;
        rb::Dataset ds = rb::Dataset::create(dir + "/rasterize_rasterbench_mem.tif", p);
        ds.write(r);
        ds.close();
    }
    const double t_write = seconds_since(t0);
    std::filesystem::remove(dir + "/rasterize_rasterbench_mem.tif");

    // Compare the files, and the in-memory result.
    const rb::Raster g = rb::Dataset::open(gd).read(), f = rb::Dataset::open(ours).read();
    std::size_t diff = 0, diff_mem = 0, burnt = 0;
    const auto a = f.band<std::uint16_t>(0), b = g.band<std::uint16_t>(0);
    const auto m = r.band<std::uint16_t>(0);
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff += a[i] != b[i];
        diff_mem += m[i] != b[i];
        burnt += a[i] != 0;
    }
    const auto mn = [](const std::vector<double>& v) {
        return *std::min_element(v.begin(), v.end());
    };
    std::printf("%zu polygons on %dx%d, %.1f %% of pixels burnt; %d alternating runs, load "
                "average %.2f before, %.2f after\n",
                fc.features.size(), n, n, 100.0 * double(burnt) / double(a.size()), repeat,
                load_before, load_after);
    std::printf("gdal_rasterize (process)      : min %6.3f s  median %6.3f s  (CPU median %.2f "
                "s)\n",
                mn(t_gdal), median(t_gdal), median(c_gdal));
    std::printf("rasterbench rasterize_file    : min %6.3f s  median %6.3f s  (CPU median %.2f "
                "s)\n",
                mn(t_ours), median(t_ours), median(c_ours));
    std::printf("ratio: of medians %.2fx, of mins %.2fx (target >= 2x)\n",
                median(t_gdal) / median(t_ours), mn(t_gdal) / mn(t_ours));
    std::printf("reference, in-memory route    : read_features %.3f s + rasterize %.3f s + "
                "write %.3f s = %.3f s\n",
                t_read, t_burn, t_write, t_read + t_burn + t_write);
    std::printf("differing pixels: %zu file to file, %zu in memory (target 0); the two GeoTIFFs "
                "are %s\n",
                diff, diff_mem, same_bytes(gd, ours) ? "byte-identical" : "different files");
    return diff == 0 && diff_mem == 0 ? 0 : 2;
}
