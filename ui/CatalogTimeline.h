#pragma once
// The catalog on a time axis: one bar per scene at its acquisition date, as high as its
// cloud cover; the scenes the selection keeps in colour, the others grey, scenes without a
// cloud cover as ticks on the axis. The season window (day of year, possibly wrapping the
// new year) is shaded in every year shown and the date range drawn as two lines, so the
// analyst sees what a filter keeps before adding the scenes to the stack.
#include <QWidget>

#include <utility>
#include <vector>

#include "rasterbench/catalog.h"

class QCustomPlot;
class QCPBars;
class QCPGraph;

namespace rb::ui {

class CatalogTimeline : public QWidget {
    Q_OBJECT
public:
    explicit CatalogTimeline(QWidget* parent = nullptr);

    /// Draws `entries`; `kept[i]` says whether the selection keeps entries[i].
    void setScenes(const std::vector<rb::CatalogEntry>& entries, const std::vector<bool>& kept,
                   const rb::CatalogSelection& selection);
    void clear();

    QCustomPlot* plot() const { return plot_; }
    /// Bars drawn for kept and for other scenes; shaded season windows.
    int keptBarCount() const;
    int otherBarCount() const;
    int seasonWindowCount() const { return seasonWindows_; }

    /// Seconds since the epoch (the date axis' unit) of a scene date, at noon UTC.
    static double key(const rb::SceneDate& date);
    /// The entry (index given to setScenes) drawn nearest to plot pixel column `x`, within a
    /// few pixels; -1 when none.
    int entryAt(double x) const;

signals:
    /// A bar (or an unknown-cloud tick) was clicked: its entry's index.
    void sceneClicked(int entry);

private:
    QCustomPlot* plot_;
    QCPBars* kept_;
    QCPBars* other_;
    QCPGraph* unknown_;
    int seasonWindows_ = 0;
    /// (key, entry index) of every dated scene, by key.
    std::vector<std::pair<double, int>> keys_;
};

} // namespace rb::ui
