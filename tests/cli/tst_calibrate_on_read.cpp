// Calibration on the fly: score, composite and recipes read a Landsat scene as TOA
// reflectance with the MTL beside it, and give what compositing the file written by
// `calibrate` gives, with no intermediate file. Real band (Landsat 8 B5) and real MTL.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "rasterbench/calibrate.h"
#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/product.h"
#include "rasterbench/recipe.h"
#include "test_support.h"

using namespace rb;

namespace {

const char* kProduct = "LC81390452014295LGN00";

/// Samples where `a` and the window of `b` at (`row`, `col`) differ in validity, or in value
/// beyond `tol` (NaN counts as invalid).
std::size_t differences(const Raster& a, const Raster& b, double tol, int row = 0, int col = 0) {
    std::size_t n = 0;
    for (int y = 0; y < a.rows(); ++y)
        for (int x = 0; x < a.cols(); ++x) {
            const double u = a.value(0, y, x), v = b.value(0, y + row, x + col);
            const bool va = a.valid(0, y, x) && std::isfinite(u);
            const bool vb = b.valid(0, y + row, x + col) && std::isfinite(v);
            n += va != vb || (va && std::abs(u - v) > tol);
        }
    return n;
}

} // namespace

class CalibrateOnReadTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string scene_, toa_;

    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        // The product's band under its own name, with its MTL beside it (as delivered).
        const QString products = QString::fromStdString(rbtest::data("products"));
        scene_ = path("LC81390452014295LGN00_B5.TIF");
        QVERIFY(QFile::copy(products + "/tiny_LC81390452014295LGN00_B5.TIF",
                            QString::fromStdString(scene_)));
        QVERIFY(QFile::copy(products + "/LC81390452014295LGN00_MTL.json",
                            dir_.filePath("LC81390452014295LGN00_MTL.json")));
        toa_ = path("written_toa.tif");
        calibrate_file(scene_, toa_, "", CalibrateOptions{});
    }

    void readerGivesWhatCalibrateWrites() {
        SceneSource s{{scene_}};
        s.calibrate = "toa";
        const SceneReader reader(s);
        QCOMPARE(reader.dtype(), DataType::Float32);
        QCOMPARE(reader.layout().calibration, std::string("toa"));
        QVERIFY(reader.layout().product.find(kProduct) != std::string::npos);
        const Raster got =
            reader.read(Window::full(reader.profile().width, reader.profile().height));
        const Raster want = Dataset::open(toa_).read();
        QCOMPARE(differences(got, want, 0.0), std::size_t(0));
        // A window of it is that window of the whole.
        const Window w{37, 11, 64, 50};
        QCOMPARE(differences(reader.read(w), got, 0.0, int(w.row_off), int(w.col_off)),
                 std::size_t(0));

        // With a quality file appended, its numbers come back as stored (and the fill
        // pixels of the calibrated band stay invalid).
        s.files.push_back(scene_);
        const SceneReader stacked(s);
        QCOMPARE(stacked.layout().count, 2);
        const Raster both = stacked.read(w);
        const Raster dn = Dataset::open(scene_).read();
        QCOMPARE(differences(select_band(both, 0), got, 0.0, int(w.row_off), int(w.col_off)),
                 std::size_t(0));
        std::size_t fill = 0;
        for (int y = 0; y < both.rows(); ++y)
            for (int x = 0; x < both.cols(); ++x) {
                const double v = dn.value(0, y + int(w.row_off), x + int(w.col_off));
                QCOMPARE(both.value(1, y, x), v);
                fill += v == 0 && !both.valid(0, y, x);
            }
        QVERIFY(fill > 0); // the window reaches the scene's fill
    }

    void compositeAndScoreCalibrateOnTheFly() {
        const std::string out = path("composite_toa.tif");
        const auto r =
            rbtest::cli({"composite", QString::fromStdString(scene_), "-o",
                         QString::fromStdString(out), "--score", "darkness", "--calibrate", "toa"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const Dataset d = Dataset::open(out);
        QCOMPARE(d.profile().dtype, DataType::Float32);
        QCOMPARE(differences(d.read(), Dataset::open(toa_).read(), 0.0), std::size_t(0));

        // The stored numbers are what the same command reads without --calibrate.
        const std::string raw = path("composite_dn.tif");
        QCOMPARE(rbtest::cli({"composite", QString::fromStdString(scene_), "-o",
                              QString::fromStdString(raw), "--score", "darkness"})
                     .code,
                 0);
        QCOMPARE(Dataset::open(raw).profile().dtype, Dataset::open(scene_).profile().dtype);
    }

    void recipeCompositeStepCalibrates() {
        const std::string out = path("recipe_toa.tif");
        const std::string text = "{\"format\": \"rasterbench-recipe\", \"version\": 1, "
                                 "\"steps\": [{\"type\": \"composite\", \"calibrate\": "
                                 "\"toa\", \"score\": {\"method\": \"darkness\"}}]}";
        const Recipe recipe = parse_recipe(text);
        QCOMPARE(std::get<CompositeStep>(recipe.steps.front()).calibration.calibrate,
                 std::string("toa"));
        // The key survives the round trip through the recipe writer.
        QVERIFY(parse_recipe(write_recipe(recipe)) == recipe);
        RecipeRunOptions ro;
        ro.output = out;
        run_recipe(recipe, {SceneSource{{scene_}}}, ro);
        QCOMPARE(differences(Dataset::open(out).read(), Dataset::open(toa_).read(), 0.0),
                 std::size_t(0));
        // A value that is not a target is refused at its path.
        const std::string bad = rbtest::error_of([&] {
            parse_recipe("{\"format\": \"rasterbench-recipe\", \"version\": 1, \"steps\": "
                         "[{\"type\": \"composite\", "
                         "\"calibrate\": \"dn\"}]}");
        });
        QVERIFY2(bad.find("calibrate") != std::string::npos, bad.c_str());
    }

    void perPixelSunOnTheFly() {
        // A Collection 2 product whose MTL names its solar zenith band: real digital numbers,
        // and a zenith band spanning three degrees from west to east.
        QTemporaryDir c2;
        const std::string id = "LC08_L1TP_188018_20200927_20201005_02_T1";
        const auto at = [&](const std::string& name) {
            return c2.filePath(QString::fromStdString(name)).toStdString();
        };
        QVERIFY(
            QFile::copy(QString::fromStdString(rbtest::data("products") + "/" + id + "_MTL.txt"),
                        QString::fromStdString(at(id + "_MTL.txt"))));
        const Dataset src = Dataset::open(scene_);
        const Raster dn = src.read();
        const std::string band = at(id + "_B4.TIF");
        {
            Dataset out = Dataset::create(band, src.profile());
            out.write(dn);
            out.close();
        }
        const ProductMetadata m = read_product_metadata(at(id + "_MTL.txt"));
        const double centre = 90.0 - *m.sun_elevation;
        {
            Profile p = src.profile();
            p.dtype = DataType::Int16;
            p.set_nodata(std::nullopt);
            Raster z(DataType::Int16, 1, dn.rows(), dn.cols());
            auto v = z.band<std::int16_t>(0);
            for (int y = 0; y < dn.rows(); ++y)
                for (int x = 0; x < dn.cols(); ++x)
                    v[std::size_t(y) * std::size_t(dn.cols()) + std::size_t(x)] = std::int16_t(
                        std::lround(100 * (centre - 1.5 + 3.0 * x / std::max(1, dn.cols() - 1))));
            Dataset out = Dataset::create(at(id + "_SZA.TIF"), p);
            out.write(z);
            out.close();
        }
        CalibrateOptions o;
        o.sun = SunGeometry::Pixel;
        const std::string want = at("written_pixel.tif");
        calibrate_file(band, want, "", o);
        const Raster reference = Dataset::open(want).read();

        // The reader, window by window, gives what `calibrate --sun pixel` writes.
        SceneCalibration cal;
        cal.calibrate = "toa";
        cal.sun = SunGeometry::Pixel;
        const SceneSource s = with_calibration({SceneSource{{band}}}, cal).front();
        QCOMPARE(s.solar_zenith, at(id + "_SZA.TIF"));
        const SceneReader reader(s);
        QCOMPARE(differences(reader.read(Window::full(dn.cols(), dn.rows())), reference, 0.0),
                 std::size_t(0));
        const Window w{37, 11, 64, 50};
        QCOMPARE(differences(reader.read(w), reference, 0.0, int(w.row_off), int(w.col_off)),
                 std::size_t(0));

        // The command line and a recipe ("sun": "pixel") give the same.
        const std::string out = at("composite_pixel.tif");
        auto r = rbtest::cli({"composite", QString::fromStdString(band), "-o",
                              QString::fromStdString(out), "--score", "darkness", "--calibrate",
                              "toa", "--sun", "pixel"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(differences(Dataset::open(out).read(), reference, 0.0), std::size_t(0));
        const Recipe recipe = parse_recipe(
            "{\"format\": \"rasterbench-recipe\", \"version\": 1, \"steps\": [{\"type\": "
            "\"composite\", \"calibrate\": \"toa\", \"sun\": \"pixel\", \"score\": "
            "{\"method\": \"darkness\"}}]}");
        QVERIFY(std::get<CompositeStep>(recipe.steps.front()).calibration.sun ==
                SunGeometry::Pixel);
        QVERIFY(parse_recipe(write_recipe(recipe)) == recipe);
        RecipeRunOptions ro;
        ro.output = at("recipe_pixel.tif");
        run_recipe(recipe, {SceneSource{{band}}}, ro);
        QCOMPARE(differences(Dataset::open(ro.output).read(), reference, 0.0), std::size_t(0));

        // Warped onto another grid on the fly, the zenith band goes with the scene: the same
        // pixels as compositing the file calibrated with each pixel's sun.
        const std::string warped = at("warped_pixel.tif"), warped_ref = at("warped_ref.tif");
        r = rbtest::cli({"composite", QString::fromStdString(band), "-o",
                         QString::fromStdString(warped), "--score", "darkness", "--calibrate",
                         "toa", "--sun", "pixel", "--dst-crs", "EPSG:3857"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = rbtest::cli({"composite", QString::fromStdString(want), "-o",
                         QString::fromStdString(warped_ref), "--score", "darkness", "--dst-crs",
                         "EPSG:3857"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const Raster got_warped = Dataset::open(warped).read();
        const Raster want_warped = Dataset::open(warped_ref).read();
        QCOMPARE(got_warped.cols(), want_warped.cols());
        QCOMPARE(differences(got_warped, want_warped, 0.0), std::size_t(0));

        // What cannot work is refused, naming the scene: no zenith band in a Collection 1
        // MTL, and a target the sun does not enter.
        const auto e =
            rbtest::cli({"composite", QString::fromStdString(scene_), "-o", dir_.filePath("c1.tif"),
                         "--score", "darkness", "--calibrate", "toa", "--sun", "pixel"});
        QCOMPARE(e.code, 1);
        QVERIFY2(e.err.contains("solar zenith") && !QFile::exists(dir_.filePath("c1.tif")),
                 qPrintable(e.err));
        SceneSource radiance{{band}};
        radiance.calibrate = "radiance";
        radiance.sun = SunGeometry::Pixel;
        const std::string no_sun = rbtest::error_of([&] { SceneReader bad(radiance); });
        QVERIFY2(no_sun.find(band) != std::string::npos &&
                     no_sun.find("top-of-atmosphere") != std::string::npos,
                 no_sun.c_str());
    }

    void missingMetadataAndWrongTargetsNameTheScene() {
        // No MTL beside this copy: the error names the scene and says what is missing.
        QTemporaryDir lone;
        const QString copy = lone.filePath("LC81390452014295LGN00_B5.TIF");
        QVERIFY(QFile::copy(QString::fromStdString(scene_), copy));
        SceneSource s{{copy.toStdString()}};
        s.calibrate = "toa";
        const std::string e = rbtest::error_of([&] { SceneReader r(s); });
        QVERIFY2(e.find(copy.toStdString()) != std::string::npos &&
                     e.find("metadata") != std::string::npos,
                 e.c_str());
        // A Level-1 product has no surface reflectance; sr-dos needs the whole scene.
        s.files = {scene_};
        s.calibrate = "sr";
        QVERIFY(rbtest::error_of([&] { SceneReader r(s); }).find("Level-2") != std::string::npos);
        s.calibrate = "sr-dos";
        QVERIFY(rbtest::error_of([&] { SceneReader r(s); }).find("whole scene") !=
                std::string::npos);
        const auto r =
            rbtest::cli({"score", QString::fromStdString(scene_), "-o", dir_.filePath("s.tif"),
                         "--method", "darkness", "--calibrate", "sr"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("Level-2") && !QFile::exists(dir_.filePath("s.tif")),
                 qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(CalibrateOnReadTest)
#include "tst_calibrate_on_read.moc"
