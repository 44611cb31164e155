#pragma once
// Every scene's value and score at one pixel (the Score panel's inspector): bars of the
// chosen band's value per scene on the left axis, the scores as points on the right axis,
// and the composite's winner drawn in its own colour with a line naming it. Invalid values
// and invalid (-inf) scores are left out rather than drawn at an arbitrary height.
#include <QWidget>

#include <vector>

class QCPBars;
class QCPGraph;
class QCustomPlot;
class QLabel;

namespace rb::ui {

struct PixelScores;

class StackInspectorChart : public QWidget {
    Q_OBJECT
public:
    explicit StackInspectorChart(QWidget* parent = nullptr);

    /// Shows `pixel` for scenes called `labels` (same order); `bandName` titles the values.
    void setData(const std::vector<QString>& labels, const PixelScores& pixel,
                 const QString& bandName);
    void clear();

    QCustomPlot* plot() const { return plot_; }
    /// Values of the scenes that did not win, and the winner's (one bar at most).
    QCPBars* valueBars() const { return values_; }
    QCPBars* winnerBar() const { return winnerBar_; }
    /// Scores of every scene with a valid score, and the winner's.
    QCPGraph* scoreGraph() const { return scores_; }
    QCPGraph* winnerScore() const { return winnerScore_; }
    QString summary() const;

private:
    QCustomPlot* plot_;
    QCPBars* values_;
    QCPBars* winnerBar_;
    QCPGraph* scores_;
    QCPGraph* winnerScore_;
    QLabel* summary_;
};

} // namespace rb::ui
