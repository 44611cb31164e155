#pragma once
// The map view of one scene: pan by drag, zoom by wheel about the cursor, fit to window,
// click to pin a pixel. Pixels come from a TileRenderer (tiled, multi-resolution, cached,
// rendered in the background); until a tile arrives the scene's coarse preview shows there.
// Views can be linked (CompareView): they then share the map extent and the cursor.
#include <QColor>
#include <QImage>
#include <QMap>
#include <QPointF>
#include <QRectF>
#include <QSet>
#include <QStringList>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <array>
#include <memory>
#include <optional>

#include "SceneLayer.h"
#include "TileRenderer.h"
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

    /// Shows `scene` (null clears the view). A new display of the same scene keeps the
    /// view; another scene is fitted to the window, or, when the view was moved and both
    /// scenes are georeferenced in the same CRS, keeps the same map extent.
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

    /// Sets the view directly (linked views, scripted views); leaves fit mode.
    void setViewTransform(const ViewTransform& view);
    /// Shows the scene pixel window (col, row, width, height) as large as it fits.
    void showPixelWindow(const QRectF& pixels);

    /// Fractional scene (col, row) under a widget position; the pixel is its floor.
    QPointF widgetToPixel(QPointF widgetPos) const { return view_.toPixel(widgetPos); }
    QPointF pixelToWidget(QPointF pixel) const { return view_.toWidget(pixel); }
    /// Map coordinates of fractional scene pixel `pixel` (the scene's geotransform).
    QPointF pixelToMap(QPointF pixel) const;
    /// Fractional scene pixel of map point `map`.
    QPointF mapToPixel(QPointF map) const;

    /// A cross drawn at a scene pixel position (the cursor of a linked view); none: hidden.
    void setCrosshair(std::optional<QPointF> pixel);
    std::optional<QPointF> crosshair() const { return crosshair_; }
    /// A pinned pixel, outlined; none: no pin.
    void setPin(std::optional<QPoint> pixel);
    std::optional<QPoint> pin() const { return pin_; }

    /// A derived layer drawn over the scene (a filtered result, a difference image): `image`
    /// covers the scene-pixel rectangle `pixels` and is scaled like the scene. A null image
    /// removes it. An overlay belongs to the scene it was made for (`madeFor`; null: the
    /// scene shown now) and is drawn only over that scene, or, with `Binding::Grid`, over
    /// any scene on the same pixel grid (a composite of the stack), or on another north-up grid
    /// of the same CRS, where it is drawn at its place on the map. Republishing an id keeps
    /// the user's visibility, opacity and place in the drawing order. New overlays are
    /// placed by id (drawn in id order until the user reorders them).
    enum class Binding { Scene, Grid };
    void setOverlay(const QString& id, const QImage& image, const QRectF& pixels,
                    const std::shared_ptr<const SceneData>& madeFor = nullptr,
                    Binding binding = Binding::Scene);
    QImage overlay(const QString& id) const { return overlays_.value(id).image; }
    /// The rectangle the overlay covers in the shown scene's pixels (where it is drawn on another
    /// grid of the same CRS: mapped onto this one), else in the pixels it was made for.
    QRectF overlayRect(const QString& id) const;

    /// The overlays as layers: ids in drawing order (bottom first).
    QStringList overlayIds() const { return order_; }
    bool overlayVisible(const QString& id) const { return overlays_.value(id).visible; }
    double overlayOpacity(const QString& id) const { return overlays_.value(id).opacity; }
    /// File of the scene an overlay was made for.
    QString overlayScenePath(const QString& id) const { return overlays_.value(id).scenePath; }
    /// True when the overlay belongs to the scene shown (or its grid): it may be drawn.
    bool overlayOnScene(const QString& id) const;
    /// True when the overlay is drawn now: visible, and made for the scene shown.
    bool overlayDrawn(const QString& id) const;
    void setOverlayVisible(const QString& id, bool visible);
    void setOverlayOpacity(const QString& id, double opacity);
    /// Moves an overlay `delta` places up (drawn later) or down the drawing order.
    void moveOverlay(const QString& id, int delta);
    void removeOverlay(const QString& id) { setOverlay(id, {}, {}); }
    /// Scenes the workbench closed: their overlays are removed now, and one published for
    /// them later (by a job that was running when the scene closed) is not added back. A
    /// scene opened again is left out of the next call.
    void setClosedScenes(const QSet<QString>& paths);
    /// Marks the layer `id` as failed (the job making it ended in `message`): it is hidden
    /// (unticked) and the Layers panel marks it; an empty message, or a new image for it,
    /// clears the mark (and shows it again if the failure had hidden it). A layer may fail
    /// before it ever had an image.
    void setOverlayFailed(const QString& id, const QString& message);
    QString overlayError(const QString& id) const { return failures_.value(id); }
    /// Layers that failed, listed or not.
    QStringList failedOverlayIds() const { return failures_.keys(); }

    /// True when a scene is shown and everything visible is rendered at its final level.
    bool isRenderIdle() const;
    /// The rendered pixels of the visible scene window (covering lastImageRect() in scene
    /// pixels), at the resolution of the level shown.
    QImage lastImage() const;
    QRectF lastImageRect() const;
    TileRenderer* tileRenderer() const { return tiles_; }
    /// Scene pixels visible in the widget, clipped to the raster (empty when none).
    rb::Window visibleWindow() const;

    QSize sizeHint() const override { return {800, 600}; }

signals:
    void renderFinished();
    void renderFailed(const QString& message);
    /// Fractional scene (col, row) under the mouse.
    void cursorMoved(double col, double row);
    /// A click without drag on scene pixel (col, row) (may lie outside the raster).
    void pixelClicked(int col, int row);
    void cursorLeft();
    void viewChanged();
    /// setOverlay() changed overlay `id` (derived-layer registries mirror overlays).
    void overlayChanged(const QString& id);
    /// An overlay was added, removed, reordered, or its visibility or opacity changed, or
    /// the scene changed (which overlays may be drawn).
    void overlayLayersChanged();

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
    void onTilesUpdated();
    TileRenderer::Viewport viewport() const;
    /// Paints the background, the checkerboard and the scene's tiles: from base_ when they
    /// are what it holds, else into it first.
    void paintBase(QPainter& p, const QRectF& sceneRect);

    std::shared_ptr<const SceneData> scene_;
    /// The layers under the overlays, as last painted. A live preview repaints the map many
    /// times a second with only its overlay changed: one copy of this instead of four passes.
    QImage base_;
    struct BaseKey {
        const SceneData* scene = nullptr;
        QRectF sceneRect;
        QSize size;
        double dpr = 0;
        std::vector<quint64> images; ///< TileRenderer::paintedImages
        bool operator==(const BaseKey&) const = default;
    };
    BaseKey baseKey_;
    ViewTransform view_;
    bool fitMode_ = true;

    TileRenderer* tiles_;
    QTimer renderTimer_;
    bool wasIdle_ = false;

    struct Overlay {
        QImage image;
        QRectF pixels;
        QString scenePath;
        int width = 0, height = 0;
        rb::Affine transform;
        std::string crsWkt; ///< of the grid it was made for
        Binding binding = Binding::Scene;
        bool visible = true;
        double opacity = 1.0;
    };
    QMap<QString, Overlay> overlays_;
    /// Where `o` lies in the shown scene's pixels; none when it is not drawn over that scene.
    std::optional<QRectF> rectOnScene(const Overlay& o) const;
    QMap<QString, QString> failures_; ///< failed layer -> message
    QSet<QString> hiddenByFailure_;   ///< layers a failure unticked
    QSet<QString> closedScenes_;      ///< setClosedScenes()
    QStringList order_;               ///< drawing order, bottom first

    std::optional<QPointF> crosshair_;
    std::optional<QPoint> pin_;
    bool dragging_ = false;
    bool dragMoved_ = false;
    QPointF pressPos_;
    QPointF lastDragPos_;
};

} // namespace rb::ui
