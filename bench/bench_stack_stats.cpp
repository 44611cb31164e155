// bench_stack_stats: the stack statistics of a view, which a method change or a new view
// (a pan) of the Score panel waits for before its full-resolution image: for the cloud
// method the clear background and its refinement in space (rb::stack_statistics with the
// needs of rb::Scorer::stack_needs()), on the scenes as the viewport pipeline reads them.
//
//   bench_stack_stats DIR [--repeat N] [--size N] [--method NAME]
//
// DIR as for bench_score_preview (scripts/make-score-bench-data.sh makes /tmp/score-bench:
// 12 Landsat scenes of 1200 x 1200 px). --size N takes the top-left N x N window; --method
// another method with stack statistics (median-distance).
//
// Baseline in the same run: GDAL's read of the same window of every file. The issue names
// no target for this time; the ratio says how many reads of the view an analyst waits.
// Printed too: a digest of the statistics (a change meant to keep every number must keep
// it) and, where the scenes carry Fmask (a qa band of Fmask classes, as the bench data
// does), the share of the view's composite taken from a date Fmask calls cloud, shadow or
// fill: what a change that moves the numbers must not make worse.
#include <gdal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_gdal_read.h"
#include "bench_scene_dir.h"
#include "bench_util.h"
#include "rasterbench/composite.h"
#include "rasterbench/interactive.h"
#include "rasterbench/score.h"

int main(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_stack_stats DIR [--repeat N] [--size N] "
                             "[--method NAME]\n");
        return 2;
    }
    const std::string dir = argv[1];
    int repeat = 5;
    long long size = 0;
    std::string method = "cloud";
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--size" && i + 1 < argc)
            size = std::atoll(argv[++i]);
        else if (a == "--method" && i + 1 < argc)
            method = argv[++i];
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    rb::keep_freed_memory(); // as the workbench does
    GDALAllRegister();
    const std::vector<rb::SceneSource> sources = rbbench::score_bench_scenes(dir);
    if (sources.empty()) {
        std::fprintf(stderr, "bench_stack_stats: no *_sr.tif in %s\n", dir.c_str());
        return 1;
    }
    try {
        const rb::SceneReader first(sources.front());
        const auto& pr = first.profile();
        const rb::Window win{0, 0, size > 0 ? std::min<std::int64_t>(size, pr.width) : pr.width,
                             size > 0 ? std::min<std::int64_t>(size, pr.height) : pr.height};
        std::vector<std::string> files;
        for (const auto& s : sources)
            files.insert(files.end(), s.files.begin(), s.files.end());
        const double gdal = rbbench::gdal_read_best_ms(files, win);
        std::vector<rb::Raster> scenes;
        for (const auto& s : sources)
            scenes.push_back(rb::SceneReader(s).read(win, int(win.height), int(win.width)));
        const rb::Scorer scorer(rb::make_score_options(method), first.layout());
        const rb::StackStatsNeeds needs = scorer.stack_needs();
        if (!needs.any()) {
            std::fprintf(stderr, "bench_stack_stats: method %s needs no stack statistics\n",
                         method.c_str());
            return 2;
        }
        std::vector<double> ms;
        std::uint64_t digest = 0;
        rb::StackStats st;
        for (int r = 0; r < repeat; ++r) {
            const auto t0 = Clock::now();
            st = rb::stack_statistics(scenes, needs);
            ms.push_back(rbbench::ms_since(t0));
            // FNV-1a of the statistics' planes: a change meant to keep every number (a
            // faster loop) must keep it.
            digest = 1469598103934665603ull;
            for (const auto* plane : {&st.background, &st.median, &st.mean})
                for (const float f : *plane) {
                    std::uint32_t u;
                    std::memcpy(&u, &f, sizeof u);
                    digest = (digest ^ u) * 1099511628211ull;
                }
        }
        const double med = rbbench::median(ms);
        std::printf("bench_stack_stats: %zu scenes x %d bands, %lld x %lld px, method %s, load "
                    "%.2f\n",
                    scenes.size(), scenes.front().bands(), (long long)win.width,
                    (long long)win.height, method.c_str(), rbbench::load1());
        std::printf("stack statistics: median %.1f ms (best %.1f) of %d; GDAL's read of the "
                    "window %.1f ms; ratio %.2fx\n",
                    med, rbbench::min_of(ms), repeat, gdal, med / gdal);
        std::printf("digest of the statistics: %016llx\n", (unsigned long long)digest);
        const int qa = first.layout().qa_band;
        if (qa >= 0 && scenes.front().dtype() == rb::DataType::Int16) {
            const rb::CompositeResult c =
                rb::composite(scenes, rb::score_stack(scenes, scorer, &st), {});
            const auto idx = c.index.band<std::uint16_t>(0);
            std::size_t valid = 0, flagged = 0;
            for (std::size_t p = 0; p < idx.size(); ++p) {
                if (!c.index.valid(0, int(p / std::size_t(c.index.cols())),
                                   int(p % std::size_t(c.index.cols()))))
                    continue;
                ++valid;
                const int cls = int(scenes[idx[p]].band<std::int16_t>(qa)[p]);
                flagged += cls == 2 || cls == 4 || cls == 255; // Fmask: shadow, cloud, fill
            }
            std::printf("%s composite: %.3f %% of %zu px from dates Fmask flags there\n",
                        method.c_str(),
                        100.0 * double(flagged) / double(std::max<std::size_t>(1, valid)), valid);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_stack_stats: %s\n", e.what());
        return 1;
    }
    return 0;
}
