// rasterbench-cli reproject / rasterize / shapes / fill, checked against GDAL run here through
// its API (GDALWarp, GDALRasterize, GDALPolygonize, GDALFillNodata) on the same inputs, plus
// exit codes, one-line errors and atomic outputs.
#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <map>

#include "test_support.h"

namespace {

using Run = rbtest::CliRun;

Run cli(const QStringList& args) {
    return rbtest::run_cli(args);
}

QString feat(const char* name) {
    return QStringLiteral(RB_TEST_DATA "/features/") + name;
}

std::vector<char*> argv_of(std::vector<std::string>& v) {
    std::vector<char*> a;
    for (auto& s : v)
        a.push_back(s.data());
    a.push_back(nullptr);
    return a;
}

// gdalwarp through its library entry point, to a GeoTIFF.
bool gdalwarp(const std::string& in, const std::string& out, std::vector<std::string> args) {
    rbtest::GdalDs src = rbtest::gdal_open(in);
    auto argv = argv_of(args);
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(argv.data(), nullptr);
    GDALDatasetH h = src.get();
    rbtest::GdalDs r(GDALWarp(out.c_str(), nullptr, 1, &h, o, nullptr));
    GDALWarpAppOptionsFree(o);
    return bool(r);
}

struct Poly {
    std::size_t count = 0;
    std::map<double, double> area;
};

Poly summarize_layer(OGRLayerH layer, int field) {
    Poly p;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        ++p.count;
        p.area[OGR_F_GetFieldAsDouble(f, field)] += OGR_G_Area(OGR_F_GetGeometryRef(f));
        OGR_F_Destroy(f);
    }
    return p;
}

} // namespace

class CliTransform : public QObject {
    Q_OBJECT
    QTemporaryDir tmp;
    std::string out(const char* name) { return tmp.filePath(name).toStdString(); }

private slots:
    void reprojectMatchesGdalwarp() {
        const std::string sample = rbtest::sample();
        // Exact transformation: the same pixels as gdalwarp -et 0.
        const std::string mine = out("rep.tif"), ref = out("rep_gdal.tif");
        Run r = cli({"reproject", QString::fromStdString(sample), QString::fromStdString(mine),
                     "--dst-crs", "EPSG:3857", "--resampling", "bilinear", "--res", "250", "--et",
                     "0"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(
            gdalwarp(sample, ref,
                     {"-t_srs", "EPSG:3857", "-r", "bilinear", "-tr", "250", "250", "-et", "0"}));
        auto a = rbtest::gdal_open(mine), b = rbtest::gdal_open(ref);
        QVERIFY(a && b);
        QCOMPARE(GDALGetRasterXSize(a.get()), GDALGetRasterXSize(b.get()));
        QCOMPARE(GDALGetRasterYSize(a.get()), GDALGetRasterYSize(b.get()));
        double ga[6], gb[6];
        GDALGetGeoTransform(a.get(), ga);
        GDALGetGeoTransform(b.get(), gb);
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::fabs(ga[i] - gb[i]) <= 1e-9 * std::max(1.0, std::fabs(gb[i])));
        const int w = GDALGetRasterXSize(a.get()), h = GDALGetRasterYSize(a.get());
        for (int band = 1; band <= 3; ++band)
            QVERIFY(rbtest::gdal_read(a.get(), band, 0, 0, w, h) ==
                    rbtest::gdal_read(b.get(), band, 0, 0, w, h));
        int has = 0;
        QCOMPARE(GDALGetRasterNoDataValue(GDALGetRasterBand(a.get(), 1), &has), 0.0);
        QVERIFY(has);

        // Default approximation, --size and --bounds: same grid, values within 1 DN almost
        // everywhere.
        r = cli({"reproject", QString::fromStdString(sample), QString::fromStdString(mine),
                 "--dst-crs", "EPSG:4326", "--size", "500,0", "--resampling", "near"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(gdalwarp(sample, ref, {"-t_srs", "EPSG:4326", "-ts", "500", "0", "-overwrite"}));
        a = rbtest::gdal_open(mine);
        b = rbtest::gdal_open(ref);
        QCOMPARE(GDALGetRasterXSize(a.get()), 500);
        QCOMPARE(GDALGetRasterYSize(a.get()), GDALGetRasterYSize(b.get()));
        r = cli({"reproject", QString::fromStdString(sample), QString::fromStdString(mine),
                 "--dst-crs", "EPSG:32618", "--bounds", "150000,2700000,250000,2800000", "--res",
                 "100"});
        QVERIFY2(r.code == 0, r.err.constData());
        a = rbtest::gdal_open(mine);
        QCOMPARE(GDALGetRasterXSize(a.get()), 1000);
        QCOMPARE(GDALGetRasterYSize(a.get()), 1000);
    }

    void rasterizeEqualsReferences() {
        const std::string lulc = out("lulc.tif");
        Run r = cli({"rasterize", feat("lulc_polygons_utm33n.geojson"), "-o",
                     QString::fromStdString(lulc), "--like", feat("lulc_reference_raster.tif"),
                     "--property", "LULC_ID"});
        QVERIFY2(r.code == 0, r.err.constData());
        auto a = rbtest::gdal_open(lulc),
             ref = rbtest::gdal_open(feat("lulc_reference_raster.tif").toStdString());
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(a.get(), 1)), GDT_UInt16);
        QVERIFY(rbtest::gdal_read(a.get(), 1, 0, 0, 100, 101) ==
                rbtest::gdal_read(ref.get(), 1, 0, 0, 100, 101));

        // Cloud polygons of one date, all-touched, against gdal_rasterize on a copy of the mask.
        const std::string clm = out("clm.tif"), gclm = out("clm_gdal.tif");
        const QString mask = feat("clm/S2_20160516T100647_clm.tif");
        r = cli({"rasterize", feat("clm_polygons_frames00-29.geojson"), "-o",
                 QString::fromStdString(clm), "--like", mask, "--where",
                 "TIMESTAMP = '2016-05-16T10:06:47'", "--all-touched", "--burn", "1"});
        QVERIFY2(r.code == 0, r.err.constData());
        {
            auto m = rbtest::gdal_open(mask.toStdString());
            rbtest::GdalDs copy(GDALCreateCopy(GDALGetDriverByName("GTiff"), gclm.c_str(), m.get(),
                                               FALSE, nullptr, nullptr, nullptr));
            GDALFillRaster(GDALGetRasterBand(copy.get(), 1), 0, 0);
            rbtest::GdalDs vec(
                GDALOpenEx(feat("clm_polygons_frames00-29.geojson").toStdString().c_str(),
                           GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
            std::vector<std::string> args{"-burn", "1", "-at", "-where",
                                          "TIMESTAMP = '2016-05-16T10:06:47'"};
            auto argv = argv_of(args);
            GDALRasterizeOptions* o = GDALRasterizeOptionsNew(argv.data(), nullptr);
            QVERIFY(GDALRasterize(nullptr, copy.get(), vec.get(), o, nullptr));
            GDALRasterizeOptionsFree(o);
        }
        a = rbtest::gdal_open(clm);
        auto g = rbtest::gdal_open(gclm);
        const auto mine = rbtest::gdal_read(a.get(), 1, 0, 0, 100, 101);
        QVERIFY(mine == rbtest::gdal_read(g.get(), 1, 0, 0, 100, 101));
        QVERIFY(std::count(mine.begin(), mine.end(), 1.0) > 100);
    }

    void shapesMatchGdalPolygonize() {
        const std::string gj = out("clm.geojson");
        const QString mask = feat("clm/S2_20160516T100647_clm.tif");
        Run r = cli({"shapes", mask, "-o", QString::fromStdString(gj), "--mask", mask,
                     "--connectivity", "8"});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("polygons"));
        rbtest::GdalDs mine(GDALOpenEx(gj.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
        QVERIFY(mine);
        OGRLayerH ml = GDALDatasetGetLayer(mine.get(), 0);
        // Projected coordinates with their CRS, as GDAL's GeoJSON writer does.
        const char* auth = OSRGetAuthorityCode(OGR_L_GetSpatialRef(ml), nullptr);
        QCOMPARE(QString(auth), QString("32633"));
        const Poly p = summarize_layer(ml, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ml), "value"));

        auto src = rbtest::gdal_open(mask.toStdString());
        OGRDataSourceH mem = OGR_Dr_CreateDataSource(OGRGetDriverByName("Memory"), "", nullptr);
        OGRLayerH gl = OGR_DS_CreateLayer(mem, "p", nullptr, wkbPolygon, nullptr);
        OGRFieldDefnH fd = OGR_Fld_Create("v", OFTInteger);
        OGR_L_CreateField(gl, fd, TRUE);
        OGR_Fld_Destroy(fd);
        char** opts = CSLSetNameValue(nullptr, "8CONNECTED", "8");
        GDALRasterBandH b = GDALGetRasterBand(src.get(), 1);
        QCOMPARE(GDALPolygonize(b, b, gl, 0, opts, nullptr, nullptr), CE_None);
        CSLDestroy(opts);
        const Poly ref = summarize_layer(gl, 0);
        OGR_DS_Destroy(mem);
        QCOMPARE(p.count, ref.count);
        QVERIFY(p.count > 0);
        for (const auto& [v, area] : ref.area)
            QVERIFY(std::fabs(p.area.at(v) - area) < 1e-6 * area);
    }

    void fillMatchesGdalFillNodata() {
        const QString in = feat("2008-06-14_LE07_LE70350322008166EDC00_sr.tif");
        const std::string mine = out("filled.tif");
        Run r = cli({"fill", in, "-o", QString::fromStdString(mine), "--max-distance", "10",
                     "--smooth", "1"});
        QVERIFY2(r.code == 0, r.err.constData());
        auto a = rbtest::gdal_open(mine), src = rbtest::gdal_open(in.toStdString());
        const int w = GDALGetRasterXSize(src.get()), h = GDALGetRasterYSize(src.get());
        rbtest::GdalDs ref(GDALCreateCopy(GDALGetDriverByName("MEM"), "", src.get(), FALSE, nullptr,
                                          nullptr, nullptr));
        for (int band = 1; band <= 3; ++band) {
            GDALRasterBandH rb_ = GDALGetRasterBand(ref.get(), band);
            QCOMPARE(GDALFillNodata(rb_, GDALGetMaskBand(GDALGetRasterBand(src.get(), band)), 10, 0,
                                    1, nullptr, nullptr, nullptr),
                     CE_None);
            QVERIFY(rbtest::gdal_read(a.get(), band, 0, 0, w, h) ==
                    rbtest::gdal_read(ref.get(), band, 0, 0, w, h));
        }
    }

    void progressOnEveryLongCommand() {
        // Each command that runs long work takes --progress; in a log (stderr is a pipe
        // here) it writes one line per tenth under its own name, and nothing without it.
        const QString sample = QString::fromStdString(rbtest::sample());
        const std::map<QString, QStringList> commands = {
            {"reproject",
             {"reproject", sample, QString::fromStdString(out("p_rep.tif")), "--dst-crs",
              "EPSG:3857"}},
            {"fill",
             {"fill", feat("2008-06-14_LE07_LE70350322008166EDC00_sr.tif"), "-o",
              QString::fromStdString(out("p_fill.tif")), "--max-distance", "10"}},
            {"rasterize",
             {"rasterize", feat("lulc_polygons_utm33n.geojson"), "-o",
              QString::fromStdString(out("p_burn.tif")), "--like",
              feat("lulc_reference_raster.tif"), "--property", "LULC_ID"}},
            {"deband",
             {"deband", sample, "-o", QString::fromStdString(out("p_deb.tif")), "--notch",
              "0.1,0.05,0.02"}},
        };
        for (const auto& [label, args] : commands) {
            Run quiet = cli(args);
            QVERIFY2(quiet.code == 0, quiet.err.constData());
            QVERIFY2(quiet.err.isEmpty(), quiet.err.constData());
            Run r = cli(args + QStringList{"--progress"});
            QVERIFY2(r.code == 0, r.err.constData());
            const QString problem = rbtest::progress_log_problem(r.err, label);
            QVERIFY2(problem.isEmpty(), qPrintable(label + ": " + problem));
            QVERIFY2(cli({label, "--help"}).out.contains("--progress"), qPrintable(label));
        }
    }

    void errorsAreOneLineAndLeaveNoOutput() {
        const std::string o = out("never.tif");
        Run r = cli({"fill", "/nonexistent/in.tif", "-o", QString::fromStdString(o)});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("/nonexistent/in.tif"));
        QCOMPARE(r.err.count('\n'), 1);
        r = cli({"rasterize", feat("lulc_polygons_utm33n.geojson"), "-o", QString::fromStdString(o),
                 "--like", feat("lulc_reference_raster.tif"), "--property", "LULC_NAME"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("LULC_NAME"));
        r = cli({"reproject", QString::fromStdString(rbtest::sample()), QString::fromStdString(o),
                 "--dst-crs", "EPSG:4326", "--resampling", "fancy"});
        QCOMPARE(r.code, 2);
        r = cli({"shapes", feat("lulc_reference_raster.tif"), "-o", QString::fromStdString(o),
                 "--connectivity", "6"});
        QCOMPARE(r.code, 2);
        r = cli({"reproject", QString::fromStdString(rbtest::sample()), QString::fromStdString(o),
                 "--dst-crs", "EPSG:999999"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("EPSG:999999"));
        QVERIFY(!QFile::exists(QString::fromStdString(o)));
        QCOMPARE(
            QDir(tmp.path()).entryList(QStringList{"*partial*"}, QDir::Files | QDir::Hidden).size(),
            0);
        for (const char* cmd : {"reproject", "rasterize", "shapes", "fill"}) {
            r = cli({cmd, "--help"});
            QCOMPARE(r.code, 0);
            QVERIFY(r.out.startsWith("usage:"));
        }
    }
};

QTEST_GUILESS_MAIN(CliTransform)
#include "tst_transform_cli.moc"
