#pragma once
// The map view of one scene: pan by drag, zoom by wheel about the cursor, fit to window.
// The image shown is rendered in the background for the visible window at screen
// resolution; until a new render arrives the previous one is drawn scaled into place.
#include <QColor>
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <array>
#include <atomic>
#include <memory>

#include "SceneLayer.h"
#include "ViewTransform.h"
#include "rasterbench/window.h"

namespace rb::ui {

class MapCanvas : public QWidget {
    Q_OBJECT
public:
    /// Colours of the checkerboard drawn under the scene (seen through nodata).
    static constexpr std::array<QRgb, 2> kCheckerColors = {0xffc8c8c8, 0xff9e9e9e};
    /// Colour of the area outside the scene.
    static constexpr QRgb kBackgroundColor = 0xff3a3d40;
    static constexpr int kCheckerSize = 8;

    explicit MapCanvas(QWidget* parent = nullptr);
    ~MapCanvas() override;

    /// Shows `scene` fitted to the window (null clears the view).
    void setScene(std::shared_ptr<const SceneData> scene);
    std::shared_ptr<const SceneData> scene() const { return scene_; }

    const ViewTransform& view() const { return view_; }
    /// Fits the whole scene; the view keeps fitting on resize until the user pans or zooms.
    void fitToWindow();
    /// Zooms by `factor` (> 1 zooms in) keeping the scene point under `widgetPos` fixed.
    void zoomAt(QPointF widgetPos, double factor);
    /// Zooms about the centre of the widget.
    void zoomBy(double factor);
    /// Moves the scene by `delta` widget pixels.
    void panBy(QPointF delta);

    /// Fractional scene (col, row) under a widget position; the pixel is its floor.
    QPointF widgetToPixel(QPointF widgetPos) const { return view_.toPixel(widgetPos); }
    QPointF pixelToWidget(QPointF pixel) const { return view_.toWidget(pixel); }

    /// True when a scene is shown and no render is scheduled or running for the view.
    bool isRenderIdle() const;
    /// The latest rendered image (covering lastImageRect() in scene pixels).
    QImage lastImage() const { return image_; }
    QRectF lastImageRect() const { return imageRect_; }

    QSize sizeHint() const override { return {800, 600}; }

signals:
    void renderFinished();
    void renderFailed(const QString& message);
    /// Fractional scene (col, row) under the mouse.
    void cursorMoved(double col, double row);
    void cursorLeft();
    void viewChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void setView(const ViewTransform& view);
    void scheduleRender();
    void startRender();
    /// Scene pixels visible in the widget, clipped to the raster (empty when none).
    rb::Window visibleWindow() const;

    std::shared_ptr<const SceneData> scene_;
    ViewTransform view_;
    bool fitMode_ = true;

    QImage image_;
    QRectF imageRect_;

    QThreadPool pool_;
    QTimer renderTimer_;
    quint64 requested_ = 0; ///< generation of the newest render request
    quint64 completed_ = 0; ///< newest generation whose result (or error) arrived
    /// Shared with workers so queued requests that are already stale skip their read.
    std::shared_ptr<std::atomic<quint64>> latest_;

    bool dragging_ = false;
    QPointF lastDragPos_;
};

} // namespace rb::ui
