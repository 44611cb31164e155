#pragma once
// What the Score panel's map overlay shows of a viewport preview, and its legend: the
// composite, the winning scene, the current scene's score, its high- or low-scoring pixels,
// or the best / worst-ranked pixel. Pure functions, safe on worker threads.
#include <QColor>
#include <QImage>
#include <QRectF>
#include <QString>

#include <optional>
#include <vector>

#include "rasterbench/colormap.h"
#include "rasterbench/composite.h"
#include "rasterbench/render.h"
#include "rasterbench/scene_date.h"
#include "rasterbench/viewport_pipeline.h"

namespace rb::ui {

/// One scene to score: its file, an optional quality file stacked after its bands, and what
/// legends and charts call it.
/// The Score panel's "Read as" choice of toa with each pixel's sun.
inline constexpr const char* kToaPixelSun = "toa-pixel";

struct ScoreScene {
    QString path;
    QString qa;
    QString name;
    std::optional<rb::SceneDate> date;
    /// SceneSource::calibrate: "toa", "radiance", "sr"; "toa-pixel": toa with each pixel's
    /// sun (SceneSource::sun); empty: the stored numbers.
    QString calibrate;
    rb::SceneSource source() const;
    /// "name (date)" or the name alone.
    QString label() const;
};

/// The engine's viewport plan with its scene-pixel rectangle as the map canvas takes it.
struct ViewportPlan {
    rb::Window read; ///< scene pixels read: the visible window plus halo, clamped
    int outCols = 0; ///< size the read window is decimated to
    int outRows = 0;
    int step = 1;    ///< scene pixels per output pixel (integer decimation)
    rb::Window crop; ///< the visible part, in output pixels
    QRectF pixels;   ///< scene-pixel rectangle that `crop` covers (the overlay's)
    bool empty() const { return crop.empty(); }
    bool operator==(const ViewportPlan&) const = default;
};

/// A viewport preview (rb::ViewportPreview, its plan as above).
struct ViewportResult {
    ViewportPlan plan;
    int current = -1;              ///< scene index of `scene` and `score`
    rb::Raster scene;              ///< the current scene's bands, cropped to plan.crop
    rb::Raster score;              ///< its score, cropped
    rb::CompositeResult composite; ///< cropped to plan.crop
    double readMs = 0, scoreMs = 0, compositeMs = 0;
    bool coarse = false; ///< the coarse first preview of a change
    /// Takes the engine preview's rasters.
    static ViewportResult from(rb::ViewportPreview&& preview);
};

/// What the viewport overlay shows.
enum class ScoreView { Composite, Winner, Score, HighScoring, LowScoring, BestRank, WorstRank };

/// The rendering choices of the overlay.
struct ScoreDisplay {
    ScoreView view = ScoreView::Composite;
    double opacity = 0.8; ///< 0..1, multiplies the overlay's alpha
    /// High/low-scoring views: pixels of the current scene whose score is at or above /
    /// below this percentile of its valid scores in the view.
    double threshold = 50;
    rb::Colormap scoreColormap = rb::Colormap::Viridis;
    /// RGB bands (0-based) and per-band stretch of composites and rank images: the current
    /// scene's display, so the composite looks like the scenes it is made of.
    std::vector<int> rgbBands;
    std::vector<rb::StretchRange> stretch; ///< indexed like the composite's bands
    double gamma = 1;
};

/// What a legend lists: a colour ramp between two values, or one colour per entry.
struct ScoreLegend {
    bool ramp = false;
    double lo = 0, hi = 0;
    rb::Colormap colormap = rb::Colormap::Viridis;
    QString title;
    struct Entry {
        QColor color;
        QString text;
    };
    std::vector<Entry> entries;
};

/// Renders a preview for `display`; `legend` (when not null) receives its legend. A null
/// image when the view has nothing to show (no score of a current scene, no rank images).
QImage renderScoreOverlay(const ViewportResult& r, const ScoreDisplay& display,
                          const std::vector<ScoreScene>& scenes, ScoreLegend* legend);

} // namespace rb::ui
