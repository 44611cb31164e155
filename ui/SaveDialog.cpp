#include "SaveDialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace rb::ui {

namespace {
const char* const kKey = "lastSaveFolder";
}

QString lastSaveFolder() {
    const QString dir = QSettings().value(kKey).toString();
    return !dir.isEmpty() && QFileInfo(dir).isDir() ? dir : QDir::homePath();
}

void rememberSaveFolder(const QString& savedFile) {
    QSettings().setValue(kKey, QFileInfo(savedFile).absolutePath());
}

QString askSavePath(QWidget* parent, const QString& title, const QString& fileName,
                    const QString& filter, const QString& suffix) {
    const QString proposed = QFileInfo(fileName).isAbsolute()
                                 ? fileName
                                 : QDir(lastSaveFolder()).filePath(QFileInfo(fileName).fileName());
    QString path = QFileDialog::getSaveFileName(parent, title, proposed, filter);
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).suffix().isEmpty() && !suffix.isEmpty())
        path += QLatin1Char('.') + suffix;
    rememberSaveFolder(path);
    return path;
}

} // namespace rb::ui
