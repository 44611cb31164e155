// The Score panel on scenes of different grids: three real Landsat 8 stacks of one path and
// row whose grids are shifted by up to 900 m and differ in pixel width (tests/data/landsat8).
// The panel scores and composites them on the first scene's grid, the others warped onto it on
// the fly (as `composite --grid first` does), so:
// - the preview equals the engine's composite of the scenes warped onto that grid, and not
//   the composite of the same pixel windows read unaligned (what the panel used to show);
// - a view of a scene on another grid previews the same part of the map, and the overlay is
//   drawn at its place on that scene;
// - the pixel inspector reads the pixel under the cursor, on whichever scene is shown;
// - the full-resolution composite equals the engine's file composite of the aligned scenes;
// - a preview computes the rank images only for the view that shows them;
// - with the scenes calibrated (reflectance, degrees C), the cloud score judges every date
//   against its own clear sky, as the engine's stack scorer does.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>
#include <memory>
#include <vector>

#include "CompositeController.h"
#include "MapCanvas.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "landsat_quality.h"
#include "rasterbench/composite.h"
#include "rasterbench/crop.h"
#include "rasterbench/dataset.h"
#include "rasterbench/score.h"
#include "rasterbench/stack_grid.h"

using namespace rb::ui;

namespace {

const QString kData = QStringLiteral(RB_TEST_DATA) + "/landsat8";

QStringList stacks() {
    QStringList files = QDir(kData).entryList({"*_stack.tif"}, QDir::Files, QDir::Name);
    for (QString& f : files)
        f = kData + "/" + f;
    return files;
}

std::vector<rb::SceneSource> sources() {
    std::vector<rb::SceneSource> out;
    for (const QString& f : stacks())
        out.push_back({{f.toStdString()}});
    return out;
}

/// The engine's composite of `window` of `scenes` with the panel's options.
rb::CompositeResult engineComposite(const std::vector<rb::SceneSource>& scenes,
                                    const rb::ScoreOptions& score,
                                    const rb::CompositeOptions& options, const rb::Window& window) {
    std::vector<rb::Raster> rasters;
    for (const auto& s : scenes)
        rasters.push_back(rb::SceneReader(s).read(window));
    const rb::Scorer scorer(score, rb::SceneReader(scenes.front()).layout());
    return rb::composite(rasters, rb::score_stack(rasters, scorer), options);
}

/// Pixels (valid and value) of `a` and `b` that differ.
int differences(const rb::Raster& a, const rb::Raster& b) {
    if (a.bands() != b.bands() || a.rows() != b.rows() || a.cols() != b.cols())
        return -1;
    int n = 0;
    for (int k = 0; k < a.bands(); ++k)
        for (int y = 0; y < a.rows(); ++y)
            for (int x = 0; x < a.cols(); ++x)
                if (a.valid(k, y, x) != b.valid(k, y, x) ||
                    (a.valid(k, y, x) && a.value(k, y, x) != b.value(k, y, x)))
                    ++n;
    return n;
}

/// A map and a Score panel side by side, the map showing the stack's current scene; the
/// panel's full-resolution job and coarse first preview off (their own tests start them).
struct ScoreWindow {
    std::unique_ptr<QWidget> window = std::make_unique<QWidget>();
    SceneStack* stack = new SceneStack(window.get());
    MapCanvas* canvas = new MapCanvas;
    ScorePanel* panel = new ScorePanel(stack, canvas);
    CompositeController* ctl = panel->controller();

    explicit ScoreWindow(int canvasSide) {
        auto* layout = new QHBoxLayout(window.get());
        canvas->setMinimumSize(canvasSide, canvasSide);
        ctl->setFullDelay(60 * 60 * 1000);
        ctl->setCoarseFirst(false);
        layout->addWidget(canvas, 1);
        layout->addWidget(panel);
        QObject::connect(stack, &SceneStack::currentChanged, canvas,
                         [s = stack, c = canvas](int row) {
                             c->setScene(row >= 0 ? s->entry(row).data : nullptr);
                         });
    }
};

} // namespace

class TestScoreGrids : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void previewIsTheCompositeOnTheFirstGrid();
    void viewOfASceneOnAnotherGrid();
    void inspectorReadsThePixelUnderTheCursor();
    void fullCompositeEqualsTheEngines();
    void scenesOpenInTheBackground();
    void rankImagesOnlyForTheViewThatShowsThem();
    void cloudJudgesEveryDateByItsOwnSky();

private:
    std::unique_ptr<QWidget> window_;
    SceneStack* stack_ = nullptr;
    MapCanvas* canvas_ = nullptr;
    ScorePanel* panel_ = nullptr;
    CompositeController* ctl_ = nullptr;
};

void TestScoreGrids::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
    ScoreWindow w(500);
    window_ = std::move(w.window);
    stack_ = w.stack;
    canvas_ = w.canvas;
    panel_ = w.panel;
    ctl_ = w.ctl;
    const QStringList files = stacks();
    QCOMPARE(files.size(), 3);
    stack_->addFiles(files);
    QTRY_VERIFY_WITH_TIMEOUT(!stack_->isBusy(), 60000);
    // The premise: the grids differ (origins hundreds of metres apart, another pixel width).
    const rb::Grid first = rb::grid_of(stack_->entry(0).data->profile);
    for (int row = 1; row < 3; ++row)
        QVERIFY(!(rb::grid_of(stack_->entry(row).data->profile) == first));
    stack_->setCurrent(0);
    window_->resize(1100, 650);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    panel_->methodCombo()->setCurrentText("median-distance");
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
    QVERIFY2(ctl_->lastError().isEmpty(), qPrintable(ctl_->lastError()));
    QCOMPARE(ctl_->grid(), first);
}

void TestScoreGrids::cleanupTestCase() {
    window_.reset();
}

void TestScoreGrids::previewIsTheCompositeOnTheFirstGrid() {
    const auto r = ctl_->viewport();
    QVERIFY(r);
    QCOMPARE(r->plan.step, 1); // 76 x 77 pixels: the preview is at full resolution
    const rb::Window read = r->plan.read;
    const rb::Window crop = r->plan.crop;
    const rb::CompositeOptions options = ctl_->effectiveCompositeOptions();
    const rb::AlignedScenes aligned(sources(), ctl_->grid());
    QCOMPARE(int(aligned.warped()), 2);
    const rb::CompositeResult want =
        engineComposite(aligned.scenes(), ctl_->scoreOptions(), options, read);
    const rb::CompositeResult unaligned =
        engineComposite(sources(), ctl_->scoreOptions(), options, read);
    const rb::Raster& got = r->composite.composite;
    QCOMPARE(got.cols(), int(crop.width));
    QCOMPARE(got.rows(), int(crop.height));
    const rb::Raster wantCrop = rb::crop(want.composite, crop);
    QCOMPARE(differences(got, wantCrop), 0);
    // The test would fail on the old preview: the unaligned windows give another composite.
    QVERIFY(differences(got, rb::crop(unaligned.composite, crop)) > got.cols() * got.rows() / 10);
}

void TestScoreGrids::viewOfASceneOnAnotherGrid() {
    const rb::Profile p0 = stack_->entry(0).data->profile;
    const rb::Profile p1 = stack_->entry(1).data->profile;
    // Zoomed into the middle of the reference scene, the preview covers that part of it.
    canvas_->setScene(stack_->entry(0).data);
    canvas_->fitToWindow();
    canvas_->zoomAt(QPointF(canvas_->width() / 2.0, canvas_->height() / 2.0), 2.5);
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending() &&
                                 ctl_->viewport()->plan.pixels.left() >= 15,
                             30000);
    const QRectF onFirst = ctl_->viewport()->plan.pixels;
    // The same view of the second scene (another grid): the preview is of the same part of
    // the map, drawn there.
    stack_->setCurrent(1);
    QCOMPARE(canvas_->scene(), stack_->entry(1).data);
    const rb::Window vis = canvas_->visibleWindow();
    const rb::Window want = rb::window_on_grid(rb::grid_of(p1), vis, ctl_->grid());
    QTRY_VERIFY_WITH_TIMEOUT(!ctl_->isViewportPending() && ctl_->viewport() &&
                                 ctl_->viewport()->plan.pixels.left() <= double(want.col_off) &&
                                 ctl_->viewport()->plan.pixels.right() >= double(want.col_end()),
                             30000);
    QVERIFY(ctl_->viewport()->plan.pixels.intersects(onFirst));
    QVERIFY(canvas_->overlayDrawn(CompositeController::kOverlayId));
    // Drawn where its pixels lie on the map: x of the overlay's left edge, on either grid.
    const QRectF rect = canvas_->overlayRect(CompositeController::kOverlayId);
    const QRectF pix = ctl_->viewport()->plan.pixels;
    const double xOverlay = p0.transform.c + pix.left() * p0.transform.a;
    const double xDrawn = p1.transform.c + rect.left() * p1.transform.a;
    QVERIFY2(std::abs(xOverlay - xDrawn) < 1e-6 * std::abs(p0.transform.a),
             qPrintable(QStringLiteral("%1 vs %2").arg(xOverlay).arg(xDrawn)));
    const double yOverlay = p0.transform.f + pix.bottom() * p0.transform.e;
    const double yDrawn = p1.transform.f + rect.bottom() * p1.transform.e;
    QVERIFY(std::abs(yOverlay - yDrawn) < 1e-6 * std::abs(p0.transform.e));
    QVERIFY(std::abs(rect.width() * p1.transform.a - pix.width() * p0.transform.a) <
            1e-6 * p0.transform.a);
    // Hidden by the user, it stays hidden on either grid.
    canvas_->setOverlayVisible(CompositeController::kOverlayId, false);
    QVERIFY(!canvas_->overlayDrawn(CompositeController::kOverlayId));
    canvas_->setOverlayVisible(CompositeController::kOverlayId, true);
}

void TestScoreGrids::inspectorReadsThePixelUnderTheCursor() {
    // The second scene is shown (the previous test): a pixel of it is inspected, and the
    // second scene's value there is that pixel's, read by GDAL.
    QCOMPARE(canvas_->scene(), stack_->entry(1).data);
    const rb::Profile p1 = stack_->entry(1).data->profile;
    const int col = 40, row = 33;
    QSignalSpy inspected(ctl_, &CompositeController::inspected);
    ctl_->inspect(col, row, 3, rb::grid_of(p1));
    QTRY_VERIFY_WITH_TIMEOUT(inspected.size() >= 1 && !ctl_->isInspectPending(), 30000);
    const PixelScores& p = ctl_->inspection();
    QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
    // The stack's pixel under the centre of (col, row) of scene 1...
    const rb::Grid g = ctl_->grid();
    const auto [x, y] = p1.transform.apply(col + 0.5, row + 0.5);
    const auto [c, r] = g.transform.to_pixel(x, y);
    QCOMPARE(p.col, int(std::floor(c)));
    QCOMPARE(p.row, int(std::floor(r)));
    // ...and, warped by nearest neighbour, scene 1's value there is its pixel under that
    // pixel's centre.
    const auto [xc, yc] = g.transform.apply(p.col + 0.5, p.row + 0.5);
    const auto [c1, r1] = p1.transform.to_pixel(xc, yc);
    const rb::Dataset ds = rb::Dataset::open(stacks()[1].toStdString());
    rb::ReadOptions at;
    at.bands = {4};
    at.window = rb::Window{std::int64_t(std::floor(c1)), std::int64_t(std::floor(r1)), 1, 1};
    const rb::Raster v = ds.read(at);
    QCOMPARE(int(p.values.size()), 3);
    QVERIFY(p.valid[1]);
    QCOMPARE(p.values[1], v.value(0, 0, 0));
    // The first scene's value is its own pixel (c, r): no warp there.
    at.window = rb::Window{p.col, p.row, 1, 1};
    const rb::Raster v0 = rb::Dataset::open(stacks()[0].toStdString()).read(at);
    QCOMPARE(p.values[0], v0.value(0, 0, 0));
}

void TestScoreGrids::fullCompositeEqualsTheEngines() {
    QSignalSpy finished(ctl_, &CompositeController::fullFinished);
    ctl_->setFullDelay(0);
    panel_->methodCombo()->setCurrentText("darkness");
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() >= 1 && !ctl_->isFullRunning() && ctl_->isEnabled(),
                             60000);
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    // What `composite --grid first` writes: the engine's file composite of the aligned scenes.
    QTemporaryDir dir;
    const rb::AlignedScenes aligned(sources(), ctl_->grid());
    rb::CompositeOutputs outputs;
    outputs.composite = dir.filePath("composite.tif").toStdString();
    outputs.index = dir.filePath("index.tif").toStdString();
    rb::composite_files(aligned.scenes(), ctl_->scoreOptions(), ctl_->compositeOptions(), outputs);
    for (const auto& [got, want] :
         {std::pair{ctl_->fullCompositePath().toStdString(), outputs.composite},
          std::pair{ctl_->fullIndexPath().toStdString(), outputs.index}}) {
        const rb::Dataset a = rb::Dataset::open(got), b = rb::Dataset::open(want);
        QCOMPARE(rb::grid_of(a.profile()), ctl_->grid());
        QCOMPARE(differences(a.read(), b.read()), 0);
    }
}

void TestScoreGrids::scenesOpenInTheBackground() {
    // Opening the first scene and sampling it (for the band layout and grid) reads its file:
    // the controller does it in the background, the layout follows with layoutChanged(), and
    // a preview asked for meanwhile counts as pending until it is on the map.
    MapCanvas canvas;
    canvas.resize(300, 300);
    canvas.show();
    canvas.setScene(std::make_shared<const SceneData>(SceneData::load(stacks().front())));
    QTRY_VERIFY(!canvas.visibleWindow().empty());
    CompositeController ctl(&canvas);
    ctl.setFullDelay(60 * 60 * 1000);
    QSignalSpy changed(&ctl, &CompositeController::layoutChanged);
    std::vector<ScoreScene> scenes;
    for (const QString& f : stacks())
        scenes.push_back({f, QString(), QFileInfo(f).completeBaseName(), std::nullopt, QString()});
    ctl.setView(canvas.visibleWindow(), canvas.size());
    ctl.setScenes(scenes);
    QCOMPARE(ctl.layout().count, 0); // not read on this thread
    QVERIFY(ctl.isViewportPending());
    QVERIFY(changed.wait(30000));
    const rb::SceneReader reader(sources().front());
    const rb::BandLayout want = reader.sampled_layout();
    QCOMPARE(ctl.layout().count, want.count);
    QCOMPARE(ctl.layout().ranges.size(), want.ranges.size());
    for (std::size_t b = 0; b < want.ranges.size(); ++b)
        QCOMPARE(ctl.layout().ranges[b].median, want.ranges[b].median);
    QCOMPARE(ctl.grid(), rb::grid_of(reader.profile()));
    QVERIFY(ctl.waitForViewport(60000));
    QVERIFY(ctl.viewport() && ctl.lastError().isEmpty());

    // A scene that cannot be opened: its error after the load, and nothing pending.
    const QString missing = QDir::temp().filePath(QStringLiteral("rasterbench-no-such-scene.tif"));
    ctl.setScenes({{missing, QString(), QStringLiteral("missing"), std::nullopt, QString()}});
    QVERIFY(ctl.isViewportPending());
    QVERIFY(changed.wait(30000));
    QVERIFY2(ctl.lastError().contains(missing), qPrintable(ctl.lastError()));
    QVERIFY(!ctl.isViewportPending());
    QCOMPARE(ctl.layout().count, 0);
}

void TestScoreGrids::rankImagesOnlyForTheViewThatShowsThem() {
    // scenesOpenInTheBackground used its own controller: this one still shows its composite.
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() && !ctl_->isViewportPending(), 30000);
    ScoreDisplay d = ctl_->display();
    QCOMPARE(int(d.view), int(ScoreView::Composite));
    // The composite view's preview carries no rank image: each would be another set of bands
    // computed and written on every parameter change.
    QVERIFY(ctl_->viewport()->composite.best_rank.empty());
    QVERIFY(ctl_->viewport()->composite.worst_rank.empty());
    // Asking for the worst-ranked pixels composites again, with that image, equal to the
    // engine's.
    const auto before = ctl_->viewport();
    d.view = ScoreView::WorstRank;
    ctl_->setDisplay(d);
    QTRY_VERIFY_WITH_TIMEOUT(ctl_->viewport() != before && !ctl_->isViewportPending(), 30000);
    const auto r = ctl_->viewport();
    QCOMPARE(int(r->composite.worst_rank.size()), 1);
    QVERIFY(r->composite.best_rank.empty());
    const rb::AlignedScenes aligned(sources(), ctl_->grid());
    const rb::CompositeResult want = engineComposite(
        aligned.scenes(), ctl_->scoreOptions(), ctl_->effectiveCompositeOptions(), r->plan.read);
    QCOMPARE(int(want.worst_rank.size()), 1);
    QCOMPARE(differences(r->composite.worst_rank.front(),
                         rb::crop(want.worst_rank.front(), r->plan.crop)),
             0);
    // Back to the composite: the preview at hand has what it shows, nothing is recomputed.
    d.view = ScoreView::Composite;
    ctl_->setDisplay(d);
    QTest::qWait(200);
    QCOMPARE(ctl_->viewport(), r);
}

QTEST_MAIN(TestScoreGrids)
void TestScoreGrids::cloudJudgesEveryDateByItsOwnSky() {
    // The three dates as an analyst scores a stack: reflectance and degrees C.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList files;
    std::vector<rb::SceneSource> toa;
    for (const QString& f : stacks()) {
        const std::string out = rbtest::landsat8_toa_copy(
            f.toStdString(), dir.filePath(QFileInfo(f).completeBaseName()).toStdString());
        files << QString::fromStdString(out);
        toa.push_back({{out}});
    }
    ScoreWindow sw(300);
    SceneStack* stack = sw.stack;
    ScorePanel* panel = sw.panel;
    CompositeController* ctl = sw.ctl;
    stack->addFiles(files);
    QTRY_VERIFY_WITH_TIMEOUT(!stack->isBusy(), 60000);
    stack->setCurrent(0);
    sw.window->resize(900, 500);
    sw.window->show();
    QVERIFY(QTest::qWaitForWindowExposed(sw.window.get()));
    panel->methodCombo()->setCurrentText("cloud");
    QTRY_VERIFY_WITH_TIMEOUT(ctl->scorer() && ctl->viewport() && !ctl->isViewportPending(), 30000);
    QVERIFY2(ctl->lastError().isEmpty(), qPrintable(ctl->lastError()));
    const auto scorer = ctl->scorer();
    QVERIFY(scorer->uses_scene_samples());
    QCOMPARE(scorer->options().scenes.size(), std::size_t(3));
    for (const auto& info : scorer->options().scenes)
        QVERIFY(info.sample);
    // The panel says so next to the band roles, as --verbose does.
    const QString tests = panel->testsLabel()->text();
    QVERIFY2(tests.contains(QStringLiteral("each date's own clear-sky statistics: 3 of 3 dates")),
             qPrintable(tests));
    QCOMPARE(tests, QString::fromStdString(scorer->tests_run()));
    // The preview's winners and the current date's scores are the engine's under its stack
    // scorer (the dates' samples of the scenes on the stack's grid), whose scores are not
    // those of a scorer without them (the winners may agree: the temporal tests against
    // the stack's clear background decide most of them).
    const auto r = ctl->viewport();
    QCOMPARE(r->plan.step, 1);
    const rb::AlignedScenes aligned(toa, ctl->grid());
    rb::ScoreOptions options = ctl->scoreOptions();
    options.scenes.clear();
    const rb::BandLayout first = rb::SceneReader(aligned.scenes()[0]).sampled_layout();
    const rb::Scorer engine = rb::stack_scorer(options, first, aligned.scenes());
    QVERIFY(engine.uses_scene_samples());
    std::vector<rb::Raster> rasters;
    for (const auto& s : aligned.scenes())
        rasters.push_back(rb::SceneReader(s).read(r->plan.read));
    const rb::CompositeOptions co = ctl->effectiveCompositeOptions();
    const auto scores = rb::score_stack(rasters, engine);
    const auto without = rb::score_stack(rasters, rb::Scorer(options, first));
    const rb::CompositeResult want = rb::composite(rasters, scores, co);
    QCOMPARE(differences(r->composite.index, rb::crop(want.index, r->plan.crop)), 0);
    QCOMPARE(r->current, 0);
    QCOMPARE(differences(r->score, rb::crop(scores[0], r->plan.crop)), 0);
    int changed = 0;
    for (std::size_t i = 0; i < scores.size(); ++i)
        changed += differences(scores[i], without[i]);
    QVERIFY(changed > 0);
}

#include "tst_score_grids.moc"
