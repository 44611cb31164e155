// Colour maps and the display renderer: names, table shapes, single-band rendering through a
// map against the RGB renderer, categorical colours per value, transparency of invalid
// samples, and acquisition dates parsed from metadata and product names.
#include <QtTest>
#include <cmath>

#include "rasterbench/colormap.h"
#include "rasterbench/dataset.h"
#include "rasterbench/display.h"
#include "rasterbench/scene_date.h"
#include "test_support.h"

using namespace rb;

namespace {
int luminance(std::uint32_t c) {
    return int(0.299 * ((c >> 16) & 0xff) + 0.587 * ((c >> 8) & 0xff) + 0.114 * (c & 0xff));
}
} // namespace

class ColormapTest : public QObject {
    Q_OBJECT
private slots:
    void namesRoundTrip() {
        for (Colormap c : all_colormaps())
            QCOMPARE(parse_colormap(colormap_name(c)), std::optional<Colormap>(c));
        QCOMPARE(parse_colormap("GRAY"), std::optional<Colormap>(Colormap::Grey));
        QVERIFY(!parse_colormap("jet"));
        QCOMPARE(all_colormaps().size(), std::size_t(5));
    }

    void sequentialMapsGetBrighter() {
        // Perceptual maps used for magnitudes must not reverse in lightness.
        for (Colormap c : {Colormap::Grey, Colormap::Viridis, Colormap::Magma}) {
            const auto& t = colormap_table(c);
            QVERIFY(luminance(t[255]) - luminance(t[0]) > 150);
            for (int i = 8; i < 256; i += 8)
                QVERIFY2(luminance(t[std::size_t(i)]) + 2 >= luminance(t[std::size_t(i - 8)]),
                         qPrintable(QString("%1 at %2").arg(colormap_name(c).data()).arg(i)));
        }
        QCOMPARE(colormap_table(Colormap::Grey)[0], 0xff000000u);
        QCOMPARE(colormap_table(Colormap::Grey)[255], 0xffffffffu);
        // Diverging: both ends darker and more saturated than the middle.
        const auto& d = colormap_table(Colormap::Diverging);
        QVERIFY(luminance(d[128]) > luminance(d[0]) + 60 &&
                luminance(d[128]) > luminance(d[255]) + 60);
        QVERIFY((d[0] & 0xff) > ((d[0] >> 16) & 0xff));     // blue end
        QVERIFY(((d[255] >> 16) & 0xff) > (d[255] & 0xff)); // red end
    }

    void singleBandGreyEqualsRgbRendererAndHonoursMask() {
        const Raster r = Dataset::open(rbtest::sample()).read();
        DisplaySettings s;
        s.bands = {2};
        s.stretch = {{20, 140}};
        s.gamma = 1.7;
        const Rgba8Image grey = render_display(r, {1, 2, 3}, s);
        RenderOptions ro;
        ro.rgb_bands = {1};
        ro.gamma = 1.7;
        const Rgba8Image ref = render_rgba(r, {{0, 1}, {20, 140}, {0, 1}}, ro);
        QCOMPARE(grey.width, r.cols());
        QVERIFY(grey.pixels == ref.pixels);
        int transparent = 0;
        for (std::size_t i = 0; i < grey.pixels.size(); ++i)
            if (!r.valid(1, int(i / std::size_t(r.cols())), int(i % std::size_t(r.cols())))) {
                QCOMPARE(grey.pixels[i], 0u);
                ++transparent;
            }
        QVERIFY(transparent > 1000);

        // Viridis: each pixel is the table entry of its stretched value.
        s.colormap = Colormap::Viridis;
        s.gamma = 1;
        const Rgba8Image v = render_display(r, {1, 2, 3}, s);
        const int x = 400, y = 350;
        QVERIFY(r.valid(1, y, x));
        const double t = std::clamp((r.value(1, y, x) - 20) * 255.0 / 120.0, 0.0, 255.0);
        QCOMPARE(v.pixels[std::size_t(y) * r.cols() + x],
                 colormap_table(Colormap::Viridis)[std::size_t(int(t + 0.5))]);
    }

    void categoricalColoursEachValue() {
        Raster r(DataType::Int16, 1, 2, 3);
        const std::int16_t values[] = {-1, 0, 1, 12, 13, 7};
        for (int i = 0; i < 6; ++i)
            r.set_value(0, i / 3, i % 3, values[i]);
        r.ensure_mask();
        r.mask(0)[5] = kInvalid;
        DisplaySettings s;
        s.bands = {1};
        s.colormap = Colormap::Categorical;
        s.stretch = {{100, 200}}; // ignored
        const Rgba8Image img = render_display(r, {1}, s);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(img.pixels[std::size_t(i)], categorical_color(values[i]));
        QCOMPARE(img.pixels[5], 0u);
        QCOMPARE(categorical_color(0), categorical_color(categorical_palette_size()));
        QCOMPARE(categorical_color(-1), categorical_color(categorical_palette_size() - 1));
        QVERIFY(categorical_color(0) != categorical_color(1));
    }

    void rgbWithRepeatedBandAndUnreadBand() {
        const Raster r = Dataset::open(rbtest::sample()).read();
        DisplaySettings s;
        s.bands = {3, 3, 1};
        s.stretch = {{0, 255}, {50, 100}, {0, 255}};
        const Rgba8Image img = render_display(r, {1, 2, 3}, s);
        const int x = 400, y = 350;
        const std::uint32_t c = img.pixels[std::size_t(y) * r.cols() + x];
        const double v3 = r.value(2, y, x);
        QCOMPARE(int((c >> 16) & 0xff), int(std::lround(std::clamp(v3, 0.0, 255.0))));
        QCOMPARE(int((c >> 8) & 0xff), int(std::clamp((v3 - 50) * 255.0 / 50.0, 0.0, 255.0) + 0.5));
        s.bands = {4, 2, 1};
        QVERIFY_THROWS_EXCEPTION(ArgumentError, render_display(r, {1, 2, 3}, s));
    }

    void scriptedStretchAndBands() {
        QCOMPARE(parse_stretch("minmax")->mode, StretchMode::MinMax);
        const auto pct = parse_stretch("pct:1,99.5");
        QVERIFY(pct && pct->mode == StretchMode::PercentClip);
        QCOMPARE(pct->low_percent, 1.0);
        QCOMPARE(pct->high_percent, 99.5);
        QCOMPARE(parse_stretch("std:1.5")->stddev_k, 1.5);
        const auto m = parse_stretch("manual:0,3000/10,2500/-5,9");
        QVERIFY(m && m->manual.size() == 3);
        QCOMPARE(m->manual[2].lo, -5.0);
        QCOMPARE(parse_stretch("manual:0,1")->manual.size(), std::size_t(1));
        for (const char* bad :
             {"", "pct:5", "pct:60,40", "std:0", "manual:1,2/3", "clip", "minmax:1"})
            QVERIFY2(!parse_stretch(bad), bad);
        QCOMPARE(*parse_band_list("4,3,2"), (std::vector<int>{4, 3, 2}));
        QCOMPARE(*parse_band_list("7"), (std::vector<int>{7}));
        for (const char* bad : {"", "1,2", "0", "1.5", "a,b,c"})
            QVERIFY2(!parse_band_list(bad), bad);
    }

    void sceneDatesFromMetadataAndNames() {
        // The viewer's test scenes state their dates in metadata; the names agree.
        for (const char* name : {"viewer/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif",
                                 "viewer/2008-04-27_LE07_LE70350322008118EDC00_sr.tif"}) {
            const auto ds = rbtest::gdal_open(rbtest::data(name));
            const char* md = GDALGetMetadataItem(ds.get(), "ACQUISITION_DATE", nullptr);
            QVERIFY(md);
            const Profile p = read_profile(rbtest::data(name));
            const auto d = scene_date(p.metadata, rbtest::data(name));
            QVERIFY(d);
            QCOMPARE(QString::fromStdString(d->iso()), QString(md));
            QCOMPARE(date_from_name(name), d);
        }
        // Names alone: product id (acquisition, not processing date), scene id (day of year
        // in a leap year), Sentinel-2, ISO; nonsense gives nothing.
        QCOMPARE(date_from_name("LC08_L1TP_013032_20180131_20180207_01_T1_BQA.tif")->iso(),
                 std::string("2018-01-31"));
        QCOMPARE(date_from_name("LE70350322008118EDC00_b3.tif")->iso(), std::string("2008-04-27"));
        QCOMPARE(date_from_name("LT50350322008366PAC01")->iso(), std::string("2008-12-31"));
        QCOMPARE(date_from_name("T33UUU_20170216T102101_B01.jp2")->iso(),
                 std::string("2017-02-16"));
        QCOMPARE(date_from_name("S2_20150711T100008_ndvi.tif")->iso(), std::string("2015-07-11"));
        QCOMPARE(date_from_name("scene_2010-11-03.tif")->iso(), std::string("2010-11-03"));
        QVERIFY(!date_from_name("scene_20181345.tif"));
        QVERIFY(!date_from_name("RGB.byte.tif"));
        std::map<std::string, std::string> md{{"SENSING_TIME", "2016-01-12T15:52:32.123Z"}};
        QCOMPARE(scene_date(md, "LC08_L1TP_013032_20180131_x_01_T1.tif")->iso(),
                 std::string("2016-01-12")); // metadata beats the name
        QCOMPARE((SceneDate{1970, 1, 1}.days_since_epoch()), 0LL);
        QCOMPARE((SceneDate{2000, 3, 1}.days_since_epoch()), 11017LL);
        QVERIFY((SceneDate{2008, 4, 27} < SceneDate{2008, 5, 5}));
    }
};

QTEST_APPLESS_MAIN(ColormapTest)
#include "tst_colormap.moc"
