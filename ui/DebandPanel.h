#pragma once
// The Deband dock: the spectrum view with its tools (notch / stripe, contrast, auto-detect,
// undo / redo, clear), notch-set import / export, the reference scene for PSNR / SSIM, what
// the map shows (before / after / difference), the whole-scene job's progress and Cancel,
// the hover read-out, the metrics and the last message or error. The logic lives in
// DebandController; this panel wires widgets to it and asks for file names.
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

#include "SceneLayer.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/recipe.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;

namespace rb::ui {

class JobLane;
class JobMonitor;

class DebandController;
class MapCanvas;
class SpectrumView;
class DebandSettings;

class DebandPanel : public QWidget {
    Q_OBJECT
public:
    explicit DebandPanel(MapCanvas* canvas, QWidget* parent = nullptr);

    /// The scene to deband; its area is prepared when the panel is (or becomes) visible.
    void setScene(std::shared_ptr<const SceneData> scene);
    DebandController* controller() const { return controller_; }
    /// Auto-detect and output parameters (generated from the engine's tables).
    DebandSettings* settings() const { return settings_; }
    SpectrumView* spectrumView() const { return view_; }
    QLabel* hoverLabel() const { return hover_; }
    QLabel* metricsLabel() const { return metrics_; }
    /// The latest message or error (errors name the file they are about).
    QLabel* statusLabel() const { return status_; }
    QProgressBar* sceneProgressBar() const { return progress_; }
    QPushButton* cancelButton() const { return cancel_; }

    /// Asks for a file and exports / imports the notch set, or picks the reference scene.
    void exportNotches();
    void importNotches();
    void pickReference();
    /// Writes the scene, the band and the current notches as a recipe with one deband step
    /// (rasterbench-cli run RECIPE [SCENE...] applies it to other scenes, writing
    /// STEM_debanded.tif); returns the error text, empty on success.
    QString exportRecipe(const QString& path);
    /// Writes the whole scene's band debanded with the current notches to `path` (GeoTIFF,
    /// through the recipe runner: the same pixels as `rasterbench-cli run` of the exported
    /// recipe; atomic), in the background with progress and Cancel in the job strip. False
    /// with the reason in the status line when it cannot start; resultSaved(path) or an
    /// error naming the file when done.
    bool saveResult(const QString& path);
    /// Where the save's progress and Cancel appear (the window's status-bar strip).
    void setJobMonitor(JobMonitor* monitor);
    bool isSaving() const;

    /// The band, notches and parameters as a recipe's deband step (what sessions store and
    /// File > Open Recipe loads).
    rb::DebandStep debandStep() const;
    /// Takes the band, the notches (undoable) and every parameter of `step`.
    void setDebandStep(const rb::DebandStep& step);

signals:
    void resultSaved(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refreshSpectrum();
    void showMetrics();
    void showStatus(const QString& text, bool error);
    /// The scene, band and notches as a one-step recipe writing STEM_debanded.tif.
    std::optional<rb::Recipe> debandRecipe() const;
    /// The files the deband session reads: its scene and the reference scene, if any.
    std::vector<rb::FileRole> readFiles() const;
    void updateButtons();
    /// Closing the dock stops the previews and takes them off the map (a preview never
    /// outlives its panel); opening it again makes them for the scene shown, on the band shown.
    void dockToggled(bool open);

    std::shared_ptr<const SceneData> scene_; ///< the scene shown, also while the dock is closed
    bool dockHooked_ = false;
    bool dockOpen_ = true;
    QString closedScene_; ///< the scene when the dock was closed
    MapCanvas* canvas_;
    DebandController* controller_;
    SpectrumView* view_;
    QSpinBox* band_;
    QComboBox* show_;
    QSlider* black_;
    QSlider* white_;
    QLabel* hover_;
    QLabel* metrics_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    JobLane* saveLane_;
    QPushButton* undo_;
    QPushButton* redo_;
    QPushButton* clearReference_;
    DebandSettings* settings_;
};

} // namespace rb::ui
