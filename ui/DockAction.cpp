#include "DockAction.h"

#include <QAction>
#include <QDockWidget>

namespace rb::ui {

QAction* enclosingDockAction(const QWidget* panel) {
    for (QWidget* w = panel ? panel->parentWidget() : nullptr; w; w = w->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(w))
            return dock->toggleViewAction();
    return nullptr;
}

} // namespace rb::ui
