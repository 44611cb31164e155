// Planning a job: resolve the scenes, lay the output grid into tiles with their halo, estimate
// the cost (timing one scene task and one tile in a scratch folder, or from a model), and write
// job.json and the engines' scripts.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "job_files.h"
#include "job_post.h"
#include "json_nesting.h"
#include "rasterbench/dataset.h"
#include "rasterbench/job.h"
#include "rasterbench/stack_grid.h"
#include "rasterbench/warp.h"

namespace rb {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json window_json(const Window& w) {
    return json::array({w.col_off, w.row_off, w.width, w.height});
}
Window window_of(const json& j) {
    return Window{j.at(0).get<std::int64_t>(), j.at(1).get<std::int64_t>(),
                  j.at(2).get<std::int64_t>(), j.at(3).get<std::int64_t>()};
}

json grid_json(const Grid& g) {
    const Affine& t = g.transform;
    return {{"width", g.width},
            {"height", g.height},
            {"transform", {t.a, t.b, t.c, t.d, t.e, t.f}},
            {"crs", g.crs.to_wkt()}};
}
Grid grid_from_json(const json& j) {
    Grid g;
    g.width = j.at("width");
    g.height = j.at("height");
    const auto& t = j.at("transform");
    g.transform = Affine{t.at(0), t.at(1), t.at(2), t.at(3), t.at(4), t.at(5)};
    const std::string wkt = j.at("crs");
    if (!wkt.empty())
        g.crs = Crs::from_user_input(wkt);
    return g;
}

std::string absolute(const std::string& p) {
    return fs::absolute(p).lexically_normal().string();
}

double cpu_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Model costs (CPU-seconds per pixel), measured on this project's benchmarks' hardware.
constexpr double kCompositePerPixelScene = 60e-9;
constexpr double kDebandPerPixelBand = 400e-9;
constexpr double kFillPerPixelBand = 150e-9;
constexpr double kAssemblePerPixelBand = 40e-9;

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    std::ostringstream os;
    os << std::fixed << std::setprecision(u == 0 ? 0 : 1) << b << " " << units[u];
    return os.str();
}

std::string human_seconds(double s) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(1);
    if (s < 120)
        os << s << " s";
    else if (s < 7200)
        os << s / 60 << " min";
    else
        os << s / 3600 << " h";
    return os.str();
}

} // namespace

const JobStage& Job::stage(const std::string& name) const {
    std::string names;
    for (const auto& s : stages) {
        if (s.name == name)
            return s;
        names += (names.empty() ? "" : ", ") + s.name;
    }
    throw ArgumentError(dir + ": no stage '" + name + "' (the job has " + names + ")");
}

namespace {

void save_job(const Job& job) {
    json j;
    j["format"] = "rasterbench-job";
    j["version"] = 1;
    j["recipe"] = json::parse(write_recipe(job.recipe), nullptr, true, true);
    j["scenes"] = json::array();
    for (const auto& s : job.scenes)
        j["scenes"].push_back(
            {{"files", s.source.files}, {"sizes", s.sizes}, {"headers", s.headers}});
    j["grid"] = {{"width", job.width},
                 {"height", job.height},
                 {"tile_size", job.tile_size},
                 {"halo", job.halo},
                 {"composite", grid_json(job.grid)}};
    j["reproject_grids"] = json::array();
    for (const auto& [step, grid] : job.reproject_grids)
        j["reproject_grids"].push_back({{"step", step}, {"grid", grid_json(grid)}});
    j["output"] = job.output;
    j["estimate"] = job.estimate_source;
    j["options"] = {{"cpus_per_task", job.options.cpus_per_task},
                    {"mem_per_task", job.options.mem_per_task},
                    {"partition", job.options.partition},
                    {"executable", job.options.executable},
                    {"image", job.options.image},
                    {"engine", job.options.engine}};
    j["stages"] = json::array();
    for (const auto& s : job.stages) {
        json st{{"name", s.name},
                {"cpu_seconds", s.cpu_seconds},
                {"bytes_read", s.bytes_read},
                {"bytes_written", s.bytes_written},
                {"peak_memory", s.peak_memory},
                {"tasks", json::array()}};
        if (!s.kind.empty()) {
            st["kind"] = s.kind;
            st["steps"] = s.steps;
            st["halo"] = s.halo;
            st["grid"] = grid_json(s.grid);
        }
        for (const auto& t : s.tasks) {
            json tj{{"inputs", t.inputs}, {"outputs", t.outputs}};
            if (!t.window.empty()) {
                tj["window"] = window_json(t.window);
                tj["read"] = window_json(t.read);
            }
            if (t.source)
                tj["source"] = window_json(*t.source);
            st["tasks"].push_back(std::move(tj));
        }
        j["stages"].push_back(std::move(st));
    }
    detail::write_text_atomically(detail::job_file(job.dir), j.dump(1), "job");
}

} // namespace

Job load_job(const std::string& dir) {
    const std::string path = detail::job_file(dir);
    std::ifstream in(path);
    if (!in)
        throw IoError("cannot read '" + path + "' (not a job folder?)");
    Job job;
    job.dir = dir;
    try {
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        detail::check_json_nesting(text, "'" + path + "'");
        const json j = json::parse(text);
        if (j.at("format") != "rasterbench-job" || j.at("version") != 1)
            throw ArgumentError("not a rasterbench-job version 1");
        job.recipe = parse_recipe(j.at("recipe").dump(), path + ": recipe");
        for (const auto& s : j.at("scenes")) {
            JobScene sc;
            sc.source.files = s.at("files").get<std::vector<std::string>>();
            sc.sizes = s.at("sizes").get<std::vector<std::int64_t>>();
            sc.headers = s.at("headers").get<std::vector<std::string>>();
            job.scenes.push_back(std::move(sc));
        }
        const auto& g = j.at("grid");
        job.width = g.at("width");
        job.height = g.at("height");
        job.tile_size = g.at("tile_size");
        job.halo = g.at("halo");
        // Jobs planned before the grid was recorded ran on the first scene's grid.
        job.grid =
            g.contains("composite")
                ? grid_from_json(g.at("composite"))
                : grid_of(read_profile(j.at("scenes").at(0).at("files").at(0).get<std::string>()));
        for (const auto& r : j.value("reproject_grids", json::array()))
            job.reproject_grids[r.at("step").get<std::size_t>()] = grid_from_json(r.at("grid"));
        job.output = j.at("output");
        job.estimate_source = j.at("estimate");
        const auto& o = j.at("options");
        job.options.cpus_per_task = o.at("cpus_per_task");
        job.options.mem_per_task = o.at("mem_per_task");
        job.options.partition = o.at("partition");
        job.options.executable = o.at("executable");
        job.options.image = o.at("image");
        job.options.engine = o.at("engine");
        for (const auto& s : j.at("stages")) {
            JobStage st;
            st.name = s.at("name");
            st.cpu_seconds = s.at("cpu_seconds");
            st.bytes_read = s.at("bytes_read");
            st.bytes_written = s.at("bytes_written");
            st.peak_memory = s.at("peak_memory");
            // Stages after the composite; jobs planned before them have none.
            if (s.contains("kind")) {
                st.kind = s.at("kind");
                if (st.kind != "tile" && st.kind != "warp" && st.kind != "mosaic")
                    throw ArgumentError("stage " + st.name + ": unknown kind '" + st.kind + "'");
                st.steps = s.at("steps").get<std::vector<std::size_t>>();
                for (std::size_t k : st.steps)
                    if (k >= job.recipe.steps.size())
                        throw ArgumentError("stage " + st.name + ": no step " +
                                            std::to_string(k + 1) + " in the recipe");
                st.halo = s.at("halo");
                st.grid = grid_from_json(s.at("grid"));
            }
            for (const auto& t : s.at("tasks")) {
                JobTask task;
                task.inputs = t.at("inputs").get<std::vector<std::string>>();
                task.outputs = t.at("outputs").get<std::vector<std::string>>();
                if (t.contains("window")) {
                    task.window = window_of(t.at("window"));
                    task.read = window_of(t.at("read"));
                }
                if (t.contains("source"))
                    task.source = window_of(t.at("source"));
                st.tasks.push_back(std::move(task));
            }
            job.stages.push_back(std::move(st));
        }
    } catch (const json::exception& e) {
        throw ArgumentError(path + ": " + e.what());
    } catch (const CrsError& e) {
        throw ArgumentError(path + ": " + e.what());
    }
    return job;
}

std::vector<std::pair<std::string, std::string>> composite_extras(const CompositeStep& step) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, path] :
         {std::pair{"index", &step.index}, {"score", &step.score_out}, {"count", &step.count}})
        if (!path->empty())
            out.emplace_back(name, *path);
    for (const auto& [rank, path] : step.best_ranks)
        out.emplace_back("best-" + std::to_string(rank), path);
    for (const auto& [rank, path] : step.worst_ranks)
        out.emplace_back("worst-" + std::to_string(rank), path);
    return out;
}

namespace {

/// The grid the composite runs on, as a one-process run finds it: every reproject step
/// before the composite warps all scenes onto the first scene's reprojected grid (recorded
/// in job.reproject_grids for the scene tasks); then the step's grid rule over the scenes.
Grid composite_grid(Job& job, std::size_t ci) {
    const std::string& first_file = job.scenes.front().source.files.front();
    const Profile p = read_profile(first_file);
    Grid g = grid_of(p);
    for (std::size_t k = 0; k < ci; ++k)
        if (const auto* r = std::get_if<ReprojectStep>(&job.recipe.steps[k])) {
            if (job.reproject_grids.empty())
                check_reprojectable(first_file, p);
            try {
                g = default_grid(g, Crs::from_user_input(r->dst_crs), r->grid_options());
            } catch (const Error& e) {
                throw ArgumentError("step " + std::to_string(k + 1) + " (reproject): " + e.what());
            }
            job.reproject_grids[k] = g;
        }
    const auto& comp = std::get<CompositeStep>(job.recipe.steps[ci]);
    std::vector<Grid> grids{g};
    std::vector<std::string> labels{job.scenes.front().source.label()};
    const std::string& rule = comp.grid.grid;
    if (job.reproject_grids.empty() && (rule == "union" || rule == "intersection"))
        for (std::size_t j = 1; j < job.scenes.size(); ++j) {
            grids.push_back(grid_of(read_profile(job.scenes[j].source.files.front())));
            labels.push_back(job.scenes[j].source.label());
        }
    try {
        return stack_grid(grids, comp.grid, labels);
    } catch (const Error& e) {
        throw ArgumentError("step " + std::to_string(ci + 1) + " (composite): " + e.what());
    }
}

} // namespace

namespace {

/// `given`, else a folder of this process's own under the system's temporary folder.
fs::path scratch_folder(const std::string& given) {
    if (!given.empty())
        return given;
    static std::atomic<int> counter{0};
    return fs::temp_directory_path() /
           ("rasterbench-plan-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
}

/// What makes `a` another job than `b` (empty: the same job): the recipe, the scenes (files
/// and header checksums), the grid, the tiling or the output.
std::string job_difference(const Job& a, const Job& b) {
    if (write_recipe(a.recipe) != write_recipe(b.recipe))
        return "another recipe";
    if (a.scenes.size() != b.scenes.size())
        return std::to_string(a.scenes.size()) + " scenes, not " + std::to_string(b.scenes.size());
    for (std::size_t i = 0; i < a.scenes.size(); ++i)
        if (a.scenes[i].source.files != b.scenes[i].source.files ||
            a.scenes[i].headers != b.scenes[i].headers)
            return "scene " + std::to_string(i + 1) + " differs";
    if (a.width != b.width || a.height != b.height || !(a.grid == b.grid))
        return "another output grid";
    if (a.tile_size != b.tile_size || a.halo != b.halo)
        return "tiles of " + std::to_string(a.tile_size) + " px, not " +
               std::to_string(b.tile_size);
    if (a.output != b.output)
        return "output " + a.output;
    return {};
}

} // namespace

Job prepare_job(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                const std::string& dir, const JobPlanOptions& options, Progress progress) {
    if (options.tile_size < 16)
        throw ArgumentError("tile size " + std::to_string(options.tile_size) + " is below 16");
    if (options.cpus_per_task < 1)
        throw ArgumentError("cpus per task must be at least 1");
    memory_mib(options.mem_per_task); // throws for a size Slurm would not take
    // Which steps the job can split.
    std::size_t ci = recipe.steps.size();
    for (std::size_t k = 0; k < recipe.steps.size(); ++k)
        if (std::holds_alternative<CompositeStep>(recipe.steps[k])) {
            ci = k;
            break;
        }
    if (ci == recipe.steps.size())
        throw ArgumentError("the recipe has no composite step: a job splits a composite into tiles "
                            "(run per-scene recipes with `rasterbench-cli run`)");
    const auto& comp = std::get<CompositeStep>(recipe.steps[ci]);

    if (dir.empty())
        throw ArgumentError("no job folder given");
    RecipeRunOptions ro;
    ro.base_dir = options.base_dir;
    // The recipe's checks want the output's folder to exist: the job folder is not written
    // yet, so a name in the temporary folder stands in for DIR/mosaic.tif.
    std::error_code ec;
    ro.output = !options.output.empty() ? options.output
                : fs::is_directory(dir, ec)
                    ? (fs::path(dir) / "mosaic.tif").string()
                    : (fs::temp_directory_path() / "rasterbench-job-mosaic.tif").string();
    const RecipePlan rp = plan_recipe(recipe, inputs, ro);

    Job job;
    job.dir = absolute(dir);
    job.recipe = recipe;
    job.recipe.scenes.clear();
    job.recipe.qa_from.clear();
    job.recipe.qa_to.clear();
    job.options = options;
    const fs::path out_base = options.base_dir.empty() ? "." : options.base_dir;
    job.output = absolute(!options.output.empty()       ? options.output
                          : !recipe.output.path.empty() ? (out_base / recipe.output.path).string()
                                                        : (fs::path(dir) / "mosaic.tif").string());
    for (const auto& s : rp.scenes) {
        JobScene js;
        for (const auto& f : s.files) {
            js.source.files.push_back(absolute(f));
            js.sizes.push_back(std::int64_t(fs::file_size(f)));
            js.headers.push_back(detail::file_checksum(f, 65536));
        }
        job.scenes.push_back(std::move(js));
    }
    job.recipe.scenes.clear();
    for (const auto& s : job.scenes)
        job.recipe.scenes.push_back(s.source);

    const StreamOptions& stream = recipe.output.stream;
    const int block = stream.block_size;
    job.tile_size = (options.tile_size + block - 1) / block * block;
    const SceneReader first(job.scenes.front().source);
    job.grid = composite_grid(job, ci);
    job.width = job.grid.width;
    job.height = job.grid.height;
    const int bands = first.primary_bands();
    const int bytes_per = int(dtype_size(first.profile().dtype));
    {
        const Scorer scorer(comp.score, first.sampled_layout());
        job.halo = scorer.halo() + (comp.options.harmonize ? comp.options.harmonize_radius : 0);
    }

    const std::int64_t n = std::int64_t(job.scenes.size());
    const double scene_pixels = double(job.width) * double(job.height);

    // Scene stage.
    std::vector<std::string> prepared(job.scenes.size());
    if (ci > 0) {
        JobStage st;
        st.name = "scenes";
        for (std::int64_t j = 0; j < n; ++j) {
            JobTask t;
            t.inputs = job.scenes[std::size_t(j)].source.files;
            prepared[std::size_t(j)] =
                (fs::path(job.dir) / "scenes" / ("scene-" + std::to_string(j) + ".tif")).string();
            t.outputs = {prepared[std::size_t(j)]};
            st.bytes_read += job.scenes[std::size_t(j)].sizes.front();
            st.bytes_written += job.scenes[std::size_t(j)].sizes.front();
            st.tasks.push_back(std::move(t));
        }
        double per = 0;
        for (std::size_t k = 0; k < ci; ++k)
            per += (std::holds_alternative<DebandStep>(recipe.steps[k]) ? kDebandPerPixelBand
                                                                        : kFillPerPixelBand) *
                   scene_pixels * bands;
        st.cpu_seconds = per;
        st.peak_memory = std::int64_t(scene_pixels * bands * 16);
        job.stages.push_back(std::move(st));
    } else {
        for (std::int64_t j = 0; j < n; ++j)
            prepared[std::size_t(j)] = job.scenes[std::size_t(j)].source.files.front();
    }

    // Tile stage.
    {
        JobStage st;
        st.name = "tiles";
        std::int64_t scene_bytes = 0;
        for (const auto& s : job.scenes)
            for (auto b : s.sizes)
                scene_bytes += b;
        for (std::int64_t y = 0; y < job.height; y += job.tile_size)
            for (std::int64_t x = 0; x < job.width; x += job.tile_size) {
                JobTask t;
                t.window = Window{x, y, std::min<std::int64_t>(job.tile_size, job.width - x),
                                  std::min<std::int64_t>(job.tile_size, job.height - y)};
                t.read = Window{x - job.halo, y - job.halo, t.window.width + 2 * job.halo,
                                t.window.height + 2 * job.halo}
                             .clamped(job.width, job.height);
                // Every tile reads every (prepared) scene: not listed per task, which would
                // be scenes x tiles paths.
                const std::string stem = "tile-" + std::to_string(st.tasks.size());
                t.outputs = {(fs::path(job.dir) / "tiles" / (stem + ".tif")).string()};
                for (const auto& [name, path] : composite_extras(comp))
                    t.outputs.push_back(
                        (fs::path(job.dir) / "tiles" / (stem + "-" + name + ".tif")).string());
                const double share = double(t.read.width * t.read.height) / scene_pixels;
                st.bytes_read += std::int64_t(share * double(scene_bytes));
                st.bytes_written += t.window.width * t.window.height *
                                    (bands * bytes_per + 4 * std::int64_t(t.outputs.size() - 1));
                st.tasks.push_back(std::move(t));
            }
        st.cpu_seconds = kCompositePerPixelScene * double(job.tile_size) * job.tile_size * n;
        const double side = block + 2.0 * job.halo;
        st.peak_memory =
            std::int64_t(side * side * double(n) * (bands + 2) * 8 * options.cpus_per_task) +
            (64 << 20);
        job.stages.push_back(std::move(st));
    }
    const std::size_t tiles_stage = job.stages.size() - 1;
    // The steps after the composite, a stage per group.
    detail::plan_post_stages(job, ci, bands, bytes_per);
    // Assemble stage: the last stage's tiles (the output), the composite's extra outputs.
    {
        const JobStage& tiles = job.stages[tiles_stage];
        const JobStage& last = job.stages.back();
        JobStage st;
        st.name = "assemble";
        JobTask t;
        for (const auto& tile : last.tasks)
            t.inputs.push_back(tile.outputs.front());
        for (const auto& tile : tiles.tasks)
            t.inputs.insert(t.inputs.end(), tile.outputs.begin() + 1, tile.outputs.end());
        t.outputs = {job.output};
        for (const auto& [name, path] : composite_extras(comp))
            t.outputs.push_back(absolute((out_base / path).string()));
        st.tasks.push_back(std::move(t));
        st.bytes_read = last.bytes_written + (&last == &tiles ? 0 : tiles.bytes_written);
        st.bytes_written = st.bytes_read;
        const double out_pixels =
            last.kind.empty() ? scene_pixels : double(last.grid.width) * last.grid.height;
        st.cpu_seconds = kAssemblePerPixelBand * out_pixels * bands;
        st.peak_memory = 256 << 20;
        job.stages.push_back(std::move(st));
    }
    job.estimate_source = "model (fixed CPU-seconds per pixel; --no-sample)";

    if (options.sample) {
        // Time one scene task and the first tile in a scratch folder, on the task's threads.
        const detail::ScratchDir scratch_dir(scratch_folder(options.scratch_dir));
        const fs::path& scratch = scratch_dir.path();
        Job probe = job;
        probe.dir = scratch.string();
        std::string measured;
        for (auto& st : probe.stages)
            for (auto& o : st.tasks.front().outputs)
                o = (scratch / fs::path(o).filename()).string();
        // The sampled tile reads the sampled scene 1 and the other scenes as they are (not
        // prepared yet): the composite's cost does not depend on which.
        for (auto& st : probe.stages)
            if (st.name == "scenes")
                for (std::size_t j = 1; j < st.tasks.size(); ++j)
                    st.tasks[j].outputs = {job.scenes[j].source.files.front()};
        save_job(probe);
        auto time_task = [&](const std::string& stage, Progress p) {
            const double c = cpu_now();
            run_job_task(probe.dir, stage, 0, options.cpus_per_task, p);
            return cpu_now() - c;
        };
        std::size_t si = 0;
        const double split = ci > 0 ? 0.5 : 0.0;
        if (ci > 0) {
            const double s = time_task("scenes", progress.sub(0, split));
            job.stages[si].cpu_seconds = s;
            measured += "scene 1: " + human_seconds(s) + " CPU";
            ++si;
        }
        const JobTask& t0task = job.stages[si].tasks.front();
        const double tile_cpu = time_task("tiles", progress.sub(split, 1));
        const double full = double(job.tile_size) * job.tile_size /
                            double(t0task.window.width * t0task.window.height);
        job.stages[si].cpu_seconds = tile_cpu * full;
        measured += std::string(measured.empty() ? "" : ", ") +
                    "tile 1: " + human_seconds(tile_cpu) + " CPU";
        job.estimate_source =
            "sampled (" + measured + ", in a scratch folder" +
            (ci + 1 < recipe.steps.size() ? "; the steps after the composite: model" : "") + ")";
    }
    progress.report(1);
    return job;
}

Job plan_job(const Recipe& recipe, const std::vector<SceneSource>& inputs, const std::string& dir,
             const JobPlanOptions& options) {
    // A plan that fails leaves nothing: a folder this call made is removed again.
    std::error_code ec;
    const bool existed = fs::exists(dir, ec);
    if (existed && !fs::is_directory(dir, ec))
        throw ArgumentError("'" + dir + "' is a file, not a folder for a job");
    try {
        if (!fs::create_directories(dir, ec) && ec)
            throw IoError("cannot create the job folder '" + dir + "': " + ec.message());
        JobPlanOptions o = options;
        if (o.scratch_dir.empty())
            o.scratch_dir = (fs::path(dir) / ".sample").string();
        Job job = prepare_job(recipe, inputs, dir, o);
        job.options.scratch_dir.clear();
        // Not replace: the done markers of another job in the folder would pass for this
        // job's tasks, and its tiles would be assembled into this job's output.
        write_job(job, false);
        return job;
    } catch (...) {
        if (!existed)
            fs::remove_all(dir, ec);
        throw;
    }
}

void write_job(const Job& job, bool replace) {
    const std::string path = detail::job_file(job.dir);
    std::error_code ec;
    if (fs::exists(job.dir, ec) && !fs::is_directory(job.dir, ec))
        throw ArgumentError("'" + job.dir + "' is a file, not a folder for a job");
    if (!replace && fs::exists(path, ec)) {
        std::string why;
        try {
            why = job_difference(load_job(job.dir), job);
        } catch (const Error& e) {
            why = std::string("its job.json cannot be read (") + e.what() + ")";
        }
        if (!why.empty())
            throw ArgumentError("'" + job.dir + "' already holds a different job (" + why +
                                "): choose an empty folder, or delete that job first");
    }
    fs::create_directories(job.dir);
    save_job(job);
    write_job_scripts(job);
}

double stage_cpu_seconds(const Job& job, const JobStage& s) {
    double cpu = 0;
    // Tiles count by their area: edge tiles are smaller.
    const bool per_tile = s.name == "tiles" || s.kind == "tile" || s.kind == "warp";
    for (const auto& t : s.tasks)
        cpu += t.window.empty() || !per_tile
                   ? s.cpu_seconds
                   : s.cpu_seconds * double(t.window.width * t.window.height) /
                         (double(job.tile_size) * job.tile_size);
    return cpu;
}

double job_cpu_seconds(const Job& job) {
    double total = 0;
    for (const auto& s : job.stages)
        total += stage_cpu_seconds(job, s);
    return total;
}

double job_wall_seconds(const Job& job, int workers) {
    double wall = 0;
    for (const auto& s : job.stages)
        wall += std::ceil(double(s.tasks.size()) / std::max(workers, 1)) * s.cpu_seconds /
                job.options.cpus_per_task;
    return wall;
}

std::int64_t job_output_bytes(const Job& job) {
    for (const auto& s : job.stages)
        if (s.name == "tiles")
            return s.bytes_written;
    return 0;
}

std::string describe_job(const Job& job) {
    std::ostringstream os;
    os << "job " << job.dir << ": " << job.scenes.size() << " scenes, output grid " << job.width
       << " x " << job.height << ", tiles of " << job.tile_size << " px with a halo of " << job.halo
       << " px\n";
    os << "estimates: " << job.estimate_source << "\n";
    for (const auto& s : job.stages) {
        const std::string what = describe_stage(job, s);
        os << "stage " << s.name << ": " << s.tasks.size() << " task"
           << (s.tasks.size() == 1 ? "" : "s") << (what.empty() ? "" : " (" + what + ")")
           << ", reads " << human_bytes(double(s.bytes_read)) << ", writes "
           << human_bytes(double(s.bytes_written)) << ", peak memory per task "
           << human_bytes(double(s.peak_memory)) << ", CPU " << human_seconds(s.cpu_seconds)
           << " per task, " << human_seconds(stage_cpu_seconds(job, s)) << " in total\n";
    }
    const double total = job_cpu_seconds(job);
    os << "total CPU: " << human_seconds(total) << " (" << std::fixed << std::setprecision(2)
       << total / 3600 << " CPU-hours)\n";
    for (int workers : {1, 10, 100, 1000})
        os << "wall clock with " << workers << " worker" << (workers == 1 ? "" : "s") << ": "
           << human_seconds(job_wall_seconds(job, workers)) << "\n";
    os << "output: " << job.output << "\n";
    return os.str();
}

} // namespace rb
