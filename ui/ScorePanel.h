#pragma once
// The Score dock: choose a score method and tune its parameters (a form generated from the
// engine's parameter tables), the composite's options, which view the map shows (composite,
// winning scene, the current scene's score, its high- or low-scoring pixels, best or worst
// rank) with its legend and opacity, the preview's latency, the full-resolution job's
// progress with Cancel, and every scene's value and score under the cursor. The scenes are
// the stack's visible scenes; each one's quality file (found by a FROM=TO rename, as the
// CLI's --qa-from) is stacked after its bands. The logic lives in CompositeController.
#include <QWidget>

#include <vector>

#include "CompositeController.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QSlider;
class QTimer;
class QToolButton;

namespace rb {
struct CompositeStep;
}

namespace rb::ui {

class BandRolesEditor;
class MapCanvas;
class ParamForm;
class SceneStack;
class ScoreComponentsTable;
class StackInspectorChart;

class ScorePanel : public QWidget {
    Q_OBJECT
public:
    ScorePanel(SceneStack* stack, MapCanvas* canvas, QWidget* parent = nullptr);
    ~ScorePanel() override;

    CompositeController* controller() const { return controller_; }
    QComboBox* methodCombo() const { return method_; }
    /// The band roles the score uses on the scenes, with warnings about dropped roles.
    QLabel* rolesLabel() const;
    /// The same roles, editable per role (writes the form's `roles` row).
    BandRolesEditor* rolesEditor() const { return roles_; }
    ParamForm* scoreForm() const { return scoreForm_; }
    ParamForm* compositeForm() const { return compositeForm_; }
    QComboBox* viewCombo() const { return view_; }
    QSlider* opacitySlider() const { return opacity_; }
    QSlider* thresholdSlider() const { return threshold_; }
    QLineEdit* qualityRule() const { return qaRule_; }
    /// Sets the quality-file rule (FROM=TO, empty: none) and pairs the scenes again.
    void setQualityRule(const QString& rule);
    /// How scenes are read: stored numbers, or calibrated with their product metadata.
    QComboBox* readAsCombo() const { return readAs_; }
    QCheckBox* showCheck() const { return show_; }
    QListWidget* legendList() const { return legend_; }
    QLabel* latencyLabel() const { return latency_; }
    /// What the scorer runs on these scenes (Scorer::tests_run), "-" without one.
    QLabel* testsLabel() const { return tests_; }
    QProgressBar* fullProgressBar() const { return fullBar_; }
    QToolButton* fullCancelButton() const { return fullCancel_; }
    QToolButton* fullSaveButton() const { return fullSave_; }
    QLabel* fullStatusLabel() const { return fullStatus_; }
    /// Saves the full-resolution composite to `path` and its winning-scene index beside it
    /// (`NAME_index.tif`), in the background (what "Save..." does after its dialog).
    bool saveComposite(const QString& path);
    /// Writes the current scenes, score method, parameters and composite options as a
    /// recipe (rasterbench-cli run RECIPE reproduces the full-resolution composite, written
    /// to OUTPUT_composite.tif and its index beside it); returns the error text, empty on
    /// success. "Export recipe..." asks for the path and calls this.
    QString exportRecipe(const QString& path);
    QToolButton* recipeButton() const { return recipe_; }
    QComboBox* inspectorBandCombo() const { return inspectBand_; }
    StackInspectorChart* inspectorChart() const { return chart_; }
    ScoreComponentsTable* componentsTable() const { return components_; }

    /// The scenes the stack gives now (visible, loaded, quality files paired).
    std::vector<ScoreScene> stackScenes() const;
    /// Inspects scene pixel (col, row) (the canvas cursor calls this).
    void inspectPixel(int col, int row);

    /// The score method, its parameters and the composite options as a recipe's composite
    /// step (what sessions store and File > Open Recipe loads).
    rb::CompositeStep compositeStep() const;
    /// Takes the method and every parameter of `step` (the forms show them); the messages
    /// of values refused, empty when all were taken.
    QString setCompositeStep(const rb::CompositeStep& step);

signals:
    /// "Run at Scale..." was clicked (the main window opens the job planner).
    void runAtScaleRequested();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void syncScenes();
    /// The inspector's band names and the roles for the controller's layout.
    void showLayout();
    void syncCurrent();
    void syncView();
    void syncDisplay();
    void rebuildScoreForm();
    void onScoreParam(const QString& name, const QString& value);
    void onCompositeParam(const QString& name, const QString& value);
    void updateEnabled();
    void showLegend();
    void showStatus();
    void showInspection();
    void showRoles();

    SceneStack* stack_;
    MapCanvas* canvas_;
    CompositeController* controller_;
    QComboBox* method_;
    BandRolesEditor* roles_;
    QLineEdit* qaRule_;
    QComboBox* readAs_;
    ParamForm* scoreForm_;
    ParamForm* compositeForm_;
    QCheckBox* show_;
    QComboBox* view_;
    QSlider* opacity_;
    QSlider* threshold_;
    QListWidget* legend_;
    QLabel* latency_;
    QLabel* tests_;
    QLabel* error_;
    QProgressBar* fullBar_;
    QToolButton* fullCancel_;
    QLabel* fullStatus_;
    QToolButton* fullSave_;
    QToolButton* recipe_;
    QComboBox* inspectBand_;
    StackInspectorChart* chart_;
    ScoreComponentsTable* components_;
    QTimer* viewTimer_;
    bool shown_ = false;
    bool dockHooked_ = false;
    QPoint lastPixel_{-1, -1};
};

} // namespace rb::ui
