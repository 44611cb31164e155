#pragma once
// Colour maps for single-band display: continuous maps (grey, viridis, magma, a diverging
// blue-white-red) as 256-entry tables sampled after the stretch, and a categorical palette
// for classes and indices, where each integer value gets its own colour.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rb {

enum class Colormap { Grey, Viridis, Magma, Diverging, Categorical };

/// "grey", "viridis", "magma", "diverging", "categorical".
std::string_view colormap_name(Colormap c);
/// Parses colormap_name() (case-insensitive, also "gray"); nullopt when unknown.
std::optional<Colormap> parse_colormap(std::string_view name);
/// Every colour map, in menu order.
const std::vector<Colormap>& all_colormaps();

/// 256 opaque colours (0xAARRGGBB) of a continuous map, index 0 = stretch low, 255 = high.
/// For Categorical, the palette repeated.
const std::array<std::uint32_t, 256>& colormap_table(Colormap c);

/// Number of distinct colours of the categorical palette; class v gets entry v mod size.
int categorical_palette_size();
/// Colour of integer class `value` in the categorical palette (negative values wrap too).
std::uint32_t categorical_color(long long value);

} // namespace rb
