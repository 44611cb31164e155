// Our warp kernel (nearest and bilinear, engine/src/geo/warp_fast.cpp) against GDAL's warp kernel
// run by the same tiling (warp option RB_FAST_PATH=NO): with the exact transformer the pixels
// must be the same; with the default approximate transformer they stay within 1 DN almost
// everywhere; previews equal the full run; every pixel type and validity source (nodata,
// alpha band, per-dataset mask, array masks) on real files and generated arrays.
#include <QtTest>
#include <cmath>

#include "rasterbench/dataset.h"
#include "rasterbench/warp.h"
#include "test_support.h"

using namespace rb;

namespace {

struct Diff {
    std::size_t samples = 0, validity = 0, values = 0, beyond_1 = 0, both_valid = 0;
    std::string text() const {
        return std::to_string(validity) + " validity, " + std::to_string(values) + " value, " +
               std::to_string(beyond_1) + " >1 differences in " + std::to_string(both_valid) +
               " samples valid in both of " + std::to_string(samples);
    }
};

Diff compare(const Raster& a, const Raster& b) {
    Diff d;
    if (a.bands() != b.bands() || a.rows() != b.rows() || a.cols() != b.cols()) {
        d.validity = d.samples = std::max<std::size_t>(1, a.size());
        return d;
    }
    d.samples = a.size();
    for (int band = 0; band < a.bands(); ++band)
        for (int y = 0; y < a.rows(); ++y)
            for (int x = 0; x < a.cols(); ++x) {
                const bool va = a.valid(band, y, x), vb = b.valid(band, y, x);
                if (va != vb) {
                    ++d.validity;
                    continue;
                }
                const double pa = a.value(band, y, x), pb = b.value(band, y, x);
                if (!va) {
                    d.values += pa != pb; // both hold the fill value
                    continue;
                }
                ++d.both_valid;
                const bool same = pa == pb || (std::isnan(pa) && std::isnan(pb));
                d.values += !same;
                d.beyond_1 += !same && !(std::fabs(pa - pb) <= 1.0);
            }
    return d;
}

ReprojectOptions kernel(ReprojectOptions o, bool ours) {
    o.warp_options["RB_FAST_PATH"] = ours ? "YES" : "NO";
    return o;
}

// gdalwarp's default grid (about the source's resolution, so bilinear uses its 4-sample
// formula) and a window of it around the centre, at most `size` pixels square.
std::pair<Grid, Window> grid_for(const std::string& file, const Crs& crs, int size) {
    const Grid g = default_grid(grid_of(read_profile(file)), crs);
    const std::int64_t w = std::min(g.width, size), h = std::min(g.height, size);
    return {g, Window{(g.width - w) / 2, (g.height - h) / 2, w, h}};
}

// A raster of type `t` with a smooth ramp, values spanning most of the type's range for
// integers (so rounding and clamping matter), and an optional mask with holes.
Raster generated(DataType t, int rows, int cols, bool with_mask) {
    Raster r(t, 2, rows, cols);
    const double lo = t == DataType::UInt16 || t == DataType::UInt32 ? 0
                      : t == DataType::Int16                         ? -30000
                      : t == DataType::Int32                         ? -2e9
                                                                     : -1e6;
    const double hi = t == DataType::UInt16   ? 65535
                      : t == DataType::Int16  ? 30000
                      : t == DataType::UInt32 ? 4e9
                      : t == DataType::Int32  ? 2e9
                                              : 1e6;
    for (int b = 0; b < 2; ++b)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x) {
                const double f = 0.5 + 0.5 * std::sin(0.09 * x + 0.05 * y + b);
                const double v = lo + (hi - lo) * f;
                r.set_value(b, y, x, is_floating(t) ? v + 0.123 * b : std::round(v));
            }
    if (with_mask) {
        r.ensure_mask();
        for (int b = 0; b < 2; ++b)
            for (int y = 0; y < rows; ++y)
                for (int x = 0; x < cols; ++x)
                    if ((x / 7 + y / 5) % 4 == 0 || x + y < 9)
                        r.mask(b)[std::size_t(y) * cols + x] = kInvalid;
    }
    return r;
}

} // namespace

class WarpFastTest : public QObject {
    Q_OBJECT
private slots:
    void files_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("crs");
        auto row = [](const char* name, const std::string& path, const char* crs) {
            QTest::newRow(name) << QString::fromStdString(path) << QString(crs);
        };
        row("RGB, nodata 0, 3 bands", rbtest::sample(), "EPSG:3857");
        row("alpha band", rbtest::tricky("alpha.tif"), "EPSG:3857");
        row("per-dataset mask", rbtest::tricky("RGB2.byte.tif"), "EPSG:4326");
        row("sheared, nodata", rbtest::tricky("derived_sheared_rgb_byte_tenth.tif"), "EPSG:4326");
        row("world to polar", rbtest::tricky("world.byte.tif"), "EPSG:3413");
        row("antimeridian", rbtest::tricky("world.byte.tif"), "+proj=merc +lon_0=150 +datum=WGS84");
        row("geostationary", rbtest::tricky("goes.tif"), "EPSG:4326");
        row("Int16, nodata -9999",
            rbtest::data("features/2008-06-14_LE07_LE70350322008166EDC00_sr.tif"), "EPSG:4326");
        row("UInt16", rbtest::data("features/lulc_reference_raster.tif"), "EPSG:3857");
        row("UInt16, all nodata", rbtest::tricky("all-nodata.tif"), "EPSG:4326");
        row("UInt16 with UInt16 alpha", rbtest::tricky("RGBA.uint16.tif"), "EPSG:4326");
        row("Float32 nodata", rbtest::tricky("float_raster_with_nodata.tif"), "EPSG:3857");
    }

    void files() {
        // Exact transformer on both sides: the same source coordinates, so our kernel must
        // reproduce GDAL's pixels.
        QFETCH(QString, file);
        QFETCH(QString, crs);
        const std::string path = file.toStdString();
        const Dataset src = Dataset::open(path);
        const auto [g, window] = grid_for(path, Crs::from_user_input(crs.toStdString()), 256);
        for (auto r : {WarpResampling::Nearest, WarpResampling::Bilinear}) {
            ReprojectOptions o;
            o.window = window;
            o.resampling = r;
            o.tile_size = 128;
            o.error_threshold = 0;
            const Raster ours = reproject(src, g, {}, kernel(o, true));
            const Raster gdal = reproject(src, g, {}, kernel(o, false));
            const Diff d = compare(ours, gdal);
            const std::string what =
                path + " " + std::string(warp_resampling_name(r)) + " exact: " + d.text();
            qInfo("%s", what.c_str());
            QVERIFY2(d.validity == 0 && d.values == 0, what.c_str());

            // Default approximation: our interpolation of source coordinates (a 2-D grid per
            // tile) differs from GDAL's (along rows), so pixels near a boundary may switch;
            // we may not stray from the exact result more than GDAL's approximation does.
            o.error_threshold = 0.125;
            const Diff a = compare(reproject(src, g, {}, kernel(o, true)), gdal);
            const Diff b = compare(reproject(src, g, {}, kernel(o, false)), gdal);
            const std::string approx = path + " " + std::string(warp_resampling_name(r)) +
                                       " approximate vs exact: ours " + a.text() + "; GDAL's " +
                                       b.text();
            qInfo("%s", approx.c_str());
            QVERIFY2(a.validity <= b.validity * 3 / 2 + a.samples / 1000 + 2, approx.c_str());
            QVERIFY2(a.beyond_1 <= b.beyond_1 * 3 / 2 + a.samples / 1000 + 10, approx.c_str());
            QVERIFY2(a.values <= b.values * 3 / 2 + a.samples / 1000 + 10, approx.c_str());
        }
    }

    void arraysOfEveryType_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<bool>("mask");
        for (DataType t : {DataType::UInt8, DataType::UInt16, DataType::Int16, DataType::UInt32,
                           DataType::Int32, DataType::Float32, DataType::Float64})
            for (bool m : {false, true})
                QTest::newRow((std::string(dtype_name(t)) + (m ? " masked" : "")).c_str())
                    << int(t) << m;
    }
    void arraysOfEveryType() {
        QFETCH(int, dtype);
        QFETCH(bool, mask);
        const Raster src = generated(DataType(dtype), 90, 110, mask);
        const Grid sg{110, 90, Affine{30, 0, 500000, 0, -30, 4600000}, Crs::from_epsg(32633)};
        // Upsampling (4-sample bilinear) into Web Mercator and a rotated-ish polar grid.
        for (const Crs& crs : {Crs::from_epsg(3857), Crs::from_epsg(3035)}) {
            GridOptions go;
            go.width = 160;
            const Grid g = default_grid(sg, crs, go);
            for (auto r : {WarpResampling::Nearest, WarpResampling::Bilinear}) {
                ReprojectOptions o;
                o.resampling = r;
                o.tile_size = 48;
                o.error_threshold = 0;
                const Diff d = compare(reproject(src, sg, g, kernel(o, true)),
                                       reproject(src, sg, g, kernel(o, false)));
                const std::string what =
                    crs.name() + " " + std::string(warp_resampling_name(r)) + ": " + d.text();
                QVERIFY2(d.validity == 0 && d.values == 0, what.c_str());
            }
        }
    }

    void previewsEqualFullRun() {
        // Each tile is computed on its own (approximation cells included), so any window of
        // the destination equals the same window of the full run, for any thread count.
        for (const std::string& path : {rbtest::sample(), rbtest::tricky("alpha.tif")}) {
            const Dataset src = Dataset::open(path);
            GridOptions go;
            go.res_x = 120;
            const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(3857), go);
            for (auto r : {WarpResampling::Nearest, WarpResampling::Bilinear}) {
                ReprojectOptions o;
                o.resampling = r;
                o.tile_size = 96;
                const Raster full = reproject(src, g, {}, o);
                for (const Window w : {Window{0, 0, 200, 150}, Window{95, 191, 97, 3},
                                       Window{300, 200, 400, 400}, Window{g.width - 1, 0, 5, 5}}) {
                    ReprojectOptions wo = o;
                    wo.window = w;
                    wo.threads = 1;
                    const Raster part = reproject(src, g, {}, wo);
                    const Window c = w.clamped(g.width, g.height);
                    QCOMPARE(part.cols(), int(c.width));
                    const std::size_t diff = rbtest::window_differences(part, full, c);
                    QVERIFY2(diff == 0, (path + " " + w.to_string()).c_str());
                }
            }
        }
    }

    void exactModeStaysOnGdalKernel() {
        // Without RB_FAST_PATH, error_threshold 0 is GDAL's kernel: the same pixels as
        // forcing it off.
        const Dataset src = Dataset::open(rbtest::sample());
        const auto [g, window] = grid_for(rbtest::sample(), Crs::from_epsg(3857), 250);
        ReprojectOptions o;
        o.window = window;
        o.resampling = WarpResampling::Bilinear;
        o.error_threshold = 0;
        const Diff d = compare(reproject(src, g, {}, o), reproject(src, g, {}, kernel(o, false)));
        QVERIFY2(d.validity == 0 && d.values == 0, d.text().c_str());
    }
};

QTEST_GUILESS_MAIN(WarpFastTest)
#include "tst_warp_fast.moc"
