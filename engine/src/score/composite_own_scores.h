#pragma once
// The composite of a stack's own scores (engine-internal).
#include <span>

#include "rasterbench/composite.h"

namespace rb::detail {

/// composite_into() for scores a Scorer made from `scenes` themselves. The scorer's validity
/// is every band's, so a sample that a band mask marks invalid already scores
/// kInvalidScore and loses; the band masks (a third of a masked stack's composite time) are
/// not read again. Same result as composite_into().
void composite_own_scores_into(std::span<const Raster> scenes, std::span<const Raster> scores,
                               const CompositeOptions& o, CompositeResult& res,
                               Progress progress = {});

} // namespace rb::detail
