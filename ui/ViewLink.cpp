#include "ViewLink.h"

#include <exception>

#include "MapCanvas.h"

namespace rb::ui {

std::optional<std::pair<QPointF, QPointF>> pixelMapping(const SceneData& from,
                                                        const SceneData& to) {
    const rb::Affine& a = from.profile.transform;
    const rb::Affine& b = to.profile.transform;
    if (!from.profile.has_transform || !to.profile.has_transform || !a.is_rectilinear() ||
        !b.is_rectilinear() || a.a == 0 || b.a == 0 || a.e == 0 || b.e == 0)
        return std::nullopt;
    if (from.profile.crs.empty() != to.profile.crs.empty())
        return std::nullopt;
    try {
        if (!from.profile.crs.empty() && !(from.profile.crs == to.profile.crs))
            return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    // to_px = (a * from_px + c - b.c) / b.a, per axis.
    return std::make_pair(QPointF(a.a / b.a, a.e / b.e),
                          QPointF((a.c - b.c) / b.a, (a.f - b.f) / b.e));
}

ViewTransform ViewLink::mapView(const ViewTransform& view, const SceneData& from,
                                const SceneData& to, QPointF anchor) {
    const auto m = pixelMapping(from, to);
    if (!m)
        return view;
    // Same ground size per screen pixel (along x), and the anchor on the same map point.
    const double s = view.scale() / m->first.x();
    const QPointF p = mapPixel(view.toPixel(anchor), from, to);
    ViewTransform v;
    v.set(s, anchor - p * s);
    return v;
}

QPointF ViewLink::mapPixel(QPointF pixel, const SceneData& from, const SceneData& to) {
    const auto m = pixelMapping(from, to);
    if (!m)
        return pixel;
    return {pixel.x() * m->first.x() + m->second.x(), pixel.y() * m->first.y() + m->second.y()};
}

ViewLink::ViewLink(QObject* parent) : QObject(parent) {}

void ViewLink::add(MapCanvas* canvas) {
    if (canvases_.contains(canvas))
        return;
    canvases_.push_back(canvas);
    connect(canvas, &MapCanvas::viewChanged, this, [this, canvas] { syncFrom(canvas); });
    connect(canvas, &MapCanvas::cursorMoved, this,
            [this, canvas](double col, double row) { onCursor(canvas, col, row); });
    connect(canvas, &MapCanvas::cursorLeft, this, &ViewLink::onLeft);
    connect(canvas, &QObject::destroyed, this, [this, canvas] { canvases_.removeAll(canvas); });
}

void ViewLink::remove(MapCanvas* canvas) {
    canvases_.removeAll(canvas);
    disconnect(canvas, nullptr, this, nullptr);
}

void ViewLink::syncFrom(MapCanvas* source) {
    if (syncing_ || !source->scene())
        return;
    syncing_ = true; // the views we move emit viewChanged too
    for (MapCanvas* c : canvases_)
        if (c != source && c->scene())
            c->setViewTransform(mapView(source->view(), *source->scene(), *c->scene(),
                                        QRectF(source->rect()).center()));
    syncing_ = false;
}

void ViewLink::onCursor(MapCanvas* source, double col, double row) {
    if (!source->scene())
        return;
    for (MapCanvas* c : canvases_) {
        if (c == source || !c->scene())
            c->setCrosshair(std::nullopt);
        if (c != source && c->scene())
            c->setCrosshair(mapPixel(QPointF(col, row), *source->scene(), *c->scene()));
    }
}

void ViewLink::onLeft() {
    for (MapCanvas* c : canvases_)
        c->setCrosshair(std::nullopt);
}

} // namespace rb::ui
