// MainWindow: the view written as an image (File > Export View, the full-resolution export
// and the --screenshot of scripted runs).
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

#include <exception>

#include "CompareView.h"
#include "CompositeController.h"
#include "CursorInfoLabel.h"
#include "DebandPanel.h"
#include "DerivedLayers.h"
#include "DisplayPanel.h"
#include "DisplaySettingsStore.h"
#include "HelpMenu.h"
#include "HistogramPlot.h"
#include "JobLane.h"
#include "JobMonitor.h"
#include "LayersPanel.h"
#include "MapCanvas.h"
#include "MetadataPanel.h"
#include "OutputCheck.h"
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
/// Full-resolution exports larger than this many pixels are refused (memory).
constexpr double kMaxExportPixels = 16384.0 * 16384.0;
} // namespace

bool MainWindow::saveScreenshot(const QString& pngPath, QString* error, int timeoutMs) {
    auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    // The view first, then what the panels compute for it (previews, the composite), then
    // the view again: a finished preview is drawn over it.
    QString pending;
    if (!waitUntilIdle(timeoutMs) || !waitForPanels(timeoutMs, &pending) ||
        !waitUntilIdle(timeoutMs))
        return fail(tr("%1: timed out after %2 s waiting for %3")
                        .arg(scene_->requestedPath().isEmpty() ? pngPath : scene_->requestedPath())
                        .arg(timeoutMs / 1000)
                        .arg(pending.isEmpty() ? tr("the view to render") : pending));
    if (scene_->state() == SceneLayer::State::Failed)
        return fail(scene_->errorString());
    if (!lastError_.isEmpty() && !canvas_->scene())
        return fail(lastError_);
    if (!lastError_.isEmpty())
        return fail(lastError_);
    const QImage image = grab().toImage();
    if (image.isNull() || !image.save(pngPath, "PNG"))
        return fail(tr("%1: cannot write the PNG").arg(pngPath));
    return true;
}

void MainWindow::exportView() {
    const QString path = askSavePath(this, tr("Export View as PNG"), QStringLiteral("view.png"),
                                     tr("PNG images (*.png)"), QStringLiteral("png"));
    if (path.isEmpty())
        return;
    if (const QString conflict = outputConflict(path, fileRoles(tr("open scene"), stack_->paths()));
        !conflict.isEmpty()) {
        showError(conflict);
        return;
    }
    if (!canvas_->grab().save(path, "PNG"))
        showError(tr("%1: cannot write the PNG").arg(path));
    else
        statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
}

void MainWindow::exportViewFullResolution() {
    const QString path =
        askSavePath(this, tr("Export View at Full Resolution"), QStringLiteral("view-full.png"),
                    tr("PNG images (*.png)"), QStringLiteral("png"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportFullResolution(path, &error))
        showError(error);
}

bool MainWindow::exportFullResolution(const QString& pngPath, QString* error) {
    const auto scene = canvas_->scene();
    const rb::Window w = canvas_->visibleWindow();
    if (!scene || w.empty()) {
        if (error)
            *error = tr("%1: nothing to export").arg(pngPath);
        return false;
    }
    if (const QString conflict =
            outputConflict(pngPath, fileRoles(tr("open scene"), stack_->paths()));
        !conflict.isEmpty()) {
        if (error)
            *error = conflict;
        return false;
    }
    if (double(w.width) * double(w.height) > kMaxExportPixels) {
        if (error)
            *error = tr("%1: the view covers %2 x %3 pixels, more than a full-resolution "
                        "export allows; zoom in or export at screen resolution")
                         .arg(pngPath)
                         .arg(w.width)
                         .arg(w.height);
        return false;
    }
    statusBar()->showMessage(tr("Exporting %1 x %2 pixels...").arg(w.width).arg(w.height));
    JobOptions job;
    job.label = tr("Exporting %1").arg(QFileInfo(pngPath).fileName());
    job.ended = [this, pngPath](quint64, JobOutcome outcome) {
        if (outcome == JobOutcome::Cancelled)
            statusBar()->showMessage(
                tr("Export cancelled; %1 not written").arg(QDir::toNativeSeparators(pngPath)),
                5000);
    };
    // Reading and rendering the window is long work: off the GUI thread, in strips, so the
    // Cancel button stops it between strips.
    exports_->run(
        job,
        [scene, w, pngPath](JobContext& ctx) {
            const QImage image = renderSceneWindow(*scene, w, int(w.width), int(w.height),
                                                   rb::Progress(ctx.progressFn()));
            if (!image.save(pngPath, "PNG"))
                throw rb::IoError(
                    QObject::tr("%1: cannot write the PNG").arg(pngPath).toStdString());
        },
        [this, pngPath] {
            statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(pngPath)), 5000);
        },
        [this](const QString& message) { showError(message); });
    return true;
}

} // namespace rb::ui
