#pragma once
// The Score panel's "why did this pixel win" table: one row per scene, one column per
// component score of the method at the pixel (bap: total, day of year, year, cloud
// distance, haze, sensor, clear), the composite's winner in bold on a highlighted row.
#include <QTableWidget>

#include <vector>

#include "rasterbench/pixel_components.h"

namespace rb::ui {

class ScoreComponentsTable : public QTableWidget {
    Q_OBJECT
public:
    explicit ScoreComponentsTable(QWidget* parent = nullptr);
    /// Shows `c` for scenes called `labels` (same order); an empty `c` hides the table.
    void setComponents(const std::vector<QString>& labels, const rb::PixelComponents& c);
    /// Row of the winner, -1 when none.
    int winnerRow() const { return winner_; }

private:
    int winner_ = -1;
};

} // namespace rb::ui
