// MainWindow: what the shown panels still compute (panelWork) and waiting until they are
// done (waitForPanels), so a scripted screenshot shows finished previews and the ready
// composite instead of "Computing..." and empty panels.
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

#include "CatalogPanel.h"
#include "CompositeController.h"
#include "DebandController.h"
#include "DebandPanel.h"
#include "HistogramPlot.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "MetadataPanel.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "TransformPanel.h"

namespace rb::ui {

void MainWindow::trackPanelWork() {
    // The full-resolution composite has no "ended" state to ask for: its start (progress
    // 0) and its end (done, failed or cancelled) are watched instead.
    CompositeController* ctl = score_->controller();
    connect(ctl, &CompositeController::fullProgressChanged, this, [this](double f) {
        if (f == 0)
            fullCompositeEnded_ = false;
    });
    connect(ctl, &CompositeController::fullFinished, this, [this] { fullCompositeEnded_ = true; });
}

QStringList MainWindow::panelWork() const {
    QStringList work;
    if (!canvas_->scene())
        return work; // nothing on the map: the panels have nothing to compute
    const CompositeController* score = score_->controller();
    if (score->isEnabled() && score->scorer() && score->lastError().isEmpty()) {
        if (score->isViewportPending() || !score->viewport())
            work << tr("Score: composite preview");
        else if (score->isFullRunning() || !fullCompositeEnded_)
            work << tr("Score: full-resolution composite");
    }
    if (deband_->isVisible() && deband_->controller()->scene()) {
        const DebandController* d = deband_->controller();
        if (!d->isReady())
            work << tr("Deband: spectrum of the area");
        else if (!d->isPreviewCurrent())
            work << tr("Deband: preview");
        if (d->isSceneJobRunning())
            work << tr("Deband: whole scene");
    }
    if (transform_->isVisible() && transform_->isPreviewPending())
        work << tr("Transform: preview");
    if (histogram_->isVisible() && histogram_->isBusy())
        work << tr("Histogram");
    if (metadata_->isVisible() && metadata_->isPending())
        work << tr("Metadata");
    if (catalog_->isVisible() && catalog_->isLoading())
        work << tr("Catalog: reading");
    return work;
}

bool MainWindow::waitForPanels(int timeoutMs, QString* pending) {
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const QStringList work = panelWork();
        if (work.isEmpty() && isIdle())
            return true;
        if (deadline.hasExpired()) {
            if (pending)
                *pending =
                    work.isEmpty() ? tr("the view to render") : work.join(QStringLiteral(", "));
            return false;
        }
        // Poll: the panels' jobs end through several signals; 20 ms is well below a preview.
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
}

} // namespace rb::ui
