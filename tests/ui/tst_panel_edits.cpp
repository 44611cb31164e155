// The panels' edits on the offscreen platform with real scenes: undo / redo of the Score and
// Transform panels' parameters (one step per edit, the panel's recipe step restored, the
// Edit menu acting on the workspace's panel); errors shown in the panel that caused them,
// worded for the GUI, with the failed layer unticked and marked in the Layers panel (Score,
// Transform, Deband); linked display between compare panes and "Apply display to all
// scenes"; the settings sessions and the user's settings keep (quality-file rule, deband
// detection, reproject size / bounds / tap).
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>

#include "CompareView.h"
#include "CompositeController.h"
#include "DebandController.h"
#include "DebandPanel.h"
#include "DebandSettings.h"
#include "EditActions.h"
#include "FillTab.h"
#include "LinkedDisplay.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "OverlayList.h"
#include "PanelUndo.h"
#include "ParamForm.h"
#include "RasterizeTab.h"
#include "ReprojectTab.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "SwipeView.h"
#include "TransformPanel.h"
#include "VectorizeTab.h"
#include "Workspaces.h"
#include "rasterbench/bands.h"
#include "rasterbench/recipe.h"

using namespace rb::ui;

namespace {

constexpr int kWaitMs = 60000;
const QString kData = QStringLiteral(RB_VIEWER_DATA);
const QStringList kScenes = {kData + "/2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                             kData + "/2008-04-27_LE07_LE70350322008118EDC00_sr.tif"};
const QString kOtherProduct = kData + "/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif";
const QString kThirdScene = kData + "/2008-05-05_LT05_LT50350322008126PAC01_sr.tif";

/// Sets row `name` of `form` as a user would (its editor's value).
void setParam(ParamForm* form, const QString& name, const QString& value) {
    QWidget* e = form->editor(name);
    QVERIFY2(e, qPrintable(name));
    if (auto* s = qobject_cast<QSpinBox*>(e))
        s->setValue(value.toInt());
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(e))
        d->setValue(value.toDouble());
    else if (auto* c = qobject_cast<QComboBox*>(e))
        c->setCurrentText(value);
    else if (auto* l = qobject_cast<QLineEdit*>(e)) {
        l->setText(value);
        emit l->editingFinished();
    } else
        QFAIL(qPrintable(name));
}

/// The Layers panel's row of overlay `id`, or null.
QTreeWidgetItem* layerRow(MainWindow& w, const QString& id) {
    QTreeWidget* tree = w.overlayList()->tree();
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->data(OverlayList::Name, Qt::UserRole).toString() == id)
            return tree->topLevelItem(i);
    return nullptr;
}

void openWindow(MainWindow& w, const QStringList& files) {
    w.setPersistent(false);
    w.resize(1366, 768);
    w.show();
    w.openFiles(files);
    QTRY_VERIFY_WITH_TIMEOUT(w.stack()->count() == files.size() && !w.stack()->isLoading() &&
                                 w.canvas()->scene(),
                             kWaitMs);
    QVERIFY(w.waitUntilIdle(kWaitMs));
}

bool sameStretch(const std::vector<rb::StretchRange>& a, const std::vector<rb::StretchRange>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].lo != b[i].lo || a[i].hi != b[i].hi)
            return false;
    return true;
}

} // namespace

class TestPanelEdits : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
        QSettings().remove(QLatin1String(ReprojectTab::kSettingsKey));
    }
    void cleanupTestCase() {
        QSettings().remove(QLatin1String(ReprojectTab::kSettingsKey));
        QSettings().remove(QStringLiteral("deband/params"));
    }

    void scoreUndoRedo() {
        ScorePanel panel(nullptr, nullptr);
        PanelUndo* undo = attachScoreUndo(&panel);
        QCOMPARE(PanelUndo::of(&panel), undo);
        QVERIFY(!undo->canUndo());
        setParam(panel.compositeForm(), "method", "best-k-mean");
        const rb::CompositeStep first = panel.compositeStep();
        setParam(panel.compositeForm(), "k", "7");
        const QString method = panel.methodCombo()->currentText();
        panel.methodCombo()->setCurrentText(method == "darkness" ? "median-distance" : "darkness");
        const rb::CompositeStep third = panel.compositeStep();
        QVERIFY(!(first == third));
        QCOMPARE(undo->stack()->count(), 3);
        undo->undo();
        undo->undo();
        QVERIFY(panel.compositeStep() == first);
        QCOMPARE(panel.methodCombo()->currentText(), method);
        QCOMPARE(qobject_cast<QSpinBox*>(panel.compositeForm()->editor("k"))->value(),
                 int(rb::CompositeOptions{}.k));
        QCOMPARE(qobject_cast<QComboBox*>(panel.compositeForm()->editor("method"))->currentText(),
                 QStringLiteral("best-k-mean"));
        undo->redo();
        undo->redo();
        QVERIFY(panel.compositeStep() == third);
        QVERIFY(panel.methodCombo()->currentText() != method);
        // A value the table refuses is no step; an undone edit followed by a new one drops
        // the redo.
        panel.qualityRule()->setText(QStringLiteral("_sr.tif=_qa.tif"));
        emit panel.qualityRule()->editingFinished();
        QCOMPARE(undo->stack()->count(), 4);
        undo->undo();
        QCOMPARE(panel.qualityRule()->text(), QStringLiteral("_sr.tif=_fmask.tif"));
        undo->redo();
        QCOMPARE(panel.qualityRule()->text(), QStringLiteral("_sr.tif=_qa.tif"));
    }

    void sliderDragIsOneStep() {
        ScorePanel panel(nullptr, nullptr);
        panel.resize(500, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        PanelUndo* undo = attachScoreUndo(&panel);
        QSlider* slider = panel.compositeForm()->slider(QStringLiteral("k"));
        QVERIFY(slider);
        const int before = qobject_cast<QSpinBox*>(panel.compositeForm()->editor("k"))->value();
        // A drag: press on the handle, move in steps, release.
        QStyleOptionSlider opt;
        opt.initFrom(slider);
        opt.orientation = slider->orientation();
        opt.minimum = slider->minimum();
        opt.maximum = slider->maximum();
        opt.sliderPosition = opt.sliderValue = slider->value();
        opt.subControls = QStyle::SC_SliderHandle | QStyle::SC_SliderGroove;
        const QPoint start =
            slider->style()
                ->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, slider)
                .center();
        QTest::mousePress(slider, Qt::LeftButton, {}, start);
        for (int x = start.x() + 6; x < slider->width() / 2; x += 6)
            QTest::mouseMove(slider, QPoint(x, slider->height() / 2));
        QTest::mouseRelease(slider, Qt::LeftButton, {},
                            QPoint(slider->width() / 2, slider->height() / 2));
        const int after = qobject_cast<QSpinBox*>(panel.compositeForm()->editor("k"))->value();
        if (after == before)
            QSKIP("the offscreen style did not drag the slider");
        QCOMPARE(undo->stack()->count(), 1);
        undo->undo();
        QCOMPARE(qobject_cast<QSpinBox*>(panel.compositeForm()->editor("k"))->value(), before);
    }

    void transformUndoRedoFromTheEditMenu() {
        MainWindow w;
        w.setPersistent(false);
        w.resize(1366, 768);
        w.show();
        w.workspaces()->apply(QStringLiteral("transform"));
        ReprojectTab* tab = w.transformPanel()->reprojectTab();
        PanelUndo* undo = PanelUndo::of(w.transformPanel());
        QVERIFY(undo);
        const QString resampling = tab->resamplingCombo()->currentText();
        QVERIFY(resampling != QStringLiteral("bilinear"));
        tab->crsEdit()->setText(QStringLiteral("EPSG:4326"));
        emit tab->crsEdit()->editingFinished();
        const rb::ReprojectStep first = tab->reprojectStep();
        setParam(tab->warpForm(), "resampling", "bilinear");
        setParam(w.transformPanel()->fillTab()->form(), "max_distance", "33");
        const rb::ReprojectStep third = tab->reprojectStep();
        const rb::FillOptions thirdFill = w.transformPanel()->fillTab()->fillOptions();
        QCOMPARE(undo->stack()->count(), 3);
        // Nothing has the focus: Edit > Undo acts on the Transform workspace's panel.
        QCOMPARE(w.editActions()->current()->panel.data(), w.transformPanel());
        w.editActions()->undoAction()->trigger();
        w.editActions()->undoAction()->trigger();
        QVERIFY(tab->reprojectStep() == first);
        QCOMPARE(tab->resamplingCombo()->currentText(), resampling);
        QVERIFY(w.transformPanel()->fillTab()->fillOptions().max_distance !=
                thirdFill.max_distance);
        w.editActions()->redoAction()->trigger();
        w.editActions()->redoAction()->trigger();
        QVERIFY(tab->reprojectStep() == third);
        QCOMPARE(w.transformPanel()->fillTab()->fillOptions().max_distance, thirdFill.max_distance);
        // The Score panel's own history is apart.
        QVERIFY(!PanelUndo::of(w.scorePanel())->canUndo());
        w.workspaces()->apply(QStringLiteral("composite"));
        QCOMPARE(w.editActions()->current()->panel.data(), w.scorePanel());
        // Deband: the Edit menu undoes its notch edits.
        w.workspaces()->apply(QStringLiteral("deband"));
        QCOMPARE(w.editActions()->current()->panel.data(), w.debandPanel());
        rb::fft::NotchSet notches;
        notches.points.push_back({0.125, 0.0625, 0.02});
        w.debandPanel()->controller()->setNotches(notches, true);
        w.editActions()->undoAction()->trigger();
        QVERIFY(w.debandPanel()->controller()->notches().empty());
        w.editActions()->redoAction()->trigger();
        QCOMPARE(w.debandPanel()->controller()->notches().points.size(), std::size_t(1));
    }

    void scoreErrorInThePanelAndLayerMarked() {
        MainWindow w;
        openWindow(w, {QStringLiteral(RB_SAMPLE)});
        w.workspaces()->apply(QStringLiteral("composite"));
        ScorePanel* panel = w.scorePanel();
        CompositeController* ctl = panel->controller();
        QTRY_VERIFY_WITH_TIMEOUT(ctl->viewport() && !ctl->isViewportPending(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(layerRow(w, CompositeController::kOverlayId), kWaitMs);
        QVERIFY(w.canvas()->overlayVisible(CompositeController::kOverlayId));
        // Reflectance asked of a scene without product metadata: the error is in the panel,
        // for the GUI.
        QComboBox* readAs = panel->readAsCombo();
        readAs->setCurrentIndex(readAs->findData(QStringLiteral("toa")));
        QTRY_VERIFY_WITH_TIMEOUT(!ctl->lastError().isEmpty(), kWaitMs);
        bool shown = false;
        for (QLabel* l : panel->findChildren<QLabel*>())
            if (l->isVisible() && l->text().contains(QLatin1String("metadata")))
                shown = true;
        QVERIFY2(shown, qPrintable(ctl->lastError()));
        for (QLabel* l : panel->findChildren<QLabel*>())
            QVERIFY2(!l->isVisible() || !l->text().contains(QLatin1String("--")),
                     qPrintable(l->text()));
        QVERIFY(!panel->fullStatusLabel()->text().contains(QLatin1String("ready")));
        QVERIFY(!panel->latencyLabel()->text().contains(QLatin1String("ms")));
        // The layer of the earlier parameters is hidden and marked.
        QTreeWidgetItem* row = layerRow(w, CompositeController::kOverlayId);
        if (!w.canvas()->overlayIds().contains(CompositeController::kOverlayId)) {
            QVERIFY(row); // removed by the controller: a failed row without an image
        } else {
            QVERIFY(!w.canvas()->overlayVisible(CompositeController::kOverlayId));
            QCOMPARE(row->checkState(OverlayList::Name), Qt::Unchecked);
        }
        QVERIFY(row->text(OverlayList::Name).contains(QLatin1String("failed")));
        QVERIFY(!row->icon(OverlayList::Name).isNull());
        QVERIFY(!row->toolTip(OverlayList::Name).isEmpty());
        // Fixed: the layer comes back, ticked and unmarked.
        readAs->setCurrentIndex(readAs->findData(QStringLiteral("none")));
        QTRY_VERIFY_WITH_TIMEOUT(
            ctl->lastError().isEmpty() && ctl->viewport() && !ctl->isViewportPending() &&
                w.canvas()->overlayIds().contains(CompositeController::kOverlayId),
            kWaitMs);
        QTRY_VERIFY(w.canvas()->overlayVisible(CompositeController::kOverlayId));
        QVERIFY(w.canvas()->overlayError(CompositeController::kOverlayId).isEmpty());
        QVERIFY(!layerRow(w, CompositeController::kOverlayId)
                     ->text(OverlayList::Name)
                     .contains(QLatin1String("failed")));
    }

    void transformErrorInTheTabAndLayerMarked() {
        MainWindow w;
        openWindow(w, {QStringLiteral(RB_SAMPLE)});
        w.workspaces()->apply(QStringLiteral("transform"));
        TransformPanel* panel = w.transformPanel();
        ReprojectTab* tab = panel->reprojectTab();
        QSignalSpy done(tab, &ReprojectTab::reprojectDone);
        const auto computing = [tab] {
            return tab->reprojectStatus()->text() == QLatin1String("Computing...");
        };
        tab->previewReproject();
        // Settled: a live refresh (the map resized as the workspace opened) may start
        // once more after the explicit preview finished; wait for the last one.
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && !computing(), kWaitMs);
        const QString id = TransformPanel::kReprojectOverlay;
        QTRY_VERIFY_WITH_TIMEOUT(layerRow(w, id), kWaitMs);
        QVERIFY(w.canvas()->overlayVisible(id));
        // A CRS PROJ does not know: the tab says so, the old preview is hidden and marked.
        tab->crsEdit()->setText(QStringLiteral("EPSG:999999"));
        done.clear();
        tab->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && !computing(), kWaitMs);
        QVERIFY2(tab->reprojectStatus()->text().contains(QLatin1String("EPSG:999999")),
                 qPrintable(tab->reprojectStatus()->text()));
        QVERIFY(!tab->reprojectStatus()->text().contains(QLatin1String("Window ")));
        QVERIFY(!w.canvas()->overlayVisible(id));
        QTreeWidgetItem* row = layerRow(w, id);
        QVERIFY(row);
        QCOMPARE(row->checkState(OverlayList::Name), Qt::Unchecked);
        QVERIFY(row->text(OverlayList::Name).contains(QLatin1String("failed")));
        QVERIFY(row->toolTip(OverlayList::Name).contains(QLatin1String("EPSG:999999")));
        // A size the tab cannot read names the field, not a flag.
        tab->crsEdit()->setText(QStringLiteral("EPSG:3857"));
        tab->sizeEdit()->setText(QStringLiteral("wide"));
        done.clear();
        tab->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && !computing(), kWaitMs);
        QVERIFY2(tab->reprojectStatus()->text().startsWith(QLatin1String("Size")),
                 qPrintable(tab->reprojectStatus()->text()));
        // Width and resolution together: the engine refuses; no command-line flag shown.
        tab->sizeEdit()->setText(QStringLiteral("100 x 80"));
        tab->resolutionEdit()->setText(QStringLiteral("30"));
        done.clear();
        tab->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && !computing(), kWaitMs);
        qInfo("size and resolution: %s", qPrintable(tab->reprojectStatus()->text()));
        QVERIFY(!tab->reprojectStatus()->text().contains(QLatin1String(" --")));
        // A good size: the preview is that grid, the layer shown again.
        tab->resolutionEdit()->clear();
        done.clear();
        tab->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty() && !computing(), kWaitMs);
        QCOMPARE(tab->reprojectGrid().width, 100);
        QCOMPARE(tab->reprojectGrid().height, 80);
        QVERIFY(w.canvas()->overlayVisible(id));
        QVERIFY(!layerRow(w, id)->text(OverlayList::Name).contains(QLatin1String("failed")));
        tab->sizeEdit()->clear();
        emit tab->parametersChanged();
    }

    void debandErrorInThePanelAndLayerMarked() {
        // A copy of a scene that becomes unreadable while open.
        const QString path = dir_.filePath(QStringLiteral("striped.tif"));
        QFile::remove(path);
        QVERIFY(QFile::copy(kScenes[0], path));
        MainWindow w;
        openWindow(w, {path});
        w.workspaces()->apply(QStringLiteral("deband"));
        DebandController* ctl = w.debandPanel()->controller();
        QTRY_VERIFY_WITH_TIMEOUT(ctl->isReady(), kWaitMs);
        QSignalSpy failed(ctl, &DebandController::failed);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("not a raster any more");
        }
        ctl->setBand(2);
        ctl->prepareArea();
        QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), kWaitMs);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QLatin1String("striped.tif")), qPrintable(error));
        bool shown = false;
        for (QLabel* l : w.debandPanel()->findChildren<QLabel*>())
            shown = shown || l->text() == error;
        QVERIFY2(shown, qPrintable(error));
        QVERIFY(!w.canvas()->overlayError(QStringLiteral("deband-2-area")).isEmpty());
        QTreeWidgetItem* row = layerRow(w, QStringLiteral("deband-2-area"));
        QVERIFY(row);
        QVERIFY(row->text(OverlayList::Name).contains(QLatin1String("failed")));
        QVERIFY(!row->icon(OverlayList::Name).isNull());
    }

    void linkedComparePanes() {
        MainWindow w;
        openWindow(w, kScenes);
        SceneStack* stack = w.stack();
        w.setViewMode(ViewMode::SideBySide);
        w.compare()->setPaneScene(0, 0);
        w.compare()->setPaneScene(1, 1);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        LinkedDisplay* link = w.linkedDisplay();
        QVERIFY(LinkedDisplay::sameProduct(*stack->entry(0).data, *stack->entry(1).data));
        QVERIFY(link->isLinked()); // same product: on by default
        // A new stretch in one pane: the other pane's scene follows.
        rb::DisplaySettings d = stack->entry(0).data->display;
        d.bands = {3, 2, 1};
        d.stretch_options.mode = rb::StretchMode::StdDev;
        d.stretch_options.stddev_k = 1.5;
        stack->setDisplay(0, d);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(stack->entry(0).data->stretchExact, kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        const auto& a = stack->entry(0).data->display;
        const auto& b = stack->entry(1).data->display;
        QCOMPARE(b.bands, a.bands);
        QVERIFY2(sameStretch(a.stretch, b.stretch), "the linked pane's stretch did not follow");
        // The other way round too.
        rb::DisplaySettings d1 = b;
        d1.stretch_options.mode = rb::StretchMode::Manual;
        d1.stretch_options.manual = {{10, 2000}, {20, 3000}, {30, 4000}};
        stack->setDisplay(1, d1);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QVERIFY(sameStretch(stack->entry(0).data->display.stretch, d1.stretch_options.manual));
        // Unlinked: the other pane keeps its stretch.
        link->setLinked(false);
        const std::vector<rb::StretchRange> kept = stack->entry(1).data->display.stretch;
        d = stack->entry(0).data->display;
        d.stretch_options.mode = rb::StretchMode::MinMax;
        stack->setDisplay(0, d);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(stack->entry(0).data->stretchExact, kWaitMs);
        QVERIFY(!sameStretch(stack->entry(0).data->display.stretch, kept));
        QVERIFY(sameStretch(stack->entry(1).data->display.stretch, kept));
        // The View menu has the toggle and "Apply display to all scenes".
        QVERIFY(w.findChild<QAction*>(QStringLiteral("linkDisplay")));
        QVERIFY(w.findChild<QAction*>(QStringLiteral("applyDisplayToAll")));
    }

    void applyDisplayToAllScenesMapsRoles() {
        MainWindow w;
        openWindow(w, {kScenes[0], kScenes[1], kOtherProduct});
        SceneStack* stack = w.stack();
        stack->setCurrent(0);
        rb::DisplaySettings d = stack->entry(0).data->display;
        d.bands = {2, 1, 3};
        d.stretch_options.mode = rb::StretchMode::StdDev;
        d.stretch_options.stddev_k = 1.0;
        stack->setDisplay(0, d);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(stack->entry(0).data->stretchExact, kWaitMs);
        const QString text = w.linkedDisplay()->applyToAll(0);
        qInfo("%s", qPrintable(text));
        QVERIFY(w.waitUntilIdle(kWaitMs));
        // Same product: same bands, same ranges.
        QCOMPARE(stack->entry(1).data->display.bands, d.bands);
        QVERIFY(sameStretch(stack->entry(1).data->display.stretch,
                            stack->entry(0).data->display.stretch));
        // Another product: the bands of the same roles, or skipped saying why.
        const auto roles = [&](int row) {
            const auto& p = stack->entry(row).data->profile;
            rb::BandLayout l;
            l.count = p.count;
            l.dtype = p.dtype;
            l.descriptions = p.descriptions;
            l.colorinterp = p.colorinterp;
            l.label = QFileInfo(stack->entry(row).path).fileName().toStdString();
            return rb::resolve_band_roles(l);
        };
        const rb::BandRoles src = roles(0), dst = roles(2);
        bool mappable = true;
        for (int b : d.bands) {
            bool found = false;
            for (int r = 0; r < rb::kBandRoleCount; ++r)
                if (src[rb::BandRole(r)] == b - 1 && dst.has(rb::BandRole(r)))
                    found = true;
            mappable = mappable && found;
        }
        if (mappable) {
            const std::vector<int>& got = stack->entry(2).data->display.bands;
            QCOMPARE(got.size(), d.bands.size());
            for (std::size_t i = 0; i < got.size(); ++i)
                for (int r = 0; r < rb::kBandRoleCount; ++r)
                    if (src[rb::BandRole(r)] == d.bands[i] - 1)
                        QCOMPARE(got[i] - 1, dst[rb::BandRole(r)]);
            QCOMPARE(stack->entry(2).data->display.stretch_options.mode, rb::StretchMode::StdDev);
        } else {
            QVERIFY2(text.contains(QLatin1String("skipped")), qPrintable(text));
        }
        QVERIFY2(text.contains(QLatin1String(" 2 scene")) ||
                     text.contains(QLatin1String(" 1 scene")),
                 qPrintable(text));
    }

    void rasterizeAndVectorizeEditsUndo() {
        MainWindow w;
        w.setPersistent(false);
        w.resize(1366, 768);
        w.show();
        w.workspaces()->apply(QStringLiteral("transform"));
        PanelUndo* undo = PanelUndo::of(w.transformPanel());
        RasterizeTab* rasterize = w.transformPanel()->rasterizeTab();
        VectorizeTab* vectorize = w.transformPanel()->vectorizeTab();
        const auto rasterizeBefore = rasterize->parameters();
        const auto vectorizeBefore = vectorize->parameters();
        QVERIFY(!undo->canUndo());
        // Rasterize: the burn value, all-touched and the merge rule, one step each.
        setParam(rasterize->form(), "burn", "7");
        rasterize->allTouchedCheck()->setChecked(!rasterize->allTouchedCheck()->isChecked());
        setParam(rasterize->form(), "merge", "add");
        QCOMPARE(undo->stack()->count(), 3);
        QCOMPARE(rasterize->burnOptions().merge, rb::MergeAlg::Add);
        // Vectorize: mode, threshold, classes and the shapes table.
        vectorize->modeCombo()->setCurrentIndex(vectorize->modeCombo()->findData(2));
        vectorize->thresholdSpin()->setValue(vectorize->thresholdSpin()->value() + 17);
        vectorize->classCountSpin()->setValue(9);
        setParam(vectorize->shapesForm(), "connectivity", "8");
        QCOMPARE(undo->stack()->count(), 7);
        const auto rasterizeAfter = rasterize->parameters();
        const auto vectorizeAfter = vectorize->parameters();
        QVERIFY(rasterizeAfter != rasterizeBefore);
        QVERIFY(vectorizeAfter != vectorizeBefore);
        // Undo through the Edit menu, back to the start: each editor shows the old value and
        // the options the tabs compute with are the old ones.
        for (int i = 0; i < 7; ++i)
            w.editActions()->undoAction()->trigger();
        QCOMPARE(rasterize->parameters(), rasterizeBefore);
        QCOMPARE(vectorize->parameters(), vectorizeBefore);
        QCOMPARE(rasterize->burnValueSpin()->value(), rb::RasterizeOptions{}.burn);
        QCOMPARE(rasterize->burnOptions().merge, rb::RasterizeOptions{}.merge);
        QCOMPARE(rasterize->burnOptions().all_touched, rb::RasterizeOptions{}.all_touched);
        QCOMPARE(vectorize->modeCombo()->currentData().toInt(), 0);
        QCOMPARE(vectorize->classCountSpin()->value(), 4);
        for (int i = 0; i < 7; ++i)
            w.editActions()->redoAction()->trigger();
        QCOMPARE(rasterize->parameters(), rasterizeAfter);
        QCOMPARE(vectorize->parameters(), vectorizeAfter);
        QCOMPARE(rasterize->burnOptions().merge, rb::MergeAlg::Add);
        QCOMPARE(rasterize->burnOptions().burn, 7.0);
        // Typing into the threshold is one step (the same merging rule as Reproject's).
        auto* tabs = w.transformPanel()->findChild<QTabWidget*>();
        QVERIFY(tabs);
        tabs->setCurrentWidget(vectorize);
        w.activateWindow();
        vectorize->classCountSpin()->setFocus(); // equal intervals: the class count is on
        QTRY_VERIFY(vectorize->classCountSpin()->hasFocus());
        const int steps = undo->stack()->count();
        for (int v : {1, 12, 13}) // "1", "12", "13" typed
            vectorize->classCountSpin()->setValue(v < 2 ? 2 : v);
        QCOMPARE(undo->stack()->count(), steps + 1);
        undo->undo();
        QCOMPARE(vectorize->parameters(), vectorizeAfter);
    }

    void vectorizeDefaultThresholdIsNoUndoStep() {
        // A 16-bit scene: the tab's default threshold (the middle of the band's values) is
        // far from 128. Undoing the user's next edit keeps that default.
        MainWindow w;
        openWindow(w, {kData + "/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif"});
        w.workspaces()->apply(QStringLiteral("transform"));
        VectorizeTab* vectorize = w.transformPanel()->vectorizeTab();
        auto* tabs = w.transformPanel()->findChild<QTabWidget*>();
        tabs->setCurrentWidget(vectorize);
        QTRY_VERIFY_WITH_TIMEOUT(vectorize->thresholdSpin()->value() > 1000, kWaitMs);
        const double midpoint = vectorize->thresholdSpin()->value();
        PanelUndo* undo = PanelUndo::of(w.transformPanel());
        const int steps = undo->stack()->count();
        vectorize->classCountSpin()->setValue(vectorize->classCountSpin()->value() + 3);
        QCOMPARE(undo->stack()->count(), steps + 1);
        undo->undo();
        QCOMPARE(vectorize->thresholdSpin()->value(), midpoint);
        undo->redo();
        QCOMPARE(vectorize->thresholdSpin()->value(), midpoint);
    }

    void comparePaneTakesTheLinkedDisplay() {
        MainWindow w;
        openWindow(w, {kScenes[0], kScenes[1], kThirdScene, kOtherProduct});
        SceneStack* stack = w.stack();
        QVERIFY(LinkedDisplay::sameProduct(*stack->entry(0).data, *stack->entry(2).data));
        w.setViewMode(ViewMode::Swipe);
        CompareView* compare = w.compare();
        compare->setPaneScene(0, 0);
        compare->setPaneScene(1, 1);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QVERIFY(w.linkedDisplay()->isLinked());
        const auto roles = [&](int row) {
            const auto& p = stack->entry(row).data->profile;
            rb::BandLayout l;
            l.count = p.count;
            l.dtype = p.dtype;
            l.descriptions = p.descriptions;
            l.colorinterp = p.colorinterp;
            l.label = QFileInfo(stack->entry(row).path).fileName().toStdString();
            return rb::resolve_band_roles(l);
        };
        const rb::BandRoles src = roles(0), dst = roles(3);
        // False colour (roles both products have) and another stretch on the left pane.
        using R = rb::BandRole;
        std::vector<R> picked;
        for (const auto& triple :
             {std::vector<R>{R::Nir, R::Red, R::Green}, std::vector<R>{R::Swir1, R::Nir, R::Red},
              std::vector<R>{R::Green, R::Red, R::Blue}})
            if (picked.empty() && std::all_of(triple.begin(), triple.end(),
                                              [&](R r) { return src.has(r) && dst.has(r); }))
                picked = triple;
        QVERIFY2(!picked.empty(), "no three roles in both products");
        rb::DisplaySettings d = stack->entry(0).data->display;
        d.bands.clear();
        for (R r : picked)
            d.bands.push_back(src[r] + 1);
        d.stretch_options.mode = rb::StretchMode::StdDev;
        d.stretch_options.stddev_k = 1.5;
        stack->setDisplay(0, d);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        const rb::DisplaySettings shown = stack->entry(0).data->display;
        // The third scene has its own display until a pane shows it.
        QVERIFY(stack->entry(2).data->display.bands != shown.bands ||
                !sameStretch(stack->entry(2).data->display.stretch, shown.stretch));
        // Chosen in the right pane's selector, as the user does: it takes the linked bands
        // and stretch (same product: the same ranges).
        QComboBox* selector = compare->paneSelector(1);
        selector->setCurrentIndex(2);
        emit selector->activated(2);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QCOMPARE(compare->paneScene(1), 2);
        QCOMPARE(stack->entry(2).data->display.bands, shown.bands);
        QVERIFY2(sameStretch(stack->entry(2).data->display.stretch, shown.stretch),
                 "the scene chosen for the pane did not take the linked stretch");
        QCOMPARE(compare->swipe()->right()->scene()->display.bands, shown.bands);
        // Another product, linked by the user's choice: the bands of the same roles and the
        // same stretch method, derived from its own values.
        w.linkedDisplay()->setLinked(true);
        selector->setCurrentIndex(3);
        emit selector->activated(3);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        std::vector<int> want;
        for (R r : picked)
            want.push_back(dst[r] + 1);
        QCOMPARE(stack->entry(3).data->display.bands, want);
        QCOMPARE(stack->entry(3).data->display.stretch_options.mode, rb::StretchMode::StdDev);
        QCOMPARE(stack->entry(3).data->display.stretch_options.stddev_k, 1.5);
        // Unlinked: a chosen scene keeps its own display.
        w.linkedDisplay()->setLinked(false);
        const rb::DisplaySettings own = stack->entry(1).data->display;
        rb::DisplaySettings d1 = own;
        d1.stretch_options.mode = rb::StretchMode::MinMax;
        stack->setDisplay(1, d1);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        const auto kept = stack->entry(1).data->display.stretch;
        selector->setCurrentIndex(1);
        emit selector->activated(1);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QVERIFY(sameStretch(stack->entry(1).data->display.stretch, kept));
    }

    void openingSessionOrRecipeLeavesNoUndoStep() {
        const QString session = dir_.filePath(QStringLiteral("undo.rbsession"));
        const QString recipe = dir_.filePath(QStringLiteral("undo-recipe.json"));
        {
            MainWindow w;
            openWindow(w, kScenes);
            setParam(w.scorePanel()->compositeForm(), "k", "7");
            ReprojectTab* tab = w.transformPanel()->reprojectTab();
            tab->crsEdit()->setText(QStringLiteral("EPSG:32613"));
            emit tab->crsEdit()->editingFinished();
            setParam(w.transformPanel()->fillTab()->form(), "max_distance", "21");
            rb::fft::NotchSet notches;
            notches.points.push_back({0.125, 0.0625, 0.02});
            w.debandPanel()->controller()->setNotches(notches, true);
            QCOMPARE(w.saveSession(session), QString());
            rb::Recipe r = w.panelRecipe();
            for (auto& step : r.steps)
                if (auto* c = std::get_if<rb::CompositeStep>(&step))
                    c->options.k = 5;
            rb::SceneSource scene;
            scene.files = {kScenes[0].toStdString()};
            r.scenes.push_back(scene);
            QFile f(recipe);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(rb::write_recipe(r)));
        }
        MainWindow w;
        openWindow(w, {QStringLiteral(RB_SAMPLE)});
        // An edit before: the session replaces it, and its history with it.
        setParam(w.scorePanel()->compositeForm(), "k", "4");
        QVERIFY(PanelUndo::of(w.scorePanel())->canUndo());
        const auto noUndo = [&](const char* when) {
            for (const char* workspace : {"composite", "transform", "deband"}) {
                w.workspaces()->apply(QString::fromLatin1(workspace));
                const EditActions::Target* t = w.editActions()->current();
                QVERIFY(t);
                QVERIFY2(!t->canUndo() && !t->canRedo(),
                         qPrintable(QStringLiteral("%1: Edit > Undo in %2")
                                        .arg(QLatin1String(when), t->title)));
            }
        };
        QVERIFY(w.openSession(session));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isSessionPending(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRecipePending(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        // The session's parameters are loaded...
        QCOMPARE(w.scorePanel()->compositeStep().options.k, 7);
        QCOMPARE(w.transformPanel()->reprojectTab()->reprojectStep().dst_crs,
                 std::string("EPSG:32613"));
        QCOMPARE(w.debandPanel()->controller()->notches().points.size(), std::size_t(1));
        // ... and are where editing starts: nothing to undo in any panel.
        noUndo("after Open Session");
        // An edit after it is one step, and undoing it goes back to the session's value.
        w.workspaces()->apply(QStringLiteral("composite"));
        setParam(w.scorePanel()->compositeForm(), "k", "3");
        w.editActions()->undoAction()->trigger();
        QCOMPARE(w.scorePanel()->compositeStep().options.k, 7);
        QVERIFY(!PanelUndo::of(w.scorePanel())->canUndo());
        // Open Recipe likewise.
        QVERIFY(w.openRecipe(recipe));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRecipePending(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QCOMPARE(w.scorePanel()->compositeStep().options.k, 5);
        noUndo("after Open Recipe");
    }

    void screenshotWaitsForThePanels() {
        MainWindow w;
        w.setPersistent(false);
        w.resize(1366, 768);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.workspaces()->apply(QStringLiteral("composite"));
        w.openFiles({QStringLiteral(RB_SAMPLE)});
        // Right after the open, the panels have work to do, and a wait too short says which.
        QString pending;
        QVERIFY(!w.waitForPanels(1, &pending));
        QVERIFY2(!pending.isEmpty(), "a timed-out wait names nothing");
        QString error;
        QVERIFY2(w.saveScreenshot(dir_.filePath(QStringLiteral("composite.png")), &error),
                 qPrintable(error));
        CompositeController* ctl = w.scorePanel()->controller();
        QVERIFY(ctl->viewport() && !ctl->isViewportPending());
        QVERIFY(!ctl->isFullRunning() && !ctl->fullCompositePath().isEmpty());
        QVERIFY(w.canvas()->overlayIds().contains(CompositeController::kOverlayId));
        QVERIFY(w.panelWork().isEmpty());
        // Deband: the area's spectrum and the preview of its notches.
        w.workspaces()->apply(QStringLiteral("deband"));
        QVERIFY2(w.saveScreenshot(dir_.filePath(QStringLiteral("deband.png")), &error),
                 qPrintable(error));
        DebandController* deband = w.debandPanel()->controller();
        QVERIFY(deband->isReady() && deband->spectrum() && deband->isPreviewCurrent());
        // Transform: the live preview of its tab, on the map.
        w.workspaces()->apply(QStringLiteral("transform"));
        QVERIFY2(w.saveScreenshot(dir_.filePath(QStringLiteral("transform.png")), &error),
                 qPrintable(error));
        QVERIFY(!w.transformPanel()->isPreviewPending());
        QVERIFY(w.canvas()->overlayIds().contains(TransformPanel::kReprojectOverlay));
    }

    void sessionKeepsRuleDetectionAndTargetGrid() {
        const QString path = dir_.filePath(QStringLiteral("settings.rbsession"));
        {
            MainWindow w;
            openWindow(w, kScenes);
            w.scorePanel()->setQualityRule(QStringLiteral("_sr.tif=_pixel_qa.tif"));
            setParam(w.debandPanel()->settings()->form(), "threshold", "7.5");
            setParam(w.debandPanel()->settings()->form(), "orientation_excess", "2.5");
            ReprojectTab* tab = w.transformPanel()->reprojectTab();
            tab->crsEdit()->setText(QStringLiteral("EPSG:32613"));
            tab->resolutionEdit()->setText(QStringLiteral("30"));
            tab->boundsEdit()->setText(QStringLiteral("500000 4400000 503600 4402700"));
            tab->tapCheck()->setChecked(true);
            emit tab->parametersChanged();
            QCOMPARE(w.saveSession(path), QString());
        }
        // Nothing from the user's settings: only the session brings them back.
        QSettings().remove(QLatin1String(ReprojectTab::kSettingsKey));
        QSettings().remove(QStringLiteral("deband/params"));
        MainWindow w;
        w.setPersistent(false);
        w.resize(1366, 768);
        w.show();
        QCOMPARE(w.transformPanel()->reprojectTab()->boundsEdit()->text(), QString());
        QVERIFY(w.debandPanel()->settings()->peak().threshold != 7.5);
        QVERIFY(w.openSession(path));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isSessionPending(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRecipePending(), kWaitMs);
        QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray text = f.readAll();
            QVERIFY2(text.contains("_pixel_qa.tif"), text.constData());
        }
        QCOMPARE(w.debandPanel()->settings()->peak().threshold, 7.5);
        QCOMPARE(w.debandPanel()->settings()->orientation().excess, 2.5);
        const rb::ReprojectStep step = w.transformPanel()->reprojectTab()->reprojectStep();
        QCOMPARE(step.dst_crs, std::string("EPSG:32613"));
        QCOMPARE(step.res_x, std::optional<double>(30));
        QVERIFY(w.lastError().isEmpty());
        QVERIFY(step.bounds && step.bounds->left == 500000 && step.bounds->top == 4402700);
        QVERIFY(step.tap);
        QCOMPARE(w.scorePanel()->qualityRule()->text(), QStringLiteral("_sr.tif=_pixel_qa.tif"));
        // The user's settings keep the target grid and detection for the next start.
        MainWindow next;
        QCOMPARE(next.transformPanel()->reprojectTab()->boundsEdit()->text(),
                 w.transformPanel()->reprojectTab()->boundsEdit()->text());
        QVERIFY(next.transformPanel()->reprojectTab()->tapCheck()->isChecked());
        QCOMPARE(next.debandPanel()->settings()->peak().threshold, 7.5);
    }
};

QTEST_MAIN(TestPanelEdits)
#include "tst_panel_edits.moc"
