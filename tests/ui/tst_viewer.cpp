// The viewer on the offscreen platform, driven through its real widgets: a stack of real
// scenes (tests/data/viewer), the layers panel against GDAL's metadata and geotransforms,
// band / colour map / stretch changes checked pixel by pixel against GDAL reads, a dragged
// histogram limit, the pixel inspector's values across misaligned scenes, the pixel under
// the cursor at several zooms, swipe and side-by-side compare, persistence, exports and the
// scripted --screenshot options.
#include <QComboBox>
#include <QCryptographicHash>
#include <QDoubleSpinBox>
#include <QMenuBar>
#include <QMouseEvent>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <gdal.h>
#include <ogr_srs_api.h>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "CompareView.h"
#include "CursorInfoLabel.h"
#include "DerivedLayers.h"
#include "DisplayPanel.h"
#include "HistogramPlot.h"
#include "JobMonitor.h"
#include "LayersPanel.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "PixelInspector.h"
#include "SceneStack.h"
#include "SwipeView.h"
#include "TileRenderer.h"
#include "Workspaces.h"
#include "rasterbench/colormap.h"
#include "rasterbench/grid_compare.h"
#include "rasterbench/pyramid.h"
#include "rasterbench/warp.h"

using namespace rb::ui;

namespace {

const QString kData = QStringLiteral(RB_VIEWER_DATA);
const QString kNy[] = {kData + "/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif",
                       kData + "/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif",
                       kData + "/LC08_L1TP_013032_20180710_20180717_01_T1_stack.tif"};
const QString kEo[] = {kData + "/2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                       kData + "/2008-04-27_LE07_LE70350322008118EDC00_sr.tif",
                       kData + "/2008-05-05_LT05_LT50350322008126PAC01_sr.tif"};

using GdalDs = std::unique_ptr<void, decltype(&GDALClose)>;
GdalDs gdalOpen(const QString& path) {
    GDALAllRegister();
    return GdalDs(GDALOpen(path.toUtf8().constData(), GA_ReadOnly), &GDALClose);
}

/// Every band of one pixel and whether it is nodata, read by GDAL.
struct Px {
    std::vector<double> v;
    std::vector<bool> nodata;
};
Px gdalPixel(const QString& path, int col, int row) {
    Px px;
    const auto ds = gdalOpen(path);
    for (int b = 1; b <= GDALGetRasterCount(ds.get()); ++b) {
        GDALRasterBandH band = GDALGetRasterBand(ds.get(), b);
        double v = 0;
        if (GDALRasterIO(band, GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) != CE_None)
            return {};
        int has = 0;
        const double nd = GDALGetRasterNoDataValue(band, &has);
        px.v.push_back(v);
        px.nodata.push_back(has && v == nd);
    }
    return px;
}

/// Sorted valid values of a band window, and nearest-rank percentiles of them.
std::vector<double> gdalValid(const QString& path, int band, int x, int y, int w, int h) {
    const auto ds = gdalOpen(path);
    GDALRasterBandH b = GDALGetRasterBand(ds.get(), band);
    std::vector<double> v(std::size_t(w) * h);
    if (GDALRasterIO(b, GF_Read, x, y, w, h, v.data(), w, h, GDT_Float64, 0, 0) != CE_None)
        return {};
    int has = 0;
    const double nd = GDALGetRasterNoDataValue(b, &has);
    std::erase_if(v, [&](double s) { return has && s == nd; });
    std::sort(v.begin(), v.end());
    return v;
}
double pct(const std::vector<double>& sorted, double p) {
    return sorted[std::size_t(std::llround(p / 100.0 * double(sorted.size() - 1)))];
}

/// Display value 0..255 of `v` under a linear stretch (gamma 1), as the renderer rounds it.
int stretched(double v, rb::StretchRange s) {
    // Same arithmetic as the renderer (scale computed once), so values that land exactly on
    // a .5 boundary round the same way.
    const double scale = s.hi != s.lo ? 255.0 / (s.hi - s.lo) : 0.0;
    const double t = s.hi != s.lo ? (v - s.lo) * scale : (v >= s.hi ? 255 : 0);
    return int(std::clamp(t, 0.0, 255.0) + 0.5);
}

void moveMouse(QWidget* w, QPointF pos, Qt::MouseButtons buttons = Qt::NoButton) {
    QMouseEvent e(QEvent::MouseMove, pos, w->mapToGlobal(pos), Qt::NoButton, buttons,
                  Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}
void press(QWidget* w, QPointF pos) {
    QMouseEvent e(QEvent::MouseButtonPress, pos, w->mapToGlobal(pos), Qt::LeftButton,
                  Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}
void release(QWidget* w, QPointF pos) {
    QMouseEvent e(QEvent::MouseButtonRelease, pos, w->mapToGlobal(pos), Qt::LeftButton,
                  Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

/// A widget position over scene pixel (col, row) whose footprint on screen is well away
/// from pixel edges (so rounding at tile edges cannot matter).
QPoint screenPixelInside(const MapCanvas* c, double col, double row) {
    return c->pixelToWidget(QPointF(col + 0.5, row + 0.5)).toPoint();
}

} // namespace

class TestViewer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Rasterbench"));
        QCoreApplication::setApplicationName(QStringLiteral("rasterbench-viewer-test"));
        QSettings().clear();
        for (const QString& f : kNy)
            QVERIFY2(QFileInfo::exists(f), qPrintable(f));
    }

    void init() {
        QSettings().clear(); // display settings saved by one test must not leak into the next
        QDir(SceneStack::alignCacheFolder()).removeRecursively(); // aligned copies, likewise
        window_ = std::make_unique<MainWindow>();
        window_->resize(1200, 800);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    }
    void cleanup() { window_.reset(); }

    void stackListsScenesWithDatesAndGridFlags() {
        open({kNy[0], kNy[1], kNy[2], kEo[0], kEo[2]});
        SceneStack* stack = window_->stack();
        QCOMPARE(stack->count(), 5);
        QCOMPARE(stack->current(), 0);
        LayersPanel* layers = window_->layers();
        const QString all[] = {kNy[0], kNy[1], kNy[2], kEo[0], kEo[2]};
        for (int row = 0; row < 5; ++row) {
            const auto ds = gdalOpen(all[row]);
            QCOMPARE(layers->cellText(row, LayersPanel::Date),
                     QString(GDALGetMetadataItem(ds.get(), "ACQUISITION_DATE", nullptr)));
            QCOMPARE(layers->cellText(row, LayersPanel::Size),
                     QStringLiteral("%1 x %2 x %3")
                         .arg(GDALGetRasterXSize(ds.get()))
                         .arg(GDALGetRasterYSize(ds.get()))
                         .arg(GDALGetRasterCount(ds.get())));
            // Valid share of the first displayed band, counted by GDAL.
            const auto valid = gdalValid(all[row], 1, 0, 0, GDALGetRasterXSize(ds.get()),
                                         GDALGetRasterYSize(ds.get()));
            const double share = 100.0 * double(valid.size()) /
                                 (GDALGetRasterXSize(ds.get()) * GDALGetRasterYSize(ds.get()));
            QCOMPARE(layers->cellText(row, LayersPanel::Valid),
                     QStringLiteral("%1 %").arg(share, 0, 'f', 1));
        }
        QCOMPARE(layers->cellText(0, LayersPanel::Type), QStringLiteral("uint16"));
        QCOMPARE(layers->cellText(0, LayersPanel::Crs), QStringLiteral("EPSG:32618"));
        QCOMPARE(layers->cellText(3, LayersPanel::Crs), QStringLiteral("EPSG:32613"));
        // Each Landsat 8 date sits on its own grid (GDAL's geotransforms differ), the
        // Colorado scenes are in another CRS: all flagged against the reference.
        QCOMPARE(layers->cellText(0, LayersPanel::Grid), QStringLiteral("reference"));
        for (int row = 1; row < 5; ++row)
            QCOMPARE(layers->cellText(row, LayersPanel::Grid), QStringLiteral("not aligned"));
        // Reordered, a Colorado scene is the reference and its sibling shares its grid.
        stack->move(3, 0);
        QCOMPARE(layers->cellText(0, LayersPanel::Grid), QStringLiteral("reference"));
        QCOMPARE(layers->cellText(4, LayersPanel::Grid), QStringLiteral("aligned"));
        QCOMPARE(layers->cellText(1, LayersPanel::Grid), QStringLiteral("not aligned"));
        QCOMPARE(stack->current(), 1); // the current scene moved with its row

        // Stepping with the keyboard skips hidden scenes; the view shows the scene stepped to.
        stack->setVisible(2, false);
        QCOMPARE(layers->tree()->topLevelItem(2)->checkState(LayersPanel::Name), Qt::Unchecked);
        QTest::keyClick(window_.get(), Qt::Key_PageDown);
        QCOMPARE(stack->current(), 3);
        QVERIFY(window_->waitUntilIdle(20000));
        QCOMPARE(window_->canvas()->scene()->path, QFileInfo(kNy[2]).absoluteFilePath());
        QTest::keyClick(window_.get(), Qt::Key_PageUp);
        QCOMPARE(stack->current(), 1);
        stack->remove(1);
        QCOMPARE(stack->count(), 4);
        QVERIFY(stack->current() >= 0);
    }

    void bandsColormapAndStretchRenderAsComputed() {
        const QString path = kEo[1]; // SLC-off gaps: nodata stripes
        open({path});
        auto data = window_->canvas()->scene();
        QVERIFY(data->stretchExact);
        // The default stretch is the exact 2-98 % clip of every valid pixel.
        for (int b = 0; b < 3; ++b) {
            const auto v = gdalValid(path, data->display.bands[std::size_t(b)], 0, 0, 61, 61);
            QCOMPARE(data->display.stretch[std::size_t(b)].lo, pct(v, 2));
            QCOMPARE(data->display.stretch[std::size_t(b)].hi, pct(v, 98));
        }
        DisplayPanel* panel = window_->displayPanel();
        QVERIFY(panel->status().contains(QStringLiteral("Exact")));
        // One band through viridis, min/max stretch.
        panel->modeCombo()->setCurrentIndex(1);
        panel->bandCombo()->setCurrentIndex(1);
        panel->colormapCombo()->setCurrentIndex(
            panel->colormapCombo()->findData(int(rb::Colormap::Viridis)));
        panel->stretchCombo()->setCurrentIndex(
            panel->stretchCombo()->findData(int(rb::StretchMode::MinMax)));
        QVERIFY(window_->waitUntilIdle(20000));
        data = window_->canvas()->scene();
        QCOMPARE(data->display.bands, std::vector<int>{2});
        const auto v2 = gdalValid(path, 2, 0, 0, 61, 61);
        QCOMPARE(data->display.stretch[0].lo, v2.front());
        QCOMPARE(data->display.stretch[0].hi, v2.back());
        const QImage img = window_->canvas()->lastImage();
        QCOMPARE(img.size(), QSize(61, 61));
        int checkedValid = 0, checkedGap = 0;
        for (int y = 0; y < 61; y += 3)
            for (int x = 0; x < 61; x += 2) {
                const Px px = gdalPixel(path, x, y);
                const QRgb got = img.pixel(x, y);
                if (px.nodata[1]) {
                    QCOMPARE(qAlpha(got), 0); // gaps are transparent
                    ++checkedGap;
                } else {
                    QCOMPARE(got, QRgb(rb::colormap_table(rb::Colormap::Viridis)[std::size_t(
                                      stretched(px.v[1], data->display.stretch[0]))]));
                    ++checkedValid;
                }
            }
        QVERIFY(checkedValid > 100 && checkedGap > 10);

        // Percent clip with other limits, and the fast sample mode, are exact here too
        // (the preview of so small a scene is the scene itself).
        panel->stretchCombo()->setCurrentIndex(
            panel->stretchCombo()->findData(int(rb::StretchMode::PercentClip)));
        panel->lowPercentSpin()->setValue(10);
        panel->highPercentSpin()->setValue(90);
        QVERIFY(window_->waitUntilIdle(20000));
        data = window_->canvas()->scene();
        QCOMPARE(data->display.stretch[0].lo, pct(v2, 10));
        QCOMPARE(data->display.stretch[0].hi, pct(v2, 90));
    }

    void draggingHistogramLimitReRendersLive() {
        const QString path = kEo[0];
        open({path});
        QDockWidget* dock = window_->findChild<QDockWidget*>(QStringLiteral("histogramDock"));
        dock->show();
        dock->raise();
        HistogramPlot* hist = window_->histogram();
        QTRY_VERIFY(hist->sourceText().contains(QStringLiteral("exact")));
        // The whole-scene histogram holds every valid pixel of each band.
        for (int b = 0; b < 3; ++b)
            QCOMPARE(hist->curveTotal(b), double(gdalValid(path, b + 1, 0, 0, 61, 61).size()));
        QCustomPlot* plot = hist->plot();
        QTRY_VERIFY(hist->limitPixel(0, true) > 0);
        const double x0 = hist->limitPixel(0, true);
        const double y = plot->height() / 2.0;
        press(plot, QPointF(x0, y));
        const double target = x0 - 25;
        moveMouse(plot, QPointF(x0 - 10, y), Qt::LeftButton);
        moveMouse(plot, QPointF(target, y), Qt::LeftButton);
        // Live: before release the map already renders with the dragged limit.
        const double value = plot->xAxis->pixelToCoord(target);
        auto data = window_->canvas()->scene();
        QCOMPARE(data->display.stretch_options.mode, rb::StretchMode::Manual);
        QVERIFY(std::abs(data->display.stretch[0].hi - value) < 1e-6);
        release(plot, QPointF(target, y));
        QVERIFY(window_->waitUntilIdle(20000));
        data = window_->canvas()->scene();
        QVERIFY(std::abs(data->display.stretch[0].hi - value) < 1e-6);
        const QImage img = window_->canvas()->lastImage();
        int checked = 0;
        for (int yy = 1; yy < 61; yy += 4)
            for (int xx = 1; xx < 61; xx += 4) {
                const Px px = gdalPixel(path, xx, yy);
                const std::size_t red = std::size_t(data->display.bands[0] - 1);
                if (px.nodata[red])
                    continue;
                QCOMPARE(qRed(img.pixel(xx, yy)), stretched(px.v[red], data->display.stretch[0]));
                QCOMPARE(qGreen(img.pixel(xx, yy)), stretched(px.v[1], data->display.stretch[1]));
                ++checked;
            }
        QVERIFY(checked > 100);
        // The log toggle keeps the curves; the view histogram counts the view's pixels.
        hist->setLogScale(true);
        QCOMPARE(hist->curveCount(), 3);
        window_->canvas()->zoomAt(
            QPointF(window_->canvas()->width() / 2.0, window_->canvas()->height() / 2.0), 3.0);
        hist->setSource(HistogramPlot::Source::View);
        QTRY_VERIFY(hist->sourceText().contains(QStringLiteral("view")));
        const rb::Window w = window_->canvas()->visibleWindow();
        QVERIFY(w.width < 61);
        QCOMPARE(hist->curveTotal(0), double(gdalValid(path, 1, int(w.col_off), int(w.row_off),
                                                       int(w.width), int(w.height))
                                                 .size()));
    }

    void stretchToViewIsExactOnTheView() {
        const QString path = kNy[0];
        open({path});
        MapCanvas* canvas = window_->canvas();
        canvas->showPixelWindow(QRectF(20, 25, 30, 20));
        QVERIFY(window_->waitUntilIdle(20000));
        const rb::Window w = canvas->visibleWindow();
        window_->displayPanel()->stretchToViewButton()->click();
        QVERIFY(window_->waitUntilIdle(20000));
        const auto d = canvas->scene()->display;
        QCOMPARE(d.stretch_options.mode, rb::StretchMode::Manual);
        for (int c = 0; c < 3; ++c) {
            const auto v = gdalValid(path, d.bands[std::size_t(c)], int(w.col_off), int(w.row_off),
                                     int(w.width), int(w.height));
            QCOMPARE(d.stretch[std::size_t(c)].lo, pct(v, 2));
            QCOMPARE(d.stretch[std::size_t(c)].hi, pct(v, 98));
        }
    }

    void inspectorReadsEveryScenePixelAtTheMapLocation() {
        open({kNy[0], kNy[1], kNy[2]});
        QDockWidget* dock = window_->findChild<QDockWidget*>(QStringLiteral("inspectorDock"));
        dock->show();
        MapCanvas* canvas = window_->canvas();
        PixelInspector* inspector = window_->inspector();
        const QPoint pos = screenPixelInside(canvas, 40, 38);
        moveMouse(canvas, pos);
        QTRY_VERIFY_WITH_TIMEOUT(
            !inspector->isPending() && inspector->shownPixel() == QPoint(40, 38), 5000);
        const Inspection& r = inspector->inspection();
        QCOMPARE(r.scenes.size(), std::size_t(3));
        // Map point: the centre of the pixel in the current scene, from GDAL's geotransform.
        double gt[6];
        QCOMPARE(GDALGetGeoTransform(gdalOpen(kNy[0]).get(), gt), CE_None);
        const double x = gt[0] + 40.5 * gt[1], y = gt[3] + 38.5 * gt[5];
        QVERIFY(std::abs(r.x - x) < 1e-6 && std::abs(r.y - y) < 1e-6);
        int differentCell = 0;
        for (int i = 0; i < 3; ++i) {
            double g[6];
            QCOMPARE(GDALGetGeoTransform(gdalOpen(kNy[i]).get(), g), CE_None);
            const int col = int(std::floor((x - g[0]) / g[1])),
                      row = int(std::floor((y - g[3]) / g[5]));
            const InspectedScene& s = r.scenes[std::size_t(i)];
            QCOMPARE(s.col, col);
            QCOMPARE(s.row, row);
            differentCell += col != 40;
            const Px px = gdalPixel(kNy[i], col, row);
            QCOMPARE(s.values.size(), px.v.size());
            for (std::size_t b = 0; b < px.v.size(); ++b) {
                QCOMPARE(s.valid[b], !px.nodata[b]);
                QCOMPARE(s.values[b], px.v[b]);
                const QString cell = inspector->table()->item(i, 3 + int(b))->text();
                QCOMPARE(cell, px.nodata[b] ? QStringLiteral("nodata")
                                            : QString::number(qlonglong(px.v[b])));
            }
        }
        QVERIFY(differentCell > 0); // the grids differ: not the same row/col everywhere
        // Longitude/latitude through OSR.
        OGRSpatialReferenceH utm = OSRNewSpatialReference(nullptr),
                             wgs = OSRNewSpatialReference(nullptr);
        OSRImportFromEPSG(utm, 32618);
        OSRImportFromEPSG(wgs, 4326);
        OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
        OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(utm, wgs);
        double lon = x, lat = y;
        QVERIFY(OCTTransform(ct, 1, &lon, &lat, nullptr));
        OCTDestroyCoordinateTransformation(ct);
        OSRDestroySpatialReference(utm);
        OSRDestroySpatialReference(wgs);
        QVERIFY(r.lonLat);
        QVERIFY(std::abs(r.lonLat->first - lon) < 1e-7 && std::abs(r.lonLat->second - lat) < 1e-7);
        QVERIFY(inspector->locationText().contains(QStringLiteral("lon %1").arg(lon, 0, 'f', 6)));
        // The chart: one point per valid scene, at its acquisition date.
        const QCPGraph* g = inspector->chart()->graph(0);
        int valid = 0;
        for (const auto& s : r.scenes)
            valid += s.valid.at(0);
        QCOMPARE(g->dataCount(), valid);
        if (valid > 0)
            QCOMPARE(g->data()->begin()->key,
                     double(r.scenes[0].date->days_since_epoch()) * 86400.0);

        // Click pins; moving on does not change the pinned location.
        press(canvas, pos);
        release(canvas, pos);
        QCOMPARE(inspector->pinned(), std::optional<QPoint>(QPoint(40, 38)));
        QCOMPARE(canvas->pin(), std::optional<QPoint>(QPoint(40, 38)));
        moveMouse(canvas, screenPixelInside(canvas, 10, 12));
        QTest::qWait(50);
        QCOMPARE(inspector->shownPixel(), std::optional<QPoint>(QPoint(40, 38)));
        inspector->unpin();
        QVERIFY(!canvas->pin());
    }

    void pixelUnderCursorIsRightAtEveryZoom() {
        // The window of the map's reference size (the sample grid adapts to the map area).
        window_->resize(1200, 800 + window_->workspaces()->toolBar()->sizeHint().height());
        open({QStringLiteral(RB_SAMPLE)});
        MapCanvas* canvas = window_->canvas();
        const auto data = canvas->scene();
        const rb::RasterPyramid& pyr = *data->pyramid;
        for (double zoom : {1.0, 0.5, 0.3, 3.0, 11.0}) {
            canvas->fitToWindow();
            canvas->zoomBy(zoom);
            QVERIFY(window_->waitUntilIdle(20000));
            const QImage shot = canvas->grab().toImage().convertToFormat(QImage::Format_RGB32);
            // The level whose samples are drawn (the exact preview stands in for coarser ones).
            const int level = canvas->tileRenderer()->drawnLevel(
                {canvas->view(), canvas->size(), canvas->devicePixelRatioF()});
            int checked = 0;
            // About 28 x 21 samples whatever the map's share of the window (the docks
            // beside it take their width from the workspace, not from this test).
            const int stepX = std::max(8, (canvas->width() - 20) / 28);
            const int stepY = std::max(8, (canvas->height() - 20) / 21);
            for (int sy = 10; sy < canvas->height() - 10; sy += stepY)
                for (int sx = 10; sx < canvas->width() - 10; sx += stepX) {
                    // The screen pixel's centre, as the mouse reports it.
                    const QPointF pos(sx + 0.5, sy + 0.5);
                    const QPointF p = canvas->widgetToPixel(pos);
                    if (p.x() < 0 || p.y() < 0 || p.x() >= 791 || p.y() >= 718)
                        continue;
                    // Away from the edges of the level pixel that screen pixel shows.
                    const double rx = 791.0 / pyr.level_width(level),
                                 ry = 718.0 / pyr.level_height(level);
                    const double fx = p.x() / rx - std::floor(p.x() / rx);
                    const double fy = p.y() / ry - std::floor(p.y() / ry);
                    // The painter maps in fixed point: stay a little away from pixel edges.
                    const double margin = 0.15;
                    if (fx < margin || fx > 1 - margin || fy < margin || fy > 1 - margin)
                        continue;
                    moveMouse(canvas, pos);
                    const int col = int(std::floor(p.x())), row = int(std::floor(p.y()));
                    QVERIFY2(window_->cursorInfo()->text().startsWith(
                                 QStringLiteral("row %1, col %2 |").arg(row).arg(col)),
                             qPrintable(window_->cursorInfo()->text()));
                    // What is drawn there is the level sample covering that point.
                    const int scol = int(pyr.source_col(level, pyr.level_col(level, p.x())));
                    const int srow = int(pyr.source_row(level, pyr.level_row(level, p.y())));
                    if (level == 0)
                        QVERIFY(scol == col && srow == row);
                    const Px px = gdalPixel(QStringLiteral(RB_SAMPLE), scol, srow);
                    // A pixel that is nodata in any displayed band is drawn as no data (the
                    // checkerboard), as GIS viewers do; the sample has such pixels inside
                    // (zeros in one band near the centre).
                    if (px.nodata[0] || px.nodata[1] || px.nodata[2])
                        continue;
                    const QRgb c = shot.pixel(sx, sy);
                    const QRgb want = qRgb(stretched(px.v[0], data->display.stretch[0]),
                                           stretched(px.v[1], data->display.stretch[1]),
                                           stretched(px.v[2], data->display.stretch[2]));
                    QVERIFY2(c == want, qPrintable(QString("zoom %1 level %2 screen (%3,%4) pixel "
                                                           "(%5,%6) sample (%7,%8): %9 vs %10 "
                                                           "(built %11, resident %12)")
                                                       .arg(zoom)
                                                       .arg(level)
                                                       .arg(sx)
                                                       .arg(sy)
                                                       .arg(p.x())
                                                       .arg(p.y())
                                                       .arg(scol)
                                                       .arg(srow)
                                                       .arg(c, 0, 16)
                                                       .arg(want, 0, 16)
                                                       .arg(pyr.built())
                                                       .arg(pyr.is_resident(level))));
                    ++checked;
                }
            QVERIFY2(checked > 5, qPrintable(QString("zoom %1: %2").arg(zoom).arg(checked)));
        }
    }

    void swipeAndSideBySideCompare() {
        open({kEo[0], kEo[1]});
        window_->setViewMode(ViewMode::Swipe);
        CompareView* compare = window_->compare();
        SwipeView* swipe = compare->swipe();
        compare->setPaneScene(0, 0);
        compare->setPaneScene(1, 1);
        QVERIFY(window_->waitUntilIdle(20000));
        MapCanvas* left = swipe->left();
        MapCanvas* right = swipe->right();
        QCOMPARE(left->view(), right->view()); // same grid: the same view
        auto expectAt = [&](const QImage& shot, QPoint pos, MapCanvas* shownBy) {
            const QPointF p = shownBy->widgetToPixel(QPointF(pos) + QPointF(0.5, 0.5));
            const Px px = gdalPixel(shownBy->scene()->path, int(p.x()), int(p.y()));
            const auto& bands = shownBy->scene()->display.bands;
            const std::size_t r = std::size_t(bands[0] - 1), g = std::size_t(bands[1] - 1);
            if (px.nodata[r] || px.nodata[g])
                return false;
            const QRgb c = shot.pixel(swipe->mapTo(compare, pos));
            const auto& s = shownBy->scene()->display.stretch;
            return qRed(c) == stretched(px.v[r], s[0]) && qGreen(c) == stretched(px.v[g], s[1]);
        };
        swipe->setDivider(0.5);
        QImage shot = compare->grab().toImage().convertToFormat(QImage::Format_RGB32);
        const QPoint l = screenPixelInside(left, 20, 30), r = screenPixelInside(left, 45, 30);
        QVERIFY(l.x() < swipe->dividerX() && r.x() > swipe->dividerX());
        // Left of the divider the first scene, right of it the second (where it has data).
        QVERIFY(expectAt(shot, l, left));
        QVERIFY(expectAt(shot, r, right) || gdalPixel(kEo[1], 45, 30).nodata[0]);
        // Dragging the divider left reveals the second scene at l.
        swipe->setDivider(double(l.x() - 20) / swipe->width());
        shot = compare->grab().toImage().convertToFormat(QImage::Format_RGB32);
        if (!gdalPixel(kEo[1], 20, 30).nodata[0])
            QVERIFY(expectAt(shot, l, right));
        // Linked: a pan in one moves the other; the cursor shows as a cross in the other.
        left->panBy(QPointF(15, -7));
        QCOMPARE(right->view(), left->view());
        moveMouse(right, right->pixelToWidget(QPointF(30.5, 20.5)));
        QVERIFY(left->crosshair());
        QVERIFY(std::abs(left->crosshair()->x() - 30.5) < 1e-9);

        // Side by side, misaligned Landsat 8 grids share the map extent, not pixel indices.
        window_->stack()->addFiles({kNy[0], kNy[1]});
        QVERIFY(window_->waitUntilIdle(20000));
        window_->setViewMode(ViewMode::SideBySide);
        compare->setPaneScene(0, 2);
        compare->setPaneScene(1, 3);
        QVERIFY(window_->waitUntilIdle(20000));
        MapCanvas* a = compare->canvas(0);
        MapCanvas* b = compare->canvas(1);
        a->zoomBy(2.0);
        const QPointF centre(a->width() / 2.0, a->height() / 2.0);
        const QPointF mapA = a->pixelToMap(a->widgetToPixel(centre));
        const QPointF mapB = b->pixelToMap(b->widgetToPixel(centre));
        QVERIFY2(
            std::abs(mapA.x() - mapB.x()) < 1e-3 && std::abs(mapA.y() - mapB.y()) < 1e-3,
            qPrintable(
                QString("%1,%2 vs %3,%4").arg(mapA.x()).arg(mapA.y()).arg(mapB.x()).arg(mapB.y())));
        QVERIFY(a->widgetToPixel(centre) != b->widgetToPixel(centre));
    }

    void alignsSceneToReferenceGrid() {
        // Landsat 8 NY: each date on its own grid (origin and pixel size differ).
        const QByteArray before = fileHash(kNy[1]);
        const QDateTime modified = QFileInfo(kNy[1]).lastModified();
        open({kNy[0], kNy[1], kNy[2]});
        SceneStack* stack = window_->stack();
        LayersPanel* layers = window_->layers();
        QCOMPARE(layers->cellText(1, LayersPanel::Grid), QStringLiteral("not aligned"));
        const QString date = layers->cellText(1, LayersPanel::Date);
        const rb::Profile ref = stack->entry(0).data->profile;
        // Reflectance bands: bilinear by default; a QA band would default to nearest.
        QCOMPARE(SceneStack::defaultAlignResampling(stack->entry(1).data->profile),
                 rb::WarpResampling::Bilinear);
        rb::Profile qa = stack->entry(1).data->profile;
        qa.descriptions.back() = "BQA";
        QCOMPARE(SceneStack::defaultAlignResampling(qa), rb::WarpResampling::Nearest);

        // The reference itself cannot be aligned; the flagged scene can, from the panel.
        stack->setCurrent(0);
        QVERIFY(!layers->alignAction()->isEnabled());
        stack->setCurrent(1);
        QVERIFY(layers->alignAction()->isEnabled());
        layers->resamplingBox()->setCurrentIndex(
            layers->resamplingBox()->findData(int(rb::WarpResampling::Cubic)));
        layers->alignAction()->trigger();
        QVERIFY(stack->entry(1).aligning);
        QVERIFY(window_->waitUntilIdle(30000));
        QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));

        const StackEntry& e = stack->entry(1);
        QCOMPARE(e.alignedFrom, QFileInfo(kNy[1]).absoluteFilePath());
        QVERIFY(e.path != e.alignedFrom);
        QVERIFY2(e.path.startsWith(SceneStack::alignCacheFolder()), qPrintable(e.path));
        // On the reference grid: CRS, transform and size, and the flag cleared.
        QVERIFY(rb::grid_of(e.data->profile) == rb::grid_of(ref));
        QVERIFY(rb::compare_grids(ref, e.data->profile).aligned());
        QVERIFY(layers->cellText(1, LayersPanel::Grid).startsWith(QStringLiteral("aligned from")));
        QVERIFY(!layers->cellText(1, LayersPanel::Grid).contains(QStringLiteral("not")));
        QCOMPARE(layers->cellText(1, LayersPanel::Name), QFileInfo(kNy[1]).fileName());
        QCOMPARE(layers->cellText(1, LayersPanel::Date), date);
        QCOMPARE(layers->cellText(2, LayersPanel::Grid), QStringLiteral("not aligned"));
        QCOMPARE(stack->current(), 1);
        QCOMPARE(window_->canvas()->scene()->path, e.path); // the view shows the aligned copy

        // Pixel for pixel the engine's reproject of the original with the same options.
        rb::ReprojectOptions o;
        o.resampling = rb::WarpResampling::Cubic;
        const rb::Raster expected =
            rb::reproject(rb::Dataset::open(kNy[1].toStdString()), rb::grid_of(ref), {}, o);
        const rb::Raster actual = rb::Dataset::open(e.path.toStdString()).read();
        QCOMPARE(actual.bands(), expected.bands());
        QCOMPARE(actual.rows(), ref.height);
        QCOMPARE(actual.cols(), ref.width);
        const std::size_t bytes =
            expected.band_size() * std::size_t(expected.bands()) * rb::dtype_size(expected.dtype());
        QVERIFY(std::equal(expected.bytes(), expected.bytes() + bytes, actual.bytes()));
        // Validity too, except where a valid resampled value equals the nodata value (0):
        // the file cannot tell those from nodata (cubic undershoot clamped to 0 does it).
        int collisions = 0;
        for (int b = 0; b < expected.bands(); ++b)
            for (std::size_t i = 0; i < expected.band_size(); ++i) {
                const auto em = expected.mask(b), am = actual.mask(b);
                const bool ev = em.empty() || em[i] != 0, av = am.empty() || am[i] != 0;
                if (ev == av)
                    continue;
                if (actual.band<std::uint16_t>(b)[i] != 0)
                    QFAIL(qPrintable(QString("band %1 sample %2 validity differs").arg(b).arg(i)));
                ++collisions;
            }
        qInfo("valid cubic samples equal to nodata (read back as nodata): %d", collisions);
        // The input is untouched.
        QCOMPARE(fileHash(kNy[1]), before);
        QCOMPARE(QFileInfo(kNy[1]).lastModified(), modified);

        // Align all: the remaining flagged scene follows; nothing is left to align.
        QVERIFY(layers->alignAllAction()->isEnabled());
        layers->alignAllAction()->trigger();
        QVERIFY(window_->waitUntilIdle(30000));
        QVERIFY(layers->cellText(2, LayersPanel::Grid).startsWith(QStringLiteral("aligned from")));
        QVERIFY(!layers->alignAllAction()->isEnabled());

        // A path that is a scene of the stack is refused, naming the file.
        stack->addFiles({kEo[0]});
        QVERIFY(window_->waitUntilIdle(30000));
        SceneStack::AlignOptions bad;
        bad.outputPath = kNy[0];
        QString error;
        QVERIFY(!stack->alignToReference(3, bad, &error));
        QVERIFY2(error.contains(QFileInfo(kNy[0]).absoluteFilePath()), qPrintable(error));
    }

    void cancelStopsJobsAndHidesProgress() {
        JobMonitor* jobs = window_->jobMonitor();
        QVERIFY(!jobs->isVisible());
        // Cancel each job the moment it shows: the build and the exact statistics.
        QStringList seen;
        auto cancelling = connect(jobs, &JobMonitor::jobsChanged, this, [&] {
            if (jobs->isActive()) {
                QVERIFY(jobs->isVisible());
                QVERIFY(jobs->progressBar()->isVisible());
                seen << jobs->text();
                jobs->cancelButton()->click();
            }
        });
        window_->openFiles({kNy[0], kNy[1]});
        QVERIFY(window_->waitUntilIdle(30000));
        // Builds run in the background and can start after the view is idle (when the
        // stack settles on its current scene): the user cancels those too.
        QTRY_VERIFY_WITH_TIMEOUT(
            !window_->canvas()->tileRenderer()->isBuilding() && !jobs->isActive(), 30000);
        disconnect(cancelling);
        QVERIFY2(seen.join('|').contains(QStringLiteral("Exact statistics")),
                 qPrintable(seen.join('|')));
        QVERIFY2(seen.join('|').contains(QStringLiteral("Building display levels")),
                 qPrintable(seen.join('|')));
        SceneStack* stack = window_->stack();
        QCOMPARE(stack->count(), 2);
        // Nothing applied: no exact statistics, no built levels; progress hidden.
        QVERIFY(!stack->entry(0).statsRunning);
        QVERIFY(!stack->entry(0).validShare());
        QVERIFY(!stack->entry(0).data->stretchExact);
        QVERIFY(!window_->canvas()->scene()->pyramid->built());
        QVERIFY(!window_->canvas()->tileRenderer()->isBuilding());
        QVERIFY(!jobs->isActive());
        QVERIFY(!jobs->isVisible());
        // The view still works from the preview, and a cancelled build is not restarted.
        window_->canvas()->zoomBy(2.0);
        QVERIFY(window_->waitUntilIdle(20000));
        QVERIFY(!window_->canvas()->tileRenderer()->isBuilding());

        // A cancelled alignment leaves the scene as it was and writes nothing to the cache.
        const QString path = stack->entry(1).path;
        stack->setCurrent(1);
        cancelling = connect(jobs, &JobMonitor::jobsChanged, this, [&] {
            if (jobs->text().startsWith(QStringLiteral("Aligning")))
                jobs->cancelButton()->click();
        });
        QVERIFY(window_->layers()->alignSelected());
        QVERIFY(window_->waitUntilIdle(30000));
        disconnect(cancelling);
        QCOMPARE(stack->entry(1).path, path);
        QVERIFY(stack->entry(1).alignedFrom.isEmpty());
        QVERIFY(!stack->entry(1).aligning);
        QCOMPARE(window_->layers()->cellText(1, LayersPanel::Grid), QStringLiteral("not aligned"));
        const QStringList cached = QDir(SceneStack::alignCacheFolder())
                                       .entryList({QFileInfo(path).completeBaseName() + "*"});
        QVERIFY2(cached.isEmpty(), qPrintable(cached.join(',')));
        QVERIFY(!jobs->isVisible());
        QVERIFY(window_->lastError().isEmpty());
        // Saving the aligned copy over an open scene is refused before anything starts.
        QVERIFY(!window_->layers()->alignSelected(stack->entry(0).path));
        QVERIFY2(window_->lastError().contains(QStringLiteral("open scene")),
                 qPrintable(window_->lastError()));
        QVERIFY(!jobs->isVisible());
    }

    void pyramidBudgetEvictsLeastRecentlyViewed() {
        // Engine policy: three built pyramids, room for two: the least recently used goes.
        // The waits are for background builds, which a loaded machine or a sanitizer build
        // slows many times; they end as soon as the state holds, and stay well inside the
        // test's time limit so that a failure names its check instead of timing out.
        constexpr int kBudgetWaitMs = 30000;
        std::vector<std::shared_ptr<rb::RasterPyramid>> p;
        for (const QString& f : kNy) {
            p.push_back(std::make_shared<rb::RasterPyramid>(f.toStdString()));
            p.back()->build();
        }
        const std::size_t one = p[0]->resident_bytes();
        QVERIFY(one > 0);
        rb::PyramidBudget budget(one * 5 / 2);
        budget.touch(p[0]);
        budget.touch(p[1]);
        QCOMPARE(budget.touch(p[2]), 1);
        QVERIFY(!p[0]->built() && p[1]->built() && p[2]->built());
        QCOMPARE(p[0]->resident_bytes(), std::size_t(0));
        budget.touch(p[1]); // viewed again: now p[2] is the oldest
        p[0]->build();      // rebuilt on demand
        budget.touch(p[0]);
        QVERIFY(p[0]->built() && p[1]->built() && !p[2]->built());
        QVERIFY(budget.used() <= budget.limit());
        // A scene larger than the whole budget still keeps its own levels.
        budget.set_limit(one / 2);
        QVERIFY(p[0]->built() && !p[1]->built());

        // In the viewer: the renderers share one budget; stepping through scenes evicts the
        // least recently viewed scene's levels, and viewing it again rebuilds them.
        rb::PyramidBudget& shared = TileRenderer::sharedBudget();
        const std::size_t saved = shared.limit();
        shared.set_limit(one * 3 / 2);
        open({kNy[0], kNy[1], kNy[2]});
        SceneStack* stack = window_->stack();
        auto built = [stack](int row) { return stack->entry(row).data->pyramid->built(); };
        for (int row : {1, 2}) {
            stack->setCurrent(row);
            QVERIFY(window_->waitUntilIdle(kBudgetWaitMs));
            // Each scene's background build must finish before the next is viewed: otherwise
            // a late finish is the most recent use, and which scene stays depends on timing.
            QTRY_VERIFY_WITH_TIMEOUT(built(row), kBudgetWaitMs);
        }
        // Builds run in the background and may finish after the view is idle (slow builds,
        // sanitizers): wait for the state rather than assume it.
        QTRY_VERIFY_WITH_TIMEOUT(!built(0) && !built(1) && built(2), kBudgetWaitMs);
        stack->setCurrent(0);
        QVERIFY(window_->waitUntilIdle(kBudgetWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(built(0) && !built(2), kBudgetWaitMs);
        QVERIFY(shared.used() <= shared.limit());
        shared.set_limit(saved);
    }

    void derivedLayerShowsInSwipePane() {
        open({kEo[0], kEo[1]});
        DerivedLayers* derived = window_->derivedLayers();
        CompareView* compare = window_->compare();
        window_->setViewMode(ViewMode::Swipe);
        QVERIFY(window_->waitUntilIdle(20000));
        QImage image(20, 10, QImage::Format_ARGB32);
        image.fill(QColor(255, 0, 255));
        derived->publish({QStringLiteral("test/magenta"), QStringLiteral("Test result"),
                          window_->stack()->entry(0).data, image, QRectF(10, 20, 20, 10)});
        // Offered in the pane selector after the scenes; chosen there like a scene.
        QComboBox* selector = compare->paneSelector(1);
        const int index = selector->findText(QStringLiteral("\u25c6 Test result"));
        QCOMPARE(index, window_->stack()->count());
        emit selector->activated(index);
        QCOMPARE(compare->paneLayer(1), QStringLiteral("test/magenta"));
        QCOMPARE(compare->paneScene(1), -1);
        compare->swipe()->setDivider(0.0); // the right (upper) view covers the whole area
        QVERIFY(window_->waitUntilIdle(20000));
        MapCanvas* right = compare->swipe()->right();
        auto colourAt = [&](double col, double row) {
            const QImage shot = compare->grab().toImage().convertToFormat(QImage::Format_RGB32);
            return QColor(shot.pixel(right->mapTo(compare, screenPixelInside(right, col, row))));
        };
        QCOMPARE(colourAt(15, 25), QColor(255, 0, 255));
        QVERIFY(colourAt(5, 5) != QColor(255, 0, 255)); // outside the layer: the base scene
        // A new result is followed; a withdrawn one leaves the base scene.
        image.fill(QColor(0, 255, 0));
        derived->publish({QStringLiteral("test/magenta"), QStringLiteral("Test result"),
                          window_->stack()->entry(0).data, image, QRectF(10, 20, 20, 10)});
        QCOMPARE(colourAt(15, 25), QColor(0, 255, 0));
        derived->withdraw(QStringLiteral("test/magenta"));
        QVERIFY(compare->paneLayer(1).isEmpty());
        QCOMPARE(selector->findText(QStringLiteral("\u25c6 Test result")), -1);
        QVERIFY(colourAt(15, 25) != QColor(0, 255, 0));

        // Overlays of the main map (the deband preview) are mirrored as derived layers.
        window_->canvas()->setOverlay(QStringLiteral("deband-1-scene"), image,
                                      QRectF(0, 0, 61, 61));
        QVERIFY(derived->find(QStringLiteral("map/deband-1-scene")));
        QCOMPARE(derived->find(QStringLiteral("map/deband-1-scene"))->name,
                 QStringLiteral("Deband result (scene)"));
        window_->canvas()->setOverlay(QStringLiteral("deband-1-scene"), {}, {});
        QVERIFY(!derived->find(QStringLiteral("map/deband-1-scene")));
    }

    void displaySettingsPersistPerFile() {
        open({kEo[2]});
        DisplayPanel* panel = window_->displayPanel();
        panel->modeCombo()->setCurrentIndex(1);
        panel->bandCombo()->setCurrentIndex(2);
        panel->colormapCombo()->setCurrentIndex(
            panel->colormapCombo()->findData(int(rb::Colormap::Magma)));
        panel->gammaSpin()->setValue(1.4);
        QVERIFY(window_->waitUntilIdle(20000));
        window_ = std::make_unique<MainWindow>();
        window_->show();
        open({kEo[2]});
        const auto d = window_->canvas()->scene()->display;
        QCOMPARE(d.bands, std::vector<int>{3});
        QCOMPARE(d.colormap, rb::Colormap::Magma);
        QCOMPARE(d.gamma, 1.4);
        QCOMPARE(window_->displayPanel()->colormapCombo()->currentData().toInt(),
                 int(rb::Colormap::Magma));
    }

    void exportsFullResolutionView() {
        open({kNy[1]});
        MapCanvas* canvas = window_->canvas();
        canvas->showPixelWindow(QRectF(10, 12, 40, 30));
        QVERIFY(window_->waitUntilIdle(20000));
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("full.png"));
        // An open scene is never the export target.
        QString refused;
        const QFileInfo sceneBefore(kNy[1]);
        QVERIFY(!window_->exportFullResolution(kNy[1], &refused));
        QVERIFY2(refused.contains(QStringLiteral("open scene")), qPrintable(refused));
        QCOMPARE(QFileInfo(kNy[1]).lastModified(), sceneBefore.lastModified());
        QVERIFY(window_->exportFullResolution(png));
        QVERIFY(window_->waitUntilIdle(20000));
        const rb::Window w = canvas->visibleWindow();
        const QImage img(png);
        QCOMPARE(img.size(), QSize(int(w.width), int(w.height)));
        const auto s = canvas->scene()->display.stretch;
        const Px px = gdalPixel(kNy[1], int(w.col_off) + 5, int(w.row_off) + 6);
        const std::size_t red = std::size_t(canvas->scene()->display.bands[0] - 1);
        QVERIFY(!px.nodata[red]);
        QCOMPARE(qRed(img.pixel(5, 6)), stretched(px.v[red], s[0]));
    }

    void screenshotTakesDisplayOptions() {
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        auto run = [&](const QStringList& args) {
            auto p = std::make_unique<QProcess>();
            p->setProcessEnvironment(env);
            p->start(QStringLiteral(RB_GUI_EXE), args);
            p->waitForFinished(60000);
            return p;
        };
        const QString png = dir.filePath(QStringLiteral("a.png"));
        auto ok = run({QStringLiteral("--screenshot"), png, QStringLiteral("--size"),
                       QStringLiteral("800x600"), QStringLiteral("--bands"), QStringLiteral("2"),
                       QStringLiteral("--colormap"), QStringLiteral("viridis"),
                       QStringLiteral("--stretch"), QStringLiteral("pct:5,95"),
                       QStringLiteral("--view"), QStringLiteral("10,10,30,30"),
                       QStringLiteral("--compare"), QStringLiteral("swipe"), kEo[0], kEo[1]});
        QVERIFY2(ok->exitCode() == 0, ok->readAllStandardError().constData());
        QCOMPARE(QImage(png).size(), QSize(800, 600));
        auto bad = run({QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("b.png")),
                        QStringLiteral("--bands"), QStringLiteral("1,2,9"), kEo[0]});
        QVERIFY(bad->exitCode() != 0);
        const QString err = QString::fromLocal8Bit(bad->readAllStandardError()).trimmed();
        QVERIFY2(err.contains(QStringLiteral("--bands")) &&
                     err.contains(QStringLiteral("_sr.tif")) && !err.contains(QLatin1Char('\n')),
                 qPrintable(err));
        auto stretch = run({QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("c.png")),
                            QStringLiteral("--stretch"), QStringLiteral("pct:90,10"), kEo[0]});
        QVERIFY(stretch->exitCode() != 0);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("c.png"))));
    }

private:
    void open(const QStringList& files) {
        window_->openFiles(files);
        QVERIFY(window_->waitUntilIdle(30000));
        QVERIFY2(window_->lastError().isEmpty(), qPrintable(window_->lastError()));
        QVERIFY(window_->canvas()->scene());
    }

    std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(TestViewer)
#include "tst_viewer.moc"
