#pragma once
// The best-pixel composite's inner loop (engine-internal): for one row of pixels, which of the
// stack's scores wins each column, how many are candidates, and (optionally) which ranks last.
#include <cstddef>
#include <cstdint>
#include <limits>

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

} // namespace rb::detail
