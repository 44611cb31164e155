#include "ScoreComponentsTable.h"

#include <QHeaderView>

#include <cmath>

namespace rb::ui {

ScoreComponentsTable::ScoreComponentsTable(QWidget* parent) : QTableWidget(parent) {
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::NoSelection);
    verticalHeader()->setVisible(false);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setToolTip(tr("Each scene's component scores at the pixel; the composite's winner is in "
                  "bold"));
    setVisible(false);
}

void ScoreComponentsTable::setComponents(const std::vector<QString>& labels,
                                         const rb::PixelComponents& c) {
    winner_ = c.winner;
    // One component is the score itself, which the chart already shows.
    const bool show = c.names.size() > 1 && !c.values.empty();
    setVisible(show);
    clear();
    if (!show) {
        setRowCount(0);
        return;
    }
    setColumnCount(int(c.names.size()) + 1);
    QStringList head{tr("Scene")};
    for (const auto& n : c.names)
        head << QString::fromStdString(n);
    setHorizontalHeaderLabels(head);
    setRowCount(int(c.values.size()));
    const QColor highlight = palette().color(QPalette::Highlight).lighter(170);
    for (int r = 0; r < int(c.values.size()); ++r) {
        const bool win = r == c.winner;
        auto put = [&](int col, const QString& text) {
            auto* item = new QTableWidgetItem(text);
            if (win) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
                item->setBackground(highlight);
            }
            setItem(r, col, item);
        };
        put(0, (std::size_t(r) < labels.size() ? labels[std::size_t(r)] : QString::number(r + 1)) +
                   (win ? tr(" (winner)") : QString()));
        const auto& v = c.values[std::size_t(r)];
        for (int k = 0; k < int(v.size()); ++k)
            put(k + 1, std::isnan(v[std::size_t(k)]) ? tr("-")
                                                     : QString::number(v[std::size_t(k)], 'f', 3));
    }
}

} // namespace rb::ui
