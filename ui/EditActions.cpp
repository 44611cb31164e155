#include "EditActions.h"

#include <QAction>
#include <QApplication>
#include <QMenu>

#include "PanelUndo.h"

namespace rb::ui {

EditActions::EditActions(QMenu* menu, QObject* parent)
    : QObject(parent), undo_(menu->addAction(tr("&Undo"))), redo_(menu->addAction(tr("&Redo"))) {
    undo_->setShortcut(QKeySequence::Undo);
    redo_->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence::Redo});
    // Text fields keep their own Ctrl+Z (QLineEdit handles the key before the menu's
    // shortcut when it has focus); everywhere else these act on the panel.
    connect(undo_, &QAction::triggered, this, &EditActions::undo);
    connect(redo_, &QAction::triggered, this, &EditActions::redo);
    connect(menu, &QMenu::aboutToShow, this, &EditActions::updateActions);
}

void EditActions::addTarget(Target target) {
    targets_.push_back(std::move(target));
}

void EditActions::addTarget(QWidget* panel, const QString& title, PanelUndo* undo) {
    addTarget({panel, title, [undo] { undo->undo(); }, [undo] { undo->redo(); },
               [undo] { return undo->canUndo(); }, [undo] { return undo->canRedo(); }});
}

const EditActions::Target* EditActions::current() const {
    const auto find = [this](const QWidget* w) -> const Target* {
        for (; w; w = w->parentWidget())
            for (const Target& t : targets_)
                if (t.panel == w)
                    return &t;
        return nullptr;
    };
    if (const Target* t = find(QApplication::focusWidget()))
        return t;
    return fallback_ ? find(fallback_()) : nullptr;
}

void EditActions::undo() {
    if (const Target* t = current(); t && t->canUndo())
        t->undo();
}

void EditActions::redo() {
    if (const Target* t = current(); t && t->canRedo())
        t->redo();
}

void EditActions::updateActions() {
    const Target* t = current();
    undo_->setText(t ? tr("&Undo in %1").arg(t->title) : tr("&Undo"));
    redo_->setText(t ? tr("&Redo in %1").arg(t->title) : tr("&Redo"));
    // Shortcuts of disabled actions do nothing: enabled again once the menu closes.
    undo_->setEnabled(t && t->canUndo());
    redo_->setEnabled(t && t->canRedo());
    auto* menu = qobject_cast<QMenu*>(sender());
    if (menu)
        connect(
            menu, &QMenu::aboutToHide, this,
            [this] {
                undo_->setEnabled(true);
                redo_->setEnabled(true);
            },
            Qt::SingleShotConnection);
}

} // namespace rb::ui
