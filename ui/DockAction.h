#pragma once
// The show/hide action of the dock a panel sits in: panels stop their previews when their
// dock is closed (a preview never outlives its panel), but not when another dock tabbed
// with it is brought to the front.
class QAction;
class QWidget;

namespace rb::ui {

/// The toggle-view action of the nearest QDockWidget above `panel`, or null when it is in
/// none (a panel made on its own in a test).
QAction* enclosingDockAction(const QWidget* panel);

} // namespace rb::ui
