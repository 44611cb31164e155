// Contrast stretch statistics and RGBA rendering on real data.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

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

    void everySampleFollowsTheStretchAndGamma() {
        // Integer types render through a per-value table, floats per sample: both must give
        // each pixel what the stretch and gamma define, over each type's whole range.
        std::mt19937 rng(5);
        const double gamma = 1.6;
        const auto expected = [&](double v, const StretchRange& s) -> std::uint32_t {
            const double span = s.hi - s.lo;
            const double t = span != 0 ? (v - s.lo) * (255.0 / span) : (v >= s.hi ? 255.0 : 0.0);
            const int i = int(std::clamp(t, 0.0, 255.0) + 0.5);
            return std::uint32_t(std::lround(255.0 * std::pow(i / 255.0, 1.0 / gamma)));
        };
        for (const DataType dt : {DataType::UInt8, DataType::Int8, DataType::UInt16,
                                  DataType::Int16, DataType::Float32}) {
            Raster r(dt, 3, 37, 41);
            const double lo = is_floating(dt) ? -40000.0 : visit_dtype(dt, [](auto x) {
                return double(std::numeric_limits<decltype(x)>::lowest());
            });
            const double hi = is_floating(dt) ? 40000.0 : visit_dtype(dt, [](auto x) {
                return double(std::numeric_limits<decltype(x)>::max());
            });
            std::uniform_real_distribution<double> value(lo, hi);
            std::uniform_int_distribution<int> one_in(0, 9);
            std::uniform_real_distribution<double> near_zero(-20, 120);
            for (int b = 0; b < 3; ++b)
                for (int y = 0; y < r.rows(); ++y)
                    for (int x = 0; x < r.cols(); ++x) {
                        // Half near zero, where the narrow stretches below ramp.
                        const double v = one_in(rng) < 5 ? near_zero(rng) : value(rng);
                        r.set_value(b, y, x, std::round(std::clamp(v, lo, hi)));
                        if (one_in(rng) == 0)
                            r.mask(b)[std::size_t(y * r.cols() + x)] = kInvalid;
                    }
            r.set_value(0, 0, 0, lo); // the table's ends
            r.set_value(1, 0, 0, hi);
            if (dt == DataType::Float32)
                r.band<float>(2)[5] = std::numeric_limits<float>::quiet_NaN();
            // Stretches inside the range, beyond it, of zero span, inverted, with
            // fractional ends, narrow.
            const std::vector<std::vector<StretchRange>> stretches = {
                {{lo / 3, hi / 2}, {lo * 2, hi * 2}, {hi / 4, hi / 4}},
                {{hi / 2, lo / 3}, {0.5, 0.5}, {lo + 0.25, hi - 0.75}},
                {{10, 13.5}, {-3, 2}, {101, 100}}}; // a few values per step of the ramp
            for (const auto& s : stretches) {
                RenderOptions o;
                o.gamma = gamma;
                const Rgba8Image img = render_rgba(r, s, o);
                for (std::size_t i = 0; i < r.band_size(); ++i) {
                    const int y = int(i / std::size_t(r.cols())),
                              x = int(i % std::size_t(r.cols()));
                    bool visible = true;
                    std::uint32_t want = 0;
                    for (int b = 0; b < 3; ++b) {
                        const double v = r.value(b, y, x);
                        visible = visible && r.valid(b, y, x) && !std::isnan(v);
                        want |= expected(v, s[std::size_t(b)]) << (16 - 8 * b);
                    }
                    want = visible ? want | 0xff000000u : 0u;
                    if (img.pixels[i] != want)
                        QFAIL(qPrintable(
                            QStringLiteral("%1 pixel %2: %3, expected %4 (stretch %5..%6)")
                                .arg(QString::fromStdString(std::string(dtype_name(dt))))
                                .arg(i)
                                .arg(img.pixels[i], 8, 16)
                                .arg(want, 8, 16)
                                .arg(s[0].lo)
                                .arg(s[0].hi)));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(RenderTest)
#include "tst_render.moc"
