#pragma once
// Fits a list's columns into a narrow dock: every visible column but one gets the width of
// its contents (capped where the text can grow without bound, such as "aligned from FILE"),
// and the flexible column (a file name) takes what is left, down to a minimum; the view
// elides the text that does not fit in the middle, keeping the file's date and extension,
// and the cell's tooltip keeps the whole. A horizontal scroll bar appears only when even the
// minimum does not fit. Refits itself when the view is resized; call fit() after the rows
// change.
#include <QMap>
#include <QObject>

class QTreeView;

namespace rb::ui {

class ColumnFit : public QObject {
public:
    /// `view` (its parent) keeps column `flexible` at least `minFlexible` pixels wide;
    /// `caps`: largest width of a column (others: their contents).
    ColumnFit(QTreeView* view, int flexible, int minFlexible, QMap<int, int> caps = {});

    void fit();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    int columnWidth(int column) const;

    QTreeView* view_;
    /// The view's viewport, whose resizes refit the columns. Kept, not asked of view_ in the
    /// event filter: the viewport still sends events while the view is being destroyed, when
    /// calling into the view is undefined (UBSan caught it).
    const QObject* viewport_ = nullptr;
    int flexible_;
    int minFlexible_;
    QMap<int, int> caps_;
    bool fitting_ = false;
};

} // namespace rb::ui
