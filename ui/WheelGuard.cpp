#include "WheelGuard.h"

#include <QAbstractScrollArea>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QScrollBar>

namespace rb::ui {

namespace {

bool guarded(const QObject* o) {
    if (qobject_cast<const QScrollBar*>(o))
        return false; // a scroll bar is for scrolling
    return qobject_cast<const QAbstractSpinBox*>(o) || qobject_cast<const QAbstractSlider*>(o) ||
           qobject_cast<const QComboBox*>(o);
}

} // namespace

void WheelGuard::install() {
    static WheelGuard* guard = nullptr;
    if (guard || !qApp)
        return;
    guard = new WheelGuard(qApp);
    qApp->installEventFilter(guard);
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (!guarded(watched))
        return false;
    auto* w = static_cast<QWidget*>(watched);
    // Before a widget is first shown: the wheel alone must not focus it (click or Tab do).
    if (event->type() == QEvent::Polish && w->focusPolicy() == Qt::WheelFocus)
        w->setFocusPolicy(Qt::StrongFocus);
    if (event->type() != QEvent::Wheel)
        return false;
    if (w->hasFocus())
        return false;
    // The wheel scrolls the form that holds the widget. Qt passes an ignored wheel event on
    // to the parents only when it came from the window system, so it is handed over here.
    event->ignore();
    for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
        if (auto* area = qobject_cast<QAbstractScrollArea*>(p)) {
            QCoreApplication::sendEvent(area->viewport(), event);
            break;
        }
    return true;
}

} // namespace rb::ui
