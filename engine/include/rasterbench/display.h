#pragma once
// How a scene is displayed: which bands (an RGB composite or one band through a colour
// map), their stretch and gamma; and the renderer that turns pixels into colours with it.
// One value type shared by the map views, the CLI-style `--screenshot` options and tests.
#include <optional>
#include <string_view>
#include <vector>

#include "rasterbench/colormap.h"
#include "rasterbench/raster.h"
#include "rasterbench/render.h"

namespace rb {

struct DisplaySettings {
    std::vector<int> bands;             ///< 1-based file bands: 3 = RGB, 1 = single band
    Colormap colormap = Colormap::Grey; ///< single band only
    StretchOptions stretch_options;     ///< how `stretch` is derived (mode, percents, k)
    std::vector<StretchRange> stretch;  ///< one per displayed band
    double gamma = 1.0;

    bool rgb() const { return bands.size() == 3; }
    /// The displayed bands a scene with `count` bands starts with: 1,2,3 or 1.
    static std::vector<int> default_bands(int count);
};

/// Parses a stretch as scripts write it: "minmax", "pct" or "pct:LOW,HIGH" (percent clip),
/// "std" or "std:K" (mean +/- K stddev), "manual:LO,HI[/LO,HI/LO,HI]" (one range per
/// displayed band, or one for all). nullopt when malformed.
std::optional<StretchOptions> parse_stretch(std::string_view text);
/// "4,3,2" or "5": 1-based band numbers (1 or 3 of them); nullopt when malformed.
std::optional<std::vector<int>> parse_band_list(std::string_view text);

/// Renders `r` whose band i holds file band `source_bands[i]` (1-based). Every displayed
/// band must be among them. Invalid or NaN samples of any displayed band are transparent.
/// Continuous colour maps apply the stretch then gamma; the categorical map colours each
/// integer value (rounded) by itself, ignoring the stretch. Throws ArgumentError.
Rgba8Image render_display(const Raster& r, const std::vector<int>& source_bands,
                          const DisplaySettings& settings);

} // namespace rb
