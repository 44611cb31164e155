// bench_score_preview: the engine work behind the Score panel's live viewport preview, i.e.
// what one parameter change costs once the viewport's pixels are in memory: rescore every
// scene (the stack's statistics are computed once per view and reused) and recomposite
// with the first- and last-ranked images, as the workbench asks for them.
//
//   bench_score_preview DIR [--repeat N] [--size N] [--methods a,b,c]
//
// DIR holds the scenes (`*_sr.tif`, each with an optional `*_fmask.tif` quality file
// stacked after its bands, as the workbench does): for example the 12-date Landsat 5/7
// stack of the test data enlarged to 1200 x 1200 px (1.44 MP) by
// scripts/make-score-bench-data.sh. --size N reads only the
// top-left N x N window. Baseline in the same run: the time GDAL takes to read the same
// window of every scene (what a preview without cached reads would pay before any
// scoring). Target: parameter change -> overlay <= 100 ms for a 1-2 MP viewport
// on the 2-core development machine; the overlay also needs a render (a few ms). The
// workbench shows a coarse first preview (every other pixel) when the full viewport takes
// longer than 60 ms, then the full viewport: both are timed here.
#include <gdal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "rasterbench/composite.h"
#include "rasterbench/score.h"

namespace {

using rbbench::median;
using rbbench::ms_since;

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t a = 0;
    while (a <= s.size()) {
        const std::size_t b = std::min(s.find(',', a), s.size());
        if (b > a)
            out.push_back(s.substr(a, b - a));
        a = b + 1;
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_score_preview DIR [--repeat N] [--size N] "
                             "[--methods a,b,c]\n");
        return 2;
    }
    const std::string dir = argv[1];
    int repeat = 7, size = 0;
    std::vector<std::string> methods = {"mask", "darkness", "median-distance", "cloud"};
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--size" && i + 1 < argc)
            size = std::atoi(argv[++i]);
        else if (a == "--methods" && i + 1 < argc)
            methods = split(argv[++i]);
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    GDALAllRegister();
    std::vector<rb::SceneSource> sources;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string p = e.path().string();
        if (p.size() < 7 || p.compare(p.size() - 7, 7, "_sr.tif") != 0)
            continue;
        rb::SceneSource s;
        s.files.push_back(p);
        const std::string qa = p.substr(0, p.size() - 7) + "_fmask.tif";
        if (std::filesystem::exists(qa))
            s.files.push_back(qa);
        sources.push_back(s);
    }
    std::sort(sources.begin(), sources.end(),
              [](const auto& a, const auto& b) { return a.files < b.files; });
    if (sources.empty()) {
        std::fprintf(stderr, "no *_sr.tif in %s\n", dir.c_str());
        return 1;
    }
    try {
        const rb::SceneReader first(sources.front());
        const rb::BandLayout layout = first.layout();
        const auto& pr = first.profile();
        const rb::Window win{0, 0, size > 0 ? std::min<std::int64_t>(size, pr.width) : pr.width,
                             size > 0 ? std::min<std::int64_t>(size, pr.height) : pr.height};

        // Baseline: GDAL reads the window of every file.
        auto t0 = std::chrono::steady_clock::now();
        for (const auto& s : sources)
            for (const auto& f : s.files) {
                GDALDatasetH h = GDALOpen(f.c_str(), GA_ReadOnly);
                if (!h)
                    throw rb::IoError("cannot open " + f);
                const int nb = GDALGetRasterCount(h);
                std::vector<std::uint16_t> buf(std::size_t(win.width * win.height) *
                                               std::size_t(nb));
                if (GDALDatasetRasterIO(h, GF_Read, 0, 0, int(win.width), int(win.height),
                                        buf.data(), int(win.width), int(win.height), GDT_UInt16, nb,
                                        nullptr, 0, 0, 0) != CE_None)
                    throw rb::IoError("cannot read " + f);
                GDALClose(h);
            }
        const double gdal_read = ms_since(t0);

        t0 = std::chrono::steady_clock::now();
        std::vector<rb::Raster> scenes;
        for (const auto& s : sources)
            scenes.push_back(rb::SceneReader(s).read(win));
        const double our_read = ms_since(t0);
        std::printf("bench_score_preview: %zu scenes x %d bands, %lld x %lld px (%.2f MP)\n",
                    scenes.size(), layout.count, (long long)win.width, (long long)win.height,
                    double(win.width * win.height) / 1e6);
        std::printf("baseline: GDAL reads the window of every file: %.1f ms (rasterbench's read "
                    "%.1f ms); paid once per view, not per parameter change\n",
                    gdal_read, our_read);

        rb::CompositeOptions co;
        for (int b = 0; b < first.primary_bands(); ++b)
            co.bands.push_back(b);
        co.best_ranks = {1};
        co.worst_ranks = {1};
        for (const std::string& method : methods) {
            rb::ScoreOptions so = rb::make_score_options(method);
            const rb::Scorer scorer(so, layout);
            const rb::StackStatsNeeds needs = scorer.stack_needs();
            t0 = std::chrono::steady_clock::now();
            const rb::StackStats stats =
                needs.any() ? rb::stack_statistics(scenes, needs) : rb::StackStats{};
            const double stats_ms = ms_since(t0);
            std::vector<double> score_ms, comp_ms, total_ms, coarse_ms;
            // The coarse stack and statistics are made once per view, like the full ones.
            t0 = std::chrono::steady_clock::now();
            std::vector<rb::Raster> small;
            for (const auto& s : scenes)
                small.push_back(rb::subsample(s, 2));
            std::optional<rb::StackStats> small_stats;
            if (needs.any())
                small_stats = rb::subsample(stats, 2);
            const double small_ms = ms_since(t0);
            for (int r = 0; r < repeat; ++r) {
                // A parameter change: the penalty distance alternates (every method has it).
                rb::set_score_param(so, "invalid_distance", r % 2 ? "1" : "2");
                const rb::Scorer changed(so, layout);
                t0 = std::chrono::steady_clock::now();
                const auto scores =
                    rb::score_stack(scenes, changed, needs.any() ? &stats : nullptr);
                score_ms.push_back(ms_since(t0));
                const auto t1 = std::chrono::steady_clock::now();
                const rb::CompositeResult c = rb::composite(scenes, scores, co);
                comp_ms.push_back(ms_since(t1));
                total_ms.push_back(ms_since(t0));
                // The workbench's coarse first preview: every other pixel of the cached
                // reads and statistics, scored and composited.
                const auto t2 = std::chrono::steady_clock::now();
                const auto small_scores =
                    rb::score_stack(small, changed, small_stats ? &*small_stats : nullptr);
                const rb::CompositeResult sc = rb::composite(small, small_scores, co);
                coarse_ms.push_back(ms_since(t2));
            }
            std::printf("%-16s once per view: statistics %5.1f ms, coarse stack %5.1f ms | per "
                        "change: full "
                        "viewport: score %6.1f + composite %6.1f = %6.1f ms median (min %.1f); "
                        "coarse first preview %5.1f ms median -> %s the 100 ms target\n",
                        method.c_str(), stats_ms, small_ms, median(score_ms), median(comp_ms),
                        median(total_ms), *std::min_element(total_ms.begin(), total_ms.end()),
                        median(coarse_ms),
                        median(coarse_ms) <= 100 ? "first image within" : "first image OVER");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_score_preview: %s\n", e.what());
        return 1;
    }
    return 0;
}
