#pragma once
// Help: the keyboard shortcuts (read from the window's own actions, so the list is never
// stale), a short guide to the workbench, and About with the versions of every library.
#include <QList>
#include <QPair>
#include <QString>

class QMainWindow;
class QMenu;

namespace rb::ui {

/// Adds the Help menu to `window`'s menu bar.
QMenu* addHelpMenu(QMainWindow* window);

/// Every action of `window` with a shortcut: (what it does, its shortcuts), sorted by text.
QList<QPair<QString, QString>> shortcutList(const QMainWindow* window);

/// The About text: Rasterbench and the versions of Qt, GDAL, PROJ, FFTW and muparser.
QString aboutText();

/// How to go from launch to a composite, a debanded raster and a recipe, in a few lines.
QString guideText();

} // namespace rb::ui
