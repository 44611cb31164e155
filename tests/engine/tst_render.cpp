// Contrast stretch statistics and RGBA rendering on real data.
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "rasterbench/dataset.h"
#include "rasterbench/render.h"
#include "test_support.h"

using namespace rb;

class RenderTest : public QObject {
    Q_OBJECT
private slots:
    void percentClipIsExactOnValidPixels() {
        const Raster r = Dataset::open(rbtest::sample()).read();
        const auto s = compute_stretch(r, StretchOptions{});
        QCOMPARE(s.size(), std::size_t(3));
        for (int b = 0; b < 3; ++b) {
            std::vector<double> v;
            for (int y = 0; y < r.rows(); ++y)
                for (int x = 0; x < r.cols(); ++x)
                    if (r.valid(b, y, x))
                        v.push_back(r.value(b, y, x));
            std::sort(v.begin(), v.end());
            QVERIFY(v.size() > 100000);
            const auto at = [&](double pct) {
                return v[std::size_t(std::llround(pct / 100.0 * double(v.size() - 1)))];
            };
            QCOMPARE(s[std::size_t(b)].lo, at(2));
            QCOMPARE(s[std::size_t(b)].hi, at(98));
            QVERIFY(s[std::size_t(b)].lo > 0); // nodata 0 excluded
        }
        StretchOptions mm;
        mm.mode = StretchMode::MinMax;
        const auto m = compute_stretch(r, mm);
        QVERIFY(m[0].lo >= 1 && m[0].hi <= 255 && m[0].lo < s[0].lo && m[0].hi >= s[0].hi);
        StretchOptions sd;
        sd.mode = StretchMode::StdDev;
        sd.stddev_k = 1;
        const auto d = compute_stretch(r, sd);
        QVERIFY(d[0].lo < d[0].hi);
    }

    void renderMapsStretchAndMask() {
        Raster r(DataType::UInt16, 3, 2, 2);
        for (int b = 0; b < 3; ++b) {
            r.set_value(b, 0, 0, 100);  // at lo -> 0
            r.set_value(b, 0, 1, 1100); // at hi -> 255
            r.set_value(b, 1, 0, 600);  // middle
        }
        r.set_value(1, 1, 0, 5000); // green saturates
        r.mask(2)[3] = kInvalid;    // pixel (1,1) invalid in blue only
        const std::vector<StretchRange> s(3, StretchRange{100, 1100});
        const Rgba8Image img = render_rgba(r, s);
        QCOMPARE(img.pixels[0], 0xff000000u);
        QCOMPARE(img.pixels[1], 0xffffffffu);
        QCOMPARE(img.pixels[2], 0xff80ff80u); // (600-100)/1000*255 = 127.5 -> 128
        QCOMPARE(img.pixels[3], 0u);          // transparent
        // Grey from one band, with gamma brightening the middle.
        RenderOptions grey;
        grey.rgb_bands = {0};
        grey.gamma = 2.0;
        const Rgba8Image g = render_rgba(r, s, grey);
        const std::uint32_t mid = g.pixels[2] & 0xff;
        QVERIFY(mid > 128 && mid == ((g.pixels[2] >> 8) & 0xff));
        RenderOptions bad;
        bad.rgb_bands = {0, 5, 1};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, render_rgba(r, s, bad));
    }
};

QTEST_GUILESS_MAIN(RenderTest)
#include "tst_render.moc"
