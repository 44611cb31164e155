#pragma once
// The deband workbench's state and the scheduling of its jobs, kept apart from its widgets:
// the area of the scene being edited (an rb::fft::DebandArea: up to 2048 x 2048 pixels
// around the view, its forward transforms at full and half resolution, the preview images
// and auto-detection), the notch set with undo / redo, the preview of the area (mask +
// inverse, in the background), the energy the notches remove, notch-set import / export,
// and what the map shows of the area: before, after or the difference. The whole-scene
// result and its metrics against a reference are a DebandSceneJob's.
//
// Threads. Nothing here computes or reads files on the GUI thread; each kind of work has its
// JobLane (one thread; a newer job supersedes the running one, whose result is dropped):
// - area: reading the area and its forward transforms; detect: auto-detection;
// - preview: the only lane that runs the area's DebandPreview (apply, removed energy) and
//   draws the area overlay: per job, the half-resolution result first (delivered at once),
//   then the full-resolution one, which is skipped when a newer request already waits (it
//   cancels the running job). At most one preview job is in flight and at most one waits
//   (the newest request replaces the waiting one), so a drag never queues work behind it;
// - io: notch JSON files (each delivered).
// Results for another area, band or scene are dropped on arrival.
#include <QElapsedTimer>
#include <QImage>
#include <QObject>

#include <memory>
#include <optional>
#include <vector>

#include "DebandSceneJob.h"
#include "JobLane.h"
#include "SceneLayer.h"
#include "rasterbench/deband.h"
#include "rasterbench/deband_area.h"
#include "rasterbench/window.h"

namespace rb::ui {

class MapCanvas;

class DebandController : public QObject {
    Q_OBJECT
public:
    using Show = DebandShow;
    /// Largest side of the edited area (the preview's forward transform is kept for it).
    static constexpr int kMaxAreaSide = 2048;
    /// Undo steps kept (a drag is one step, so this is a long editing session).
    static constexpr std::size_t kMaxUndo = 500;

    explicit DebandController(MapCanvas* canvas, QObject* parent = nullptr);
    ~DebandController() override;

    void setScene(std::shared_ptr<const SceneData> scene);
    std::shared_ptr<const SceneData> scene() const { return scene_; }
    /// 1-based band of the scene that is debanded (default: the first displayed band).
    void setBand(int band);
    int band() const { return band_; }

    /// Reads the area around the current view and transforms it, in the background.
    void prepareArea();
    bool isReady() const { return area_ != nullptr && !preparing_; }
    /// Runs the event loop until the area is ready (tests, scripts); false on timeout.
    bool waitUntilReady(int timeoutMs = 30000);
    rb::Window area() const;
    std::shared_ptr<const rb::fft::Spectrum> spectrum() const;

    // ---- notches ---------------------------------------------------------------------
    const rb::fft::NotchSet& notches() const { return notches_; }
    /// Replaces the notch set; `undoable` records the previous one for undo() (the moves
    /// of a drag after its first are not undoable: one gesture, one step). Notches that are
    /// not the user's own edit (a recipe's or a session's, `saved` false) leave the scene's
    /// saved set alone: opening a recipe replaced the notches the user had saved.
    void setNotches(const rb::fft::NotchSet& notches, bool undoable = true, bool saved = true);
    /// Every edit is saved per scene in the settings (nothing is lost when the workbench
    /// closes); these bring the scene's last saved set back, as one undoable step.
    bool hasSavedNotches() const;
    bool restoreSavedNotches();
    void undo();
    void redo();
    /// Forgets the undo and redo history (a session or recipe was opened: its notches are
    /// where the editing starts).
    void clearHistory();
    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    /// Orientation (gap mask, spectrum or footprint) and peaks of the area, in the
    /// background: replaces the notches (undoable) and emits autoDetected(summary).
    void autoDetect();
    /// The orientation and peak parameters autoDetect() uses (the Deband panel's settings).
    void setDetectOptions(const rb::fft::OrientationOptions& orientation,
                          const rb::fft::PeakOptions& peaks);
    /// Writes the notch set to `path` (JSON, atomically) in the background; emits
    /// notchesExported(path) or failed(message naming the file).
    void exportNotches(const QString& path);
    /// Reads a notch set from `path` in the background and makes it current (undoable);
    /// emits notchesImported(path) or failed(message naming the file).
    void importNotches(const QString& path);

    // ---- preview of the area -----------------------------------------------------------
    void setShow(Show show);
    Show show() const { return show_; }
    /// Redraws the area overlay at the current zoom (the map shows one sample per screen
    /// pixel, so a zoom changes the overlay's resolution).
    void refreshOverlay() { requestPreview(); }
    /// The area's pixels (row-major floats) before and after the notches of previewNotches().
    const std::vector<float>& before() const { return before_; }
    const std::vector<float>& after() const;
    const rb::fft::NotchSet& previewNotches() const { return previewNotches_; }
    /// True when after() shows the current notches and no preview is computing or waiting.
    bool isPreviewCurrent() const;
    /// Runs the event loop until isPreviewCurrent() (tests, scripts); false on timeout.
    bool waitForPreview(int timeoutMs = 30000);
    /// Milliseconds the latest full-resolution preview's mask + inverse took on the worker.
    double lastPreviewMs() const { return lastPreviewMs_; }
    /// Milliseconds from the latest delivered preview's request to its arrival on the GUI
    /// thread (compute, overlay image, queueing behind a running preview).
    double lastPreviewLatencyMs() const { return lastPreviewLatencyMs_; }
    /// The half-resolution first preview (shown before the full-resolution one replaces
    /// it): milliseconds of its mask + inverse on the worker, and from its request to its
    /// arrival on the GUI thread; and how many were delivered.
    double lastCoarsePreviewMs() const { return lastCoarsePreviewMs_; }
    double lastCoarsePreviewLatencyMs() const { return lastCoarsePreviewLatencyMs_; }
    int coarsePreviewsDelivered() const { return coarsePreviewsDelivered_; }
    /// Preview jobs started since construction (coalescing makes this smaller than the
    /// number of edits during a drag).
    int previewJobsStarted() const { return previewJobsStarted_; }
    /// Stripe-band energy of the area (energy above the background along the stripe line)
    /// before and after the current notches, once measured (see metricsText), and the angle
    /// it was measured along: the notches' own (notch_stripe_angle), else the last
    /// auto-detected one.
    std::optional<rb::fft::StripeEnergy> stripeEnergy() const;
    double stripeAngle() const { return stripeAngle_; }
    /// One line per metric: area energy removed, residual stripe-band energy, preview time,
    /// scene state, PSNR / SSIM.
    QString metricsText() const;

    // ---- whole scene -------------------------------------------------------------------
    // (DebandSceneJob's, for the current scene, band and notches)
    bool isSceneJobRunning() const { return sceneJob_.isRunning(); }
    /// Progress of the running whole-scene job, 0..100.
    int sceneProgress() const { return sceneJob_.progress(); }
    /// Starts the whole-scene job now instead of after the edit pause.
    void startSceneJobNow() { sceneJob_.startSceneJobNow(); }
    /// Stops the running (or scheduled) whole-scene job; its result is dropped and the
    /// previous one is removed (it was for other notches).
    void cancelSceneJob() { sceneJob_.cancelSceneJob(); }
    /// True when the map shows a whole-scene result for the current notches.
    bool hasSceneResult() const { return sceneJob_.hasResult(); }

    // ---- reference scene (metrics) -----------------------------------------------------
    /// A raster on the scene's grid to compare before / after with (a clean acquisition, a
    /// synthetic truth). Read in the background; a size mismatch is reported by failed().
    void setReference(const QString& path) { sceneJob_.setReference(path); }
    void clearReference() { sceneJob_.clearReference(); }
    QString referencePath() const { return sceneJob_.referencePath(); }
    bool hasReference() const { return sceneJob_.hasReference(); }
    using SceneMetrics = DebandSceneJob::Metrics;
    /// Metrics of the latest whole-scene result against the reference (empty without one).
    const SceneMetrics& sceneMetrics() const { return sceneJob_.metrics(); }

signals:
    void areaReady();
    void notchesChanged();
    void previewUpdated();
    void sceneProgressChanged(int percent);
    /// The whole-scene job started, finished, failed or was cancelled.
    void sceneJobStateChanged(bool running);
    void sceneResultReady();
    void referenceChanged();
    void autoDetected(const QString& summary);
    void notchesExported(const QString& path);
    void notchesImported(const QString& path);
    /// Something the user should read (progress of a step, a summary).
    void message(const QString& text);
    /// Something that went wrong: one line naming the file or the step.
    void failed(const QString& text);

private:
    using Area = rb::fft::DebandArea;
    struct PreviewJob {
        std::shared_ptr<const Area> area;
        rb::fft::NotchSet notches;
        Show show = Show::After;
        int step = 1;
        qint64 requestedNs = 0;
    };
    void requestPreview();
    void launchPreview(PreviewJob job);
    /// Starts the waiting preview, if any and still for this area; true when it started.
    bool launchPendingPreview();
    /// Shows a half-resolution first preview (GUI thread).
    void deliverCoarse(const std::shared_ptr<const Area>& area, Show show, qint64 requestedNs,
                       double ms, const QImage& image);
    /// The preview thread's reusable half-resolution output.
    static std::vector<float>& coarseBuffer();
    void launchEnergy(std::shared_ptr<const Area> area, const rb::fft::NotchSet& notches);
    void notchesEdited(bool saved = true);
    int overlayStep() const;
    /// The area's window in scene pixels, where the map draws its overlay.
    QRectF areaRect() const;

    MapCanvas* canvas_;
    std::shared_ptr<const SceneData> scene_;
    int band_ = 1;
    std::shared_ptr<const Area> area_;
    bool preparing_ = false;

    rb::fft::NotchSet notches_;
    rb::fft::OrientationOptions detectOrientation_;
    rb::fft::PeakOptions detectPeaks_;
    std::vector<rb::fft::NotchSet> undo_, redo_;
    Show show_ = Show::After;

    // Preview: after_ holds the latest delivered result; spare_ is the buffer the next job
    // writes into (a 16 MB allocation per edit would cost more than the mask).
    std::vector<float> before_;
    std::shared_ptr<std::vector<float>> after_, spare_;
    rb::fft::NotchSet previewNotches_;
    bool previewInFlight_ = false;
    std::optional<PreviewJob> pendingPreview_;
    double lastPreviewMs_ = 0, lastPreviewLatencyMs_ = 0;
    double lastCoarsePreviewMs_ = 0, lastCoarsePreviewLatencyMs_ = 0;
    int coarsePreviewsDelivered_ = 0;
    quint64 previewJob_ = 0; ///< the preview lane's newest job (a preview or the energy)
    double energyRemoved_ = 0, energyTotal_ = 0;
    rb::fft::NotchSet energyNotches_;                   ///< what energyRemoved_ was measured for
    std::optional<rb::fft::StripeEnergy> stripeEnergy_; ///< for energyNotches_
    double stripeAngle_ = 0;
    std::optional<double> detectedAngle_; ///< the last auto-detection's refined angle
    int previewJobsStarted_ = 0;

    QElapsedTimer clock_; ///< preview latency: request to delivery

    DebandSceneJob sceneJob_;

    // Last, so they go first: their jobs' callbacks use the state above.
    JobLane areaLane_, detectLane_, previewLane_, ioLane_;
};

} // namespace rb::ui
