// `rasterbench-cli info --json` checked against what GDAL reports for the same files,
// computed here through GDAL's API, over every raster in tests/data/tricky and the sample.
#include <ogr_srs_api.h>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <array>
#include <cmath>

#include "test_support.h"

namespace {

using Run = rbtest::CliRun;

Run cli(const QStringList& args) {
    return rbtest::run_cli(args);
}

bool close(double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
}

} // namespace

class CliInfo : public QObject {
    Q_OBJECT
private slots:
    void jsonMatchesGdal_data() {
        QTest::addColumn<QString>("path");
        QTest::newRow("sample") << QStringLiteral(RB_SAMPLE);
        const QDir dir(QStringLiteral(RB_TEST_DATA "/tricky"));
        for (const QString& f : dir.entryList(QDir::Files)) {
            if (f.endsWith(".msk") || f.endsWith(".ovr"))
                continue; // sidecars
            QString path = dir.filePath(f);
            if (f.endsWith(".zip"))
                path = "/vsizip/" + path + "/N10W110.hgt";
            QTest::newRow(qPrintable(f)) << path;
        }
    }
    void jsonMatchesGdal() {
        QFETCH(QString, path);
        const std::string p = path.toStdString();
        auto g = rbtest::gdal_open(p);
        QVERIFY2(g, "GDAL cannot open the file");
        const Run r = cli({"info", "--json", path});
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonParseError perr;
        const QJsonObject j = QJsonDocument::fromJson(r.out, &perr).object();
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        for (const char* key : {"driver", "width", "height", "count", "dtype", "crs", "epsg",
                                "transform", "bounds", "nodata", "blocksize", "overviews", "bands"})
            QVERIFY2(j.contains(key), key);

        GDALDatasetH h = g.get();
        QCOMPARE(j["driver"].toString(), QString(GDALGetDriverShortName(GDALGetDatasetDriver(h))));
        QCOMPARE(j["width"].toInt(), GDALGetRasterXSize(h));
        QCOMPARE(j["height"].toInt(), GDALGetRasterYSize(h));
        QCOMPARE(j["count"].toInt(), GDALGetRasterCount(h));
        GDALRasterBandH b1 = GDALGetRasterBand(h, 1);
        const QString gtype = GDALGetDataTypeName(GDALGetRasterDataType(b1));
        const QString dtype = j["dtype"].toString();
        QVERIFY2(dtype.compare(gtype, Qt::CaseInsensitive) == 0 ||
                     (gtype == "Byte" && dtype == "uint8") ||
                     (gtype.startsWith('C') && dtype.startsWith("complex")),
                 qPrintable(dtype + " vs " + gtype));

        std::array<double, 6> gt{0, 1, 0, 0, 0, 1};
        GDALGetGeoTransform(h, gt.data());
        const QJsonArray t = j["transform"].toArray();
        QCOMPARE(t.size(), 6);
        for (int i = 0; i < 6; ++i)
            QVERIFY(close(t[i].toDouble(), gt[std::size_t(i)]));
        // Bounds: envelope of the four corners through GDAL's transform.
        double xs[4], ys[4];
        const int W = GDALGetRasterXSize(h), H = GDALGetRasterYSize(h);
        const int cx[4] = {0, W, 0, W}, cy[4] = {0, 0, H, H};
        for (int i = 0; i < 4; ++i)
            GDALApplyGeoTransform(gt.data(), cx[i], cy[i], &xs[i], &ys[i]);
        const QJsonArray b = j["bounds"].toArray();
        QVERIFY(close(b[0].toDouble(), *std::min_element(xs, xs + 4)));
        QVERIFY(close(b[1].toDouble(), *std::min_element(ys, ys + 4)));
        QVERIFY(close(b[2].toDouble(), *std::max_element(xs, xs + 4)));
        QVERIFY(close(b[3].toDouble(), *std::max_element(ys, ys + 4)));

        // CRS: present iff GDAL has one, same EPSG authority code when GDAL names one.
        OGRSpatialReferenceH srs = GDALGetSpatialRef(h);
        QCOMPARE(j["crs"].isString(), srs != nullptr);
        if (srs) {
            QVERIFY(j["crs"].toString().contains("CRS["));
            const char* auth = OSRGetAuthorityName(srs, nullptr);
            const char* code = OSRGetAuthorityCode(srs, nullptr);
            if (auth && code && std::string(auth) == "EPSG")
                QCOMPARE(j["epsg"].toInt(), std::atoi(code));
        } else {
            QVERIFY(j["epsg"].isNull());
        }

        int bw = 0, bh = 0;
        GDALGetBlockSize(b1, &bw, &bh);
        QCOMPARE(j["blocksize"].toArray()[0].toInt(), bw);
        QCOMPARE(j["blocksize"].toArray()[1].toInt(), bh);
        QCOMPARE(j["overviews"].toArray().size(), GDALGetOverviewCount(b1));

        const QJsonArray bands = j["bands"].toArray();
        const QJsonArray nodata = j["nodata"].toArray();
        QCOMPARE(bands.size(), GDALGetRasterCount(h));
        QCOMPARE(nodata.size(), GDALGetRasterCount(h));
        for (int i = 0; i < bands.size(); ++i) {
            GDALRasterBandH band = GDALGetRasterBand(h, i + 1);
            const QJsonObject bj = bands[i].toObject();
            QCOMPARE(bj["index"].toInt(), i + 1);
            QCOMPARE(bj["colorinterp"].toString(), QString(GDALGetColorInterpretationName(
                                                       GDALGetRasterColorInterpretation(band))));
            QCOMPARE(bj["description"].toString(), QString(GDALGetDescription(band)));
            int has = 0;
            const double nd = GDALGetRasterNoDataValue(band, &has);
            const QJsonValue v = nodata[i];
            QCOMPARE(bj["nodata"], v);
            if (!has)
                QVERIFY(v.isNull());
            else if (std::isnan(nd))
                QCOMPARE(v.toString(), QString("nan"));
            else
                QVERIFY(close(v.toDouble(), nd));
        }
    }

    void statsMatchGdal_data() {
        QTest::addColumn<QString>("path");
        QTest::newRow("sample") << QStringLiteral(RB_SAMPLE);
        QTest::newRow("float nodata")
            << QStringLiteral(RB_TEST_DATA "/tricky/float_raster_with_nodata.tif");
        QTest::newRow("hgt") << QStringLiteral("/vsizip/" RB_TEST_DATA
                                               "/tricky/N10W110.hgt.zip/N10W110.hgt");
    }
    void statsMatchGdal() {
        QFETCH(QString, path);
        const Run r = cli({"info", "--json", "--stats", path});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray bands = QJsonDocument::fromJson(r.out).object()["bands"].toArray();
        auto g = rbtest::gdal_open(path.toStdString());
        for (int i = 0; i < bands.size(); ++i) {
            const QJsonObject s = bands[i].toObject()["stats"].toObject();
            double mn, mx, mean, sd;
            CPLPushErrorHandler(CPLQuietErrorHandler);
            QCOMPARE(GDALComputeRasterStatistics(GDALGetRasterBand(g.get(), i + 1), FALSE, &mn, &mx,
                                                 &mean, &sd, nullptr, nullptr),
                     CE_None);
            CPLPopErrorHandler();
            QVERIFY(close(s["min"].toDouble(), mn));
            QVERIFY(close(s["max"].toDouble(), mx));
            QVERIFY(std::fabs(s["mean"].toDouble() - mean) < 1e-6 * std::max(1.0, std::fabs(mean)));
            QVERIFY(std::fabs(s["stddev"].toDouble() - sd) < 1e-6 * std::max(1.0, sd));
            // Valid count: the pixels GDAL's own mask band calls valid.
            const int W = GDALGetRasterXSize(g.get()), H = GDALGetRasterYSize(g.get());
            std::vector<unsigned char> mask(std::size_t(W) * H);
            QCOMPARE(GDALRasterIO(GDALGetMaskBand(GDALGetRasterBand(g.get(), i + 1)), GF_Read, 0, 0,
                                  W, H, mask.data(), W, H, GDT_Byte, 0, 0),
                     CE_None);
            const auto valid =
                std::count_if(mask.begin(), mask.end(), [](auto m) { return m != 0; });
            QCOMPARE(s["valid_count"].toDouble(), double(valid));
        }
    }

    void textOutput() {
        const Run r = cli({"info", QStringLiteral(RB_SAMPLE)});
        QCOMPARE(r.code, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY(out.contains("791 x 718"));
        QVERIFY(out.contains("EPSG:32618"));
        QVERIFY(cli({"info", "--help"}).code == 0);
    }

    void badFilesExitNonZeroWithOneLine() {
        QTemporaryDir tmp;
        const QString zero = tmp.filePath("zero.tif"), text = tmp.filePath("notes.tif"),
                      trunc = tmp.filePath("truncated.tif");
        QFile(zero).open(QIODevice::WriteOnly);
        {
            QFile f(text);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("just some text\n");
        }
        {
            QFile in(QStringLiteral(RB_SAMPLE)), out(trunc);
            QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
            out.write(in.read(100000)); // header fine, strips cut off
        }
        const QList<QStringList> cases = {
            {"info", zero},
            {"info", text},
            {"info", "--stats", trunc},
            {"info", tmp.filePath("missing.tif")},
            {"info", "--stats", QStringLiteral(RB_TEST_DATA "/tricky/corrupt.tif")},
        };
        for (const QStringList& args : cases) {
            QElapsedTimer timer;
            timer.start();
            const Run r = cli(args);
            QVERIFY2(r.code == 1, qPrintable(args.join(' ') + " exit " + QString::number(r.code)));
            const QString err = QString::fromUtf8(r.err).trimmed();
            QVERIFY2(!err.contains('\n'), qPrintable(err));
            QVERIFY2(err.contains(args.last()), qPrintable(err));
            QVERIFY(timer.elapsed() < 30000);
        }
        QCOMPARE(cli({"info"}).code, 2);
        QCOMPARE(cli({"info", "--bogus", QStringLiteral(RB_SAMPLE)}).code, 2);
        QCOMPARE(cli({"nonsense"}).code, 2);
    }
};

QTEST_GUILESS_MAIN(CliInfo)
#include "tst_info.moc"
