// MainWindow: File > Open Recipe, and the panels' parameters as a recipe (which sessions
// store): one step per panel, the composite from Score, the deband step (with its notches)
// from Deband, reproject and fill from Transform; a recipe's scene catalog and selection go
// to the Catalog dock.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QStatusBar>

#include <exception>
#include <variant>

#include "CatalogPanel.h"
#include "DebandController.h"
#include "DebandPanel.h"
#include "FillTab.h"
#include "MainWindow.h"
#include "PanelUndo.h"
#include "ReprojectTab.h"
#include "SaveDialog.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "TransformPanel.h"
#include "Workspaces.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

rb::Recipe MainWindow::panelRecipe() const {
    rb::Recipe recipe;
    recipe.description = "The workbench's panel parameters";
    // A deband step without notches is no valid recipe step (sessions keep the panel's
    // detection parameters apart).
    if (rb::DebandStep deband = deband_->debandStep(); !deband.notches.empty())
        recipe.steps.emplace_back(std::move(deband));
    recipe.steps.emplace_back(score_->compositeStep());
    rb::ReprojectStep reproject = transform_->reprojectTab()->reprojectStep();
    if (!reproject.dst_crs.empty()) // a recipe's reproject step needs its CRS
        recipe.steps.emplace_back(std::move(reproject));
    rb::FillStep fill;
    fill.options = transform_->fillTab()->fillOptions();
    recipe.steps.emplace_back(fill);
    // The Score panel's quality-file rule (FROM=TO) is the recipe's qa_from.
    const QString rule = score_->qualityRule()->text().trimmed();
    if (const qsizetype eq = rule.indexOf(QLatin1Char('=')); eq > 0) {
        recipe.qa_from = rule.left(eq).toStdString();
        recipe.qa_to = rule.mid(eq + 1).toStdString();
    }
    return recipe;
}

QString MainWindow::applyRecipe(const rb::Recipe& recipe) {
    QStringList messages;
    if (!recipe.qa_from.empty())
        score_->setQualityRule(QString::fromStdString(recipe.qa_from + "=" + recipe.qa_to));
    bool composite = false, deband = false, reproject = false, fill = false;
    for (const rb::RecipeStep& step : recipe.steps) {
        if (const auto* c = std::get_if<rb::CompositeStep>(&step); c && !composite) {
            composite = true;
            if (const QString refused = score_->setCompositeStep(*c); !refused.isEmpty())
                messages << tr("Score: %1").arg(refused);
        } else if (const auto* d = std::get_if<rb::DebandStep>(&step); d && !deband) {
            deband = true;
            deband_->setDebandStep(*d);
        } else if (const auto* r = std::get_if<rb::ReprojectStep>(&step); r && !reproject) {
            reproject = true;
            transform_->reprojectTab()->setReprojectStep(*r);
        } else if (const auto* f = std::get_if<rb::FillStep>(&step); f && !fill) {
            fill = true;
            transform_->fillTab()->setFillOptions(f->options);
        }
    }
    return messages.join(QLatin1Char('\n'));
}

bool MainWindow::openRecipe(const QString& path) {
    rb::Recipe recipe;
    try {
        recipe = rb::load_recipe(path.toStdString());
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()));
        return false;
    }
    // The recipe's scenes join the stack (those not open yet), its steps go to the panels.
    const QDir base = QFileInfo(path).absoluteDir();
    QStringList scenes;
    for (const rb::SceneSource& s : recipe.scenes)
        if (!s.files.empty()) {
            const QString file = base.absoluteFilePath(QString::fromStdString(s.files.front()));
            if (stack_->rowOfPath(file) < 0)
                scenes << file;
        }
    // A recipe choosing its scenes from a catalog: the Catalog dock reads it with the same
    // selection, so the analyst sees (and adds) the scenes it picks.
    if (recipe.catalog) {
        QStringList sources;
        for (const std::string& p : recipe.catalog->paths)
            sources << base.absoluteFilePath(QString::fromStdString(p));
        if (!recipe.qa_from.empty())
            catalog_->setQualityRule(QString::fromStdString(recipe.qa_from + "=" + recipe.qa_to));
        catalog_->setSelection(recipe.catalog->select);
        catalog_->openPaths(sources);
        workspaces_->apply(QStringLiteral("catalog"));
    }
    statusBar()->showMessage(tr("Recipe loaded into the panels: %1").arg(path), 5000);
    pendingRecipe_ = std::make_shared<rb::Recipe>(std::move(recipe));
    openFiles(scenes); // the panels take the steps once the scenes have loaded
    applyPendingRecipe();
    return true;
}

void MainWindow::applyPendingRecipe() {
    if (!pendingRecipe_)
        return;
    // Once the current scene is on the map: showing a scene sets up the Deband panel's band.
    const int row = stack_->current();
    if (stack_->isLoading() || !pendingCurrent_.isEmpty() || scene_->isLoading() ||
        (row >= 0 && stack_->entry(row).data &&
         (!shown_ || shown_->path != stack_->entry(row).data->path)))
        return;
    const std::shared_ptr<rb::Recipe> recipe = std::move(pendingRecipe_);
    pendingRecipe_.reset();
    const QString refused = applyRecipe(*recipe);
    forgetEditHistory();
    if (!refused.isEmpty())
        showError(refused);
}

void MainWindow::forgetEditHistory() {
    for (QWidget* panel : {static_cast<QWidget*>(score_), static_cast<QWidget*>(transform_)})
        if (PanelUndo* undo = PanelUndo::of(panel))
            undo->reset();
    deband_->controller()->clearHistory();
}

void MainWindow::askOpenRecipe() {
    if (!confirmDiscard(tr("opening a recipe, which replaces them")))
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Recipe"), lastSaveFolder(),
                                                      tr("Rasterbench recipe (*.json)"));
    if (!path.isEmpty())
        openRecipe(path);
}

} // namespace rb::ui
