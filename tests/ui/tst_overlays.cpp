// Every overlay is a layer, in the main window on the offscreen platform with two real
// Landsat scenes on the same grid: the Layers dock lists each overlay the map draws (a
// Transform preview, an overlay of the stack's grid) by name with the scene it was made
// for; unticking hides it (the map's pixels are those without it), opacity 0 equals hidden,
// the order decides which one is on top, Remove takes it off the map; an overlay made for
// one scene is not drawn over the next scene (same pixels as with no overlay) and comes
// back with its scene, while one bound to the grid stays; switching the Transform tab or
// closing its dock takes its preview off the map.
#include <QCheckBox>
#include <QDockWidget>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>

#include "DebandController.h"
#include "DebandPanel.h"
#include "DebandSceneJob.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "OverlayList.h"
#include "ReprojectTab.h"
#include "SceneStack.h"
#include "TransformPanel.h"
#include "VectorizeTab.h"

using namespace rb::ui;

namespace {

constexpr int kWaitMs = 60000;
const QString kData = QStringLiteral(RB_VIEWER_DATA);
const QStringList kScenes = {kData + "/2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                             kData + "/2008-04-27_LE07_LE70350322008118EDC00_sr.tif"};

QImage solid(QRgb colour) {
    QImage image(8, 8, QImage::Format_ARGB32);
    image.fill(colour);
    return image;
}

} // namespace

class TestOverlays : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<MainWindow> window_;

    QImage grabMap() {
        MapCanvas* c = window_->canvas();
        if (!QTest::qWaitFor([c] { return c->isRenderIdle(); }, kWaitMs))
            return {};
        return c->grab().toImage().convertToFormat(QImage::Format_RGB32);
    }
    /// The colour at the centre of the map.
    QRgb centre() {
        const QImage image = grabMap();
        return image.pixel(image.width() / 2, image.height() / 2);
    }
    QTreeWidgetItem* row(const QString& id) {
        QTreeWidget* tree = window_->overlayList()->tree();
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            if (tree->topLevelItem(i)->data(OverlayList::Name, Qt::UserRole).toString() == id)
                return tree->topLevelItem(i);
        return nullptr;
    }

private slots:
    void initTestCase() {
        window_ = std::make_unique<MainWindow>();
        window_->setPersistent(false);
        window_->resize(1000, 700);
        window_->show();
        window_->openFiles(kScenes);
        QTRY_VERIFY_WITH_TIMEOUT(window_->stack()->count() == 2 &&
                                     window_->stack()->entry(1).data && window_->canvas()->scene(),
                                 kWaitMs);
        QVERIFY(window_->waitUntilIdle(kWaitMs));
        window_->stack()->setCurrent(0);
        QTRY_COMPARE(window_->canvas()->scene()->path, window_->stack()->entry(0).path);
        const auto& a = window_->stack()->entry(0).data->profile;
        const auto& b = window_->stack()->entry(1).data->profile;
        QVERIFY(a.width == b.width && a.height == b.height); // the grid test needs it
    }
    void cleanupTestCase() { window_.reset(); }

    void overlaysAreLayers() {
        MapCanvas* c = window_->canvas();
        const QImage bare = grabMap();
        QVERIFY(!bare.isNull());
        const QRectF whole(0, 0, c->scene()->profile.width, c->scene()->profile.height);
        c->setOverlay(QStringLiteral("test-a"), solid(qRgb(250, 0, 250)), whole);
        c->setOverlay(QStringLiteral("test-b"), solid(qRgb(0, 250, 0)), whole);
        // Listed by name, the top of the drawing order first.
        QCOMPARE(window_->overlayList()->listedIds(),
                 (QStringList{QStringLiteral("test-b"), QStringLiteral("test-a")}));
        QCOMPARE(centre(), qRgb(0, 250, 0));
        // Reordered from the list: the other one is on top.
        window_->overlayList()->select(QStringLiteral("test-a"));
        window_->overlayList()->upButton()->click();
        QCOMPARE(c->overlayIds(),
                 (QStringList{QStringLiteral("test-b"), QStringLiteral("test-a")}));
        QCOMPARE(centre(), qRgb(250, 0, 250));
        // Unticked: not drawn, the next one shows.
        row(QStringLiteral("test-a"))->setCheckState(OverlayList::Name, Qt::Unchecked);
        QVERIFY(!c->overlayDrawn(QStringLiteral("test-a")));
        QCOMPARE(centre(), qRgb(0, 250, 0));
        // Opacity 0 of the other one: the bare map.
        window_->overlayList()->select(QStringLiteral("test-b"));
        window_->overlayList()->opacityBox()->setValue(0);
        QCOMPARE(c->overlayOpacity(QStringLiteral("test-b")), 0.0);
        QCOMPARE(grabMap(), bare);
        // Half opacity blends.
        window_->overlayList()->opacityBox()->setValue(50);
        const QRgb blended = centre();
        QVERIFY(qGreen(blended) > qGreen(bare.pixel(bare.width() / 2, bare.height() / 2)) ||
                qGreen(blended) > 100);
        QVERIFY(blended != qRgb(0, 250, 0));
        // A republished overlay keeps the user's choices.
        c->setOverlay(QStringLiteral("test-a"), solid(qRgb(250, 0, 250)), whole);
        QVERIFY(!c->overlayVisible(QStringLiteral("test-a")));
        QCOMPARE(c->overlayIds().last(), QStringLiteral("test-a"));
        // Removed from the list: gone from the map.
        window_->overlayList()->select(QStringLiteral("test-a"));
        window_->overlayList()->removeButton()->click();
        window_->overlayList()->select(QStringLiteral("test-b"));
        window_->overlayList()->removeButton()->click();
        QVERIFY(c->overlay(QStringLiteral("test-a")).isNull());
        QVERIFY(c->overlayIds().isEmpty());
        QCOMPARE(window_->overlayList()->tree()->topLevelItemCount(), 0);
        QCOMPARE(grabMap(), bare);
    }

    void overlayBelongsToItsScene() {
        MapCanvas* c = window_->canvas();
        SceneStack* stack = window_->stack();
        stack->setCurrent(1);
        QTRY_COMPARE(c->scene()->path, stack->entry(1).path);
        const QImage bareB = grabMap();
        stack->setCurrent(0);
        QTRY_COMPARE(c->scene()->path, stack->entry(0).path);
        const QRectF whole(0, 0, c->scene()->profile.width, c->scene()->profile.height);
        c->setOverlay(QStringLiteral("test-scene"), solid(qRgb(250, 0, 250)), whole);
        c->setOverlay(QStringLiteral("test-grid"), solid(qRgb(0, 0, 250)), QRectF(0, 0, 10, 10),
                      nullptr, MapCanvas::Binding::Grid);
        QCOMPARE(centre(), qRgb(250, 0, 250));
        // The next scene: the scene's overlay is not drawn (the map is as without it) and is
        // marked in the list; the grid's overlay still is.
        stack->setCurrent(1);
        QTRY_COMPARE(c->scene()->path, stack->entry(1).path);
        QVERIFY(!c->overlayDrawn(QStringLiteral("test-scene")));
        QVERIFY(c->overlayDrawn(QStringLiteral("test-grid")));
        QVERIFY(row(QStringLiteral("test-scene"))->text(OverlayList::Scene).contains("another"));
        c->removeOverlay(QStringLiteral("test-grid"));
        QCOMPARE(grabMap(), bareB);
        // Back on its scene: drawn again.
        stack->setCurrent(0);
        QTRY_COMPARE(c->scene()->path, stack->entry(0).path);
        QVERIFY(c->overlayDrawn(QStringLiteral("test-scene")));
        QCOMPARE(centre(), qRgb(250, 0, 250));
        c->removeOverlay(QStringLiteral("test-scene"));
    }

    void transformPreviewIsALayer() {
        MapCanvas* c = window_->canvas();
        TransformPanel* panel = window_->transformPanel();
        auto* dock = window_->findChild<QDockWidget*>(QStringLiteral("transformDock"));
        QVERIFY(panel && dock);
        panel->liveCheck()->setChecked(false);
        dock->show();
        panel->tabs()->setCurrentIndex(TransformPanel::Reproject);
        QSignalSpy done(panel->reprojectTab(), &ReprojectTab::reprojectDone);
        panel->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1 && !panel->isPreviewPending(), kWaitMs);
        const QString id = TransformPanel::kReprojectOverlay;
        QVERIFY(c->overlayDrawn(id));
        QVERIFY(row(id));
        QCOMPARE(row(id)->text(OverlayList::Name), TransformPanel::overlayTitle(id));
        // Made for scene 0: not drawn over scene 1.
        window_->stack()->setCurrent(1);
        QTRY_COMPARE(c->scene()->path, window_->stack()->entry(1).path);
        QVERIFY(!c->overlayDrawn(id));
        window_->stack()->setCurrent(0);
        QTRY_VERIFY(c->overlayDrawn(id));
        // Another tab of the panel: the reprojection leaves the map (one preview a panel).
        panel->tabs()->setCurrentIndex(TransformPanel::Fill);
        QVERIFY(c->overlay(id).isNull());
        QVERIFY(!row(id));
        // Closing the dock hides what it previewed.
        panel->tabs()->setCurrentIndex(TransformPanel::Reproject);
        panel->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(c->overlayDrawn(id) && !panel->isPreviewPending(), kWaitMs);
        dock->close();
        QVERIFY(!c->overlayDrawn(id));
        QVERIFY(!row(id));
    }

    void debandPreviewsLeaveWithTheirDock() {
        // Closing the Deband dock left its area and whole-scene previews on the map (under
        // a composite, say), and the whole-scene job put its layer back when it ended.
        MapCanvas* c = window_->canvas();
        window_->stack()->setCurrent(0);
        QTRY_COMPARE(c->scene()->path, window_->stack()->entry(0).path);
        auto* dock = window_->findChild<QDockWidget*>(QStringLiteral("debandDock"));
        DebandPanel* panel = window_->debandPanel();
        QVERIFY(dock && panel);
        DebandController* d = panel->controller();
        dock->show();
        QVERIFY(d->waitUntilReady());
        rb::DebandStep step;
        step.band = 2;
        step.notches.points.push_back({0.125, 0.0625, 0.02});
        step.notches.points.push_back({-0.125, -0.0625, 0.02});
        panel->setDebandStep(step);
        QVERIFY(d->waitUntilReady());
        QVERIFY(d->waitForPreview());
        const QString area = QStringLiteral("deband-2-area");
        QTRY_VERIFY_WITH_TIMEOUT(c->overlayDrawn(area), kWaitMs);
        // Another band: band 2's debanded area leaves the map at once (it stayed while band
        // 3's area was read and transformed).
        step.band = 3;
        panel->setDebandStep(step);
        QVERIFY(c->overlay(area).isNull());
        QVERIFY(d->waitUntilReady());
        QVERIFY(d->waitForPreview());
        QTRY_VERIFY_WITH_TIMEOUT(c->overlayDrawn(area), kWaitMs);
        step.band = 2;
        panel->setDebandStep(step);
        QVERIFY(d->waitUntilReady());
        QVERIFY(d->waitForPreview());
        QTRY_VERIFY_WITH_TIMEOUT(c->overlayDrawn(area), kWaitMs);
        dock->close();
        QVERIFY(c->overlay(area).isNull());
        QVERIFY(c->overlay(DebandSceneJob::kOverlayId).isNull());
        QTest::qWait(2000); // no job still running puts a layer back
        QVERIFY(c->overlay(area).isNull());
        QVERIFY(c->overlay(DebandSceneJob::kOverlayId).isNull());
        // Opened again: the previews come back, on the band the panel showed.
        dock->show();
        QVERIFY(d->waitUntilReady());
        QCOMPARE(d->band(), 2);
        QCOMPARE(panel->debandStep().band, 2);
        QVERIFY(d->waitForPreview());
        QTRY_VERIFY_WITH_TIMEOUT(c->overlayDrawn(area), kWaitMs);
        dock->close();
        QVERIFY(c->overlay(area).isNull());
    }

    void closedSceneTakesItsOverlays() {
        // Run last: it closes a scene and opens it again.
        MapCanvas* c = window_->canvas();
        SceneStack* stack = window_->stack();
        stack->setCurrent(1);
        QTRY_COMPARE(c->scene()->path, stack->entry(1).path);
        const auto closing = stack->entry(1).data;
        const QRectF whole(0, 0, closing->profile.width, closing->profile.height);
        c->setOverlay(QStringLiteral("test-closed"), solid(qRgb(250, 0, 250)), whole, closing);
        QVERIFY(row(QStringLiteral("test-closed")));
        stack->remove(1);
        QTRY_VERIFY(c->overlay(QStringLiteral("test-closed")).isNull());
        QVERIFY(!row(QStringLiteral("test-closed")));
        // A preview made for it that ends later (its job was running) is not put back.
        c->setOverlay(QStringLiteral("test-late"), solid(qRgb(250, 0, 250)), whole, closing);
        QVERIFY(c->overlay(QStringLiteral("test-late")).isNull());
        QVERIFY(!row(QStringLiteral("test-late")));
        // Opened again, it may have overlays again.
        window_->openFiles({kScenes[1]});
        QTRY_VERIFY_WITH_TIMEOUT(stack->count() == 2 && stack->entry(1).data, kWaitMs);
        c->setOverlay(QStringLiteral("test-late"), solid(qRgb(250, 0, 250)), whole, closing);
        QVERIFY(!c->overlay(QStringLiteral("test-late")).isNull());
        c->removeOverlay(QStringLiteral("test-late"));
    }

    void vectorizeThresholdFromTheData() {
        // The default threshold is the middle of the band's values, not a fixed 128: these
        // are surface reflectances scaled to thousands.
        MapCanvas* c = window_->canvas();
        VectorizeTab* v = window_->transformPanel()->vectorizeTab();
        QSignalSpy done(v, &VectorizeTab::shapesDone);
        v->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1, kWaitMs);
        const auto mid = VectorizeTab::bandMidpoint(*c->scene(), v->bandSpin()->value());
        QVERIFY(mid);
        QVERIFY2(*mid > 1000, qPrintable(QString::number(*mid)));
        QCOMPARE(v->thresholdSpin()->value(), std::round(*mid * 1000) / 1000);
        // A threshold the user typed stays for the next scene.
        v->thresholdSpin()->setValue(1234);
        window_->stack()->setCurrent(1);
        QTRY_COMPARE(c->scene()->path, window_->stack()->entry(1).path);
        v->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 2, kWaitMs);
        QCOMPARE(v->thresholdSpin()->value(), 1234.0);
        window_->stack()->setCurrent(0);
    }
};

QTEST_MAIN(TestOverlays)
#include "tst_overlays.moc"
