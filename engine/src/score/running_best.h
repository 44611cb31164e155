#pragma once
// The best-pixel composite's inner loop (engine-internal): for one row of pixels, which of the
// stack's scores wins each column, how many are candidates, and (optionally) which ranks last.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace rb::detail {

/// The lowest score a candidate may have under CompositeOptions::min_score, as a float of at
/// least -FLT_MAX: invalid scores (kInvalidScore, -infinity) never pass, even under a
/// threshold below every float (or no threshold: -infinity, or NaN).
inline float candidate_floor(double min_score) {
    constexpr float lowest = std::numeric_limits<float>::lowest();
    return min_score > double(lowest) ? float(min_score) : lowest;
}

/// One row of every scene, in tie order: the first scene with the strictly highest score wins,
/// the last with the lowest ranks last.
struct RunningBestRow {
    const float* const* scores = nullptr; ///< n score rows
    const std::int32_t* scene = nullptr;  ///< the scene index of each row
    /// Row k's sample at column c is a candidate when its score is >= min_score (NaN is not)
    /// and masks[m][c] != 0 for every m in [mask_begin[k], mask_begin[k + 1]).
    const std::uint8_t* const* masks = nullptr;
    const std::size_t* mask_begin = nullptr; ///< n + 1 offsets into masks
    std::size_t n = 0;
    float min_score = 0;
};

/// Per column: the winner's score and scene (-1 and an unspecified score when there are no
/// candidates), the number of candidates, and where `worst` is not null the last-ranked
/// candidate's score and scene.
struct RunningBestColumns {
    float* best = nullptr;
    std::int32_t* best_scene = nullptr;
    std::int32_t* count = nullptr;
    float* worst = nullptr;
    std::int32_t* worst_scene = nullptr;
};

/// Fills `out` for columns [0, cols). Each column keeps its running best in registers while
/// the scenes stream by, several columns at a time (the widest vectors the CPU has); the
/// result is the same as comparing one scene after another with scalar code.
void running_best(const RunningBestRow& row, std::size_t cols, const RunningBestColumns& out);
/// The same with vectors of at most `max_lanes` columns (1: scalar code, 4: SSE2, 8: AVX2
/// where the CPU has it), so that tests compare every kernel.
void running_best(const RunningBestRow& row, std::size_t cols, const RunningBestColumns& out,
                  int max_lanes);

/// Per pixel of a block (`len` pixels from the first), the running best of scores added one
/// scene at a time: after the last scene of the tie order, what running_best() gives
/// (without masks: a candidate is a score >= min_score).
struct RunningBestPixels {
    float* best = nullptr;
    std::int32_t* best_scene = nullptr;
    std::int32_t* count = nullptr;
};
/// Adds scene `scene`'s scores of `len` pixels (`first`: the first scene of the order, which
/// starts the running best instead of reading it).
void add_to_running_best(const float* scores, std::int32_t scene, float min_score, bool first,
                         std::size_t len, const RunningBestPixels& out);

/// The best-pixel composite's winners over a stack, made while its scores are: the scorer's
/// strips add each scene's scores while they are in the cache, and hand each strip's winners
/// to `deliver` there (which writes the composite's rows: BestRows), so that the scores are
/// not read again. Asked for with `order` (the composite's tie order), `min_score` (its
/// candidate_floor) and `deliver`; `made` says whether every row was delivered.
struct StackWinners {
    std::vector<std::uint16_t> order; ///< empty: none asked for
    float min_score = 0;
    /// Rows [y0, y1)'s winners (running_best's: the best score, its scene, -1 where the
    /// count of candidates is 0), from their first pixel; called from several threads at
    /// once, for different rows.
    std::function<void(int y0, int y1, const float* best, const std::int32_t* scene,
                       const std::int32_t* count)>
        deliver;
    bool made = false;
};

} // namespace rb::detail
