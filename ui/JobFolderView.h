#pragma once
// The window beside an open job folder's map layer: the folder, the colours of the tile
// states, the counts per stage (done / running / missing / failed), the commands that
// resubmit only the missing tasks, Refresh and Close Job (which takes the layer off the map).
#include <QDialog>

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
    QPlainTextEdit* resubmitText() const { return resubmit_; }

private:
    void sync();

    JobFolderLayer* layer_;
    QLabel* folder_;
    QLabel* counts_;
    QPlainTextEdit* resubmit_;
    QPushButton* refresh_;
    QPushButton* closeJob_;
};

} // namespace rb::ui
