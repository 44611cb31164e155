// Affine algebra (including rotated and sheared grids from real files) and windows.
#include <QtTest>
#include <array>
#include <cmath>

#include "rasterbench/affine.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/window.h"
#include "test_support.h"

using namespace rb;

class AffineWindow : public QObject {
    Q_OBJECT

    static void compareToGdal(const std::string& path) {
        auto g = rbtest::gdal_open(path);
        QVERIFY(g);
        std::array<double, 6> gt{};
        QCOMPARE(GDALGetGeoTransform(g.get(), gt.data()), CE_None);
        std::array<double, 6> inv{};
        QVERIFY(GDALInvGeoTransform(gt.data(), inv.data()));
        const Affine t = Dataset::open(path).profile().transform;
        QVERIFY(!t.is_rectilinear());
        QCOMPARE(t.to_gdal(), gt);
        const Affine ti = t.inverse();
        for (double col : {0.0, 0.5, 3.25, 9.0})
            for (double row : {0.0, 1.5, 7.75}) {
                double gx = 0, gy = 0;
                GDALApplyGeoTransform(gt.data(), col, row, &gx, &gy);
                auto [x, y] = t.apply(col, row);
                QVERIFY(std::fabs(x - gx) < 1e-9 * std::max(1.0, std::fabs(gx)));
                QVERIFY(std::fabs(y - gy) < 1e-9 * std::max(1.0, std::fabs(gy)));
                double pc = 0, pr = 0;
                GDALApplyGeoTransform(inv.data(), gx, gy, &pc, &pr);
                auto [c, r] = ti.apply(x, y);
                QVERIFY(std::fabs(c - pc) < 1e-7 && std::fabs(r - pr) < 1e-7);
                QVERIFY(std::fabs(c - col) < 1e-7 && std::fabs(r - row) < 1e-7);
            }
    }

private slots:
    void composeAndInvert() {
        const Affine t = Affine::translation(100, 200) * Affine::rotation(30) *
                         Affine::scale(20, -10) * Affine::shear(5, -3);
        const Affine id = t * t.inverse();
        QVERIFY(id.almost_equals(Affine::identity(), 1e-9));
        QVERIFY((t.inverse() * t).almost_equals(Affine::identity(), 1e-9));
        // (A*B)(p) == A(B(p))
        const Affine a = Affine::rotation(17), b = Affine::translation(3, -4) * Affine::scale(2, 5);
        auto [bx, by] = b.apply(1.5, -2.5);
        auto [x1, y1] = a.apply(bx, by);
        auto [x2, y2] = (a * b).apply(1.5, -2.5);
        QVERIFY(std::fabs(x1 - x2) < 1e-12 && std::fabs(y1 - y2) < 1e-12);
        // Rotation by 90 degrees maps x axis onto y axis.
        auto [rx, ry] = Affine::rotation(90).apply(1, 0);
        QVERIFY(std::fabs(rx) < 1e-12 && std::fabs(ry - 1) < 1e-12);
        // GDAL order round trip.
        QCOMPARE(Affine::from_gdal(t.to_gdal()), t);
    }

    void degenerateInverseThrows() {
        QVERIFY_THROWS_EXCEPTION(ArgumentError, (Affine{1, 2, 0, 2, 4, 0}.inverse()));
        QVERIFY_THROWS_EXCEPTION(ArgumentError, (Affine{0, 0, 5, 0, 0, 5}.inverse()));
    }

    void rotatedFile() { compareToGdal(rbtest::tricky("rotated.tif")); }
    void shearedFile() { compareToGdal(rbtest::tricky("derived_sheared_rgb_byte_tenth.tif")); }

    void windowIntersectionAndClamp() {
        const Window a{10, 20, 100, 50}, b{90, 60, 40, 40};
        QCOMPARE(a.intersection(b), (Window{90, 60, 20, 10}));
        QVERIFY(a.intersection(Window{200, 200, 5, 5}).empty());
        QCOMPARE((Window{-5, -5, 20, 20}.clamped(10, 8)), (Window{0, 0, 10, 8}));
        QVERIFY(Window::full(10, 10).contains(Window{2, 2, 8, 8}));
        QVERIFY(!Window::full(10, 10).contains(Window{2, 2, 9, 8}));
    }

    void windowOutsideIsAnError() {
        Window{0, 0, 10, 10}.require_inside(10, 10);
        Window{9, 9, 1, 1}.require_inside(10, 10);
        QVERIFY_THROWS_EXCEPTION(WindowError, (Window{9, 9, 2, 1}.require_inside(10, 10)));
        QVERIFY_THROWS_EXCEPTION(WindowError, (Window{-1, 0, 2, 2}.require_inside(10, 10)));
        QVERIFY_THROWS_EXCEPTION(WindowError, (Window{0, 0, 0, 2}.require_inside(10, 10)));
        try {
            Window{50, 60, 10, 10}.require_inside(40, 30);
            QFAIL("no exception");
        } catch (const WindowError& e) {
            const QString m = e.what();
            QVERIFY2(m.contains("col 50") && m.contains("40x30"), e.what());
        }
    }

    void windowFromBounds() {
        // North-up 30 m grid: bounds on pixel edges give exact windows.
        const Affine t{30, 0, 500000, 0, -30, 4000000};
        const Window w = Window::from_bounds(
            {500000 + 30 * 10, 4000000 - 30 * 25, 500000 + 30 * 40, 4000000 - 30 * 5}, t);
        QCOMPARE(w, (Window{10, 5, 30, 20}));
        // Bounds inside pixels round outward.
        const Window w2 = Window::from_bounds(
            {500000 + 30 * 10.5, 4000000 - 30 * 24.2, 500000 + 30 * 39.1, 4000000 - 30 * 5.9}, t);
        QCOMPARE(w2, (Window{10, 5, 30, 20}));
        // Round trip through bounds() for a rotated grid covers the window.
        const Affine r =
            Affine::translation(1000, 2000) * Affine::rotation(30) * Affine::scale(20, -10);
        const Window src{3, 4, 5, 6};
        const Window back = Window::from_bounds(src.bounds(r), r);
        QVERIFY(back.contains(src));
        // Window transform: its origin is the window's upper-left corner.
        auto [x, y] = src.transform(t).apply(0, 0);
        auto [ex, ey] = t.apply(3, 4);
        QCOMPARE(x, ex);
        QCOMPARE(y, ey);
    }
};

QTEST_GUILESS_MAIN(AffineWindow)
#include "tst_affine_window.moc"
