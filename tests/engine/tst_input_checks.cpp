// Input checks at the engine level: invalid vector geometries name the file and feature
// (or are skipped and counted), a burnt property missing from features, empty vector
// files, reprojection inputs without CRS or of absurd size, the warning for a target CRS
// that leaves most of the output empty, GDAL messages routed to the message sink, copy
// errors in the system's words, and thread counts clamped to the cores.
// TBB (behind threads.h) names a function emit(): included before Qt defines its macro.
#include "threads.h"

#include <cpl_conv.h>
#include <gdal.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <mutex>

#include "atomic_file.h"
#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/features.h"
#include "rasterbench/score.h"
#include "rasterbench/warp.h"
#include "test_support.h"

using namespace rb;

namespace {

// Collects what the engine hands to the message sink while alive.
class SinkRecorder {
public:
    SinkRecorder() {
        set_message_sink([this](MessageKind kind, const std::string& text) {
            std::lock_guard lock(m_);
            (kind == MessageKind::Warning ? warnings_ : library_).push_back(text);
        });
    }
    ~SinkRecorder() { set_message_sink({}); }
    std::vector<std::string> warnings() const {
        std::lock_guard lock(m_);
        return warnings_;
    }
    std::vector<std::string> library() const {
        std::lock_guard lock(m_);
        return library_;
    }

private:
    mutable std::mutex m_;
    std::vector<std::string> warnings_, library_;
};

const char* kSquare = R"({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})";

std::string collection(const std::vector<std::string>& geometries) {
    std::string s = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < geometries.size(); ++i)
        s += (i ? "," : "") + std::string(R"({"type":"Feature","properties":{"v":)") +
             std::to_string(i + 1) + "},\"geometry\":" + geometries[i] + "}";
    return s + "]}";
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

class InputChecksTest : public QObject {
    Q_OBJECT
    QTemporaryDir tmp;
    std::string path(const char* name) { return tmp.filePath(name).toStdString(); }

private slots:
    void invalidGeometryNamesFileAndFeature_data() {
        QTest::addColumn<QString>("geometry");
        QTest::addColumn<QString>("problem");
        QTest::newRow("circle") << R"({"type":"Circle","coordinates":[1,2],"radius":3})"
                                << "feature 1: geometry type 'Circle' is not a GeoJSON";
        QTest::newRow("coordinates string") << R"({"type":"Point","coordinates":"nope"})"
                                            << "feature 1: coordinates are not";
        QTest::newRow("string positions")
            << R"({"type":"LineString","coordinates":[["a",1],[1,2]]})"
            << "feature 1: coordinates are not numbers";
        QTest::newRow("ring of 3") << R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})"
                                   << "feature 1: ring 0 has 3 positions";
        QTest::newRow("hole of 2")
            << R"({"type":"Polygon","coordinates":[[[0,0],[9,0],[9,9],[0,0]],[[1,1],[1,1]]]})"
            << "feature 1: ring 1 has 2 positions";
        // Not JSON, but GDAL's parser takes it: caught on the geometry OGR built.
        QTest::newRow("NaN literal") << R"({"type":"Point","coordinates":[NaN,1]})"
                                     << "feature 1: a coordinate is NaN";
        QTest::newRow("overflow to infinity") << R"({"type":"Point","coordinates":[1e999,1]})"
                                              << "feature 1: a coordinate is NaN or infinite";
        QTest::newRow("no type") << R"({"coordinates":[1,2]})"
                                 << "feature 1: the geometry has no \"type\"";
        QTest::newRow("multipolygon ring")
            << R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,1],[0,0]]]]})"
            << "feature 1: ring 0 has 3 positions";
    }
    void invalidGeometryNamesFileAndFeature() {
        QFETCH(QString, geometry);
        QFETCH(QString, problem);
        const std::string file = path("bad.geojson");
        write(file, collection({kSquare, geometry.toStdString()}));
        const std::string msg = message_of([&] { read_features(file); });
        QVERIFY2(msg.find("'" + file + "'") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find(problem.toStdString()) != std::string::npos, msg.c_str());
    }

    void gdalsCauseIsKeptBesideItsLastWord() {
        // GDAL fails a GeoJSON object larger than OGR_GEOJSON_MAX_OBJ_SIZE (MB) with the cause,
        // then with "Failed to read GeoJSON data": the error carries both.
        std::string ring;
        for (int i = 0; i < 120000; ++i)
            ring += "[" + std::to_string(i % 200) + "." + std::to_string(i) + "," +
                    std::to_string(i / 200) + ".5],";
        write(path("large.geojson"),
              collection({R"({"type":"Polygon","coordinates":[[)" + ring + "[0.0,0.5]]]}"}));
        CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "1");
        const std::string msg = message_of([&] { read_features(path("large.geojson")); });
        CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", nullptr);
        QVERIFY2(msg.find("large.geojson") != std::string::npos &&
                     msg.find("OGR_GEOJSON_MAX_OBJ_SIZE") != std::string::npos,
                 msg.c_str());
    }

    void skipInvalidCountsAndKeepsTheRest() {
        const std::string file = path("mixed.geojson");
        write(file, collection({kSquare, R"({"type":"Circle","coordinates":[1,2]})", kSquare,
                                R"({"type":"Point","coordinates":[NaN,1]})",
                                R"({"type":"Point","coordinates":[3,4]})"}));
        SinkRecorder sink;
        VectorReadOptions o;
        o.skip_invalid = true;
        const FeatureCollection fc = read_features(file, o);
        QCOMPARE(fc.features.size(), std::size_t(3));
        // The kept features are the valid ones, in order (their "v" is 1, 3, 5).
        QCOMPARE(*fc.features[0].number("v"), 1.0);
        QCOMPARE(*fc.features[1].number("v"), 3.0);
        QCOMPARE(*fc.features[2].number("v"), 5.0);
        const auto w = sink.warnings();
        QCOMPARE(w.size(), std::size_t(1));
        QVERIFY2(w[0].find("skipped 2 invalid features (first: feature 1: geometry type "
                           "'Circle'") != std::string::npos,
                 w[0].c_str());
    }

    void validFilesAreUntouched() {
        // A valid file reads as before, with no warning.
        const std::string file = rbtest::data("features/lulc_polygons_utm33n.geojson");
        SinkRecorder sink;
        const FeatureCollection fc = read_features(file);
        QVERIFY(!fc.features.empty());
        QVERIFY(sink.warnings().empty());
    }

    void propertyMissingFromSomeOrAll() {
        Grid grid{20, 20, Affine{1, 0, 0, 0, -1, 20}, {}};
        FeatureCollection fc;
        for (int i = 0; i < 3; ++i) {
            Feature f;
            f.geometry = Geometry::from_geojson(kSquare);
            if (i == 0)
                f.properties["a"] = std::int64_t(7);
            fc.features.push_back(f);
        }
        RasterizeOptions o;
        o.property = "a";
        {
            SinkRecorder sink;
            const Raster r = rasterize(fc, grid, o);
            QCOMPARE(r.value(0, 15, 5), 0.0); // the last feature (missing: 0) wins
            const auto w = sink.warnings();
            QCOMPARE(w.size(), std::size_t(1));
            QCOMPARE(w[0], std::string("property 'a' is missing or null in 2 of 3 features; "
                                       "they burn 0"));
        }
        o.property = "b";
        const std::string msg = message_of([&] { rasterize(fc, grid, o); });
        QVERIFY2(msg.find("property 'b' is missing or null in every feature") != std::string::npos,
                 msg.c_str());
        // Values the type cannot hold burn clamped, as gdal_rasterize does, and are named.
        fc.features[1].properties["a"] = 300.0;
        fc.features[2].properties["a"] = -4.0;
        o.property = "a";
        o.dtype = DataType::UInt8;
        SinkRecorder sink;
        const Raster r = rasterize(fc, grid, o);
        QCOMPARE(r.value(0, 15, 5), 0.0); // -4 clamped to 0
        const auto w = sink.warnings();
        QCOMPARE(w.size(), std::size_t(1));
        QVERIFY2(w[0].find("property 'a' of 2 of 3 features does not fit the output type uint8 "
                           "(feature 1: 300)") != std::string::npos,
                 w[0].c_str());
    }

    void emptyCollectionNeedsConsent() {
        const std::string file = path("empty.geojson");
        write(file, collection({}));
        Grid grid{8, 8, Affine{1, 0, 0, 0, -1, 8}, Crs::from_epsg(32633)};
        const std::string out = path("empty.tif");
        const std::string msg = message_of([&] { rasterize_file(file, out, grid); });
        QVERIFY2(msg.find("'" + file + "' has no features") != std::string::npos, msg.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(out)));

        SinkRecorder sink;
        RasterizeOptions o;
        o.fill = 3;
        RasterizeFileOptions f;
        f.allow_empty = true;
        rasterize_file(file, out, grid, o, {}, f);
        const Raster r = Dataset::open(out).read();
        QCOMPARE(r.value(0, 4, 4), 3.0);
        const auto w = sink.warnings();
        QCOMPARE(w.size(), std::size_t(1));
        QVERIFY2(w[0].find("the output is all fill value 3") != std::string::npos, w[0].c_str());
    }

    void reprojectRefusesNoCrsAndAbsurdSizes() {
        Profile p;
        p.width = p.height = 10;
        QVERIFY(message_of([&] { check_reprojectable("x.tif", p); }).find("'x.tif' has no CRS") !=
                std::string::npos);
        p.crs = Crs::from_epsg(32618);
        check_reprojectable("x.tif", p); // fine
        p.width = p.height = 1000000;
        const std::string msg = message_of([&] { check_reprojectable("x.tif", p); });
        QVERIFY2(msg.find("'x.tif' is 1000000 x 1000000 pixels") != std::string::npos, msg.c_str());
    }

    void targetGridsThatCannotBeAreNamed() {
        // A CRS without a horizontal position, and a grid too large for one raster (the
        // pixel count once wrapped to a negative size reported as an empty grid).
        const Grid g = grid_of(read_profile(RB_SAMPLE));
        const std::string vertical =
            message_of([&] { default_grid(g, Crs::from_user_input("EPSG:5773")); });
        QVERIFY2(vertical.find("it is a vertical CRS") != std::string::npos, vertical.c_str());
        const std::string geocentric =
            message_of([&] { default_grid(g, Crs::from_user_input("EPSG:4978")); });
        QVERIFY2(geocentric.find("it is a geocentric CRS") != std::string::npos,
                 geocentric.c_str());
        // A compound CRS (UTM plus heights) lays a raster out as its horizontal part does.
        const Grid compound = default_grid(g, Crs::from_user_input("EPSG:32618+5773"));
        QVERIFY(compound.width > 0 && compound.height > 0);
        GridOptions fine;
        fine.res_x = 1e-12;
        const std::string huge = message_of([&] { default_grid(g, Crs(), fine); });
        QVERIFY2(huge.find("would be") != std::string::npos &&
                     huge.find("pixels wide, more than one raster can hold") != std::string::npos,
                 huge.c_str());
        // A folder is named as one (not "not a supported format").
        const std::string folder = message_of([&] { Dataset::open(tmp.path().toStdString()); });
        QVERIFY2(folder.find("it is a folder, not a raster GDAL reads") != std::string::npos,
                 folder.c_str());
    }

    void aScenesFilesAreInOneCrs() {
        // A quality file with the scene's transform numbers but another CRS lies elsewhere.
        Profile p = rbtest::small_profile("GTiff", 8, 6, 1, DataType::UInt16);
        p.transform = Affine{30, 0, 500000, 0, -30, 4000000};
        p.has_transform = true;
        p.crs = Crs::from_epsg(32618);
        {
            Dataset d = Dataset::create(path("scene_sr.tif"), p);
            d.write(Raster(DataType::UInt16, 1, 6, 8));
            d.close();
        }
        p.crs = Crs::from_epsg(32633);
        {
            Dataset d = Dataset::create(path("scene_qa.tif"), p);
            d.write(Raster(DataType::UInt16, 1, 6, 8));
            d.close();
        }
        const std::string e = message_of([&] {
            SceneReader(SceneSource{{path("scene_sr.tif"), path("scene_qa.tif")}});
        });
        QVERIFY2(e.find("scene_qa.tif' is in WGS 84 / UTM zone 33N") != std::string::npos,
                 e.c_str());
        SceneReader(SceneSource{{path("scene_sr.tif"), path("scene_sr.tif")}}); // one CRS: fine
    }

    void aCompositeWithoutCandidatesSaysSo() {
        // Every score below min_score: the composite is written all nodata, and said to be.
        Profile p = rbtest::small_profile("GTiff", 8, 6, 1, DataType::UInt16);
        p.transform = Affine{30, 0, 500000, 0, -30, 4000000};
        p.has_transform = true;
        p.crs = Crs::from_epsg(32618);
        for (const char* name : {"a.tif", "b.tif"}) {
            Dataset d = Dataset::create(path(name), p);
            Raster r(DataType::UInt16, 1, 6, 8);
            std::ranges::fill(r.band<std::uint16_t>(0), std::uint16_t(100));
            d.write(r);
            d.close();
        }
        const std::vector<SceneSource> scenes{SceneSource{{path("a.tif")}},
                                              SceneSource{{path("b.tif")}}};
        CompositeOptions o;
        CompositeOutputs out;
        out.composite = path("mosaic.tif");
        {
            SinkRecorder sink;
            composite_files(scenes, make_score_options("darkness"), o, out);
            QCOMPARE(sink.warnings().size(), std::size_t(0)); // candidates everywhere
        }
        o.min_score = 1e9;
        {
            SinkRecorder sink;
            composite_files(scenes, make_score_options("darkness"), o, out);
            const auto w = sink.warnings();
            QCOMPARE(w.size(), std::size_t(1));
            QVERIFY2(w[0].find("the composite has no valid pixel") != std::string::npos,
                     w[0].c_str());
        }
        // A Float32 quality file makes its scene read as float32: the error names that file.
        for (const DataType t : {DataType::UInt16, DataType::Float32}) {
            p.dtype = t;
            Dataset d = Dataset::create(path(t == DataType::UInt16 ? "a_qa.tif" : "b_qa.tif"), p);
            d.write(Raster(t, 1, 6, 8));
            d.close();
        }
        const std::string e = message_of([&] {
            composite_files({SceneSource{{path("a.tif"), path("a_qa.tif")}},
                             SceneSource{{path("b.tif"), path("b_qa.tif")}}},
                            make_score_options("darkness"), CompositeOptions{}, out);
        });
        QVERIFY2(e.find("'" + path("b_qa.tif") + "' float32)") != std::string::npos &&
                     e.find("'" + path("b.tif") + "' uint16") != std::string::npos,
                 e.c_str());
    }

    void compressionLevelsOutsideTheCodecsRange() {
        // GDAL ignored ZSTD_LEVEL=99 with a warning only; the codecs' own ranges are checked.
        StreamOptions s;
        s.compression = "ZSTD";
        s.compression_level = 99;
        Profile p;
        const std::string zstd = message_of([&] { apply_stream_options(p, s); });
        QVERIFY2(zstd == "compression level 99 is outside ZSTD's 1..22", zstd.c_str());
        s.compression = "DEFLATE";
        s.compression_level = 13;
        QVERIFY(!message_of([&] { apply_stream_options(p, s); }).empty());
        s.compression_level = 12;
        apply_stream_options(p, s);
        QCOMPARE(p.creation_options.at("ZLEVEL"), std::string("12"));
    }

    void mostlyOutOfDomainWarns() {
        const std::string src = RB_SAMPLE; // UTM 18N
        SinkRecorder sink;
        const Profile p = read_profile(src);
        reproject_file(src, path("polar.tif"), default_grid(grid_of(p), Crs::from_epsg(3031)));
        auto w = sink.warnings();
        QCOMPARE(w.size(), std::size_t(1));
        QVERIFY2(w[0].find("most of the output grid is outside the source or outside the domain") !=
                     std::string::npos,
                 w[0].c_str());
        reproject_file(src, path("geographic.tif"), default_grid(grid_of(p), Crs::from_epsg(4326)));
        QCOMPARE(sink.warnings().size(), std::size_t(1)); // no second warning
    }

    void gdalMessagesGoToTheSink() {
        // A TIFF whose directory is out of order: libtiff warns while GDAL opens it. Opened
        // here with GDAL directly, outside any engine capture, as a worker thread might.
        const std::string file = path("unsorted.tif");
        {
            std::ifstream in(RB_SAMPLE, std::ios::binary);
            std::string blob((std::istreambuf_iterator<char>(in)), {});
            std::uint32_t ifd;
            std::memcpy(&ifd, blob.data() + 4, 4);
            // Swap the first two entries (ImageWidth, ImageLength): tags out of order.
            std::swap_ranges(blob.begin() + ifd + 2, blob.begin() + ifd + 14,
                             blob.begin() + ifd + 14);
            write(file, blob);
        }
        SinkRecorder sink;
        GDALDatasetH ds = GDALOpen(file.c_str(), GA_ReadOnly);
        if (ds)
            GDALClose(ds);
        const auto lib = sink.library();
        QVERIFY(!lib.empty());
        QVERIFY2(lib[0].find("unsorted.tif") != std::string::npos, lib[0].c_str());
    }

    void copyErrorsInTheSystemsWords() {
        // /dev/full fails every write with ENOSPC, as a full disk does.
        const std::string msg = message_of(
            [] { detail::copy_file_contents(RB_SAMPLE, "/dev/full", "results/out.tif"); });
        QCOMPARE(msg, std::string("cannot write 'results/out.tif': No space left on device"));
        const std::string missing = message_of(
            [&] { detail::copy_file_contents(path("none.tif"), path("x.tif"), "x.tif"); });
        QVERIFY2(missing.find("No such file or directory") != std::string::npos, missing.c_str());
    }

    void threadsClampedToCores() {
        QCOMPARE(detail::clamp_threads(1 << 20), detail::usable_cores());
        QCOMPARE(detail::clamp_threads(1), 1);
        QCOMPARE(detail::clamp_threads(0), detail::usable_cores());
    }
};

QTEST_GUILESS_MAIN(InputChecksTest)
#include "tst_input_checks.moc"
