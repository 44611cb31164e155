#pragma once
// The deband workbench's state and jobs, kept apart from its widgets: the area of the scene
// being edited (up to 2048 x 2048 pixels around the view) with its forward transform cached
// in a DebandSession, the notch set with undo, the preview (mask + inverse only, on the GUI
// thread: a few milliseconds), the whole-scene result in the background (newest edit wins,
// stale jobs cancelled), and what the map shows: before, after or the difference, as map
// canvas overlays.
#include <QImage>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

#include "SceneLayer.h"
#include "rasterbench/deband.h"
#include "rasterbench/window.h"

namespace rb::ui {

class MapCanvas;

class DebandController : public QObject {
    Q_OBJECT
public:
    enum class Show { Before, After, Difference };
    /// Largest side of the edited area (the preview's forward transform is kept for it).
    static constexpr int kMaxAreaSide = 2048;
    /// Longest side of the whole-scene overlay image.
    static constexpr int kSceneOverlaySide = 2048;

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

    const rb::fft::NotchSet& notches() const { return notches_; }
    /// Replaces the notch set; `undoable` records the previous one for undo().
    void setNotches(const rb::fft::NotchSet& notches, bool undoable = true);
    void undo();
    bool canUndo() const { return !undo_.empty(); }
    /// Orientation (gap mask, spectrum or footprint) and peaks of the area: replaces the
    /// notches (undoable). Returns a one-line summary.
    QString autoDetect();

    void setShow(Show show);
    Show show() const { return show_; }

    /// The area's pixels (row-major floats) before and after the notches.
    const std::vector<float>& before() const { return before_; }
    const std::vector<float>& after() const { return after_; }
    /// Milliseconds the latest preview's mask + inverse took.
    double lastPreviewMs() const { return lastPreviewMs_; }
    QString metricsText() const { return metrics_; }
    bool isSceneJobRunning() const { return sceneRunning_; }

signals:
    void areaReady();
    void notchesChanged();
    void previewUpdated();
    void sceneResultReady();
    void message(const QString& text);

private:
    struct Area;
    void updatePreview();
    void updateOverlays();
    void scheduleSceneJob();
    void startSceneJob();
    /// Grey image of `values` stretched to [lo, hi] (or of values - reference, about mid
    /// grey), one sample every `step` pixels; invalid pixels transparent. Thread-safe.
    static QImage toImage(const float* values, const float* reference, const std::uint8_t* mask,
                          int rows, int cols, int step, double lo, double hi);

    MapCanvas* canvas_;
    std::shared_ptr<const SceneData> scene_;
    int band_ = 1;
    std::shared_ptr<const Area> area_;
    bool preparing_ = false;
    quint64 areaGeneration_ = 0;

    rb::fft::NotchSet notches_;
    std::vector<rb::fft::NotchSet> undo_;
    Show show_ = Show::After;
    std::vector<float> before_, after_;
    double lastPreviewMs_ = 0;
    QString metrics_;

    QThreadPool pool_;
    QTimer sceneTimer_;
    quint64 sceneGeneration_ = 0;
    std::shared_ptr<std::atomic<quint64>> latestScene_;
    bool sceneRunning_ = false;
    QImage sceneAfter_, sceneDiff_;
};

} // namespace rb::ui
