// MainWindow: saving and opening sessions (.rbsession); the file format is SessionFile.
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <exception>

#include "DebandPanel.h"
#include "DebandSettings.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "PanelUndo.h"
#include "SaveDialog.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "SessionFile.h"
#include "TransformPanel.h"
#include "ViewTransform.h"
#include "Workspaces.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

QString MainWindow::saveSession(const QString& path) {
    Session s;
    for (int row = 0; row < stack_->count(); ++row) {
        const StackEntry& e = stack_->entry(row);
        SessionScene sc;
        sc.path = QFileInfo(e.path).absoluteFilePath();
        sc.visible = e.visible;
        if (e.data) {
            sc.display = e.data->display;
            sc.fastSample = e.fastSample;
        }
        s.scenes << sc;
    }
    s.current = stack_->current();
    if (canvas_->scene()) {
        s.scale = canvas_->view().scale();
        s.offset = canvas_->view().offset();
        s.canvasSize = canvas_->size();
        const rb::Window w = canvas_->visibleWindow();
        s.visiblePixels =
            QRectF(double(w.col_off), double(w.row_off), double(w.width), double(w.height));
    }
    s.workspace = workspaces_->current();
    for (const QString& id : canvas_->overlayIds())
        s.overlays << SessionOverlay{id, canvas_->overlayVisible(id), canvas_->overlayOpacity(id)};
    try {
        s.panels = QString::fromStdString(rb::write_recipe(panelRecipe()));
        for (const auto& [name, value] : deband_->settings()->values())
            s.debandParams.insert(QString::fromStdString(name), QString::fromStdString(value));
    } catch (const std::exception& e) {
        showError(tr("%1: the panels' parameters were not saved (%2)").arg(path, e.what()));
    }
    const QString error = writeSession(s, path);
    if (error.isEmpty()) {
        markEditsSaved();
        statusBar()->showMessage(tr("Session saved to %1").arg(path), 5000);
    } else
        showError(error);
    return error;
}

bool MainWindow::openSession(const QString& path) {
    QString error;
    std::optional<Session> s = readSession(path, error);
    if (!s) {
        showError(error);
        return false;
    }
    stack_->clear();
    pendingSession_ = std::move(s);
    QStringList paths;
    for (const SessionScene& sc : pendingSession_->scenes)
        paths << sc.path;
    if (paths.isEmpty()) {
        applyPendingSession();
        return true;
    }
    openFiles(paths);
    return true;
}

void MainWindow::applyPendingSession() {
    if (!pendingSession_)
        return;
    const Session s = std::move(*pendingSession_);
    pendingSession_.reset();
    pendingCurrent_.clear(); // the session says which scene is current
    for (int i = 0; i < s.scenes.size(); ++i) {
        const int row = stack_->rowOfPath(s.scenes[i].path);
        if (row >= 0 && !s.scenes[i].visible)
            stack_->setVisible(row, false);
    }
    if (s.current >= 0 && s.current < s.scenes.size()) {
        const int row = stack_->rowOfPath(s.scenes[s.current].path);
        if (row >= 0 && stack_->entry(row).data)
            stack_->setCurrent(row);
    }
    // The session's display of each scene, again once the current one is shown (showing a
    // scene sets up the Display panel, which must not leave its own choice behind).
    for (const SessionScene& sc : s.scenes) {
        const int row = stack_->rowOfPath(sc.path);
        if (row >= 0 && sc.display && stack_->entry(row).data &&
            *std::max_element(sc.display->bands.begin(), sc.display->bands.end()) <=
                stack_->entry(row).data->profile.count)
            stack_->setDisplay(row, *sc.display, sc.fastSample);
    }
    if (!s.workspace.isEmpty())
        workspaces_->apply(s.workspace);
    // The panels' parameters and notches, once the scenes they were tuned on are open.
    if (!s.debandParams.isEmpty()) {
        std::map<std::string, std::string> values;
        for (auto it = s.debandParams.begin(); it != s.debandParams.end(); ++it)
            values[it.key().toStdString()] = it.value().toStdString();
        deband_->settings()->setValues(values);
    }
    if (!s.panels.isEmpty()) {
        try {
            pendingRecipe_ = std::make_shared<rb::Recipe>(
                rb::parse_recipe(s.panels.toStdString(), "session panels"));
            applyPendingRecipe();
        } catch (const std::exception& e) {
            showError(QString::fromUtf8(e.what()));
        }
    }
    for (const SessionOverlay& o : s.overlays) {
        canvas_->setOverlayVisible(o.id, o.visible);
        canvas_->setOverlayOpacity(o.id, o.opacity);
    }
    // What the session loaded is no edit to undo (its panel parameters, once applied, say
    // so again: applyPendingRecipe).
    forgetEditHistory();
    // The view once the current scene is on the map (and the docks have their sizes).
    QTimer::singleShot(0, this, [this, s] {
        if (!s.scale || !canvas_->scene())
            return;
        if (canvas_->size() == s.canvasSize) {
            ViewTransform v;
            v.set(*s.scale, s.offset);
            canvas_->setViewTransform(v);
        } else if (!s.visiblePixels.isEmpty()) {
            canvas_->showPixelWindow(s.visiblePixels);
        }
    });
}

bool MainWindow::askSaveSession() {
    const QString path =
        askSavePath(this, tr("Save Session"), QStringLiteral("session.rbsession"),
                    tr("Rasterbench session (*.rbsession)"), QStringLiteral("rbsession"));
    return !path.isEmpty() && saveSession(path).isEmpty();
}

bool MainWindow::hasUnsavedEdits() const {
    for (const QWidget* panel :
         {static_cast<const QWidget*>(score_), static_cast<const QWidget*>(transform_)})
        if (const PanelUndo* undo = PanelUndo::of(panel); undo && !undo->stack()->isClean())
            return true;
    return false;
}

void MainWindow::markEditsSaved() {
    for (QWidget* panel : {static_cast<QWidget*>(score_), static_cast<QWidget*>(transform_)})
        if (PanelUndo* undo = PanelUndo::of(panel))
            undo->stack()->setClean();
}

bool MainWindow::confirmDiscard(const QString& what) {
    if (!asksBeforeDiscarding_ || !hasUnsavedEdits())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved parameters"),
        tr("The Score or Transform panel's parameters were edited since the session was last "
           "saved. Save them as a session before %1?")
            .arg(what),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return askSaveSession();
    return answer == QMessageBox::Discard;
}

void MainWindow::askOpenSession() {
    if (!confirmDiscard(tr("opening another session")))
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), lastSaveFolder(),
                                                      tr("Rasterbench session (*.rbsession)"));
    if (!path.isEmpty())
        openSession(path);
}

} // namespace rb::ui
