// bench_composite_grids: a composite of scenes on different grids (each shifted by a
// fraction of a pixel and a few pixels, as Landsat scenes of one path are), warped on the
// fly, against the same composite of inputs aligned beforehand with gdalwarp, in one run.
//
//   bench_composite_grids [DIR] [--size N] [--scenes N] [--resampling near|bilinear|...]
//
// DIR (default /tmp/rasterbench-bench/grids) receives the generated scenes (3 bands UInt16,
// DEFLATE, tiled; reused when present), their gdalwarp-aligned copies and the outputs.
// Prints: the time to align with gdalwarp, the composite of the aligned files, the
// composite warping on the fly, and the ratio on-the-fly / aligned (target: <= 1.3), and
// whether the two composites are identical. Default 10 scenes of 2000 x 2000; the issue's
// full case is --size 8000 (about 4 GB of inputs).
#include <gdal.h>
#include <gdal_alg.h>
#include <gdal_utils.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/stack_grid.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Config {
    std::string dir = "/tmp/rasterbench-bench/grids";
    int size = 2000;
    int scenes = 10;
    std::string resampling = "near";
};

std::string scene_path(const Config& c, int k) {
    return c.dir + "/scene" + std::to_string(c.size) + "_" + std::to_string(k) + ".tif";
}

void generate(const Config& c, int k) {
    const std::string path = scene_path(c, k);
    if (fs::exists(path))
        return;
    rb::Profile p;
    p.width = p.height = c.size;
    p.count = 3;
    p.dtype = rb::DataType::UInt16;
    p.crs = rb::Crs::from_user_input("EPSG:32618");
    // Shifted by k * 0.37 pixel and k pixels: no two scenes share a grid.
    const double res = 30, shift = (k * 0.37 - std::floor(k * 0.37) + k) * res;
    p.transform = rb::Affine{res, 0, 500000 + shift, 0, -res, 4500000 - shift};
    p.set_nodata(0);
    p.tiled = true;
    p.compression = "DEFLATE";
    rb::Dataset ds = rb::Dataset::create(path, p);
    const int rows = 256;
    for (int r0 = 0; r0 < c.size; r0 += rows) {
        const int h = std::min(rows, c.size - r0);
        rb::Raster r(rb::DataType::UInt16, 3, h, c.size);
        for (int b = 0; b < 3; ++b) {
            auto v = r.band<std::uint16_t>(b);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < c.size; ++x)
                    v[std::size_t(y) * std::size_t(c.size) + std::size_t(x)] =
                        std::uint16_t(1 + (((r0 + y) * 7 + x * 13 + b * 101 + k * 977) % 4000) +
                                      ((x / 97 + (r0 + y) / 89 + k) % 3) * 900);
        }
        ds.write(r, {}, rb::Window{0, r0, c.size, h});
    }
    ds.close();
}

void gdalwarp(const std::string& in, const std::string& out, const rb::Grid& grid,
              const std::string& resampling) {
    const rb::Bounds b = grid.bounds();
    auto num = [](double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return std::string(buf);
    };
    std::vector<std::string> args = {"-q",
                                     "-of",
                                     "GTiff",
                                     "-r",
                                     resampling,
                                     "-te",
                                     num(b.left),
                                     num(b.bottom),
                                     num(b.right),
                                     num(b.top),
                                     "-ts",
                                     std::to_string(grid.width),
                                     std::to_string(grid.height),
                                     "-co",
                                     "TILED=YES",
                                     "-co",
                                     "COMPRESS=DEFLATE",
                                     "-wo",
                                     "NUM_THREADS=ALL_CPUS",
                                     "-multi"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(argv.data(), nullptr);
    GDALDatasetH src = GDALOpen(in.c_str(), GA_ReadOnly);
    GDALDatasetH dst = GDALWarp(out.c_str(), nullptr, 1, &src, o, nullptr);
    GDALWarpAppOptionsFree(o);
    GDALClose(src);
    if (!dst) {
        std::fprintf(stderr, "gdalwarp failed for %s\n", in.c_str());
        std::exit(1);
    }
    GDALClose(dst);
}

std::string checksum(const std::string& path) {
    GDALDatasetH h = GDALOpen(path.c_str(), GA_ReadOnly);
    std::string s;
    for (int b = 1; b <= GDALGetRasterCount(h); ++b) {
        GDALRasterBandH band = GDALGetRasterBand(h, b);
        s += std::to_string(
                 GDALChecksumImage(band, 0, 0, GDALGetRasterXSize(h), GDALGetRasterYSize(h))) +
             " ";
    }
    GDALClose(h);
    return s;
}

} // namespace

int main(int argc, char** argv) {
    Config c;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc)
            c.size = std::atoi(argv[++i]);
        else if (a == "--scenes" && i + 1 < argc)
            c.scenes = std::atoi(argv[++i]);
        else if (a == "--resampling" && i + 1 < argc)
            c.resampling = argv[++i];
        else if (a[0] != '-')
            c.dir = a;
        else {
            std::fprintf(stderr, "usage: bench_composite_grids [DIR] [--size N] [--scenes N] "
                                 "[--resampling R]\n");
            return 2;
        }
    }
    GDALAllRegister();
    fs::create_directories(c.dir);
    std::vector<rb::SceneSource> scenes;
    auto t0 = Clock::now();
    for (int k = 0; k < c.scenes; ++k) {
        generate(c, k);
        scenes.push_back({{scene_path(c, k)}});
    }
    std::printf("%d scenes of %d x %d x 3 UInt16 on %d grids (generated or reused in %.1f s), "
                "load %.2f\n",
                c.scenes, c.size, c.size, c.scenes, rbbench::seconds_since(t0), rbbench::load1());
    rb::StackGridOptions go;
    go.grid = "union";
    go.resampling = *rb::parse_warp_resampling(c.resampling);
    const rb::Grid grid = rb::stack_grid(scenes, go);
    std::printf("target grid (union): %d x %d\n", grid.width, grid.height);

    // Aligned first with gdalwarp, then composited.
    t0 = Clock::now();
    std::vector<rb::SceneSource> aligned_files;
    for (int k = 0; k < c.scenes; ++k) {
        const std::string out =
            c.dir + "/aligned" + std::to_string(c.size) + "_" + std::to_string(k) + ".tif";
        gdalwarp(scene_path(c, k), out, grid, c.resampling);
        aligned_files.push_back({{out}});
    }
    const double align_s = rbbench::seconds_since(t0);
    const rb::ScoreOptions score = rb::make_score_options("darkness");
    rb::CompositeOutputs a_out, g_out;
    a_out.composite = c.dir + "/composite_aligned.tif";
    g_out.composite = c.dir + "/composite_on_the_fly.tif";
    t0 = Clock::now();
    rb::composite_files(aligned_files, score, {}, a_out);
    const double aligned_s = rbbench::seconds_since(t0);
    t0 = Clock::now();
    {
        const rb::AlignedScenes on_the_fly(scenes, grid, go.resampling);
        rb::composite_files(on_the_fly.scenes(), score, {}, g_out);
    }
    const double fly_s = rbbench::seconds_since(t0);
    const bool same = checksum(a_out.composite) == checksum(g_out.composite);
    std::printf("gdalwarp onto the grid:            %7.2f s\n", align_s);
    std::printf("composite of the aligned files:    %7.2f s\n", aligned_s);
    std::printf("composite warping on the fly:      %7.2f s\n", fly_s);
    std::printf("on the fly / aligned: %.2fx (target <= 1.3); on the fly / (gdalwarp + "
                "composite): %.2fx; identical outputs: %s\n",
                fly_s / aligned_s, fly_s / (align_s + aligned_s), same ? "yes" : "NO");
    return same ? 0 : 1;
}
