#pragma once
// The main window only wires: menus, the map canvas and the compare views, the status bar,
// the docks (layers, display, histogram, pixel inspector, metadata), drag-and-drop and
// persisted settings. Each widget owns its own logic; the scene stack owns the scenes.
#include <QMainWindow>
#include <QRectF>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "SessionFile.h"
#include <vector>

#include "rasterbench/colormap.h"
#include "rasterbench/render.h"

class QDockWidget;

namespace rb {
struct Recipe;
}
class QLabel;
class QStackedWidget;
class QTimer;

namespace rb::ui {

class EditActions;
class LinkedDisplay;

class CatalogPanel;
class CompareView;
class CursorInfoLabel;
class DebandPanel;
class DerivedLayers;
class ScorePanel;
class TransformPanel;
class DisplayPanel;
class HistogramPlot;
class JobFolderLayer;
class JobLane;
class JobMonitor;
class RunAtScaleDialog;
class LayersPanel;
class OverlayList;
class MapCanvas;
class MetadataPanel;
class PixelInspector;
class RecentFilesMenu;
class SceneLayer;
class SceneStack;
class StartPage;
class Workspaces;
struct SceneData;

/// How the central area shows scenes.
enum class ViewMode { Single, SideBySide, Swipe };

/// Display and view choices a script imposes on every scene it opens (--screenshot runs).
struct ScriptedView {
    std::optional<std::vector<int>> bands;
    std::optional<rb::Colormap> colormap;
    std::optional<rb::StretchOptions> stretch;
    std::optional<double> gamma;
    bool fastStatistics = false;
    /// Scene pixel window to show (col, row, width, height); unset: fit.
    std::optional<QRectF> window;
    ViewMode mode = ViewMode::Single;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Adds `path` to the stack and shows it once loaded (errors go to the status bar and
    /// lastError()).
    void openFile(const QString& path);
    /// Adds every file of `paths` to the stack (loaded in the background); the first one
    /// opened becomes the current scene.
    void openFiles(const QStringList& paths);
    /// Applies `view` to every scene loaded from now on (scripted runs).
    void setScriptedView(const ScriptedView& view);
    void setViewMode(ViewMode mode);
    /// Shows or hides every dock (scripted screenshots show the map alone by default).
    void setPanelsVisible(bool visible);
    ViewMode viewMode() const { return viewMode_; }
    /// Renders the current scene's visible window at full resolution (in the background)
    /// into a PNG; false with `error` when the window is too large or unwritable.
    bool exportFullResolution(const QString& pngPath, QString* error = nullptr);

    /// True when nothing is loading and, with a scene shown, its render is up to date.
    bool isIdle() const;
    /// Runs the event loop until isIdle() or `timeoutMs` elapses; false on timeout.
    bool waitUntilIdle(int timeoutMs = 30000);
    /// What the shown panels still compute for the scene on the map, one entry a job
    /// ("Score: full-resolution composite"): the Score panel's preview and full-resolution
    /// composite, the Deband panel's spectrum, preview and whole-scene job, the Transform
    /// panel's live preview, the histogram, metadata and Catalog reads. Empty: all done
    /// (finished or failed, the error shown in its panel).
    QStringList panelWork() const;
    /// Runs the event loop until isIdle() and panelWork() is empty; false on timeout, with
    /// what was still running in `pending`.
    bool waitForPanels(int timeoutMs, QString* pending = nullptr);
    /// Waits until the view and the shown panels are done (waitForPanels), then saves the
    /// whole window as PNG. On failure (timeout, naming what was still running; the scene
    /// failed to load; the PNG cannot be written) returns false with a one-line `error`.
    bool saveScreenshot(const QString& pngPath, QString* error = nullptr, int timeoutMs = 120000);

    /// Message of the latest failed open or render (empty when the latest open succeeded).
    QString lastError() const { return lastError_; }
    /// The error strip of the status bar: the latest error stays there (the pixel readout
    /// beside it does not replace it) until a scene opens or a minute passes (its tooltip has the
    /// whole message).
    QLabel* errorStrip() const { return errorStrip_; }
    /// Save opened files (File > Open Recent) and the window geometry in the settings.
    /// Off for scripted runs, which must not change the user's settings.
    void setPersistent(bool on);
    /// Ask before quitting, or opening a session or recipe, would drop parameter edits made
    /// since the session was last saved or opened (the interactive workbench; off for
    /// scripted runs and tests, which nobody answers).
    void setAsksBeforeDiscarding(bool on) { asksBeforeDiscarding_ = on; }
    /// Whether the Score or Transform panel has parameter edits made since the last session
    /// save or open (the deband notches are saved per scene as they are edited).
    bool hasUnsavedEdits() const;
    /// Restores the window geometry saved by the previous session; false when none.
    bool restoreSavedGeometry();

    MapCanvas* canvas() const { return canvas_; }
    /// The current scene (of the stack) as the single view shows it.
    SceneLayer* scene() const { return scene_; }
    SceneStack* stack() const { return stack_; }
    LayersPanel* layers() const { return layers_; }
    OverlayList* overlayList() const { return overlays_; }
    DisplayPanel* displayPanel() const { return display_; }
    DebandPanel* debandPanel() const { return deband_; }
    ScorePanel* scorePanel() const { return score_; }
    TransformPanel* transformPanel() const { return transform_; }
    CatalogPanel* catalogPanel() const { return catalog_; }
    PixelInspector* inspector() const { return inspector_; }
    MetadataPanel* metadata() const { return metadata_; }
    CompareView* compare() const { return compare_; }
    CursorInfoLabel* cursorInfo() const { return cursorInfo_; }
    HistogramPlot* histogram() const { return histogram_; }
    RecentFilesMenu* recentFilesMenu() const { return recentMenu_; }
    Workspaces* workspaces() const { return workspaces_; }
    /// Edit > Undo / Redo, acting on the focused panel or the workspace's.
    EditActions* editActions() const { return edit_; }
    /// The compare panes' shared display, and "Apply display to all scenes".
    LinkedDisplay* linkedDisplay() const { return linked_; }
    StartPage* startPage() const { return startPage_; }
    /// The scene the start page offers to open (the bundled sample).
    void setSamplePath(const QString& path);
    /// The status-bar strip of long jobs (progress and Cancel).
    JobMonitor* jobMonitor() const { return jobs_; }
    /// Derived layers (deband result, later score and composite) the compare panes offer.
    /// Producers publish into it; the main map's overlays are mirrored into it as well.
    DerivedLayers* derivedLayers() const { return derived_; }

    /// Writes the session (scenes, display settings, current scene, view, workspace,
    /// overlay layer state) to `path` (.rbsession); an error message, or empty.
    QString saveSession(const QString& path);
    /// Replaces the open scenes with a saved session; its display settings, current scene,
    /// view and workspace are applied once the scenes have loaded. False (error shown) when
    /// the file cannot be read.
    bool openSession(const QString& path);
    /// True while an opened session waits for its scenes.
    bool isSessionPending() const { return pendingSession_.has_value(); }

    /// The Score, Deband and Transform panels' parameters and the deband notches as a recipe
    /// (steps deband, composite, reproject when a CRS is typed, fill), what sessions store.
    rb::Recipe panelRecipe() const;
    /// Loads the first step of each type of `recipe` into its panel; the values the panels
    /// refused (one line each), empty when all were taken.
    QString applyRecipe(const rb::Recipe& recipe);
    /// File > Open Recipe: opens the recipe's scenes not already in the stack and loads its
    /// steps into the panels once they have loaded; a recipe whose scenes come from a catalog
    /// opens that catalog, with its selection, in the Catalog workspace. False (error shown) when
    /// the file is no readable recipe.
    bool openRecipe(const QString& path);
    /// True while an opened recipe waits for its scenes.
    bool isRecipePending() const { return pendingRecipe_ != nullptr; }

    /// Run at Scale (File menu, Score panel): the panels' recipe planned as a job folder.
    RunAtScaleDialog* showRunAtScale();
    /// File > Open Job Folder: the job's tiles on the map coloured by state, refreshed while
    /// it runs, with the counts and resubmit commands beside; false (error shown) when `dir`
    /// holds no job.
    bool openJobFolder(const QString& dir);
    /// The open job folder's layer (created on first use).
    JobFolderLayer* jobFolderLayer();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createMenus();
    void createDocks();
    void connectStack();
    void showOpenDialog();
    void exportView();
    void exportViewFullResolution();
    /// True when a session was saved.
    bool askSaveSession();
    void askOpenSession();
    /// Before `what` drops unsaved edits: save them as a session, discard them or cancel.
    /// True when `what` may go on.
    bool confirmDiscard(const QString& what);
    /// The panels' parameters now are what the last save or open holds.
    void markEditsSaved();
    void askOpenRecipe();
    /// Applies the opened session once none of its scenes is loading any more.
    void applyPendingSession();
    /// Loads the opened recipe (or a session's panel parameters) into the panels once no scene
    /// is loading and the current one is shown.
    void applyPendingRecipe();
    void onSceneLoaded();
    void onSceneFailed(const QString& path, const QString& message);
    void showError(const QString& message);
    void showCurrentScene();
    /// The start page while no scene is open, else the map or the compare views.
    void updateCentral();
    void updateHistogram();
    void updateDisplayStatus();
    /// Forgets the Score, Transform and Deband panels' undo history: what a session or a
    /// recipe loaded is where editing starts, not an edit to undo.
    void forgetEditHistory();
    /// Watches the panels' jobs panelWork() cannot ask about (the full composite's end).
    void trackPanelWork();
    void onLimitDragged(int channel, bool high, double value, bool finished);
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget,
                         Qt::DockWidgetArea area);

    SceneLayer* scene_;
    SceneStack* stack_;
    MapCanvas* canvas_;
    CursorInfoLabel* cursorInfo_;
    HistogramPlot* histogram_;
    QDockWidget* histogramDock_ = nullptr;
    RecentFilesMenu* recentMenu_ = nullptr;
    LayersPanel* layers_ = nullptr;
    OverlayList* overlays_ = nullptr;
    DisplayPanel* display_ = nullptr;
    DebandPanel* deband_ = nullptr;
    ScorePanel* score_ = nullptr;
    TransformPanel* transform_ = nullptr;
    CatalogPanel* catalog_ = nullptr;
    PixelInspector* inspector_ = nullptr;
    MetadataPanel* metadata_ = nullptr;
    CompareView* compare_ = nullptr;
    JobMonitor* jobs_ = nullptr;
    DerivedLayers* derived_ = nullptr;
    QStackedWidget* central_ = nullptr;
    StartPage* startPage_ = nullptr;
    Workspaces* workspaces_ = nullptr;
    EditActions* edit_ = nullptr;
    LinkedDisplay* linked_ = nullptr;
    std::optional<Session> pendingSession_;
    std::shared_ptr<rb::Recipe> pendingRecipe_;
    QTimer* viewHistogramTimer_ = nullptr;
    std::shared_ptr<const SceneData> shown_;
    QSet<QString> everOpened_; ///< paths of every scene the stack held this session
    QString pendingCurrent_;
    std::optional<ScriptedView> scripted_;
    ViewMode viewMode_ = ViewMode::Single;
    quint64 histogramTag_ = 0;
    /// Full-resolution exports, side by side, shown in the job strip.
    JobLane* exports_ = nullptr;
    QString lastError_;
    QLabel* errorStrip_ = nullptr;
    QTimer* errorTimer_ = nullptr;
    bool persistent_ = true;
    bool asksBeforeDiscarding_ = false;
    /// The Score panel's latest full-resolution composite has ended (done or failed) and
    /// no newer one has started.
    bool fullCompositeEnded_ = false;
};

} // namespace rb::ui
