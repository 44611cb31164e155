// The Transform dock (issue 6) on the offscreen platform, on real data: the Reproject
// preview of the visible window equals the engine's reproject() of that window and the same
// window of the exported file; CRS errors quote the input; the EPSG search finds codes by
// code and by name; Vectorize counts the same features as rb::shapes on the same window
// and exports them; Rasterize burns what rb::rasterize burns (all-touched burns more);
// Fill previews gap pixels.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <cstring>

#include "MapCanvas.h"
#include "SceneLayer.h"
#include "TransformPanel.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/features.h"
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

} // namespace

class TestTransformPanel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::unique_ptr<MapCanvas> canvas_;
    std::unique_ptr<TransformPanel> panel_;
    std::shared_ptr<const SceneData> scene_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
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
        panel_->resize(420, 700);
        panel_->show();
    }
    void cleanupTestCase() {
        panel_.reset(); // before the canvas it draws on
        canvas_.reset();
    }

    void reprojectMatchesEngineAndExport() {
        panel_->crsEdit()->setText(QStringLiteral("EPSG:3857"));
        panel_->resamplingCombo()->setCurrentText(QStringLiteral("bilinear"));
        QSignalSpy done(panel_.get(), &TransformPanel::reprojectDone);
        panel_->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->reprojectStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->reprojectStatus()->text()));

        // The engine on its own: the destination grid gdalwarp would make, the window of it
        // covering the view, reproject() of that window.
        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        const rb::Grid src = rb::grid_of(ds.profile());
        const rb::Grid dst = rb::default_grid(src, rb::Crs::from_epsg(3857));
        QVERIFY(panel_->reprojectGrid() == dst);
        const rb::Grid view = rb::default_grid(src.window_grid(canvas_->visibleWindow()), dst.crs);
        const rb::Window w =
            rb::Window::from_bounds(view.bounds(), dst.transform).clamped(dst.width, dst.height);
        QCOMPARE(panel_->reprojectWindow(), w);
        QVERIFY(w.width < dst.width && w.height < dst.height);
        rb::ReprojectOptions o;
        o.resampling = rb::WarpResampling::Bilinear;
        o.window = w;
        const rb::Raster expected = rb::reproject(ds, dst, {}, o);
        QVERIFY(!expected.empty());
        QVERIFY(sameRaster(panel_->reprojectPreview(), expected));
        QVERIFY(!panel_->reprojectImage().isNull());
        QCOMPARE(panel_->reprojectImage().size(), QSize(int(w.width), int(w.height)));

        // The exported file holds the same pixels in that window.
        const QString out = dir_.filePath(QStringLiteral("warped.tif"));
        QSignalSpy exported(panel_.get(), &TransformPanel::exportDone);
        panel_->exportReproject(out);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(panel_->reprojectStatus()->text()));
        const rb::Dataset file = rb::Dataset::open(out.toStdString());
        QCOMPARE(file.width(), dst.width);
        QCOMPARE(file.height(), dst.height);
        rb::ReadOptions ro;
        ro.window = w;
        ro.with_mask = false;
        const rb::Raster region = file.read(ro);
        const rb::Raster& preview = panel_->reprojectPreview();
        QCOMPARE(region.byte_size(), preview.byte_size());
        QVERIFY(std::memcmp(region.bytes(), preview.bytes(), preview.byte_size()) == 0);
    }

    void invalidCrsShowsError() {
        const QString bad = QStringLiteral("EPSG:not-a-code +proj=nonsense");
        panel_->crsEdit()->setText(bad);
        QSignalSpy done(panel_.get(), &TransformPanel::reprojectDone);
        panel_->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY(
            panel_->reprojectStatus()->text().contains(QLatin1Char('"') + bad + QLatin1Char('"')));
        QVERIFY(!panel_->reprojectStatus()->styleSheet().isEmpty()); // shown as an error
        // The previous preview stays.
        QVERIFY(!panel_->reprojectPreview().empty());

        panel_->crsEdit()->setText(QStringLiteral("EPSG:3857"));
        panel_->resolutionEdit()->setText(QStringLiteral("ten"));
        panel_->previewReproject();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        QVERIFY(panel_->reprojectStatus()->text().contains(QStringLiteral("\"ten\"")));
        panel_->resolutionEdit()->clear();
    }

    void epsgSearch() {
        QSignalSpy done(panel_.get(), &TransformPanel::searchDone);
        panel_->searchCrs(QStringLiteral("3857"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY(!panel_->searchCodes().isEmpty());
        QCOMPARE(panel_->searchCodes().first(), QStringLiteral("3857")); // exact code first
        panel_->searchCrs(QStringLiteral("Pseudo-Mercator"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        QVERIFY(panel_->searchCodes().contains(QStringLiteral("3857")));
        // Picking a result fills the CRS field.
        panel_->searchResults()->setCurrentRow(0);
        emit panel_->searchResults()->itemClicked(panel_->searchResults()->item(0));
        QVERIFY(panel_->crsEdit()->text().startsWith(QStringLiteral("EPSG:")));
        panel_->crsEdit()->setText(QStringLiteral("EPSG:3857"));
    }

    void vectorizeMatchesShapes() {
        panel_->bandSpin()->setValue(1);
        panel_->thresholdSpin()->setValue(120);
        QSignalSpy done(panel_.get(), &TransformPanel::shapesDone);
        panel_->previewShapes();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->shapesStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->shapesStatus()->text()));
        const rb::Window w = panel_->shapesWindow();
        QCOMPARE(w, canvas_->visibleWindow());

        const rb::Dataset ds = rb::Dataset::open(RB_SAMPLE);
        rb::ReadOptions ro;
        ro.bands = {1};
        ro.window = w;
        const rb::Raster band = ds.read(ro);
        rb::Raster bits(rb::DataType::UInt8, 1, band.rows(), band.cols());
        rb::ShapesOptions so;
        so.mask.resize(bits.band_size());
        auto b = bits.band<std::uint8_t>(0);
        for (int i = 0; i < band.rows(); ++i)
            for (int j = 0; j < band.cols(); ++j) {
                const std::size_t k = std::size_t(i) * band.cols() + j;
                b[k] = band.valid(0, i, j) && band.value(0, i, j) >= 120;
                so.mask[k] = b[k];
            }
        const auto shapes = rb::shapes(bits, 0, w.transform(ds.profile().transform), so);
        QVERIFY(shapes.size() > 1);
        QCOMPARE(panel_->featureCount(), int(shapes.size()));
        std::size_t vertices = 0;
        for (const auto& s : shapes)
            vertices += s.polygon.vertex_count();
        QCOMPARE(panel_->vertexCount(), vertices);
        QVERIFY(panel_->shapesStatus()->text().contains(QString::number(shapes.size())));
        QVERIFY(!canvas_->overlay(TransformPanel::kShapesOverlay).isNull());
        QCOMPARE(canvas_->overlayRect(TransformPanel::kShapesOverlay),
                 QRectF(w.col_off, w.row_off, w.width, w.height));

        const QString out = dir_.filePath(QStringLiteral("shapes.geojson"));
        QSignalSpy exported(panel_.get(), &TransformPanel::shapesExported);
        panel_->exportShapes(out);
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1, kWaitMs);
        QVERIFY(exported.at(0).at(0).toBool());
        QCOMPARE(rb::read_features(out.toStdString()).features.size(), shapes.size());
    }

    void rasterizeMatchesEngine() {
        const std::string box = RB_FEATURES_DATA "/box.shp";
        QSignalSpy done(panel_.get(), &TransformPanel::burnDone);
        panel_->allTouchedCheck()->setChecked(false);
        panel_->loadVector(QString::fromStdString(box));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->rasterizeStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->rasterizeStatus()->text()));
        const rb::Grid grid = rb::grid_of(scene_->profile);
        rb::RasterizeOptions o;
        o.window = canvas_->visibleWindow();
        const auto fc = rb::read_features(box);
        const rb::Raster expected = rb::rasterize(fc, grid, o);
        QVERIFY(sameRaster(panel_->burnPreview(), expected));
        const auto count = [](const rb::Raster& r) {
            std::size_t n = 0;
            for (auto v : r.band<std::uint8_t>(0))
                n += v != 0;
            return n;
        };
        const std::size_t centre = count(expected);
        QVERIFY(centre > 0);
        QVERIFY(!canvas_->overlay(TransformPanel::kBurnOverlay).isNull());

        panel_->allTouchedCheck()->setChecked(true); // previews again
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, kWaitMs);
        o.all_touched = true;
        QVERIFY(sameRaster(panel_->burnPreview(), rb::rasterize(fc, grid, o)));
        QVERIFY(count(panel_->burnPreview()) > centre);
    }

    void fillPreview() {
        // The sample's nodata collar lies in the view's corner after fitting the whole scene.
        canvas_->fitToWindow();
        QTRY_COMPARE(canvas_->visibleWindow(),
                     rb::Window::full(scene_->profile.width, scene_->profile.height));
        QSignalSpy done(panel_.get(), &TransformPanel::fillDone);
        panel_->maxDistanceSpin()->setValue(20);
        panel_->previewFill();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, kWaitMs);
        QVERIFY2(panel_->fillStatus()->styleSheet().isEmpty(),
                 qPrintable(panel_->fillStatus()->text()));
        QVERIFY(panel_->fillStatus()->text().contains(QStringLiteral("gap pixels filled")));
        const QImage img = canvas_->overlay(TransformPanel::kFillOverlay);
        QVERIFY(!img.isNull());
        bool any = false;
        for (int y = 0; y < img.height() && !any; ++y)
            for (int x = 0; x < img.width() && !any; ++x)
                any = qAlpha(img.pixel(x, y)) != 0;
        QVERIFY(any); // some gap pixels were filled

        panel_->clearOverlays();
        QVERIFY(canvas_->overlay(TransformPanel::kFillOverlay).isNull());
        QVERIFY(canvas_->overlay(TransformPanel::kShapesOverlay).isNull());
    }
};

QTEST_MAIN(TestTransformPanel)
#include "tst_transformpanel.moc"
