#pragma once
// Status-bar text for the pixel under the cursor: row/col, map coordinates and every band's
// value, e.g. "row 350, col 400 | x 123456.0, y 2345678.0 | values: 12, 34, 56".
// Values are read in the background (PixelProbe); the text updates when they arrive.
#include <QLabel>

#include <memory>
#include <optional>

#include "PixelProbe.h"
#include "SceneLayer.h"

namespace rb::ui {

class CursorInfoLabel : public QLabel {
    Q_OBJECT
public:
    explicit CursorInfoLabel(QWidget* parent = nullptr);

    void setScene(std::shared_ptr<const SceneData> scene);
    /// The pixel whose values are shown, when the cursor is over the raster.
    std::optional<QPoint> currentPixel() const { return pixel_; }
    /// True while values for the current pixel are being read.
    bool isPending() const { return pending_; }

    /// "values: 12, nodata, 56" (integers for integer types).
    static QString formatValues(const PixelValues& values);

    /// What the label shows while the cursor is not over the map: the scene's summary.
    QString summary() const { return summary_; }

public slots:
    /// Fractional scene (col, row) under the cursor, as MapCanvas::cursorMoved gives it.
    void setCursorPosition(double col, double row);
    void clearCursor();

private:
    void showValues(const PixelValues& values);
    QString coordinatePrefix() const;

    PixelProbe probe_;
    std::shared_ptr<const SceneData> scene_;
    int mapDecimals_ = 1;
    QString summary_;
    std::optional<QPoint> pixel_;
    QPointF cursor_;
    bool pending_ = false;
};

} // namespace rb::ui
