#pragma once
// The Transform dock: previews of the visible area for four engine operations, one tab each
// (ReprojectTab, RasterizeTab, VectorizeTab, FillTab; see their headers). This container
// holds what they share: the background work (PreviewJobs: the tabs' job lanes, the preview
// counts and size limit), the live preview and the map overlays.
// Live preview (on by default): while the panel is shown, a pan or zoom of the map or a
// parameter change of the active tab refreshes that tab's preview after a short pause. A
// view larger than maxPreviewSide() pixels a side previews its central window at export
// resolution, and the status says so. Each tab draws at most one overlay on the map; hiding
// or closing the panel removes them and drops the previews still running.
#include <QPointer>
#include <QString>
#include <QWidget>

#include <array>

#include "PreviewJobs.h"

class QCheckBox;
class QPushButton;
class QTabWidget;

namespace rb::ui {

class CompositeController;
class FillTab;
class JobMonitor;
class MapCanvas;
class RasterizeTab;
class ReprojectTab;
class TransformTab;
class VectorizeTab;

class TransformPanel : public QWidget {
    Q_OBJECT
public:
    /// Default largest preview side (output pixels); larger views preview their centre.
    static constexpr int kDefaultMaxPreviewSide = PreviewJobs::kDefaultMaxSide;
    static inline const QString kReprojectOverlay = QStringLiteral("transform-reproject");
    static inline const QString kShapesOverlay = QStringLiteral("transform-shapes");
    static inline const QString kBurnOverlay = QStringLiteral("transform-burn");
    static inline const QString kFillOverlay = QStringLiteral("transform-fill");
    /// Tab indices.
    enum Tab { Reproject, Rasterize, Vectorize, Fill };

    /// What derived-layer selectors call one of this panel's overlays (empty for others).
    static QString overlayTitle(const QString& overlayId);

    /// `monitor` may be null (exports then run without a status-bar strip).
    explicit TransformPanel(MapCanvas* canvas, JobMonitor* monitor, QWidget* parent = nullptr);
    ~TransformPanel() override;

    QTabWidget* tabs() const { return tabs_; }
    ReprojectTab* reprojectTab() const { return reproject_; }
    RasterizeTab* rasterizeTab() const { return rasterize_; }
    VectorizeTab* vectorizeTab() const { return vectorize_; }
    FillTab* fillTab() const { return fill_; }

    // Live preview and limits
    QCheckBox* liveCheck() const { return live_; }
    /// Pause after the last view or parameter change before a live preview starts.
    void setLiveDelay(int ms) { jobs_->setLiveDelay(ms); }
    int liveDelay() const { return jobs_->liveDelay(); }
    /// Largest preview side in output pixels (default kDefaultMaxPreviewSide).
    void setMaxPreviewSide(int side) { jobs_->setMaxSide(side); }
    int maxPreviewSide() const { return jobs_->maxSide(); }
    /// Previews started (explicitly or live) and results dropped because a newer request
    /// of the same kind, or hiding the panel, superseded them.
    int previewsStarted() const { return jobs_->previewsStarted(); }
    int resultsDropped() const { return jobs_->resultsDropped(); }
    /// True while a live refresh is scheduled or a preview runs.
    bool isPreviewPending() const { return jobs_->isPending(); }

    /// The score Vectorize can use (see VectorizeTab::setScoreSource).
    void setScoreSource(CompositeController* controller);
    /// Removes this panel's overlays from the map.
    void clearOverlays();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    /// A view change (tab null) or a parameter change of `tab`: schedules a live refresh if
    /// it concerns the active tab.
    void changed(TransformTab* tab = nullptr);
    void refreshLive();
    TransformTab* currentTab() const;
    std::array<TransformTab*, 4> allTabs() const;

    QPointer<MapCanvas> canvas_;
    PreviewJobs* jobs_;
    QTabWidget* tabs_;
    QCheckBox* live_;
    QPushButton* clear_;
    ReprojectTab* reproject_;
    RasterizeTab* rasterize_;
    VectorizeTab* vectorize_;
    FillTab* fill_;
};

} // namespace rb::ui
