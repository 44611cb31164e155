#pragma once
// Undo / redo of a panel's parameter edits. The panel's parameters are captured as one text
// snapshot after each committed edit (capture()); undoing puts the previous snapshot back
// (restore()). The edits of one mouse gesture (a slider dragged, a spin box's arrow held)
// are one step, not one per value passed; a snapshot equal to the last is not a step.
// Restoring records nothing. The panel owns its PanelUndo (a child), found with of().
// attachScoreUndo / attachTransformUndo connect the Score and Transform panels' editors.
#include <QObject>
#include <QString>

#include <functional>

class QUndoStack;
class QWidget;

namespace rb::ui {

class ScorePanel;
class TransformPanel;

class PanelUndo : public QObject {
    Q_OBJECT
public:
    using Capture = std::function<QString()>;
    using Restore = std::function<void(const QString&)>;

    /// Takes the panel's current parameters as the starting point.
    PanelUndo(QWidget* panel, Capture capture, Restore restore);
    ~PanelUndo() override;

    /// The PanelUndo of `panel` (a child), or null.
    static PanelUndo* of(const QWidget* panel);

    QUndoStack* stack() const { return stack_; }
    /// After a committed edit: one undo step from the last snapshot to the parameters now
    /// (merged into the previous step while the same mouse gesture continues).
    void record();
    /// Forgets the history and starts from the parameters now (a session or recipe opened).
    void reset();
    /// The parameters now are the starting point of the next step, with no step of their own
    /// and the history kept (a default the panel set itself: undoing the user's next edit must
    /// not bring back the default it replaced).
    void rebase();
    bool isRestoring() const { return restoring_; }
    QString snapshot() const { return last_; }

    bool canUndo() const;
    bool canRedo() const;
    void undo();
    void redo();

    /// Puts `state` back (undo and redo call this); records nothing.
    void restoreState(const QString& state);

signals:
    void changed();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* panel_;
    Capture capture_;
    Restore restore_;
    QUndoStack* stack_;
    QString last_;
    bool restoring_ = false;
    /// Counts mouse presses; a step recorded while a button is held carries the press's
    /// number, and steps of the same press merge.
    int gesture_ = 0;
};

/// Undo for the Score panel: method, score and composite parameters, band roles, quality
/// file rule and "Read as".
PanelUndo* attachScoreUndo(ScorePanel* panel);
/// Undo for the Transform panel: the Reproject tab (CRS, warp parameters, resolution, size,
/// bounds, tap), the Rasterize tab (burn field and the rasterize table), the Vectorize tab
/// (source, band, mode, threshold, breaks, classes, the shapes table) and the Fill tab.
PanelUndo* attachTransformUndo(TransformPanel* panel);

} // namespace rb::ui
