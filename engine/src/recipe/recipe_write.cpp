// Writing recipes (an exact round trip of what the reader accepts) and the commented template
// generated from the parameter tables.
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

#include "atomic_file.h"
#include "recipe_access.h"

namespace rb {

using ojson = nlohmann::ordered_json;
using namespace recipe_detail;

namespace {

// ---- writing -------------------------------------------------------------------------------

using Comments = std::map<std::string, std::string>;

ojson text_to_json(const ParamInfo& i, const std::string& text) {
    switch (i.type) {
    case ParamType::Bool:
        return text == "true";
    case ParamType::Int:
        return std::stoll(text);
    case ParamType::Double: {
        const double v = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(v))
            return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
        return v;
    }
    case ParamType::String:
    case ParamType::Choice:
        break;
    }
    return text;
}

ojson params_json(const ParamAccess& a, const std::string& path, Comments* comments) {
    ojson out = ojson::object();
    for (const auto& i : a.infos) {
        out[i.name] = text_to_json(i, a.get(i.name));
        if (comments)
            (*comments)[join(path, i.name)] = i.help + " (" + type_text(i) + ")";
    }
    return out;
}

ojson notches_json(const fft::NotchSet& n) {
    return ojson::parse(fft::to_json(n)); // every notch's order included: exact round trip
}

/// gdalwarp's -tr / -ts / -te as the "res", "size" and "bounds" keys of `p` (null: unset).
void grid_target_json(ojson& p, const GridOptions& g, const std::string& pp, Comments* c,
                      const char* crs_name) {
    p["res"] = g.res_x ? ojson::array({*g.res_x, g.res_y.value_or(*g.res_x)}) : ojson(nullptr);
    p["size"] = g.width || g.height ? ojson::array({g.width.value_or(0), g.height.value_or(0)})
                                    : ojson(nullptr);
    p["bounds"] =
        g.bounds ? ojson::array({g.bounds->left, g.bounds->bottom, g.bounds->right, g.bounds->top})
                 : ojson(nullptr);
    if (c) {
        (*c)[join(pp, "res")] = "[X, Y] pixel size in CRS units, gdalwarp -tr";
        (*c)[join(pp, "size")] = "[W, H] in pixels (0 keeps square pixels), -ts";
        (*c)[join(pp, "bounds")] = std::string("[L, B, R, T] in ") + crs_name + ", gdalwarp -te";
    }
}

ojson step_json(const RecipeStep& step, const std::string& path, Comments* c) {
    ojson j;
    j["type"] = recipe_step_type(step);
    if (c)
        (*c)[join(path, "type")] = "one of " + list_text(recipe_step_types());
    std::visit(
        [&](const auto& s) {
            using S = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<S, CompositeStep>) {
                j["score"]["method"] = score_method_name(s.score);
                j["score"]["params"] =
                    params_json(score_access(s.score, nullptr), join(path, "score.params"), c);
                j["bands"] = ojson::array();
                for (int b : s.options.bands)
                    j["bands"].push_back(b + 1);
                j["params"] = params_json(table_access(CompositeOptions::params(), s.options,
                                                       static_cast<CompositeOptions*>(nullptr)),
                                          join(path, "params"), c);
                ojson o;
                o["index"] = s.index;
                o["score"] = s.score_out;
                o["count"] = s.count;
                auto ranks = [](const std::vector<std::pair<int, std::string>>& list) {
                    ojson a = ojson::array();
                    for (const auto& [rank, file] : list)
                        a.push_back({{"rank", rank}, {"path", file}});
                    return a;
                };
                o["best_ranks"] = ranks(s.best_ranks);
                o["worst_ranks"] = ranks(s.worst_ranks);
                j["outputs"] = o;
                const std::string gp = join(path, "grid");
                ojson g = params_json(table_access(StackGridOptions::params(), s.grid,
                                                   static_cast<StackGridOptions*>(nullptr)),
                                      gp, c);
                grid_target_json(g, s.grid.target, gp, c, "the grid's CRS");
                j["grid"] = g;
                j["calibrate"] = s.calibration.calibrate;
                // Written only when set: recipes of the scene-centre sun stay as they were.
                if (s.calibration.sun != SunGeometry::Scene)
                    j["sun"] = SceneCalibration::params().get(s.calibration, "sun");
                if (c) {
                    (*c)[join(path, "calibrate")] =
                        SceneCalibration::params().info("calibrate")->help + " (none: as stored)";
                    if (s.calibration.sun != SunGeometry::Scene)
                        (*c)[join(path, "sun")] = SceneCalibration::params().info("sun")->help;
                    (*c)[join(path, "bands")] =
                        "bands of each scene to composite, 1-based ([] = the first file's)";
                    (*c)[join(path, "score.method")] =
                        "score method: " + list_text(score_method_names()) +
                        " (its parameters differ: see `rasterbench-cli composite --score M "
                        "--list-params`)";
                    (*c)[join(path, "outputs.index")] =
                        "0-based position of the winning scene (empty: not written)";
                    (*c)[join(path, "outputs.score")] = "the winning score, Float32";
                    (*c)[join(path, "outputs.count")] = "valid observations per pixel, UInt16";
                    (*c)[join(path, "outputs.best_ranks")] =
                        "[{\"rank\": R, \"path\": FILE}]: the R-th best valid pixel";
                    (*c)[join(path, "outputs.worst_ranks")] = "the same for the R-th worst";
                }
            } else if constexpr (std::is_same_v<S, DebandStep>) {
                j["band"] = s.band == 0 ? ojson("all") : ojson(s.band);
                j["notches"] = notches_json(s.notches);
                j["auto"] = s.auto_find;
                j["angle"] = s.angle ? ojson(*s.angle) : ojson(nullptr);
                j["shared"] = s.shared;
                j["params"] = params_json(deband_access(s, nullptr), join(path, "params"), c);
                if (c) {
                    (*c)[join(path, "band")] = "\"all\" or a band number (1-based)";
                    (*c)[join(path, "auto")] = "find notches along the stripe orientation";
                    (*c)[join(path, "angle")] =
                        "stripe angle in degrees for auto (null: estimated per band)";
                    (*c)[join(path, "shared")] = "auto: find on the first band, apply to all";
                }
            } else if constexpr (std::is_same_v<S, FillStep>) {
                j["params"] = params_json(table_access(FillOptions::params(), s.options,
                                                       static_cast<FillOptions*>(nullptr)),
                                          join(path, "params"), c);
            } else {
                const std::string pp = join(path, "params");
                ojson p = params_json(reproject_access(s, nullptr), pp, c);
                grid_target_json(p, s.grid_options(), pp, c, "dst_crs");
                p["src_nodata"] =
                    s.options.src_nodata ? ojson(*s.options.src_nodata) : ojson(nullptr);
                p["dst_nodata"] =
                    s.options.dst_nodata ? ojson(*s.options.dst_nodata) : ojson(nullptr);
                j["params"] = p;
                if (c) {
                    (*c)[join(pp, "src_nodata")] = "overrides the source nodata";
                    (*c)[join(pp, "dst_nodata")] = "nodata of the output";
                }
            }
        },
        step);
    return j;
}

ojson recipe_json(const Recipe& r, Comments* c) {
    ojson j;
    j["format"] = kRecipeFormat;
    j["version"] = kRecipeVersion;
    j["description"] = r.description;
    j["scenes"] = ojson::array();
    for (const auto& s : r.scenes)
        j["scenes"].push_back(s.files.size() == 1 ? ojson(s.files[0]) : ojson(s.files));
    if (r.catalog) {
        const CatalogSelection& sel = r.catalog->select;
        ojson sj = ojson::object();
        if (sel.from)
            sj["from"] = sel.from->iso();
        if (sel.to)
            sj["to"] = sel.to->iso();
        if (sel.doy)
            sj["doy"] = std::to_string(sel.doy->first) + "-" + std::to_string(sel.doy->second);
        if (sel.max_cloud)
            sj["max_cloud"] = *sel.max_cloud;
        if (!sel.sensors.empty())
            sj["sensors"] = sel.sensors;
        j["scenes"] = {{"catalog", r.catalog->paths}, {"select", sj}};
    }
    j["qa_from"] = {{"from", r.qa_from}, {"to", r.qa_to}};
    j["steps"] = ojson::array();
    for (std::size_t k = 0; k < r.steps.size(); ++k)
        j["steps"].push_back(step_json(r.steps[k], at("steps", k), c));
    ojson o;
    o["path"] = r.output.path;
    o["pattern"] = r.output.pattern;
    const ojson stream = params_json(
        table_access(output_params(), r.output.stream, static_cast<StreamOptions*>(nullptr)),
        "output", c);
    for (const auto& [k, v] : stream.items())
        o[k] = v;
    j["output"] = o;
    if (c) {
        (*c)["description"] = "free text";
        (*c)["scenes"] = "scene files, or [files] of one scene (e.g. with its quality file); "
                         "relative to this file; SCENE arguments of `run` replace them";
        (*c)["qa_from.from"] = "append to each one-file scene the file named by replacing this";
        (*c)["qa_from.to"] = "... with this (e.g. _sr.tif and _fmask.tif); empty: none";
        (*c)["output.path"] = "the result (a composite's, or the one scene's); -o replaces it";
        (*c)["output.pattern"] = "per-scene results without a composite: {stem}, {name}, {index}";
    }
    return j;
}

/// Pretty JSON with two-space indents, short scalar arrays on one line, and a // comment
/// after each value that has one.
void emit(std::string& out, const ojson& j, const std::string& path, int indent,
          const Comments* c) {
    const std::string pad(std::size_t(indent) + 2, ' ');
    auto scalar_array = [](const ojson& a) {
        return std::all_of(a.begin(), a.end(),
                           [](const ojson& e) { return !e.is_object() && !e.is_array(); });
    };
    if (j.is_object() && !j.empty()) {
        out += "{\n";
        std::size_t k = 0;
        for (const auto& [key, v] : j.items()) {
            const std::string p = join(path, key);
            out += pad + ojson(key).dump() + ": ";
            emit(out, v, p, indent + 2, c);
            if (++k < j.size())
                out += ",";
            if (c && c->count(p)) {
                std::string text = c->at(p);
                std::replace(text.begin(), text.end(), '\n', ' ');
                out += " // " + text;
            }
            out += "\n";
        }
        out += std::string(std::size_t(indent), ' ') + "}";
    } else if (j.is_array() && !j.empty() && !scalar_array(j)) {
        out += "[\n";
        for (std::size_t k = 0; k < j.size(); ++k) {
            out += pad;
            emit(out, j[k], at(path, k), indent + 2, c);
            out += k + 1 < j.size() ? ",\n" : "\n";
        }
        out += std::string(std::size_t(indent), ' ') + "]";
    } else if (j.is_array() && !j.empty()) {
        out += "[";
        for (std::size_t k = 0; k < j.size(); ++k)
            out += (k ? ", " : "") + j[k].dump();
        out += "]";
    } else {
        out += j.dump();
    }
}

} // namespace

std::string write_recipe(const Recipe& recipe) {
    std::string out;
    emit(out, recipe_json(recipe, nullptr), "", 0, nullptr);
    return out + "\n";
}

void save_recipe(const Recipe& recipe, const std::string& path) {
    detail::write_text_atomically(path, write_recipe(recipe), "recipe");
}

std::string describe_recipe_step(const RecipeStep& step) {
    return step_json(step, "", nullptr).dump();
}

std::string recipe_template(const std::vector<std::string>& step_types) {
    Recipe r;
    bool composite = false;
    for (const auto& t : step_types) {
        RecipeStep s = make_recipe_step(t);
        if (auto* d = std::get_if<DebandStep>(&s))
            d->auto_find = true; // runnable as it is
        if (auto* p = std::get_if<ReprojectStep>(&s))
            p->dst_crs = "EPSG:4326";
        composite = composite || t == "composite";
        r.steps.push_back(std::move(s));
    }
    if (composite)
        r.output.path = "composite.tif";
    else
        r.output.pattern = "{stem}_out.tif";
    Comments c;
    const ojson j = recipe_json(r, &c);
    std::string out = "// rasterbench-cli run recipe, format version " +
                      std::to_string(kRecipeVersion) +
                      ", generated from the parameter tables.\n"
                      "// Every key is optional except format, version, steps, each step's "
                      "type and a\n// reproject's dst_crs; absent keys take the defaults "
                      "shown. Comments are allowed.\n";
    emit(out, j, "", 0, &c);
    return out + "\n";
}

} // namespace rb
