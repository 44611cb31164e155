#pragma once
// The Layers panel: the scenes of the stack with name, acquisition date, size, CRS, data
// type, valid-pixel share and grid status (flagged when a scene's grid differs from the
// reference's). In a narrow dock the name is elided and size, type and valid share move to
// its tooltip (the header's menu shows them as columns again). Visibility check boxes,
// reorder (buttons or drag and drop), remove, and the current scene selected. Flagged
// scenes can be aligned to the reference grid (one, or all; into the cache folder or a file
// the user names) with a resampling the user may choose.
#include <QWidget>

#include <optional>

#include "rasterbench/warp.h"

class QAction;
class QComboBox;
class QTreeWidget;
class QTreeWidgetItem;
class QToolButton;

namespace rb::ui {

class ColumnFit;
class SceneStack;

class LayersPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { Name, Date, Size, Crs, Type, Valid, Grid, ColumnCount };

    explicit LayersPanel(SceneStack* stack, QWidget* parent = nullptr);

    /// Wide enough for a scene's name, date, CRS and grid status without scrolling (the
    /// workspaces size the dock to it; the window's first layout keeps the widget's own
    /// size hint).
    int preferredWidth() const;

    QTreeWidget* tree() const { return tree_; }
    /// The text shown in a cell (tests).
    QString cellText(int row, Column column) const;
    /// Whether the row has a visibility check box (failed scenes have none).
    bool rowCheckable(int row) const;

    QAction* alignAction() const { return align_; }
    QAction* alignAllAction() const { return alignAll_; }
    QAction* saveAlignedAction() const { return saveAligned_; }
    QComboBox* resamplingBox() const { return resampling_; }
    /// The resampling chosen (unset: each scene's default, see SceneStack).
    std::optional<rb::WarpResampling> chosenResampling() const;
    /// Aligns the selected scene into `path` (empty: the cache folder); false with the
    /// message shown in the panel when it cannot start.
    bool alignSelected(const QString& path = {});

signals:
    /// A message for the user (an alignment that could not start).
    void message(const QString& text);

private:
    void rebuild();
    void onItemChanged(QTreeWidgetItem* item, int column);
    int selectedRow() const;
    void saveAlignedAs();

    SceneStack* stack_;
    QTreeWidget* tree_;
    QToolButton* up_;
    QToolButton* down_;
    QToolButton* remove_;
    QToolButton* alignButton_;
    QComboBox* resampling_;
    QAction* align_;
    QAction* alignAll_;
    QAction* saveAligned_;
    ColumnFit* fit_;
    bool rebuilding_ = false;
};

} // namespace rb::ui
