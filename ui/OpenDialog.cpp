#include "OpenDialog.h"

#include <QKeyEvent>
#include <QLineEdit>

namespace rb::ui {

namespace {
QLineEdit* fileNameEdit(const QFileDialog* dialog) {
    return dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
}
} // namespace

OpenDialog::OpenDialog(QWidget* parent, const QString& caption, const QString& dir,
                       const QStringList& filters)
    : QFileDialog(parent, caption, dir), baseFilters_(filters) {
    setOption(QFileDialog::DontUseNativeDialog, true);
    setFileMode(QFileDialog::ExistingFiles);
    setAcceptMode(QFileDialog::AcceptOpen);
    setNameFilters(filters);
    // Enter with a pattern must reach us even while the Open button is disabled (Qt disables
    // it for names that are no existing file).
    if (QLineEdit* edit = fileNameEdit(this))
        edit->installEventFilter(this);
}

bool OpenDialog::isPattern(const QString& text) {
    return text.contains(QLatin1Char('*')) || text.contains(QLatin1Char('?'));
}

void OpenDialog::applyPattern(const QString& pattern) {
    const QString p = pattern.simplified();
    const QString filter = tr("Matching %1 (%1)").arg(p);
    setNameFilters(QStringList{filter} + baseFilters_);
    selectNameFilter(filter);
    if (QLineEdit* edit = fileNameEdit(this))
        edit->clear();
}

void OpenDialog::accept() {
    if (QLineEdit* edit = fileNameEdit(this); edit && isPattern(edit->text())) {
        applyPattern(edit->text());
        return;
    }
    QFileDialog::accept();
}

bool OpenDialog::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        auto* edit = qobject_cast<QLineEdit*>(watched);
        if (edit && (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            isPattern(edit->text())) {
            applyPattern(edit->text());
            return true;
        }
    }
    return QFileDialog::eventFilter(watched, event);
}

QStringList OpenDialog::getOpenFileNames(QWidget* parent, const QString& caption,
                                         const QString& dir, const QStringList& filters) {
    OpenDialog dialog(parent, caption, dir, filters);
    if (dialog.exec() != QDialog::Accepted)
        return {};
    return dialog.selectedFiles();
}

} // namespace rb::ui
