// Sessions on the offscreen platform with two real Landsat scenes: a session saved from one
// window and opened in a new one shows the same pixels on the map (the canvas grabbed and
// compared), with the same current scene, display settings, visibility and workspace; a
// file that is not a session, or of a newer version, is refused with its name.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "MainWindow.h"
#include "MapCanvas.h"
#include "SceneStack.h"
#include "SessionFile.h"
#include "Workspaces.h"

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
