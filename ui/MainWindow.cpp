#include "MainWindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDeadlineTimer>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include <exception>

#include "CatalogPanel.h"
#include "CompareView.h"
#include "CompositeController.h"
#include "CursorInfoLabel.h"
#include "DebandController.h"
#include "DebandPanel.h"
#include "DerivedLayers.h"
#include "DisplayPanel.h"
#include "DisplaySettingsStore.h"
#include "EditActions.h"
#include "EngineMessages.h"
#include "HelpMenu.h"
#include "HistogramPlot.h"
#include "JobLane.h"
#include "JobMonitor.h"
#include "LayersPanel.h"
#include "LinkedDisplay.h"
#include "MapCanvas.h"
#include "MetadataPanel.h"
#include "OpenDialog.h"
#include "OutputCheck.h"
#include "OverlayList.h"
#include "PanelUndo.h"
#include "PixelInspector.h"
#include "RecentFilesMenu.h"
#include "SaveDialog.h"
#include "SceneLayer.h"
#include "SceneRender.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "StartPage.h"
#include "SwipeView.h"
#include "TransformPanel.h"
#include "WheelGuard.h"
#include "Workspaces.h"
#include "rasterbench/error.h"

namespace rb::ui {

namespace {

constexpr int kErrorMessageMs = 15000;
const char* const kGeometryKey = "mainWindow/geometry";
const char* const kStateKey = "mainWindow/state";
const char* const kLastDirKey = "lastOpenDir";

QStringList localFiles(const QMimeData* mime) {
    QStringList files;
    if (mime && mime->hasUrls())
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                files << url.toLocalFile();
    return files;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), scene_(new SceneLayer(this)), stack_(new SceneStack(this)),
      canvas_(new MapCanvas(this)), cursorInfo_(new CursorInfoLabel(this)),
      histogram_(new HistogramPlot(this)) {
    setWindowTitle(QStringLiteral("Rasterbench"));
    setAcceptDrops(true);
    compare_ = new CompareView(stack_, this);
    central_ = new QStackedWidget(this);
    central_->addWidget(canvas_);
    central_->addWidget(compare_);
    startPage_ = new StartPage(this);
    central_->addWidget(startPage_);
    setCentralWidget(central_);
    WheelGuard::install();
    statusBar()->addWidget(cursorInfo_, 1);
    errorStrip_ = new QLabel(this);
    errorStrip_->setObjectName(QStringLiteral("errorStrip"));
    errorStrip_->setStyleSheet(QStringLiteral("QLabel { color: white; background: #b03a2e; "
                                              "padding: 1px 6px; }"));
    errorStrip_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorStrip_->hide();
    statusBar()->addPermanentWidget(errorStrip_);
    // Engine warnings and GDAL's messages, from any thread, in the same strip.
    connect(EngineMessages::instance(), &EngineMessages::message, this,
            [this](const QString& text, bool warning) {
                showError((warning ? tr("Warning: %1") : tr("GDAL: %1")).arg(text));
            });
    errorTimer_ = new QTimer(this);
    errorTimer_->setSingleShot(true);
    connect(errorTimer_, &QTimer::timeout, errorStrip_, &QWidget::hide);
    jobs_ = new JobMonitor(this);
    statusBar()->addPermanentWidget(jobs_);
    stack_->setJobMonitor(jobs_);
    exports_ = new JobLane(tr("Exporting"), jobs_, this);
    exports_->setPolicy(JobLane::Policy::Independent);
    canvas_->tileRenderer()->setJobMonitor(jobs_);
    compare_->swipe()->left()->tileRenderer()->setJobMonitor(jobs_);
    compare_->swipe()->right()->tileRenderer()->setJobMonitor(jobs_);
    for (int i = 0; i < compare_->paneCount(); ++i)
        compare_->canvas(i)->tileRenderer()->setJobMonitor(jobs_);
    derived_ = new DerivedLayers(this);
    compare_->setDerivedLayers(derived_);
    // The main map's overlays (the deband result) are derived layers the compare panes can
    // show, without their producers knowing about the panes.
    connect(canvas_, &MapCanvas::overlayChanged, this, [this](const QString& id) {
        const QString key = QStringLiteral("map/") + id;
        const QImage image = canvas_->overlay(id);
        if (image.isNull() || !canvas_->scene() || !canvas_->overlayOnScene(id)) {
            derived_->withdraw(key);
            return;
        }
        derived_->publish(
            {key, OverlayList::title(id), canvas_->scene(), image, canvas_->overlayRect(id)});
    });

    histogramDock_ = new QDockWidget(tr("Histogram"), this);
    histogramDock_->setObjectName(QStringLiteral("histogramDock"));
    histogramDock_->setWidget(histogram_);
    addDockWidget(Qt::RightDockWidgetArea, histogramDock_);
    histogramDock_->hide(); // on demand (View menu): the map gets the whole window by default

    createDocks();
    trackPanelWork();
    workspaces_ = new Workspaces(this);
    createMenus();
    addHelpMenu(this);
    connectStack();
    connect(startPage_, &StartPage::openRequested, this, &MainWindow::showOpenDialog);
    connect(startPage_, &StartPage::fileRequested, this, &MainWindow::openFile);
    startPage_->setRecentFiles(recentMenu_->files());
    updateCentral();

    connect(scene_, &SceneLayer::loaded, this, &MainWindow::onSceneLoaded);
    connect(scene_, &SceneLayer::loadFailed, this, &MainWindow::onSceneFailed);
    connect(canvas_, &MapCanvas::cursorMoved, cursorInfo_, &CursorInfoLabel::setCursorPosition);
    connect(canvas_, &MapCanvas::cursorLeft, cursorInfo_, &CursorInfoLabel::clearCursor);
    connect(canvas_, &MapCanvas::renderFailed, this, &MainWindow::showError);
}

MainWindow::~MainWindow() {
    // Panels clear their map overlays while the window's children are destroyed; by then
    // this is no longer a MainWindow, so nothing may call back into it.
    if (canvas_)
        disconnect(canvas_, nullptr, this, nullptr);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::showOpenDialog);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = new RecentFilesMenu(this);
    file->addMenu(recentMenu_);
    connect(recentMenu_, &RecentFilesMenu::fileRequested, this, &MainWindow::openFile);
    file->addSeparator();
    QAction* exportPng =
        file->addAction(tr("&Export View as PNG..."), this, &MainWindow::exportView);
    exportPng->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export View at &Full Resolution..."), this,
                    &MainWindow::exportViewFullResolution);
    file->addSeparator();
    file->addAction(tr("Open &Session..."), this, &MainWindow::askOpenSession);
    file->addAction(tr("Open &Recipe..."), this, &MainWindow::askOpenRecipe);
    file->addAction(tr("Run at Sc&ale..."), this, &MainWindow::showRunAtScale);
    file->addAction(tr("Open &Job Folder..."), this, [this] {
        if (const QString d = QFileDialog::getExistingDirectory(this, tr("Open Job Folder"));
            !d.isEmpty())
            openJobFolder(d);
    });
    file->addAction(tr("Save Sessio&n..."), this, &MainWindow::askSaveSession)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    // Undo / redo of parameter edits, in the panel with the focus or the workspace's panel.
    edit_ = new EditActions(menuBar()->addMenu(tr("&Edit")), this);
    DebandController* debandControl = deband_->controller();
    edit_->addTarget({deband_, tr("Deband"), [debandControl] { debandControl->undo(); },
                      [debandControl] { debandControl->redo(); },
                      [debandControl] { return debandControl->canUndo(); },
                      [debandControl] { return debandControl->canRedo(); }});
    edit_->addTarget(score_, tr("Score"), attachScoreUndo(score_));
    edit_->addTarget(transform_, tr("Transform"), attachTransformUndo(transform_));
    edit_->setFallback([this]() -> QWidget* {
        const QString w = workspaces_->current();
        if (w == QLatin1String("composite"))
            return score_;
        if (w == QLatin1String("deband"))
            return deband_;
        if (w == QLatin1String("transform"))
            return transform_;
        return nullptr;
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to Window"), canvas_, &MapCanvas::fitToWindow);
    fit->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_0), QKeySequence(Qt::Key_F)});
    QAction* zoomIn = view->addAction(tr("Zoom &In"), canvas_, [this] { canvas_->zoomBy(2.0); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), canvas_, [this] { canvas_->zoomBy(0.5); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    view->addSeparator();
    auto* modes = new QActionGroup(this);
    const std::pair<QString, ViewMode> modeItems[] = {{tr("&Single View"), ViewMode::Single},
                                                      {tr("Side &by Side"), ViewMode::SideBySide},
                                                      {tr("S&wipe"), ViewMode::Swipe}};
    int key = Qt::Key_1;
    for (const auto& [name, mode] : modeItems) {
        QAction* a = view->addAction(name, this, [this, m = mode] { setViewMode(m); });
        a->setCheckable(true);
        a->setChecked(mode == ViewMode::Single);
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(key++)));
        modes->addAction(a);
    }
    // Like-for-like comparisons: one display for the compare panes, or for every scene.
    linked_ = new LinkedDisplay(stack_, compare_, this);
    QAction* link = view->addAction(tr("&Link Display in Compare Views"));
    link->setObjectName(QStringLiteral("linkDisplay"));
    link->setCheckable(true);
    link->setChecked(true);
    link->setToolTip(tr("The compare panes share band combination and stretch (on by default "
                        "for scenes of the same product)"));
    connect(link, &QAction::triggered, linked_, &LinkedDisplay::setLinked);
    connect(view, &QMenu::aboutToShow, link,
            [this, link] { link->setChecked(linked_->isLinked()); });
    QAction* applyAll = view->addAction(tr("&Apply Display to All Scenes"), this, [this] {
        statusBar()->showMessage(linked_->applyToAll(stack_->current()), 8000);
    });
    applyAll->setObjectName(QStringLiteral("applyDisplayToAll"));
    connect(linked_, &LinkedDisplay::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
    view->addSeparator();
    QAction* next = view->addAction(tr("&Next Scene"), this, [this] { stack_->stepCurrent(1); });
    next->setShortcuts({QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::Key_BracketRight)});
    QAction* prev =
        view->addAction(tr("&Previous Scene"), this, [this] { stack_->stepCurrent(-1); });
    prev->setShortcuts({QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::Key_BracketLeft)});
    view->addSeparator();
    QMenu* workspaceMenu = view->addMenu(tr("&Workspace"));
    for (const Workspaces::Workspace& w : Workspaces::all())
        workspaceMenu->addAction(workspaces_->action(w.name));
    view->addSeparator();
    // Each panel on Ctrl+Shift+letter, so it is reachable without the menu.
    const std::pair<const char*, Qt::Key> panelKeys[] = {
        {"layersDock", Qt::Key_L},    {"displayDock", Qt::Key_D},   {"histogramDock", Qt::Key_H},
        {"inspectorDock", Qt::Key_I}, {"metadataDock", Qt::Key_M},  {"scoreDock", Qt::Key_C},
        {"debandDock", Qt::Key_B},    {"transformDock", Qt::Key_T}, {"catalogDock", Qt::Key_K}};
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        QAction* toggle = dock->toggleViewAction();
        for (const auto& [name, key] : panelKeys)
            if (dock->objectName() == QLatin1String(name))
                toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | key));
        view->addAction(toggle);
    }
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget,
                                 Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    // A panel taller than the screen scrolls inside its dock instead of making the window's
    // minimum size larger than the screen.
    auto* scroll = new QScrollArea(dock);
    scroll->setObjectName(name + QStringLiteral("Scroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(widget);
    dock->setWidget(scroll);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks() {
    layers_ = new LayersPanel(stack_, this);
    display_ = new DisplayPanel(this);
    inspector_ = new PixelInspector(stack_, this);
    metadata_ = new MetadataPanel(this);
    deband_ = new DebandPanel(canvas_, this);
    deband_->setJobMonitor(jobs_);
    // The scenes above, the overlays drawn over them below: every overlay is a layer.
    overlays_ = new OverlayList(canvas_, this);
    auto* layersBox = new QWidget(this);
    auto* layersLayout = new QVBoxLayout(layersBox);
    layersLayout->setContentsMargins(0, 0, 0, 0);
    layersLayout->addWidget(layers_, 3);
    layersLayout->addWidget(overlays_, 1);
    addDock(tr("Layers"), QStringLiteral("layersDock"), layersBox, Qt::LeftDockWidgetArea);
    QDockWidget* display =
        addDock(tr("Display"), QStringLiteral("displayDock"), display_, Qt::RightDockWidgetArea);
    QDockWidget* inspector = addDock(tr("Pixel Inspector"), QStringLiteral("inspectorDock"),
                                     inspector_, Qt::RightDockWidgetArea);
    QDockWidget* metadata =
        addDock(tr("Metadata"), QStringLiteral("metadataDock"), metadata_, Qt::RightDockWidgetArea);
    QDockWidget* deband =
        addDock(tr("Deband"), QStringLiteral("debandDock"), deband_, Qt::RightDockWidgetArea);
    tabifyDockWidget(display, histogramDock_);
    tabifyDockWidget(display, inspector);
    tabifyDockWidget(display, metadata);
    display->raise();
    // Inspection docks on demand, so the map keeps most of the window.
    inspector->hide();
    metadata->hide();
    deband->hide(); // on demand: it reads and transforms an area when shown
    // Score and composite: on demand; it reads every scene of the view when shown.
    score_ = new ScorePanel(stack_, canvas_, this);
    connect(score_, &ScorePanel::runAtScaleRequested, this, &MainWindow::showRunAtScale);
    addDock(tr("Score"), QStringLiteral("scoreDock"), score_, Qt::RightDockWidgetArea)->hide();
    // Transform: on demand; while shown, its active tab previews the view live.
    // Vectorize can polygonize the Score panel's current score.
    transform_ = new TransformPanel(canvas_, jobs_, this);
    transform_->setScoreSource(score_->controller());
    addDock(tr("Transform"), QStringLiteral("transformDock"), transform_, Qt::RightDockWidgetArea)
        ->hide();
    // Catalog: on demand; the scenes it selects join the stack like opened files.
    catalog_ = new CatalogPanel(jobs_, this);
    addDock(tr("Catalog"), QStringLiteral("catalogDock"), catalog_, Qt::RightDockWidgetArea)
        ->hide();
    connect(catalog_, &CatalogPanel::addToStackRequested, this, &MainWindow::openFiles);
}

void MainWindow::connectStack() {
    connect(stack_, &SceneStack::currentChanged, this, &MainWindow::showCurrentScene);
    connect(stack_, &SceneStack::sceneChanged, this, [this](int row) {
        if (row == stack_->current())
            showCurrentScene();
    });
    connect(stack_, &SceneStack::entriesChanged, this, [this] {
        if (!pendingCurrent_.isEmpty()) {
            const int row = stack_->rowOfPath(pendingCurrent_);
            if (row < 0 || stack_->entry(row).state == StackEntry::State::Failed)
                pendingCurrent_.clear();
            else if (stack_->entry(row).data) {
                pendingCurrent_.clear();
                stack_->setCurrent(row);
            }
        }
        updateDisplayStatus();
        // The overlays of a scene that left the stack go with it, and a preview still being
        // made for it when it left is not put back when it ends.
        QSet<QString> open;
        for (int r = 0; r < stack_->count(); ++r)
            open.insert(stack_->entry(r).path);
        everOpened_.unite(open);
        canvas_->setClosedScenes(everOpened_ - open);
        if (pendingSession_ && !stack_->isLoading())
            applyPendingSession();
        applyPendingRecipe();
        if (stack_->count() == 0) {
            shown_.reset();
            canvas_->setScene(nullptr);
            deband_->setScene(nullptr); // its area and whole-scene jobs stop
            startPage_->setRecentFiles(recentMenu_->files());
        }
        updateCentral();
    });
    connect(stack_, &SceneStack::loadFailed, this, &MainWindow::onSceneFailed);
    connect(stack_, &SceneStack::alignFailed, this, &MainWindow::onSceneFailed);
    connect(layers_, &LayersPanel::message, this, &MainWindow::showError);
    connect(stack_, &SceneStack::statsProgress, this, [this](int row, double) {
        if (row == stack_->current())
            updateDisplayStatus();
    });
    connect(stack_, &SceneStack::windowDistributionsReady, this,
            [this](quint64 tag, const std::vector<rb::BandDistribution>& d) {
                if (tag == histogramTag_)
                    histogram_->setDistributions(d, HistogramPlot::Source::View);
            });
    connect(display_, &DisplayPanel::displayEdited, this,
            [this](const rb::DisplaySettings& d, bool fast) {
                stack_->setDisplay(stack_->current(), d, fast);
                if (persistent_ && shown_)
                    DisplaySettingsStore::save(shown_->path, d, fast);
            });
    connect(display_, &DisplayPanel::stretchToViewRequested, this,
            [this] { stack_->stretchToWindow(stack_->current(), canvas_->visibleWindow()); });
    connect(histogram_, &HistogramPlot::limitDragged, this, &MainWindow::onLimitDragged);
    connect(histogram_, &HistogramPlot::sourceChanged, this, &MainWindow::updateHistogram);
    viewHistogramTimer_ = new QTimer(this);
    viewHistogramTimer_->setSingleShot(true);
    viewHistogramTimer_->setInterval(300); // after the pan or zoom settles
    connect(viewHistogramTimer_, &QTimer::timeout, this, &MainWindow::updateHistogram);
    connect(canvas_, &MapCanvas::viewChanged, this, [this] {
        if (histogram_->source() == HistogramPlot::Source::View)
            viewHistogramTimer_->start();
    });
    connect(canvas_, &MapCanvas::cursorMoved, inspector_, &PixelInspector::setCursorPixel);
    connect(canvas_, &MapCanvas::pixelClicked, inspector_, &PixelInspector::pin);
    connect(inspector_, &PixelInspector::pinChanged, canvas_,
            [this](std::optional<QPoint> p) { canvas_->setPin(p); });
    stack_->setDisplayRestorer(
        [this](const SceneData& scene) -> std::optional<std::pair<rb::DisplaySettings, bool>> {
            if (scripted_) {
                rb::DisplaySettings d = scene.display;
                if (scripted_->bands) {
                    for (int b : *scripted_->bands)
                        if (b > scene.profile.count)
                            return std::nullopt; // reported by the band check in openFiles
                    d.bands = *scripted_->bands;
                }
                if (scripted_->colormap)
                    d.colormap = *scripted_->colormap;
                if (scripted_->stretch)
                    d.stretch_options = *scripted_->stretch;
                if (scripted_->gamma)
                    d.gamma = *scripted_->gamma;
                return std::make_pair(d, scripted_->fastStatistics);
            }
            if (pendingSession_) // the session's display of this scene
                for (const SessionScene& s : pendingSession_->scenes)
                    if (QFileInfo(s.path).absoluteFilePath() ==
                            QFileInfo(scene.path).absoluteFilePath() &&
                        s.display && !s.display->bands.empty() &&
                        *std::max_element(s.display->bands.begin(), s.display->bands.end()) <=
                            scene.profile.count)
                        return std::make_pair(*s.display, s.fastSample);
            if (!persistent_)
                return std::nullopt;
            return DisplaySettingsStore::load(scene.path, scene.profile.count);
        });
}

void MainWindow::showCurrentScene() {
    const int row = stack_->current();
    if (row < 0 || !stack_->entry(row).data) {
        return;
    }
    scene_->setData(stack_->entry(row).data); // emits loaded -> onSceneLoaded
}

void MainWindow::updateDisplayStatus() {
    const int row = stack_->current();
    if (row < 0 || !stack_->entry(row).data) {
        display_->setStatus(QString());
        return;
    }
    const StackEntry& e = stack_->entry(row);
    if (e.statsRunning)
        display_->setStatus(tr("Computing exact statistics: %1 %").arg(int(e.statsProgress * 100)));
    else if (e.data->display.stretch_options.mode == rb::StretchMode::Manual)
        display_->setStatus(tr("Manual stretch"));
    else if (e.fastSample)
        display_->setStatus(tr("Stretch from the preview sample (fast mode)"));
    else if (e.data->stretchExact)
        display_->setStatus(tr("Exact stretch over every valid pixel"));
    else
        display_->setStatus(tr("Provisional stretch from the preview"));
}

void MainWindow::updateHistogram() {
    const int row = stack_->current();
    if (row < 0)
        return;
    if (histogram_->source() == HistogramPlot::Source::View) {
        stack_->requestWindowDistributions(row, canvas_->visibleWindow(), ++histogramTag_);
        return;
    }
    if (const auto d = stack_->wholeSceneDistributions(row))
        histogram_->setDistributions(*d, HistogramPlot::Source::WholeScene);
}

void MainWindow::onLimitDragged(int channel, bool high, double value, bool finished) {
    const int row = stack_->current();
    if (row < 0 || !stack_->entry(row).data)
        return;
    rb::DisplaySettings d = stack_->entry(row).data->display;
    if (channel < 0 || channel >= int(d.stretch.size()))
        return;
    // A dragged limit makes the stretch manual, starting from the limits shown.
    d.stretch_options.mode = rb::StretchMode::Manual;
    d.stretch_options.manual = d.stretch;
    (high ? d.stretch_options.manual[std::size_t(channel)].hi
          : d.stretch_options.manual[std::size_t(channel)].lo) = value;
    stack_->setDisplay(row, d, stack_->entry(row).fastSample);
    if (finished && persistent_ && shown_)
        DisplaySettingsStore::save(shown_->path, d, stack_->entry(row).fastSample);
}

void MainWindow::setPanelsVisible(bool visible) {
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        dock->setVisible(visible);
}

void MainWindow::setScriptedView(const ScriptedView& view) {
    scripted_ = view;
    setViewMode(view.mode);
}

void MainWindow::updateCentral() {
    if (stack_->count() == 0)
        central_->setCurrentWidget(startPage_);
    else
        central_->setCurrentWidget(viewMode_ == ViewMode::Single ? static_cast<QWidget*>(canvas_)
                                                                 : static_cast<QWidget*>(compare_));
}

void MainWindow::setPersistent(bool on) {
    persistent_ = on;
    workspaces_->setPersistent(on);
}

void MainWindow::setSamplePath(const QString& path) {
    startPage_->setSamplePath(path);
}

void MainWindow::setViewMode(ViewMode mode) {
    viewMode_ = mode;
    updateCentral();
    if (mode != ViewMode::Single) {
        compare_->setMode(mode == ViewMode::Swipe ? CompareView::Mode::Swipe
                                                  : CompareView::Mode::SideBySide);
        compare_->fillEmptyPanes();
    }
}

void MainWindow::openFiles(const QStringList& paths) {
    if (paths.isEmpty())
        return;
    statusBar()->showMessage(paths.size() == 1
                                 ? tr("Opening %1...").arg(QDir::toNativeSeparators(paths.first()))
                                 : tr("Opening %1 files...").arg(paths.size()));
    // The first file opened becomes the current scene once loaded (already listed: now).
    const int existing = stack_->rowOfPath(paths.first());
    if (existing >= 0 && stack_->entry(existing).data)
        stack_->setCurrent(existing);
    else
        pendingCurrent_ = QFileInfo(paths.first()).absoluteFilePath();
    stack_->addFiles(paths);
}

void MainWindow::openFile(const QString& path) {
    openFiles({path});
}

void MainWindow::onSceneLoaded() {
    const auto data = scene_->data();
    const bool newScene = !shown_ || shown_->pyramid != data->pyramid;
    const bool newBands = !shown_ || shown_->display.bands != data->display.bands;
    shown_ = data;
    lastError_.clear();
    errorStrip_->hide();
    setWindowTitle(QStringLiteral("%1 \u2014 Rasterbench").arg(QFileInfo(data->path).fileName()));
    setWindowFilePath(data->path);
    canvas_->setScene(data);
    histogram_->setScene(data);
    deband_->setScene(data);
    const int row = stack_->current();
    display_->setScene(data, row >= 0 && stack_->entry(row).fastSample);
    updateDisplayStatus();
    if (newScene) {
        statusBar()->clearMessage();
        cursorInfo_->setScene(data);
        metadata_->setFile(data->path);
        if (persistent_)
            recentMenu_->addFile(data->path);
        if (scripted_ && scripted_->window)
            canvas_->showPixelWindow(*scripted_->window);
    }
    // A view histogram of other bands is replaced too (a new tag: one still computing for
    // the old bands is not shown as these).
    if (histogram_->source() == HistogramPlot::Source::WholeScene || newScene || newBands)
        updateHistogram();
    applyPendingRecipe();
}

void MainWindow::onSceneFailed(const QString&, const QString& message) {
    showError(message);
}

void MainWindow::showError(const QString& messageIn) {
    const QString message = forGui(messageIn); // controls, not command-line flags
    lastError_ = message;
    // Non-modal on purpose: a bad file in a batch of drops must not stop the user. In a
    // strip of its own, so the pixel readout under the moving cursor does not replace it.
    QString shown = message;
    if (shown.size() > 160)
        shown = shown.left(157) + QStringLiteral("...");
    errorStrip_->setText(shown);
    errorStrip_->setToolTip(message);
    errorStrip_->show();
    errorTimer_->start(kErrorMessageMs * 4);
}

bool MainWindow::isIdle() const {
    if (scene_->isLoading() || stack_->isBusy() || !pendingCurrent_.isEmpty() || exports_->busy() ||
        pendingRecipe_)
        return false;
    if (viewMode_ == ViewMode::Single)
        return !canvas_->scene() || canvas_->isRenderIdle();
    QVector<MapCanvas*> views;
    if (viewMode_ == ViewMode::Swipe)
        views = {compare_->swipe()->left(), compare_->swipe()->right()};
    else
        for (int i = 0; i < compare_->paneCount(); ++i)
            views.push_back(compare_->canvas(i));
    return std::all_of(views.begin(), views.end(),
                       [](const MapCanvas* c) { return !c->scene() || c->isRenderIdle(); });
}

bool MainWindow::waitUntilIdle(int timeoutMs) {
    const QDeadlineTimer deadline(timeoutMs);
    while (!isIdle()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        // Wake on any progress, or poll: a render can finish without a signal we listen to.
        QTimer::singleShot(10, &loop, &QEventLoop::quit);
        connect(scene_, &SceneLayer::loaded, &loop, &QEventLoop::quit);
        connect(scene_, &SceneLayer::loadFailed, &loop, &QEventLoop::quit);
        connect(canvas_, &MapCanvas::renderFinished, &loop, &QEventLoop::quit);
        connect(stack_, &SceneStack::busyChanged, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

void MainWindow::showOpenDialog() {
    QSettings settings;
    // The file-name box takes wildcards ("*_sr.tif") as well as names.
    const QStringList paths = OpenDialog::getOpenFileNames(
        this, tr("Open Rasters"), settings.value(kLastDirKey).toString(),
        {tr("Rasters (*.tif *.tiff *.vrt *.img *.jp2 *.nc *.hdf *.h5 *.png *.jpg *.asc)"),
         tr("All files (*)")});
    if (paths.isEmpty())
        return;
    settings.setValue(kLastDirKey, QFileInfo(paths.first()).absolutePath());
    openFiles(paths);
}

bool MainWindow::restoreSavedGeometry() {
    QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (geometry.isEmpty())
        return false;
    restoreState(settings.value(kStateKey).toByteArray());
    workspaces_->restore(); // the docks came back with the state: only the choice is marked
    return restoreGeometry(geometry);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmDiscard(tr("quitting"))) {
        event->ignore();
        return;
    }
    if (persistent_) {
        QSettings settings;
        settings.setValue(kGeometryKey, saveGeometry());
        settings.setValue(kStateKey, saveState());
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    openFiles(files);
}

} // namespace rb::ui
