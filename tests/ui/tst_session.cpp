// Sessions on the offscreen platform with two real Landsat scenes: a session saved from one
// window and opened in a new one shows the same pixels on the map (the canvas grabbed and
// compared), with the same current scene, display settings, visibility, workspace, panel
// parameters and deband notches; File > Open Recipe loads a recipe into the panels; a
// file that is not a session, or of a newer version, is refused with its name.
#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "DebandController.h"
#include "DebandPanel.h"
#include "FillTab.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "ReprojectTab.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "SessionFile.h"
#include "TransformPanel.h"
#include "Workspaces.h"
#include "rasterbench/recipe.h"

using namespace rb::ui;

namespace {

constexpr int kWaitMs = 60000;
const QString kData = QStringLiteral(RB_VIEWER_DATA);
const QStringList kScenes = {kData + "/2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                             kData + "/2008-04-27_LE07_LE70350322008118EDC00_sr.tif"};

QImage settledMap(MainWindow& w) {
    // The exact stretch of the scene shown (not the provisional one from its preview), every
    // tile rendered, and the same pixels on two grabs in a row (no render still under way).
    QImage last;
    for (int attempt = 0; attempt < 50; ++attempt) {
        QTest::qWait(100);
        const int row = w.stack()->current();
        if (row < 0 || !w.stack()->entry(row).data || !w.stack()->entry(row).data->stretchExact ||
            !w.waitUntilIdle(kWaitMs) || !w.canvas()->isRenderIdle())
            continue;
        const QImage image = w.canvas()->grab().toImage().convertToFormat(QImage::Format_RGB32);
        if (!last.isNull() && image == last)
            return image;
        last = image;
    }
    return {};
}

/// Parameters every panel starts without: a median-distance score with a radius, a best-3
/// mean composite, a notch on band 2, a reprojection to WGS 84 with bilinear resampling and
/// a longer fill distance.
rb::Recipe tunedRecipe() {
    rb::Recipe r;
    rb::DebandStep deband;
    deband.band = 2;
    deband.notches.points.push_back({0.125, 0.0625, 0.02});
    deband.notches.points.push_back({-0.125, -0.0625, 0.02});
    r.steps.emplace_back(deband);
    rb::CompositeStep composite;
    composite.score = rb::make_score_options("median-distance");
    rb::set_score_param(composite.score, "radius", "2");
    rb::CompositeOptions::params().set(composite.options, "k", "3");
    rb::CompositeOptions::params().set(composite.options, "harmonize_min_pixels", "20");
    r.steps.emplace_back(composite);
    rb::ReprojectStep reproject;
    reproject.dst_crs = "EPSG:4326";
    rb::ReprojectOptions::params().set(reproject.options, "resampling", "bilinear");
    r.steps.emplace_back(reproject);
    rb::FillStep fill;
    rb::FillOptions::params().set(fill.options, "max_distance", "25");
    r.steps.emplace_back(fill);
    return r;
}

/// The panels hold the tuned recipe's steps.
void checkPanels(MainWindow& w, const rb::Recipe& tuned) {
    const rb::DebandStep deband = w.debandPanel()->debandStep();
    QCOMPARE(deband.band, std::get<rb::DebandStep>(tuned.steps[0]).band);
    QVERIFY(deband.notches == std::get<rb::DebandStep>(tuned.steps[0]).notches);
    QVERIFY(deband == std::get<rb::DebandStep>(tuned.steps[0]));
    QVERIFY(w.scorePanel()->compositeStep() == std::get<rb::CompositeStep>(tuned.steps[1]));
    QCOMPARE(w.scorePanel()->methodCombo()->currentText(), QStringLiteral("median-distance"));
    QVERIFY(w.transformPanel()->reprojectTab()->reprojectStep() ==
            std::get<rb::ReprojectStep>(tuned.steps[2]));
    QCOMPARE(w.transformPanel()->reprojectTab()->crsEdit()->text(), QStringLiteral("EPSG:4326"));
    rb::FillStep fill;
    fill.options = w.transformPanel()->fillTab()->fillOptions();
    QVERIFY(fill == std::get<rb::FillStep>(tuned.steps[3]));
}

/// Clicks `button` of the next message box that opens (a modal one blocks the caller).
void answerNextMessageBox(QMessageBox::StandardButton button) {
    auto* poll = new QTimer;
    poll->setInterval(20);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            poll->stop();
            poll->deleteLater();
            box->button(button)->click();
        }
    });
    poll->start();
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
    }

    void reopenedSessionShowsTheSamePixels() {
        const QString path = dir_.filePath(QStringLiteral("work.rbsession"));
        QImage before;
        rb::DisplaySettings display;
        QString workspace;
        {
            MainWindow w;
            w.setPersistent(false);
            w.resize(1100, 750);
            w.show();
            w.openFiles(kScenes);
            QTRY_VERIFY_WITH_TIMEOUT(
                w.stack()->count() == 2 && !w.stack()->isLoading() && w.canvas()->scene(), kWaitMs);
            // Inspect: no panel drawing a preview of its own over the map.
            w.workspaces()->apply(QStringLiteral("inspect"));
            workspace = w.workspaces()->current();
            SceneStack* stack = w.stack();
            display = stack->entry(1).data->display;
            display.bands = {2};
            display.colormap = rb::Colormap::Viridis;
            display.stretch_options.mode = rb::StretchMode::StdDev;
            display.stretch_options.stddev_k = 1.5;
            stack->setDisplay(1, display);
            QVERIFY(w.waitUntilIdle(kWaitMs));
            stack->setCurrent(1);
            QTRY_COMPARE(w.canvas()->scene()->path, stack->entry(1).path);
            stack->setVisible(0, false);
            QVERIFY(w.waitUntilIdle(kWaitMs));
            w.canvas()->zoomBy(2.5);
            w.canvas()->panBy(QPointF(37, -21));
            before = settledMap(w);
            QVERIFY(!before.isNull());
            QCOMPARE(w.saveSession(path), QString());
        }
        QVERIFY(QFile::exists(path));

        MainWindow w;
        w.setPersistent(false);
        w.resize(1100, 750);
        w.show();
        QVERIFY(w.openSession(path));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isSessionPending(), kWaitMs);
        const QImage after = settledMap(w);
        SceneStack* stack = w.stack();
        QCOMPARE(stack->count(), 2);
        QCOMPARE(stack->current(), 1);
        QVERIFY(!stack->entry(0).visible);
        QCOMPARE(stack->entry(1).data->display.bands, std::vector<int>{2});
        QVERIFY(stack->entry(1).data->display.colormap == rb::Colormap::Viridis);
        QCOMPARE(w.workspaces()->current(), workspace);
        QCOMPARE(after.size(), before.size());
        QVERIFY2(after == before, "the reopened session draws other pixels");
    }

    void sessionKeepsPanelParametersAndNotches() {
        const QString path = dir_.filePath(QStringLiteral("panels.rbsession"));
        const rb::Recipe tuned = tunedRecipe();
        {
            MainWindow w;
            w.setPersistent(false);
            w.resize(1100, 750);
            w.show();
            w.openFiles(kScenes);
            QTRY_VERIFY_WITH_TIMEOUT(!w.stack()->isLoading() && w.canvas()->scene(), kWaitMs);
            QCOMPARE(w.applyRecipe(tuned), QString());
            checkPanels(w, tuned);
            QCOMPARE(w.saveSession(path), QString());
        }
        MainWindow w;
        w.setPersistent(false);
        w.resize(1100, 750);
        w.show();
        // Not what the session holds before it is opened.
        QVERIFY(w.debandPanel()->debandStep().notches.empty());
        QVERIFY(w.openSession(path));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isSessionPending(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        checkPanels(w, tuned);
    }

    void unsavedEditsAreAskedAboutAndRecipesKeepSavedNotches() {
        // Quitting dropped the panels' tuned parameters without a word, and opening a recipe
        // replaced the notches the user had saved for the scene.
        const QString path = dir_.filePath(QStringLiteral("asked.rbsession"));
        MainWindow w;
        w.setPersistent(false);
        w.resize(1100, 750);
        w.show();
        w.openFiles({kScenes[0]});
        QTRY_VERIFY_WITH_TIMEOUT(!w.stack()->isLoading() && w.canvas()->scene(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        QVERIFY(!w.hasUnsavedEdits()); // what the panels set up themselves is no edit
        QComboBox* method = w.scorePanel()->methodCombo();
        const QString first = method->currentText();
        method->setCurrentText(first == "darkness" ? "median-distance" : "darkness");
        QVERIFY(w.hasUnsavedEdits());
        w.setAsksBeforeDiscarding(true);
        answerNextMessageBox(QMessageBox::Cancel);
        QVERIFY(!w.close()); // Cancel: the window and its edit stay
        QVERIFY(w.isVisible());
        QVERIFY(w.hasUnsavedEdits());
        QCOMPARE(w.saveSession(path), QString());
        QVERIFY(!w.hasUnsavedEdits()); // saved: nothing to ask about

        DebandController* deband = w.debandPanel()->controller();
        QVERIFY(deband->scene());
        rb::fft::NotchSet mine;
        mine.points.push_back({0.25, 0.125, 0.02});
        mine.points.push_back({-0.25, -0.125, 0.02});
        deband->setNotches(mine);
        QCOMPARE(w.applyRecipe(tunedRecipe()), QString());
        QVERIFY(!(deband->notches() == mine)); // the recipe's notches are shown
        QVERIFY(deband->restoreSavedNotches());
        QVERIFY(deband->notches() == mine); // and the user's saved set is still theirs

        method->setCurrentText(method->currentText() == "darkness" ? "median-distance"
                                                                   : "darkness");
        QVERIFY(w.hasUnsavedEdits());
        answerNextMessageBox(QMessageBox::Discard);
        QVERIFY(w.close());
    }

    void openRecipeLoadsThePanels() {
        rb::Recipe tuned = tunedRecipe();
        tuned.scenes.push_back({{kScenes[0].toStdString()}});
        tuned.output.path = "out.tif";
        const QString path = dir_.filePath(QStringLiteral("tuned.json"));
        rb::save_recipe(tuned, path.toStdString());
        MainWindow w;
        w.setPersistent(false);
        w.resize(1100, 750);
        w.show();
        QVERIFY(w.openRecipe(path));
        QTRY_VERIFY_WITH_TIMEOUT(!w.isRecipePending(), kWaitMs);
        QVERIFY(w.waitUntilIdle(kWaitMs));
        // The recipe's scene is open, its steps in the panels.
        QCOMPARE(w.stack()->count(), 1);
        QCOMPARE(QFileInfo(w.stack()->entry(0).path).fileName(), QFileInfo(kScenes[0]).fileName());
        checkPanels(w, tuned);
        // File > Open Recipe is in the File menu.
        bool inMenu = false;
        for (QAction* a : w.findChildren<QAction*>())
            inMenu = inMenu || a->text().remove('&') == QStringLiteral("Open Recipe...");
        QVERIFY(inMenu);
        // A broken recipe is refused, naming the file and the problem.
        const QString bad = dir_.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "rasterbench-recipe", "version": 1, "steps": [{"type": "fill",
                  "params": {"max_distance": -4}}]})");
        f.close();
        QVERIFY(!w.openRecipe(bad));
        QVERIFY2(w.lastError().contains(QLatin1String("bad.json")) &&
                     w.lastError().contains(QLatin1String("max_distance")),
                 qPrintable(w.lastError()));
        checkPanels(w, tuned); // the panels keep what they had
    }

    void refusesOtherFiles() {
        const QString bad = dir_.filePath(QStringLiteral("bad.rbsession"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "rasterbench-session", "version": 99, "scenes": []})");
        f.close();
        QString error;
        QVERIFY(!readSession(bad, error));
        QVERIFY2(error.contains(bad) && error.contains("99"), qPrintable(error));
        QVERIFY(!readSession(QStringLiteral(RB_VIEWER_DATA "/README.md"), error));
        QVERIFY2(error.contains("README.md"), qPrintable(error));
    }
};

QTEST_MAIN(TestSession)
#include "tst_session.moc"
