#include "CursorInfoLabel.h"

#include <QFileInfo>

#include <cmath>
#include <exception>

#include "rasterbench/dtype.h"

namespace rb::ui {

CursorInfoLabel::CursorInfoLabel(QWidget* parent) : QLabel(parent) {
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(&probe_, &PixelProbe::valuesReady, this, &CursorInfoLabel::showValues);
}

void CursorInfoLabel::setScene(std::shared_ptr<const SceneData> scene) {
    scene_ = std::move(scene);
    mapDecimals_ = 1;
    summary_.clear();
    if (scene_) {
        const rb::Profile& p = scene_->profile;
        QString crs = tr("no CRS");
        if (!p.crs.empty()) {
            // PROJ may fail to identify a custom CRS; the summary then just names it.
            try {
                const auto epsg = p.crs.to_epsg();
                crs = epsg ? QStringLiteral("EPSG:%1").arg(*epsg)
                           : QString::fromStdString(p.crs.name());
                // Degrees need more decimals than metres for the same precision on the ground.
                mapDecimals_ = p.crs.is_geographic() ? 6 : 1;
            } catch (const std::exception&) {
            }
        }
        summary_ = tr("%1: %2 x %3 px, %n band(s) %4, %5", nullptr, p.count)
                       .arg(QFileInfo(scene_->path).fileName())
                       .arg(p.width)
                       .arg(p.height)
                       .arg(QString::fromUtf8(rb::dtype_name(p.dtype).data(),
                                              qsizetype(rb::dtype_name(p.dtype).size())))
                       .arg(crs);
    }
    clearCursor();
}

void CursorInfoLabel::clearCursor() {
    probe_.cancel();
    pixel_.reset();
    pending_ = false;
    setText(summary_);
}

QString CursorInfoLabel::formatValues(const PixelValues& v) {
    if (!v.error.isEmpty())
        return QStringLiteral("values: %1").arg(v.error);
    QStringList parts;
    const bool integral = !rb::is_floating(v.dtype);
    for (std::size_t b = 0; b < v.values.size(); ++b) {
        if (b < v.valid.size() && !v.valid[b])
            parts << QStringLiteral("nodata");
        else if (integral)
            parts << QString::number(qlonglong(std::llround(v.values[b])));
        else
            parts << QString::number(v.values[b], 'g', 7);
    }
    return QStringLiteral("values: ") + parts.join(QStringLiteral(", "));
}

QString CursorInfoLabel::coordinatePrefix() const {
    const rb::Affine& t = scene_->profile.transform;
    // Inside the raster the map point is the pixel's centre, so it matches the values.
    const auto [x, y] =
        pixel_ ? t.pixel_center(pixel_->x(), pixel_->y()) : t.apply(cursor_.x(), cursor_.y());
    QString text =
        QStringLiteral("x %1, y %2").arg(x, 0, 'f', mapDecimals_).arg(y, 0, 'f', mapDecimals_);
    if (pixel_)
        text = QStringLiteral("row %1, col %2 | ").arg(pixel_->y()).arg(pixel_->x()) + text;
    return text;
}

void CursorInfoLabel::setCursorPosition(double col, double row) {
    if (!scene_)
        return;
    cursor_ = QPointF(col, row);
    const int c = int(std::floor(col)), r = int(std::floor(row));
    const bool inside = std::isfinite(col) && std::isfinite(row) && c >= 0 && r >= 0 &&
                        c < scene_->profile.width && r < scene_->profile.height;
    if (!inside) {
        probe_.cancel();
        pixel_.reset();
        pending_ = false;
        setText(coordinatePrefix() + QStringLiteral(" | outside the raster"));
        return;
    }
    if (pixel_ == QPoint(c, r))
        return; // same pixel: its values are shown or on their way
    pixel_ = QPoint(c, r);
    pending_ = true;
    setText(coordinatePrefix() + QStringLiteral(" | values: \u2026"));
    probe_.query(scene_, c, r);
}

void CursorInfoLabel::showValues(const PixelValues& v) {
    if (!scene_ || !pixel_ || *pixel_ != QPoint(v.col, v.row))
        return;
    pending_ = false;
    setText(coordinatePrefix() + QStringLiteral(" | ") + formatValues(v));
}

} // namespace rb::ui
