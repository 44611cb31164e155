#include "scene_by_scene_best.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

namespace rb::detail {

namespace {

// One row of one scene against the running best: branch-free selects on unaliased rows, so
// that the compiler vectorizes both loops (with AVX2 where the CPU has it).
__attribute__((target_clones("avx2", "default"))) void
fold_row(std::size_t n, const float* __restrict score, const std::uint8_t* __restrict valid,
         float min_score, std::uint16_t scene, float* __restrict best,
         std::uint16_t* __restrict best_scene, std::uint16_t* __restrict count,
         std::uint8_t* __restrict won) {
    for (std::size_t c = 0; c < n; ++c) {
        const float v = score[c];
        const bool candidate = (v >= min_score) & (valid[c] != 0);
        const bool better = candidate & (v > best[c]);
        best[c] = better ? v : best[c];
        best_scene[c] = better ? scene : best_scene[c];
        count[c] = std::uint16_t(count[c] + std::uint16_t(candidate));
        won[c] = std::uint8_t(better);
    }
}

template <class T>
__attribute__((target_clones("avx2", "default"))) void
take_winners(std::size_t n, const std::uint8_t* __restrict won, const T* __restrict src,
             T* __restrict dst) {
    for (std::size_t c = 0; c < n; ++c) {
        const T a = src[c], b = dst[c];
        if constexpr (std::is_integral_v<T>) { // a select GCC 12 does not vectorize otherwise
            using U = std::make_unsigned_t<T>;
            const auto pick = U(U(0) - U(won[c]));
            dst[c] = T((U(a) & pick) | (U(b) & U(~pick)));
        } else {
            dst[c] = won[c] ? a : b;
        }
    }
}

} // namespace

void SceneBySceneBest::begin(CompositeResult& res, DataType dtype, int bands, int rows, int cols,
                             float min_score) {
    res_ = &res;
    min_score_ = min_score;
    res.composite.reset(dtype, bands, rows, cols);
    res.index.reset(DataType::UInt16, 1, rows, cols);
    res.score.reset(DataType::Float32, 1, rows, cols);
    res.count.reset(DataType::UInt16, 1, rows, cols);
    std::memset(res.composite.bytes(), 0, res.composite.byte_size());
    std::ranges::fill(res.index.band<std::uint16_t>(0), std::uint16_t(65535));
    // Every candidate's score is >= min_score > -infinity, so the first one beats this.
    std::ranges::fill(res.score.band<float>(0), kInvalidScore);
    std::ranges::fill(res.count.band<std::uint16_t>(0), std::uint16_t(0));
    row_scores_.resize(std::size_t(cols));
    row_valid_.resize(std::size_t(cols));
    row_won_.resize(std::size_t(cols));
}

void SceneBySceneBest::add(const Raster& scene, const Scorer& scorer, std::span<const int> bands,
                           int index) {
    CompositeResult& res = *res_;
    const int rows = res.composite.rows(), cols = res.composite.cols();
    if (scene.rows() != rows || scene.cols() != cols || scene.dtype() != res.composite.dtype() ||
        int(bands.size()) != res.composite.bands())
        throw ArgumentError("composite: scene " + std::to_string(index) +
                            " does not match the block it is added to");
    for (int b : bands)
        if (b < 0 || b >= scene.bands())
            throw ArgumentError("composite: band index " + std::to_string(b) +
                                " is outside the scene's " + std::to_string(scene.bands()) +
                                " bands");
    const bool by_row = scorer.scores_by_row(scene);
    if (!by_row)
        scorer.score_into(scene, nullptr, scores_, index);
    const bool masked = scene.has_mask();
    const auto n = std::size_t(cols);
    const float min_score = min_score_;
    const auto scene_index = std::uint16_t(index);
    std::uint16_t* best_index = res.index.band<std::uint16_t>(0).data();
    float* best_score = res.score.band<float>(0).data();
    std::uint16_t* count = res.count.band<std::uint16_t>(0).data();
    std::uint8_t* valid = row_valid_.data();
    std::uint8_t* won = row_won_.data();
    if (!masked)
        std::memset(valid, 1, n);
    visit_dtype(scene.dtype(), [&](auto tag) {
        using T = decltype(tag);
        for (int row = 0; row < rows; ++row) {
            const std::size_t base = std::size_t(row) * n;
            const float* s =
                by_row ? row_scores_.data() : std::as_const(scores_).band<float>(0).data() + base;
            if (by_row)
                scorer.score_row(scene, row, row_scores_.data());
            if (masked) {
                std::memset(valid, 1, n);
                for (int b : bands) {
                    const std::uint8_t* m = scene.mask(b).data() + base;
                    for (std::size_t c = 0; c < n; ++c)
                        valid[c] &= std::uint8_t(m[c] != kInvalid);
                }
            }
            fold_row(n, s, valid, min_score, scene_index, best_score + base, best_index + base,
                     count + base, won);
            for (std::size_t j = 0; j < bands.size(); ++j)
                take_winners(n, won, scene.band<T>(bands[j]).data() + base,
                             res.composite.band<T>(int(j)).data() + base);
        }
    });
}

void SceneBySceneBest::finish() {
    CompositeResult& res = *res_;
    const std::span<const std::uint16_t> count = std::as_const(res.count).band<std::uint16_t>(0);
    if (std::find(count.begin(), count.end(), std::uint16_t(0)) == count.end())
        return;
    for (std::size_t p = 0; p < count.size(); ++p) {
        if (count[p] != 0)
            continue;
        for (int b = 0; b < res.composite.bands(); ++b)
            res.composite.mask(b)[p] = kInvalid;
        res.index.mask(0)[p] = kInvalid;
        res.score.mask(0)[p] = kInvalid;
    }
}

} // namespace rb::detail
