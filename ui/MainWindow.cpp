#include "MainWindow.h"

#include <QAction>
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
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "CursorInfoLabel.h"
#include "HistogramPlot.h"
#include "MapCanvas.h"
#include "RecentFilesMenu.h"
#include "SceneLayer.h"

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
    : QMainWindow(parent), scene_(new SceneLayer(this)), canvas_(new MapCanvas(this)),
      cursorInfo_(new CursorInfoLabel(this)), histogram_(new HistogramPlot(this)) {
    setWindowTitle(QStringLiteral("Rasterbench"));
    setAcceptDrops(true);
    setCentralWidget(canvas_);
    statusBar()->addWidget(cursorInfo_, 1);

    histogramDock_ = new QDockWidget(tr("Histogram"), this);
    histogramDock_->setObjectName(QStringLiteral("histogramDock"));
    histogramDock_->setWidget(histogram_);
    addDockWidget(Qt::RightDockWidgetArea, histogramDock_);
    histogramDock_->hide(); // on demand (View menu): the map gets the whole window by default

    createMenus();

    connect(scene_, &SceneLayer::loaded, this, &MainWindow::onSceneLoaded);
    connect(scene_, &SceneLayer::loadFailed, this, &MainWindow::onSceneFailed);
    connect(canvas_, &MapCanvas::cursorMoved, cursorInfo_, &CursorInfoLabel::setCursorPosition);
    connect(canvas_, &MapCanvas::cursorLeft, cursorInfo_, &CursorInfoLabel::clearCursor);
    connect(canvas_, &MapCanvas::renderFailed, this, &MainWindow::showError);
}

MainWindow::~MainWindow() = default;

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
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to Window"), canvas_, &MapCanvas::fitToWindow);
    fit->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_0), QKeySequence(Qt::Key_F)});
    QAction* zoomIn = view->addAction(tr("Zoom &In"), canvas_, [this] { canvas_->zoomBy(2.0); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), canvas_, [this] { canvas_->zoomBy(0.5); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    view->addSeparator();
    view->addAction(histogramDock_->toggleViewAction());
}

void MainWindow::openFiles(const QStringList& paths) {
    if (paths.isEmpty())
        return;
    openFile(paths.first());
    if (paths.size() > 1)
        statusBar()->showMessage(tr("Showing %1 (first of %2 files)")
                                     .arg(QFileInfo(paths.first()).fileName())
                                     .arg(paths.size()),
                                 kErrorMessageMs);
}

void MainWindow::openFile(const QString& path) {
    statusBar()->showMessage(tr("Opening %1...").arg(QDir::toNativeSeparators(path)));
    scene_->load(path);
}

void MainWindow::onSceneLoaded() {
    const auto data = scene_->data();
    lastError_.clear();
    statusBar()->clearMessage();
    setWindowTitle(QStringLiteral("%1 \u2014 Rasterbench").arg(QFileInfo(data->path).fileName()));
    setWindowFilePath(data->path);
    canvas_->setScene(data);
    cursorInfo_->setScene(data);
    histogram_->setScene(data);
    if (persistent_)
        recentMenu_->addFile(data->path);
}

void MainWindow::onSceneFailed(const QString&, const QString& message) {
    showError(message);
}

void MainWindow::showError(const QString& message) {
    lastError_ = message;
    // Non-modal on purpose: a bad file in a batch of drops must not stop the user.
    statusBar()->showMessage(message, kErrorMessageMs);
}

bool MainWindow::isIdle() const {
    if (scene_->isLoading())
        return false;
    return !canvas_->scene() || canvas_->isRenderIdle();
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
        loop.exec();
    }
    return true;
}

bool MainWindow::saveScreenshot(const QString& pngPath, QString* error) {
    auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (!waitUntilIdle())
        return fail(
            tr("%1: timed out waiting for the view to render")
                .arg(scene_->requestedPath().isEmpty() ? pngPath : scene_->requestedPath()));
    if (scene_->state() == SceneLayer::State::Failed)
        return fail(scene_->errorString());
    if (!lastError_.isEmpty())
        return fail(lastError_);
    const QImage image = grab().toImage();
    if (image.isNull() || !image.save(pngPath, "PNG"))
        return fail(tr("%1: cannot write the PNG").arg(pngPath));
    return true;
}

void MainWindow::showOpenDialog() {
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Raster"), settings.value(kLastDirKey).toString(),
        tr("Rasters (*.tif *.tiff *.vrt *.img *.jp2 *.nc *.hdf *.h5 *.png *.jpg *.asc);;"
           "All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(kLastDirKey, QFileInfo(path).absolutePath());
    openFile(path);
}

void MainWindow::exportView() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export View as PNG"), QString(),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!canvas_->grab().save(path, "PNG"))
        showError(tr("%1: cannot write the PNG").arg(path));
    else
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
}

bool MainWindow::restoreSavedGeometry() {
    QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (geometry.isEmpty())
        return false;
    restoreState(settings.value(kStateKey).toByteArray());
    return restoreGeometry(geometry);
}

void MainWindow::closeEvent(QCloseEvent* event) {
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
