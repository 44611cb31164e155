#include "MapCanvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "ViewLink.h"

namespace rb::ui {

namespace {

QPixmap checkerTile() {
    const int s = MapCanvas::kCheckerSize;
    QPixmap tile(2 * s, 2 * s);
    tile.fill(QColor::fromRgb(MapCanvas::kCheckerColors[0]));
    QPainter p(&tile);
    const QColor dark = QColor::fromRgb(MapCanvas::kCheckerColors[1]);
    p.fillRect(0, 0, s, s, dark);
    p.fillRect(s, s, s, s, dark);
    return tile;
}

} // namespace

MapCanvas::MapCanvas(QWidget* parent) : QWidget(parent), tiles_(new TileRenderer(this)) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    // Coalesces the many view changes of a drag or a wheel burst into one tile request;
    // short, so a pan shows new tiles well within a frame or two.
    renderTimer_.setSingleShot(true);
    renderTimer_.setInterval(5);
    connect(&renderTimer_, &QTimer::timeout, this, &MapCanvas::startRender);
    connect(tiles_, &TileRenderer::updated, this, &MapCanvas::onTilesUpdated);
    connect(tiles_, &TileRenderer::failed, this, &MapCanvas::renderFailed);
}

MapCanvas::~MapCanvas() = default;

void MapCanvas::setScene(std::shared_ptr<const SceneData> scene) {
    const auto previous = scene_;
    scene_ = std::move(scene);
    tiles_->setScene(scene_);
    if (!overlays_.isEmpty() && (!previous || !scene_ || previous->path != scene_->path))
        emit overlayLayersChanged(); // which overlays belong to the scene shown changed
    if (previous && scene_ && previous->pyramid == scene_->pyramid) {
        // A new display of the same scene: same view, new pixels.
        update();
        scheduleRender();
        return;
    }
    if (previous && scene_ && !fitMode_) {
        if (pixelMapping(*previous, *scene_)) {
            // Stepping through a stack keeps the place on the ground under the view.
            setView(ViewLink::mapView(view_, *previous, *scene_, QRectF(rect()).center()));
            return;
        }
    }
    fitToWindow();
}

void MapCanvas::setViewTransform(const ViewTransform& view) {
    if (!scene_)
        return;
    fitMode_ = false;
    setView(view);
}

void MapCanvas::showPixelWindow(const QRectF& pixels) {
    if (!scene_ || pixels.isEmpty())
        return;
    const ViewTransform fit = ViewTransform::fit(pixels.size(), QSizeF(size()));
    ViewTransform v;
    v.set(fit.scale(), fit.offset() - pixels.topLeft() * fit.scale());
    setViewTransform(v);
}

QPointF MapCanvas::pixelToMap(QPointF pixel) const {
    if (!scene_)
        return pixel;
    const auto [x, y] = scene_->profile.transform.apply(pixel.x(), pixel.y());
    return {x, y};
}

QPointF MapCanvas::mapToPixel(QPointF map) const {
    if (!scene_ || !scene_->profile.transform.is_invertible())
        return map;
    const auto [c, r] = scene_->profile.transform.to_pixel(map.x(), map.y());
    return {c, r};
}

void MapCanvas::setCrosshair(std::optional<QPointF> pixel) {
    if (crosshair_ == pixel)
        return;
    crosshair_ = pixel;
    update();
}

void MapCanvas::setPin(std::optional<QPoint> pixel) {
    pin_ = pixel;
    update();
}

QImage MapCanvas::lastImage() const {
    return tiles_->compose(viewport(), nullptr);
}

QRectF MapCanvas::lastImageRect() const {
    QRectF rect;
    tiles_->compose(viewport(), &rect);
    return rect;
}

TileRenderer::Viewport MapCanvas::viewport() const {
    return {view_, size(), devicePixelRatioF()};
}

void MapCanvas::onTilesUpdated() {
    update();
    // A finished build makes coarse levels cheap: ask for what the view still lacks.
    if (!tiles_->isComplete(viewport()))
        scheduleRender();
    if (isRenderIdle() && !wasIdle_) {
        wasIdle_ = true;
        emit renderFinished();
    }
}

void MapCanvas::fitToWindow() {
    fitMode_ = true;
    if (scene_)
        setView(ViewTransform::fit(QSizeF(scene_->profile.width, scene_->profile.height),
                                   QSizeF(size())));
    else
        update();
}

void MapCanvas::zoomAt(QPointF widgetPos, double factor) {
    if (!scene_ || !(factor > 0))
        return;
    fitMode_ = false;
    ViewTransform v = view_;
    v.zoomAt(widgetPos, factor);
    setView(v);
}

void MapCanvas::zoomBy(double factor) {
    zoomAt(QRectF(rect()).center(), factor);
}

void MapCanvas::panBy(QPointF delta) {
    if (!scene_)
        return;
    fitMode_ = false;
    ViewTransform v = view_;
    v.panBy(delta);
    setView(v);
}

void MapCanvas::setView(const ViewTransform& view) {
    view_ = view;
    update();
    scheduleRender();
    emit viewChanged();
}

bool MapCanvas::isRenderIdle() const {
    return scene_ && !renderTimer_.isActive() && tiles_->isComplete(viewport());
}

rb::Window MapCanvas::visibleWindow() const {
    if (!scene_)
        return {};
    const QRectF px = view_.toPixel(QRectF(rect()));
    const double w = scene_->profile.width, h = scene_->profile.height;
    const double left = std::clamp(px.left(), 0.0, w), right = std::clamp(px.right(), 0.0, w);
    const double top = std::clamp(px.top(), 0.0, h), bottom = std::clamp(px.bottom(), 0.0, h);
    const auto c0 = std::int64_t(std::floor(left)), c1 = std::int64_t(std::ceil(right));
    const auto r0 = std::int64_t(std::floor(top)), r1 = std::int64_t(std::ceil(bottom));
    return {c0, r0, std::max<std::int64_t>(0, c1 - c0), std::max<std::int64_t>(0, r1 - r0)};
}

void MapCanvas::scheduleRender() {
    if (!scene_)
        return;
    wasIdle_ = false;
    renderTimer_.start();
}

void MapCanvas::startRender() {
    if (!scene_)
        return;
    tiles_->request(viewport());
    if (isRenderIdle() && !wasIdle_) {
        wasIdle_ = true;
        emit renderFinished(); // everything was cached already
    }
}

void MapCanvas::paintBase(QPainter& p, const QRectF& sceneRect) {
    const TileRenderer::Viewport vp = viewport();
    BaseKey key{scene_.get(), sceneRect, size(), devicePixelRatioF(), tiles_->paintedImages(vp)};
    if (!(key == baseKey_)) {
        const QSize pixels = (QSizeF(size()) * devicePixelRatioF()).toSize();
        if (base_.size() != pixels)
            base_ = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
        base_.setDevicePixelRatio(devicePixelRatioF());
        QPainter b(&base_);
        b.fillRect(rect(), QColor::fromRgb(kBackgroundColor));
        static const QPixmap tile = checkerTile();
        b.fillRect(sceneRect, QBrush(tile));
        tiles_->paint(b, vp);
        baseKey_ = std::move(key);
    }
    p.drawImage(QPointF(0, 0), base_);
}

void MapCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (!scene_) {
        p.fillRect(rect(), QColor::fromRgb(kBackgroundColor));
        return;
    }
    const QRectF sceneRect =
        view_.toWidget(QRectF(0, 0, scene_->profile.width, scene_->profile.height));
    paintBase(p, sceneRect);
    for (const QString& id : order_) {
        if (!overlayDrawn(id))
            continue; // hidden by the user, or made for another scene
        const Overlay& o = overlays_[id];
        const QRectF target = view_.toWidget(rectOnScene(o).value_or(o.pixels));
        p.setOpacity(o.opacity);
        // Nearest neighbour when enlarging keeps pixels exact; smooth when shrinking.
        p.setRenderHint(QPainter::SmoothPixmapTransform,
                        target.width() * devicePixelRatioF() < o.image.width());
        p.drawImage(target, o.image);
    }
    p.setOpacity(1.0);
    p.setRenderHint(QPainter::Antialiasing, false);
    if (pin_) {
        // Outlined in two colours so it shows on any pixel.
        const QRectF cell =
            view_.toWidget(QRectF(*pin_, QSizeF(1, 1)))
                .adjusted(-2, -2, 2, 2)
                .united(QRectF(view_.toWidget(QPointF(*pin_) + QPointF(0.5, 0.5)) - QPointF(5, 5),
                               QSizeF(10, 10)));
        p.setPen(QPen(Qt::black, 3));
        p.drawRect(cell);
        p.setPen(QPen(Qt::yellow, 1));
        p.drawRect(cell);
    }
    if (crosshair_) {
        const QPointF c = view_.toWidget(*crosshair_);
        p.setPen(QPen(QColor(255, 255, 255, 220), 1));
        p.drawLine(QPointF(c.x() - 12, c.y()), QPointF(c.x() + 12, c.y()));
        p.drawLine(QPointF(c.x(), c.y() - 12), QPointF(c.x(), c.y() + 12));
        p.setPen(QPen(QColor(0, 0, 0, 200), 1));
        p.drawEllipse(c, 3, 3);
    }
}

void MapCanvas::setOverlay(const QString& id, const QImage& image, const QRectF& pixels,
                           const std::shared_ptr<const SceneData>& madeFor, Binding binding) {
    const std::shared_ptr<const SceneData> base = madeFor ? madeFor : scene_;
    if (image.isNull() || !base || closedScenes_.contains(base->path)) {
        hiddenByFailure_.remove(id);
        const bool had = (overlays_.remove(id) > 0) | (failures_.remove(id) > 0);
        order_.removeAll(id);
        update();
        emit overlayChanged(id);
        if (had)
            emit overlayLayersChanged();
        return;
    }
    const bool added = !overlays_.contains(id);
    Overlay& o = overlays_[id];
    const bool failed = failures_.remove(id) > 0;
    if (failed && hiddenByFailure_.remove(id))
        o.visible = true; // a new result after a failure: shown again
    // A live preview replaces its image many times a second on the same grid: the CRS text
    // and the layer lists stay as they are then.
    const bool sameGrid = !added && o.scenePath == base->path && o.width == base->profile.width &&
                          o.height == base->profile.height &&
                          o.transform == base->profile.transform && o.binding == binding;
    o.image = image;
    o.pixels = pixels;
    o.scenePath = base->path;
    o.width = base->profile.width;
    o.height = base->profile.height;
    o.transform = base->profile.transform;
    if (!sameGrid)
        o.crsWkt = base->profile.crs.to_wkt();
    o.binding = binding;
    if (added) {
        // Placed by id among the others (producers name them so the order makes sense).
        auto at = std::lower_bound(order_.begin(), order_.end(), id);
        order_.insert(at, id);
    }
    update();
    emit overlayChanged(id);
    if (!sameGrid || failed)
        emit overlayLayersChanged(); // the scene it belongs to may have changed
}

void MapCanvas::setClosedScenes(const QSet<QString>& paths) {
    closedScenes_ = paths;
    QStringList stale;
    for (auto it = overlays_.cbegin(); it != overlays_.cend(); ++it)
        if (closedScenes_.contains(it->scenePath))
            stale << it.key();
    for (const QString& id : stale)
        removeOverlay(id);
}

void MapCanvas::setOverlayFailed(const QString& id, const QString& message) {
    if (message.isEmpty()) {
        if (!failures_.remove(id))
            return;
        if (hiddenByFailure_.remove(id) && overlays_.contains(id))
            overlays_[id].visible = true;
    } else {
        if (failures_.value(id) == message)
            return;
        failures_[id] = message;
        if (auto it = overlays_.find(id); it != overlays_.end() && it->visible) {
            it->visible = false; // what it shows belongs to other parameters
            hiddenByFailure_.insert(id);
        }
    }
    update();
    emit overlayLayersChanged();
}

std::optional<QRectF> MapCanvas::rectOnScene(const Overlay& o) const {
    if (!scene_)
        return std::nullopt;
    const rb::Affine& t = scene_->profile.transform;
    const bool sameSize = o.width == scene_->profile.width && o.height == scene_->profile.height;
    if (o.binding == Binding::Scene) {
        if (sameSize && o.scenePath == scene_->path)
            return o.pixels;
        return std::nullopt;
    }
    if (sameSize && o.transform == t)
        return o.pixels;
    // Another grid: drawn at its place on the map when both are north-up grids of one CRS (the
    // drawing is then a scale and a shift). Compared as text: scenes of one product family
    // carry the same WKT, and this runs on every paint.
    const rb::Affine& u = o.transform;
    if (o.crsWkt.empty() || o.crsWkt != scene_->profile.crs.to_wkt() || u.b != 0 || u.d != 0 ||
        t.b != 0 || t.d != 0 || !(u.a * t.a > 0) || !(u.e * t.e > 0))
        return std::nullopt; // rotated, or flipped against each other: not a scale and shift
    const auto toScene = [&](double col, double row) {
        const double x = u.c + col * u.a, y = u.f + row * u.e;
        return QPointF((x - t.c) / t.a, (y - t.f) / t.e);
    };
    return QRectF(toScene(o.pixels.left(), o.pixels.top()),
                  toScene(o.pixels.right(), o.pixels.bottom()))
        .normalized();
}

bool MapCanvas::overlayOnScene(const QString& id) const {
    const auto it = overlays_.constFind(id);
    return it != overlays_.constEnd() && rectOnScene(*it).has_value();
}

QRectF MapCanvas::overlayRect(const QString& id) const {
    const auto it = overlays_.constFind(id);
    if (it == overlays_.constEnd())
        return {};
    return rectOnScene(*it).value_or(it->pixels);
}

bool MapCanvas::overlayDrawn(const QString& id) const {
    return overlays_.value(id).visible && overlayOnScene(id);
}

void MapCanvas::setOverlayVisible(const QString& id, bool visible) {
    auto it = overlays_.find(id);
    if (it == overlays_.end() || it->visible == visible)
        return;
    hiddenByFailure_.remove(id); // the user's choice from now on
    it->visible = visible;
    update();
    emit overlayLayersChanged();
}

void MapCanvas::setOverlayOpacity(const QString& id, double opacity) {
    auto it = overlays_.find(id);
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (it == overlays_.end() || it->opacity == opacity)
        return;
    it->opacity = opacity;
    update();
    emit overlayLayersChanged();
}

void MapCanvas::moveOverlay(const QString& id, int delta) {
    const int from = order_.indexOf(id);
    if (from < 0)
        return;
    const int to = std::clamp(from + delta, 0, int(order_.size()) - 1);
    if (to == from)
        return;
    order_.move(from, to);
    update();
    emit overlayLayersChanged();
}

void MapCanvas::resizeEvent(QResizeEvent*) {
    if (fitMode_)
        fitToWindow();
    else
        setView(view_); // more (or less) of the scene is visible: render it
}

void MapCanvas::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        dragging_ = true;
        dragMoved_ = false;
        pressPos_ = event->position();
        lastDragPos_ = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
}

void MapCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_) {
        // A few pixels of jitter in a click are not a drag.
        if ((event->position() - pressPos_).manhattanLength() > 3)
            dragMoved_ = true;
        if (dragMoved_) {
            panBy(event->position() - lastDragPos_);
            lastDragPos_ = event->position();
        }
    }
    if (scene_) {
        const QPointF px = widgetToPixel(event->position());
        emit cursorMoved(px.x(), px.y());
    }
}

void MapCanvas::mouseReleaseEvent(QMouseEvent* event) {
    if (dragging_ && !(event->buttons() & (Qt::LeftButton | Qt::MiddleButton))) {
        dragging_ = false;
        unsetCursor();
        if (!dragMoved_ && event->button() == Qt::LeftButton && scene_) {
            const QPointF px = widgetToPixel(event->position());
            emit pixelClicked(int(std::floor(px.x())), int(std::floor(px.y())));
        }
    }
}

void MapCanvas::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton)
        zoomAt(event->position(), 2.0);
}

void MapCanvas::wheelEvent(QWheelEvent* event) {
    // One notch (120 units) zooms by 2^(1/4): four notches double the scale.
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomAt(event->position(), std::pow(2.0, steps / 4.0));
    event->accept();
}

void MapCanvas::leaveEvent(QEvent*) {
    emit cursorLeft();
}

} // namespace rb::ui
