#include "StackInspectorChart.h"

#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

#include "CompositeController.h"

namespace rb::ui {

namespace {
const QColor kValueColor(120, 144, 170);
const QColor kWinnerColor(230, 126, 34);
const QColor kScoreColor(44, 62, 80);
} // namespace

StackInspectorChart::StackInspectorChart(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), summary_(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(summary_);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    plot_->setMinimumHeight(160);

    values_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    values_->setName(tr("value"));
    values_->setPen(Qt::NoPen);
    values_->setBrush(kValueColor);
    values_->setWidth(0.8);
    winnerBar_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    winnerBar_->setName(tr("winner"));
    winnerBar_->setPen(QPen(kWinnerColor.darker(130)));
    winnerBar_->setBrush(kWinnerColor);
    winnerBar_->setWidth(0.8);

    // Scores live on their own axis: their scale has nothing to do with reflectance.
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("score"));
    scores_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    scores_->setName(tr("score"));
    scores_->setLineStyle(QCPGraph::lsNone);
    scores_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kScoreColor, 5));
    winnerScore_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    winnerScore_->setName(tr("winner's score"));
    winnerScore_->setLineStyle(QCPGraph::lsNone);
    winnerScore_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(kScoreColor, 1.5), kWinnerColor, 11));
    plot_->xAxis->setLabel(tr("scene"));
    plot_->legend->setVisible(false);
}

void StackInspectorChart::clear() {
    values_->data()->clear();
    winnerBar_->data()->clear();
    scores_->data()->clear();
    winnerScore_->data()->clear();
    summary_->clear();
    plot_->replot();
}

void StackInspectorChart::setData(const std::vector<QString>& labels, const PixelScores& p,
                                  const QString& bandName) {
    clear();
    if (!p.error.isEmpty()) {
        summary_->setText(p.error);
        return;
    }
    QVector<double> vx, vy, sx, sy;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
        const double x = double(i) + 1; // scenes are numbered from 1 as in the Layers panel
        const bool winner = int(i) == p.winner;
        if (p.valid[i] && std::isfinite(p.values[i])) {
            if (winner)
                winnerBar_->addData(x, p.values[i]);
            else {
                vx << x;
                vy << p.values[i];
            }
        }
        if (i < p.scores.size() && std::isfinite(p.scores[i])) {
            if (winner)
                winnerScore_->addData(x, p.scores[i]);
            sx << x;
            sy << p.scores[i];
        }
    }
    values_->setData(vx, vy, true);
    scores_->setData(sx, sy, true);
    plot_->yAxis->setLabel(bandName);
    plot_->xAxis->setRange(0.3, double(std::max<std::size_t>(1, p.values.size())) + 0.7);
    bool found = false;
    QCPRange r = values_->getValueRange(found);
    bool foundW = false;
    const QCPRange rw = winnerBar_->getValueRange(foundW);
    if (foundW)
        r = found ? QCPRange(std::min(r.lower, rw.lower), std::max(r.upper, rw.upper)) : rw;
    if (found || foundW)
        plot_->yAxis->setRange(std::min(0.0, r.lower), r.upper > 0 ? r.upper * 1.05 : 1);
    bool foundS = false;
    const QCPRange rs = scores_->getValueRange(foundS);
    if (foundS)
        plot_->yAxis2->setRange(rs.lower - 0.05 * std::max(rs.size(), 1e-6),
                                rs.upper + 0.05 * std::max(rs.size(), 1e-6));
    QString text = tr("Pixel %1, %2: ").arg(p.col).arg(p.row);
    if (p.winner >= 0 && std::size_t(p.winner) < p.values.size()) {
        const std::size_t w = std::size_t(p.winner);
        text += tr("winner %1 (scene %2), %3 = %4, score %5")
                    .arg(w < labels.size() ? labels[w] : QString())
                    .arg(p.winner + 1)
                    .arg(bandName)
                    .arg(p.values[w])
                    .arg(double(p.scores[w]), 0, 'g', 5);
    } else
        text += tr("no valid observation");
    summary_->setText(text);
    plot_->replot();
}

QString StackInspectorChart::summary() const {
    return summary_->text();
}

} // namespace rb::ui
