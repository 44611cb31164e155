#pragma once
// The plain best-pixel composite folded together one scene at a time (engine-internal).
#include <cstdint>
#include <span>
#include <vector>

#include "rasterbench/composite.h"

namespace rb::detail {

/// The best pixel of a block with the scenes added one after another in tie order, so that a
/// streaming run reads one scene's block, scores it and folds it in while it is still in the
/// core's cache. Holding every scene's block instead (ten 3-band scenes of a 512-px block:
/// 15 MB) leaves GDAL's copies, the scoring and the winners' gather to miss that cache.
///
/// The result is composite_into()'s for the method "best" with no rank images, with masks
/// only where some pixel has no candidate: the first scene in tie order with the strictly
/// highest score wins, and a sample is a candidate where its score is >= min_score (NaN is
/// not) and every output band of it is valid. Scores need no stack statistics.
class SceneBySceneBest {
public:
    /// Starts a block of `bands` output bands: `res`'s composite, index, score and count take
    /// the shape (no winner yet: composite 0, index 65535, score kInvalidScore, count 0).
    void begin(CompositeResult& res, DataType dtype, int bands, int rows, int cols,
               float min_score);
    /// Folds in the next scene in tie order: `scene` holds every band the scorer reads,
    /// `bands` are the output bands in it, `index` is the scene's position in the stack.
    void add(const Raster& scene, const Scorer& scorer, std::span<const int> bands, int index);
    /// Masks the pixels that had no candidate (composite, index and score).
    void finish();

private:
    CompositeResult* res_ = nullptr;
    float min_score_ = 0;
    std::vector<float> row_scores_;
    std::vector<std::uint8_t> row_valid_, row_won_;
    Raster scores_; // the whole block's scores, where the scorer does not score by rows
};

} // namespace rb::detail
