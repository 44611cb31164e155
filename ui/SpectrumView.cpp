#include "SpectrumView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rb::ui {

using rb::fft::NotchSet;
using rb::fft::PointNotch;
using rb::fft::StripeNotch;

namespace {
constexpr double kDegrees = std::numbers::pi / 180;
/// Smallest radius a point notch's marker is drawn with (widget pixels).
constexpr double kMinMarkerRadius = 7.0;

/// Clamps of the sizes a user can give a notch (cycles/pixel).
constexpr double kMinSize = 1e-4, kMaxSize = 0.25;
} // namespace

SpectrumView::SpectrumView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(160, 160);
}

void SpectrumView::setSpectrum(std::shared_ptr<const rb::fft::Spectrum> spectrum) {
    spectrum_ = std::move(spectrum);
    sortedSample_.clear();
    if (spectrum_) {
        // Percentiles of a display stretch need no more than a quarter million values.
        constexpr std::size_t kContrastSample = std::size_t(1) << 18;
        const std::vector<float>& v = spectrum_->log_magnitude;
        const std::size_t step = std::max<std::size_t>(1, v.size() / kContrastSample);
        sortedSample_.reserve(v.size() / step + 1);
        for (std::size_t i = 0; i < v.size(); i += step)
            if (std::isfinite(v[i])) // NaN breaks the sort's ordering
                sortedSample_.push_back(v[i]);
        std::sort(sortedSample_.begin(), sortedSample_.end());
    }
    rebuildImage();
}

void SpectrumView::setContrast(double lowPercent, double highPercent) {
    lowPercent_ = std::clamp(lowPercent, 0.0, 100.0);
    highPercent_ = std::clamp(highPercent, lowPercent_ + 0.01, 100.0);
    rebuildImage();
}

void SpectrumView::setNotches(const NotchSet& notches) {
    notches_ = notches;
    // Undo or an import may have removed what was selected or dragged.
    if (!valid(selected_))
        selected_.reset();
    if (!valid(dragging_))
        dragging_.reset();
    update();
}

void SpectrumView::rebuildImage() {
    image_ = QImage();
    if (spectrum_ && !sortedSample_.empty()) {
        const auto pick = [&](double pct) {
            const auto k = std::size_t(pct / 100.0 * double(sortedSample_.size() - 1));
            return double(sortedSample_[k]);
        };
        const double lo = pick(lowPercent_), hi = std::max(pick(highPercent_), lo + 1e-6);
        // In floats, row by row: a loop the compiler vectorizes (a few ms for 2048²).
        const float flo = float(lo), gain = float(255.0 / (hi - lo));
        image_ = QImage(spectrum_->cols, spectrum_->rows, QImage::Format_Grayscale8);
        for (int r = 0; r < spectrum_->rows; ++r) {
            uchar* line = image_.scanLine(r);
            const float* row = spectrum_->log_magnitude.data() + std::size_t(r) * spectrum_->cols;
            for (int c = 0; c < spectrum_->cols; ++c) {
                const float x = (row[c] - flo) * gain;
                line[c] = uchar(x > 0 ? (x < 255 ? x : 255.0f) : 0.0f); // NaN: black
            }
        }
    }
    update();
}

QRectF SpectrumView::imageRect() const {
    if (image_.isNull())
        return {};
    const double s = std::min(width() / double(image_.width()), height() / double(image_.height()));
    const QSizeF size(image_.width() * s, image_.height() * s);
    return {QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size};
}

QPointF SpectrumView::frequencyToWidget(double u, double v) const {
    if (!spectrum_)
        return {};
    double c = 0, r = 0;
    rb::fft::frequency_to_centred(u, v, spectrum_->rows, spectrum_->cols, c, r);
    const QRectF ir = imageRect();
    // Pixel centres: bin (c, r) is drawn over [c, c + 1).
    return {ir.left() + (c + 0.5) * ir.width() / spectrum_->cols,
            ir.top() + (r + 0.5) * ir.height() / spectrum_->rows};
}

bool SpectrumView::widgetToFrequency(QPointF pos, double& u, double& v) const {
    const QRectF ir = imageRect();
    if (!spectrum_ || !ir.contains(pos))
        return false;
    const double c = (pos.x() - ir.left()) * spectrum_->cols / ir.width() - 0.5;
    const double r = (pos.y() - ir.top()) * spectrum_->rows / ir.height() - 0.5;
    rb::fft::centred_to_frequency(c, r, spectrum_->rows, spectrum_->cols, u, v);
    return true;
}

double SpectrumView::defaultRadius() const {
    return spectrum_ ? 3.0 / std::max(spectrum_->rows, spectrum_->cols) : 0.01;
}

QString SpectrumView::describe(double u, double v) {
    const auto f = rb::fft::frequency_info(u, v);
    return QStringLiteral("u %1, v %2 cycles/px  |  %3 cycles/px, period %4 px, bands at %5\u00b0")
        .arg(u, 0, 'f', 4)
        .arg(v, 0, 'f', 4)
        .arg(f.frequency, 0, 'f', 4)
        .arg(std::isfinite(f.period) ? QString::number(f.period, 'f', 1) : QStringLiteral("\u221e"))
        .arg(f.stripe_deg, 0, 'f', 1);
}

bool SpectrumView::valid(const std::optional<Item>& item) const {
    if (!item || item->index < 0)
        return false;
    return item->kind == Item::Kind::Point ? item->index < int(notches_.points.size())
                                           : item->index < int(notches_.stripes.size());
}

std::optional<SpectrumView::Item> SpectrumView::itemAt(QPointF pos) const {
    const QRectF ir = imageRect();
    if (!spectrum_ || ir.isEmpty())
        return std::nullopt;
    const double sx = ir.width(), sy = ir.height(); // widget pixels per cycle/pixel
    for (int i = int(notches_.points.size()) - 1; i >= 0; --i) {
        const PointNotch& n = notches_.points[std::size_t(i)];
        const double reach = std::max(kMinMarkerRadius + 3, n.radius * sx);
        for (bool twin : {false, true}) {
            const QPointF c = twin ? frequencyToWidget(-n.u, -n.v) : frequencyToWidget(n.u, n.v);
            if (QLineF(c, pos).length() <= reach)
                return Item{Item::Kind::Point, i, twin};
        }
    }
    const QPointF rel = pos - frequencyToWidget(0, 0);
    for (int i = int(notches_.stripes.size()) - 1; i >= 0; --i) {
        const StripeNotch& s = notches_.stripes[std::size_t(i)];
        const double a = s.angle_deg * kDegrees;
        QPointF d(std::sin(a) * sx, std::cos(a) * sy);
        d /= std::hypot(d.x(), d.y());
        const double along = QPointF::dotProduct(rel, d);
        const double across = std::abs(rel.x() * d.y() - rel.y() * d.x());
        // Near DC every line is close: a press there places a notch instead.
        if (across <= std::max(5.0, 0.5 * s.width * std::min(sx, sy)) && std::abs(along) >= 8)
            return Item{Item::Kind::Stripe, i, false};
    }
    return std::nullopt;
}

NotchSet SpectrumView::resized(const Item& item, double factor) const {
    NotchSet n = notches_;
    if (item.kind == Item::Kind::Point) {
        auto& p = n.points[std::size_t(item.index)];
        p.radius = std::clamp(p.radius * factor, kMinSize, kMaxSize);
    } else {
        auto& s = n.stripes[std::size_t(item.index)];
        s.width = std::clamp(s.width * factor, kMinSize, kMaxSize);
    }
    return n;
}

NotchSet SpectrumView::without(const Item& item) const {
    NotchSet n = notches_;
    if (item.kind == Item::Kind::Point)
        n.points.erase(n.points.begin() + item.index);
    else
        n.stripes.erase(n.stripes.begin() + item.index);
    return n;
}

void SpectrumView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(30, 30, 30));
    if (image_.isNull())
        return;
    const QRectF ir = imageRect();
    p.drawImage(ir, image_);
    p.setRenderHint(QPainter::Antialiasing, true);
    const double sx = ir.width(), sy = ir.height(); // widget pixels per cycle/pixel
    const QPointF dc = frequencyToWidget(0, 0);
    for (int i = 0; i < int(notches_.stripes.size()); ++i) {
        const StripeNotch& s = notches_.stripes[std::size_t(i)];
        const bool sel = selected_ == Item{Item::Kind::Stripe, i, false};
        const QColor colour = sel ? QColor(255, 80, 80) : QColor(255, 170, 0);
        // The rejected line runs through DC along (sin a, cos a) in (u, v).
        const double a = s.angle_deg * kDegrees;
        const QPointF d(std::sin(a) * sx, std::cos(a) * sy);
        QColor band = colour;
        band.setAlpha(sel ? 150 : 110);
        QPen pen(band, std::max(1.0, s.width * sx));
        pen.setCapStyle(Qt::FlatCap);
        p.setPen(pen);
        p.drawLine(dc - d, dc + d);
        p.setPen(QPen(colour, 1));
        p.drawLine(dc - d, dc + d); // the centre line: what a drag grabs
        p.setPen(QPen(colour, 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(dc, s.protect_radius * sx, s.protect_radius * sy);
    }
    for (int i = 0; i < int(notches_.points.size()); ++i) {
        const PointNotch& n = notches_.points[std::size_t(i)];
        const bool sel = selected_ && selected_->kind == Item::Kind::Point && selected_->index == i;
        const QColor colour = sel ? QColor(255, 80, 80) : QColor(80, 200, 255);
        for (bool twin : {false, true}) {
            const QPointF c = twin ? frequencyToWidget(-n.u, -n.v) : frequencyToWidget(n.u, n.v);
            p.setPen(QPen(colour, twin ? 1 : 2, twin ? Qt::DashLine : Qt::SolidLine));
            p.setBrush(Qt::NoBrush);
            // At least a marker a pointer can find on a large spectrum; the cross marks its
            // centre, which a small notch's circle alone would hide.
            p.drawEllipse(c, std::max(kMinMarkerRadius, n.radius * sx),
                          std::max(kMinMarkerRadius, n.radius * sy));
            if (!twin) {
                p.drawLine(c - QPointF(4, 0), c + QPointF(4, 0));
                p.drawLine(c - QPointF(0, 4), c + QPointF(0, 4));
            }
        }
    }
}

void SpectrumView::mousePressEvent(QMouseEvent* event) {
    setFocus();
    const QPointF pos = event->position();
    const auto hit = itemAt(pos);
    if (event->button() == Qt::RightButton) {
        if (hit) {
            selected_.reset();
            dragging_.reset();
            emit notchesEdited(without(*hit), false);
        }
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    dragEdited_ = false;
    if (hit) {
        dragging_ = hit;
        dragWidth_ = hit->kind == Item::Kind::Stripe && (event->modifiers() & Qt::ShiftModifier);
        selected_ = hit;
        update();
        return;
    }
    double u = 0, v = 0;
    if (!widgetToFrequency(pos, u, v))
        return;
    NotchSet n = notches_;
    if (tool_ == Tool::Stripe) {
        StripeNotch s;
        s.angle_deg = rb::fft::frequency_info(u, v).stripe_deg;
        s.width = 1.5 * defaultRadius();
        s.softness = defaultRadius();
        s.protect_radius = std::max(0.02, 0.5 * std::hypot(u, v));
        n.stripes.push_back(s);
        selected_ = Item{Item::Kind::Stripe, int(n.stripes.size()) - 1, false};
        dragWidth_ = false;
    } else {
        n.points.push_back({u, v, defaultRadius(), rb::fft::NotchShape::Gaussian, 2});
        selected_ = Item{Item::Kind::Point, int(n.points.size()) - 1, false};
    }
    // Placing and then dragging is one gesture, and one undo step.
    dragging_ = selected_;
    dragEdited_ = true;
    emit notchesEdited(n, false);
}

void SpectrumView::mouseMoveEvent(QMouseEvent* event) {
    double u = 0, v = 0;
    const bool inside = widgetToFrequency(event->position(), u, v);
    if (inside && !(event->buttons() & Qt::LeftButton)) {
        QString text = describe(u, v);
        if (const auto hit = itemAt(event->position())) {
            if (hit->kind == Item::Kind::Point)
                text += tr("  |  notch radius %1 cycles/px")
                            .arg(notches_.points[std::size_t(hit->index)].radius, 0, 'f', 4);
            else
                text += tr("  |  stripe %1\u00b0, width %2 cycles/px")
                            .arg(notches_.stripes[std::size_t(hit->index)].angle_deg, 0, 'f', 1)
                            .arg(notches_.stripes[std::size_t(hit->index)].width, 0, 'f', 4);
        }
        emit hovered(text);
    } else if (inside) {
        emit hovered(describe(u, v));
    }
    if (!dragging_ || !(event->buttons() & Qt::LeftButton) || !valid(dragging_) || !inside)
        return;
    NotchSet n = notches_;
    if (dragging_->kind == Item::Kind::Point) {
        auto& p = n.points[std::size_t(dragging_->index)];
        p.u = dragging_->twin ? -u : u;
        p.v = dragging_->twin ? -v : v;
    } else {
        auto& s = n.stripes[std::size_t(dragging_->index)];
        if (dragWidth_) {
            // Distance from the line through DC along (sin a, cos a), both sides rejected.
            const double a = s.angle_deg * kDegrees;
            s.width =
                std::clamp(2 * std::abs(u * std::cos(a) - v * std::sin(a)), kMinSize, kMaxSize);
        } else {
            // Too near DC the angle is noise: wait for the cursor to leave the centre.
            if (spectrum_ && std::hypot(u, v) < 2.0 / std::max(spectrum_->rows, spectrum_->cols))
                return;
            s.angle_deg = rb::fft::frequency_info(u, v).stripe_deg;
        }
    }
    emit notchesEdited(n, dragEdited_);
    dragEdited_ = true;
}

void SpectrumView::mouseReleaseEvent(QMouseEvent*) {
    dragging_.reset();
}

void SpectrumView::wheelEvent(QWheelEvent* event) {
    const auto hit = itemAt(event->position());
    if (!hit) {
        event->ignore();
        return;
    }
    selected_ = hit;
    emit notchesEdited(resized(*hit, std::pow(1.25, event->angleDelta().y() / 120.0)), false);
    event->accept();
}

void SpectrumView::keyPressEvent(QKeyEvent* event) {
    if (!valid(selected_)) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Delete:
    case Qt::Key_Backspace: {
        const Item item = *selected_;
        selected_.reset();
        dragging_.reset();
        emit notchesEdited(without(item), false);
        return;
    }
    case Qt::Key_Plus:
    case Qt::Key_Equal: // '+' without Shift on most layouts
        emit notchesEdited(resized(*selected_, 1.25), false);
        return;
    case Qt::Key_Minus:
        emit notchesEdited(resized(*selected_, 0.8), false);
        return;
    case Qt::Key_Escape:
        selected_.reset();
        update();
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace rb::ui
