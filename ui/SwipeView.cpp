#include "SwipeView.h"

#include <QMouseEvent>
#include <QRegion>

#include <algorithm>

#include "MapCanvas.h"
#include "ViewLink.h"

namespace rb::ui {

SwipeView::SwipeView(QWidget* parent)
    : QWidget(parent), left_(new MapCanvas(this)), right_(new MapCanvas(this)),
      handle_(new QWidget(this)), link_(new ViewLink(this)) {
    handle_->setCursor(Qt::SplitHCursor);
    handle_->setAutoFillBackground(true);
    QPalette pal = handle_->palette();
    pal.setColor(QPalette::Window, QColor(250, 250, 250));
    handle_->setPalette(pal);
    handle_->installEventFilter(this);
    right_->raise();
    handle_->raise();
    link_->add(left_);
    link_->add(right_);
}

int SwipeView::dividerX() const {
    return int(std::lround(divider_ * width()));
}

void SwipeView::setDivider(double fraction) {
    divider_ = std::clamp(fraction, 0.0, 1.0);
    layoutChildren();
}

void SwipeView::resizeEvent(QResizeEvent*) {
    layoutChildren();
}

void SwipeView::layoutChildren() {
    const QRect all = rect();
    left_->setGeometry(all);
    right_->setGeometry(all);
    const int x = dividerX();
    // The upper view exists (for painting and the mouse) only right of the divider.
    right_->setMask(QRegion(x, 0, std::max(0, width() - x), height()));
    handle_->setGeometry(x - kHandleWidth / 2, 0, kHandleWidth, height());
}

bool SwipeView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == handle_ && event->type() == QEvent::MouseMove) {
        auto* e = static_cast<QMouseEvent*>(event);
        if (e->buttons() & Qt::LeftButton && width() > 0)
            setDivider(mapFromGlobal(e->globalPosition().toPoint()).x() / double(width()));
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace rb::ui
