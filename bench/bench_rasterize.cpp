// bench_rasterize: burn ~3,000 polygons (attribute "id") into an 8000x8000 UInt16 grid with
// rasterbench and with the `gdal_rasterize` command in the same run; the outputs must be
// identical.
//
//   bench_rasterize [DIR] [--size N] [--polygons N] [--threads N]
//
// DIR (default /tmp/rasterbench-bench) receives the generated GeoJSON (irregular star-shaped
// polygons with holes, some overlapping, EPSG:32633; reused when present) and both outputs.
// Timings are whole jobs, file to file: the gdal_rasterize process (start-up, GeoJSON
// parsing, GeoTIFF creation) and rasterbench's read_features + rasterize + GeoTIFF write.
// Target: rasterbench >= 2x faster, identical pixels.
#include <gdal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "rasterbench/dataset.h"
#include "rasterbench/features.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench";
    int n = 8000, count = 3000, threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            n = std::atoi(argv[++i]);
        else if (a == "--polygons" && i + 1 < argc)
            count = std::atoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else
            dir = a;
    }
    std::filesystem::create_directories(dir);
    const std::string vec =
        dir + "/polygons_" + std::to_string(n) + "_" + std::to_string(count) + ".geojson";
    const std::string gd = dir + "/rasterize_gdal.tif", ours = dir + "/rasterize_rasterbench.tif";
    if (!std::filesystem::exists(vec))
        generate(vec, n, count);
    std::filesystem::remove(gd);
    std::filesystem::remove(ours);
    const double x0 = 400000, y1 = 5200000, ext = n * 10.0;

    char cmd[1024];
    std::snprintf(cmd, sizeof cmd,
                  "gdal_rasterize -q -a id -ot UInt16 -te %.3f %.3f %.3f %.3f -ts %d %d '%s' '%s'",
                  x0, y1 - ext, x0 + ext, y1, n, n, vec.c_str(), gd.c_str());
    auto t0 = std::chrono::steady_clock::now();
    if (std::system(cmd) != 0) {
        std::fprintf(stderr, "gdal_rasterize failed: %s\n", cmd);
        return 1;
    }
    const double t_gdal = seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    const rb::FeatureCollection fc = rb::read_features(vec);
    const rb::Grid grid{n, n, rb::Affine{10, 0, x0, 0, -10, y1}, rb::Crs::from_epsg(32633)};
    rb::RasterizeOptions o;
    o.property = "id";
    o.dtype = rb::DataType::UInt16;
    o.threads = threads;
    const double t_read = seconds_since(t0);
    const rb::Raster r = rb::rasterize(fc, grid, o);
    const double t_burn = seconds_since(t0) - t_read;
    rb::Profile p;
    p.width = p.height = n;
    p.count = 1;
    p.dtype = rb::DataType::UInt16;
    p.crs = grid.crs;
    p.transform = grid.transform;
    p.has_transform = true;
    rb::Dataset ds = rb::Dataset::create(ours, p);
    ds.write(r);
    ds.close();
    const double t_ours = seconds_since(t0);

    const rb::Raster g = rb::Dataset::open(gd).read();
    std::size_t diff = 0, burnt = 0;
    const auto a = r.band<std::uint16_t>(0), b = g.band<std::uint16_t>(0);
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff += a[i] != b[i];
        burnt += a[i] != 0;
    }
    std::printf("%zu polygons on %dx%d, %.1f %% of pixels burnt\n", fc.features.size(), n, n,
                100.0 * double(burnt) / double(a.size()));
    std::printf("gdal_rasterize             : %7.2f s\n", t_gdal);
    std::printf("rasterbench (read %.2f s + burn %.2f s + write): %7.2f s  (ratio %.2fx, target >= "
                "2x)\n",
                t_read, t_burn, t_ours, t_gdal / t_ours);
    std::printf("differing pixels: %zu (target 0)\n", diff);
    return diff == 0 ? 0 : 2;
}
