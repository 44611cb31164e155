#pragma once
// Pieces of the Transform dock's previews that need no widgets, each testable alone: the
// window a preview computes (the view, or its centre at export resolution when the view is
// too large), the overlay image an engine result is drawn into, class breaks for
// vectorizing, the numeric fields of a vector layer, and the reprojected preview drawn back
// onto the scene's pixel grid (so the map and the compare views can show it over the scene).
#include <QColor>
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "rasterbench/affine.h"
#include "rasterbench/features.h"
#include "rasterbench/raster.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

namespace rb::ui {

/// The part of `w` a preview computes: `w` itself when both sides are at most `maxSide`,
/// else the central `maxSide` x `maxSide` (or narrower) window of it, at the same
/// resolution (never decimated: the preview stays equal to the export).
rb::Window centralWindow(const rb::Window& w, std::int64_t maxSide);

/// An image covering scene window `window` at scale `scale` (<= 1) of its pixels, drawn
/// over the scene by MapCanvas::setOverlay(rect()).
struct OverlayFrame {
    rb::Window window;
    double scale = 1;
    rb::Affine toWindowPixel; ///< map -> window pixel
    QImage image;             ///< ARGB32 premultiplied, transparent

    /// The image's longer side is at most `maxSide` pixels.
    OverlayFrame(const rb::Window& w, const rb::Affine& sceneTransform, int maxSide);
    QRectF rect() const;
    QPointF toImage(const rb::Point2& p) const;
    /// Strokes the rings of `polygons` (map coordinates) with a cosmetic pen.
    void drawOutlines(const std::vector<rb::Polygon>& polygons, QColor color);
    /// Sets every image pixel from the window pixel under its centre.
    template <class F> void paintPixels(F&& colorAt) {
        for (int y = 0; y < image.height(); ++y) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
            const int row = std::min(int(window.height) - 1, int((y + 0.5) / scale));
            for (int x = 0; x < image.width(); ++x) {
                const int col = std::min(int(window.width) - 1, int((x + 0.5) / scale));
                line[x] = colorAt(row, col);
            }
        }
    }
};

/// Class breaks typed as "0.2, 0.5, 0.8" (any separators among , ; and blanks), strictly
/// increasing; nullopt with `error` set when malformed.
std::optional<std::vector<double>> parseBreaks(const QString& text, QString* error);
/// The n - 1 inner breaks of n equal intervals between lo and hi.
std::vector<double> equalIntervalBreaks(double lo, double hi, int n);
/// Min and max of band `b`'s valid finite samples; nullopt when there are none.
std::optional<std::pair<double, double>> validRange(const rb::Raster& r, int b);

/// Band `b` of `src` as classes for rb::shapes: threshold mode (`breaks` = {t}, `threshold`
/// true) gives 1 where value >= t and excludes the rest; class mode gives class k (the
/// number of breaks <= value, 0..breaks.size()) to every valid sample. Invalid or
/// non-finite samples are excluded through `mask`.
struct Classified {
    rb::Raster classes; ///< UInt8, one band
    std::vector<std::uint8_t> mask;
};
Classified classify(const rb::Raster& src, int b, const std::vector<double>& breaks,
                    bool threshold);

/// Properties every feature either lacks, has null, or has as a number (strings that parse
/// as numbers count), and at least one feature has: what rasterize can burn.
QStringList numericFields(const rb::FeatureCollection& fc);

/// The reprojected preview `image` (pixels of window `dstWindow` of grid `dst`) drawn onto
/// scene window `sceneWindow` of a scene whose pixels map through `sceneTransform` into
/// `sceneCrs`: each overlay pixel shows the preview pixel that contains its centre (nearest,
/// no further resampling), transparent outside the preview. The overlay's longer side is at
/// most `maxSide`. Throws rb::CrsError when the CRSs cannot be related.
OverlayFrame reprojectedOnScene(const QImage& image, const rb::Window& dstWindow,
                                const rb::Grid& dst, const rb::Window& sceneWindow,
                                const rb::Affine& sceneTransform, const rb::Crs& sceneCrs,
                                int maxSide);

} // namespace rb::ui
