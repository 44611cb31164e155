#pragma once
// Scene pixel coordinates (fractional col, row) <-> widget coordinates: a uniform scale
// and an offset, widget = pixel * scale + offset.
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <algorithm>
#include <cmath>

namespace rb::ui {

class ViewTransform {
public:
    static constexpr double kMinScale = 1e-4;
    static constexpr double kMaxScale = 256.0;

    double scale() const { return scale_; }
    QPointF offset() const { return offset_; }
    void set(double scale, QPointF offset) {
        scale_ = std::clamp(scale, kMinScale, kMaxScale);
        offset_ = offset;
    }

    QPointF toPixel(QPointF widget) const { return (widget - offset_) / scale_; }
    QPointF toWidget(QPointF pixel) const { return pixel * scale_ + offset_; }
    QRectF toWidget(const QRectF& pixels) const {
        return {toWidget(pixels.topLeft()), pixels.size() * scale_};
    }
    QRectF toPixel(const QRectF& widget) const {
        return {toPixel(widget.topLeft()), widget.size() / scale_};
    }

    /// Multiplies the scale by `factor` keeping the scene point under `anchor` fixed.
    void zoomAt(QPointF anchor, double factor) {
        const QPointF p = toPixel(anchor);
        scale_ = std::clamp(scale_ * factor, kMinScale, kMaxScale);
        offset_ = anchor - p * scale_;
    }
    void panBy(QPointF delta) { offset_ += delta; }

    /// Whole scene of `sceneSize` pixels centred in a viewport of `viewSize`.
    static ViewTransform fit(QSizeF sceneSize, QSizeF viewSize) {
        ViewTransform v;
        if (sceneSize.isEmpty() || viewSize.isEmpty())
            return v;
        const double s =
            std::min(viewSize.width() / sceneSize.width(), viewSize.height() / sceneSize.height());
        v.set(s, QPointF((viewSize.width() - sceneSize.width() * s) / 2.0,
                         (viewSize.height() - sceneSize.height() * s) / 2.0));
        return v;
    }

    bool operator==(const ViewTransform&) const = default;

private:
    double scale_ = 1.0;
    QPointF offset_;
};

} // namespace rb::ui
