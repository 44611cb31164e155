#include "ColumnFit.h"

#include <QEvent>
#include <QHeaderView>
#include <QTreeView>

#include <algorithm>

namespace rb::ui {

ColumnFit::ColumnFit(QTreeView* view, int flexible, int minFlexible, QMap<int, int> caps)
    : QObject(view), view_(view), flexible_(flexible), minFlexible_(minFlexible),
      caps_(std::move(caps)) {
    view_->setTextElideMode(Qt::ElideMiddle);
    QHeaderView* header = view_->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    viewport_ = view_->viewport();
    view_->viewport()->installEventFilter(this);
    // Columns shown or hidden (the header's menu) change what the others get.
    connect(header, &QHeaderView::sectionCountChanged, this, &ColumnFit::fit);
    fit();
}

int ColumnFit::columnWidth(int column) const {
    const int contents =
        std::max(view_->header()->sectionSizeHint(column),
                 // public in the base class (QTreeView hides it)
                 static_cast<const QAbstractItemView*>(view_)->sizeHintForColumn(column));
    return std::min(contents, caps_.value(column, contents));
}

void ColumnFit::fit() {
    if (fitting_)
        return;
    fitting_ = true;
    QHeaderView* header = view_->header();
    int used = 0;
    for (int c = 0; c < header->count(); ++c)
        if (c != flexible_ && !header->isSectionHidden(c)) {
            const int w = columnWidth(c);
            header->resizeSection(c, w);
            used += w;
        }
    header->resizeSection(flexible_, std::max(minFlexible_, view_->viewport()->width() - used));
    fitting_ = false;
}

bool ColumnFit::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && watched == viewport_)
        fit();
    return QObject::eventFilter(watched, event);
}

} // namespace rb::ui
