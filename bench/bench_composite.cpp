// bench_composite: best-pixel composite of 10 scenes x 3 bands x 8000x8000 UInt16 tiled
// GeoTIFFs, against the time GDAL takes just to read the same inputs, in the same run.
//
//   bench_composite [DIR] [--size N] [--scenes N] [--threads N] [--score METHOD]
//                   [--repeat N] [--compression DEFLATE|ZSTD|...] [--outputs composite|all|both]
//
// DIR (default /tmp/rasterbench-bench) receives the generated inputs (DEFLATE, 512x512
// tiles; about 2.4 GB on disk, 3.8 GB of pixels) and the outputs (about 0.3 GB); inputs are
// reused when they are already there. Generation takes about 80 s on the 2-core machine;
// on it, idle, the GDAL read takes about 3.6 s (7.2 CPU-s). --size 2000 gives a 10 s smoke
// run.
//
// Method: each phase runs in a forked child so that its peak resident memory
// (wait4()'s ru_maxrss) is its own: (1) generate missing inputs, (2) read every block of
// every band of every scene with GDAL (GDALDatasetRasterIO on 512x512 windows, one dataset
// handle per thread, the same thread count as the composite), (3) composite_files() with
// the darkness score, writing tiled GeoTIFFs (the output sets below). All
// phases run with GDAL_CACHEMAX=256 MB so GDAL's block cache is bounded the same way.
// Targets: composite time <= 1.2 x read time (issue 14); composite peak memory <= 1 GiB.
// The machine is shared, so timings are noisy: --repeat N runs the read and composite
// phases alternately N times (each pair back to back, so both see similar load) and
// reports the min and median of each and of the per-pair ratio, plus the load average.
// It also reports the ratio of CPU time (user + system of each phase's process): on a
// loaded machine the wall-clock ratio flatters the composite, whose process runs GDAL's
// compression threads besides TBB's and so gets a larger share of the contended cores.
// --compression picks the outputs' codec (default: composite_files()' default, ZSTD;
// level 1 either way, PREDICTOR=2 for integers). Each run times two output sets: the
// composite and its winning-scene index (the CLI's -o and --index: what the target is
// judged on), and all four outputs (adding the optional score and count diagnostics);
// --outputs composite|all|both picks.
#include <gdal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"

namespace {

struct Config {
    std::string dir = "/tmp/rasterbench-bench";
    int size = 8000;
    int scenes = 10;
    int threads = 0;
    std::string score = "darkness";
    int repeat = 1;
    std::string compression = rb::StreamOptions{}.compression; // composite_files' default
    // Output sets timed: the composite and its winning-scene index (the target's job), and
    // all four outputs (plus the optional score and count diagnostics).
    std::vector<bool> output_sets = {false, true}; // all outputs?
};

std::string scene_path(const Config& c, int i) {
    return c.dir + "/scene_" + std::to_string(c.size) + "_" + std::to_string(i) + ".tif";
}

// Cheap deterministic texture: smooth terrain, pixel noise, and per-date clouds (bright),
// shadows (dark) and a gain, so the composite does real work on every pixel.
std::uint32_t hash(std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352d;
    x ^= x >> 15;
    x *= 0x846ca68b;
    x ^= x >> 16;
    return x;
}

void generate(const Config& c, int i) {
    rb::Profile p;
    p.width = p.height = c.size;
    p.count = 3;
    p.dtype = rb::DataType::UInt16;
    p.tiled = true;
    p.block_width = p.block_height = 512;
    p.compression = "DEFLATE";
    p.crs = rb::Crs::from_epsg(32613);
    p.transform = rb::Affine{30, 0, 300000, 0, -30, 4500000};
    p.has_transform = true;
    p.set_nodata(0);
    rb::Dataset ds = rb::Dataset::create(scene_path(c, i), p);
    const double phase = 1.7 * i, gain = 1 + 0.03 * std::sin(3.1 * i);
    for (int y0 = 0; y0 < c.size; y0 += 512)
        for (int x0 = 0; x0 < c.size; x0 += 512) {
            const int w = std::min(512, c.size - x0), h = std::min(512, c.size - y0);
            rb::Raster r(rb::DataType::UInt16, 3, h, w);
            for (int b = 0; b < 3; ++b) {
                auto d = r.band<std::uint16_t>(b);
                for (int y = 0; y < h; ++y)
                    for (int x = 0; x < w; ++x) {
                        const int X = x0 + x, Y = y0 + y;
                        const double terrain =
                            1500 + 700 * std::sin(X / 97.0) * std::cos(Y / 131.0) + 300 * b;
                        const double cl = std::sin(X / 410.0 + phase) * std::sin(Y / 370.0 - phase);
                        const double sh =
                            std::sin((X - 40) / 410.0 + phase) * std::sin((Y - 30) / 370.0 - phase);
                        double v = gain * terrain +
                                   double(hash(std::uint32_t(X * 7919 + Y * 104729 + b)) % 64);
                        if (cl > 0.55)
                            v = 6000 + 2000 * (cl - 0.55);
                        else if (sh > 0.55)
                            v *= 0.35;
                        d[std::size_t(y) * std::size_t(w) + std::size_t(x)] =
                            std::uint16_t(std::clamp(v, 1.0, 65535.0));
                    }
            }
            ds.write(r, {}, rb::Window{x0, y0, w, h});
        }
    ds.close();
}

bool have_inputs(const Config& c) {
    for (int i = 0; i < c.scenes; ++i) {
        try {
            const rb::Profile p = rb::read_profile(scene_path(c, i));
            if (p.width != c.size || p.height != c.size || p.count != 3)
                return false;
        } catch (const rb::Error&) {
            return false;
        }
    }
    return true;
}

void read_all(const Config& c) {
    GDALAllRegister();
    const int n = c.size;
    std::vector<std::pair<int, int>> blocks;
    for (int y = 0; y < n; y += 512)
        for (int x = 0; x < n; x += 512)
            blocks.emplace_back(x, y);
    // One set of handles per thread (a GDAL dataset is single-threaded), opened once.
    tbb::enumerable_thread_specific<std::vector<GDALDatasetH>> handles([&] {
        std::vector<GDALDatasetH> v;
        for (int i = 0; i < c.scenes; ++i)
            v.push_back(GDALOpen(scene_path(c, i).c_str(), GA_ReadOnly));
        return v;
    });
    tbb::task_arena arena(c.threads > 0 ? c.threads : tbb::task_arena::automatic);
    arena.execute([&] {
        tbb::parallel_for(std::size_t(0), blocks.size(), [&](std::size_t k) {
            std::vector<std::uint16_t> buf(512 * 512 * 3);
            const auto [x, y] = blocks[k];
            const int w = std::min(512, n - x), h = std::min(512, n - y);
            for (GDALDatasetH ds : handles.local())
                if (!ds || GDALDatasetRasterIO(ds, GF_Read, x, y, w, h, buf.data(), w, h,
                                               GDT_UInt16, 3, nullptr, 0, 0, 0) != CE_None) {
                    std::fprintf(stderr, "read failed\n");
                    std::exit(1);
                }
        });
    });
    for (auto& v : handles)
        for (GDALDatasetH ds : v)
            GDALClose(ds);
}

// Issue 14's target for the composite and its index: at most 1.2 times GDAL's read of the
// same inputs (an earlier issue asked for 1.5).
constexpr double kTargetRatio = 1.2;

void composite_all(const Config& c, bool all_outputs) {
    std::vector<rb::SceneSource> scenes;
    for (int i = 0; i < c.scenes; ++i)
        scenes.push_back({{scene_path(c, i)}});
    rb::CompositeOutputs out;
    out.composite = c.dir + "/out_composite.tif";
    out.index = c.dir + "/out_index.tif";
    if (all_outputs) {
        out.score = c.dir + "/out_score.tif";
        out.count = c.dir + "/out_count.tif";
    }
    rb::StreamOptions st;
    st.threads = c.threads;
    st.compression = c.compression;
    rb::composite_files(scenes, rb::make_score_options(c.score), {}, out, st);
}

struct Phase {
    double seconds = 0;
    double peak_mib = 0;
    double cpu_seconds = 0; // user + system, all threads: less sensitive to other load
};

template <class F> Phase in_child(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        try {
            f();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            _exit(1);
        }
        _exit(0);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    const auto t1 = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "phase failed\n");
        std::exit(1);
    }
    auto secs = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
    return {std::chrono::duration<double>(t1 - t0).count(), double(ru.ru_maxrss) / 1024.0,
            secs(ru.ru_utime) + secs(ru.ru_stime)};
}

} // namespace

int main(int argc, char** argv) {
    Config c;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--size")
            c.size = std::atoi(next().c_str());
        else if (a == "--scenes")
            c.scenes = std::atoi(next().c_str());
        else if (a == "--threads")
            c.threads = std::atoi(next().c_str());
        else if (a == "--score")
            c.score = next();
        else if (a == "--repeat")
            c.repeat = std::max(1, std::atoi(next().c_str()));
        else if (a == "--compression")
            c.compression = next();
        else if (a == "--outputs") {
            const std::string v = next();
            if (v == "all")
                c.output_sets = {true};
            else if (v == "composite")
                c.output_sets = {false};
            else if (v == "both")
                c.output_sets = {false, true};
            else {
                std::fprintf(stderr, "--outputs: composite, all or both, not %s\n", v.c_str());
                return 2;
            }
        } else if (a == "--help" || a == "-h") {
            std::printf("usage: bench_composite [DIR] [--size N] [--scenes N] [--threads N] "
                        "[--score METHOD] [--repeat N] [--compression NAME] [--outputs "
                        "composite|all|both]\n");
            return 0;
        } else
            c.dir = a;
    }
    setenv("GDAL_CACHEMAX", "256", 1);
    std::filesystem::create_directories(c.dir);
    std::printf("bench_composite: %d scenes x 3 bands x %dx%d UInt16 in %s\n", c.scenes, c.size,
                c.size, c.dir.c_str());
    if (!have_inputs(c)) {
        const Phase g = in_child([&] {
            tbb::task_arena arena(c.threads > 0 ? c.threads : tbb::task_arena::automatic);
            arena.execute([&] { tbb::parallel_for(0, c.scenes, [&](int i) { generate(c, i); }); });
        });
        std::printf("generated inputs in %.1f s\n", g.seconds);
    }
    struct Series {
        std::vector<double> secs, ratios, cpu_ratios, mib;
    };
    std::vector<double> read_s, read_mib;
    std::vector<Series> comp(c.output_sets.size());
    auto set_name = [](bool all) {
        return all ? "composite+index+score+count" : "composite+index";
    };
    double load_before[3] = {0, 0, 0}, load_after[3] = {0, 0, 0};
    getloadavg(load_before, 3);
    for (int r = 0; r < c.repeat; ++r) {
        const Phase read = in_child([&] { read_all(c); });
        std::printf("run %d: GDAL read %7.2f s (cpu %7.2f s, peak %6.1f MiB)\n", r + 1,
                    read.seconds, read.cpu_seconds, read.peak_mib);
        read_s.push_back(read.seconds);
        read_mib.push_back(read.peak_mib);
        for (std::size_t k = 0; k < c.output_sets.size(); ++k) {
            const bool all = c.output_sets[k];
            const Phase ph = in_child([&] { composite_all(c, all); });
            std::printf("       composite (%s, best, %s, %s) %7.2f s (cpu %7.2f s, peak %6.1f "
                        "MiB)   ratio %.2f (cpu %.2f)\n",
                        c.score.c_str(), c.compression.c_str(), set_name(all), ph.seconds,
                        ph.cpu_seconds, ph.peak_mib, ph.seconds / read.seconds,
                        ph.cpu_seconds / read.cpu_seconds);
            comp[k].secs.push_back(ph.seconds);
            comp[k].ratios.push_back(ph.seconds / read.seconds);
            comp[k].cpu_ratios.push_back(ph.cpu_seconds / read.cpu_seconds);
            comp[k].mib.push_back(ph.peak_mib);
        }
        std::fflush(stdout);
    }
    getloadavg(load_after, 3);
    using rbbench::min_of;
    const auto median_of = rbbench::median;
    std::printf("GDAL read of all inputs:   min %8.2f s  median %8.2f s   peak RSS %7.1f MiB\n",
                min_of(read_s), median_of(read_s), median_of(read_mib));
    double peak = 0;
    for (std::size_t k = 0; k < c.output_sets.size(); ++k) {
        const Series& sr = comp[k];
        const bool all = c.output_sets[k];
        const double ratio = median_of(sr.ratios);
        peak = std::max(peak, *std::max_element(sr.mib.begin(), sr.mib.end()));
        std::printf("composite (%s, %s, %s): min %.2f s median %.2f s; ratio composite/read: "
                    "median %.2f, min %.2f (cpu median %.2f)%s\n",
                    c.score.c_str(), c.compression.c_str(), set_name(all), min_of(sr.secs),
                    median_of(sr.secs), ratio, min_of(sr.ratios), median_of(sr.cpu_ratios),
                    all ? " (with the optional diagnostics; no target)"
                        : (ratio <= kTargetRatio ? " (target <= 1.2, issue 14) OK"
                                                 : " (target <= 1.2, issue 14) MISSED"));
    }
    std::printf("peak memory: %.1f MiB (target <= 1024) %s\n", peak,
                peak <= 1024 ? "OK" : "MISSED");
    std::printf("load average (1/5/15 min): before %.2f %.2f %.2f, after %.2f %.2f %.2f on %ld "
                "cores\n",
                load_before[0], load_before[1], load_before[2], load_after[0], load_after[1],
                load_after[2], sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}
