#include "RecentFilesMenu.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace rb::ui {

RecentFilesMenu::RecentFilesMenu(QWidget* parent) : QMenu(tr("Open &Recent"), parent) {
    files_ = QSettings().value(kSettingsKey).toStringList();
    while (files_.size() > kMaxFiles)
        files_.removeLast();
    rebuild();
}

void RecentFilesMenu::addFile(const QString& path) {
    // Absolute paths, so the list still works from another working directory.
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files_.removeAll(absolute);
    files_.prepend(absolute);
    while (files_.size() > kMaxFiles)
        files_.removeLast();
    save();
    rebuild();
}

void RecentFilesMenu::clearFiles() {
    files_.clear();
    save();
    rebuild();
}

void RecentFilesMenu::rebuild() {
    clear();
    for (int i = 0; i < files_.size(); ++i) {
        const QString path = files_[i];
        // &1..&9 give keyboard access to the first nine entries.
        const QString label =
            i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName())
                  : QFileInfo(path).fileName();
        QAction* action = addAction(label);
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { emit fileRequested(path); });
    }
    if (!files_.isEmpty())
        addSeparator();
    QAction* clearAction = addAction(tr("&Clear List"));
    clearAction->setEnabled(!files_.isEmpty());
    connect(clearAction, &QAction::triggered, this, &RecentFilesMenu::clearFiles);
    setEnabled(true);
}

void RecentFilesMenu::save() const {
    QSettings().setValue(kSettingsKey, files_);
}

} // namespace rb::ui
