// Running a recipe: resolve scenes and outputs (plan_recipe), then call for each step the
// engine function its CLI command calls, file to file, in a work folder; outputs are renamed
// into place only once every step has succeeded.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include <unistd.h>

#include "atomic_file.h"
#include "partial_file.h"
#include "rasterbench/composite.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/recipe.h"

namespace rb {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kNone = std::size_t(-1);

std::size_t composite_index(const Recipe& r) {
    for (std::size_t k = 0; k < r.steps.size(); ++k)
        if (std::holds_alternative<CompositeStep>(r.steps[k]))
            return k;
    return kNone;
}

std::string resolve(const std::string& path, const std::string& base) {
    if (path.empty() || base.empty() || fs::path(path).is_absolute())
        return path;
    return (fs::path(base) / path).lexically_normal().string();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// ArgumentError for a placeholder output.pattern does not know, which would be written
// literally (or make every scene's output one file), and for an unbalanced brace.
void check_pattern(const std::string& pattern) {
    for (std::size_t at = pattern.find_first_of("{}"); at != std::string::npos;
         at = pattern.find_first_of("{}", at + 1)) {
        const std::size_t close = pattern[at] == '{' ? pattern.find('}', at) : std::string::npos;
        const std::string name =
            close == std::string::npos ? std::string() : pattern.substr(at, close - at + 1);
        if (name != "{stem}" && name != "{name}" && name != "{index}")
            throw ArgumentError("output.pattern '" + pattern + "': " +
                                (name.empty() ? "unbalanced '" + std::string(1, pattern[at]) + "'"
                                              : "unknown placeholder " + name) +
                                " (placeholders: {stem}, {name}, {index})");
        at = close;
    }
}

std::string expand(const std::string& pattern, const SceneSource& scene, std::size_t index) {
    const fs::path first(scene.files.front());
    std::string s = replace_all(pattern, "{stem}", first.stem().string());
    s = replace_all(s, "{name}", first.filename().string());
    return replace_all(s, "{index}", std::to_string(index + 1));
}

/// A folder of the run's intermediate and not-yet-final files, removed with everything in it.
class WorkDir {
public:
    explicit WorkDir(const std::string& parent) {
        static std::atomic<unsigned> counter{0};
        const fs::path base = parent.empty() ? fs::temp_directory_path() : fs::path(parent);
        // Folders of runs that were killed (SIGKILL) go with the next run.
        detail::remove_stale_work_folders(base.string(), "rasterbench-run-");
        std::random_device rd;
        for (int attempt = 0; attempt < 100; ++attempt) {
            const fs::path p = base / ("rasterbench-run-" + std::to_string(getpid()) + "-" +
                                       std::to_string(counter++) + "-" + std::to_string(rd()));
            std::error_code ec;
            if (fs::create_directory(p, ec)) {
                path_ = p;
                detail::begin_work_folder(path_.string());
                return;
            }
            if (ec && ec != std::errc::file_exists)
                throw IoError("cannot create a work folder in '" + base.string() +
                              "': " + ec.message());
        }
        throw IoError("cannot create a work folder in '" + base.string() + "'");
    }
    ~WorkDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
        detail::end_work_folder(path_.string());
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;

    std::string next() { return (path_ / ("f" + std::to_string(count_++) + ".tif")).string(); }
    bool owns(const std::string& file) const { return fs::path(file).parent_path() == path_; }
    /// `message` with each quoted path of a file in this folder replaced by "the step's working
    /// file": the user never named it, and it is gone once the run ends.
    std::string plain(std::string message) const {
        const std::string folder = "'" + path_.string() + "/";
        for (std::size_t at = message.find(folder); at != std::string::npos;
             at = message.find(folder, at)) {
            const std::size_t end = message.find('\'', at + folder.size());
            if (end == std::string::npos)
                break;
            const std::string text = "the step's working file";
            message.replace(at, end + 1 - at, text);
            at += text.size();
        }
        return message;
    }

private:
    fs::path path_;
    int count_ = 0;
};

void move_into_place(const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (!ec)
        return;
    if (ec == std::errc::cross_device_link) {
        // Another file system: copy next to the target, then rename there (still atomic).
        const std::string tmp = detail::begin_partial(to);
        struct Untrack {
            const std::string& tmp;
            ~Untrack() { detail::end_partial(tmp); }
        } untrack{tmp};
        // Our own copy rather than fs::copy_file, whose error for a full disk is EIO.
        try {
            detail::copy_file_contents(from, tmp, to);
        } catch (...) {
            fs::remove(tmp, ec);
            throw;
        }
        std::error_code ec2;
        fs::rename(tmp, to, ec2);
        if (!ec2)
            return;
        fs::remove(tmp, ec);
        throw IoError("cannot write '" + to + "': " + ec2.message());
    }
    throw IoError("cannot write '" + to + "': " + ec.message());
}

/// The recipe's output settings on a profile copied from a source (as composite_files does).
void apply_stream(Profile& p, const StreamOptions& s) {
    p.driver = "GTiff";
    p.overview_factors.clear();
    p.creation_options.clear();
    apply_stream_options(p, s);
}

struct StepContext {
    const StreamOptions& stream;
    int threads = 0;
    std::vector<std::string>& notes;
    std::string label; ///< "scene 2: step 1" for notes
};

/// The deband command on one file.
void deband_file(const std::string& in, const std::string& out, const DebandStep& step,
                 StepContext& ctx, Progress progress) {
    const Dataset src = Dataset::open(in);
    if (step.band > src.count())
        throw ArgumentError(in + ": no band " + std::to_string(step.band) + " (it has " +
                            std::to_string(src.count()) + ")");
    ReadOptions ro;
    if (step.band > 0)
        ro.bands = {step.band};
    const Raster data = src.read(ro);
    std::vector<int> file_bands;
    for (int b = 0; b < data.bands(); ++b)
        file_bands.push_back(step.band > 0 ? step.band : b + 1);
    std::vector<std::string> notes;
    const auto per_band = deband_step_notches(data, step, file_bands, &notes);
    for (auto& n : notes)
        ctx.notes.push_back(ctx.label + ": " + n);
    std::optional<double> nodata;
    if (!src.profile().nodata.empty())
        nodata = src.profile().nodata[std::size_t(file_bands[0] - 1)];
    const Raster result = fft::deband(data, per_band, step.options, nodata, progress);

    Profile p = src.profile();
    p.count = result.bands();
    p.dtype = result.dtype();
    if (step.band > 0) {
        auto pick = [&](auto& v) {
            if (v.size() >= std::size_t(step.band)) {
                auto keep = v[std::size_t(step.band - 1)];
                v.assign(1, keep);
            }
        };
        pick(p.nodata);
        pick(p.colorinterp);
        pick(p.descriptions);
    }
    apply_stream(p, ctx.stream);
    Dataset dst = Dataset::create(out, p);
    dst.write(result);
    dst.close();
}

/// The fill command on one file.
void fill_file(const std::string& in, const std::string& out, const FillStep& step,
               StepContext& ctx, Progress progress) {
    const Dataset ds = Dataset::open(in);
    FillOptions o = step.options;
    o.threads = ctx.threads;
    const Raster filled = fill_nodata(ds.read(), o, progress);
    Profile p = ds.profile();
    apply_stream(p, ctx.stream);
    Dataset dst = Dataset::create(out, p);
    dst.write(filled);
    dst.close();
}

/// The reproject command's grid for a source file.
Grid reproject_grid(const std::string& in, const ReprojectStep& step) {
    GridOptions g = step.grid_options();
    const Profile p = read_profile(in);
    check_reprojectable(in, p);
    return default_grid(grid_of(p), Crs::from_user_input(step.dst_crs), g);
}

ReprojectOptions reproject_options(const ReprojectStep& step, int threads) {
    ReprojectOptions o = step.options;
    o.threads = threads;
    return o;
}

/// Applies a per-file step to a scene: deband and fill change its first file; reproject
/// warps every file (the quality files with nearest resampling) onto `grid` (or each file's
/// own default grid when none is given).
SceneSource apply_step(const RecipeStep& step, const SceneSource& scene, WorkDir& work,
                       const std::optional<Grid>& grid, StepContext& ctx, Progress progress) {
    SceneSource out = scene;
    out.name = scene.label(); // product metadata and messages follow the original scene
    out.files[0] = work.next();
    if (const auto* d = std::get_if<DebandStep>(&step)) {
        deband_file(scene.files[0], out.files[0], *d, ctx, progress);
    } else if (const auto* f = std::get_if<FillStep>(&step)) {
        fill_file(scene.files[0], out.files[0], *f, ctx, progress);
    } else if (const auto* r = std::get_if<ReprojectStep>(&step)) {
        const Grid dst = grid ? *grid : reproject_grid(scene.files[0], *r);
        const double n = double(scene.files.size());
        reproject_file(scene.files[0], out.files[0], dst, reproject_options(*r, ctx.threads),
                       progress.sub(0, 1 / n));
        for (std::size_t k = 1; k < scene.files.size(); ++k) {
            out.files[k] = work.next();
            ReprojectOptions qa;
            qa.resampling = WarpResampling::Nearest;
            qa.error_threshold = r->options.error_threshold;
            qa.threads = ctx.threads;
            reproject_file(scene.files[k], out.files[k], dst, qa,
                           progress.sub(double(k) / n, double(k + 1) / n));
        }
    } else {
        throw ArgumentError("a composite step cannot run on one scene");
    }
    return out;
}

/// Removes the work files of `before` that `after` no longer uses.
void drop_replaced(const SceneSource& before, const SceneSource& after, const WorkDir& work) {
    for (const auto& f : before.files)
        if (work.owns(f) &&
            std::find(after.files.begin(), after.files.end(), f) == after.files.end()) {
            std::error_code ec;
            fs::remove(f, ec);
        }
}

std::string where_text(std::size_t step, std::size_t composite) {
    if (composite == kNone)
        return "each scene";
    if (step < composite)
        return "each scene";
    if (step == composite)
        return "all scenes";
    return "the composite";
}

/// True when `path` lies in `out_dir` (which run_recipe creates, with its subfolders).
bool under_out_dir(const std::string& path, const std::string& out_dir) {
    if (out_dir.empty())
        return false;
    const std::string dir = fs::absolute(out_dir).lexically_normal().string();
    const std::string p = fs::absolute(path).lexically_normal().string();
    return p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 &&
           (dir.back() == '/' || p[dir.size()] == '/');
}

} // namespace

RecipePlan plan_recipe(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                       const RecipeRunOptions& options) {
    if (recipe.steps.empty())
        throw ArgumentError("the recipe has no steps");
    RecipePlan plan;
    const bool from_recipe = inputs.empty();
    std::vector<SceneSource> listed = from_recipe ? recipe.scenes : inputs;
    bool resolved = !from_recipe;
    if (from_recipe && recipe.catalog) {
        // The catalog is read and the selection made now, so a rerun sees new scenes.
        std::vector<std::string> paths;
        for (const auto& p : recipe.catalog->paths)
            paths.push_back(resolve(p, options.base_dir));
        const std::vector<CatalogEntry> all = read_catalog(paths);
        const std::vector<CatalogEntry> kept = select_scenes(all, recipe.catalog->select);
        plan.notes.push_back("catalog: " + std::to_string(kept.size()) + " of " +
                             std::to_string(all.size()) + " scenes selected");
        if (kept.empty())
            throw ArgumentError("the recipe's catalog selection keeps none of its " +
                                std::to_string(all.size()) + " scenes");
        listed.clear();
        for (const auto& e : kept) {
            // A row the catalog could not read is no scene to run on.
            if (!e.problem.empty())
                throw ArgumentError("the recipe's catalog: '" + e.path +
                                    "' cannot be read: " + e.problem);
            listed.push_back(SceneSource{{e.path}});
        }
        resolved = true;
    }
    for (const auto& s : listed) {
        SceneSource scene;
        for (const auto& f : s.files)
            scene.files.push_back(resolved ? f : resolve(f, options.base_dir));
        if (scene.files.empty())
            throw ArgumentError("a scene has no files");
        if (!recipe.qa_from.empty() && scene.files.size() == 1) {
            const std::string& path = scene.files[0];
            const auto at = path.rfind(recipe.qa_from);
            if (at == std::string::npos)
                throw ArgumentError("scene '" + path + "' does not contain '" + recipe.qa_from +
                                    "' (the recipe's qa_from)");
            scene.files.push_back(path.substr(0, at) + recipe.qa_to +
                                  path.substr(at + recipe.qa_from.size()));
        }
        plan.scenes.push_back(std::move(scene));
    }
    const std::size_t n = plan.scenes.size();
    if (n == 0)
        throw ArgumentError("no scenes: the recipe lists none and none were given");
    // Every scene file opens, before any work: the error names the scene's position.
    for (std::size_t k = 0; k < n; ++k)
        for (const auto& f : plan.scenes[k].files) {
            try {
                (void)read_profile(f);
            } catch (const Error& e) {
                std::string what = e.what();
                if (what.find(f) == std::string::npos)
                    what = "'" + f + "': " + what;
                throw IoError("scene " + std::to_string(k + 1) + " of " + std::to_string(n) + ": " +
                              what);
            }
        }

    const std::size_t ci = composite_index(recipe);
    for (std::size_t k = 0; k < recipe.steps.size(); ++k)
        plan.steps.push_back("step " + std::to_string(k + 1) + " (" + where_text(k, ci) +
                             "): " + describe_recipe_step(recipe.steps[k]));
    if (ci != kNone) {
        // The band roles the score will use, as resolved on the first scene: a wrong role
        // (a thermal band read as cirrus) shows here before anything runs.
        std::string line = "  roles (scene 1): ";
        try {
            const SceneReader reader(plan.scenes.front());
            const BandLayout layout = reader.sampled_layout();
            const Scorer scorer(std::get<CompositeStep>(recipe.steps[ci]).score, layout);
            plan.steps.push_back(line + scorer.roles().explain(layout));
            if (plan.scenes.size() > 1 && scorer.uses_scene_samples())
                plan.steps.push_back("  cloud thresholds: each of the " +
                                     std::to_string(plan.scenes.size()) +
                                     " dates against its own clear-sky statistics (from a "
                                     "sample of that scene)");
            for (const auto& w : scorer.roles().warnings())
                plan.steps.push_back("  warning: " + w);
        } catch (const ArgumentError& e) {
            plan.steps.push_back(line + "not resolved: " + e.what());
        }
    }

    auto out_path = [&](const std::string& p) { return resolve(p, options.out_dir); };
    const bool one_output =
        ci != kNone || (n == 1 && (!options.output.empty() ||
                                   (recipe.output.pattern.empty() && !recipe.output.path.empty())));
    if (one_output) {
        std::string out = !options.output.empty() ? options.output : out_path(recipe.output.path);
        if (out.empty())
            throw ArgumentError("no output: give -o OUT or the recipe's output.path");
        plan.outputs.push_back(out);
        if (ci != kNone) {
            const auto& c = std::get<CompositeStep>(recipe.steps[ci]);
            for (const auto* p : {&c.index, &c.score_out, &c.count})
                if (!p->empty())
                    plan.outputs.push_back(out_path(*p));
            for (const auto* list : {&c.best_ranks, &c.worst_ranks})
                for (const auto& [rank, p] : *list)
                    plan.outputs.push_back(out_path(p));
        }
    } else {
        if (!options.output.empty())
            throw ArgumentError("-o names one output, but the recipe writes one per scene (" +
                                std::to_string(n) + " scenes): use --out-dir or output.pattern");
        std::string pattern = recipe.output.pattern;
        if (pattern.empty() && !options.out_dir.empty())
            pattern = "{name}";
        if (pattern.empty())
            throw ArgumentError("no output: the recipe writes one file per scene; give its "
                                "output.pattern (e.g. \"{stem}_out.tif\") or --out-dir");
        check_pattern(pattern);
        for (std::size_t k = 0; k < n; ++k)
            plan.outputs.push_back(out_path(expand(pattern, plan.scenes[k], k)));
    }

    std::vector<std::vector<std::string>> scene_files;
    for (const auto& s : plan.scenes)
        scene_files.push_back(s.files);
    std::vector<FileRole> read = scene_input_roles(scene_files);
    if (!options.recipe_path.empty())
        read.push_back({"recipe", options.recipe_path});
    // A composite step's grid reference is read too (as stack_grid opens it).
    for (const auto& step : recipe.steps)
        if (const auto* c = std::get_if<CompositeStep>(&step);
            c && c->grid.grid.rfind("like:", 0) == 0)
            read.push_back({"grid reference (grid like:)", c->grid.grid.substr(5)});
    std::vector<FileRole> outputs;
    for (const auto& o : plan.outputs)
        outputs.push_back({"output", o});
    check_outputs_distinct(read, outputs);
    for (const auto& o : plan.outputs) {
        const fs::path dir = fs::absolute(o).parent_path();
        if (!fs::is_directory(dir) && !under_out_dir(o, options.out_dir))
            throw IoError("cannot write '" + o + "': folder '" + dir.string() + "' does not exist");
    }
    return plan;
}

RecipePlan run_recipe(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                      const RecipeRunOptions& options, Progress progress) {
    RecipePlan plan = plan_recipe(recipe, inputs, options);
    WorkDir work(options.temp_dir);
    StreamOptions stream = recipe.output.stream;
    stream.threads = options.threads;

    const std::size_t ci = composite_index(recipe);
    const std::size_t n = plan.scenes.size();
    const std::size_t pre = ci == kNone ? recipe.steps.size() : ci;
    const std::size_t post = ci == kNone ? 0 : recipe.steps.size() - ci - 1;
    const double units = double(n * pre + (ci == kNone ? 0 : n) + post);
    double done = 0;
    auto next_progress = [&](double weight) {
        Progress p = progress.sub(done / units, (done + weight) / units);
        done += weight;
        p.report(0); // also where a cancel between steps is noticed
        return p;
    };

    std::vector<std::pair<std::string, std::string>> finals; // work file -> output
    std::vector<SceneSource> scenes = plan.scenes;
    // Steps replace a scene's files with work files: the scene keeps its own name (messages,
    // the product its name tells).
    for (auto& s : scenes)
        s.name = s.label();
    for (std::size_t k = 0; k < pre; ++k) {
        const RecipeStep& step = recipe.steps[k];
        // Before a composite every scene is warped onto the first scene's grid.
        std::optional<Grid> grid;
        if (const auto fixed = options.reproject_grids.find(k);
            fixed != options.reproject_grids.end())
            grid = fixed->second;
        else if (const auto* r = std::get_if<ReprojectStep>(&step); r && ci != kNone)
            grid = reproject_grid(scenes[0].files[0], *r);
        for (std::size_t j = 0; j < n; ++j) {
            StepContext ctx{stream, options.threads, plan.notes,
                            "scene " + std::to_string(j + 1) + ": step " + std::to_string(k + 1)};
            Progress p = next_progress(1);
            SceneSource next;
            try {
                next = apply_step(step, scenes[j], work, grid, ctx, p);
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& e) {
                std::string what = work.plain(e.what());
                const std::string& label = plan.scenes[j].files[0];
                if (what.find(label) == std::string::npos)
                    what = "scene '" + label + "': " + what;
                throw ArgumentError("step " + std::to_string(k + 1) + " (" +
                                    recipe_step_type(step) + "): " + what);
            }
            drop_replaced(scenes[j], next, work);
            scenes[j] = std::move(next);
        }
    }
    if (ci == kNone) {
        for (std::size_t j = 0; j < n; ++j)
            finals.emplace_back(scenes[j].files[0], plan.outputs[j]);
    } else {
        const auto& c = std::get<CompositeStep>(recipe.steps[ci]);
        CompositeOutputs outs;
        outs.composite = work.next();
        std::size_t o = 1;
        auto extra = [&](const std::string& p, std::string& slot) {
            if (p.empty())
                return;
            slot = work.next();
            finals.emplace_back(slot, plan.outputs[o++]);
        };
        extra(c.index, outs.index);
        extra(c.score_out, outs.score);
        extra(c.count, outs.count);
        for (const auto& [rank, p] : c.best_ranks) {
            outs.best_ranks.emplace_back(rank, std::string());
            extra(p, outs.best_ranks.back().second);
        }
        for (const auto& [rank, p] : c.worst_ranks) {
            outs.worst_ranks.emplace_back(rank, std::string());
            extra(p, outs.worst_ranks.back().second);
        }
        try {
            CompositeOptions co = c.options;
            co.best_ranks.clear(); // the outputs' ranks are the ones written
            co.worst_ranks.clear();
            // Scenes on other grids (or a grid the step names) are warped as they are read.
            const std::vector<SceneSource> read = with_calibration(scenes, c.calibration);
            const AlignedScenes aligned(read, stack_grid(read, c.grid), c.grid.resampling);
            composite_files(aligned.scenes(), c.score, co, outs, stream, next_progress(double(n)));
        } catch (const Cancelled&) {
            throw;
        } catch (const Error& e) {
            throw ArgumentError("step " + std::to_string(ci + 1) +
                                " (composite): " + work.plain(e.what()));
        }
        for (const auto& s : scenes)
            drop_replaced(s, SceneSource{}, work);
        SceneSource image{{outs.composite}};
        for (std::size_t k = ci + 1; k < recipe.steps.size(); ++k) {
            StepContext ctx{stream, options.threads, plan.notes,
                            "composite: step " + std::to_string(k + 1)};
            Progress p = next_progress(1);
            SceneSource next;
            try {
                next = apply_step(recipe.steps[k], image, work, std::nullopt, ctx, p);
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& e) {
                throw ArgumentError("step " + std::to_string(k + 1) + " (" +
                                    recipe_step_type(recipe.steps[k]) +
                                    "): " + work.plain(e.what()));
            }
            drop_replaced(image, next, work);
            image = std::move(next);
        }
        finals.insert(finals.begin(), {image.files[0], plan.outputs[0]});
    }

    progress.sub(0, 1).report(1.0);
    for (const auto& [from, to] : finals) {
        const fs::path dir = fs::absolute(to).parent_path();
        if (under_out_dir(to, options.out_dir) && !fs::is_directory(dir)) {
            std::error_code ec;
            fs::create_directories(dir, ec);
            if (ec)
                throw IoError("cannot create '" + dir.string() + "': " + ec.message());
        }
    }
    for (const auto& [from, to] : finals)
        move_into_place(from, to);
    return plan;
}

} // namespace rb
