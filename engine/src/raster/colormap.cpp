#include "rasterbench/colormap.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace rb {

namespace {

using Table = std::array<std::uint32_t, 256>;

// Continuous maps are defined by evenly spaced anchor colours (sRGB), linearly interpolated.
// The viridis and magma anchors are the published colours of those maps at 0, 1/9, ... 1.
constexpr std::uint32_t kViridis[] = {0x440154, 0x482878, 0x3e4a89, 0x31688e, 0x26828e,
                                      0x1f9e89, 0x35b779, 0x6dcd59, 0xb4de2c, 0xfde725};
constexpr std::uint32_t kMagma[] = {0x000004, 0x180f3d, 0x440f76, 0x721f81, 0x9e2f7f,
                                    0xcd4071, 0xf1605d, 0xfd9668, 0xfec98d, 0xfcfdbf};
// Blue - near white - red, symmetric in lightness so the middle of the stretch reads as zero.
constexpr std::uint32_t kDiverging[] = {0x3b4cc0, 0x7b9ff9, 0xc0d4f5, 0xf2f0ee,
                                        0xf5c4ac, 0xe7745b, 0xb40426};
constexpr std::uint32_t kGrey[] = {0x000000, 0xffffff};
// Twelve colours that stay distinguishable next to each other.
constexpr std::uint32_t kCategorical[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728,
                                          0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
                                          0xbcbd22, 0x17becf, 0xffd92f, 0x000080};

template <std::size_t N> Table interpolate(const std::uint32_t (&anchors)[N]) {
    Table t{};
    for (int i = 0; i < 256; ++i) {
        const double pos = i / 255.0 * double(N - 1);
        const auto k = std::min(std::size_t(pos), N - 2);
        const double f = pos - double(k);
        std::uint32_t c = 0xff000000u;
        for (int shift : {16, 8, 0}) {
            const double a = (anchors[k] >> shift) & 0xff, b = (anchors[k + 1] >> shift) & 0xff;
            c |= std::uint32_t(std::lround(a + (b - a) * f)) << shift;
        }
        t[std::size_t(i)] = c;
    }
    return t;
}

Table repeated_palette() {
    Table t{};
    for (std::size_t i = 0; i < t.size(); ++i)
        t[i] = 0xff000000u | kCategorical[i % std::size(kCategorical)];
    return t;
}

} // namespace

std::string_view colormap_name(Colormap c) {
    switch (c) {
    case Colormap::Grey:
        return "grey";
    case Colormap::Viridis:
        return "viridis";
    case Colormap::Magma:
        return "magma";
    case Colormap::Diverging:
        return "diverging";
    case Colormap::Categorical:
        return "categorical";
    }
    return "grey";
}

std::optional<Colormap> parse_colormap(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return char(std::tolower(ch)); });
    if (lower == "gray")
        return Colormap::Grey;
    for (Colormap c : all_colormaps())
        if (colormap_name(c) == lower)
            return c;
    return std::nullopt;
}

const std::vector<Colormap>& all_colormaps() {
    static const std::vector<Colormap> all = {Colormap::Grey, Colormap::Viridis, Colormap::Magma,
                                              Colormap::Diverging, Colormap::Categorical};
    return all;
}

const Table& colormap_table(Colormap c) {
    static const Table grey = interpolate(kGrey), viridis = interpolate(kViridis),
                       magma = interpolate(kMagma), diverging = interpolate(kDiverging),
                       categorical = repeated_palette();
    switch (c) {
    case Colormap::Viridis:
        return viridis;
    case Colormap::Magma:
        return magma;
    case Colormap::Diverging:
        return diverging;
    case Colormap::Categorical:
        return categorical;
    case Colormap::Grey:
        break;
    }
    return grey;
}

int categorical_palette_size() {
    return int(std::size(kCategorical));
}

std::uint32_t categorical_color(long long value) {
    const long long n = categorical_palette_size();
    return 0xff000000u | kCategorical[std::size_t(((value % n) + n) % n)];
}

} // namespace rb
