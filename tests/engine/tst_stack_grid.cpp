// Scenes on different grids composited on one: the target grid rules, and a composite of
// scenes warped on the fly equal to warping every scene first with GDAL's own gdalwarp
// (GDALWarp) and compositing the aligned files. Real Landsat 8 scenes whose grids are
// shifted by fractions of a pixel.
#include <QTemporaryDir>
#include <QtTest>

#include <gdal_utils.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/dataset.h"
#include "rasterbench/recipe.h"
#include "rasterbench/score.h"
#include "rasterbench/stack_grid.h"
#include "test_support.h"

using namespace rb;

namespace {

const char* const kDates[] = {"20180405_20180417", "20180827_20180911", "20181201_20181211"};

std::string file(const char* dates, const char* kind) {
    return rbtest::data(std::string("landsat8/LC08_L1TP_013032_") + dates + "_01_T1_" + kind +
                        ".tif");
}

std::vector<SceneSource> scenes() {
    std::vector<SceneSource> s;
    for (const char* d : kDates)
        s.push_back({{file(d, "stack"), file(d, "BQA")}});
    return s;
}

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// gdalwarp IN OUT onto `grid` (GeoTIFF), as a user aligning the scenes first would.
void gdalwarp(const std::string& in, const std::string& out, const Grid& grid,
              const char* resampling, bool add_nodata) {
    const Bounds b = grid.bounds();
    std::vector<std::string> args = {"-of",
                                     "GTiff",
                                     "-r",
                                     resampling,
                                     "-te",
                                     num(b.left),
                                     num(b.bottom),
                                     num(b.right),
                                     num(b.top),
                                     "-ts",
                                     std::to_string(grid.width),
                                     std::to_string(grid.height),
                                     "-t_srs",
                                     grid.crs.to_wkt()};
    if (add_nodata) {
        args.push_back("-dstnodata");
        args.push_back("65535");
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(argv.data(), nullptr);
    QVERIFY(o);
    rbtest::GdalDs src = rbtest::gdal_open(in);
    QVERIFY(src);
    GDALDatasetH srcs[] = {src.get()};
    GDALDatasetH dst = GDALWarp(out.c_str(), nullptr, 1, srcs, o, nullptr);
    GDALWarpAppOptionsFree(o);
    QVERIFY(dst);
    GDALClose(dst);
}

std::size_t differences(const Raster& a, const Raster& b) {
    if (a.bands() != b.bands() || a.rows() != b.rows() || a.cols() != b.cols())
        return std::size_t(-1);
    std::size_t d = 0;
    for (int k = 0; k < a.bands(); ++k)
        for (int y = 0; y < a.rows(); ++y)
            for (int x = 0; x < a.cols(); ++x)
                d += a.valid(k, y, x) != b.valid(k, y, x) ||
                     (a.valid(k, y, x) && a.value(k, y, x) != b.value(k, y, x));
    return d;
}

} // namespace

class StackGridTest : public QObject {
    Q_OBJECT
private slots:
    void gridRules() {
        const auto s = scenes();
        std::vector<Grid> grids;
        for (const auto& sc : s)
            grids.push_back(grid_of(read_profile(sc.files[0])));
        // The scenes really are on different grids (else nothing here is tested).
        QVERIFY(!(grids[0] == grids[1]) && !(grids[1] == grids[2]));

        StackGridOptions o;
        QVERIFY(stack_grid(s, o) == grids[0]);
        o.grid = "union";
        const Grid u = stack_grid(s, o);
        o.grid = "intersection";
        const Grid in = stack_grid(s, o);
        const double res = std::abs(grids[0].transform.a);
        QCOMPARE(std::abs(u.transform.a), res);
        for (const Grid& g : grids) {
            const Bounds b = g.bounds(), ub = u.bounds(), ib = in.bounds();
            // The union holds every scene and the intersection lies in each (within the
            // rounding of the size to whole pixels).
            QVERIFY(ub.left <= b.left + 1e-6 && ub.top >= b.top - 1e-6);
            QVERIFY(ub.right >= b.right - res && ub.bottom <= b.bottom + 1e-6);
            QVERIFY(ib.left >= b.left - 1e-6 && ib.right <= b.right + res);
        }
        QVERIFY(u.width > grids[0].width && in.width < grids[0].width);
        o.grid = "like:" + s[1].files[0];
        QVERIFY(stack_grid(s, o) == grids[1]);
        // A CRS for the grid, and a resolution.
        o.grid = "first";
        o.dst_crs = "EPSG:4326";
        QVERIFY(stack_grid(s, o).crs.is_geographic());
        o.dst_crs.clear();
        o.target.res_x = o.target.res_y = 2 * res;
        QCOMPARE(std::abs(stack_grid(s, o).transform.a), 2 * res);

        o = {};
        o.grid = "everything";
        QVERIFY(rbtest::error_of([&] { stack_grid(s, o); }).find("first, union") !=
                std::string::npos);
        o.grid = "like:/no/such/file.tif";
        QVERIFY(rbtest::error_of([&] { stack_grid(s, o); }).find("/no/such/file.tif") !=
                std::string::npos);
        // Scenes that do not overlap have no intersection.
        o = {};
        o.grid = "intersection";
        std::vector<SceneSource> apart = {s[0], {{rbtest::sample()}}};
        QVERIFY(!rbtest::error_of([&] { stack_grid(apart, o); }).empty());
    }

    void compositeEqualsWarpingFirst_data() {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("resampling");
        QTest::addColumn<QString>("crs");
        QTest::newRow("union, nearest") << "union"
                                        << "near"
                                        << "";
        QTest::newRow("intersection, bilinear") << "intersection"
                                                << "bilinear"
                                                << "";
        QTest::newRow("first, in UTM 19N") << "first"
                                           << "near"
                                           << "EPSG:32619";
    }

    void compositeEqualsWarpingFirst() {
        QFETCH(QString, rule);
        QFETCH(QString, resampling);
        QFETCH(QString, crs);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto s = scenes();
        StackGridOptions o;
        o.grid = rule.toStdString();
        o.dst_crs = crs.toStdString();
        o.resampling = *parse_warp_resampling(resampling.toStdString());
        const Grid grid = stack_grid(s, o);

        ScoreOptions score = make_score_options("darkness");
        set_score_param(score, "bands", "2,3,4");
        CompositeOptions copt;
        auto run = [&](const std::vector<SceneSource>& in, const QString& name) {
            CompositeOutputs out;
            out.composite = dir.filePath(name + ".tif").toStdString();
            out.index = dir.filePath(name + "_index.tif").toStdString();
            out.count = dir.filePath(name + "_count.tif").toStdString();
            composite_files(in, score, copt, out);
            return std::vector<Raster>{Dataset::open(out.composite).read(),
                                       Dataset::open(out.index).read(),
                                       Dataset::open(out.count).read()};
        };

        std::vector<Raster> direct;
        {
            const AlignedScenes aligned(s, grid, o.resampling);
            QCOMPARE(aligned.warped(), std::size_t(rule == "first" && crs.isEmpty() ? 2 : 3));
            direct = run(aligned.scenes(), "direct");
        }
        // The scenes warped first, by gdalwarp, then composited as aligned files.
        std::vector<SceneSource> warped;
        for (std::size_t k = 0; k < s.size(); ++k) {
            SceneSource w;
            for (std::size_t f = 0; f < s[k].files.size(); ++f) {
                const std::string out =
                    dir.filePath(QString("w%1_%2.tif").arg(k).arg(f)).toStdString();
                // The quality band (no nodata) is warped with nearest and marks outside as
                // 65535, as the on-the-fly warp does.
                gdalwarp(s[k].files[f], out, grid,
                         f == 0 ? resampling.toUtf8().constData() : "near", f > 0);
                w.files.push_back(out);
            }
            warped.push_back(w);
        }
        const std::vector<Raster> first = run(warped, "first");
        QCOMPARE(direct[0].rows(), grid.height);
        QCOMPARE(direct[0].cols(), grid.width);
        std::size_t valid = 0;
        for (int y = 0; y < direct[2].rows(); ++y)
            for (int x = 0; x < direct[2].cols(); ++x)
                valid += direct[2].value(0, y, x) > 0;
        QVERIFY2(valid > std::size_t(grid.width * grid.height / 3),
                 qPrintable(QString::number(valid)));
        for (std::size_t k = 0; k < direct.size(); ++k)
            QCOMPARE(differences(direct[k], first[k]), std::size_t(0));
    }

    void recipeCompositeStepTakesTheGrid() {
        // A recipe's composite step names the grid rule; the run equals composite_files on
        // the scenes aligned the same way, and the step survives a write/read round trip.
        QTemporaryDir dir;
        const auto s = scenes();
        const std::string text = R"({"format": "rasterbench-recipe", "version": 1,
            "qa_from": {"from": "_stack.tif", "to": "_BQA.tif"},
            "steps": [{"type": "composite", "score": {"method": "darkness"},
                       "grid": {"grid": "union", "resampling": "bilinear"}}],
            "output": {"path": "c.tif"}})";
        const Recipe r = parse_recipe(text, "grid.json");
        const auto& step = std::get<CompositeStep>(r.steps.front());
        QCOMPARE(step.grid.grid, std::string("union"));
        QVERIFY(step.grid.resampling == WarpResampling::Bilinear);
        QVERIFY(parse_recipe(write_recipe(r), "again.json") == r);
        Recipe other = r;
        std::get<CompositeStep>(other.steps.front()).grid.grid = "first";
        QVERIFY(!(other == r));

        std::vector<SceneSource> stacks;
        for (const auto& sc : s)
            stacks.push_back({{sc.files[0]}});
        RecipeRunOptions ro;
        ro.output = dir.filePath("recipe.tif").toStdString();
        const RecipePlan plan = run_recipe(r, stacks, ro);
        QCOMPARE(plan.outputs.size(), std::size_t(1));

        StackGridOptions o = step.grid;
        const AlignedScenes aligned(s, stack_grid(s, o), o.resampling);
        CompositeOutputs out;
        out.composite = dir.filePath("direct.tif").toStdString();
        composite_files(aligned.scenes(), step.score, step.options, out);
        QCOMPARE(differences(Dataset::open(plan.outputs.front()).read(),
                             Dataset::open(out.composite).read()),
                 std::size_t(0));

        const std::string bad = R"({"format": "rasterbench-recipe", "version": 1,
            "steps": [{"type": "composite", "grid": {"grid": "everywhere"}}]})";
        const std::string e = rbtest::error_of([&] { (void)parse_recipe(bad, "bad.json"); });
        QVERIFY2(e.find("bad.json: steps[0].grid.grid") != std::string::npos, e.c_str());
    }

    void warpedFilesAreRemoved() {
        const auto s = scenes();
        StackGridOptions o;
        o.grid = "union";
        std::string vrt;
        {
            const AlignedScenes aligned(s, stack_grid(s, o));
            vrt = aligned.scenes()[1].files[1];
            QVERIFY(vrt.rfind("/vsimem/", 0) == 0);
            // Named after the original file, so its product name (band roles, date) stays.
            QVERIFY(vrt.find("LC08_L1TP_013032_20180827") != std::string::npos);
            QVERIFY(Dataset::open(vrt).count() == 1);
        }
        QVERIFY(!rbtest::error_of([&] { Dataset::open(vrt); }).empty());
    }
};

QTEST_GUILESS_MAIN(StackGridTest)
#include "tst_stack_grid.moc"
