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

SpectrumView::SpectrumView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(160, 160);
}

void SpectrumView::setSpectrum(std::shared_ptr<const rb::fft::Spectrum> spectrum) {
    spectrum_ = std::move(spectrum);
    rebuildImage();
}

void SpectrumView::setContrast(double lowPercent, double highPercent) {
    lowPercent_ = std::clamp(lowPercent, 0.0, 100.0);
    highPercent_ = std::clamp(highPercent, lowPercent_ + 0.01, 100.0);
    rebuildImage();
}

void SpectrumView::setNotches(const NotchSet& notches) {
    notches_ = notches;
    if (selected_ >= int(notches_.points.size()))
        selected_ = -1;
    update();
}

void SpectrumView::rebuildImage() {
    image_ = QImage();
    if (spectrum_ && !spectrum_->log_magnitude.empty()) {
        std::vector<float> sorted = spectrum_->log_magnitude;
        const auto pick = [&](double pct) {
            const auto k = std::size_t(pct / 100.0 * double(sorted.size() - 1));
            std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
            return double(sorted[k]);
        };
        const double lo = pick(lowPercent_), hi = std::max(pick(highPercent_), lo + 1e-6);
        image_ = QImage(spectrum_->cols, spectrum_->rows, QImage::Format_Grayscale8);
        for (int r = 0; r < spectrum_->rows; ++r) {
            uchar* line = image_.scanLine(r);
            for (int c = 0; c < spectrum_->cols; ++c)
                line[c] =
                    uchar(std::clamp((spectrum_->at(r, c) - lo) / (hi - lo) * 255.0, 0.0, 255.0));
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

std::optional<std::pair<int, bool>> SpectrumView::notchAt(QPointF pos) const {
    const QRectF ir = imageRect();
    if (!spectrum_ || ir.isEmpty())
        return std::nullopt;
    const double pxPerCycle = ir.width(); // one cycle/pixel spans the image width
    for (int i = int(notches_.points.size()) - 1; i >= 0; --i) {
        const PointNotch& n = notches_.points[std::size_t(i)];
        const double reach = std::max(6.0, n.radius * pxPerCycle);
        for (bool twin : {false, true}) {
            const QPointF c = twin ? frequencyToWidget(-n.u, -n.v) : frequencyToWidget(n.u, n.v);
            if (QLineF(c, pos).length() <= reach)
                return std::make_pair(i, twin);
        }
    }
    return std::nullopt;
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
    for (const auto& s : notches_.stripes) {
        // The rejected line runs through DC along (sin a, cos a) in (u, v).
        const double a = s.angle_deg * std::numbers::pi / 180;
        const QPointF dc = frequencyToWidget(0, 0);
        const QPointF d(std::sin(a) * sx, std::cos(a) * sy);
        QPen pen(QColor(255, 170, 0, 200), std::max(1.0, s.width * sx));
        pen.setCapStyle(Qt::FlatCap);
        p.setPen(pen);
        p.drawLine(dc - d, dc + d);
        p.setPen(QPen(QColor(255, 170, 0, 230), 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(dc, s.protect_radius * sx, s.protect_radius * sy);
    }
    for (int i = 0; i < int(notches_.points.size()); ++i) {
        const PointNotch& n = notches_.points[std::size_t(i)];
        const QColor colour = i == selected_ ? QColor(255, 80, 80) : QColor(80, 200, 255);
        for (bool twin : {false, true}) {
            const QPointF c = twin ? frequencyToWidget(-n.u, -n.v) : frequencyToWidget(n.u, n.v);
            p.setPen(QPen(colour, twin ? 1 : 2, twin ? Qt::DashLine : Qt::SolidLine));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(c, std::max(2.0, n.radius * sx), std::max(2.0, n.radius * sy));
        }
    }
}

void SpectrumView::mousePressEvent(QMouseEvent* event) {
    setFocus();
    const QPointF pos = event->position();
    const auto hit = notchAt(pos);
    if (event->button() == Qt::RightButton) {
        if (hit) {
            NotchSet n = notches_;
            n.points.erase(n.points.begin() + hit->first);
            selected_ = -1;
            emit notchesEdited(n, false);
        }
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    dragEdited_ = false;
    if (hit) {
        dragging_ = hit;
        selected_ = hit->first;
        update();
        return;
    }
    double u = 0, v = 0;
    if (!widgetToFrequency(pos, u, v))
        return;
    NotchSet n = notches_;
    if (tool_ == Tool::Stripe) {
        rb::fft::StripeNotch s;
        s.angle_deg = rb::fft::frequency_info(u, v).stripe_deg;
        s.width = 1.5 * defaultRadius();
        s.softness = defaultRadius();
        s.protect_radius = std::max(0.02, 0.5 * std::hypot(u, v));
        n.stripes.push_back(s);
    } else {
        n.points.push_back({u, v, defaultRadius(), rb::fft::NotchShape::Gaussian, 2});
        selected_ = int(n.points.size()) - 1;
        dragging_ = std::make_pair(selected_, false);
        dragEdited_ = true; // the placement is the gesture's undo step
    }
    emit notchesEdited(n, false);
}

void SpectrumView::mouseMoveEvent(QMouseEvent* event) {
    double u = 0, v = 0;
    if (widgetToFrequency(event->position(), u, v))
        emit hovered(describe(u, v));
    if (dragging_ && (event->buttons() & Qt::LeftButton) &&
        dragging_->first < int(notches_.points.size()) &&
        widgetToFrequency(event->position(), u, v)) {
        NotchSet n = notches_;
        auto& p = n.points[std::size_t(dragging_->first)];
        p.u = dragging_->second ? -u : u;
        p.v = dragging_->second ? -v : v;
        emit notchesEdited(n, dragEdited_);
        dragEdited_ = true;
    }
}

void SpectrumView::mouseReleaseEvent(QMouseEvent*) {
    dragging_.reset();
}

void SpectrumView::wheelEvent(QWheelEvent* event) {
    const auto hit = notchAt(event->position());
    if (!hit) {
        event->ignore();
        return;
    }
    NotchSet n = notches_;
    auto& p = n.points[std::size_t(hit->first)];
    p.radius = std::clamp(p.radius * std::pow(1.25, event->angleDelta().y() / 120.0), 1e-4, 0.25);
    selected_ = hit->first;
    emit notchesEdited(n, false);
    event->accept();
}

void SpectrumView::keyPressEvent(QKeyEvent* event) {
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && selected_ >= 0 &&
        selected_ < int(notches_.points.size())) {
        NotchSet n = notches_;
        n.points.erase(n.points.begin() + selected_);
        selected_ = -1;
        emit notchesEdited(n, false);
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace rb::ui
