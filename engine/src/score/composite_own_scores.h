#pragma once
// The composite of a stack's own scores (engine-internal).
#include <optional>
#include <span>

#include "composite_best_row.h"
#include "rasterbench/composite.h"
#include "running_best.h"

namespace rb::detail {

/// composite_into() for scores a Scorer made from `scenes` themselves. The scorer's validity
/// is every band's, so a sample that a band mask marks invalid already scores
/// kInvalidScore and loses; the band masks (a third of a masked stack's composite time) are
/// not read again. Same result as composite_into().
void composite_own_scores_into(std::span<const Raster> scenes, std::span<const Raster> scores,
                               const CompositeOptions& o, CompositeResult& res,
                               Progress progress = {});

/// The winners a composite of `o` over `n` scenes can take (their order and min_score set,
/// none made), or none asked for (an empty order): other than the plain best pixel (another
/// method, rank images, harmonization), or options the composite refuses.
StackWinners winners_request(const CompositeOptions& o, std::size_t n);

/// `res` shaped for the plain best-pixel composite of `scenes` under `o`, to be written from
/// winners (BestRows), or nullopt (nothing changed) where `o` is not the plain best pixel.
/// Throws as composite_into() does for bad scenes or options.
std::optional<BestRows> best_rows_for(std::span<const Raster> scenes, const CompositeOptions& o,
                                      CompositeResult& res);

} // namespace rb::detail
