// reproject() and default_grid() against gdalwarp (GDALWarp run here on the same inputs):
// UTM, rotated (no CRS), south-up, geostationary, global (antimeridian) and polar cases,
// every resampling, nodata in and out, previews equal to the full run, file output.
#include <cpl_string.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>

#include <QtTest>
#include <cmath>
#include <filesystem>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/warp.h"
#include "test_support.h"

using namespace rb;

namespace {

struct Args {
    std::vector<std::string> v;
    std::vector<char*> argv() {
        std::vector<char*> a;
        for (auto& s : v)
            a.push_back(s.data());
        a.push_back(nullptr);
        return a;
    }
};

// gdalwarp -of VRT: the grid gdalwarp would create, without computing pixels.
Grid gdalwarp_grid(const std::string& src, const std::vector<std::string>& args) {
    rbtest::GdalDs in = rbtest::gdal_open(src);
    Args a{{"-of", "VRT"}};
    a.v.insert(a.v.end(), args.begin(), args.end());
    auto argv = a.argv();
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(argv.data(), nullptr);
    GDALDatasetH h = in.get();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    rbtest::GdalDs out(GDALWarp("/vsimem/rb_tst_warp_grid.vrt", nullptr, 1, &h, o, nullptr));
    CPLPopErrorHandler();
    GDALWarpAppOptionsFree(o);
    if (!out)
        return {};
    std::array<double, 6> gt{};
    GDALGetGeoTransform(out.get(), gt.data());
    return {
        GDALGetRasterXSize(out.get()), GDALGetRasterYSize(out.get()), Affine::from_gdal(gt), {}};
}

// gdalwarp into an existing MEM dataset on exactly `g`, with -dstalpha for validity.
struct Warped {
    int bands = 0;
    std::vector<double> data; // band-major
    std::vector<std::uint8_t> valid;
};
Warped gdalwarp_into(const std::string& src, const Grid& g, int bands,
                     const std::vector<std::string>& args) {
    rbtest::GdalDs in = rbtest::gdal_open(src);
    // The source's type, as gdalwarp creates its output: values rounded the same way.
    const GDALDataType type = GDALGetRasterDataType(GDALGetRasterBand(in.get(), 1));
    rbtest::GdalDs dst(
        GDALCreate(GDALGetDriverByName("MEM"), "", g.width, g.height, bands + 1, type, nullptr));
    auto gt = g.transform.to_gdal();
    GDALSetGeoTransform(dst.get(), gt.data());
    if (!g.crs.empty()) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(g.crs.to_wkt().c_str());
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        GDALSetSpatialRef(dst.get(), srs);
        OSRRelease(srs);
    }
    Args a{{"-dstalpha"}};
    a.v.insert(a.v.end(), args.begin(), args.end());
    auto argv = a.argv();
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(argv.data(), nullptr);
    GDALDatasetH h = in.get();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH r = GDALWarp(nullptr, dst.get(), 1, &h, o, nullptr);
    CPLPopErrorHandler();
    GDALWarpAppOptionsFree(o);
    Warped w;
    if (!r)
        return w;
    w.bands = bands;
    for (int b = 1; b <= bands; ++b) {
        auto v = rbtest::gdal_read(dst.get(), b, 0, 0, g.width, g.height);
        w.data.insert(w.data.end(), v.begin(), v.end());
    }
    for (double a : rbtest::gdal_read(dst.get(), bands + 1, 0, 0, g.width, g.height))
        w.valid.push_back(a > 0);
    return w;
}

struct Diff {
    std::size_t pixels = 0, validity = 0, values = 0, beyond_1 = 0, both_valid = 0;
};
Diff compare(const Raster& r, const Warped& w) {
    Diff d;
    d.pixels = r.band_size();
    if (w.valid.size() != r.band_size()) {
        d.validity = d.pixels;
        return d;
    }
    for (int b = 0; b < r.bands(); ++b)
        for (int y = 0; y < r.rows(); ++y)
            for (int x = 0; x < r.cols(); ++x) {
                const std::size_t i = std::size_t(y) * r.cols() + x;
                const bool mv = r.valid(b, y, x), gv = w.valid[i] != 0;
                if (mv != gv) {
                    ++d.validity;
                    continue;
                }
                if (!mv)
                    continue;
                ++d.both_valid;
                const double diff = std::fabs(r.value(b, y, x) - w.data[b * r.band_size() + i]);
                d.values += diff != 0;
                d.beyond_1 += diff > 1.0;
            }
    return d;
}

std::string msg(const std::string& what, const Diff& d) {
    return what + ": " + std::to_string(d.validity) + " validity, " + std::to_string(d.values) +
           " value and " + std::to_string(d.beyond_1) + " >1 differences of " +
           std::to_string(d.both_valid) + " valid samples";
}

bool grids_match(const Grid& a, const Grid& b) {
    if (a.width != b.width || a.height != b.height)
        return false;
    const auto ga = a.transform.to_gdal(), gb = b.transform.to_gdal();
    for (int i = 0; i < 6; ++i)
        if (std::fabs(ga[i] - gb[i]) > 1e-9 * std::max(1.0, std::fabs(gb[i])))
            return false;
    return true;
}

std::string tmpdir() {
    const std::string d = QDir::tempPath().toStdString() + "/rb_tst_warp";
    std::filesystem::create_directories(d);
    return d;
}

// A south-up copy of the sample (rows flipped, positive y pixel size), made with GDAL.
std::string south_up() {
    const std::string path = tmpdir() + "/south_up.tif";
    if (std::filesystem::exists(path))
        return path;
    const Dataset src = Dataset::open(rbtest::sample());
    ReadOptions ro;
    ro.with_mask = false;
    Raster r = src.read(ro);
    Raster flipped(r.dtype(), r.bands(), r.rows(), r.cols());
    for (int b = 0; b < r.bands(); ++b)
        for (int y = 0; y < r.rows(); ++y)
            for (int x = 0; x < r.cols(); ++x)
                flipped.set_value(b, r.rows() - 1 - y, x, r.value(b, y, x));
    Profile p = src.profile();
    const Affine t = p.transform;
    p.transform = Affine{t.a, t.b, t.c, t.d, -t.e, t.f + t.e * r.rows()};
    p.overview_factors.clear();
    Dataset out = Dataset::create(path, p);
    out.write(flipped);
    out.close();
    return path;
}

} // namespace

class WarpTest : public QObject {
    Q_OBJECT
private slots:
    void cleanupTestCase() { std::filesystem::remove_all(tmpdir()); }

    void defaultGridLikeGdalwarp_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("crs");
        QTest::addColumn<QStringList>("args");
        const QString sample = QString::fromStdString(rbtest::sample());
        QTest::newRow("UTM to WGS84") << sample << "EPSG:4326" << QStringList{};
        QTest::newRow("UTM to Web Mercator") << sample << "EPSG:3857" << QStringList{};
        QTest::newRow("-tr") << sample << "EPSG:3857" << QStringList{"-tr", "250", "300"};
        QTest::newRow("-tr -tap") << sample << "EPSG:3857"
                                  << QStringList{"-tr", "250", "250", "-tap"};
        QTest::newRow("-ts") << sample << "EPSG:4326" << QStringList{"-ts", "400", "300"};
        QTest::newRow("-ts width only") << sample << "EPSG:4326" << QStringList{"-ts", "400", "0"};
        QTest::newRow("-te") << sample << "EPSG:32618"
                             << QStringList{"-te", "110000", "2690000", "300000", "2850000"};
        QTest::newRow("-te -tr") << sample << "EPSG:32618"
                                 << QStringList{"-te",     "110000", "2690000", "300000",
                                                "2850000", "-tr",    "90",      "90"};
        QTest::newRow("rotated, no CRS")
            << QString::fromStdString(rbtest::tricky("rotated.tif")) << "" << QStringList{};
        QTest::newRow("south-up") << QString::fromStdString(south_up()) << "EPSG:4326"
                                  << QStringList{};
        QTest::newRow("geostationary")
            << QString::fromStdString(rbtest::tricky("goes.tif")) << "EPSG:4326" << QStringList{};
        QTest::newRow("global to polar") << QString::fromStdString(rbtest::tricky("world.byte.tif"))
                                         << "EPSG:3413" << QStringList{};
        QTest::newRow("global across antimeridian")
            << QString::fromStdString(rbtest::tricky("world.byte.tif"))
            << "+proj=merc +lon_0=150 +datum=WGS84" << QStringList{};
    }
    void defaultGridLikeGdalwarp() {
        QFETCH(QString, file);
        QFETCH(QString, crs);
        QFETCH(QStringList, args);
        std::vector<std::string> a;
        if (!crs.isEmpty())
            a = {"-t_srs", crs.toStdString()};
        GridOptions o;
        for (int i = 0; i < args.size(); ++i) {
            a.push_back(args[i].toStdString());
            if (args[i] == "-tr") {
                o.res_x = args[i + 1].toDouble();
                o.res_y = args[i + 2].toDouble();
            } else if (args[i] == "-ts") {
                if (args[i + 1].toInt())
                    o.width = args[i + 1].toInt();
                if (args[i + 2].toInt())
                    o.height = args[i + 2].toInt();
            } else if (args[i] == "-te") {
                o.bounds = Bounds{args[i + 1].toDouble(), args[i + 2].toDouble(),
                                  args[i + 3].toDouble(), args[i + 4].toDouble()};
            } else if (args[i] == "-tap") {
                o.target_aligned_pixels = true;
            }
        }
        const Grid ref = gdalwarp_grid(file.toStdString(), a);
        QVERIFY(ref.width > 0);
        const Grid src = grid_of(read_profile(file.toStdString()));
        const Grid mine =
            default_grid(src, crs.isEmpty() ? Crs{} : Crs::from_user_input(crs.toStdString()), o);
        QVERIFY2(grids_match(mine, ref),
                 (std::to_string(mine.width) + "x" + std::to_string(mine.height) + " vs " +
                  std::to_string(ref.width) + "x" + std::to_string(ref.height))
                     .c_str());
    }

    void resamplingsMatchGdalwarpExactly_data() {
        QTest::addColumn<int>("resampling");
        for (int r = 0; r <= int(WarpResampling::Median); ++r)
            QTest::newRow(std::string(warp_resampling_name(WarpResampling(r))).c_str()) << r;
    }
    void resamplingsMatchGdalwarpExactly() {
        // Exact transformation on both sides (-et 0): the same kernel on the same source
        // pixels. Up- and down-sampling both (-tr 200 vs 700 m in Web Mercator; the source
        // pixels are 300 m).
        QFETCH(int, resampling);
        const Dataset src = Dataset::open(rbtest::sample());
        const Bounds all = default_grid(grid_of(src.profile()), Crs::from_epsg(3857)).bounds();
        const double cx = (all.left + all.right) / 2, cy = (all.bottom + all.top) / 2;
        for (double res : {200.0, 700.0}) {
            // The middle 80 km of the scene keeps the exact transformation quick.
            GridOptions go;
            go.res_x = res;
            go.bounds = Bounds{cx - 40000, cy - 40000, cx + 40000, cy + 40000};
            const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(3857), go);
            ReprojectOptions o;
            o.resampling = WarpResampling(resampling);
            o.error_threshold = 0;
            const Raster mine = reproject(src, g, {}, o);
            QCOMPARE(mine.bands(), 3);
            const Warped ref =
                gdalwarp_into(rbtest::sample(), g, 3,
                              {"-et", "0", "-r", std::string(warp_resampling_name(o.resampling))});
            const Diff d = compare(mine, ref);
            // Kernels that scale with the chunk (downsampling) may differ at tile edges: GDAL
            // derives the kernel scale from each chunk's source window.
            const bool exact = res < 300 || o.resampling == WarpResampling::Nearest ||
                               o.resampling == WarpResampling::Bilinear;
            QVERIFY2(d.validity <= d.pixels / 1000, msg("validity", d).c_str());
            if (exact)
                QVERIFY2(d.values == 0, msg("values", d).c_str());
            else
                QVERIFY2(d.beyond_1 <= d.both_valid / 100, msg("values", d).c_str());
        }
    }

    void defaultErrorThresholdCloseToGdalwarp() {
        // Approximate transformers on both sides (0.125 px) interpolate over different
        // spans (our tiles, gdalwarp's chunks), so results differ where the approximation
        // moves a sample across a pixel boundary. We may not stray from the exact result
        // (which equals gdalwarp -et 0) more than gdalwarp's own approximation does.
        const Dataset src = Dataset::open(rbtest::sample());
        const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(3857));
        for (auto r : {WarpResampling::Nearest, WarpResampling::Bilinear}) {
            const std::string name(warp_resampling_name(r));
            ReprojectOptions o;
            o.resampling = r;
            const Raster mine = reproject(src, g, {}, o);
            o.error_threshold = 0;
            const Raster exact = reproject(src, g, {}, o);
            const Diff vs_gdal = compare(mine, gdalwarp_into(rbtest::sample(), g, 3, {"-r", name}));
            const Diff ours =
                compare(mine, gdalwarp_into(rbtest::sample(), g, 3, {"-r", name, "-et", "0"}));
            const Diff theirs = compare(exact, gdalwarp_into(rbtest::sample(), g, 3, {"-r", name}));
            qInfo("%s", (name + ": " + msg("ours vs gdalwarp", vs_gdal) + "; " +
                         msg("ours vs exact", ours) + "; " + msg("gdalwarp vs exact", theirs))
                            .c_str());
            QVERIFY(vs_gdal.validity <= vs_gdal.pixels / 1000);
            QVERIFY(ours.values <= theirs.values * 3 / 2 + 100);
            QVERIFY(ours.beyond_1 <= theirs.beyond_1 * 3 / 2 + 100);
        }
    }

    void trickyGeometriesMatchGdalwarp_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("crs");
        QTest::newRow("rotated, no CRS")
            << QString::fromStdString(rbtest::tricky("rotated.tif")) << "";
        QTest::newRow("south-up") << QString::fromStdString(south_up()) << "EPSG:4326";
        QTest::newRow("geostationary")
            << QString::fromStdString(rbtest::tricky("goes.tif")) << "EPSG:4326";
        QTest::newRow("polar") << QString::fromStdString(rbtest::tricky("world.byte.tif"))
                               << "EPSG:3413";
        QTest::newRow("antimeridian") << QString::fromStdString(rbtest::tricky("world.byte.tif"))
                                      << "+proj=merc +lon_0=150 +datum=WGS84";
    }
    void trickyGeometriesMatchGdalwarp() {
        QFETCH(QString, file);
        QFETCH(QString, crs);
        const Dataset src = Dataset::open(file.toStdString());
        const Crs dst_crs = crs.isEmpty() ? Crs{} : Crs::from_user_input(crs.toStdString());
        GridOptions go;
        go.width = std::min(src.width(), 400); // exact transformation of every pixel is slow
        const Grid g = default_grid(grid_of(src.profile()), dst_crs, go);
        ReprojectOptions o;
        o.error_threshold = 0;
        const Raster mine = reproject(src, g, {}, o);
        const Warped ref = gdalwarp_into(file.toStdString(), g, mine.bands(), {"-et", "0"});
        const Diff d = compare(mine, ref);
        QVERIFY2(d.validity <= d.pixels / 1000 && d.values <= d.both_valid / 1000,
                 msg(file.toStdString(), d).c_str());
        QVERIFY(d.both_valid > d.pixels / 10);
    }

    void previewWindowEqualsFullRun() {
        const Dataset src = Dataset::open(rbtest::sample());
        GridOptions go;
        go.res_x = 150;
        const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(3857), go);
        for (auto r : {WarpResampling::Nearest, WarpResampling::Bilinear, WarpResampling::Cubic,
                       WarpResampling::Average}) {
            ReprojectOptions o;
            o.resampling = r;
            o.tile_size = 128;
            const Raster full = reproject(src, g, {}, o);
            for (const Window w : {Window{0, 0, 200, 150}, Window{127, 255, 131, 3},
                                   Window{300, 200, 400, 400}, Window{g.width - 1, 0, 5, 5}}) {
                ReprojectOptions wo = o;
                wo.window = w;
                wo.threads = 1;
                const Raster part = reproject(src, g, {}, wo);
                const Window c = w.clamped(g.width, g.height);
                QCOMPARE(part.cols(), int(c.width));
                const std::size_t diff = rbtest::window_differences(part, full, c);
                QVERIFY2(diff == 0,
                         (w.to_string() + " " + std::string(warp_resampling_name(r))).c_str());
            }
        }
    }

    void arraysWithoutDataset() {
        // An array with a mask on a grid: same result as warping the file it came from.
        const Dataset src = Dataset::open(rbtest::sample());
        const Raster arr = src.read();
        QVERIFY(arr.has_mask());
        const Grid sg = grid_of(src.profile());
        const Grid g = default_grid(sg, Crs::from_epsg(4326));
        ReprojectOptions o;
        const Raster a = reproject(arr, sg, g, o);
        const Raster f = reproject(src, g, {}, o);
        QCOMPARE(a.rows(), f.rows());
        // Equal values; validity may differ only where GDAL's multi-band nodata rule (a
        // pixel is nodata when all bands are) and the array's per-band masks disagree.
        std::size_t values = 0, validity = 0;
        for (int b = 0; b < 3; ++b)
            for (int y = 0; y < a.rows(); ++y)
                for (int x = 0; x < a.cols(); ++x) {
                    validity += a.valid(b, y, x) != f.valid(b, y, x);
                    values += a.valid(b, y, x) && f.valid(b, y, x) &&
                              a.value(b, y, x) != f.value(b, y, x);
                }
        QCOMPARE(values, std::size_t(0));
        QVERIFY(validity < a.size() / 200);
        // dst_nodata fills invalid output samples.
        o.dst_nodata = 7;
        const Raster n = reproject(arr, sg, g, o);
        QVERIFY(n.has_mask() && !n.valid(0, 0, 0));
        QCOMPARE(n.value(0, 0, 0), 7.0);
        // A float array with NaN: NaN never leaks into valid output.
        Raster fl(DataType::Float32, 1, 50, 60);
        for (int y = 0; y < 50; ++y)
            for (int x = 0; x < 60; ++x)
                fl.set_value(0, y, x, (x + y) % 7 == 0 ? NAN : x * 0.5 + y);
        fl.ensure_mask();
        for (int y = 0; y < 50; ++y)
            for (int x = 0; x < 60; ++x)
                if (std::isnan(fl.value(0, y, x)))
                    fl.mask(0)[std::size_t(y) * 60 + x] = kInvalid;
        const Grid fg{60, 50, Affine{100, 0, 500000, 0, -100, 4500000}, Crs::from_epsg(32633)};
        ReprojectOptions bo;
        bo.resampling = WarpResampling::Bilinear;
        const Raster out = reproject(fl, fg, default_grid(fg, Crs::from_epsg(4326)), bo);
        std::size_t valid = 0;
        for (int y = 0; y < out.rows(); ++y)
            for (int x = 0; x < out.cols(); ++x)
                if (out.valid(0, y, x)) {
                    ++valid;
                    QVERIFY(!std::isnan(out.value(0, y, x)));
                }
        QVERIFY(valid > out.band_size() / 2);
    }

    void allNodataStaysInvalid() {
        const Dataset src = Dataset::open(rbtest::tricky("all-nodata.tif"));
        const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(4326));
        const Raster r = reproject(src, g);
        QVERIFY(r.has_mask());
        const auto m = r.mask(0);
        QVERIFY(std::all_of(m.begin(), m.end(), [](auto v) { return v == kInvalid; }));
    }

    void fileOutputEqualsArrayResult() {
        const Dataset src = Dataset::open(rbtest::sample());
        const Grid g = default_grid(grid_of(src.profile()), Crs::from_epsg(3857));
        ReprojectOptions o;
        o.resampling = WarpResampling::Bilinear;
        o.tile_size = 256;
        const std::string out = tmpdir() + "/out.tif";
        reproject_file(rbtest::sample(), out, g, o);
        const Dataset d = Dataset::open(out);
        QVERIFY(grids_match(grid_of(d.profile()), g));
        QVERIFY(d.profile().crs == Crs::from_epsg(3857));
        QCOMPARE(d.profile().nodata.at(0), std::optional<double>(0));
        const Raster fromfile = d.read();
        const Raster mem = reproject(src, g, {}, o);
        std::size_t diff = 0;
        for (int b = 0; b < 3; ++b)
            for (int y = 0; y < mem.rows(); ++y)
                for (int x = 0; x < mem.cols(); ++x)
                    diff += fromfile.value(b, y, x) != mem.value(b, y, x);
        QCOMPARE(diff, std::size_t(0));
    }

    void errorsAndCancel() {
        const Dataset src = Dataset::open(rbtest::sample());
        const Grid sg = grid_of(src.profile());
        QVERIFY_THROWS_EXCEPTION(ArgumentError, default_grid(Grid{}, Crs::from_epsg(4326)));
        GridOptions bad;
        bad.target_aligned_pixels = true;
        QVERIFY_THROWS_EXCEPTION(ArgumentError, default_grid(sg, Crs::from_epsg(4326), bad));
        Raster wrong(DataType::UInt8, 1, 10, 10);
        QVERIFY_THROWS_EXCEPTION(ArgumentError, reproject(wrong, sg, sg));
        Raster i8(DataType::Int8, 1, 10, 10);
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, reproject(i8, Grid{10, 10, Affine{}, {}},
                                                             Grid{10, 10, Affine{}, {}}));
        QVERIFY(parse_warp_resampling("med") == WarpResampling::Median);
        QVERIFY(!parse_warp_resampling("fancy"));
        const Grid g = default_grid(sg, Crs::from_epsg(3857));
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 reproject(src, g, {}, {}, Progress([](double) { return false; })));
    }
};

QTEST_GUILESS_MAIN(WarpTest)
#include "tst_warp.moc"
