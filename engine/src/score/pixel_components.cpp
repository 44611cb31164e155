// Every scene's component scores at one pixel.
#include "rasterbench/pixel_components.h"

#include <cmath>
#include <limits>
#include <optional>

namespace rb {

PixelComponents inspect_components(const std::vector<SceneSource>& scenes, const Scorer& scorer,
                                   const CompositeOptions& options, std::int64_t col,
                                   std::int64_t row, std::int64_t width, std::int64_t height) {
    if (col < 0 || row < 0 || col >= width || row >= height)
        throw ArgumentError("inspect components: (" + std::to_string(col) + ", " +
                            std::to_string(row) + ") is outside the " + std::to_string(width) +
                            " x " + std::to_string(height) + " grid");
    const int halo = scorer.halo();
    const Window win =
        Window{col - halo, row - halo, 2 * halo + 1, 2 * halo + 1}.clamped(width, height);
    const int cc = int(col - win.col_off), cr = int(row - win.row_off);
    std::vector<Raster> reads;
    for (const auto& s : scenes)
        reads.push_back(SceneReader(s).read(win));
    std::optional<StackStats> stats;
    if (scorer.stack_needs().any())
        stats = stack_statistics(reads, scorer.stack_needs());
    PixelComponents out;
    out.names = scorer.component_names();
    std::vector<Raster> scores;
    for (std::size_t i = 0; i < reads.size(); ++i) {
        const Raster c = scorer.components(reads[i], stats ? &*stats : nullptr, int(i));
        std::vector<float> v;
        for (int k = 0; k < c.bands(); ++k)
            v.push_back(c.valid(k, cr, cc) ? float(c.value(k, cr, cc))
                                           : std::numeric_limits<float>::quiet_NaN());
        out.values.push_back(std::move(v));
        scores.push_back(scorer.score(reads[i], stats ? &*stats : nullptr, int(i)));
    }
    const CompositeResult r = composite(reads, scores, options);
    if (r.index.valid(0, cr, cc))
        out.winner = int(r.index.value(0, cr, cc));
    return out;
}

} // namespace rb
