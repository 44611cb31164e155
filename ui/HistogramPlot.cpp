#include "HistogramPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "rasterbench/dtype.h"

namespace rb::ui {

namespace {

using Histogram = HistogramPlot::Histogram;

constexpr double kGrabPixels = 6;

/// Histogram of band `b`'s valid samples of an in-memory raster (the preview sample).
Histogram histogramOfSample(const rb::Raster& r, int b) {
    const auto d = rb::band_distributions(r, {});
    const rb::BandDistribution c = d[std::size_t(b)].coarsened(HistogramPlot::kBins);
    Histogram h;
    if (c.counts.empty())
        return h;
    h.lo = c.lo;
    h.hi = c.lo + c.width * double(c.counts.size());
    for (std::size_t i = 0; i < c.counts.size(); ++i) {
        h.centers.push_back(c.lo + (double(i) + 0.5) * c.width);
        h.counts.push_back(double(c.counts[i]));
    }
    return h;
}

Histogram histogramOf(const rb::BandDistribution& d) {
    const rb::BandDistribution c = d.coarsened(HistogramPlot::kBins);
    Histogram h;
    if (c.counts.empty())
        return h;
    h.lo = c.lo;
    h.hi = c.lo + c.width * double(c.counts.size());
    for (std::size_t i = 0; i < c.counts.size(); ++i) {
        h.centers.push_back(c.lo + (double(i) + 0.5) * c.width);
        h.counts.push_back(double(c.counts[i]));
    }
    return h;
}

/// Tallest bin ignoring the two end bins, where saturated or clipped values pile up and
/// would flatten the rest of the curve.
double displayPeak(const QVector<double>& counts) {
    if (counts.isEmpty())
        return 1;
    if (counts.size() <= 2)
        return *std::max_element(counts.begin(), counts.end());
    return *std::max_element(counts.begin() + 1, counts.end() - 1);
}

QColor channelColor(int channel, bool rgb) {
    static const QColor colors[] = {QColor(220, 50, 47), QColor(40, 160, 60), QColor(38, 110, 210)};
    return rgb ? colors[channel % 3] : QColor(90, 90, 90);
}

} // namespace

HistogramPlot::HistogramPlot(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), sourceCombo_(new QComboBox(this)),
      channelCombo_(new QComboBox(this)), log_(new QCheckBox(tr("Log"), this)),
      label_(new QLabel(this)) {
    sourceCombo_->addItems({tr("Whole scene"), tr("Current view")});
    auto* bar = new QHBoxLayout;
    bar->addWidget(sourceCombo_);
    bar->addWidget(channelCombo_);
    bar->addWidget(log_);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
    layout->addWidget(label_);
    plot_->yAxis->setTickLabels(false);
    plot_->xAxis->setLabel(tr("value"));
    connect(plot_, &QCustomPlot::mousePress, this, &HistogramPlot::onPress);
    connect(plot_, &QCustomPlot::mouseMove, this, &HistogramPlot::onMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &HistogramPlot::onRelease);
    connect(log_, &QCheckBox::toggled, this, &HistogramPlot::replotAll);
    connect(channelCombo_, &QComboBox::currentIndexChanged, this, &HistogramPlot::replotAll);
    connect(sourceCombo_, &QComboBox::currentIndexChanged, this,
            [this] { emit sourceChanged(source()); });
}

HistogramPlot::~HistogramPlot() = default;

int HistogramPlot::curveCount() const {
    return plot_->graphCount();
}

HistogramPlot::Source HistogramPlot::source() const {
    return sourceCombo_->currentIndex() == 1 ? Source::View : Source::WholeScene;
}

void HistogramPlot::setSource(Source source) {
    sourceCombo_->setCurrentIndex(source == Source::View ? 1 : 0);
}

bool HistogramPlot::isLogScale() const {
    return log_->isChecked();
}

void HistogramPlot::setLogScale(bool on) {
    log_->setChecked(on);
}

int HistogramPlot::channel() const {
    return channelCombo_->currentIndex() - 1;
}

void HistogramPlot::setChannel(int channel) {
    channelCombo_->setCurrentIndex(channel + 1);
}

QString HistogramPlot::sourceText() const {
    return sourceText_;
}

void HistogramPlot::setScene(std::shared_ptr<const SceneData> scene) {
    const bool sameBands = scene && scene_ && scene->pyramid == scene_->pyramid &&
                           scene->display.bands == scene_->display.bands;
    scene_ = std::move(scene);
    if (sameBands) {
        drawLimits();
        return;
    }
    lane_.discard(); // a sample of other bands still binning is outdated now
    hists_.clear();
    histChannels_.clear();
    {
        const QSignalBlocker block(channelCombo_);
        channelCombo_->clear();
        if (scene_) {
            channelCombo_->addItem(tr("All bands"));
            for (int b : scene_->display.bands)
                channelCombo_->addItem(tr("Band %1").arg(b));
        }
    }
    replotAll();
    if (!scene_ || scene_->sample.empty())
        return;
    // Until the exact distributions arrive, the preview sample's (binning is off the GUI
    // thread: a quarter of a million samples per band).
    lane_.run(
        [scene = scene_](JobContext& ctx) {
            QVector<Histogram> hs;
            for (int b = 0; b < scene->sample.bands(); ++b) {
                ctx.throwIfCancelled();
                hs.push_back(histogramOfSample(scene->sample, b));
            }
            return hs;
        },
        [this](const QVector<Histogram>& hs) {
            if (!hists_.isEmpty())
                return;
            hists_ = hs;
            histChannels_.clear();
            for (int i = 0; i < hs.size(); ++i)
                histChannels_.push_back(i);
            sourceText_ = tr("preview sample");
            replotAll();
        });
}

void HistogramPlot::updateLimits(std::shared_ptr<const SceneData> scene) {
    scene_ = std::move(scene);
    drawLimits();
}

void HistogramPlot::setDistributions(const std::vector<rb::BandDistribution>& distributions,
                                     Source source) {
    if (!scene_ || distributions.size() != scene_->display.bands.size())
        return;
    lane_.discard(); // a sample histogram still binning is outdated now
    hists_.clear();
    histChannels_.clear();
    for (std::size_t i = 0; i < distributions.size(); ++i) {
        hists_.push_back(histogramOf(distributions[i]));
        histChannels_.push_back(int(i));
    }
    sourceText_ = source == Source::View ? tr("current view, exact") : tr("whole scene, exact");
    replotAll();
}

double HistogramPlot::curveTotal(int channel) const {
    const int i = histChannels_.indexOf(channel);
    if (i < 0)
        return 0;
    double total = 0;
    for (double c : hists_[i].counts)
        total += c;
    return total;
}

void HistogramPlot::replotAll() {
    plot_->clearGraphs();
    const bool log = log_->isChecked();
    plot_->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymax = 0;
    const bool rgb = scene_ && scene_->display.rgb();
    for (int i = 0; i < hists_.size(); ++i) {
        const Histogram& h = hists_[i];
        const int ch = histChannels_[i];
        if (h.counts.isEmpty() || (channel() >= 0 && ch != channel()))
            continue;
        QCPGraph* graph = plot_->addGraph();
        QVector<double> counts = h.counts;
        if (log)
            for (double& c : counts)
                c = std::max(c, 0.5); // log axes cannot show zero
        graph->setData(h.centers, counts, true);
        graph->setPen(QPen(channelColor(ch, rgb)));
        graph->setLineStyle(QCPGraph::lsStepCenter);
        xmin = std::min(xmin, h.lo);
        xmax = std::max(xmax, h.hi);
        ymax = std::max(ymax, log ? *std::max_element(h.counts.begin(), h.counts.end())
                                  : displayPeak(h.counts));
    }
    if (xmin <= xmax) {
        plot_->xAxis->setRange(xmin, xmax);
        plot_->yAxis->setRange(log ? 0.5 : 0, std::max(1.0, ymax * (log ? 2.0 : 1.1)));
    }
    label_->setText(sourceText_);
    drawLimits();
}

void HistogramPlot::drawLimits() {
    for (const Limit& l : limits_)
        plot_->removeItem(l.line);
    limits_.clear();
    if (scene_) {
        const bool rgb = scene_->display.rgb();
        const bool categorical = !rgb && scene_->display.colormap == rb::Colormap::Categorical;
        for (int c = 0; c < int(scene_->display.stretch.size()) && !categorical; ++c) {
            if (channel() >= 0 && c != channel())
                continue;
            const rb::StretchRange r = scene_->display.stretch[std::size_t(c)];
            for (bool high : {false, true}) {
                auto* line = new QCPItemStraightLine(plot_);
                const double v = high ? r.hi : r.lo;
                line->point1->setCoords(v, 0);
                line->point2->setCoords(v, 1);
                line->setPen(QPen(channelColor(c, rgb), 2, Qt::DashLine));
                limits_.push_back({c, high, line});
            }
        }
    }
    plot_->replot();
}

double HistogramPlot::limitPixel(int channel, bool high) const {
    for (const Limit& l : limits_)
        if (l.channel == channel && l.high == high)
            return plot_->xAxis->coordToPixel(l.line->point1->coords().x());
    return -1;
}

void HistogramPlot::onPress(QMouseEvent* event) {
    dragging_ = -1;
    double best = kGrabPixels;
    for (int i = 0; i < limits_.size(); ++i) {
        const double x = plot_->xAxis->coordToPixel(limits_[i].line->point1->coords().x());
        if (std::abs(x - event->position().x()) <= best) {
            best = std::abs(x - event->position().x());
            dragging_ = i;
        }
    }
}

void HistogramPlot::onMove(QMouseEvent* event) {
    if (dragging_ < 0 || !(event->buttons() & Qt::LeftButton))
        return;
    const Limit& l = limits_[dragging_];
    const double v = plot_->xAxis->pixelToCoord(event->position().x());
    l.line->point1->setCoords(v, 0);
    l.line->point2->setCoords(v, 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    emit limitDragged(l.channel, l.high, v, false);
}

void HistogramPlot::onRelease(QMouseEvent* event) {
    if (dragging_ < 0)
        return;
    const Limit l = limits_[dragging_];
    dragging_ = -1;
    emit limitDragged(l.channel, l.high, plot_->xAxis->pixelToCoord(event->position().x()), true);
}

} // namespace rb::ui
