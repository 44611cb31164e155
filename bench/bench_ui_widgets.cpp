// bench_ui_widgets: the workbench's widget paths timed with the real widgets, offscreen
// (QT_QPA_PLATFORM=offscreen unless set). Not a test: it prints, it asserts nothing.
//
//   bench_ui_widgets viewer SCENE
//     The map canvas on a huge scene (bench_viewer writes /tmp/rasterbench-bench/
//     viewer_8000.tif): open -> first paint (preview on screen), open -> idle (exact
//     stretch, built pyramid, final tiles), cached repaint (median of 21), and a pan to an
//     uncached area at 1:2 (coarse repaint at once, refined tiles). Targets: first paint
//     300 ms, cached redraw 16 ms, coarse data after a pan 50 ms.
//
//   bench_ui_widgets score DIR
//     The Score panel's parameter-change -> overlay latency on a 1200 x 1200 viewport (the
//     whole scene at scale 1: 1.44 MP) for the scenes `DIR/*_sr.tif` (with their
//     `*_fmask.tif`; scripts/make-score-bench-data.sh makes them): per method (expressions
//     too), five changes, the first (coarse) overlay and the full viewport, median, as
//     ratios to GDAL's read of the same window in the same run; then 50 rapid changes: the
//     GUI thread's longest block and the time from the last one to its full viewport.
//     Targets: first overlay 0.3x, full viewport 1.0x, GUI block 16 ms.
//
//   bench_ui_widgets deband [SCENE]
//     The Deband panel on a 2048 x 2048 area (default: a striped Float32 scene written to
//     /tmp/rasterbench-bench/deband_2048.tif): twelve notch edits one at a time, the
//     full-resolution preview's mask + inverse on the worker and edit -> map latency,
//     median / min / max, beside raw FFTW's inverse of the same size. Target: 16 ms.
//
// The engine's share of these is in bench_viewer, bench_score_preview and bench_deband.
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenuBar>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>

#include <fftw3.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include "CompositeController.h"
#include "DebandController.h"
#include "DebandPanel.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SceneStack.h"
#include "ScorePanel.h"
#include "TileRenderer.h"
#include "bench_gdal_read.h"
#include "bench_util.h"
#include "rasterbench/dataset.h"
#include "rasterbench/deband.h"
#include "rasterbench/interactive.h"

using namespace rb::ui;
using rbbench::median;
using rbbench::ms_since;
using Clock = std::chrono::steady_clock;

namespace {

/// Runs the event loop until `done` holds; false after `ms`.
bool waitFor(const std::function<bool()>& done, int ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return true;
}

int fail(const char* what) {
    std::fprintf(stderr, "bench_ui_widgets: %s\n", what);
    return 1;
}

int viewer(const QString& path) {
    MainWindow window;
    window.setPersistent(false);
    window.setPanelsVisible(false);
    window.resize(1600, 1000 + window.menuBar()->height() + window.statusBar()->height());
    window.show();
    waitFor([] { return false; }, 50);
    MapCanvas* canvas = window.canvas();
    std::printf("canvas %d x %d, load %.2f\n", canvas->width(), canvas->height(), rbbench::load1());
    bool painted = false;
    QObject::connect(canvas->tileRenderer(), &TileRenderer::updated, [&] { painted = true; });
    const auto t0 = Clock::now();
    window.openFile(path);
    if (!waitFor([&] { return painted; }, 10000))
        return fail("no first paint within 10 s");
    canvas->repaint();
    std::printf("open -> first paint (preview on screen): %.1f ms\n", ms_since(t0));
    if (!window.waitUntilIdle(60000))
        return fail("not idle within 60 s");
    std::printf("open -> exact stretch, built pyramid, final tiles: %.1f ms\n", ms_since(t0));
    std::vector<double> t;
    for (int i = 0; i < 21; ++i) {
        const auto t1 = Clock::now();
        canvas->repaint();
        t.push_back(ms_since(t1));
    }
    std::printf("cached redraw (repaint): %.2f ms median\n", median(t));
    canvas->zoomBy(4.0); // 1:2
    if (!window.waitUntilIdle(60000))
        return fail("not idle within 60 s");
    canvas->panBy(QPointF(-1500, -900));
    const auto t2 = Clock::now();
    canvas->repaint(); // coarse data (preview) at once
    std::printf("pan to uncached area: first repaint with coarse data %.1f ms\n", ms_since(t2));
    if (!window.waitUntilIdle(60000))
        return fail("not idle within 60 s");
    std::printf("pan to uncached area: refined tiles %.1f ms\n", ms_since(t2));
    return 0;
}

/// The longest the GUI thread went without returning to the event loop while `moves` runs
/// and until `settled` holds: each processEvents() call and each move is timed (a move
/// runs the panel's synchronous work, as a user's input event would).
struct StallMeter {
    double longest = 0;
    template <class F> void time(F&& f) {
        const auto t0 = Clock::now();
        f();
        longest = std::max(longest, ms_since(t0));
    }
    bool pumpUntil(const std::function<bool()>& done, int ms) {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > ms)
                return false;
            time([] { QCoreApplication::processEvents(QEventLoop::AllEvents); });
            QThread::usleep(200);
        }
        return true;
    }
};

int score(const QString& dir) {
    QWidget w;
    auto* layout = new QHBoxLayout(&w);
    auto* stack = new SceneStack(&w);
    auto* canvas = new MapCanvas;
    canvas->setFixedSize(1200, 1200);
    auto* panel = new ScorePanel(stack, canvas);
    CompositeController* ctl = panel->controller();
    ctl->setFullDelay(60 * 60 * 1000); // no full-resolution job in the way
    layout->addWidget(canvas, 1);
    layout->addWidget(panel);
    QObject::connect(stack, &SceneStack::currentChanged, canvas, [stack, canvas](int row) {
        canvas->setScene(row >= 0 ? stack->entry(row).data : nullptr);
    });
    QStringList files;
    for (const QString& f : QDir(dir).entryList({"*_sr.tif"}, QDir::Files, QDir::Name))
        files << dir + "/" + f;
    if (files.isEmpty())
        return fail("no *_sr.tif scenes in DIR");
    // The baseline: GDAL reading the whole scene (the viewport at scale 1) of every file.
    std::vector<std::string> gdalFiles;
    for (const QString& f : files) {
        gdalFiles.push_back(f.toStdString());
        const QString qa = f.left(f.size() - 7) + QStringLiteral("_fmask.tif");
        if (QFileInfo::exists(qa))
            gdalFiles.push_back(qa.toStdString());
    }
    const rb::Profile prof = rb::read_profile(gdalFiles.front());
    const double gdal =
        rbbench::gdal_read_best_ms(gdalFiles, rb::Window::full(prof.width, prof.height));
    stack->addFiles(files);
    if (!waitFor([&] { return !stack->isBusy(); }, 120000))
        return fail("scenes not loaded within 120 s");
    stack->setCurrent(0);
    w.resize(1200 + panel->sizeHint().width(), 1250);
    w.show();
    std::printf("%d scenes, load %.2f; GDAL reads the %d x %d window of every file in %.1f ms "
                "(ratios below are to it)\n",
                int(files.size()), rbbench::load1(), prof.width, prof.height, gdal);
    struct Row {
        std::string method;
        double first, full, stall, lastToFull;
        int shown;
    };
    std::vector<Row> table;
    for (const char* method : {"mask", "darkness", "median-distance", "cloud", "expression"}) {
        panel->methodCombo()->setCurrentText(method);
        if (!waitFor([&] { return ctl->viewport() && !ctl->isViewportPending(); }, 120000))
            return fail("no viewport preview within 120 s");
        const auto r = ctl->viewport();
        std::printf("%s: viewport %" PRId64 " x %" PRId64
                    " px (step %d), %d scenes, first preview read %.0f ms\n",
                    method, std::int64_t(r->plan.crop.width), std::int64_t(r->plan.crop.height),
                    r->plan.step, int(ctl->scenes().size()), r->readMs);
        std::vector<double> full, first;
        auto* spin = qobject_cast<QSpinBox*>(panel->scoreForm()->editor("invalid_distance"));
        if (!spin)
            return fail("the Score form has no invalid_distance spin box");
        for (int i = 0; i < 5; ++i) {
            const auto before = ctl->viewport();
            // Alternate between two values: each is a real change (the penalties are kept
            // across methods).
            spin->setValue(spin->value() == 1 ? 2 : 1);
            if (!waitFor([&] { return ctl->viewport() != before && !ctl->isViewportPending(); },
                         120000))
                return fail("no preview after a change within 120 s");
            full.push_back(ctl->lastLatencyMs());
            first.push_back(ctl->lastFirstOverlayMs());
            std::printf("  change %d: first overlay %.1f ms, full viewport %.1f ms (score %.1f, "
                        "composite %.1f)\n",
                        i, ctl->lastFirstOverlayMs(), ctl->lastLatencyMs(),
                        ctl->viewport()->scoreMs, ctl->viewport()->compositeMs);
        }
        // 50 rapid moves (a slider dragged at about 100 steps a second): the GUI thread's
        // longest block, how many previews were shown on the way, and the time from the last
        // move to its full viewport (the newest wins: no queue of stale previews before it).
        StallMeter stall;
        int shown = 0;
        const auto conn =
            QObject::connect(ctl, &CompositeController::viewportUpdated, [&] { ++shown; });
        int value = spin->value();
        for (int k = 0; k < 50; ++k) {
            value = value >= 3 ? 1 : value + 1;
            stall.time([&] { spin->setValue(value); });
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < 10)
                stall.time([] { QCoreApplication::processEvents(QEventLoop::AllEvents); });
        }
        const auto tLast = Clock::now();
        const auto last = ctl->viewport();
        if (!stall.pumpUntil([&] { return !ctl->isViewportPending() && ctl->viewport() != last; },
                             120000) &&
            ctl->isViewportPending())
            return fail("no preview after the rapid moves within 120 s");
        const double lastToFull = ms_since(tLast);
        QObject::disconnect(conn);
        std::printf("  50 rapid moves: longest GUI-thread block %.1f ms, %d previews shown, last "
                    "move -> its full viewport %.1f ms\n",
                    stall.longest, shown, lastToFull);
        table.push_back({method, median(first), median(full), stall.longest, lastToFull, shown});
    }
    std::printf("\n%-16s %22s %22s %16s %18s\n", "method", "first overlay", "full viewport",
                "GUI block (50)", "last move -> full");
    for (const Row& r : table)
        std::printf("%-16s %8.1f ms (%5.2fx)%s %8.1f ms (%5.2fx)%s %10.1f ms%s %12.1f ms\n",
                    r.method.c_str(), r.first, r.first / gdal, r.first / gdal <= 0.3 ? " " : "!",
                    r.full, r.full / gdal, r.full / gdal <= 1.0 ? " " : "!", r.stall,
                    r.stall <= 16 ? " " : "!", r.lastToFull);
    std::printf("(medians of 5 changes; ratios to GDAL's read of the same window in this run; ! "
                "over target: first 0.3x, full 1.0x, GUI block 16 ms)\n");
    return 0;
}

/// A one-band Float32 scene with texture and horizontal stripes every 8 rows.
void writeStriped(const std::string& path, int side) {
    rb::Profile p;
    p.width = p.height = side;
    p.count = 1;
    p.dtype = rb::DataType::Float32;
    rb::Raster r(rb::DataType::Float32, 1, side, side);
    auto v = r.band<float>(0);
    const double tau = 2 * 3.14159265358979323846;
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j)
            v[std::size_t(i) * std::size_t(side) + std::size_t(j)] =
                float(1000 + 60 * std::sin(tau * (j / 37.0 + i / 91.0)) +
                      40 * std::sin(tau * (j / 13.0 - i / 29.0)) + 25 * std::sin(tau * i / 8.0));
    rb::Dataset ds = rb::Dataset::create(path, p);
    ds.write(r);
    ds.close();
}

/// Median milliseconds of FFTW's complex-to-real inverse of a side x side image (measured
/// plan), the floor under one preview.
double fftwInverseMs(int side) {
    const std::size_t half = std::size_t(side) * std::size_t(side / 2 + 1);
    auto* in = fftwf_alloc_complex(half);
    auto* out = fftwf_alloc_real(std::size_t(side) * std::size_t(side));
    fftwf_plan plan = fftwf_plan_dft_c2r_2d(side, side, in, out, FFTW_MEASURE);
    std::vector<double> t;
    for (int k = 0; k < 12; ++k) {
        std::fill(reinterpret_cast<float*>(in), reinterpret_cast<float*>(in + half), 1.0f);
        const auto t0 = Clock::now();
        fftwf_execute(plan);
        t.push_back(ms_since(t0));
    }
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
    return median(t);
}

int deband(QString path) {
    if (path.isEmpty()) {
        std::filesystem::create_directories("/tmp/rasterbench-bench");
        path = QStringLiteral("/tmp/rasterbench-bench/deband_2048.tif");
        if (!QFileInfo::exists(path))
            writeStriped(path.toStdString(), 2048);
    }
    MapCanvas canvas;
    canvas.resize(800, 600);
    canvas.show();
    auto scene = std::make_shared<const SceneData>(SceneData::load(path));
    canvas.setScene(scene);
    auto panel = std::make_unique<DebandPanel>(&canvas);
    panel->resize(420, 720);
    panel->show();
    panel->setScene(scene);
    DebandController* ctl = panel->controller();
    if (!ctl->waitUntilReady(120000) || !ctl->waitForPreview(60000))
        return fail("the deband area did not become ready");
    std::printf("deband area %d x %d of %s\n", int(ctl->area().width), int(ctl->area().height),
                qPrintable(path));
    // Edits like a drag's, one at a time so each one's cost is seen alone.
    std::vector<double> compute, latency;
    for (int k = 0; k < 12; ++k) {
        rb::fft::NotchSet set;
        set.points.push_back({0.01 * k, 0.125, 0.003, rb::fft::NotchShape::Gaussian, 2});
        set.points.push_back({0.2, 0.01 * k - 0.05, 0.003, rb::fft::NotchShape::Gaussian, 2});
        set.stripes.push_back({0.0, 0.003, 0.002, 0.02});
        ctl->setNotches(set);
        if (!ctl->waitForPreview(30000))
            return fail("a preview did not arrive");
        compute.push_back(ctl->lastPreviewMs());
        latency.push_back(ctl->lastPreviewLatencyMs());
    }
    const double fftw = fftwInverseMs(int(std::max(ctl->area().width, ctl->area().height)));
    auto range = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        std::printf("median %.1f ms (min %.1f, max %.1f)", median(v), v.front(), v.back());
    };
    std::printf("preview mask + inverse: ");
    range(compute);
    std::printf("\nedit -> map:            ");
    range(latency);
    std::printf("\nFFTW c2r inverse alone: %.1f ms; preview / FFTW = %.2fx; target 16 ms\n", fftw,
                median(compute) / fftw);
    panel.reset(); // before the canvas it draws on
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    rb::keep_freed_memory(); // as the workbench does
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // Keep the user's settings and caches out of it.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("Rasterbench"));
    QCoreApplication::setApplicationName(QStringLiteral("rasterbench-bench"));
    const QStringList args = app.arguments();
    if (args.size() == 3 && args[1] == QLatin1String("viewer"))
        return viewer(args[2]);
    if (args.size() == 3 && args[1] == QLatin1String("score"))
        return score(args[2]);
    if ((args.size() == 2 || args.size() == 3) && args[1] == QLatin1String("deband"))
        return deband(args.size() == 3 ? args[2] : QString());
    std::fprintf(stderr, "usage: bench_ui_widgets viewer SCENE | score DIR | deband [SCENE]\n");
    return 2;
}
