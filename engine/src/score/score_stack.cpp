// Scoring every scene of a stack in parallel, with the stack's statistics when the method
// uses them, and optionally the per-scene planes a rescoring reuses.
#include <tbb/parallel_for.h>

#include <mutex>

#include "rasterbench/score.h"

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

std::vector<Raster> score_stack_impl(std::span<const Raster> scenes, const Scorer& scorer,
                                     const StackStats* stats, std::vector<ScorePlanes>* planes,
                                     Progress progress) {
    const StackStatsNeeds needs = scorer.stack_needs();
    if (scorer.requires_stack() && !stats)
        throw ArgumentError("score_stack: the score needs the stack's statistics");
    if (stats && ((needs.median && stats->median.empty()) || (needs.mean && stats->mean.empty()) ||
                  (needs.min && stats->min.empty()) || (needs.max && stats->max.empty()) ||
                  (needs.background && stats->background.empty())))
        throw ArgumentError("score_stack: the given stack statistics lack one the score needs");
    std::vector<Raster> out(scenes.size());
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
    return out;
}

} // namespace

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, Progress progress) {
    return score_stack_impl(scenes, scorer, stats, nullptr, std::move(progress));
}

std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, std::vector<ScorePlanes>& planes,
                                Progress progress) {
    planes.resize(scenes.size());
    return score_stack_impl(scenes, scorer, stats, &planes, std::move(progress));
}

} // namespace rb
