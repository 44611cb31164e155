// The deband panel on the offscreen platform: the spectrum of the sample scene, a notch
// placed by a simulated click, and the preview (computed in the background) checked in the
// frequency domain (what changed is the clicked frequency, not something else), the map
// overlay, hover, drag, resize, delete, undo / redo; stripe notches rotated and widened;
// coalesced previews during a drag; notch JSON export / import; PSNR / SSIM against a
// reference scene; the whole-scene job's progress and cancel; the preview's latency on a
// 2048 x 2048 area.
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QtTest>

#include <gdal.h>

#include <cstring>

#include <algorithm>
#include <cmath>
#include <complex>
#include <functional>
#include <numbers>

#include "DebandController.h"
#include "DebandPanel.h"
#include "DebandSettings.h"
#include "ExportOptionsBox.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SceneLayer.h"
#include "SpectrumView.h"
#include "rasterbench/dataset.h"
#include "rasterbench/recipe.h"

using namespace rb::ui;

namespace {

constexpr double kPi = std::numbers::pi;

/// |sum D(x, y) exp(-2 pi i (u x + v y))| over the area (the change's content at (u, v)).
double amplitude(const std::vector<float>& d, int rows, int cols, double u, double v) {
    std::complex<double> s = 0;
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            s += double(d[std::size_t(i) * cols + j]) * std::polar(1.0, -2 * kPi * (u * j + v * i));
    return std::abs(s);
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k)
        m = std::max(m, double(std::abs(a[k] - b[k])));
    return m;
}

/// A one-band Float32 GeoTIFF whose pixel (row, col) is f(row, col).
void writeRaster(const QString& path, int rows, int cols, const std::function<float(int, int)>& f) {
    rb::Profile p;
    p.width = cols;
    p.height = rows;
    p.count = 1;
    p.dtype = rb::DataType::Float32;
    rb::Raster r(rb::DataType::Float32, 1, rows, cols);
    auto v = r.band<float>(0);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            v[std::size_t(i) * cols + j] = f(i, j);
    rb::Dataset ds = rb::Dataset::create(path.toStdString(), p);
    ds.write(r);
    ds.close();
}

/// Texture away from the axes, so a stripe notch along an axis leaves it alone.
float clean(int i, int j) {
    return float(1000 + 60 * std::sin(2 * kPi * (j / 37.0 + i / 91.0)) +
                 40 * std::sin(2 * kPi * (j / 13.0 - i / 29.0)));
}
/// The same with horizontal bands every 8 rows.
float striped(int i, int j) {
    return clean(i, j) + float(25 * std::sin(2 * kPi * i / 8.0));
}

/// A canvas and a deband panel showing `path`, with the area ready.
struct Bench {
    MapCanvas canvas;
    std::shared_ptr<const SceneData> scene;
    std::unique_ptr<DebandPanel> panel;
    DebandController* ctl = nullptr;
    SpectrumView* view = nullptr;

    explicit Bench(const QString& path) {
        canvas.resize(800, 600);
        canvas.show();
        scene = std::make_shared<const SceneData>(SceneData::load(path));
        canvas.setScene(scene);
        panel = std::make_unique<DebandPanel>(&canvas);
        panel->resize(420, 720);
        panel->show();
        panel->setScene(scene);
        ctl = panel->controller();
        view = panel->spectrumView();
    }
    ~Bench() { panel.reset(); } // before the canvas it draws on
};

void sendMove(QWidget* w, QPoint pos, Qt::MouseButtons buttons,
              Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), w->mapToGlobal(QPointF(pos)), Qt::NoButton,
                     buttons, mods);
    QApplication::sendEvent(w, &move);
}

void sendWheel(QWidget* w, QPoint pos, int steps) {
    QWheelEvent wheel(QPointF(pos), w->mapToGlobal(QPointF(pos)), QPoint(), QPoint(0, 120 * steps),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &wheel);
}

/// Angle difference modulo 180 degrees.
double angleDiff(double a, double b) {
    const double d = std::fmod(std::abs(a - b), 180.0);
    return std::min(d, 180.0 - d);
}

} // namespace

class TestSpectrumView : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString cleanPath_, stripedPath_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
        QStandardPaths::setTestModeEnabled(true);
        cleanPath_ = dir_.filePath(QStringLiteral("clean.tif"));
        stripedPath_ = dir_.filePath(QStringLiteral("striped.tif"));
        writeRaster(cleanPath_, 256, 256, clean);
        writeRaster(stripedPath_, 256, 256, striped);
    }

    void contrastStretchesThePercentiles() {
        // The contrast percentiles come from values sorted once per spectrum (a partial sort
        // of all of them per slider step stalled the GUI thread): rows of a ramp map to black
        // below the low percentile and to white above the high one; a NaN bin is black.
        auto s = std::make_shared<rb::fft::Spectrum>();
        s->rows = s->cols = 1024;
        s->log_magnitude.resize(std::size_t(s->rows) * s->cols);
        for (int r = 0; r < s->rows; ++r)
            for (int c = 0; c < s->cols; ++c)
                s->log_magnitude[std::size_t(r) * s->cols + c] = float(r);
        s->log_magnitude[5] = std::numeric_limits<float>::quiet_NaN();
        SpectrumView view;
        view.resize(256, 256);
        view.setSpectrum(s);
        view.setContrast(25, 75);
        const QImage shot = view.grab().toImage().convertToFormat(QImage::Format_Grayscale8);
        const auto grey = [&](double rowShare) {
            return qGray(shot.pixel(shot.width() / 2, int(rowShare * (shot.height() - 1))));
        };
        QCOMPARE(grey(0.1), 0);   // below the 25th percentile
        QCOMPARE(grey(0.9), 255); // above the 75th
        const int mid = grey(0.5);
        QVERIFY2(mid > 100 && mid < 155, qPrintable(QString::number(mid)));
        view.setContrast(0, 100);
        const QImage all = view.grab().toImage().convertToFormat(QImage::Format_Grayscale8);
        QVERIFY(qGray(all.pixel(all.width() / 2, all.height() / 4)) > 30); // no longer black
    }

    void clickPlacesNotchAndPreviewChangesThere() {
        Bench b(QStringLiteral(RB_SAMPLE));
        DebandController* ctl = b.ctl;
        SpectrumView* view = b.view;
        QVERIFY(ctl->waitUntilReady());
        const rb::Window area = ctl->area();
        QCOMPARE(area.width, 791); // a scene smaller than the area limit is taken whole
        QCOMPARE(area.height, 718);
        const int rows = int(area.height), cols = int(area.width);
        QVERIFY(view->spectrum());
        QCOMPARE(view->spectrum()->cols, cols);

        // No notch: the preview is the scene.
        QVERIFY(ctl->waitForPreview());
        const std::vector<float> before = ctl->before();
        QVERIFY2(maxAbsDiff(ctl->after(), before) < 0.05,
                 qPrintable(QString::number(maxAbsDiff(ctl->after(), before))));

        // Hover read-out at the frequency about to be clicked.
        const double u0 = 24.0 / cols, v0 = 40.0 / rows;
        const QPoint pos = view->frequencyToWidget(u0, v0).toPoint();
        sendMove(view, pos, Qt::NoButton);
        QVERIFY(b.panel->hoverLabel()->text().contains(QStringLiteral("period")));

        QTest::mouseClick(view, Qt::LeftButton, {}, pos);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        // The preview is computed off the GUI thread: it cannot have arrived yet, and the
        // map still shows the previous one.
        QVERIFY(!ctl->isPreviewCurrent());
        QVERIFY(ctl->previewNotches().empty());
        QVERIFY(ctl->waitForPreview());
        QCOMPARE(ctl->previewNotches(), ctl->notches());
        const auto n = ctl->notches().points.front();
        // The widget is smaller than the spectrum: a click is exact to a widget pixel.
        const double tol = 1.5 * std::max(cols, rows) / double(view->width()) / cols + 1e-9;
        QVERIFY2(std::abs(n.u - u0) < tol && std::abs(n.v - v0) < tol,
                 qPrintable(QStringLiteral("%1 %2").arg(n.u).arg(n.v)));
        qInfo("preview after the click: mask + inverse %.2f ms, on the map after %.2f ms (%dx%d)",
              ctl->lastPreviewMs(), ctl->lastPreviewLatencyMs(), cols, rows);
        QVERIFY(ctl->lastPreviewMs() > 0);
        QVERIFY(b.panel->metricsLabel()->text().contains(QStringLiteral("energy removed")));

        // What the preview removed sits at the clicked frequency (and its twin), not at the
        // mirrored frequency nor elsewhere.
        std::vector<float> d(before.size(), 0.0f);
        double energy = 0;
        for (std::size_t k = 0; k < d.size(); ++k) {
            d[k] = before[k] - ctl->after()[k];
            energy += double(d[k]) * d[k];
        }
        QVERIFY(energy > 0);
        const double at = amplitude(d, rows, cols, n.u, n.v);
        const double mirrored = amplitude(d, rows, cols, -n.u, n.v);
        const double elsewhere = amplitude(d, rows, cols, n.v, n.u);
        qInfo("change at the notch %.3g, mirrored %.3g, elsewhere %.3g", at, mirrored, elsewhere);
        QVERIFY(at > 20 * mirrored);
        QVERIFY(at > 20 * elsewhere);

        // The map shows the result over the scene; Before shows the scene itself (at once);
        // Difference arrives with the next preview.
        QVERIFY(!b.canvas.overlay(QStringLiteral("deband-2-area")).isNull());
        ctl->setShow(DebandController::Show::Before);
        QVERIFY(b.canvas.overlay(QStringLiteral("deband-2-area")).isNull());
        ctl->setShow(DebandController::Show::Difference);
        QVERIFY(ctl->waitForPreview());
        QVERIFY(!b.canvas.overlay(QStringLiteral("deband-2-area")).isNull());

        // Drag the notch's twin: the notch follows (mirrored), as one undo step.
        const QPoint twin = view->frequencyToWidget(-n.u, -n.v).toPoint();
        const QPoint target = view->frequencyToWidget(-n.u - 10.0 / cols, -n.v).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, twin);
        sendMove(view, target, Qt::LeftButton);
        QTest::mouseRelease(view, Qt::LeftButton, {}, target);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        QVERIFY(ctl->notches().points.front().u > n.u + 5.0 / cols);
        const auto moved = ctl->notches();

        // Undo the drag, then the placement: back to no notch and the scene itself.
        ctl->undo();
        QVERIFY(std::abs(ctl->notches().points.front().u - n.u) < 1e-12);
        ctl->undo();
        QVERIFY(ctl->notches().points.empty());
        QVERIFY(!ctl->canUndo());
        QVERIFY(ctl->waitForPreview());
        QVERIFY(maxAbsDiff(ctl->after(), before) < 0.05);
        // Redo both.
        ctl->redo();
        ctl->redo();
        QCOMPARE(ctl->notches(), moved);
        QVERIFY(!ctl->canRedo());
        ctl->setNotches({}, true);

        // Right click deletes; the stripe tool adds a stripe notch. (The position again: the
        // panel's labels may have grown since.)
        const QPoint pos2 = view->frequencyToWidget(u0, v0).toPoint();
        QTest::mouseClick(view, Qt::LeftButton, {}, pos2);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        QTest::mouseClick(view, Qt::RightButton, {}, pos2);
        QVERIFY(ctl->notches().points.empty());
        view->setTool(SpectrumView::Tool::Stripe);
        QTest::mouseClick(view, Qt::LeftButton, {}, pos2);
        QCOMPARE(ctl->notches().stripes.size(), std::size_t(1));
        QVERIFY2(angleDiff(ctl->notches().stripes.front().angle_deg,
                           rb::fft::frequency_info(u0, v0).stripe_deg) < 2.0,
                 qPrintable(QStringLiteral("%1 vs %2, %3 stripes %4 points")
                                .arg(ctl->notches().stripes.front().angle_deg)
                                .arg(rb::fft::frequency_info(u0, v0).stripe_deg)
                                .arg(ctl->notches().stripes.size())
                                .arg(ctl->notches().points.size())));
        QVERIFY(ctl->waitForPreview());
    }

    void pointNotchResizeAndDelete() {
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        const QPoint pos = b.view->frequencyToWidget(0.1, 0.2).toPoint();
        QTest::mouseClick(b.view, Qt::LeftButton, {}, pos);
        QCOMPARE(b.ctl->notches().points.size(), std::size_t(1));
        const double r0 = b.ctl->notches().points.front().radius;

        // Wheel up over the notch: 1.25 times the radius per step, one undo step each.
        sendWheel(b.view, pos, 2);
        QVERIFY(std::abs(b.ctl->notches().points.front().radius - r0 * 1.5625) < 1e-9);
        // '-' on the selected notch shrinks it.
        QTest::keyClick(b.view, Qt::Key_Minus);
        QVERIFY(std::abs(b.ctl->notches().points.front().radius - r0 * 1.25) < 1e-9);
        b.ctl->undo();
        QVERIFY(std::abs(b.ctl->notches().points.front().radius - r0 * 1.5625) < 1e-9);
        // The twin is a handle too: the wheel over it resizes the same notch.
        const auto& p = b.ctl->notches().points.front();
        sendWheel(b.view, b.view->frequencyToWidget(-p.u, -p.v).toPoint(), -1);
        QVERIFY(std::abs(b.ctl->notches().points.front().radius - r0 * 1.25) < 1e-9);

        // Delete removes the selected notch; undo brings it back.
        QTest::keyClick(b.view, Qt::Key_Delete);
        QVERIFY(b.ctl->notches().empty());
        b.ctl->undo();
        QCOMPARE(b.ctl->notches().points.size(), std::size_t(1));
        QVERIFY(b.ctl->waitForPreview());
    }

    void stripeDragRotatesAndWidens() {
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        SpectrumView* view = b.view;
        const auto at = [&](double angleDeg, double t) {
            const double a = angleDeg * kPi / 180;
            return view->frequencyToWidget(t * std::sin(a), t * std::cos(a)).toPoint();
        };

        view->setTool(SpectrumView::Tool::Stripe);
        QTest::mouseClick(view, Qt::LeftButton, {}, at(20, 0.2));
        QCOMPARE(b.ctl->notches().stripes.size(), std::size_t(1));
        const rb::fft::StripeNotch s0 = b.ctl->notches().stripes.front();
        QVERIFY2(angleDiff(s0.angle_deg, 20) < 1.5, qPrintable(QString::number(s0.angle_deg)));
        view->setTool(SpectrumView::Tool::Notch); // editing does not need the stripe tool

        // Grab the line on the other side of DC and drag to 65 degrees: the stripe rotates,
        // the press places nothing, and the gesture is one undo step.
        QVERIFY(view->itemAt(at(20, -0.3)).has_value());
        QTest::mousePress(view, Qt::LeftButton, {}, at(20, -0.3));
        sendMove(view, at(40, 0.3), Qt::LeftButton);
        sendMove(view, at(65, 0.3), Qt::LeftButton);
        QTest::mouseRelease(view, Qt::LeftButton, {}, at(65, 0.3));
        QVERIFY(b.ctl->notches().points.empty());
        QCOMPARE(b.ctl->notches().stripes.size(), std::size_t(1));
        const double rotated = b.ctl->notches().stripes.front().angle_deg;
        QVERIFY2(angleDiff(rotated, 65) < 1.5, qPrintable(QString::number(rotated)));
        QVERIFY(b.ctl->waitForPreview());
        b.ctl->undo();
        QCOMPARE(b.ctl->notches().stripes.front(), s0);
        b.ctl->redo();
        QVERIFY(angleDiff(b.ctl->notches().stripes.front().angle_deg, 65) < 1.5);

        // Shift-drag from the line sideways: the width becomes twice the distance (0.03
        // cycles/px each side), the angle stays.
        const double a = rotated * kPi / 180;
        const QPoint onLine = at(rotated, 0.25);
        const QPoint aside = view->frequencyToWidget(0.25 * std::sin(a) + 0.03 * std::cos(a),
                                                     0.25 * std::cos(a) - 0.03 * std::sin(a))
                                 .toPoint();
        QTest::mousePress(view, Qt::LeftButton, Qt::ShiftModifier, onLine);
        sendMove(view, aside, Qt::LeftButton, Qt::ShiftModifier);
        QTest::mouseRelease(view, Qt::LeftButton, Qt::ShiftModifier, aside);
        const rb::fft::StripeNotch wide = b.ctl->notches().stripes.front();
        QVERIFY2(std::abs(wide.width - 0.06) < 0.006, qPrintable(QString::number(wide.width)));
        QCOMPARE(wide.angle_deg, rotated);

        // The wheel over the line widens it; Delete removes the selected stripe.
        sendWheel(view, at(rotated, 0.3), 1);
        QVERIFY(std::abs(b.ctl->notches().stripes.front().width - wide.width * 1.25) < 1e-9);
        QTest::keyClick(view, Qt::Key_Delete);
        QVERIFY(b.ctl->notches().empty());
        b.ctl->undo();
        QCOMPARE(b.ctl->notches().stripes.size(), std::size_t(1));
        QVERIFY(b.ctl->waitForPreview());
    }

    void dragCoalescesPreviews() {
        Bench b(QStringLiteral(RB_SAMPLE));
        QVERIFY(b.ctl->waitUntilReady());
        QVERIFY(b.ctl->waitForPreview());
        SpectrumView* view = b.view;
        const QPoint start = view->frequencyToWidget(0.1, 0.1).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, start);
        const int jobsBefore = b.ctl->previewJobsStarted();
        // Forty moves delivered faster than previews are made: one job runs, one waits.
        for (int k = 1; k <= 40; ++k)
            sendMove(view, start + QPoint(k, k / 2), Qt::LeftButton);
        QTest::mouseRelease(view, Qt::LeftButton, {}, start + QPoint(40, 20));
        QVERIFY(b.ctl->previewJobsStarted() - jobsBefore <= 1);
        QVERIFY(b.ctl->waitForPreview());
        QVERIFY(b.ctl->previewJobsStarted() - jobsBefore <= 2);
        // What is shown is the final position, and placing and dragging is one undo step.
        QCOMPARE(b.ctl->previewNotches(), b.ctl->notches());
        QVERIFY(std::abs(b.ctl->notches().points.front().u - 0.1) > 0.01);
        b.ctl->undo();
        QVERIFY(b.ctl->notches().empty());
    }

    void editsAreSavedPerSceneAndRestoredOnDemand() {
        rb::fft::NotchSet set;
        set.points.push_back({0.125, 0.0625, 0.015, rb::fft::NotchShape::Gaussian, 2});
        set.stripes.push_back({30.0, 0.02, 0.004, 0.03});
        {
            Bench b(cleanPath_);
            QVERIFY(b.ctl->waitUntilReady());
            b.ctl->setNotches(set);
            QVERIFY(b.ctl->waitForPreview());
        } // the panel is gone, as when the workbench closes
        Bench b(cleanPath_);
        QVERIFY(b.ctl->waitUntilReady());
        QVERIFY(b.ctl->notches().empty()); // never applied behind the user's back
        QVERIFY(b.ctl->hasSavedNotches());
        QVERIFY(b.ctl->restoreSavedNotches());
        QCOMPARE(b.ctl->notches(), set);
        b.ctl->undo(); // restoring is one undoable step
        QVERIFY(b.ctl->notches().empty());
        QVERIFY(b.ctl->waitForPreview());
        QSettings().remove(QStringLiteral("deband")); // leave no state for the other tests
    }

    void exportThenImportGivesTheSameNotches() {
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        rb::fft::NotchSet set;
        set.points.push_back({0.125, -0.0625, 0.01, rb::fft::NotchShape::Butterworth, 3});
        set.points.push_back({0.25, 0.1, 0.02, rb::fft::NotchShape::Gaussian, 2});
        set.stripes.push_back({12.5, 0.02, 0.004, 0.03});
        b.ctl->setNotches(set);

        const QString path = dir_.filePath(QStringLiteral("notches.json"));
        QSignalSpy exported(b.ctl, &DebandController::notchesExported);
        b.ctl->exportNotches(path);
        QVERIFY(exported.wait(10000));
        QVERIFY(QFile::exists(path));
        QVERIFY(QDir(dir_.path()).entryList({QStringLiteral("*.partial-*")}).isEmpty()); // renamed

        b.ctl->setNotches({});
        QSignalSpy imported(b.ctl, &DebandController::notchesImported);
        b.ctl->importNotches(path);
        QVERIFY(imported.wait(10000));
        QCOMPARE(b.ctl->notches(), set);
        QCOMPARE(b.view->notches(), set);
        b.ctl->undo(); // an import is undoable
        QVERIFY(b.ctl->notches().empty());

        // Errors name the file and reach the panel.
        QSignalSpy failed(b.ctl, &DebandController::failed);
        const QString bad = dir_.filePath(QStringLiteral("no-such-dir/notches.json"));
        b.ctl->exportNotches(bad);
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.last().first().toString().contains(bad),
                 qPrintable(failed.last().first().toString()));
        QVERIFY(b.panel->statusLabel()->text().contains(bad));
        const QString garbage = dir_.filePath(QStringLiteral("garbage.json"));
        {
            QFile f(garbage);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"version\": 1, \"points\": [{\"u\": \"x\"}]");
        }
        b.ctl->importNotches(garbage);
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.last().first().toString().contains(garbage));
        QVERIFY(b.ctl->notches().empty()); // a failed import changes nothing
        QVERIFY(b.ctl->waitForPreview());
    }

    void settingsFromTheTablesDriveAutoDetectAndTheRecipe() {
        // The panel's settings form is generated from the peak, orientation and deband
        // tables: a value changed there reaches Auto-detect and the exported recipe.
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        DebandSettings* settings = b.panel->settings();
        settings->reset();
        const std::size_t rows = rb::fft::PeakOptions::params().infos().size() +
                                 rb::fft::OrientationOptions::params().infos().size() +
                                 rb::fft::DebandOptions::params().infos().size();
        QCOMPARE(settings->form()->params().size(), rows);

        auto detect = [&] {
            QSignalSpy done(b.ctl, &DebandController::autoDetected);
            b.ctl->autoDetect();
            if (!done.wait(30000))
                return std::size_t(0);
            return b.ctl->notches().points.size();
        };
        const std::size_t byDefault = detect();
        QVERIFY2(byDefault > 1, qPrintable(QString::number(byDefault)));

        auto* maxPeaks = qobject_cast<QSpinBox*>(settings->form()->editor("max_peaks"));
        QVERIFY(maxPeaks);
        maxPeaks->setValue(1);
        QCOMPARE(settings->peak().max_peaks, 1);
        const std::size_t limited = detect();
        QVERIFY2(limited >= 1 && limited < byDefault,
                 qPrintable(QString("%1 vs %2").arg(limited).arg(byDefault)));
        // The table's limits hold here as on the command line and in recipes.
        QVERIFY_THROWS_EXCEPTION(rb::ArgumentError, settings->set("max_peaks", "0"));
        QCOMPARE(settings->peak().max_peaks, 1);

        const QString path = dir_.filePath(QStringLiteral("deband-settings-recipe.json"));
        QCOMPARE(b.panel->exportRecipe(path), QString());
        const rb::Recipe recipe = rb::load_recipe(path.toStdString());
        const auto& step = std::get<rb::DebandStep>(recipe.steps.front());
        QCOMPARE(step.peak.max_peaks, 1);
        QCOMPARE(step.options.keep_dtype, settings->options().keep_dtype);
        settings->reset();
        QCOMPARE(settings->peak().max_peaks, rb::fft::PeakOptions{}.max_peaks);
    }

    void residualStripeEnergyInTheMetrics() {
        // After Auto-detect the panel says how much of the bands' energy remains along their
        // line; with every other notch removed, more remains.
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        QSignalSpy done(b.ctl, &DebandController::autoDetected);
        b.ctl->autoDetect();
        QVERIFY(done.wait(30000));
        const rb::fft::NotchSet found = b.ctl->notches();
        QVERIFY(found.points.size() > 1);
        QVERIFY(b.ctl->waitForPreview());
        QTRY_VERIFY_WITH_TIMEOUT(b.ctl->stripeEnergy().has_value(), 30000);
        const rb::fft::StripeEnergy all = *b.ctl->stripeEnergy();
        QVERIFY(all.before > 0);
        QVERIFY2(all.residual() < 0.2, qPrintable(QString::number(all.residual())));
        QVERIFY(b.panel->metricsLabel()->text().contains(QStringLiteral("stripe band at")));
        QVERIFY(b.ctl->metricsText().contains(QStringLiteral("% of its energy remains")));

        rb::fft::NotchSet half = found;
        for (std::size_t k = 0; k < half.points.size(); k += 2)
            half.points[k].radius = 1e-9;
        b.ctl->setNotches(half);
        QVERIFY(b.ctl->waitForPreview());
        QTRY_VERIFY_WITH_TIMEOUT(b.ctl->stripeEnergy().has_value(), 30000);
        const rb::fft::StripeEnergy partial = *b.ctl->stripeEnergy();
        QVERIFY2(partial.residual() > all.residual() + 0.1,
                 qPrintable(QString("%1 vs %2").arg(partial.residual()).arg(all.residual())));
        QCOMPARE(partial.before, all.before);
    }

    void exportedRecipeDebandsLikeTheEngine() {
        // The panel's band and notches as a recipe: run headless, it writes what the engine's
        // deband with those notches gives.
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());
        rb::fft::NotchSet set;
        set.points.push_back({0.125, -0.0625, 0.01, rb::fft::NotchShape::Gaussian, 2});
        set.stripes.push_back({12.5, 0.02, 0.004, 0.03});
        b.ctl->setNotches(set);
        const QString path = dir_.filePath(QStringLiteral("deband-recipe.json"));
        QCOMPARE(b.panel->exportRecipe(path), QString());
        const rb::Recipe recipe = rb::load_recipe(path.toStdString());
        QCOMPARE(int(recipe.steps.size()), 1);
        const auto& step = std::get<rb::DebandStep>(recipe.steps.front());
        QCOMPARE(step.notches, set);
        QCOMPARE(step.band, b.ctl->band());
        QTemporaryDir out;
        rb::RecipeRunOptions ro;
        ro.out_dir = out.path().toStdString();
        const rb::RecipePlan plan = rb::run_recipe(recipe, {}, ro);
        QCOMPARE(int(plan.outputs.size()), 1);
        const rb::Dataset src = rb::Dataset::open(stripedPath_.toStdString());
        rb::ReadOptions one;
        one.bands = {step.band};
        const rb::Raster want = rb::fft::deband(src.read(one), set);
        const rb::Raster got = rb::Dataset::open(plan.outputs.front()).read();
        QCOMPARE(got.rows(), want.rows());
        QCOMPARE(got.cols(), want.cols());
        double worst = 0, changed = 0;
        const rb::Raster before = src.read(one);
        for (int y = 0; y < want.rows(); ++y)
            for (int x = 0; x < want.cols(); ++x) {
                worst = std::max(worst, std::abs(got.value(0, y, x) - want.value(0, y, x)));
                changed = std::max(changed, std::abs(got.value(0, y, x) - before.value(0, y, x)));
            }
        QVERIFY2(worst < 1e-3, qPrintable(QString::number(worst)));
        QVERIFY(changed > 1); // the notches did something
        QVERIFY(b.panel->exportRecipe(dir_.filePath("no/such/dir/r.json")).contains("no/such"));
        // Save result writes the same pixels, in the background.
        const QString saved = dir_.filePath(QStringLiteral("saved_debanded.tif"));
        QSignalSpy savedSpy(b.panel.get(), &DebandPanel::resultSaved);
        QVERIFY(b.panel->saveResult(saved));
        QTRY_VERIFY_WITH_TIMEOUT(!b.panel->isSaving(), 30000);
        QCOMPARE(savedSpy.count(), 1);
        const rb::Raster savedRaster = rb::Dataset::open(saved.toStdString()).read();
        QCOMPARE(savedRaster.rows(), want.rows());
        double savedWorst = 0;
        for (int y = 0; y < want.rows(); ++y)
            for (int x = 0; x < want.cols(); ++x)
                savedWorst = std::max(savedWorst,
                                      std::abs(savedRaster.value(0, y, x) - want.value(0, y, x)));
        QVERIFY2(savedWorst < 1e-3, qPrintable(QString::number(savedWorst)));
        // As a COG when that is the format chosen.
        rb::ExportOptions cog;
        cog.format = rb::ExportOptions::Format::Cog;
        ExportOptionsBox::setCurrent(cog);
        const QString savedCog = dir_.filePath(QStringLiteral("saved_debanded_cog.tif"));
        QVERIFY(b.panel->saveResult(savedCog));
        QTRY_VERIFY_WITH_TIMEOUT(!b.panel->isSaving(), 30000);
        ExportOptionsBox::setCurrent({});
        QCOMPARE(savedSpy.count(), 2);
        {
            GDALDatasetH h = GDALOpen(savedCog.toUtf8().constData(), GA_ReadOnly);
            QVERIFY(h);
            QCOMPARE(QString::fromLatin1(GDALGetMetadataItem(h, "LAYOUT", "IMAGE_STRUCTURE")),
                     QStringLiteral("COG"));
            GDALClose(h);
            const rb::Raster cogRaster = rb::Dataset::open(savedCog.toStdString()).read();
            QCOMPARE(cogRaster.byte_size(), savedRaster.byte_size());
            QVERIFY(std::memcmp(cogRaster.bytes(), savedRaster.bytes(), cogRaster.byte_size()) ==
                    0);
        }
        QVERIFY(!b.panel->saveResult(stripedPath_)); // never over the scene it reads
        // Saving the recipe over the scene it debands is refused; the scene is untouched.
        QFile scene(stripedPath_);
        QVERIFY(scene.open(QIODevice::ReadOnly));
        const QByteArray sceneBytes = scene.readAll();
        scene.close();
        const QString refused = b.panel->exportRecipe(stripedPath_);
        QVERIFY2(refused.contains("input scene"), qPrintable(refused));
        QVERIFY(scene.open(QIODevice::ReadOnly));
        QCOMPARE(scene.readAll(), sceneBytes);
    }

    void referenceMetricsAndMismatch() {
        Bench b(stripedPath_);
        QVERIFY(b.ctl->waitUntilReady());

        // A reference on another grid is refused with a message naming it.
        const QString small = dir_.filePath(QStringLiteral("small.tif"));
        writeRaster(small, 100, 120, clean);
        QSignalSpy failed(b.ctl, &DebandController::failed);
        b.ctl->setReference(small);
        QVERIFY(failed.wait(10000));
        const QString error = failed.last().first().toString();
        QVERIFY2(error.contains(small) && error.contains(QStringLiteral("120x100")),
                 qPrintable(error));
        QVERIFY(!b.ctl->hasReference());
        QVERIFY(b.panel->statusLabel()->text().contains(small));

        // The clean scene as reference; a stripe notch along the bands' spectral line
        // (horizontal bands: angle 0) brings the result closer to it.
        b.ctl->setReference(cleanPath_);
        QTRY_VERIFY_WITH_TIMEOUT(b.ctl->hasReference(), 10000);
        rb::fft::NotchSet set;
        set.stripes.push_back({0.0, 0.01, 0.005, 0.02});
        b.ctl->setNotches(set);
        QVERIFY(b.ctl->isSceneJobRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!b.ctl->isSceneJobRunning(), 30000);
        QVERIFY(b.ctl->hasSceneResult());
        const auto& m = b.ctl->sceneMetrics();
        QVERIFY(m.psnrBefore && m.psnrAfter && m.ssimBefore && m.ssimAfter);
        qInfo("vs reference: PSNR %.2f -> %.2f dB, SSIM %.4f -> %.4f", *m.psnrBefore, *m.psnrAfter,
              *m.ssimBefore, *m.ssimAfter);
        QVERIFY(*m.psnrAfter > *m.psnrBefore + 10);
        QVERIFY(*m.ssimAfter > *m.ssimBefore);
        QVERIFY(b.panel->metricsLabel()->text().contains(QStringLiteral("PSNR")));
        QCOMPARE(b.panel->sceneProgressBar()->value(), 100);
        QVERIFY(!b.canvas.overlay(QStringLiteral("deband-1-scene")).isNull());
    }

    void cancellingTheWholeSceneLeavesNoResult() {
        Bench b(QStringLiteral(RB_SAMPLE));
        QVERIFY(b.ctl->waitUntilReady());
        QSignalSpy ready(b.ctl, &DebandController::sceneResultReady);
        rb::fft::NotchSet set;
        set.points.push_back({0.1, 0.05, 0.01, rb::fft::NotchShape::Gaussian, 2});
        b.ctl->setNotches(set);
        // Scheduled (waiting for the edits to pause) counts as running: Cancel applies.
        QVERIFY(b.ctl->isSceneJobRunning());
        QVERIFY(b.panel->cancelButton()->isEnabled());
        b.ctl->startSceneJobNow();
        QTest::mouseClick(b.panel->cancelButton(), Qt::LeftButton);
        QVERIFY(!b.ctl->isSceneJobRunning());
        QVERIFY(!b.panel->cancelButton()->isEnabled());
        // Whatever the worker was doing, nothing arrives afterwards.
        QTest::qWait(1500);
        QCOMPARE(ready.count(), 0);
        QVERIFY(!b.ctl->hasSceneResult());
        QVERIFY(b.canvas.overlay(QStringLiteral("deband-1-scene")).isNull());
        QVERIFY(b.ctl->metricsText().contains(QStringLiteral("cancelled")));

        // The next edit runs to the end, with progress.
        QSignalSpy progress(b.ctl, &DebandController::sceneProgressChanged);
        set.points.front().radius = 0.02;
        b.ctl->setNotches(set);
        QVERIFY(ready.wait(30000));
        QVERIFY(b.ctl->hasSceneResult());
        QVERIFY(!b.canvas.overlay(QStringLiteral("deband-1-scene")).isNull());
        QVERIFY(progress.count() >= 1);
        QCOMPARE(b.ctl->sceneProgress(), 100);
        // A new edit makes that result stale at once.
        set.points.front().radius = 0.03;
        b.ctl->setNotches(set);
        QVERIFY(!b.ctl->hasSceneResult());
        b.ctl->cancelSceneJob();
    }
};

QTEST_MAIN(TestSpectrumView)
#include "tst_spectrumview.moc"
