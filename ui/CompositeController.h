#pragma once
// The Score panel's state and the scheduling of its jobs, kept apart from its widgets (as
// DebandController is): the scenes to score (stack files plus their quality files), the
// score and composite options, and three kinds of background work, each on its own JobLane
// where the newest request wins and stale results are dropped:
// - the viewport: an rb::ViewportPipeline reads every scene's visible window plus the
//   scorer's halo decimated to screen resolution and caches it per view, so a parameter
//   change only rescores (or, for a composite-only parameter, only recomposites) and
//   re-renders; the result shows on the map as one overlay (ScoreOverlay) and the time from
//   the change to the overlay reaching the map is measured;
// - the whole scene at full resolution (composite_files into a temporary folder), after the
//   parameters settle, with progress and cancel;
// - the pixel inspector: every scene's value and score at one pixel at full resolution.
#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>
#include <QTimer>

#include <memory>
#include <vector>

#include "JobLane.h"
#include "ScoreOverlay.h"
#include "rasterbench/composite.h"
#include "rasterbench/export.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/pixel_components.h"
#include "rasterbench/score.h"
#include "rasterbench/viewport_pipeline.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

class QTemporaryDir;

namespace rb::ui {

class MapCanvas;
class StackAlignment;
struct SceneData;

/// One pixel of every scene at full resolution (rb::inspect_pixel), or why it failed.
struct PixelScores : rb::ScoredPixel {
    QString error;
    /// Every scene's component scores at the pixel (bap's "why did this pixel win").
    rb::PixelComponents components;
};

class CompositeController : public QObject {
    Q_OBJECT
public:
    /// Overlay id on the map canvas.
    static inline const QString kOverlayId = QStringLiteral("score-view");
    /// Memory the cached viewport reads and their kept planes may take; the preview
    /// decimates further beyond it.
    static constexpr std::size_t kReadBudgetBytes = rb::kViewportBudgetBytes;

    explicit CompositeController(MapCanvas* canvas, QObject* parent = nullptr);
    ~CompositeController() override;

    /// The scenes to score. The first is opened and sampled (for the band layout and grid) in
    /// the background: layout(), grid() and the scorer follow with layoutChanged(), and the
    /// preview counts as pending meanwhile; a scene that cannot be opened is reported by
    /// lastError() and the message signal. They are scored and composited on the
    /// first scene's grid (`gridScene`: that scene's data, which the overlay is drawn for;
    /// null: the scene shown when a preview arrives); a scene on another grid is warped onto it
    /// on the fly (StackAlignment), as `composite --grid first` does.
    void setScenes(const std::vector<ScoreScene>& scenes,
                   std::shared_ptr<const SceneData> gridScene = nullptr);
    const std::vector<ScoreScene>& scenes() const { return scenes_; }
    /// Index (in scenes()) of the scene whose score the score views show; -1: none.
    void setCurrentScene(int index);
    int currentScene() const { return current_; }
    /// Band layout of the scenes (empty until the scenes are open: see layoutChanged()).
    const rb::BandLayout& layout() const { return layout_; }
    int primaryBands() const { return primaryBands_; }

    /// Replaces the method (defaults of `method`).
    void setMethod(const QString& method);
    /// Sets one score parameter; returns the error text (empty on success). An option that
    /// is accepted but leaves the scorer unusable (a bad expression, a missing band role)
    /// is also returned, and the preview keeps the last good result.
    QString setScoreParam(const QString& name, const QString& value);
    QString setCompositeParam(const QString& name, const QString& value);
    const rb::ScoreOptions& scoreOptions() const { return score_; }
    const rb::CompositeOptions& compositeOptions() const { return composite_; }
    /// The options the previews use (bands limited to the primary bands, ranks 1 asked for).
    rb::CompositeOptions effectiveCompositeOptions() const;
    /// The scorer of the current options (null when they do not give one).
    std::shared_ptr<const rb::Scorer> scorer() const { return scorer_; }

    /// The visible window and its size on screen (device pixels), in pixels of the stack's
    /// grid, or of `on` (the grid of the scene the map shows), mapped onto the stack's grid.
    void setView(const rb::Window& visible, QSize screen);
    void setView(const rb::Window& visible, QSize screen, const rb::Grid& on);
    /// The grid the scenes are composited on (the first scene's; empty before scenes are set).
    const rb::Grid& grid() const { return grid_; }
    void setDisplay(const ScoreDisplay& display);
    const ScoreDisplay& display() const { return display_; }
    /// Shows or hides the overlay (hidden: no preview work either).
    void setEnabled(bool on);
    bool isEnabled() const { return enabled_; }

    /// The latest preview (null before the first).
    std::shared_ptr<const ViewportResult> viewport() const { return result_; }
    QImage overlayImage() const { return overlay_; }
    const ScoreLegend& legend() const { return legend_; }
    bool isViewportPending() const { return viewportPending_; }
    /// Runs the event loop until no preview is pending; false on timeout.
    bool waitForViewport(int timeoutMs = 30000);
    /// Milliseconds from the latest parameter change to its overlay on the map (-1: none),
    /// and the preview's stages.
    double lastLatencyMs() const { return latencyMs_; }
    /// Milliseconds from the latest parameter change to the first overlay it produced: the
    /// coarse first preview (every second to eighth pixel; coarser with new stack statistics,
    /// rb::coarse_statistics_factor) when the full viewport takes longer than kCoarseFirstMs to
    /// recompute or needs new stack statistics (a method switch or a new view with a temporal
    /// method), else the same as lastLatencyMs(). -1: none.
    double lastFirstOverlayMs() const { return firstOverlayMs_; }
    /// True while the overlay shows the coarse first preview of the latest change.
    bool isOverlayCoarse() const { return overlayCoarse_; }
    /// Full-viewport recomputation time above which a change first shows a coarse preview
    /// (the pipeline's default: half a 60 Hz frame).
    static constexpr double kCoarseFirstMs = rb::CoarseFirst{}.min_ms;
    /// Turns the coarse first preview off or on, with the full-viewport time and output
    /// size above which it is used.
    void setCoarseFirst(bool on, double minMs = kCoarseFirstMs,
                        qint64 minPixels = rb::CoarseFirst{}.min_pixels);
    QString lastError() const { return error_; }

    /// Full-resolution job: starts automatically once the parameters settle.
    bool isFullRunning() const { return fullLane_.busy(); }
    double fullProgress() const { return fullProgress_; }
    void cancelFull();
    /// Files of the latest full-resolution result (empty until one completes).
    QString fullCompositePath() const;
    QString fullIndexPath() const;
    /// Saves the latest full-resolution composite, and its winning-scene index when
    /// `indexPath` is not empty, to those paths in the background, in `format` (GeoTIFF or
    /// COG, compression, overviews: rb::export_file). Each is written beside its target and
    /// renamed into place, so an existing file is only ever replaced by a complete one. A target
    /// that is one of the scenes or quality files, or two targets that are one file, are refused
    /// (saved(false, why)) before anything is written. Emits saved(); false at once when there is
    /// no result to save.
    bool saveFull(const QString& compositePath, const QString& indexPath = {},
                  const rb::ExportOptions& format = {});
    /// Milliseconds to wait after the last change before the full-resolution job.
    void setFullDelay(int ms) { fullTimer_.setInterval(ms); }

    /// Every scene's band `band` (0-based) value and score at pixel (col, row) of the stack's
    /// grid, or of `on` (mapped onto the stack's grid through the pixel's centre).
    void inspect(int col, int row, int band);
    void inspect(int col, int row, int band, const rb::Grid& on);
    const PixelScores& inspection() const { return pixel_; }
    bool isInspectPending() const { return inspectPending_; }

    /// The scenes' files, as output_guard names them.
    std::vector<rb::FileRole> inputFiles() const;

signals:
    void viewportUpdated();
    /// The overlay image or its legend changed (a preview or a display change).
    void overlayChanged();
    void fullProgressChanged(double fraction);
    void fullFinished(bool ok, const QString& message);
    void saved(bool ok, const QString& message);
    void inspected();
    void message(const QString& text);
    /// layout(), primaryBands() and grid() changed: the scenes were opened (or failed to be).
    void layoutChanged();

private:
    /// Opens the first scene in the background for the layout and grid, then previews.
    void loadScenes();
    void rebuildScorer();
    void requestViewport(bool restartClock = true);
    void startViewport();
    /// The viewport the preview reads for the current view, scenes and scorer.
    rb::ViewportPlan plan() const;
    void rerender();
    void showOverlay(const QImage& image, const ScoreLegend& legend);
    void startFull();

    QPointer<MapCanvas> canvas_; ///< may go first when a window closes
    std::vector<ScoreScene> scenes_;
    std::shared_ptr<const SceneData> gridScene_;
    rb::Grid grid_;
    /// The scenes on grid_, shared with the jobs reading them.
    std::shared_ptr<StackAlignment> alignment_;
    rb::BandLayout layout_;
    /// Every scene's sample (SceneInfo::sample) when the layout has a thermal band, else
    /// empty.
    std::vector<std::shared_ptr<const rb::Raster>> samples_;
    int primaryBands_ = 0;
    std::int64_t width_ = 0, height_ = 0;
    bool loadingScenes_ = false; ///< loadScenes() is running: no scorer or grid yet
    int current_ = -1;
    rb::ScoreOptions score_;
    rb::CompositeOptions composite_;
    std::shared_ptr<const rb::Scorer> scorer_;
    rb::Window visible_;
    QSize screen_;
    ScoreDisplay display_;
    bool enabled_ = true;

    /// Reads, statistics and scores of the view, reused across parameter changes.
    std::shared_ptr<rb::ViewportPipeline> pipeline_;
    quint64 viewJob_ = 0; ///< the newest viewport job
    std::shared_ptr<const ViewportResult> result_;
    bool viewportPending_ = false;
    QElapsedTimer clock_;
    qint64 changeNs_ = -1; ///< clock_ time of the change being previewed
    double latencyMs_ = -1;
    double firstOverlayMs_ = -1;
    bool overlayCoarse_ = false;
    quint64 coarseShown_ = 0; ///< viewport job whose coarse preview is on the map
    /// Shows a coarse first preview of viewport job `job` (GUI thread).
    void showCoarse(quint64 job, std::shared_ptr<const ViewportResult> result, const QImage& image,
                    const ScoreLegend& legend);
    QImage overlay_;
    ScoreLegend legend_;
    QString error_;

    QTimer fullTimer_;
    double fullProgress_ = 0;
    std::shared_ptr<QTemporaryDir> fullDir_;
    bool fullValid_ = false;
    bool fullCancelled_ = false; ///< by the user: no restart until the next change

    PixelScores pixel_;
    bool inspectPending_ = false;

    // Last, so they go first: their jobs' callbacks use the state above.
    JobLane sceneLane_, viewLane_, fullLane_, inspectLane_, renderLane_, saveLane_;
};

} // namespace rb::ui
