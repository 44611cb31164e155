#pragma once
// Links map views: a pan or zoom in one moves the others to the same map extent, and the
// cursor of one shows as a cross in the others. Views whose scenes are georeferenced,
// north-up and in the same CRS are matched through map coordinates (their grids may
// differ); others share pixel coordinates.
#include <QObject>
#include <QPointF>
#include <QVector>

#include <optional>
#include <utility>

#include "SceneLayer.h"
#include "ViewTransform.h"

namespace rb::ui {

class MapCanvas;

/// Per-axis scale and offset taking `from` scene pixels to `to` scene pixels through map
/// coordinates; nullopt when the scenes cannot be related that way.
std::optional<std::pair<QPointF, QPointF>> pixelMapping(const SceneData& from, const SceneData& to);

class ViewLink : public QObject {
    Q_OBJECT
public:
    explicit ViewLink(QObject* parent = nullptr);

    void add(MapCanvas* canvas);
    void remove(MapCanvas* canvas);
    const QVector<MapCanvas*>& canvases() const { return canvases_; }
    /// Moves every other view to match `source`.
    void syncFrom(MapCanvas* source);

    /// `view` of a canvas showing `from`, expressed for a canvas showing `to`. Grids whose
    /// pixels differ in shape cannot match everywhere with one uniform scale: the map point
    /// under widget position `anchor` (the view's centre) matches exactly.
    static ViewTransform mapView(const ViewTransform& view, const SceneData& from,
                                 const SceneData& to, QPointF anchor);
    /// A `from` scene pixel position as a `to` scene pixel position.
    static QPointF mapPixel(QPointF pixel, const SceneData& from, const SceneData& to);

private:
    void onCursor(MapCanvas* source, double col, double row);
    void onLeft();

    QVector<MapCanvas*> canvases_;
    bool syncing_ = false;
};

} // namespace rb::ui
