// rasterize_file(): file to file, the same pixels as rasterize(read_features()) (which the
// rasterize tests hold to gdal_rasterize), the layer/filter/property rules of read_features,
// a plain GeoTIFF like gdal_rasterize's, and no output left behind on errors.
#include <cpl_vsi.h>

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

    void gdalDefaultLayoutWrittenInPlace_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("dtype");
        // Strips of one row and of many rows (GDAL's default strips are about 8 KiB), a
        // single column, and a height that is not a multiple of anything.
        QTest::newRow("uint16 1000x1000") << 1000 << 1000 << int(DataType::UInt16);
        QTest::newRow("uint8 37x301") << 37 << 301 << int(DataType::UInt8);
        QTest::newRow("float64 1x257") << 1 << 257 << int(DataType::Float64);
        QTest::newRow("int32 5000x77") << 5000 << 77 << int(DataType::Int32);
    }
    void gdalDefaultLayoutWrittenInPlace() {
        // The in-place writer fills the file GDAL laid out: the same layout as a GeoTIFF
        // GDAL creates with default options (gdal_rasterize's), read back as written.
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, dtype);
        const Grid ref = grid_of(read_profile(feat("lulc_reference_raster.tif")));
        const Bounds b = ref.bounds();
        Grid g{
            width, height,
            Affine{(b.right - b.left) / width, 0, b.left, 0, -(b.top - b.bottom) / height, b.top},
            ref.crs};
        RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = DataType(dtype);
        o.fill = 2;
        const std::string dst = out("layout.tif");
        rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, o);
        const Raster mem = rasterize(read_features(feat("lulc_polygons_utm33n.geojson")), g, o);
        const Dataset d = Dataset::open(dst);
        QCOMPARE(mismatches(d.read(), mem), std::size_t(0));
        Profile p;
        p.width = width;
        p.height = height;
        p.count = 1;
        p.dtype = o.dtype;
        {
            Dataset plain = Dataset::create(out("plain.tif"), p);
            plain.close();
        }
        const Profile mine = d.profile(), gdal = read_profile(out("plain.tif"));
        QCOMPARE(mine.block_width, gdal.block_width);
        QCOMPARE(mine.block_height, gdal.block_height);
        QCOMPARE(mine.tiled, gdal.tiled);
        QCOMPARE(mine.interleave, gdal.interleave);
        QVERIFY(mine.compression.empty() || mine.compression == "NONE");
        QFile::remove(QString::fromStdString(dst));
        QFile::remove(QString::fromStdString(out("plain.tif")));
    }

    void compressionAndNodataGoThroughGdal() {
        // The CLI's files: DEFLATE and a declared nodata, strips written in order by GDAL;
        // also a /vsimem/ destination, which the in-place writer leaves to GDAL.
        const Grid g = grid_of(read_profile(feat("lulc_reference_raster.tif")));
        RasterizeOptions o;
        o.property = "LULC_ID";
        o.dtype = DataType::UInt16;
        const Raster mem = rasterize(read_features(feat("lulc_polygons_utm33n.geojson")), g, o);
        RasterizeFileOptions file;
        file.compression = "DEFLATE";
        file.nodata = 0;
        const std::string dst = out("deflate.tif");
        rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, o, {}, file);
        {
            const Dataset d = Dataset::open(dst);
            QCOMPARE(d.profile().compression, std::string("DEFLATE"));
            QCOMPARE(d.profile().nodata.at(0), std::optional<double>(0));
            Raster r = d.read();
            r.drop_mask(); // nodata 0 masks the background; the values are what counts
            QCOMPARE(mismatches(r, mem), std::size_t(0));
        }
        QFile::remove(QString::fromStdString(dst));
        const std::string vsi = "/vsimem/rb_tst_rasterize_file.tif";
        rasterize_file(feat("lulc_polygons_utm33n.geojson"), vsi, g, o);
        QCOMPARE(mismatches(Dataset::open(vsi).read(), mem), std::size_t(0));
        VSIUnlink(vsi.c_str());
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
        // A nodata value the band cannot hold, and a compression GDAL does not know (it wrote
        // an uncompressed file with a warning): refused, naming the value.
        RasterizeOptions byte;
        byte.dtype = DataType::UInt8;
        for (const double nodata : {-1.0, 300.0, std::nan("")}) {
            RasterizeFileOptions file;
            file.nodata = nodata;
            const std::string e = rbtest::error_of([&] {
                rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, byte, {}, file);
            });
            QVERIFY2(e.find("nodata value") != std::string::npos &&
                         e.find("does not fit the output type") != std::string::npos,
                     e.c_str());
        }
        RasterizeFileOptions bogus;
        bogus.compression = "BOGUS";
        const std::string e = rbtest::error_of(
            [&] { rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, byte, {}, bogus); });
        QVERIFY2(e.find("BOGUS") != std::string::npos && e.find(dst) != std::string::npos,
                 e.c_str());
        // Cancelled while strips are being written in place: the partial file goes too.
        o.property = "LULC_ID";
        int reports = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, o, {},
                                                Progress([&](double f) { return f < 0.3; }, 0)));
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 rasterize_file(feat("lulc_polygons_utm33n.geojson"), dst, g, o, {},
                                                Progress([&](double) { return ++reports < 2; })));
        QVERIFY(!QFile::exists(QString::fromStdString(dst)));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }
};

QTEST_GUILESS_MAIN(RasterizeFileTest)
#include "tst_rasterize_file.moc"
