#pragma once
// The map's overlays as layers (score composite and its index/score views, deband result
// and difference, each Transform preview): one row per overlay with its name, the scene it
// was made for, a visibility check box and its opacity; up/down change the drawing order and
// remove takes the overlay off the map. Overlays made for another scene than the one shown
// are greyed and marked: the map does not draw them over another scene.
#include <QWidget>

class QSpinBox;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace rb::ui {

class ColumnFit;
class MapCanvas;

class OverlayList : public QWidget {
    Q_OBJECT
public:
    enum Column { Name, Scene, Opacity, ColumnCount };

    explicit OverlayList(MapCanvas* canvas, QWidget* parent = nullptr);

    /// The name shown for an overlay id of the workbench's tools.
    static QString title(const QString& id);

    QTreeWidget* tree() const { return tree_; }
    /// Overlay ids in the order listed (top of the list: drawn last, on top).
    QStringList listedIds() const;
    /// Selects the row of overlay `id` (tests, the buttons act on it).
    void select(const QString& id);
    QToolButton* upButton() const { return up_; }
    QToolButton* downButton() const { return down_; }
    QToolButton* removeButton() const { return remove_; }
    QSpinBox* opacityBox() const { return opacity_; }

private:
    void rebuild();
    QString selectedId() const;
    void onItemChanged(QTreeWidgetItem* item, int column);
    void syncButtons();

    MapCanvas* canvas_;
    QTreeWidget* tree_;
    QToolButton* up_;
    QToolButton* down_;
    QToolButton* remove_;
    QSpinBox* opacity_;
    ColumnFit* fit_;
    bool rebuilding_ = false;
    bool inItemChange_ = false; ///< a rebuild now would delete the item Qt is still changing
};

} // namespace rb::ui
