// Internal to the composite: the order in which equal scores rank (CompositeOptions::tie).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rasterbench/composite.h"

namespace rb::detail {

/// The most scenes a composite takes: their positions are UInt16, 65535 meaning none.
inline constexpr std::size_t kMaxCompositeScenes = 65534;

/// ArgumentError when `n` scenes are more than kMaxCompositeScenes.
void check_composite_scene_count(std::size_t n);

/// The scenes' positions from first to last under the tie rule (a permutation of 0..n-1).
/// ArgumentError for an unknown rule, a bad target date, or 'closest' without one.
std::vector<std::uint16_t> tie_order(const CompositeOptions& o, std::size_t n);

} // namespace rb::detail
