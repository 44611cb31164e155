// Grid comparison of a stack's scenes with its reference: the Landsat 8 dates sit on
// slightly different grids (origin and pixel width), the eo-box dates share one; what GDAL
// reports for each decides what we expect.
#include <QtTest>

#include "rasterbench/grid_compare.h"
#include "test_support.h"

using namespace rb;

class GridCompareTest : public QObject {
    Q_OBJECT
private slots:
    void landsatDatesDifferAsGdalSays() {
        const std::string a =
            rbtest::data("viewer/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif");
        const std::string b =
            rbtest::data("viewer/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif");
        double ga[6], gb[6];
        QCOMPARE(GDALGetGeoTransform(rbtest::gdal_open(a).get(), ga), CE_None);
        QCOMPARE(GDALGetGeoTransform(rbtest::gdal_open(b).get(), gb), CE_None);
        QVERIFY(ga[0] != gb[0] || ga[1] != gb[1]); // the data's documented misalignment
        const GridComparison c = compare_grids(read_profile(a), read_profile(b));
        QVERIFY(!c.aligned());
        QVERIFY(c.same_crs);
        QVERIFY(c.same_size);
        QVERIFY(!c.same_transform);
        QVERIFY2(QString::fromStdString(c.summary).contains("origin") ||
                     QString::fromStdString(c.summary).contains("pixel"),
                 c.summary.c_str());
        QVERIFY(compare_grids(read_profile(a), read_profile(a)).aligned());
        QVERIFY(compare_grids(read_profile(a), read_profile(a)).summary.empty());
    }

    void sharedGridAndOtherCrs() {
        const Profile p1 =
            read_profile(rbtest::data("viewer/2008-04-19_LT05_LT50350322008110PAC01_sr.tif"));
        const Profile p2 =
            read_profile(rbtest::data("viewer/2008-05-05_LT05_LT50350322008126PAC01_sr.tif"));
        QVERIFY(compare_grids(p1, p2).aligned());
        const Profile ny =
            read_profile(rbtest::data("viewer/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif"));
        const GridComparison c = compare_grids(p1, ny);
        QVERIFY(!c.same_crs); // UTM 13N vs 18N
        QVERIFY(!c.same_size);
        QVERIFY(QString::fromStdString(c.summary).contains("CRS"));
    }
};

QTEST_APPLESS_MAIN(GridCompareTest)
#include "tst_pyramid_grid.moc"
