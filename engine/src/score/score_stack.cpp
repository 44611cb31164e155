// Scoring every scene of a stack in parallel, with the stack's statistics when the method
// uses them, and optionally the per-scene planes a rescoring reuses.
#include <tbb/parallel_for.h>

#include <mutex>

#include "rasterbench/score.h"
#include "running_best.h"
#include "score_stack_into.h"

namespace rb {

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                Progress progress) {
    StackStats stats;
    const StackStatsNeeds needs = scorer.stack_needs();
    if (needs.any())
        stats = stack_statistics(scenes, needs);
    return score_stack(scenes, scorer, needs.any() ? &stats : nullptr, std::move(progress));
}

namespace {

void score_stack_impl(std::span<const Raster> scenes, const Scorer& scorer, const StackStats* stats,
                      std::vector<ScorePlanes>* planes, std::vector<Raster>& out, Progress progress,
                      detail::StackWinners* winners = nullptr) {
    if (winners)
        winners->made = false; // by the strips alone
    const StackStatsNeeds needs = scorer.stack_needs();
    if (scorer.requires_stack() && !stats)
        throw ArgumentError("score_stack: the score needs the stack's statistics");
    if (stats && ((needs.median && stats->median.empty()) || (needs.mean && stats->mean.empty()) ||
                  (needs.min && stats->min.empty()) || (needs.max && stats->max.empty()) ||
                  (needs.background && stats->background.empty())))
        throw ArgumentError("score_stack: the given stack statistics lack one the score needs");
    if (planes && scorer.score_strips_reusing(scenes, stats, *planes, out, progress, winners))
        return;
    out.resize(scenes.size());
    std::mutex m;
    std::size_t done = 0;
    tbb::parallel_for(std::size_t(0), scenes.size(), [&](std::size_t i) {
        if (planes)
            scorer.score_reusing(scenes[i], needs.any() ? stats : nullptr, (*planes)[i], out[i],
                                 int(i));
        else
            out[i] = scorer.score(scenes[i], needs.any() ? stats : nullptr, int(i));
        std::lock_guard lock(m);
        progress.report(double(++done) / double(scenes.size()));
    });
}

} // namespace

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, Progress progress) {
    std::vector<Raster> out;
    score_stack_impl(scenes, scorer, stats, nullptr, out, std::move(progress));
    return out;
}

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, std::vector<ScorePlanes>& planes,
                                Progress progress) {
    planes.resize(scenes.size());
    std::vector<Raster> out;
    score_stack_impl(scenes, scorer, stats, &planes, out, std::move(progress));
    return out;
}

void detail::score_stack_into(std::span<const Raster> scenes, const Scorer& scorer,
                              const StackStats* stats, std::vector<ScorePlanes>& planes,
                              std::vector<Raster>& out, Progress progress, StackWinners* winners) {
    planes.resize(scenes.size());
    score_stack_impl(scenes, scorer, stats, &planes, out, std::move(progress), winners);
}

} // namespace rb
