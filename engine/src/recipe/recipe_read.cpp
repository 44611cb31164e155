// Reading recipes with strict validation: every error names the source, the JSON path and
// the problem; deprecated version-1 spellings are accepted with a note.
#include "rasterbench/recipe.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "json_message.h"
#include "json_nesting.h"
#include "rasterbench/crs.h"
#include "recipe_access.h"

namespace rb {

using ojson = nlohmann::ordered_json;
using namespace recipe_detail;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The value as quoted in messages (long values cut).
std::string shown(const ojson& v) {
    std::string s = v.dump();
    if (s.size() > 40)
        s = s.substr(0, 37) + "...";
    return s;
}

/// Drops the "parameter 'NAME': " or "NAME: " a table puts before its problem: the JSON
/// path already names the parameter.
std::string problem_only(std::string what, const std::string& name) {
    for (const std::string& prefix : {"parameter '" + name + "': ", name + ": "})
        if (what.rfind(prefix, 0) == 0)
            return what.substr(prefix.size());
    return what;
}

class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}
    const std::string& source() const { return source_; }
    /// Notes about accepted but deprecated spellings, for the caller to show.
    const std::vector<std::string>& notes() const { return notes_; }

    [[noreturn]] void fail(const std::string& path, const std::string& what) const {
        throw ArgumentError(source_ + ": " + (path.empty() ? "" : path + ": ") + what);
    }

    void expect(bool ok, const ojson& v, const std::string& path, const char* what) const {
        if (!ok)
            fail(path, std::string("expected ") + what + ", got " + v.type_name() +
                           (v.is_null() || v.is_object() || v.is_array() ? "" : " " + shown(v)));
    }
    const ojson& object(const ojson& v, const std::string& path) const {
        expect(v.is_object(), v, path, "an object");
        return v;
    }
    const ojson& array(const ojson& v, const std::string& path) const {
        expect(v.is_array(), v, path, "an array");
        return v;
    }
    std::string string(const ojson& v, const std::string& path) const {
        expect(v.is_string(), v, path, "a string");
        return v.get<std::string>();
    }
    bool boolean(const ojson& v, const std::string& path) const {
        expect(v.is_boolean(), v, path, "true or false");
        return v.get<bool>();
    }
    double number(const ojson& v, const std::string& path) const {
        expect(v.is_number(), v, path, "a number");
        return v.get<double>();
    }
    long long integer(const ojson& v, const std::string& path) const {
        expect(v.is_number_integer(), v, path, "an integer");
        return v.get<long long>();
    }
    int integer_in(const ojson& v, const std::string& path, long long lo, long long hi) const {
        const long long x = integer(v, path);
        if (x < lo || x > hi)
            fail(path, std::to_string(x) + " is outside [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
        return int(x);
    }

    /// Unknown keys of an object are errors listing the known ones.
    void keys(const ojson& obj, const std::string& path,
              const std::vector<std::string>& allowed) const {
        for (const auto& [k, v] : obj.items())
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
                fail(join(path, k), "unknown key (expected " + list_text(allowed) + ")");
    }

    /// A "params" object: every key a row of the table, every value of the row's type and
    /// range. `extra` keys are left to the caller.
    void params(const ojson& obj, const std::string& path, const ParamAccess& a,
                const std::vector<std::string>& extra = {}) const {
        object(obj, path);
        for (const auto& [k, v] : obj.items()) {
            if (std::find(extra.begin(), extra.end(), k) != extra.end())
                continue;
            const std::string p = join(path, k);
            // Version 1 recipes wrote some keys in kebab-case (max-peaks, keep-dtype); they
            // are read as their snake_case name with a note, so old recipes keep working.
            std::string name = k;
            std::replace(name.begin(), name.end(), '-', '_');
            const auto info = std::find_if(a.infos.begin(), a.infos.end(),
                                           [&](const ParamInfo& i) { return i.name == name; });
            if (info != a.infos.end() && name != k)
                notes_.push_back(source_ + ": " + p + ": '" + k + "' is deprecated, write '" +
                                 name + "'");
            if (info == a.infos.end()) {
                std::vector<std::string> names;
                for (const auto& i : a.infos)
                    names.push_back(i.name);
                names.insert(names.end(), extra.begin(), extra.end());
                fail(p, "unknown parameter (parameters: " + list_text(names) + ")");
            }
            const std::string text = param_text(v, *info, p);
            try {
                a.set(name, text);
            } catch (const ArgumentError& e) {
                fail(p, problem_only(e.what(), name));
            }
        }
    }

private:
    std::string param_text(const ojson& v, const ParamInfo& i, const std::string& p) const {
        switch (i.type) {
        case ParamType::Bool:
            return boolean(v, p) ? "true" : "false";
        case ParamType::Int:
            expect(v.is_number_integer(), v, p, ("an integer (" + type_text(i) + ")").c_str());
            return v.dump();
        case ParamType::Double:
            if (v.is_string()) {
                const std::string s = v.get<std::string>();
                if (s == "inf" || s == "+inf" || s == "-inf")
                    return s == "-inf" ? "-inf" : "inf";
            }
            expect(v.is_number(), v, p, ("a number (" + type_text(i) + ")").c_str());
            return format_param_value(v.get<double>());
        case ParamType::String:
            return string(v, p);
        case ParamType::Choice:
            expect(v.is_string(), v, p, ("a string (" + type_text(i) + ")").c_str());
            return v.get<std::string>();
        }
        return {};
    }

    std::string source_;
    mutable std::vector<std::string> notes_;
};

/// Parses JSON (comments allowed) and rejects duplicate keys, naming their path.
ojson parse_json(std::string_view text, const Reader& r) {
    struct Frame {
        bool array = false;
        std::string key;
        long index = -1;
        std::set<std::string> keys;
    };
    std::vector<Frame> stack;
    auto path = [&]() {
        std::string p;
        for (std::size_t k = 0; k + 1 < stack.size(); ++k) {
            const Frame& f = stack[k];
            p = f.array ? at(p, std::size_t(f.index)) : join(p, f.key);
        }
        return p;
    };
    auto element = [&]() {
        if (!stack.empty() && stack.back().array)
            ++stack.back().index;
    };
    using E = ojson::parse_event_t;
    const ojson::parser_callback_t cb = [&](int, E event, ojson& parsed) {
        switch (event) {
        case E::object_start:
            element();
            stack.push_back(Frame{});
            break;
        case E::array_start:
            element();
            stack.push_back(Frame{});
            stack.back().array = true;
            break;
        case E::object_end:
        case E::array_end:
            if (!stack.empty())
                stack.pop_back();
            break;
        case E::key: {
            const std::string k = parsed.get<std::string>();
            if (!stack.back().keys.insert(k).second)
                r.fail(join(path(), k), "duplicate key");
            stack.back().key = k;
            break;
        }
        case E::value:
            element();
            break;
        }
        return true;
    };
    detail::check_json_nesting(text, r.source());
    try {
        return ojson::parse(text.begin(), text.end(), cb, true, true);
    } catch (const ojson::exception& e) {
        // parse_error for bad syntax, out_of_range for a number too large for a double.
        r.fail("", "not valid JSON: " + detail::json_message(e.what()));
    }
}

// ---- steps: read ---------------------------------------------------------------------------

/// gdalwarp's -tr / -ts / -te as "res", "size" and "bounds" keys of the object `p` at `pp`.
GridOptions read_grid_target(const Reader& r, const ojson& p, const std::string& pp) {
    GridOptions g;
    auto positive = [&](const ojson& v, const std::string& vp) {
        const double x = r.number(v, vp);
        if (!(x > 0) || !std::isfinite(x))
            r.fail(vp, shown(v) + " is not a positive resolution");
        return x;
    };
    if (p.contains("res") && !p["res"].is_null()) {
        const std::string vp = join(pp, "res");
        const ojson& v = p["res"];
        if (v.is_number()) {
            g.res_x = g.res_y = positive(v, vp);
        } else {
            r.expect(v.is_array() && (v.size() == 1 || v.size() == 2), v, vp, "a number or [X, Y]");
            g.res_x = positive(v[0], at(vp, 0));
            g.res_y = v.size() == 2 ? positive(v[1], at(vp, 1)) : *g.res_x;
        }
    }
    if (p.contains("size") && !p["size"].is_null()) {
        const std::string vp = join(pp, "size");
        const ojson& v = p["size"];
        r.expect(v.is_array() && v.size() == 2, v, vp, "[WIDTH, HEIGHT]");
        const int w = r.integer_in(v[0], at(vp, 0), 0, 1 << 30);
        const int h = r.integer_in(v[1], at(vp, 1), 0, 1 << 30);
        if (w == 0 && h == 0)
            r.fail(vp, "WIDTH and HEIGHT are not both 0");
        if (w)
            g.width = w;
        if (h)
            g.height = h;
    }
    if (p.contains("bounds") && !p["bounds"].is_null()) {
        const std::string vp = join(pp, "bounds");
        const ojson& v = p["bounds"];
        r.expect(v.is_array() && v.size() == 4, v, vp, "[LEFT, BOTTOM, RIGHT, TOP]");
        Bounds b{r.number(v[0], at(vp, 0)), r.number(v[1], at(vp, 1)), r.number(v[2], at(vp, 2)),
                 r.number(v[3], at(vp, 3))};
        if (!(b.left < b.right && b.bottom < b.top))
            r.fail(vp, "LEFT < RIGHT and BOTTOM < TOP expected, got " + shown(v));
        g.bounds = b;
    }
    return g;
}

CompositeStep read_composite(const Reader& r, const ojson& j, const std::string& path) {
    CompositeStep s;
    r.keys(j, path, {"type", "score", "bands", "params", "outputs", "grid", "calibrate", "sun"});
    for (const char* key : {"calibrate", "sun"}) {
        if (!j.contains(key))
            continue;
        const std::string cp = join(path, key);
        try {
            SceneCalibration::params().set(s.calibration, key, r.string(j[key], cp));
        } catch (const ArgumentError& e) {
            r.fail(cp, e.what());
        }
    }
    if (j.contains("score")) {
        const std::string sp = join(path, "score");
        const ojson& sc = r.object(j["score"], sp);
        r.keys(sc, sp, {"method", "params"});
        if (!sc.contains("method"))
            r.fail(join(sp, "method"),
                   "missing (methods: " + list_text(score_method_names()) + ")");
        const std::string method = r.string(sc["method"], join(sp, "method"));
        try {
            s.score = make_score_options(method);
        } catch (const ArgumentError& e) {
            r.fail(join(sp, "method"), e.what());
        }
        if (sc.contains("params"))
            r.params(sc["params"], join(sp, "params"), score_access(s.score, &s.score));
    }
    if (j.contains("bands")) {
        const std::string bp = join(path, "bands");
        const ojson& a = r.array(j["bands"], bp);
        for (std::size_t k = 0; k < a.size(); ++k)
            s.options.bands.push_back(r.integer_in(a[k], at(bp, k), 1, 65535) - 1);
    }
    if (j.contains("params"))
        r.params(j["params"], join(path, "params"),
                 table_access(CompositeOptions::params(), s.options, &s.options));
    if (j.contains("grid")) {
        const std::string gp = join(path, "grid");
        r.object(j["grid"], gp);
        r.params(j["grid"], gp, table_access(StackGridOptions::params(), s.grid, &s.grid),
                 {"res", "size", "bounds"});
        s.grid.target = read_grid_target(r, j["grid"], gp);
        if (!s.grid.dst_crs.empty()) {
            try {
                (void)Crs::from_user_input(s.grid.dst_crs);
            } catch (const Error& e) {
                r.fail(join(gp, "dst_crs"), e.what());
            }
        }
        const std::string& rule = s.grid.grid;
        if (rule != "first" && rule != "union" && rule != "intersection" &&
            rule.rfind("like:", 0) != 0)
            r.fail(join(gp, "grid"),
                   "'" + rule + "' is not first, union, intersection or like:FILE");
    }
    if (s.options.harmonize && s.options.method != "best")
        r.fail(join(path, "params.harmonize"),
               "works with method 'best' only (method is '" + s.options.method + "')");
    if (j.contains("outputs")) {
        const std::string op = join(path, "outputs");
        const ojson& o = r.object(j["outputs"], op);
        r.keys(o, op, {"index", "score", "count", "best_ranks", "worst_ranks"});
        if (o.contains("index"))
            s.index = r.string(o["index"], join(op, "index"));
        if (o.contains("score"))
            s.score_out = r.string(o["score"], join(op, "score"));
        if (o.contains("count"))
            s.count = r.string(o["count"], join(op, "count"));
        for (const char* key : {"best_ranks", "worst_ranks"}) {
            if (!o.contains(key))
                continue;
            auto& list = std::string(key) == "best_ranks" ? s.best_ranks : s.worst_ranks;
            const std::string lp = join(op, key);
            const ojson& a = r.array(o[key], lp);
            for (std::size_t k = 0; k < a.size(); ++k) {
                const std::string ep = at(lp, k);
                r.object(a[k], ep);
                r.keys(a[k], ep, {"rank", "path"});
                if (!a[k].contains("rank") || !a[k].contains("path"))
                    r.fail(ep, "expected {\"rank\": R, \"path\": FILE}");
                const int rank = r.integer_in(a[k]["rank"], join(ep, "rank"), 1, 65535);
                const std::string file = r.string(a[k]["path"], join(ep, "path"));
                if (file.empty())
                    r.fail(join(ep, "path"), "empty path");
                list.emplace_back(rank, file);
            }
        }
    }
    return s;
}

/// The notch JSON of fft::to_json, checked key by key, then built by notches_from_json
/// (which checks the values' ranges).
fft::NotchSet read_notches(const Reader& r, const ojson& j, const std::string& path) {
    r.object(j, path);
    r.keys(j, path, {"version", "points", "stripes"});
    if (j.contains("version") && r.integer(j["version"], join(path, "version")) != 1)
        r.fail(join(path, "version"),
               "notch set version " + j["version"].dump() + " is not supported (expected 1)");
    const std::vector<std::pair<std::string, std::vector<std::string>>> lists = {
        {"points", {"u", "v", "radius", "shape", "order"}},
        {"stripes", {"angle", "width", "softness", "protect_radius"}}};
    for (const auto& [list, fields] : lists) {
        if (!j.contains(list))
            continue;
        const std::string lp = join(path, list);
        const ojson& a = r.array(j[list], lp);
        for (std::size_t k = 0; k < a.size(); ++k) {
            const std::string ep = at(lp, k);
            r.object(a[k], ep);
            r.keys(a[k], ep, fields);
            for (const auto& f : fields) {
                const bool required = f == "u" || f == "v" || f == "radius" ||
                                      (list == "stripes" && (f == "angle" || f == "width"));
                if (!a[k].contains(f)) {
                    if (required)
                        r.fail(join(ep, f), "missing");
                    continue;
                }
                if (f == "shape") {
                    const std::string shape = r.string(a[k][f], join(ep, f));
                    if (!fft::parse_shape(shape))
                        r.fail(join(ep, f),
                               "'" + shape + "' is not one of ideal, gaussian, butterworth");
                } else if (f == "order") {
                    r.integer_in(a[k][f], join(ep, f), 1, 20);
                } else {
                    r.number(a[k][f], join(ep, f));
                }
            }
        }
    }
    return fft::notches_from_json(j.dump(), r.source() + ": " + path);
}

DebandStep read_deband(const Reader& r, const ojson& j, const std::string& path) {
    DebandStep s;
    r.keys(j, path, {"type", "band", "notches", "auto", "angle", "shared", "params"});
    if (j.contains("band")) {
        const ojson& b = j["band"];
        if (b.is_string() && b.get<std::string>() == "all")
            s.band = 0;
        else if (b.is_number_integer())
            s.band = r.integer_in(b, join(path, "band"), 1, 65535);
        else
            r.expect(false, b, join(path, "band"), "\"all\" or a band number from 1");
    }
    if (j.contains("notches"))
        s.notches = read_notches(r, j["notches"], join(path, "notches"));
    if (j.contains("auto"))
        s.auto_find = r.boolean(j["auto"], join(path, "auto"));
    if (j.contains("angle") && !j["angle"].is_null()) {
        const double a = r.number(j["angle"], join(path, "angle"));
        if (!(a >= -360 && a <= 360))
            r.fail(join(path, "angle"), shown(j["angle"]) + " is outside [-360, 360]");
        s.angle = a;
    }
    if (j.contains("shared"))
        s.shared = r.boolean(j["shared"], join(path, "shared"));
    if (j.contains("params"))
        r.params(j["params"], join(path, "params"), deband_access(s, &s));
    if (!s.auto_find && s.notches.empty())
        r.fail(path, "nothing to remove: give \"notches\" or \"auto\": true");
    return s;
}

FillStep read_fill(const Reader& r, const ojson& j, const std::string& path) {
    FillStep s;
    r.keys(j, path, {"type", "params"});
    if (j.contains("params"))
        r.params(j["params"], join(path, "params"),
                 table_access(FillOptions::params(), s.options, &s.options));
    return s;
}

const std::vector<std::string> kReprojectExtra = {"res", "size", "bounds", "src_nodata",
                                                  "dst_nodata"};

ReprojectStep read_reproject(const Reader& r, const ojson& j, const std::string& path) {
    ReprojectStep s;
    r.keys(j, path, {"type", "params"});
    const std::string pp = join(path, "params");
    if (!j.contains("params"))
        r.fail(join(pp, "dst_crs"), "missing: the target CRS (e.g. \"EPSG:4326\")");
    const ojson& p = j["params"];
    r.params(p, pp, reproject_access(s, &s), kReprojectExtra);
    if (s.dst_crs.empty())
        r.fail(join(pp, "dst_crs"), "missing: the target CRS (e.g. \"EPSG:4326\")");
    try {
        (void)Crs::from_user_input(s.dst_crs);
    } catch (const Error& e) {
        r.fail(join(pp, "dst_crs"), e.what());
    }
    s.set_grid_options(read_grid_target(r, p, pp));
    for (const char* key : {"src_nodata", "dst_nodata"})
        if (p.contains(key) && !p[key].is_null())
            (std::string(key) == "src_nodata" ? s.options.src_nodata : s.options.dst_nodata) =
                r.number(p[key], join(pp, key));
    if (s.tap && !s.res_x)
        r.fail(join(pp, "tap"), "needs a resolution (\"res\")");
    return s;
}

/// "scenes": {"catalog": PATH or [PATH...], "select": {"from", "to", "doy", "max_cloud",
/// "sensors"}}.
SceneCatalog read_catalog_scenes(const Reader& r, const ojson& j) {
    SceneCatalog c;
    r.keys(j, "scenes", {"catalog", "select"});
    if (!j.contains("catalog"))
        r.fail("scenes.catalog", "missing: a folder, list file or STAC file (or an array)");
    const ojson& cat = j["catalog"];
    if (cat.is_array()) {
        for (std::size_t k = 0; k < cat.size(); ++k)
            c.paths.push_back(r.string(cat[k], at("scenes.catalog", k)));
    } else {
        c.paths.push_back(r.string(cat, "scenes.catalog"));
    }
    if (c.paths.empty())
        r.fail("scenes.catalog", "empty: name at least one folder, list or STAC file");
    if (!j.contains("select"))
        return c;
    const ojson& s = r.object(j["select"], "scenes.select");
    r.keys(s, "scenes.select", {"from", "to", "doy", "max_cloud", "sensors"});
    for (const char* key : {"from", "to"}) {
        if (!s.contains(key))
            continue;
        const std::string p = join("scenes.select", key);
        const std::string text = r.string(s[key], p);
        const auto d = date_from_metadata({{"ACQUISITION_DATE", text}});
        if (!d)
            r.fail(p, "'" + text + "' is not a date (YYYY-MM-DD)");
        (std::string(key) == "from" ? c.select.from : c.select.to) = *d;
    }
    if (s.contains("doy")) {
        const std::string text = r.string(s["doy"], "scenes.select.doy");
        try {
            c.select.doy = CatalogSelection::parse_doy(text);
        } catch (const ArgumentError& e) {
            r.fail("scenes.select.doy", e.what());
        }
    }
    if (s.contains("max_cloud")) {
        const double v = r.number(s["max_cloud"], "scenes.select.max_cloud");
        if (!(v >= 0 && v <= 100))
            r.fail("scenes.select.max_cloud", shown(s["max_cloud"]) + " is outside [0, 100]");
        c.select.max_cloud = v;
    }
    if (s.contains("sensors")) {
        const ojson& a = r.array(s["sensors"], "scenes.select.sensors");
        for (std::size_t k = 0; k < a.size(); ++k)
            c.select.sensors.push_back(r.string(a[k], at("scenes.select.sensors", k)));
    }
    return c;
}

} // namespace

// ---- parse / write ---------------------------------------------------------------------------

Recipe parse_recipe(std::string_view text, std::string_view source) {
    const Reader r{std::string(source)};
    const ojson j = parse_json(text, r);
    r.object(j, "");
    if (!j.contains("format"))
        r.fail("format", "missing: a recipe starts with \"format\": \"rasterbench-recipe\"");
    if (r.string(j["format"], "format") != kRecipeFormat)
        r.fail("format", "'" + j["format"].get<std::string>() + "' is not \"" +
                             std::string(kRecipeFormat) + "\"");
    if (!j.contains("version"))
        r.fail("version",
               "missing (this build reads version " + std::to_string(kRecipeVersion) + ")");
    if (const long long v = r.integer(j["version"], "version"); v != kRecipeVersion)
        r.fail("version", "version " + std::to_string(v) + " is not supported (this build reads " +
                              std::to_string(kRecipeVersion) + ")");
    r.keys(j, "", {"format", "version", "description", "scenes", "qa_from", "steps", "output"});

    Recipe out;
    if (j.contains("description"))
        out.description = r.string(j["description"], "description");
    if (j.contains("scenes") && j["scenes"].is_object()) {
        out.catalog = read_catalog_scenes(r, j["scenes"]);
    } else if (j.contains("scenes")) {
        const ojson& a = r.array(j["scenes"], "scenes");
        for (std::size_t k = 0; k < a.size(); ++k) {
            const std::string p = at("scenes", k);
            SceneSource s;
            if (a[k].is_array()) {
                for (std::size_t f = 0; f < a[k].size(); ++f)
                    s.files.push_back(r.string(a[k][f], at(p, f)));
            } else {
                r.expect(a[k].is_string(), a[k], p, "a file or an array of files");
                s.files.push_back(a[k].get<std::string>());
            }
            if (s.files.empty())
                r.fail(p, "a scene needs at least one file");
            for (std::size_t f = 0; f < s.files.size(); ++f)
                if (s.files[f].empty())
                    r.fail(a[k].is_array() ? at(p, f) : p, "empty file name");
            out.scenes.push_back(std::move(s));
        }
    }
    if (j.contains("qa_from")) {
        const ojson& q = r.object(j["qa_from"], "qa_from");
        r.keys(q, "qa_from", {"from", "to"});
        if (q.contains("from"))
            out.qa_from = r.string(q["from"], "qa_from.from");
        if (q.contains("to"))
            out.qa_to = r.string(q["to"], "qa_from.to");
        if (out.qa_from.empty() && !out.qa_to.empty())
            r.fail("qa_from.from", "empty, but qa_from.to is set");
    }
    if (!j.contains("steps"))
        r.fail("steps", "missing: a recipe has at least one step");
    const ojson& steps = r.array(j["steps"], "steps");
    if (steps.empty())
        r.fail("steps", "empty: a recipe has at least one step");
    std::optional<std::size_t> composite;
    for (std::size_t k = 0; k < steps.size(); ++k) {
        const std::string p = at("steps", k);
        const ojson& s = r.object(steps[k], p);
        if (!s.contains("type"))
            r.fail(join(p, "type"), "missing (types: " + list_text(recipe_step_types()) + ")");
        const std::string type = r.string(s["type"], join(p, "type"));
        if (type == "composite") {
            if (composite)
                r.fail(p, "a recipe has at most one composite step (the first is " +
                              at("steps", *composite) + ")");
            composite = k;
            out.steps.push_back(read_composite(r, s, p));
        } else if (type == "deband") {
            out.steps.push_back(read_deband(r, s, p));
        } else if (type == "fill") {
            out.steps.push_back(read_fill(r, s, p));
        } else if (type == "reproject") {
            out.steps.push_back(read_reproject(r, s, p));
        } else {
            r.fail(join(p, "type"), "unknown step type '" + type +
                                        "' (types: " + list_text(recipe_step_types()) + ")");
        }
    }
    if (j.contains("output")) {
        const ojson& o = r.object(j["output"], "output");
        if (o.contains("path"))
            out.output.path = r.string(o["path"], "output.path");
        if (o.contains("pattern"))
            out.output.pattern = r.string(o["pattern"], "output.pattern");
        r.params(o, "output", table_access(output_params(), out.output.stream, &out.output.stream),
                 {"path", "pattern"});
        if (composite && !out.output.pattern.empty())
            r.fail("output.pattern", "a recipe with a composite has one output: use output.path");
    }
    out.notes = r.notes();
    return out;
}

Recipe load_recipe(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open the recipe");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": cannot read the recipe");
    return parse_recipe(ss.str(), path);
}

} // namespace rb
