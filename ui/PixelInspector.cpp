#include "PixelInspector.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTimeZone>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <exception>
#include <map>
#include <mutex>

#include "SceneStack.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"

namespace rb::ui {

namespace {

struct SceneRef {
    QString path;
    QString name;
    std::optional<rb::SceneDate> date;
    rb::Profile profile;
};

QString formatValue(double v, bool valid, bool integral) {
    if (!valid)
        return QStringLiteral("nodata");
    return integral ? QString::number(qlonglong(std::llround(v))) : QString::number(v, 'g', 7);
}

} // namespace

/// Open datasets by path, used by one worker at a time (the pool has one thread), so
/// moving the cursor does not reopen thirty files per pixel.
struct PixelInspector::Handles {
    std::mutex mutex;
    std::map<std::string, std::unique_ptr<rb::Dataset>> open;
};

PixelInspector::PixelInspector(SceneStack* stack, QWidget* parent)
    : QWidget(parent), stack_(stack), location_(new QLabel(this)),
      unpin_(new QPushButton(tr("Unpin"), this)), table_(new QTableWidget(this)),
      chartBand_(new QComboBox(this)), chart_(new QCustomPlot(this)),
      handles_(std::make_shared<Handles>()) {
    location_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    location_->setWordWrap(true);
    unpin_->setEnabled(false);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    chart_->setMinimumHeight(140);
    chart_->yAxis->setLabel(tr("value"));
    auto* top = new QHBoxLayout;
    top->addWidget(location_, 1);
    top->addWidget(unpin_);
    auto* chartBar = new QHBoxLayout;
    chartBar->addWidget(new QLabel(tr("Chart band"), this));
    chartBar->addWidget(chartBand_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(table_, 1);
    layout->addLayout(chartBar);
    layout->addWidget(chart_, 1);
    connect(unpin_, &QPushButton::clicked, this, &PixelInspector::unpin);
    connect(chartBand_, &QComboBox::currentIndexChanged, this, &PixelInspector::plotChart);
    // A scene added, removed, reordered or re-displayed: read the shown pixel again.
    connect(stack_, &SceneStack::entriesChanged, this, &PixelInspector::refresh);
    connect(stack_, &SceneStack::currentChanged, this, &PixelInspector::refresh);
    location_->setText(tr("Move the cursor over the map; click to pin a pixel."));
}

PixelInspector::~PixelInspector() = default;

void PixelInspector::refresh() {
    if (shown_)
        query(shown_->x(), shown_->y());
}

void PixelInspector::setCursorPixel(double col, double row) {
    if (pinned_ || !std::isfinite(col) || !std::isfinite(row))
        return;
    const QPoint p(int(std::floor(col)), int(std::floor(row)));
    if (shown_ == p)
        return;
    query(p.x(), p.y());
}

void PixelInspector::pin(int col, int row) {
    pinned_ = QPoint(col, row);
    unpin_->setEnabled(true);
    query(col, row);
    emit pinChanged(pinned_);
}

void PixelInspector::unpin() {
    pinned_.reset();
    unpin_->setEnabled(false);
    emit pinChanged(std::nullopt);
}

QString PixelInspector::locationText() const {
    return location_->text();
}

void PixelInspector::query(int col, int row) {
    const int cur = stack_->current();
    if (cur < 0 || !stack_->entry(cur).data)
        return;
    shown_ = QPoint(col, row);
    pending_ = true;
    std::vector<SceneRef> scenes;
    for (int i = 0; i < stack_->count(); ++i) {
        const StackEntry& e = stack_->entry(i);
        if (e.data)
            scenes.push_back({e.path, e.displayName(), e.data->date, e.data->profile});
    }
    const rb::Profile current = stack_->entry(cur).data->profile;
    lane_.run(
        [scenes, current, col, row, handles = handles_](JobContext& ctx) {
            Inspection r;
            r.col = col;
            r.row = row;
            // The pixel's centre: the map point every scene is read at.
            const auto [x, y] = current.transform.pixel_center(col, row);
            r.x = x;
            r.y = y;
            try {
                if (!current.crs.empty()) {
                    r.crsName = QString::fromStdString(current.crs.name());
                    const rb::CrsTransformer toGeo(current.crs, rb::Crs::from_epsg(4326));
                    r.lonLat = toGeo.transform(x, y);
                }
            } catch (const std::exception&) {
                // outside the projection's domain: no longitude/latitude to show
            }
            std::lock_guard lock(handles->mutex);
            for (const SceneRef& s : scenes) {
                ctx.throwIfCancelled(); // the cursor moved on
                InspectedScene out;
                out.name = s.name;
                out.date = s.date;
                out.integral = !rb::is_floating(s.profile.dtype);
                try {
                    double sx = x, sy = y;
                    if (!s.profile.crs.empty() && !current.crs.empty() &&
                        !(s.profile.crs == current.crs)) {
                        const rb::CrsTransformer t(current.crs, s.profile.crs);
                        std::tie(sx, sy) = t.transform(x, y);
                    }
                    const auto [c, rr] = s.profile.transform.to_pixel(sx, sy);
                    out.col = int(std::floor(c));
                    out.row = int(std::floor(rr));
                    out.inside = out.col >= 0 && out.row >= 0 && out.col < s.profile.width &&
                                 out.row < s.profile.height;
                    if (out.inside) {
                        auto& ds = handles->open[s.path.toStdString()];
                        if (!ds)
                            ds = std::make_unique<rb::Dataset>(
                                rb::Dataset::open(s.path.toStdString()));
                        rb::ReadOptions o;
                        o.window = rb::Window{out.col, out.row, 1, 1};
                        const rb::Raster px = ds->read(o);
                        for (int b = 0; b < px.bands(); ++b) {
                            out.values.push_back(px.value(b, 0, 0));
                            out.valid.push_back(px.valid(b, 0, 0));
                        }
                    }
                } catch (const std::exception& e) {
                    out.error = QString::fromStdString(e.what());
                }
                r.scenes.push_back(std::move(out));
            }
            return r;
        },
        [this](const Inspection& r) { show(r); });
}

void PixelInspector::show(const Inspection& r) {
    pending_ = false;
    result_ = r;
    QString text = (pinned_ ? tr("Pinned: ") : QString()) + tr("row %1, col %2 | x %3, y %4")
                                                                .arg(r.row)
                                                                .arg(r.col)
                                                                .arg(r.x, 0, 'f', 2)
                                                                .arg(r.y, 0, 'f', 2);
    if (!r.crsName.isEmpty())
        text += QStringLiteral(" (%1)").arg(r.crsName);
    if (r.lonLat)
        text += tr(" | lon %1, lat %2")
                    .arg(r.lonLat->first, 0, 'f', 6)
                    .arg(r.lonLat->second, 0, 'f', 6);
    location_->setText(text);

    std::size_t bands = 0;
    for (const auto& s : r.scenes)
        bands = std::max(bands, s.values.size());
    table_->clear();
    table_->setRowCount(int(r.scenes.size()));
    table_->setColumnCount(3 + int(bands));
    QStringList headers = {tr("Date"), tr("Scene"), tr("Row, col")};
    for (std::size_t b = 0; b < bands; ++b)
        headers << tr("B%1").arg(b + 1);
    table_->setHorizontalHeaderLabels(headers);
    for (int i = 0; i < int(r.scenes.size()); ++i) {
        const InspectedScene& s = r.scenes[std::size_t(i)];
        table_->setItem(
            i, 0, new QTableWidgetItem(s.date ? QString::fromStdString(s.date->iso()) : QString()));
        table_->setItem(i, 1, new QTableWidgetItem(s.name));
        table_->setItem(i, 2,
                        new QTableWidgetItem(s.inside
                                                 ? QStringLiteral("%1, %2").arg(s.row).arg(s.col)
                                                 : tr("outside")));
        if (!s.error.isEmpty())
            table_->setItem(i, 3, new QTableWidgetItem(s.error));
        for (std::size_t b = 0; b < s.values.size(); ++b)
            table_->setItem(i, 3 + int(b),
                            new QTableWidgetItem(formatValue(s.values[b], s.valid[b], s.integral)));
    }
    table_->resizeColumnsToContents();
    if (chartBand_->count() != int(bands)) {
        const QSignalBlocker block(chartBand_);
        const int keep = chartBand_->currentIndex();
        chartBand_->clear();
        for (std::size_t b = 0; b < bands; ++b)
            chartBand_->addItem(tr("Band %1").arg(b + 1));
        chartBand_->setCurrentIndex(std::clamp(keep, 0, int(bands) - 1));
    }
    plotChart();
}

void PixelInspector::plotChart() {
    chart_->clearGraphs();
    const int band = chartBand_->currentIndex();
    const bool byDate = !result_.scenes.empty() &&
                        std::all_of(result_.scenes.begin(), result_.scenes.end(),
                                    [](const InspectedScene& s) { return s.date.has_value(); });
    QVector<double> xs, ys;
    for (std::size_t i = 0; i < result_.scenes.size(); ++i) {
        const InspectedScene& s = result_.scenes[i];
        if (band < 0 || std::size_t(band) >= s.values.size() || !s.valid[std::size_t(band)])
            continue; // nodata and outside are gaps in the series, not zeros
        xs.push_back(byDate ? double(s.date->days_since_epoch()) * 86400.0 : double(i + 1));
        ys.push_back(s.values[std::size_t(band)]);
    }
    // Points in x order so the line joins them in time.
    QVector<int> order(xs.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return xs[a] < xs[b]; });
    QVector<double> sx, sy;
    for (int i : order) {
        sx.push_back(xs[i]);
        sy.push_back(ys[i]);
    }
    QCPGraph* g = chart_->addGraph();
    g->setData(sx, sy, true);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    if (byDate) {
        auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
        ticker->setDateTimeFormat(QStringLiteral("yyyy-MM-dd"));
        ticker->setDateTimeSpec(Qt::UTC);
        chart_->xAxis->setTicker(ticker);
        chart_->xAxis->setLabel(tr("acquisition date"));
    } else {
        chart_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        chart_->xAxis->setLabel(tr("scene (stack order)"));
    }
    if (!sx.isEmpty()) {
        const double pad = sx.size() > 1 ? (sx.back() - sx.front()) * 0.05 : 1;
        chart_->xAxis->setRange(sx.front() - pad, sx.back() + std::max(pad, 1.0));
        const auto [lo, hi] = std::minmax_element(sy.begin(), sy.end());
        const double ypad = std::max(1e-9, (*hi - *lo) * 0.1);
        chart_->yAxis->setRange(*lo - ypad, *hi + ypad);
    }
    chart_->replot();
}

} // namespace rb::ui
