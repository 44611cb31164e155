#pragma once
// What the window shows while no scene is open: how to start (open files, the recent ones,
// the bundled sample scene) and the workspaces, instead of an empty grey map.
#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace rb::ui {

class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget* parent = nullptr);

    /// The recently opened files that still exist are listed, newest first.
    void setRecentFiles(const QStringList& files);
    /// The sample scene offered by "Open the sample scene" (the button hides when empty or
    /// missing).
    void setSamplePath(const QString& path);
    QListWidget* recentList() const { return recent_; }
    QPushButton* sampleButton() const { return sample_; }
    QPushButton* openButton() const { return open_; }

signals:
    void openRequested();
    void fileRequested(const QString& path);

private:
    QPushButton* open_;
    QPushButton* sample_;
    QListWidget* recent_;
    QString samplePath_;
};

} // namespace rb::ui
