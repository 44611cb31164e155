#pragma once
// File > Open Recent: the most recently opened files, persisted in QSettings.
#include <QMenu>
#include <QStringList>

namespace rb::ui {

class RecentFilesMenu : public QMenu {
    Q_OBJECT
public:
    static constexpr int kMaxFiles = 10;
    static constexpr const char* kSettingsKey = "recentFiles";

    explicit RecentFilesMenu(QWidget* parent = nullptr);

    QStringList files() const { return files_; }
    /// Moves `path` to the top of the list and saves the list.
    void addFile(const QString& path);
    void clearFiles();

signals:
    void fileRequested(const QString& path);

private:
    void rebuild();
    void save() const;

    QStringList files_;
};

} // namespace rb::ui
