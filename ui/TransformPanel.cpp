#include "TransformPanel.h"

#include "ExportOptionsBox.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHideEvent>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include <array>

#include "FillTab.h"
#include "MapCanvas.h"
#include "RasterizeTab.h"
#include "ReprojectTab.h"
#include "VectorizeTab.h"

namespace rb::ui {

QString TransformPanel::overlayTitle(const QString& id) {
    if (id == kReprojectOverlay)
        return tr("Reprojected preview");
    if (id == kBurnOverlay)
        return tr("Rasterized preview");
    if (id == kShapesOverlay)
        return tr("Vectorized outlines");
    if (id == kFillOverlay)
        return tr("Filled gaps preview");
    return {};
}

TransformPanel::TransformPanel(MapCanvas* canvas, JobMonitor* monitor, QWidget* parent)
    : QWidget(parent), canvas_(canvas), jobs_(new PreviewJobs(monitor, this)),
      tabs_(new QTabWidget(this)), live_(new QCheckBox(tr("Live preview"), this)),
      clear_(new QPushButton(tr("Clear overlays"), this)),
      reproject_(new ReprojectTab(canvas, jobs_, kReprojectOverlay, this)),
      rasterize_(new RasterizeTab(canvas, jobs_, kBurnOverlay, this)),
      vectorize_(new VectorizeTab(canvas, jobs_, kShapesOverlay, this)),
      fill_(new FillTab(canvas, jobs_, kFillOverlay, this)) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    live_->setChecked(true);
    live_->setToolTip(tr("Refresh the active tab's preview when the map moves or a parameter "
                         "changes"));
    top->addWidget(live_);
    top->addStretch();
    top->addWidget(clear_);
    layout->addLayout(top);
    layout->addWidget(tabs_, 1);
    layout->addWidget(new ExportOptionsBox(this)); // how every tab's Export... saves
    tabs_->addTab(reproject_, tr("Reproject"));
    tabs_->addTab(rasterize_, tr("Rasterize"));
    tabs_->addTab(vectorize_, tr("Vectorize"));
    tabs_->addTab(fill_, tr("Fill"));

    connect(clear_, &QPushButton::clicked, this, &TransformPanel::clearOverlays);
    connect(jobs_, &PreviewJobs::liveDue, this, &TransformPanel::refreshLive);
    connect(live_, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            changed();
        else
            jobs_->stopLive();
    });
    connect(canvas, &MapCanvas::viewChanged, this, [this] { changed(); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        // One live preview for the panel: the tab left takes its preview off the map.
        for (TransformTab* tab : allTabs())
            if (tab != currentTab())
                tab->hidePreview();
        changed();
    });
    for (TransformTab* tab : allTabs())
        connect(tab, &TransformTab::parametersChanged, this, [this, tab] { changed(tab); });
}

TransformPanel::~TransformPanel() {
    // The tabs' lanes cancel their jobs as the tabs go: no result is delivered afterwards.
    jobs_->stopLive();
    if (canvas_)
        clearOverlays(); // no preview outlives its panel
}

void TransformPanel::setScoreSource(CompositeController* controller) {
    vectorize_->setScoreSource(controller);
}

std::array<TransformTab*, 4> TransformPanel::allTabs() const {
    return {reproject_, rasterize_, vectorize_, fill_};
}

TransformTab* TransformPanel::currentTab() const {
    return qobject_cast<TransformTab*>(tabs_->currentWidget());
}

void TransformPanel::clearOverlays() {
    for (TransformTab* tab : allTabs())
        tab->clearOverlay();
}

void TransformPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    changed();
}

void TransformPanel::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    if (event->spontaneous() || !canvas_)
        return; // the window was minimized: the panel is still open
    // Closed, or another dock raised over it: its previews leave the map, and those still
    // running are dropped.
    jobs_->stopLive();
    for (TransformTab* tab : allTabs())
        tab->hidePreview();
}

void TransformPanel::changed(TransformTab* tab) {
    if (tab && tab != currentTab())
        return; // a parameter of a tab not shown: previewed when the tab is picked
    if (!live_->isChecked() || !isVisible() || !canvas_ || !canvas_->scene())
        return;
    jobs_->scheduleLive(); // restarts: the refresh waits for the changes to pause
}

void TransformPanel::refreshLive() {
    if (!live_->isChecked() || !isVisible() || !canvas_ || !canvas_->scene() ||
        canvas_->visibleWindow().empty())
        return;
    if (TransformTab* tab = currentTab())
        tab->refreshLive();
}

} // namespace rb::ui
