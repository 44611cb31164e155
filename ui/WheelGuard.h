#pragma once
// Scrolling a form must not change its values: spin boxes, sliders and combo boxes take the
// mouse wheel only when they have keyboard focus (a click or Tab gives it); otherwise the
// wheel goes on to the enclosing scroll area, which scrolls the form.
#include <QObject>

namespace rb::ui {

class WheelGuard : public QObject {
    Q_OBJECT
public:
    /// Installs one guard for the whole application (idempotent).
    static void install();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    using QObject::QObject;
};

} // namespace rb::ui
