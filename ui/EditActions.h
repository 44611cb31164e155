#pragma once
// The Edit menu's Undo and Redo (Ctrl+Z, Ctrl+Shift+Z): they act on the panel that has the
// keyboard focus, or else on the panel of the active workspace (fallback()). Each panel
// registers how it undoes (the Deband panel its notch edits, Score and Transform their
// PanelUndo).
#include <QObject>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

class QAction;
class QMenu;

namespace rb::ui {

class PanelUndo;

class EditActions : public QObject {
    Q_OBJECT
public:
    struct Target {
        QPointer<QWidget> panel;
        QString title; ///< "Score", shown as "Undo in Score"
        std::function<void()> undo, redo;
        std::function<bool()> canUndo, canRedo;
    };

    /// Adds Undo and Redo to `menu`.
    EditActions(QMenu* menu, QObject* parent);

    void addTarget(Target target);
    void addTarget(QWidget* panel, const QString& title, PanelUndo* undo);
    /// The panel undo acts on when the focus is in none of the targets.
    void setFallback(std::function<QWidget*()> fallback) { fallback_ = std::move(fallback); }

    /// The target undo / redo act on now, or null.
    const Target* current() const;
    QAction* undoAction() const { return undo_; }
    QAction* redoAction() const { return redo_; }
    void undo();
    void redo();

private:
    void updateActions();

    QAction* undo_;
    QAction* redo_;
    std::vector<Target> targets_;
    std::function<QWidget*()> fallback_;
};

} // namespace rb::ui
