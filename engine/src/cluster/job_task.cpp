// Running one task of a job: outputs written atomically, then a done-marker; a task whose
// marker is valid returns at once. Also the job's status from its markers.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "job_files.h"
#include "job_post.h"
#include "rasterbench/job.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/stack_grid.h"

namespace rb {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::int64_t peak_rss() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return std::int64_t(u.ru_maxrss) * 1024;
}

std::string host_name() {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

/// The marker's record when every output it lists exists with its size (and, with `deep`,
/// its checksum); else null.
json valid_marker(const std::string& path, const JobTask& task, bool deep) {
    std::ifstream in(path);
    if (!in)
        return nullptr;
    try {
        json m = json::parse(in);
        const auto& outs = m.at("outputs");
        if (outs.size() != task.outputs.size())
            return nullptr;
        for (std::size_t i = 0; i < outs.size(); ++i) {
            const std::string p = outs[i].at("path");
            std::error_code ec;
            if (p != task.outputs[i] ||
                std::int64_t(fs::file_size(p, ec)) != outs[i].at("size").get<std::int64_t>() || ec)
                return nullptr;
            if (deep && detail::file_checksum(p) != outs[i].at("checksum"))
                return nullptr;
        }
        return m;
    } catch (const std::exception&) {
        return nullptr;
    }
}

/// The scenes a tile reads: each scene's files, the first one as the scene stage wrote it
/// (when the recipe has steps before the composite).
std::vector<SceneSource> tile_scenes(const Job& job) {
    const JobStage* prepared = nullptr;
    for (const auto& s : job.stages)
        if (s.name == "scenes")
            prepared = &s;
    std::vector<SceneSource> scenes;
    for (std::size_t j = 0; j < job.scenes.size(); ++j) {
        SceneSource src = job.scenes[j].source;
        if (prepared) {
            src.name = src.label(); // product metadata and messages follow the original scene
            src.files.front() = prepared->tasks.at(j).outputs.front();
        }
        scenes.push_back(std::move(src));
    }
    return scenes;
}

std::size_t composite_at(const Recipe& r) {
    for (std::size_t k = 0; k < r.steps.size(); ++k)
        if (std::holds_alternative<CompositeStep>(r.steps[k]))
            return k;
    throw ArgumentError("the job's recipe has no composite step");
}

void run_scene_task(const Job& job, const JobTask& task, int index, int threads,
                    Progress progress) {
    Recipe sub = job.recipe;
    sub.steps.assign(job.recipe.steps.begin(),
                     job.recipe.steps.begin() + std::ptrdiff_t(composite_at(job.recipe)));
    sub.scenes.clear();
    sub.output.pattern.clear();
    sub.output.path.clear();
    RecipeRunOptions ro;
    ro.output = task.outputs.front();
    ro.threads = threads;
    ro.reproject_grids = job.reproject_grids;
    ro.temp_dir = (fs::path(job.dir) / "work").string();
    fs::create_directories(ro.temp_dir);
    fs::create_directories(fs::path(ro.output).parent_path());
    run_recipe(sub, {job.scenes.at(std::size_t(index)).source}, ro, progress);
}

void run_tile_task(const Job& job, const JobTask& task, int threads, Progress progress) {
    const auto& c = std::get<CompositeStep>(job.recipe.steps[composite_at(job.recipe)]);
    CompositeOptions co = c.options;
    co.best_ranks.clear();
    co.worst_ranks.clear();
    StreamOptions stream = job.recipe.output.stream;
    stream.threads = threads;
    // Every output renamed into place only when the composite succeeded.
    detail::PartialOutputs tmps(task.outputs);
    {
        CompositeOutputs outs;
        outs.composite = tmps.partial(0);
        outs.region = task.window;
        std::size_t k = 1;
        for (const auto& [name, path] : composite_extras(c)) {
            const std::string& tmp = tmps.partial(k++);
            if (name == "index")
                outs.index = tmp;
            else if (name == "score")
                outs.score = tmp;
            else if (name == "count")
                outs.count = tmp;
            else if (name.rfind("best-", 0) == 0)
                outs.best_ranks.emplace_back(std::stoi(name.substr(5)), tmp);
            else
                outs.worst_ranks.emplace_back(std::stoi(name.substr(6)), tmp);
        }
        const AlignedScenes aligned(with_calibration(tile_scenes(job), c.calibration), job.grid,
                                    c.grid.resampling);
        composite_files(aligned.scenes(), c.score, co, outs, stream, progress);
    }
    tmps.commit();
}

} // namespace

TaskOutcome run_job_task(const std::string& dir, const std::string& stage_name, int index,
                         int threads, Progress progress) {
    const Job job = load_job(dir);
    const JobStage& stage = job.stage(stage_name);
    if (index < 0 || std::size_t(index) >= stage.tasks.size())
        throw ArgumentError(dir + ": stage " + stage_name + " has tasks 0.." +
                            std::to_string(stage.tasks.size() - 1) + ", not " +
                            std::to_string(index));
    const JobTask& task = stage.tasks[std::size_t(index)];
    // The outputs come from job.json, which may have been edited: never onto a scene.
    {
        std::vector<std::vector<std::string>> scene_files;
        for (const auto& s : job.scenes)
            scene_files.push_back(s.source.files);
        std::vector<FileRole> outputs;
        for (const auto& o : task.outputs)
            outputs.push_back({stage_name + " task " + std::to_string(index) + " output", o});
        check_outputs_distinct(scene_input_roles(scene_files), outputs);
    }
    const std::string marker = detail::done_marker(dir, stage_name, index);
    TaskOutcome outcome;
    if (valid_marker(marker, task, true) != nullptr) {
        outcome.already_done = true;
        return outcome;
    }
    std::error_code ec;
    fs::remove(marker, ec);
    // Who runs the task, for status while it runs; removed however the task ends (a process
    // killed leaves it behind: status then finds the process gone).
    const std::string running = detail::running_marker(dir, stage_name, index);
    fs::create_directories(fs::path(running).parent_path(), ec);
    detail::write_text_atomically(
        running, json{{"host", host_name()}, {"pid", std::int64_t(getpid())}}.dump(1),
        "running-marker");
    struct Unmark {
        std::string path;
        ~Unmark() {
            std::error_code ec;
            fs::remove(path, ec);
        }
    } unmark{running};
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        if (stage_name == "scenes")
            run_scene_task(job, task, index, threads, progress);
        else if (stage_name == "tiles")
            run_tile_task(job, task, threads, progress);
        else if (!stage.kind.empty())
            detail::run_post_task(job, stage, index, threads, progress);
        else
            assemble_job(job, task.outputs.front(), "COG", threads);
    } catch (const Cancelled&) {
        throw; // stopped on purpose: no failure to record
    } catch (const std::exception& e) {
        const std::string failed = detail::failed_marker(dir, stage_name, index);
        fs::create_directories(fs::path(failed).parent_path(), ec);
        try {
            detail::write_text_atomically(
                failed, json{{"error", e.what()}, {"host", host_name()}}.dump(1), "failure record");
        } catch (...) {
        }
        throw;
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    outcome.cpu_seconds = cpu_seconds() - c0;
    outcome.peak_memory = peak_rss();
    json outs = json::array();
    for (const auto& o : task.outputs)
        outs.push_back({{"path", o},
                        {"size", std::int64_t(fs::file_size(o))},
                        {"checksum", detail::file_checksum(o)}});
    fs::create_directories(fs::path(marker).parent_path());
    detail::write_text_atomically(marker,
                                  json{{"outputs", outs},
                                       {"seconds", outcome.seconds},
                                       {"cpu_seconds", outcome.cpu_seconds},
                                       {"host", host_name()},
                                       {"peak_memory", outcome.peak_memory}}
                                      .dump(1),
                                  "done-marker");
    fs::remove(detail::failed_marker(dir, stage_name, index), ec);
    return outcome;
}

namespace {

enum class Running { None, Alive, Gone };

/// A running-marker's process: alive (or on another host: cannot be told), or gone from
/// this host (killed without a chance to clean up).
Running running_state(const std::string& marker) {
    std::ifstream in(marker);
    if (!in)
        return Running::None;
    try {
        const json m = json::parse(in);
        if (m.at("host").get<std::string>() != host_name())
            return Running::Alive;
        const auto pid = pid_t(m.at("pid").get<std::int64_t>());
        return kill(pid, 0) == 0 || errno == EPERM ? Running::Alive : Running::Gone;
    } catch (const std::exception&) {
        return Running::Alive; // being written: the task has just started
    }
}

} // namespace

std::vector<StageStatus> job_status(const Job& job) {
    std::vector<StageStatus> out;
    for (const auto& s : job.stages) {
        StageStatus st;
        st.name = s.name;
        for (std::size_t i = 0; i < s.tasks.size(); ++i) {
            const json m =
                valid_marker(detail::done_marker(job.dir, s.name, int(i)), s.tasks[i], false);
            if (m != nullptr) {
                st.done.push_back(int(i));
                st.cpu_seconds += m.value("cpu_seconds", 0.0);
                continue;
            }
            st.missing.push_back(int(i));
            switch (running_state(detail::running_marker(job.dir, s.name, int(i)))) {
            case Running::Alive:
                st.running.push_back(int(i));
                break;
            case Running::Gone:
                st.failed.push_back(int(i));
                break;
            case Running::None:
                if (fs::exists(detail::failed_marker(job.dir, s.name, int(i))))
                    st.failed.push_back(int(i));
            }
        }
        st.estimate = stage_cpu_seconds(job, s);
        out.push_back(std::move(st));
    }
    return out;
}

} // namespace rb
