// Crs parsing from every kind of user input, output forms, equality and point transforms,
// checked against GDAL's OSR on the same definitions.
#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <QtTest>
#include <cmath>
#include <thread>

#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "test_support.h"

using namespace rb;

namespace {
std::string osr_export(const char* input, const char* format) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    std::string out;
    if (OSRSetFromUserInput(srs, input) == OGRERR_NONE) {
        char* wkt = nullptr;
        const char* opts[] = {format, nullptr};
        if (std::string(format) == "PROJJSON") {
            OSRExportToPROJJSON(srs, &wkt, nullptr);
        } else {
            OSRExportToWktEx(srs, &wkt, opts);
        }
        if (wkt)
            out = wkt;
        CPLFree(wkt);
    }
    OSRDestroySpatialReference(srs);
    return out;
}
} // namespace

class CrsTest : public QObject {
    Q_OBJECT
private slots:
    void everyInputForm_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<int>("epsg");
        QTest::newRow("EPSG code") << "EPSG:32618" << 32618;
        QTest::newRow("lowercase") << "epsg:4326" << 4326;
        QTest::newRow("bare number") << "3857" << 3857;
        QTest::newRow("WKT1") << QString::fromStdString(osr_export("EPSG:32633", "FORMAT=WKT1"))
                              << 32633;
        QTest::newRow("WKT2") << QString::fromStdString(
                                     osr_export("EPSG:32613", "FORMAT=WKT2_2019"))
                              << 32613;
        QTest::newRow("PROJJSON") << QString::fromStdString(osr_export("EPSG:4326", "PROJJSON"))
                                  << 4326;
        QTest::newRow("PROJ string") << "+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs" << -1;
    }
    void everyInputForm() {
        QFETCH(QString, input);
        QFETCH(int, epsg);
        QVERIFY(!input.isEmpty());
        const Crs c = Crs::from_user_input(input.toStdString());
        QVERIFY(!c.empty());
        QVERIFY(c.to_wkt().find("PROJCRS") != std::string::npos ||
                c.to_wkt().find("GEOGCRS") != std::string::npos);
        if (epsg > 0) {
            QCOMPARE(c.to_epsg().value_or(-1), epsg);
            QVERIFY(c == Crs::from_epsg(epsg));
        }
    }

    void projStringEqualsEpsg() {
        const Crs p = Crs::from_user_input("+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs");
        QVERIFY(p.equivalent(Crs::from_epsg(32618)));
        QVERIFY(!p.equivalent(Crs::from_epsg(32619)));
        const auto params = p.proj_params();
        QCOMPARE(params.at("proj"), std::string("utm"));
        QCOMPARE(params.at("zone"), std::string("18"));
        const auto utm = Crs::from_epsg(32618).proj_params();
        QCOMPARE(utm.at("proj"), std::string("utm"));
        QCOMPARE(utm.at("zone"), std::string("18"));
        QVERIFY(Crs::from_epsg(4326).is_geographic());
        QVERIFY(!Crs::from_epsg(32618).is_geographic());
    }

    void esriWktFromFile() {
        // The file's CRS is ESRI-flavoured WKT with no EPSG code.
        auto g = rbtest::gdal_open(rbtest::tricky("test_esri_wkt.tif"));
        QVERIFY(g);
        const std::string esri = osr_export(GDALGetProjectionRef(g.get()), "FORMAT=WKT1_ESRI");
        QVERIFY(esri.find("PROJCS[\"USA_Contiguous_Albers") != std::string::npos);
        const Crs c = Crs::from_user_input(esri);
        QVERIFY(!c.to_epsg().has_value() || *c.to_epsg() > 0);
        QCOMPARE(c.proj_params().at("proj"), std::string("aea"));
        const Crs fromFile = Dataset::open(rbtest::tricky("test_esri_wkt.tif")).profile().crs;
        QVERIFY(fromFile.equivalent(c));
    }

    void badStringsQuoteTheInput_data() {
        QTest::addColumn<QString>("input");
        QTest::newRow("garbage") << "not a crs at all";
        QTest::newRow("unknown code") << "EPSG:999999";
        QTest::newRow("broken wkt") << "PROJCS[\"x\", GEOGCS[";
        QTest::newRow("operation")
            << "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad";
        QTest::newRow("empty") << "   ";
    }
    void badStringsQuoteTheInput() {
        QFETCH(QString, input);
        try {
            Crs::from_user_input(input.toStdString());
            QFAIL("expected CrsError");
        } catch (const CrsError& e) {
            const QString m = QString::fromUtf8(e.what());
            if (!input.trimmed().isEmpty())
                QVERIFY2(m.contains(input.left(20)), e.what());
            QVERIFY2(!m.contains('\n'), e.what());
        }
    }

    void repeatedInputGivesTheSameAnswer() {
        // PROJ's answers are kept per thread: a repeat must give the same WKT, a bad string
        // must fail again with its own message (failures are not kept), and an answer pushed
        // out by many other CRSs must come back the same.
        const std::string utm = Crs::from_user_input("EPSG:32618").to_wkt();
        QVERIFY(!utm.empty());
        QCOMPARE(Crs::from_user_input("EPSG:32618").to_wkt(), utm);
        for (int k = 0; k < 2; ++k) {
            try {
                Crs::from_user_input("EPSG:999999");
                QFAIL("expected CrsError");
            } catch (const CrsError& e) {
                QVERIFY2(std::string(e.what()).find("EPSG:999999") != std::string::npos, e.what());
            }
        }
        // 70 UTM zones (60 north, 10 south): more than the 64 answers kept.
        for (int k = 0; k < 70; ++k) {
            const int zone = k % 60 + 1, code = (k < 60 ? 32600 : 32700) + zone;
            const Crs c = Crs::from_epsg(code);
            QVERIFY(!c.is_geographic());
            const auto params = c.proj_params();
            QCOMPARE(params.at("zone"), std::to_string(zone));
            QCOMPARE(params.count("south"), std::size_t(k < 60 ? 0 : 1));
        }
        QVERIFY(Crs::from_epsg(4326).is_geographic());
        QCOMPARE(Crs::from_user_input("EPSG:32618").to_wkt(), utm);
    }

    void transformMatchesOsr() {
        const Crs utm = Crs::from_epsg(32618), wgs = Crs::from_epsg(4326);
        CrsTransformer t(utm, wgs);
        // GDAL's own transform of the same point, lon/lat order forced.
        OGRSpatialReferenceH s = OSRNewSpatialReference(nullptr),
                             d = OSRNewSpatialReference(nullptr);
        OSRImportFromEPSG(s, 32618);
        OSRImportFromEPSG(d, 4326);
        OSRSetAxisMappingStrategy(d, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
        OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(s, d);
        double x = 220000, y = 2700000;
        QVERIFY(OCTTransform(ct, 1, &x, &y, nullptr));
        auto [lon, lat] = t.transform(220000, 2700000);
        QVERIFY(std::fabs(lon - x) < 1e-9 && std::fabs(lat - y) < 1e-9);
        QVERIFY(lon < -75 && lon > -79 && lat > 24 && lat < 25);
        OCTDestroyCoordinateTransformation(ct);
        OSRDestroySpatialReference(s);
        OSRDestroySpatialReference(d);
        // Round trip back.
        CrsTransformer back(wgs, utm);
        auto [ux, uy] = back.transform(lon, lat);
        QVERIFY(std::fabs(ux - 220000) < 1e-6 && std::fabs(uy - 2700000) < 1e-6);
    }

    void transformOutsideDomainThrows() {
        const Crs geos = Dataset::open(rbtest::tricky("goes.tif")).profile().crs;
        QVERIFY(!geos.empty());
        QCOMPARE(geos.proj_params().at("proj"), std::string("geos"));
        CrsTransformer t(Crs::from_epsg(4326), geos);
        // The far side of the globe is not visible from the satellite.
        QVERIFY_THROWS_EXCEPTION(CrsError, t.transform(100.0, 0.0));
        std::vector<double> xs{-75.0, 100.0}, ys{0.0, 0.0};
        QCOMPARE(t.transform(xs, ys), std::size_t(1));
        QVERIFY(std::isfinite(xs[0]) && std::isnan(xs[1]));
    }

    void usableFromWorkerThreads() {
        // Each thread parses and transforms with its own PROJ context.
        std::vector<std::thread> threads;
        std::atomic<int> ok{0};
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&] {
                for (int k = 0; k < 20; ++k) {
                    CrsTransformer t(Crs::from_epsg(32618), Crs::from_epsg(4326));
                    auto [lon, lat] = t.transform(500000, 0);
                    if (std::fabs(lon + 75) < 1e-9 && std::fabs(lat) < 1e-9)
                        ++ok;
                }
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(ok.load(), 80);
    }
};

QTEST_GUILESS_MAIN(CrsTest)
#include "tst_crs.moc"
