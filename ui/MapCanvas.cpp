#include "MapCanvas.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "Background.h"
#include "SceneRender.h"

namespace rb::ui {

namespace {

struct RenderResult {
    quint64 generation = 0;
    bool skipped = false; ///< stale when it was about to run
    QImage image;
    QRectF rect;
    QString error;
};

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

MapCanvas::MapCanvas(QWidget* parent)
    : QWidget(parent), latest_(std::make_shared<std::atomic<quint64>>(0)) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    // Two workers: one can finish a render while the next (newer) one starts reading.
    pool_.setMaxThreadCount(2);
    // Coalesces the many view changes of a drag or a wheel burst into one request.
    renderTimer_.setSingleShot(true);
    renderTimer_.setInterval(15);
    connect(&renderTimer_, &QTimer::timeout, this, &MapCanvas::startRender);
}

MapCanvas::~MapCanvas() {
    latest_->store(std::numeric_limits<quint64>::max()); // queued renders skip their work
    pool_.waitForDone();
}

void MapCanvas::setScene(std::shared_ptr<const SceneData> scene) {
    scene_ = std::move(scene);
    image_ = QImage();
    imageRect_ = QRectF();
    fitToWindow();
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
    return scene_ && !renderTimer_.isActive() && completed_ == requested_;
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
    // A new request makes every older one stale at once, even before the timer fires.
    latest_->store(++requested_);
    renderTimer_.start();
}

void MapCanvas::startRender() {
    if (!scene_)
        return;
    const quint64 generation = requested_;
    const rb::Window window = visibleWindow();
    if (window.empty()) {
        completed_ = generation; // nothing of the scene is visible: nothing to read
        image_ = QImage();
        update();
        emit renderFinished();
        return;
    }
    // Screen resolution when zoomed out; never more than the file's own pixels when zoomed
    // in (the painter enlarges them, nearest neighbour, so each pixel stays a crisp block).
    const double dpr = devicePixelRatioF();
    const auto outCols = int(std::clamp<double>(std::ceil(window.width * view_.scale() * dpr), 1.0,
                                                double(window.width)));
    const auto outRows = int(std::clamp<double>(std::ceil(window.height * view_.scale() * dpr), 1.0,
                                                double(window.height)));
    runInBackground(
        this, &pool_,
        [scene = scene_, window, outCols, outRows, generation, latest = latest_]() {
            RenderResult r;
            r.generation = generation;
            if (latest->load() != generation) {
                r.skipped = true;
                return r;
            }
            r.rect = QRectF(double(window.col_off), double(window.row_off), double(window.width),
                            double(window.height));
            try {
                r.image = renderSceneWindow(*scene, window, outCols, outRows);
            } catch (const std::exception& e) {
                r.error = QString::fromStdString(e.what());
            }
            return r;
        },
        [this, scene = scene_](const RenderResult& r) {
            // Newest wins: an older result never replaces a newer one, and a result for a
            // scene no longer shown is dropped.
            if (r.skipped || r.generation <= completed_ || scene != scene_)
                return;
            completed_ = r.generation;
            if (r.error.isEmpty()) {
                image_ = r.image;
                imageRect_ = r.rect;
                update();
            } else {
                emit renderFailed(r.error);
            }
            if (isRenderIdle())
                emit renderFinished();
        });
}

void MapCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor::fromRgb(kBackgroundColor));
    if (!scene_)
        return;
    const QRectF sceneRect =
        view_.toWidget(QRectF(0, 0, scene_->profile.width, scene_->profile.height));
    static const QPixmap tile = checkerTile();
    p.fillRect(sceneRect, QBrush(tile));
    if (image_.isNull())
        return;
    const QRectF target = view_.toWidget(imageRect_);
    // Nearest neighbour when enlarging keeps pixels exact; smooth when shrinking a preview.
    p.setRenderHint(QPainter::SmoothPixmapTransform,
                    target.width() * devicePixelRatioF() < image_.width());
    p.drawImage(target, image_);
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
        lastDragPos_ = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
}

void MapCanvas::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_) {
        panBy(event->position() - lastDragPos_);
        lastDragPos_ = event->position();
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
