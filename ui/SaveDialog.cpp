#include "SaveDialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QObject>
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
    QString path = proposed;
    for (;;) {
        path = QFileDialog::getSaveFileName(parent, title, path, filter);
        if (path.isEmpty())
            return {};
        if (!QFileInfo(path).suffix().isEmpty() || suffix.isEmpty())
            break;
        // The dialog asked about replacing the name as typed; the name with its suffix is
        // another file, which may exist too ("survey" then replaced survey.rbsession unasked).
        path += QLatin1Char('.') + suffix;
        if (!QFileInfo::exists(path) ||
            QMessageBox::question(parent, title,
                                  QObject::tr("%1 already exists.\nDo you want to replace it?")
                                      .arg(QFileInfo(path).fileName()),
                                  QMessageBox::Yes | QMessageBox::No,
                                  QMessageBox::No) == QMessageBox::Yes)
            break;
    }
    rememberSaveFolder(path);
    return path;
}

} // namespace rb::ui
