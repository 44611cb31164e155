#pragma once
// The Layers panel: the scenes of the stack with name, acquisition date, size, CRS, data
// type, valid-pixel share and grid status (flagged when a scene's grid differs from the
// reference's); visibility check boxes, reorder, remove, and the current scene selected.
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;
class QToolButton;

namespace rb::ui {

class SceneStack;

class LayersPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Name, Date, Size, Crs, Type, Valid, Grid, ColumnCount };

    explicit LayersPanel(SceneStack* stack, QWidget* parent = nullptr);

    QTreeWidget* tree() const { return tree_; }
    /// The text shown in a cell (tests).
    QString cellText(int row, Column column) const;

private:
    void rebuild();
    void onItemChanged(QTreeWidgetItem* item, int column);
    int selectedRow() const;

    SceneStack* stack_;
    QTreeWidget* tree_;
    QToolButton* up_;
    QToolButton* down_;
    QToolButton* remove_;
    bool rebuilding_ = false;
};

} // namespace rb::ui
