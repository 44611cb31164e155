// MainWindow: Run at Scale (the panels' recipe planned as a job folder for a cluster) and
// File > Open Job Folder (the job's tiles on the map, coloured by state, with its counts).
#include <QDir>
#include <QFileInfo>
#include <QStatusBar>

#include "CatalogPanel.h"
#include "JobFolderLayer.h"
#include "JobFolderView.h"
#include "MainWindow.h"
#include "RunAtScaleDialog.h"
#include "SaveDialog.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

RunAtScaleDialog* MainWindow::showRunAtScale() {
    std::vector<rb::SceneSource> stack;
    for (const ScoreScene& s : score_->stackScenes())
        stack.push_back(s.source());
    auto* dialog =
        new RunAtScaleDialog(panelRecipe(), std::move(stack), catalog_->pathsToAdd(), jobs_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setJobDir(QDir(lastSaveFolder()).filePath(QStringLiteral("rasterbench-job")));
    connect(dialog, &RunAtScaleDialog::written, this, &MainWindow::openJobFolder);
    dialog->show();
    return dialog;
}

JobFolderLayer* MainWindow::jobFolderLayer() {
    if (auto* layer = findChild<JobFolderLayer*>())
        return layer;
    auto* layer = new JobFolderLayer(canvas_, jobs_, this);
    connect(layer, &JobFolderLayer::failed, this, &MainWindow::showError);
    return layer;
}

bool MainWindow::openJobFolder(const QString& dir) {
    if (!QFileInfo(QDir(dir).filePath(QStringLiteral("job.json"))).isFile()) {
        showError(tr("%1 is no job folder (no job.json): plan one with File > Run at Scale or "
                     "rasterbench-cli plan")
                      .arg(dir));
        return false;
    }
    JobFolderLayer* layer = jobFolderLayer();
    layer->open(dir);
    // With nothing open, the job's first scene gives the map the job's grid.
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(layer, &JobFolderLayer::updated, this, [this, layer, once] {
        disconnect(*once);
        if (stack_->count() == 0 && layer->job() && !layer->job()->scenes.empty())
            openFile(QString::fromStdString(layer->job()->scenes.front().source.files.front()));
    });
    auto* view = findChild<JobFolderView*>();
    if (!view)
        view = new JobFolderView(layer, this);
    view->show();
    view->raise();
    statusBar()->showMessage(tr("Job folder: %1").arg(dir), 5000);
    return true;
}

} // namespace rb::ui
