#pragma once
// Every "Save as" of the workbench asks through here, so the dialog opens in the folder the
// user last saved to (remembered across sessions) instead of the home folder each time.
#include <QString>

class QWidget;

namespace rb::ui {

/// Asks for a file to write, proposing `fileName` in the last folder saved to. Returns the
/// chosen path with `suffix` appended when the user typed none, or empty when cancelled.
QString askSavePath(QWidget* parent, const QString& title, const QString& fileName,
                    const QString& filter, const QString& suffix);

/// The folder the next save dialog opens in, and remembering the one just used.
QString lastSaveFolder();
void rememberSaveFolder(const QString& savedFile);

} // namespace rb::ui
