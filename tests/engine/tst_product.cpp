// Product metadata (Landsat MTL in ODL and JSON, Collections 1 and 2; Sentinel-2 product
// and tile XML) read from real files, and calibration checked against a reference band
// computed by another tool (rio-toa): TOA reflectance within 1e-4.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

#include "rasterbench/calibrate.h"
#include "rasterbench/dataset.h"
#include "rasterbench/product.h"
#include "test_support.h"

using namespace rb;

namespace {

std::string product(const std::string& name) {
    return rbtest::data("products/" + name);
}

} // namespace

class ProductTest : public QObject {
    Q_OBJECT
private slots:
    void landsatTextAndJsonAgree() {
        const ProductMetadata t = read_product_metadata(product("LC80100202015018LGN00_MTL.txt"));
        const ProductMetadata j = read_product_metadata(product("LC80100202015018LGN00_MTL.json"));
        for (const ProductMetadata* m : {&t, &j}) {
            QCOMPARE(m->platform, std::string("LANDSAT_8"));
            QCOMPARE(m->date->iso(), std::string("2015-01-18"));
            QCOMPARE(m->location, std::string("010/020"));
            QCOMPARE(*m->cloud_cover, 19.74);
            QCOMPARE(*m->sun_elevation, 11.10898916);
            QCOMPARE(m->quality_file, std::string("LC80100202015018LGN00_BQA.TIF"));
            QCOMPARE(m->bands.size(), std::size_t(11));
            QCOMPARE(*m->band("B05")->reflectance_mult, 2.0e-05);
            QCOMPARE(*m->band("10")->k1, 774.89);
        }
        QCOMPARE(t.json(),
                 std::string(j.json()).replace(j.json().find(j.source), j.source.size(), t.source));
    }

    void landsatCollection2() {
        const ProductMetadata m =
            read_product_metadata(product("LC08_L1TP_188018_20200927_20201005_02_T1_MTL.txt"));
        QCOMPARE(m.collection, 2);
        QCOMPARE(m.level, std::string("L1TP"));
        QCOMPARE(*m.cloud_cover, 0.04);
        QCOMPARE(*m.sun_elevation, 27.52435766);
        QCOMPARE(m.quality_file,
                 std::string("LC08_L1TP_188018_20200927_20201005_02_T1_QA_PIXEL.TIF"));
        QVERIFY(m.band("B4")->radiance_mult && m.band("B4")->reflectance_mult);
        QVERIFY(!m.band("B4")->sr_mult); // Level-1: no surface reflectance scaling
    }

    void sentinel2ProductsAndTile() {
        const ProductMetadata l1c =
            read_product_metadata(product("S2A_MSIL1C_20200717T221941_R029_T01LAC_MTD_MSIL1C.xml"));
        QCOMPARE(l1c.date->iso(), std::string("2020-07-17"));
        QCOMPARE(l1c.location, std::string("T01LAC"));
        QCOMPARE(l1c.processing_baseline, std::string("02.09"));
        QCOMPARE(l1c.quantification, 10000.0);
        QCOMPARE(l1c.bands.size(), std::size_t(13));
        QCOMPARE(l1c.band("B8A")->offset, 0.0);
        const ProductMetadata old = read_product_metadata(
            product("S2A_MSIL2A_20190212T192651_N0212_R013_T07HFE_MTD_MSIL2A.xml"));
        QCOMPARE(*old.cloud_cover, 51.580326);
        QCOMPARE(old.band("B4")->offset, 0.0); // before baseline 04.00: no offset
        const ProductMetadata n400 = read_product_metadata(
            product("S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_MTD_MSIL2A.xml"));
        QCOMPARE(n400.processing_baseline, std::string("04.00"));
        QCOMPARE(n400.band("B12")->offset, -1000.0);
        QCOMPARE(n400.platform, std::string("Sentinel-2B"));
        const ProductMetadata tile = read_product_metadata(
            product("S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_MTD_TL.xml"));
        QCOMPARE(tile.location, std::string("T33XWJ"));
        QVERIFY(std::abs(*tile.sun_elevation - (90 - 76.5286190227361)) < 1e-9);
        QVERIFY(std::abs(*tile.sun_azimuth - 246.540424743604) < 1e-9);
        // The tile's sun angle grid: 23 x 23 nodes every 5 km from the tile's corner, read
        // from the file; between nodes, bilinear; the mean angle lies inside its range.
        QVERIFY(tile.sun_zenith_grid && tile.sun_azimuth_grid);
        const AngleGrid& z = *tile.sun_zenith_grid;
        QCOMPARE(z.rows, 23);
        QCOMPARE(z.cols, 23);
        QCOMPARE(z.crs, std::string("EPSG:32633"));
        QCOMPARE(z.step_x, 5000.0);
        QCOMPARE(z.step_y, -5000.0);
        QCOMPARE(z.node(0, 0), 76.3089);
        QCOMPARE(z.node(1, 22), 77.1621);
        QCOMPARE(z.at(499980, 8900040), 76.3089);
        QVERIFY(std::abs(z.at(499980 + 2500, 8900040) - (76.3089 + 76.3486) / 2) < 1e-12);
        QVERIFY(std::abs(z.at(499980 + 2500, 8900040 - 2500) -
                         (76.3089 + 76.3486 + 76.2891 + 76.3288) / 4) < 1e-12);
        QVERIFY(std::isnan(z.at(499980 - 1, 8900040))); // west of the first node
        const auto [lo, hi] = z.range();
        QVERIFY(lo < 90 - *tile.sun_elevation && 90 - *tile.sun_elevation < hi);
        QVERIFY(tile.text().find("Sun grid:     zenith") != std::string::npos);
        const auto j = nlohmann::json::parse(tile.json());
        QCOMPARE(j["sun_zenith_grid"]["values"][0][0].get<double>(), 76.3089);
        QCOMPARE(j["sun_azimuth_grid"]["rows"].get<int>(), tile.sun_azimuth_grid->rows);
        QVERIFY(!n400.sun_zenith_grid); // the product file gives only the tile's mean
        // A grid whose rows differ in length is refused, naming the file and the row.
        QFile in(QString::fromStdString(
            product("S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_MTD_TL.xml")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray xml = in.readAll();
        xml.replace("<VALUES>76.2891 ", "<VALUES>");
        QTemporaryDir bad;
        const QString bad_path = bad.filePath("MTD_TL.xml");
        QFile out(bad_path);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(xml) == xml.size());
        out.close();
        const std::string e =
            rbtest::error_of([&] { read_product_metadata(bad_path.toStdString()); });
        QVERIFY2(e.find(bad_path.toStdString()) != std::string::npos &&
                     e.find("row 2") != std::string::npos,
                 e.c_str());

        // Sentinel-2 numbers to reflectance with the baseline's offset: (DN - 1000) / 10000.
        Raster dn(DataType::UInt16, 1, 1, 3);
        dn.band<std::uint16_t>(0)[0] = 0; // fill
        dn.band<std::uint16_t>(0)[1] = 1000;
        dn.band<std::uint16_t>(0)[2] = 3500;
        CalibrateOptions o;
        o.to = CalibrationTarget::Sr;
        const Raster r = calibrate(dn, {"B4"}, n400, o);
        QVERIFY(!r.valid(0, 0, 0));
        QCOMPARE(r.value(0, 0, 1), 0.0);
        QVERIFY(std::abs(r.value(0, 0, 2) - 0.25) < 1e-7);
        QVERIFY(std::abs(calibrate(dn, {"B4"}, old, o).value(0, 0, 2) - 0.35) < 1e-7);
        o.to = CalibrationTarget::Toa; // an L2A product holds surface reflectance
        QVERIFY(rbtest::error_of([&] { calibrate(dn, {"B4"}, n400, o); }).find("Level-2A") !=
                std::string::npos);
    }

    void badMetadataIsNamed() {
        QTemporaryDir dir;
        const QString bad = dir.filePath("x_MTL.txt");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("GROUP = L1_METADATA_FILE\n  DATE_ACQUIRED = yesterday\nEND_GROUP = "
                "L1_METADATA_FILE\n");
        f.close();
        const std::string e = rbtest::error_of([&] { read_product_metadata(bad.toStdString()); });
        QVERIFY2(e.find("x_MTL.txt") != std::string::npos &&
                     e.find("DATE_ACQUIRED") != std::string::npos,
                 e.c_str());
        const std::string n = rbtest::error_of([&] { read_product_metadata(rbtest::sample()); });
        QVERIFY2(n.find("RGB.byte.tif") != std::string::npos, n.c_str());
        QVERIFY(!rbtest::error_of([&] { read_product_metadata("/no/such_MTL.txt"); }).empty());
    }

    void damagedMetadataIsRefusedNotGuessed() {
        // Edits of a real MTL and MTD: a number cut short was read by its prefix (a gain of 2
        // for 2e-5), a gain of 0 or NaN calibrated to one value or to NaN with success, 100,000
        // nested JSON objects crashed, and an editor's byte order mark broke the groups.
        QTemporaryDir dir;
        auto edited = [&](const std::string& from, const std::string& name, const std::string& a,
                          const std::string& b) {
            std::ifstream in(product(from), std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
            if (!a.empty()) {
                const auto at = text.find(a);
                if (at == std::string::npos)
                    return std::string();
                text.replace(at, a.size(), b);
            } else {
                text = b + text;
            }
            const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
            std::ofstream(path, std::ios::binary) << text;
            return path;
        };
        const std::string mtl = "LC80100202015018LGN00_MTL.txt";
        const std::string cut = edited(mtl, "cut_MTL.txt", "REFLECTANCE_MULT_BAND_5 = 2.0000E-05",
                                       "REFLECTANCE_MULT_BAND_5 = 2.0000E");
        QVERIFY(!cut.empty());
        const std::string e = rbtest::error_of([&] { read_product_metadata(cut); });
        QVERIFY2(e == "'" + cut + "': REFLECTANCE_MULT_BAND_5 = 2.0000E is not a number",
                 e.c_str());
        // A damaged path was read by atoi as path 0 ("000/020"): the tile is the scene's place.
        const std::string path = edited(mtl, "path_MTL.txt", "WRS_PATH = 10", "WRS_PATH = 1x");
        const std::string pe = rbtest::error_of([&] { read_product_metadata(path); });
        QVERIFY2(pe == "'" + path + "': WRS_PATH = 1x is not a number", pe.c_str());
        const std::string row = edited(mtl, "row_MTL.txt", "WRS_ROW = 20", "WRS_ROW = 20.5");
        const std::string re = rbtest::error_of([&] { read_product_metadata(row); });
        QVERIFY2(re == "'" + row + "': WRS_ROW = 20.5 is not a whole number in 1..248", re.c_str());
        const std::string zero = edited(mtl, "zero_MTL.txt", "REFLECTANCE_MULT_BAND_5 = 2.0000E-05",
                                        "REFLECTANCE_MULT_BAND_5 = 0");
        const ProductMetadata z = read_product_metadata(zero);
        const std::string g = rbtest::error_of(
            [&] { calibration_map(z, "B5", CalibrationTarget::Toa, "scene.tif"); });
        QVERIFY2(g.find("band B5") != std::string::npos &&
                     g.find("not a calibration") != std::string::npos,
                 g.c_str());
        QCOMPARE(calibration_map(read_product_metadata(product(mtl)), "B5", CalibrationTarget::Toa,
                                 "scene.tif")
                         .mult > 0,
                 true);
        // Bands named for product bands the metadata lacks are not taken in its order.
        const ProductMetadata full = read_product_metadata(product(mtl));
        QCOMPARE(match_product_bands({"B1", "B5"}, "x.tif", full),
                 (std::vector<std::string>{"B1", "B5"}));
        const std::string missing = rbtest::error_of([&] {
            match_product_bands({"B1", "B12"}, "x.tif", full);
        });
        QVERIFY2(missing.find("'x.tif': band 2 is 'B12', which") != std::string::npos,
                 missing.c_str());
        const std::string bom = edited(mtl, "bom_MTL.txt", "", "\xEF\xBB\xBF");
        const ProductMetadata b = read_product_metadata(bom);
        QCOMPARE(b.bands.size(), std::size_t(11));
        QCOMPARE(*b.band("B05")->reflectance_mult, 2.0e-05);
        QCOMPARE(*b.cloud_cover, 19.74);
        std::string deep = "{\"L1_METADATA_FILE\":{\"X\":";
        for (int i = 0; i < 100000; ++i)
            deep += "{\"a\":";
        deep += "1" + std::string(100000, '}') + "}}";
        const std::string deep_path = dir.filePath("deep_MTL.json").toStdString();
        std::ofstream(deep_path) << deep;
        const std::string d = rbtest::error_of([&] { read_product_metadata(deep_path); });
        QVERIFY2(d.find("JSON nested 100002 levels deep") != std::string::npos, d.c_str());
        const std::string s2 =
            edited("S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_MTD_MSIL2A.xml",
                   "q_MTD_MSIL2A.xml", "<BOA_QUANTIFICATION_VALUE unit=\"none\">10000<",
                   "<BOA_QUANTIFICATION_VALUE unit=\"none\">10000abc<");
        QVERIFY(!s2.empty());
        const std::string q = rbtest::error_of([&] { read_product_metadata(s2); });
        QVERIFY2(q.find("BOA_QUANTIFICATION_VALUE '10000abc' is not a number") != std::string::npos,
                 q.c_str());
    }

    void toaReflectanceMatchesTheReference() {
        QTemporaryDir dir;
        const std::string out = dir.filePath("b5_toa.tif").toStdString();
        const std::string in = product("tiny_LC81390452014295LGN00_B5.TIF");
        CalibrateOptions o;
        const CalibrationReport rep =
            calibrate_file(in, out, product("LC81390452014295LGN00_MTL.json"), o);
        QCOMPARE(rep.bands, std::vector<std::string>{"B5"}); // from the file name
        const Raster got = Dataset::open(out).read();
        const Raster dn = Dataset::open(in).read();
        const Raster ref = Dataset::open(product("tiny_LC81390452014295LGN00_B5_refl.TIF")).read();
        QCOMPARE(got.dtype(), DataType::Float32);
        QCOMPARE(Dataset::open(out).profile().descriptions.front(), std::string("B5"));
        double worst = 0;
        std::size_t compared = 0;
        for (int y = 0; y < dn.rows(); ++y)
            for (int x = 0; x < dn.cols(); ++x) {
                if (dn.value(0, y, x) == 0) {
                    QVERIFY(!got.valid(0, y, x)); // fill stays invalid
                    continue;
                }
                worst = std::max(worst, std::abs(got.value(0, y, x) - ref.value(0, y, x) / 55000));
                ++compared;
            }
        qInfo("TOA reflectance vs rio-toa: %zu pixels, worst difference %.3g", compared, worst);
        QVERIFY(compared > 50000);
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));

        // Radiance is DN * mult + add; DOS1 takes a haze off every pixel.
        o.to = CalibrationTarget::SrDos;
        const std::string dos = dir.filePath("b5_dos.tif").toStdString();
        const CalibrationReport d =
            calibrate_file(in, dos, product("LC81390452014295LGN00_MTL.json"), o);
        QVERIFY(d.haze.size() == 1 && d.haze[0] >= 0);
        const Raster dr = Dataset::open(dos).read();
        for (int y = 0; y < 40; ++y)
            if (got.valid(0, y, 200))
                QVERIFY(std::abs(dr.value(0, y, 200) - (got.value(0, y, 200) - d.haze[0])) < 1e-6);
        // A Level-1 product has no surface reflectance scaling, and the output may not be
        // the input.
        o.to = CalibrationTarget::Sr;
        QVERIFY(rbtest::error_of([&] {
                    calibrate_file(in, dir.filePath("sr.tif").toStdString(),
                                   product("LC81390452014295LGN00_MTL.json"), o);
                }).find("Level-2") != std::string::npos);
        o.to = CalibrationTarget::Toa;
        QVERIFY(!rbtest::error_of([&] {
                     calibrate_file(in, in, product("LC81390452014295LGN00_MTL.json"), o);
                 }).empty());
    }

    void perPixelSunFromTheZenithBand() {
        // A Collection 2 product: its MTL names the _SZA band. The band file is real digital
        // numbers; the zenith band spans three degrees across the scene, as a wide swath does.
        QTemporaryDir dir;
        const std::string id = "LC08_L1TP_188018_20200927_20201005_02_T1";
        const std::string mtl = dir.filePath(QString::fromStdString(id + "_MTL.txt")).toStdString();
        QVERIFY(QFile::copy(QString::fromStdString(product(id + "_MTL.txt")),
                            QString::fromStdString(mtl)));
        const Dataset src = Dataset::open(product("tiny_LC81390452014295LGN00_B5.TIF"));
        const Raster dn = src.read();
        const std::string band = dir.filePath(QString::fromStdString(id + "_B4.TIF")).toStdString();
        {
            Dataset out = Dataset::create(band, src.profile());
            out.write(dn);
            out.close();
        }
        const ProductMetadata m = read_product_metadata(mtl);
        QCOMPARE(m.solar_zenith_file, id + "_SZA.TIF");
        const double centre = 90.0 - *m.sun_elevation;
        auto write_zenith = [&](const std::string& path, int cols, auto degrees) {
            Profile p = src.profile();
            p.dtype = DataType::Int16;
            p.count = 1;
            p.width = cols;
            p.set_nodata(std::nullopt);
            Raster z(DataType::Int16, 1, dn.rows(), cols);
            auto v = z.band<std::int16_t>(0);
            for (int y = 0; y < dn.rows(); ++y)
                for (int x = 0; x < cols; ++x)
                    v[std::size_t(y) * std::size_t(cols) + std::size_t(x)] =
                        std::int16_t(std::lround(100 * degrees(x, y)));
            Dataset out = Dataset::create(path, p);
            out.write(z);
            out.close();
        };
        const std::string sza = dir.filePath(QString::fromStdString(id + "_SZA.TIF")).toStdString();
        CalibrateOptions o;
        o.sun = SunGeometry::Pixel;
        // Without the zenith band: the error names the file the MTL promised.
        const std::string missing = rbtest::error_of(
            [&] { calibrate_file(band, dir.filePath("x.tif").toStdString(), mtl, o); });
        QVERIFY2(missing.find(id + "_SZA.TIF") != std::string::npos, missing.c_str());

        write_zenith(sza, dn.cols(), [&](int x, int) {
            return centre - 1.5 + 3.0 * x / std::max(1, dn.cols() - 1);
        });
        const std::string pixel = dir.filePath("pixel.tif").toStdString();
        const std::string scene = dir.filePath("scene.tif").toStdString();
        calibrate_file(band, pixel, mtl, o);
        o.sun = SunGeometry::Scene;
        calibrate_file(band, scene, mtl, o);
        const Raster got = Dataset::open(pixel).read();
        const Raster flat = Dataset::open(scene).read();
        const Raster zen = Dataset::open(sza).read();
        const BandRescaling& b4 = *m.band("B4");
        double worst = 0, west = 0, east = 0;
        int west_n = 0, east_n = 0;
        for (int y = 0; y < dn.rows(); ++y)
            for (int x = 0; x < dn.cols(); ++x) {
                if (dn.value(0, y, x) == 0) {
                    QVERIFY(!got.valid(0, y, x));
                    continue;
                }
                const double rad = zen.value(0, y, x) / 100.0 * std::numbers::pi / 180.0;
                const double want =
                    (*b4.reflectance_mult * dn.value(0, y, x) + *b4.reflectance_add) /
                    std::cos(rad);
                worst = std::max(worst, std::abs(got.value(0, y, x) - want) / std::abs(want));
                // Against the scene-centre sun, in the western and eastern tenths.
                const double ratio = got.value(0, y, x) / flat.value(0, y, x);
                if (x < dn.cols() / 10) {
                    west += ratio;
                    ++west_n;
                } else if (x >= dn.cols() - dn.cols() / 10) {
                    east += ratio;
                    ++east_n;
                }
            }
        QVERIFY(west_n > 0 && east_n > 0);
        west /= west_n;
        east /= east_n;
        qInfo("per-pixel sun: worst relative error %.2g; west / scene %.4f, east / scene %.4f",
              worst, west, east);
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        // The sun lower in the east: reflectance there is raised against the scene-centre one,
        // and lowered in the west.
        QVERIFY(east > 1.01 && west < 0.99);

        // A zenith band of another size, and a target the sun does not enter: named errors.
        QVERIFY(QFile::remove(QString::fromStdString(sza)));
        write_zenith(sza, dn.cols() - 1, [&](int, int) { return centre; });
        o.sun = SunGeometry::Pixel;
        const std::string size = rbtest::error_of(
            [&] { calibrate_file(band, dir.filePath("y.tif").toStdString(), mtl, o); });
        QVERIFY2(size.find("_SZA.TIF") != std::string::npos &&
                     size.find("grid") != std::string::npos,
                 size.c_str());
        o.to = CalibrationTarget::Radiance;
        const std::string radiance = rbtest::error_of(
            [&] { calibrate_file(band, dir.filePath("z.tif").toStdString(), mtl, o); });
        QVERIFY2(radiance.find("--sun scene") != std::string::npos, radiance.c_str());
    }
};

QTEST_GUILESS_MAIN(ProductTest)
#include "tst_product.moc"
