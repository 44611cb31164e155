// rasterize_file(): file to file, the same pixels as rasterize(read_features()) (which the
// rasterize tests hold to gdal_rasterize), the layer/filter/property rules of read_features,
// a plain GeoTIFF like gdal_rasterize's, and no output left behind on errors.
#include <QTemporaryDir>
#include <QtTest>

#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "test_support.h"

using namespace rb;

namespace {

std::string feat(const char* name) {
    return rbtest::data(std::string("features/") + name);
}

std::size_t mismatches(const Raster& a, const Raster& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.dtype() != b.dtype())
        return std::size_t(-1);
    std::size_t n = 0;
    for (int y = 0; y < a.rows(); ++y)
        for (int x = 0; x < a.cols(); ++x)
            n += a.value(0, y, x) != b.value(0, y, x);
    return n;
}

} // namespace

class RasterizeFileTest : public QObject {
    Q_OBJECT
    QTemporaryDir tmp;
    std::string out(const char* name) { return tmp.filePath(name).toStdString(); }

private slots:
    void sameAsInMemory_data() {
        QTest::addColumn<QString>("vector");
        QTest::addColumn<QString>("property");
        QTest::addColumn<QString>("where");
        QTest::addColumn<bool>("allTouched");
        QTest::addColumn<bool>("add");
        QTest::addColumn<int>("rows");
        QTest::newRow("lulc, property") << "lulc_polygons_utm33n.geojson"
                                        << "LULC_ID"
                                        << "" << false << false << 101;
        QTest::newRow("lulc in WGS 84 (reprojected)") << "lulc_polygons_wgs84.geojson"
                                                      << "LULC_ID"
                                                      << "" << false << false << 101;
        QTest::newRow("clouds, filter, all touched")
            << "clm_polygons_frames00-29.geojson"
            << ""
            << "TIMESTAMP = '2016-05-16T10:06:47'" << true << false << 101;
        QTest::newRow("clouds, add") << "clm_polygons_frames00-29.geojson"
                                     << ""
                                     << "" << false << true << 101;
        // A grid taller than one strip (256 rows), so strips are written in order.
        QTest::newRow("lulc, many strips") << "lulc_polygons_utm33n.geojson"
                                           << "LULC_ID"
                                           << "" << false << false << 1000;
    }
    void sameAsInMemory() {
        QFETCH(QString, vector);
        QFETCH(QString, property);
        QFETCH(QString, where);
        QFETCH(bool, allTouched);
        QFETCH(bool, add);
        QFETCH(int, rows);
        const std::string path = feat(vector.toStdString().c_str());
        Grid g = grid_of(read_profile(feat("lulc_reference_raster.tif")));
        if (rows != g.height) {
            // Same extent, finer pixels.
            const double f = double(g.height) / rows;
            g.transform =
                Affine{g.transform.a * f, 0, g.transform.c, 0, g.transform.e * f, g.transform.f};
            g.width = int(std::lround(g.width / f));
            g.height = rows;
        }
        RasterizeOptions o;
        o.property = property.toStdString();
        o.all_touched = allTouched;
        o.merge = add ? MergeAlg::Add : MergeAlg::Replace;
        o.dtype = DataType::UInt16;
        o.fill = 3;
        VectorReadOptions ro;
        ro.where = where.toStdString();
        const std::string dst = out("burnt.tif");
        rasterize_file(path, dst, g, o, ro);
        const Raster mem = rasterize(read_features(path, ro), g, o);
        const Dataset d = Dataset::open(dst);
        QCOMPARE(d.width(), g.width);
        QCOMPARE(d.height(), g.height);
        QVERIFY(d.profile().transform.almost_equals(g.transform, 1e-9));
        QVERIFY(d.profile().crs == g.crs);
        QVERIFY(d.profile().compression.empty() || d.profile().compression == "NONE");
        QVERIFY(!d.profile().nodata.at(0).has_value());
        const Raster file = d.read();
        QCOMPARE(mismatches(file, mem), std::size_t(0));
        std::size_t burnt = 0;
        for (int y = 0; y < file.rows(); ++y)
            for (int x = 0; x < file.cols(); ++x)
                burnt += file.value(0, y, x) != 3;
        QVERIFY(burnt > 0);
    }

    void readingOnlySomeFields() {
        // VectorReadOptions::fields converts just the named attributes, with the same values.
        const FeatureCollection all = read_features(feat("lulc_polygons_utm33n.geojson"));
        VectorReadOptions ro;
        ro.fields = std::vector<std::string>{"LULC_ID", "no_such_field"};
        const FeatureCollection some = read_features(feat("lulc_polygons_utm33n.geojson"), ro);
        QCOMPARE(some.features.size(), all.features.size());
        QVERIFY(all.features[0].properties.size() > 2);
        for (std::size_t i = 0; i < all.features.size(); ++i) {
            QCOMPARE(some.features[i].properties.size(), std::size_t(1));
            QCOMPARE(some.features[i].number("LULC_ID"), all.features[i].number("LULC_ID"));
        }
        ro.fields = std::vector<std::string>{};
        QVERIFY(
            read_features(feat("lulc_polygons_utm33n.geojson"), ro).features[0].properties.empty());
    }

    void errorsLeaveNoOutput() {
        const Grid g = grid_of(read_profile(feat("lulc_reference_raster.tif")));
        QFile::remove(QString::fromStdString(out("burnt.tif"))); // from the test above
        const std::string dst = out("never.tif");
        RasterizeOptions o;
        o.property = "LULC_NAME"; // text
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, o));
        QVERIFY_THROWS_EXCEPTION(IoError, rasterize_file(feat("nonexistent.geojson"), dst, g, {}));
        VectorReadOptions ro;
        ro.layer = "no such layer";
        QVERIFY_THROWS_EXCEPTION(
            IoError, rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, {}, ro));
        QVERIFY(!QFile::exists(QString::fromStdString(dst)));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }
};

QTEST_GUILESS_MAIN(RasterizeFileTest)
#include "tst_rasterize_file.moc"
