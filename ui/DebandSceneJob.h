#pragma once
// The deband workbench's whole-scene result, kept apart from the area editing: once edits
// pause, the whole band debanded with the current notches (rb::fft::deband_scene, in the
// background, with progress and cancel), shown on the map as the result or its difference
// to the scene, and its PSNR / SSIM against a reference scene the user picks (read in the
// background, checked to be on the scene's grid). Its jobs run on JobLanes: newer notches,
// a cancel or another scene drop a running job's result.
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>

#include "JobLane.h"
#include "SceneLayer.h"
#include "rasterbench/deband.h"
#include "rasterbench/render.h"

namespace rb::ui {

class MapCanvas;

/// What the deband overlays show.
enum class DebandShow { Before, After, Difference };

class DebandSceneJob : public QObject {
    Q_OBJECT
public:
    /// Longest side of the whole-scene overlay image.
    static constexpr int kSceneOverlaySide = 2048;
    /// The map canvas overlay of the whole-scene result.
    static inline const QString kOverlayId = QStringLiteral("deband-1-scene");

    explicit DebandSceneJob(MapCanvas* canvas, QObject* parent = nullptr);
    ~DebandSceneJob() override;

    /// The band (1-based) of the scene that is debanded. A new scene or band drops the
    /// result and rereads the reference (it must be on the new grid).
    void setSource(std::shared_ptr<const SceneData> scene, int band);
    /// Display stretch of the result (the edited area's; none: the scene's own percentiles).
    void setStretch(std::optional<rb::StretchRange> stretch) { stretch_ = stretch; }
    void setShow(DebandShow show);

    /// The notches changed: the result is dropped, and a new one starts once edits pause
    /// (nothing to compute without notches and without a reference).
    void scheduleSceneJob(const rb::fft::NotchSet& notches);
    /// Starts the job now instead of after the edit pause.
    void startSceneJobNow();
    /// Stops the running (or scheduled) job; its result is dropped and the previous one is
    /// removed (it was for other notches).
    void cancelSceneJob();
    bool isRunning() const { return running_; }
    int progress() const { return progress_; } ///< 0..100
    bool hasResult() const { return !after_.isNull(); }

    void setReference(const QString& path);
    void clearReference();
    QString referencePath() const { return referencePath_; }
    bool hasReference() const { return reference_ != nullptr; }
    struct Metrics {
        std::optional<double> psnrBefore, psnrAfter, ssimBefore, ssimAfter;
    };
    /// Metrics of the latest result against the reference (empty without one).
    const Metrics& metrics() const { return metrics_; }
    /// The whole scene's state and the reference metrics, one line each.
    QStringList metricsLines() const;

signals:
    void progressChanged(int percent);
    /// The job started, finished, failed or was cancelled.
    void runningChanged(bool running);
    void resultReady();
    void referenceChanged();
    void message(const QString& text);
    void failed(const QString& text);

private:
    void startSceneJob();
    void updateSceneOverlay();
    void dropSceneResult();
    void loadReference();

    QPointer<MapCanvas> canvas_;
    std::shared_ptr<const SceneData> scene_;
    int band_ = 1;
    rb::fft::NotchSet notches_;
    std::optional<rb::StretchRange> stretch_;
    DebandShow show_ = DebandShow::After;

    QTimer timer_; ///< waits for edits to pause
    bool running_ = false;
    int progress_ = 0;
    QString state_;
    QImage after_, diff_;
    Metrics metrics_;

    QString referencePath_;
    std::shared_ptr<const rb::Raster> reference_; ///< the deband band, Float32, scene grid

    // Last, so they go first: their jobs' callbacks use the state above.
    JobLane sceneLane_, referenceLane_;
};

} // namespace rb::ui
