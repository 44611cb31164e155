// The main window on the offscreen platform: load the sample scene, look at the pixels
// drawn, move the cursor and compare the status bar with GDAL's own reading of the file.
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>
#include <QMouseEvent>
#include <QProcess>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QtTest>

#include <gdal.h>

#include <cmath>
#include <memory>
#include <vector>

#include "CompareView.h"
#include "CompositeController.h"
#include "CursorInfoLabel.h"
#include "DerivedLayers.h"
#include "HistogramPlot.h"
#include "LayersPanel.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "RecentFilesMenu.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "ScorePanel.h"

using rb::ui::CompositeController;
using rb::ui::DerivedLayer;
using rb::ui::MainWindow;
using rb::ui::MapCanvas;
using rb::ui::ScorePanel;

namespace {

/// Band values of one pixel and each band's nodata, read with the GDAL C API (not through
/// the engine, so the test checks the engine and the UI against an independent reader).
struct GdalPixel {
    std::vector<double> values;
    std::vector<bool> isNodata;
};

GdalPixel gdalPixel(const char* path, int col, int row) {
    GdalPixel px;
    const std::unique_ptr<void, decltype(&GDALClose)> ds(GDALOpen(path, GA_ReadOnly), &GDALClose);
    if (!ds)
        return px;
    for (int b = 1; b <= GDALGetRasterCount(ds.get()); ++b) {
        GDALRasterBandH band = GDALGetRasterBand(ds.get(), b);
        double v = 0;
        if (GDALRasterIO(band, GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) != CE_None)
            return {};
        int hasNodata = 0;
        const double nodata = GDALGetRasterNoDataValue(band, &hasNodata);
        px.values.push_back(v);
        px.isNodata.push_back(hasNodata && v == nodata);
    }
    return px;
}

QString expectedValues(const GdalPixel& px) {
    QStringList parts;
    for (std::size_t b = 0; b < px.values.size(); ++b)
        parts << (px.isNodata[b] ? QStringLiteral("nodata")
                                 : QString::number(qlonglong(std::llround(px.values[b]))));
    return QStringLiteral("values: ") + parts.join(QStringLiteral(", "));
}

void moveMouse(QWidget* w, QPointF pos) {
    QMouseEvent move(QEvent::MouseMove, pos, w->mapToGlobal(pos), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(w, &move);
}

void wheel(QWidget* w, QPointF pos, int delta) {
    QWheelEvent event(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &event);
}

bool isChecker(QRgb c) {
    return c == MapCanvas::kCheckerColors[0] || c == MapCanvas::kCheckerColors[1];
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Rasterbench"));
        QCoreApplication::setApplicationName(QStringLiteral("rasterbench-test"));
        QSettings().clear();
        QVERIFY2(QFileInfo::exists(RB_SAMPLE), RB_SAMPLE);
    }

    void init() {
        window_ = std::make_unique<MainWindow>();
        window_->resize(900, 700);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    }

    void cleanup() { window_.reset(); }

    void rendersSceneOverCheckerboard() {
        openSample();
        MapCanvas* canvas = window_->canvas();
        QVERIFY(!canvas->lastImage().isNull());
        const QImage shot = canvas->grab().toImage().convertToFormat(QImage::Format_RGB32);

        // Many distinct colours inside the scene's footprint: the image, not a flat fill.
        const QRectF scene(canvas->pixelToWidget(QPointF(0, 0)),
                           canvas->pixelToWidget(QPointF(791, 718)));
        QVERIFY(scene.width() > 100 && scene.height() > 100);
        QSet<QRgb> colours;
        for (int y = int(scene.top()) + 1; y < int(scene.bottom()) - 1; y += 2)
            for (int x = int(scene.left()) + 1; x < int(scene.right()) - 1; x += 2)
                colours.insert(shot.pixel(x, y));
        QVERIFY2(colours.size() > 1000, qPrintable(QString::number(colours.size())));

        // The upper-left corner of the scene is nodata (0 in every band): the checkerboard
        // shows through it, while the scene's centre shows data.
        QVERIFY(gdalPixel(RB_SAMPLE, 2, 2).isNodata.at(0));
        const QPoint corner = canvas->pixelToWidget(QPointF(2.5, 2.5)).toPoint();
        QVERIFY2(isChecker(shot.pixel(corner)),
                 qPrintable(QString::number(shot.pixel(corner), 16)));
        const QPoint centre = canvas->pixelToWidget(QPointF(395.5, 359.5)).toPoint();
        QVERIFY(!gdalPixel(RB_SAMPLE, 395, 359).isNodata.at(0));
        QVERIFY(!isChecker(shot.pixel(centre)));
        // Outside the scene: the neutral background.
        QCOMPARE(shot.pixel(1, 1), MapCanvas::kBackgroundColor);

        QCOMPARE(window_->recentFilesMenu()->files().value(0),
                 QFileInfo(RB_SAMPLE).absoluteFilePath());
        QVERIFY(window_->windowTitle().contains(QStringLiteral("RGB.byte.tif")));

        // The histogram dock shows one curve per displayed band.
        QTRY_COMPARE(window_->histogram()->curveCount(), 3);
    }

    void statusBarShowsValuesUnderCursor() {
        openSample();
        MapCanvas* canvas = window_->canvas();
        // Zoomed in, so that a widget position is well inside one file pixel.
        const QPointF centre(canvas->width() / 2.0, canvas->height() / 2.0);
        canvas->zoomAt(centre, 3.0);
        const QPointF pos = centre - QPointF(13.0, 19.0);
        moveMouse(canvas, pos);
        const QPointF px = canvas->widgetToPixel(pos);
        const int col = int(std::floor(px.x())), row = int(std::floor(px.y()));
        const GdalPixel expected = gdalPixel(RB_SAMPLE, col, row);
        QCOMPARE(expected.values.size(), std::size_t(3));
        QVERIFY(!expected.isNodata[0]); // chosen in the valid part of the scene

        const QString prefix = QStringLiteral("row %1, col %2 | ").arg(row).arg(col);
        const QString values = expectedValues(expected);
        rb::ui::CursorInfoLabel* info = window_->cursorInfo();
        QTRY_VERIFY2_WITH_TIMEOUT(info->text().endsWith(values), qPrintable(info->text()), 5000);
        QVERIFY2(info->text().startsWith(prefix), qPrintable(info->text()));

        // Map coordinates of the pixel centre, from the file's geotransform.
        const auto data = window_->scene()->data();
        const auto [x, y] = data->profile.transform.pixel_center(col, row);
        QVERIFY2(
            info->text().contains(QStringLiteral("x %1, y %2").arg(x, 0, 'f', 1).arg(y, 0, 'f', 1)),
            qPrintable(info->text()));

        // A nodata pixel says so; outside the raster there are no values at all.
        moveMouse(canvas, canvas->pixelToWidget(QPointF(1.5, 1.5)));
        QTRY_VERIFY2_WITH_TIMEOUT(
            info->text().contains(QStringLiteral("row 1, col 1 |")) &&
                info->text().endsWith(QStringLiteral("values: nodata, nodata, nodata")),
            qPrintable(info->text()), 5000);
        moveMouse(canvas, canvas->pixelToWidget(QPointF(-20.0, -20.0)));
        QVERIFY2(info->text().contains(QStringLiteral("outside")), qPrintable(info->text()));
        QVERIFY(!info->text().contains(QStringLiteral("values")));
    }

    void zoomKeepsPointUnderCursorAndFitShowsAll() {
        openSample();
        MapCanvas* canvas = window_->canvas();
        // Near the canvas centre (docks change the canvas size), on the scene.
        const QPointF pos = QRectF(canvas->rect()).center() + QPointF(-20.5, -30.5);
        const QPointF before = canvas->widgetToPixel(pos);
        canvas->zoomAt(pos, 2.0);
        QVERIFY(std::abs(canvas->widgetToPixel(pos).x() - before.x()) < 1e-9);
        QVERIFY(std::abs(canvas->widgetToPixel(pos).y() - before.y()) < 1e-9);
        QVERIFY(before.x() > 0 && before.y() > 0 && before.x() < 791 && before.y() < 718);
        const double scale = canvas->view().scale();
        for (int i = 0; i < 5; ++i)
            wheel(canvas, pos, 120); // zoom in with the mouse wheel, about the cursor
        QVERIFY(canvas->view().scale() > scale * 2);
        QVERIFY(std::abs(canvas->widgetToPixel(pos).x() - before.x()) < 1e-9);
        QVERIFY(std::abs(canvas->widgetToPixel(pos).y() - before.y()) < 1e-9);

        // The pixel under the cursor is unchanged, and the status bar agrees.
        moveMouse(canvas, pos);
        const QString cell = QStringLiteral("row %1, col %2 |")
                                 .arg(int(std::floor(before.y())))
                                 .arg(int(std::floor(before.x())));
        QVERIFY2(window_->cursorInfo()->text().startsWith(cell),
                 qPrintable(window_->cursorInfo()->text()));
        QVERIFY(window_->waitUntilIdle(10000));
        // Zoomed in, the render covers only the visible part of the scene.
        QVERIFY(canvas->lastImageRect().width() < 791);

        canvas->panBy(QPointF(40, -25));
        QVERIFY(std::abs(canvas->widgetToPixel(pos + QPointF(40, -25)).x() - before.x()) < 1e-9);

        canvas->fitToWindow();
        const QRectF shown(canvas->pixelToWidget(QPointF(0, 0)),
                           canvas->pixelToWidget(QPointF(791, 718)));
        const QRectF widget(canvas->rect());
        QVERIFY(widget.adjusted(-1e-6, -1e-6, 1e-6, 1e-6).contains(shown));
        QVERIFY(std::abs(shown.width() - widget.width()) < 1e-6 ||
                std::abs(shown.height() - widget.height()) < 1e-6);
        QVERIFY(window_->waitUntilIdle(10000));
        QCOMPARE(canvas->lastImageRect(), QRectF(0, 0, 791, 718));

        // Fit mode follows the window size.
        window_->resize(600, 900);
        QTRY_VERIFY(std::abs(canvas->pixelToWidget(QPointF(791, 0)).x() - canvas->width()) < 1e-6);
    }

    void corruptFileShowsErrorWithoutCrashing() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString bad = dir.filePath(QStringLiteral("broken.tif"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a raster\n");
        }
        window_->openFile(bad);
        QVERIFY(window_->waitUntilIdle(10000));
        QVERIFY2(window_->lastError().contains(QStringLiteral("broken.tif")),
                 qPrintable(window_->lastError()));
        // The error stays in its strip while the cursor readout changes beside it.
        QVERIFY(window_->errorStrip()->isVisible());
        QVERIFY2(window_->errorStrip()->text().contains(QStringLiteral("broken.tif")),
                 qPrintable(window_->errorStrip()->text()));
        // Its layer row has no check box: there is nothing to show.
        const int badRow = window_->stack()->rowOfPath(bad);
        QVERIFY(badRow >= 0);
        QVERIFY(!window_->layers()->rowCheckable(badRow));
        QCOMPARE(window_->layers()->cellText(badRow, rb::ui::LayersPanel::Date),
                 QStringLiteral("failed"));
        QVERIFY(!window_->recentFilesMenu()->files().contains(QFileInfo(bad).absoluteFilePath()));

        // The window still works: a good file dropped on it opens and clears the error.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QStringLiteral(RB_SAMPLE))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &drop);
        QVERIFY(window_->waitUntilIdle(10000));
        QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));
        QVERIFY(!window_->errorStrip()->isVisible());
        QVERIFY(window_->canvas()->scene());
        QVERIFY(!window_->canvas()->lastImage().isNull());
        QVERIFY2(window_->cursorInfo()->text().contains(QStringLiteral("791 x 718")),
                 qPrintable(window_->cursorInfo()->text()));
    }

    void recentFilesPersistAndReopen() {
        openSample();
        const QString sample = QFileInfo(RB_SAMPLE).absoluteFilePath();
        QCOMPARE(QSettings().value(rb::ui::RecentFilesMenu::kSettingsKey).toStringList().value(0),
                 sample);
        // A new window (a new session) lists the file and opens it from the menu.
        window_ = std::make_unique<MainWindow>();
        window_->show();
        rb::ui::RecentFilesMenu* menu = window_->recentFilesMenu();
        QCOMPARE(menu->files().value(0), sample);
        QVERIFY(!window_->canvas()->scene());
        menu->actions().first()->trigger();
        QVERIFY(window_->waitUntilIdle(10000));
        QVERIFY(window_->canvas()->scene());
        QCOMPARE(window_->canvas()->scene()->path, sample);
    }

    void screenshotCommandLine() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));

        const QString png = dir.filePath(QStringLiteral("shot.png"));
        QProcess ok;
        ok.setProcessEnvironment(env);
        ok.start(QStringLiteral(RB_GUI_EXE),
                 {QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
                  QStringLiteral("640x480"), QStringLiteral(RB_SAMPLE)});
        QVERIFY(ok.waitForFinished(30000));
        QCOMPARE(ok.exitStatus(), QProcess::NormalExit);
        QVERIFY2(ok.exitCode() == 0, ok.readAllStandardError().constData());
        const QImage image(png);
        QCOMPARE(image.size(), QSize(640, 480));

        const QString bad = dir.filePath(QStringLiteral("garbage.tif"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("garbage");
        }
        QProcess fail;
        fail.setProcessEnvironment(env);
        fail.start(QStringLiteral(RB_GUI_EXE),
                   {QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("no.png")), bad});
        QVERIFY(fail.waitForFinished(30000));
        QVERIFY(fail.exitCode() != 0);
        const QString err = QString::fromLocal8Bit(fail.readAllStandardError()).trimmed();
        QVERIFY2(err.contains(QStringLiteral("garbage.tif")), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("no.png"))));
    }

    void scoreOverlayIsADerivedLayer() {
        // The Score panel's overlay on the map is offered to the compare views, so the
        // composite can be swiped against the scenes it is made of.
        openSample();
        ScorePanel* score = window_->scorePanel();
        QVERIFY(score);
        auto* dock = window_->findChild<QDockWidget*>(QStringLiteral("scoreDock"));
        QVERIFY(dock);
        dock->show(); // the panel starts work when first shown
        CompositeController* ctl = score->controller();
        QTRY_VERIFY_WITH_TIMEOUT(ctl->viewport() && !ctl->isViewportPending(), 30000);
        const QString id = QStringLiteral("map/") + CompositeController::kOverlayId;
        QTRY_VERIFY_WITH_TIMEOUT(window_->derivedLayers()->find(id), 10000);
        const DerivedLayer* layer = window_->derivedLayers()->find(id);
        QVERIFY(layer->name.startsWith(QStringLiteral("Score panel view")));
        QVERIFY(layer->image == window_->canvas()->overlay(CompositeController::kOverlayId));
        QVERIFY(window_->compare()->setPaneLayer(0, id));
        QCOMPARE(window_->compare()->paneLayer(0), id);
    }

private:
    void openSample() {
        window_->openFile(QStringLiteral(RB_SAMPLE));
        QVERIFY(window_->waitUntilIdle(10000));
        QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));
        QVERIFY(window_->canvas()->scene());
        QVERIFY(window_->canvas()->isRenderIdle());
    }

    std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
