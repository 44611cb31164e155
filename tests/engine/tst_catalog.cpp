// The scene catalog: real Landsat 8 scenes with Collection 1 BQA files (cloud computed from
// the quality file), real Landsat and Sentinel-2 metadata (cloud from the metadata), STAC
// ItemCollections and list files written by the test; selection by date, season (wrapping
// the new year), cloud and sensor; the CLI's JSON rows.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "rasterbench/catalog.h"
#include "rasterbench/dataset.h"
#include "rasterbench/quality.h"
#include "rasterbench/raster.h"
#include "rasterbench/recipe.h"
#include "test_support.h"

using namespace rb;

namespace {

const std::string kStack = "_stack.tif";
const std::string kBqa = "_BQA.tif";

CatalogEntry dated(int y, int m, int d, double cloud, const std::string& sensor) {
    CatalogEntry e;
    e.path = std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(d);
    e.date = SceneDate{y, m, d};
    e.cloud_cover = cloud;
    e.sensor = sensor;
    return e;
}

/// Cloud share (percent of non-fill pixels) of a quality file at full resolution, counted
/// here from its values.
double full_cloud(const std::string& qa) {
    const Raster r = Dataset::open(qa).read();
    std::size_t valid = 0, cloud = 0;
    for (int row = 0; row < r.rows(); ++row)
        for (int col = 0; col < r.cols(); ++col) {
            const QualityClass c =
                classify_quality(QualityPreset::LandsatC1Bqa, std::uint32_t(r.value(0, row, col)));
            valid += c != QualityClass::Fill;
            cloud += c == QualityClass::Cloud || c == QualityClass::CloudEdge ||
                     c == QualityClass::Cirrus;
        }
    return 100.0 * double(cloud) / double(valid);
}

const char* const kItems =
    "{\"type\": \"FeatureCollection\", \"features\": [ "
    "{\"type\": \"Feature\", \"id\": \"LC08_L1TP_013032_20180405_20180417_01_T1\", "
    "\"properties\": {\"datetime\": \"2018-04-05T15:43:10Z\", \"eo:cloud_cover\": 12.5, "
    "\"platform\": \"landsat-8\"}, "
    "\"assets\": {\"data\": {\"href\": \"a.tif\", \"type\": \"image/tiff\", \"roles\": "
    "[\"data\"]}, "
    "\"thumbnail\": {\"href\": \"a.jpg\", \"type\": \"image/jpeg\"}}}, "
    "{\"type\": \"Feature\", \"id\": \"S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ\", "
    "\"properties\": {\"datetime\": \"2022-04-13T15:07:59Z\", \"eo:cloud_cover\": 98.9, "
    "\"platform\": \"sentinel-2b\", \"proj:epsg\": 32633, "
    "\"proj:shape\": [10980, 10980]}, "
    "\"assets\": {\"B04\": {\"href\": \"https://example.com/B04.tif\", "
    "\"type\": \"image/tiff; application=geotiff\", \"roles\": [\"data\"]}}} "
    "]} ";

} // namespace

class CatalogTest : public QObject {
    Q_OBJECT
private slots:
    void recipeScenesFromACatalog() {
        // A recipe names a catalog and a selection instead of scenes: resolved when it runs
        // (relative to the recipe), shown in the plan, and written back as it was read.
        const std::string text = R"({"format": "rasterbench-recipe", "version": 1,
            "scenes": {"catalog": "landsat8", "select": {"doy": "200-365", "sensors": ["landsat-8"]}},
            "qa_from": {"from": "_stack.tif", "to": "_BQA.tif"},
            "steps": [{"type": "composite", "score": {"method": "mask"}}],
            "output": {"path": "c.tif"}})";
        const rb::Recipe r = rb::parse_recipe(text, "cat.json");
        QVERIFY(r.catalog && r.catalog->select.doy);
        QVERIFY(rb::parse_recipe(rb::write_recipe(r), "again.json") == r);
        rb::RecipeRunOptions o;
        o.base_dir = std::string(RB_TEST_DATA);
        const rb::RecipePlan plan = rb::plan_recipe(r, {}, o);
        // Of the three Landsat 8 dates (April, August, December) the window keeps two.
        QCOMPARE(plan.scenes.size(), std::size_t(2));
        for (const auto& s : plan.scenes) {
            QCOMPARE(s.files.size(), std::size_t(2)); // the stack and its BQA
            QVERIFY(s.files[0].find("20180405") == std::string::npos);
        }
        QVERIFY(!plan.notes.empty() && plan.notes.front().find("2 of 3") != std::string::npos);
        const std::string bad = R"({"format": "rasterbench-recipe", "version": 1,
            "scenes": {"catalog": "landsat8", "select": {"doy": "400-2"}},
            "steps": [{"type": "fill"}]})";
        const std::string e = rbtest::error_of([&] { (void)rb::parse_recipe(bad, "bad.json"); });
        QVERIFY2(e.find("bad.json: scenes.select.doy") != std::string::npos, e.c_str());
        rb::Recipe none = r;
        none.catalog->select.max_cloud = 0.001;
        none.catalog->select.doy.reset();
        QVERIFY(rbtest::error_of([&] { rb::plan_recipe(none, {}, o); }).find("keeps none") !=
                std::string::npos);
        // A file the catalog could not read is named, not run on as a scene.
        QTemporaryDir tmp;
        std::ofstream(tmp.filePath("cut.tif").toStdString()) << "II*";
        rb::Recipe broken = r;
        broken.catalog->paths = {tmp.path().toStdString()};
        broken.catalog->select = {};
        const std::string cut = rbtest::error_of([&] { rb::plan_recipe(broken, {}, o); });
        QVERIFY2(cut.find("the recipe's catalog: '") != std::string::npos &&
                     cut.find("cut.tif' cannot be read") != std::string::npos,
                 cut.c_str());
    }

    void folderOfLandsatScenesWithQualityFiles() {
        CatalogReadOptions o;
        o.qa_from = kStack;
        o.qa_to = kBqa;
        o.qa_sample_size = 100000; // full resolution: comparable with the count below
        const std::vector<CatalogEntry> rows = read_catalog({rbtest::data("landsat8")}, o);
        QCOMPARE(rows.size(), std::size_t(3));
        const char* dates[] = {"2018-04-05", "2018-08-27", "2018-12-01"};
        const int doys[] = {95, 239, 335};
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const CatalogEntry& e = rows[k];
            QVERIFY(e.path.find(kStack) != std::string::npos);
            QCOMPARE(e.date->iso(), std::string(dates[k]));
            QCOMPARE(e.doy(), doys[k]);
            QCOMPARE(e.sensor, std::string("landsat-8"));
            QCOMPARE(e.cloud_source, std::string("qa"));
            QVERIFY(e.quality_file.find(kBqa) != std::string::npos);
            QVERIFY(std::abs(*e.cloud_cover - full_cloud(e.quality_file)) < 1e-9);
            QVERIFY(*e.valid_share > 0 && *e.valid_share <= 1);
            const Profile p = read_profile(e.path);
            QCOMPARE(e.width, p.width);
            QCOMPARE(e.height, p.height);
            QCOMPARE(e.crs, "EPSG:" + std::to_string(*p.crs.to_epsg()));
        }
        // The scenes are not all equally cloudy: the quality file was read, not a constant.
        QVERIFY(rows[0].cloud_cover != rows[1].cloud_cover ||
                rows[1].cloud_cover != rows[2].cloud_cover);
        // Without a quality file there is no cloud cover, and --max-cloud drops the scenes.
        const std::vector<CatalogEntry> plain = read_catalog({rbtest::data("landsat8")});
        QCOMPARE(plain.size(), std::size_t(3));
        QVERIFY(!plain[0].cloud_cover);
        CatalogSelection s;
        s.max_cloud = 100;
        QVERIFY(select_scenes(plain, s).empty());
    }

    void metadataFilesGiveCloudAndSensor() {
        const std::vector<CatalogEntry> rows = read_catalog({rbtest::data("products")});
        auto find = [&](const std::string& part) -> const CatalogEntry* {
            for (const CatalogEntry& e : rows)
                if (e.path.find(part) != std::string::npos)
                    return &e;
            return nullptr;
        };
        const CatalogEntry* c2 = find("LC08_L1TP_188018_20200927_20201005_02_T1_MTL.txt");
        QVERIFY(c2);
        QCOMPARE(*c2->cloud_cover, 0.04);
        QCOMPARE(c2->cloud_source, std::string("metadata"));
        QCOMPARE(c2->sensor, std::string("landsat-8"));
        QCOMPARE(c2->date->iso(), std::string("2020-09-27"));
        const CatalogEntry* s2 = find("T33XWJ_MTD_MSIL2A.xml");
        QVERIFY(s2);
        QVERIFY(std::abs(*s2->cloud_cover - 98.94) < 0.01);
        QCOMPARE(s2->sensor, std::string("sentinel-2b"));
        QCOMPARE(s2->date->iso(), std::string("2022-04-13"));
        // The MTL as text and as JSON is one product, listed once.
        int same = 0;
        for (const CatalogEntry& e : rows)
            same += e.path.find("LC80100202015018LGN00_MTL") != std::string::npos;
        QCOMPARE(same, 1);
        CatalogSelection s;
        s.sensors = {"sentinel-2"};
        for (const CatalogEntry& e : select_scenes(rows, s))
            QVERIFY(e.sensor.rfind("sentinel-2", 0) == 0);
        QCOMPARE(select_scenes(rows, s).size(), std::size_t(3));
        s.max_cloud = 50;
        QCOMPARE(select_scenes(rows, s).size(), std::size_t(1)); // only the 5.48 % L1C
    }

    void selectionBySeasonWrapsTheNewYear() {
        const std::vector<CatalogEntry> e = {
            dated(2018, 1, 31, 10, "landsat-8"), dated(2018, 4, 5, 10, "landsat-8"),
            dated(2018, 12, 1, 60, "landsat-7"), dated(2020, 12, 31, 5, "sentinel-2a")};
        CatalogSelection winter;
        winter.doy = CatalogSelection::parse_doy("335-59");
        const std::vector<CatalogEntry> w = select_scenes(e, winter);
        QCOMPARE(w.size(), std::size_t(3)); // Jan 31 (31), Dec 1 (335), Dec 31 2020 (366)
        QCOMPARE(e[3].doy(), 366);
        CatalogSelection spring;
        spring.doy = CatalogSelection::parse_doy("60-120");
        QCOMPARE(select_scenes(e, spring).size(), std::size_t(1));
        CatalogSelection range;
        range.from = SceneDate{2018, 2, 1};
        range.to = SceneDate{2018, 12, 1};
        QCOMPARE(select_scenes(e, range).size(), std::size_t(2));
        range.max_cloud = 50;
        QCOMPARE(select_scenes(e, range).size(), std::size_t(1));
        CatalogSelection sensor;
        sensor.sensors = {"LANDSAT_8", "sentinel-2"};
        QCOMPARE(select_scenes(e, sensor).size(), std::size_t(3));
        // Selection on 10,000 rows is instant.
        std::vector<CatalogEntry> many;
        for (int k = 0; k < 10000; ++k)
            many.push_back(dated(2000 + k % 25, 1 + k % 12, 1 + k % 28, k % 100, "landsat-8"));
        CatalogSelection all;
        all.doy = CatalogSelection::parse_doy("335-59");
        all.max_cloud = 30;
        all.sensors = {"landsat"};
        QElapsedTimer t;
        t.start();
        const std::size_t kept = select_scenes(many, all).size();
        const qint64 ms = t.elapsed();
        QVERIFY(kept > 0 && kept < many.size());
        QVERIFY2(ms < 50, qPrintable(QString("selection took %1 ms").arg(ms)));
        QVERIFY(rbtest::error_of([] { CatalogSelection::parse_doy("0-400"); }).find("0-400") !=
                std::string::npos);
    }

    void stacItemCollectionAndListFile() {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const std::string scene =
            rbtest::data("landsat8/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif");
        // Relative hrefs resolve against the JSON file: copy the scene beside it.
        QVERIFY(QFile::copy(QString::fromStdString(scene), QString::fromStdString(dir + "/a.tif")));
        {
            std::ofstream f(dir + "/items.json");
            f << kItems;
        }
        const std::vector<CatalogEntry> rows = read_catalog({dir + "/items.json"});
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].path, dir + "/a.tif");
        QCOMPARE(*rows[0].cloud_cover, 12.5);
        QCOMPARE(rows[0].width, read_profile(scene).width);
        QCOMPARE(rows[0].crs, "EPSG:" + std::to_string(*read_profile(scene).crs.to_epsg()));
        QCOMPARE(rows[1].path, std::string("/vsicurl/https://example.com/B04.tif"));
        QCOMPARE(rows[1].sensor, std::string("sentinel-2b"));
        QCOMPARE(rows[1].crs, std::string("EPSG:32633"));
        QCOMPARE(rows[1].width, 10980);
        // A list file naming the JSON and a raster, with a comment.
        {
            std::ofstream f(dir + "/scenes.txt");
            f << "# scenes\nitems.json\n\n" << scene << "\n";
        }
        QCOMPARE(read_catalog({dir + "/scenes.txt"}).size(), std::size_t(3));
        {
            std::ofstream f(dir + "/other.json");
            f << R"({"type": "Polygon", "coordinates": []})";
        }
        QVERIFY(rbtest::error_of([&] {
                    read_catalog({dir + "/other.json"});
                }).find("not a STAC Item") != std::string::npos);
        QVERIFY(rbtest::error_of([&] { read_catalog({dir + "/missing"}); }).find("missing") !=
                std::string::npos);
        // A member of the wrong type is named with its file and feature (it was an
        // "unexpected error" from the JSON library); a cloud cover outside 0..100 is no share.
        {
            std::ofstream f(dir + "/typed.json");
            f << R"({"type": "FeatureCollection", "features": [{"type": "Feature", "id": "a",)"
                 R"( "properties": {"datetime": "2020-05-01T00:00:00Z", "eo:cloud_cover": -5}},)"
                 R"( {"type": "Feature", "properties": {"datetime": null}}]})";
        }
        const std::string typed = rbtest::error_of([&] { read_catalog({dir + "/typed.json"}); });
        QVERIFY2(typed == "'" + dir + "/typed.json': feature 1: type must be string, but is null",
                 typed.c_str());
        {
            std::ofstream f(dir + "/typed.json");
            f << R"({"type": "Feature", "id": "a", "properties": {"datetime": )"
                 R"("2020-05-01T00:00:00Z", "eo:cloud_cover": 500}})";
        }
        QVERIFY(!read_catalog({dir + "/typed.json"}).at(0).cloud_cover);
    }

    void unreadableRastersAreNamedAndOtherFormatsRecognized() {
        // A GeoTIFF cut short is a row with GDAL's reason, not a blank 0x0 scene; a PNG (no
        // raster name GDAL needs) is read as a raster, not as a list of paths; a binary file
        // GDAL does not know is neither.
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const std::string scene =
            rbtest::data("landsat8/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif");
        {
            // The first bytes of a GeoTIFF, cut before its first directory.
            std::ifstream in(scene, std::ios::binary);
            std::string head(6, '\0');
            in.read(head.data(), std::streamsize(head.size()));
            std::ofstream(dir + "/cut.tif", std::ios::binary) << head;
        }
        Raster small(DataType::UInt8, 1, 3, 4);
        const Profile png = rbtest::small_profile("PNG", 4, 3, 1, DataType::UInt8);
        {
            Dataset out = Dataset::create(dir + "/picture.data", png);
            out.write(small);
            out.close();
        }
        const std::vector<CatalogEntry> rows =
            read_catalog({dir + "/cut.tif", dir + "/picture.data"});
        QCOMPARE(rows.size(), std::size_t(2));
        for (const CatalogEntry& e : rows) {
            if (e.path.ends_with("cut.tif"))
                QVERIFY2(e.problem.find("cut.tif") != std::string::npos, e.problem.c_str());
            else
                QVERIFY2(e.problem.empty() && e.width == 4 && e.height == 3, e.problem.c_str());
        }
        { std::ofstream(dir + "/blob.bin", std::ios::binary) << std::string("\x01\x02xyz\n", 6); }
        const std::string blob = rbtest::error_of([&] { read_catalog({dir + "/blob.bin"}); });
        QVERIFY2(blob.find("neither a raster GDAL reads nor a list of paths") != std::string::npos,
                 blob.c_str());
        // A damaged metadata file in a folder is a row with its problem; the rest is listed.
        const std::string folder = dir + "/folder";
        std::filesystem::create_directories(folder);
        std::filesystem::copy_file(scene, folder + "/scene_stack.tif");
        std::ofstream(folder + "/LC08_X_MTL.txt")
            << "GROUP = L1_METADATA_FILE\n  DATE_ACQUIRED = 2018-13-45\nEND_GROUP = "
               "L1_METADATA_FILE\n";
        const std::vector<CatalogEntry> listed = read_catalog({folder});
        QCOMPARE(listed.size(), std::size_t(2));
        for (const CatalogEntry& e : listed)
            QVERIFY2(e.path.ends_with("_MTL.txt")
                         ? e.problem.find("DATE_ACQUIRED") != std::string::npos
                         : e.problem.empty() && e.width > 0,
                     (e.path + ": " + e.problem).c_str());
        // The CLI names the unreadable raster on standard error, lists the others, exits 1.
        const rbtest::CliRun r = rbtest::run_cli(
            {"catalog", QString::fromStdString(dir + "/cut.tif"), QString::fromStdString(scene)});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cut.tif' cannot be read"), r.err.constData());
        QVERIFY2(r.out.contains("_stack.tif") && !r.out.contains("cut.tif"), r.out.constData());
    }

    void cliJsonRows() {
        const rbtest::CliRun r =
            rbtest::run_cli({"catalog", QString::fromStdString(rbtest::data("landsat8")),
                             "--qa-from", "_stack.tif=_BQA.tif", "--doy", "335-59", "--json"});
        QCOMPARE(r.code, 0);
        const QJsonArray a = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(a.size(), 1);
        const QJsonObject o = a[0].toObject();
        QCOMPARE(o["date"].toString(), QString("2018-12-01"));
        QCOMPARE(o["doy"].toInt(), 335);
        QCOMPARE(o["cloud_source"].toString(), QString("qa"));
        for (const char* k : {"path", "date", "doy", "sensor", "cloud_cover", "cloud_source",
                              "valid_share", "crs", "width", "height"})
            QVERIFY2(o.contains(k), k);
        const rbtest::CliRun bad = rbtest::run_cli({"catalog", "x", "--doy", "5"});
        QCOMPARE(bad.code, 2);
    }
};

QTEST_GUILESS_MAIN(CatalogTest)
#include "tst_catalog.moc"
