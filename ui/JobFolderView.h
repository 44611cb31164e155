#pragma once
// The window beside an open job folder's map layer: the folder, the stage whose tiles the
// map shows (any stage with tiles; a stage in another CRS is named so, not drawn), the
// colours of the tile states, the counts per stage (done / running / missing / failed), the
// commands that resubmit only the missing tasks, Refresh and Close Job (which takes the layer off
// the map).
#include <QDialog>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace rb::ui {

class JobFolderLayer;

class JobFolderView : public QDialog {
    Q_OBJECT
public:
    explicit JobFolderView(JobFolderLayer* layer, QWidget* parent = nullptr);

    QLabel* countsLabel() const { return counts_; }
    /// The stage shown on the map (item data: the stage's name).
    QComboBox* stageBox() const { return stage_; }
    /// What the map shows of the stage: empty, or why its tiles are not drawn.
    QLabel* stageNote() const { return note_; }
    QPlainTextEdit* resubmitText() const { return resubmit_; }

private:
    void sync();

    JobFolderLayer* layer_;
    QLabel* folder_;
    QComboBox* stage_;
    QLabel* note_;
    QLabel* counts_;
    QPlainTextEdit* resubmit_;
    QPushButton* refresh_;
    QPushButton* closeJob_;
};

} // namespace rb::ui
