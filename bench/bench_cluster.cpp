// bench_cluster: a job folder against `run` in one process, and the planner at scale.
//
//   bench_cluster [DIR] [--size N] [--scenes N] [--plan-scenes N] [--plan-grid N] [--post]
//
// (1) N scenes (default 10) of 3 bands x SIZE^2 (default 2048) UInt16, DEFLATE, 512 tiles,
//     are composited (darkness score, harmonized: a halo across the tiles) by run_recipe in
//     one process, then planned into a job of 4 tiles (tile = SIZE/2; the plan times one
//     tile in a scratch folder) and every task run in this process, one after another, on
//     one thread each (the same as the one-process run). Reports the CPU time of both (the
//     overhead ratio; target <= 1.10), the plan's CPU estimate against the measured total
//     (target within +-25 %) and whether the assembled mosaic holds the same pixels.
//     --post: the scenes share nodata stripes (12 rows every 256, 10 columns every 512) and
//     a UTM CRS, and the recipe goes on after the composite with a fill (max_distance 20, 1
//     smoothing pass: a stage per tile with a halo of 22 px) and a bilinear reprojection to
//     EPSG:4326 (a stage per tile of its own grid): the cost of running those per tile
//     (halos filled twice, tiles written between stages) against `run`, stage by stage.
// (2) Planning PLAN-SCENES (default 10,000) scenes, copies of one Byte PLAN-GRID^2 file
//     (default 800: 2,500 tiles of 16 px), with --no-sample, in a forked child: wall time and
//     peak memory (targets: < 10 s, < 1 GiB). The planner opens every scene (profile and a
//     checksum of its first 64 KiB), as a real plan does.
// DIR defaults to /tmp/rasterbench-bench-cluster (inputs reused when present).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_srs_api.h>

#include "bench_util.h"
#include "rasterbench/job.h"
#include "rasterbench/rasterbench.h"

namespace fs = std::filesystem;
using rbbench::cpu_seconds;

namespace {

void make_scene(const std::string& path, int size, int bands, GDALDataType type, unsigned seed,
                bool gaps = false) {
    if (fs::exists(path))
        return;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    const char* opts[] = {"TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE",
                          nullptr};
    const std::string tmp = path + ".tmp.tif";
    GDALDatasetH ds = GDALCreate(drv, tmp.c_str(), size, size, bands, type, (char**)opts);
    double gt[6] = {500000, 30, 0, 4500000, 0, -30};
    GDALSetGeoTransform(ds, gt);
    if (gaps) {
        // UTM 33N (the reprojection needs a CRS); nodata 0 in stripes every scene shares,
        // so the composite keeps them for the fill.
        OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
        OSRImportFromEPSG(srs, 32633);
        char* wkt = nullptr;
        OSRExportToWkt(srs, &wkt);
        GDALSetProjection(ds, wkt);
        CPLFree(wkt);
        OSRDestroySpatialReference(srs);
    }
    std::vector<std::uint16_t> row(std::size_t(size) * size);
    for (int b = 1; b <= bands; ++b) {
        std::uint32_t h = seed * 2654435761u + std::uint32_t(b);
        for (std::size_t i = 0; i < row.size(); ++i) {
            h ^= h << 13;
            h ^= h >> 17;
            h ^= h << 5;
            row[i] = std::uint16_t(500 + (h % 3000) + (i / std::size_t(size)) % 200);
            const std::size_t y = i / std::size_t(size), x = i % std::size_t(size);
            if (gaps && ((y % 256 >= 100 && y % 256 < 112) || (x % 512 >= 200 && x % 512 < 210)))
                row[i] = 0;
        }
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        if (gaps)
            GDALSetRasterNoDataValue(band, 0);
        if (type == GDT_Byte) {
            std::vector<std::uint8_t> bytes(row.size(), std::uint8_t(seed % 200));
            if (GDALRasterIO(band, GF_Write, 0, 0, size, size, bytes.data(), size, size, GDT_Byte,
                             0, 0) != CE_None)
                throw std::runtime_error("cannot write " + tmp);
        } else {
            if (GDALRasterIO(band, GF_Write, 0, 0, size, size, row.data(), size, size, GDT_UInt16,
                             0, 0) != CE_None)
                throw std::runtime_error("cannot write " + tmp);
        }
    }
    GDALClose(ds);
    fs::rename(tmp, path);
}

std::string checksums(const std::string& path) {
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    std::string s;
    for (int b = 1; b <= GDALGetRasterCount(ds); ++b) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        s += std::to_string(GDALChecksumImage(band, 0, 0, GDALGetRasterBandXSize(band),
                                              GDALGetRasterBandYSize(band))) +
             " ";
    }
    GDALClose(ds);
    return s;
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = "/tmp/rasterbench-bench-cluster";
    int size = 2048, scenes = 10, plan_scenes = 10000, plan_grid = 800;
    bool post = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::stoi(argv[++i]) : 0; };
        if (a == "--size")
            size = next();
        else if (a == "--scenes")
            scenes = next();
        else if (a == "--plan-scenes")
            plan_scenes = next();
        else if (a == "--plan-grid")
            plan_grid = next();
        else if (a == "--post")
            post = true;
        else if (a.rfind("-", 0) == 0) {
            // Not a folder to fill with gigabytes of inputs (`--help` used to be one).
            std::fprintf(stderr,
                         "usage: bench_cluster [DIR] [--size N] [--scenes N] [--plan-scenes N] "
                         "[--plan-grid N] [--post]\n");
            return a == "--help" || a == "-h" ? 0 : 2;
        } else
            dir = a;
    }
    GDALAllRegister();
    fs::create_directories(dir + "/in");
    rb::Recipe recipe = rb::parse_recipe(R"({"format": "rasterbench-recipe", "version": 1,
        "steps": [{"type": "composite", "score": {"method": "darkness"},
                   "params": {"method": "best", "harmonize": true, "harmonize_radius": 7}}],
        "output": {"path": "out.tif"}})");
    if (post) {
        recipe.steps.push_back(rb::make_recipe_step("fill"));
        auto& fill = std::get<rb::FillStep>(recipe.steps.back());
        fill.options.max_distance = 20;
        fill.options.smoothing = 1;
        rb::ReprojectStep warp;
        warp.dst_crs = "EPSG:4326";
        warp.options.resampling = rb::WarpResampling::Bilinear;
        recipe.steps.push_back(warp);
    }
    std::vector<rb::SceneSource> in;
    for (int s = 0; s < scenes; ++s) {
        const std::string p = dir + "/in/scene" + std::to_string(s) + "_" + std::to_string(size) +
                              (post ? "_gaps" : "") + ".tif";
        make_scene(p, size, 3, GDT_UInt16, unsigned(s + 1), post);
        in.push_back(rb::SceneSource{{p}});
    }
    std::printf("(1) %d scenes of 3 x %d^2 UInt16, darkness + harmonize radius 7%s\n", scenes, size,
                post ? ", then fill (max distance 20, 1 smoothing pass) and a bilinear "
                       "reprojection to EPSG:4326"
                     : "");
    rb::RecipeRunOptions ro;
    ro.output = dir + "/single.tif";
    ro.threads = 1;
    double c0 = cpu_seconds(RUSAGE_SELF);
    auto t0 = std::chrono::steady_clock::now();
    rb::run_recipe(recipe, in, ro);
    const double single_cpu = cpu_seconds(RUSAGE_SELF) - c0;
    std::printf("    run, one process, 1 thread: %.2f CPU-s (%.2f s)\n", single_cpu,
                rbbench::seconds_since(t0));
    double run_post_cpu = 0;
    if (post) {
        // The steps after the composite alone, as `run` runs them: on the composite.
        rb::Recipe head = recipe, tail = recipe;
        head.steps.resize(1);
        tail.steps.erase(tail.steps.begin());
        rb::RecipeRunOptions hro = ro;
        hro.output = dir + "/single-composite.tif";
        rb::run_recipe(head, in, hro);
        rb::RecipeRunOptions tro = ro;
        tro.output = dir + "/single-post.tif";
        c0 = cpu_seconds(RUSAGE_SELF);
        rb::run_recipe(tail, {rb::SceneSource{{hro.output}}}, tro);
        run_post_cpu = cpu_seconds(RUSAGE_SELF) - c0;
        std::printf("    of which the steps after the composite (run alone on its output): "
                    "%.2f CPU-s\n",
                    run_post_cpu);
    }

    fs::remove_all(dir + "/job");
    rb::JobPlanOptions po;
    po.tile_size = size / 2;
    po.output = dir + "/mosaic.tif";
    c0 = cpu_seconds(RUSAGE_SELF);
    t0 = std::chrono::steady_clock::now();
    rb::Job job = rb::plan_job(recipe, in, dir + "/job", po);
    std::printf("    plan (sampling one tile): %.2f CPU-s (%.2f s)\n",
                cpu_seconds(RUSAGE_SELF) - c0, rbbench::seconds_since(t0));
    double estimate = 0;
    for (const auto& s : rb::job_status(job))
        estimate += s.estimate;
    c0 = cpu_seconds(RUSAGE_SELF);
    t0 = std::chrono::steady_clock::now();
    double assemble_cpu = 0;
    std::string per_stage;
    double post_cpu = 0; // the stages after the composite
    for (const auto& st : job.stages) {
        const double st0 = cpu_seconds(RUSAGE_SELF);
        for (std::size_t i = 0; i < st.tasks.size(); ++i) {
            const double s0 = cpu_seconds(RUSAGE_SELF);
            rb::run_job_task(job.dir, st.name, int(i), 1);
            if (st.name == "assemble")
                assemble_cpu += cpu_seconds(RUSAGE_SELF) - s0;
        }
        char line[160];
        std::snprintf(line, sizeof line, "%s%s %.2f (%zu task%s)", per_stage.empty() ? "" : ", ",
                      st.name.c_str(), cpu_seconds(RUSAGE_SELF) - st0, st.tasks.size(),
                      st.tasks.size() == 1 ? "" : "s");
        per_stage += line;
        if (!st.kind.empty())
            post_cpu += cpu_seconds(RUSAGE_SELF) - st0;
    }
    const double job_cpu = cpu_seconds(RUSAGE_SELF) - c0;
    std::printf("    job, %zu tiles + assemble (COG), in process, 1 thread: %.2f CPU-s (%.2f s)\n",
                job.stage("tiles").tasks.size(), job_cpu, rbbench::seconds_since(t0));
    std::printf("    CPU-s per stage: %s\n", per_stage.c_str());
    std::printf("    overhead: %.3f x the one-process CPU time (target <= 1.10)\n",
                job_cpu / single_cpu);
    if (post)
        std::printf("    the steps after the composite: stages %.2f CPU-s vs run %.2f CPU-s: "
                    "%.3f x\n",
                    post_cpu, run_post_cpu, post_cpu / run_post_cpu);
    // `run` writes a plain tiled GeoTIFF; the job's COG also computes and compresses
    // overviews. The same job assembled as a tiled GeoTIFF is the like-for-like comparison.
    c0 = cpu_seconds(RUSAGE_SELF);
    rb::assemble_job(job, dir + "/mosaic-gtiff.tif", "GTiff", 1);
    const double gtiff_cpu = cpu_seconds(RUSAGE_SELF) - c0;
    std::printf("    assemble: COG with overviews %.2f CPU-s, tiled GeoTIFF %.2f CPU-s; job with "
                "the GeoTIFF: %.3f x the one-process CPU time\n",
                assemble_cpu, gtiff_cpu, (job_cpu - assemble_cpu + gtiff_cpu) / single_cpu);
    std::printf("    plan's estimate %.2f CPU-s vs measured %.2f: %+.1f %% (target +-25 %%)\n",
                estimate, job_cpu, 100 * (estimate - job_cpu) / job_cpu);
    std::printf("    same pixels as run: %s\n",
                checksums(dir + "/single.tif") == checksums(dir + "/mosaic.tif") ? "yes" : "NO");

    std::printf("(2) planning %d scenes of %d^2 into tiles of 16 px, --no-sample\n", plan_scenes,
                plan_grid);
    const std::string tmpl = dir + "/in/plan_" + std::to_string(plan_grid) + ".tif";
    make_scene(tmpl, plan_grid, 1, GDT_Byte, 7);
    fs::create_directories(dir + "/plan-in");
    std::vector<rb::SceneSource> many;
    for (int s = 0; s < plan_scenes; ++s) {
        const std::string p = dir + "/plan-in/s" + std::to_string(s) + ".tif";
        if (!fs::exists(p))
            fs::copy_file(tmpl, p);
        many.push_back(rb::SceneSource{{p}});
    }
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        rb::JobPlanOptions o;
        o.tile_size = 16;
        o.sample = false;
        rb::Recipe r = recipe;
        r.output.stream.block_size = 16;
        r.output.stream.tile_size = 16;
        fs::remove_all(dir + "/plan-job");
        const auto t = std::chrono::steady_clock::now();
        const rb::Job j = rb::plan_job(r, many, dir + "/plan-job", o);
        std::printf("    %zu tiles planned in %.2f s (target < 10 s); job.json %.1f MiB\n",
                    j.stage("tiles").tasks.size(), rbbench::seconds_since(t),
                    double(fs::file_size(dir + "/plan-job/job.json")) / (1 << 20));
        std::fflush(stdout);
        _exit(0);
    }
    int status = 0;
    rusage u{};
    wait4(pid, &status, 0, &u);
    std::printf("    peak memory %.0f MiB (target < 1024 MiB), CPU %.2f s (the wall time above "
                "includes waiting for the cores on a loaded machine)\n",
                double(u.ru_maxrss) / 1024,
                double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                    1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec));
    return 0;
}
