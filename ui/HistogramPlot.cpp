#include "HistogramPlot.h"

#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "Background.h"
#include "rasterbench/dtype.h"

namespace rb::ui {

namespace {

using Histogram = HistogramPlot::Histogram;

/// Histogram of band `b`'s valid samples over the band's valid range. Integer data gets
/// whole-number bins: fractional ones would leave every other bin empty (a comb).
Histogram histogramOf(const rb::Raster& r, int b, int maxBins) {
    Histogram h;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const int rows = r.rows(), cols = r.cols();
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            if (r.valid(b, y, x)) {
                const double v = r.value(b, y, x);
                if (std::isfinite(v)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
    if (!(lo <= hi))
        return h;
    int bins = maxBins;
    double width = 0;
    if (!rb::is_floating(r.dtype())) {
        width = std::ceil((hi - lo + 1) / maxBins);
        bins = int(std::ceil((hi - lo + 1) / width));
        lo -= 0.5; // integer v sits in the middle of its bin
        hi = lo + bins * width;
    } else {
        if (hi == lo)
            hi = lo + 1;
        width = (hi - lo) / bins;
    }
    h.lo = lo;
    h.hi = hi;
    h.counts.fill(0.0, bins);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            if (r.valid(b, y, x)) {
                const double v = r.value(b, y, x);
                if (std::isfinite(v))
                    h.counts[std::clamp(int((v - lo) / width), 0, bins - 1)] += 1;
            }
    h.centers.resize(bins);
    for (int i = 0; i < bins; ++i)
        h.centers[i] = lo + (i + 0.5) * width;
    return h;
}

/// Tallest bin ignoring the two end bins, where saturated or clipped values pile up and
/// would flatten the rest of the curve.
double displayPeak(const QVector<double>& counts) {
    if (counts.size() <= 2)
        return *std::max_element(counts.begin(), counts.end());
    return *std::max_element(counts.begin() + 1, counts.end() - 1);
}

} // namespace

HistogramPlot::HistogramPlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    pool_.setMaxThreadCount(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->yAxis->setTickLabels(false);
    plot_->xAxis->setLabel(tr("value"));
}

HistogramPlot::~HistogramPlot() {
    pool_.waitForDone();
}

int HistogramPlot::curveCount() const {
    return plot_->graphCount();
}

void HistogramPlot::setScene(std::shared_ptr<const SceneData> scene) {
    const quint64 generation = ++generation_;
    plot_->clearGraphs();
    plot_->clearItems();
    plot_->replot();
    if (!scene || scene->sample.empty())
        return;
    // Binning a million samples is quick but not free: keep it off the GUI thread.
    runInBackground(
        this, &pool_,
        [scene] {
            QVector<Histogram> hs;
            for (int b = 0; b < scene->sample.bands(); ++b)
                hs.push_back(histogramOf(scene->sample, b, kBins));
            return hs;
        },
        [this, scene, generation](const QVector<Histogram>& hs) {
            if (generation == generation_)
                plotHistograms(*scene, hs);
        });
}

void HistogramPlot::plotHistograms(const SceneData& scene, const QVector<Histogram>& hs) {
    const bool rgb = hs.size() >= 3;
    const QColor colors[] = {QColor(220, 50, 47), QColor(40, 160, 60), QColor(38, 110, 210)};
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymax = 0;
    for (int b = 0; b < hs.size(); ++b) {
        const Histogram& h = hs[b];
        if (h.counts.isEmpty())
            continue;
        const QColor color = rgb ? colors[b % 3] : QColor(90, 90, 90);
        QCPGraph* graph = plot_->addGraph();
        graph->setData(h.centers, h.counts, true);
        graph->setPen(QPen(color));
        graph->setLineStyle(QCPGraph::lsStepCenter);
        graph->setName(tr("band %1").arg(scene.bands[std::size_t(b)]));
        xmin = std::min(xmin, h.lo);
        xmax = std::max(xmax, h.hi);
        ymax = std::max(ymax, displayPeak(h.counts));
        if (std::size_t(b) < scene.stretch.size()) {
            for (double limit :
                 {scene.stretch[std::size_t(b)].lo, scene.stretch[std::size_t(b)].hi}) {
                auto* line = new QCPItemStraightLine(plot_);
                line->point1->setCoords(limit, 0);
                line->point2->setCoords(limit, 1);
                line->setPen(QPen(color, 1, Qt::DashLine));
            }
        }
    }
    if (xmin <= xmax) {
        plot_->xAxis->setRange(xmin, xmax);
        plot_->yAxis->setRange(0, std::max(1.0, ymax * 1.1));
    }
    plot_->replot();
}

} // namespace rb::ui
