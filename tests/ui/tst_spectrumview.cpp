// The deband panel on the offscreen platform: the spectrum of the sample scene, a notch
// placed by a simulated click, and the preview checked in the frequency domain (what changed
// is the clicked frequency, not something else), the map overlay, hover, drag, delete, undo.
#include <QLabel>
#include <QtTest>

#include <complex>
#include <numbers>

#include "DebandController.h"
#include "DebandPanel.h"
#include "MapCanvas.h"
#include "SceneLayer.h"
#include "SpectrumView.h"

using namespace rb::ui;

namespace {

/// |sum D(x, y) exp(-2 pi i (u x + v y))| over the area (the change's content at (u, v)).
double amplitude(const std::vector<float>& d, int rows, int cols, double u, double v) {
    std::complex<double> s = 0;
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            s += double(d[std::size_t(i) * cols + j]) *
                 std::polar(1.0, -2 * std::numbers::pi * (u * j + v * i));
    return std::abs(s);
}

} // namespace

class TestSpectrumView : public QObject {
    Q_OBJECT
private slots:
    void clickPlacesNotchAndPreviewChangesThere() {
        MapCanvas canvas;
        canvas.resize(800, 600);
        canvas.show();
        const auto scene = std::make_shared<const SceneData>(SceneData::load(RB_SAMPLE));
        canvas.setScene(scene);
        DebandPanel panel(&canvas);
        panel.resize(420, 640);
        panel.show();
        panel.setScene(scene);
        DebandController* ctl = panel.controller();
        QVERIFY(ctl->waitUntilReady());
        const rb::Window area = ctl->area();
        QCOMPARE(area.width, 791); // a scene smaller than the area limit is taken whole
        QCOMPARE(area.height, 718);
        const int rows = int(area.height), cols = int(area.width);
        SpectrumView* view = panel.spectrumView();
        QVERIFY(view->spectrum());
        QCOMPARE(view->spectrum()->cols, cols);

        // No notch: the preview is the scene.
        const std::vector<float> before = ctl->before();
        double maxDiff = 0;
        for (std::size_t k = 0; k < before.size(); ++k)
            maxDiff = std::max(maxDiff, double(std::abs(ctl->after()[k] - before[k])));
        QVERIFY2(maxDiff < 0.05, qPrintable(QString::number(maxDiff)));

        // Hover read-out at the frequency about to be clicked.
        const double u0 = 24.0 / cols, v0 = 40.0 / rows;
        const QPoint pos = view->frequencyToWidget(u0, v0).toPoint();
        QMouseEvent hover(QEvent::MouseMove, QPointF(pos), view->mapToGlobal(QPointF(pos)),
                          Qt::NoButton, Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(view, &hover);
        QVERIFY(panel.hoverLabel()->text().contains(QStringLiteral("period")));

        QTest::mouseClick(view, Qt::LeftButton, {}, pos);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        const auto n = ctl->notches().points.front();
        // The widget is smaller than the spectrum: a click is exact to a widget pixel.
        const double tol = 1.5 * std::max(cols, rows) / double(view->width()) / cols + 1e-9;
        QVERIFY2(std::abs(n.u - u0) < tol && std::abs(n.v - v0) < tol,
                 qPrintable(QStringLiteral("%1 %2").arg(n.u).arg(n.v)));
        qInfo("preview after the click: %.2f ms (%dx%d)", ctl->lastPreviewMs(), cols, rows);

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

        // The map shows the result over the scene; Before shows the scene itself.
        QVERIFY(!canvas.overlay(QStringLiteral("deband-2-area")).isNull());
        ctl->setShow(DebandController::Show::Before);
        QVERIFY(canvas.overlay(QStringLiteral("deband-2-area")).isNull());
        ctl->setShow(DebandController::Show::Difference);
        QVERIFY(!canvas.overlay(QStringLiteral("deband-2-area")).isNull());

        // Drag the notch's twin: the notch follows (mirrored), as one undo step.
        const QPoint twin = view->frequencyToWidget(-n.u, -n.v).toPoint();
        const QPoint target = view->frequencyToWidget(-n.u - 10.0 / cols, -n.v).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, twin);
        QMouseEvent move(QEvent::MouseMove, QPointF(target), view->mapToGlobal(QPointF(target)),
                         Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view, &move);
        QTest::mouseRelease(view, Qt::LeftButton, {}, target);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        QVERIFY(ctl->notches().points.front().u > n.u + 5.0 / cols);

        // Undo the drag, then the placement: back to no notch and the scene itself.
        ctl->undo();
        QVERIFY(std::abs(ctl->notches().points.front().u - n.u) < 1e-12);
        ctl->undo();
        QVERIFY(ctl->notches().points.empty());
        maxDiff = 0;
        for (std::size_t k = 0; k < before.size(); ++k)
            maxDiff = std::max(maxDiff, double(std::abs(ctl->after()[k] - before[k])));
        QVERIFY(maxDiff < 0.05);

        // Right click deletes; the stripe tool adds a stripe notch.
        QTest::mouseClick(view, Qt::LeftButton, {}, pos);
        QCOMPARE(ctl->notches().points.size(), std::size_t(1));
        QTest::mouseClick(view, Qt::RightButton, {}, pos);
        QVERIFY(ctl->notches().points.empty());
        view->setTool(SpectrumView::Tool::Stripe);
        QTest::mouseClick(view, Qt::LeftButton, {}, pos);
        QCOMPARE(ctl->notches().stripes.size(), std::size_t(1));
        QVERIFY(std::abs(ctl->notches().stripes.front().angle_deg -
                         rb::fft::frequency_info(u0, v0).stripe_deg) < 2.0);
    }
};

QTEST_MAIN(TestSpectrumView)
#include "tst_spectrumview.moc"
