#include "CatalogTimeline.h"

#include <QDateTime>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>

namespace rb::ui {

namespace {
const QColor kKept(52, 101, 164);
const QColor kOther(190, 190, 190);
const QColor kSeason(115, 210, 22, 50);
const QColor kRange(204, 0, 0);
constexpr double kDay = 86400.0;

/// Day 366 of a common year is its last day.
std::optional<rb::SceneDate> dayOfYear(int year, int day) {
    auto date = rb::date_from_day_of_year(year, day);
    if (!date && day == 366)
        date = rb::date_from_day_of_year(year, 365);
    return date;
}
} // namespace

double CatalogTimeline::key(const rb::SceneDate& date) {
    return double(date.days_since_epoch()) * kDay + kDay / 2;
}

CatalogTimeline::CatalogTimeline(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setMinimumHeight(150);
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat(QStringLiteral("yyyy-MM-dd"));
    ticker->setDateTimeSpec(Qt::UTC);
    // Dates are wide labels: fewer than the default fit a dock; before any catalog, the
    // last year (not QCustomPlot's default of a few seconds in 1970).
    ticker->setTickCount(4);
    plot_->xAxis->setTicker(ticker);
    const double now = double(QDateTime::currentSecsSinceEpoch());
    plot_->xAxis->setRange(now - 365 * kDay, now);
    plot_->yAxis->setLabel(tr("cloud %"));
    plot_->yAxis->setRange(0, 100);
    auto bars = [this](const QColor& colour, const QString& name) {
        auto* b = new QCPBars(plot_->xAxis, plot_->yAxis);
        b->setName(name);
        b->setPen(Qt::NoPen);
        b->setBrush(colour);
        // Days are far narrower than a pixel on a multi-year axis: bars keep a visible width.
        b->setWidthType(QCPBars::wtAbsolute);
        b->setWidth(3);
        return b;
    };
    other_ = bars(kOther, tr("filtered out"));
    kept_ = bars(kKept, tr("selected"));
    unknown_ = plot_->addGraph();
    unknown_->setName(tr("cloud unknown"));
    unknown_->setLineStyle(QCPGraph::lsNone);
    unknown_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, kKept.darker(), 7));
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (const int entry = entryAt(event->position().x()); entry >= 0)
            emit sceneClicked(entry);
    });
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
}

void CatalogTimeline::clear() {
    kept_->data()->clear();
    other_->data()->clear();
    unknown_->data()->clear();
    plot_->clearItems();
    seasonWindows_ = 0;
    keys_.clear();
    plot_->replot();
}

void CatalogTimeline::setScenes(const std::vector<rb::CatalogEntry>& entries,
                                const std::vector<bool>& kept,
                                const rb::CatalogSelection& selection) {
    clear();
    QVector<double> keptKeys, keptValues, otherKeys, otherValues, unknownKeys, unknownValues;
    int firstYear = 0, lastYear = 0;
    double lo = 0, hi = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const rb::CatalogEntry& e = entries[i];
        if (!e.date)
            continue;
        const double k = key(*e.date);
        keys_.emplace_back(k, int(i));
        if (keptKeys.isEmpty() && otherKeys.isEmpty() && unknownKeys.isEmpty()) {
            lo = hi = k;
            firstYear = lastYear = e.date->year;
        }
        lo = std::min(lo, k);
        hi = std::max(hi, k);
        firstYear = std::min(firstYear, e.date->year);
        lastYear = std::max(lastYear, e.date->year);
        if (!e.cloud_cover) {
            unknownKeys << k;
            unknownValues << 0;
            continue;
        }
        const bool keep = i < kept.size() && kept[i];
        (keep ? keptKeys : otherKeys) << k;
        (keep ? keptValues : otherValues) << std::clamp(*e.cloud_cover, 0.0, 100.0);
    }
    std::sort(keys_.begin(), keys_.end());
    kept_->setData(keptKeys, keptValues, true);
    other_->setData(otherKeys, otherValues, true);
    unknown_->setData(unknownKeys, unknownValues, true);
    if (firstYear == 0) {
        plot_->replot();
        return;
    }
    const double margin = std::max(15 * kDay, (hi - lo) * 0.03);
    plot_->xAxis->setRange(lo - margin, hi + margin);

    if (selection.doy) {
        // One window per year, from the first day of the window to the end of its last day;
        // a window that wraps the new year ends in the next year.
        const auto [a, b] = *selection.doy;
        for (int year = firstYear - 1; year <= lastYear; ++year) {
            const auto start = dayOfYear(year, a);
            const auto end = dayOfYear(a > b ? year + 1 : year, b);
            if (!start || !end)
                continue;
            const double x0 = key(*start) - kDay / 2, x1 = key(*end) + kDay / 2;
            if (x1 < lo - margin || x0 > hi + margin)
                continue;
            auto* rect = new QCPItemRect(plot_);
            rect->setPen(Qt::NoPen);
            rect->setBrush(kSeason);
            rect->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
            rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            rect->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
            rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            rect->topLeft->setCoords(x0, 0);
            rect->bottomRight->setCoords(x1, 1);
            rect->setLayer(QStringLiteral("background"));
            ++seasonWindows_;
        }
    }
    for (const auto& bound : {selection.from, selection.to}) {
        if (!bound)
            continue;
        auto* line = new QCPItemStraightLine(plot_);
        line->setPen(QPen(kRange, 1, Qt::DashLine));
        line->point1->setCoords(key(*bound), 0);
        line->point2->setCoords(key(*bound), 1);
    }
    plot_->replot();
}

int CatalogTimeline::entryAt(double x) const {
    constexpr double kReachPx = 5;
    const double k = plot_->xAxis->pixelToCoord(x);
    const auto it = std::lower_bound(keys_.begin(), keys_.end(), std::make_pair(k, -1));
    int best = -1;
    double bestPx = kReachPx;
    for (auto c : {it, it == keys_.begin() ? it : std::prev(it)}) {
        if (c == keys_.end())
            continue;
        const double px = std::abs(plot_->xAxis->coordToPixel(c->first) - x);
        if (px <= bestPx) {
            bestPx = px;
            best = c->second;
        }
    }
    return best;
}

int CatalogTimeline::keptBarCount() const {
    return kept_->data()->size();
}

int CatalogTimeline::otherBarCount() const {
    return other_->data()->size();
}

} // namespace rb::ui
