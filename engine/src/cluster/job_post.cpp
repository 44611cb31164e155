// Running a task of a stage after the composite: the previous stage's tiles joined in a VRT
// (only those a tile's read window touches, or a warp's footprint reaches), then the stage's steps
// through run_recipe (the code `run` uses) on the read window and the tile cropped out, or the warp
// of the tile's window of its own grid, or the steps on the whole mosaic.

#include <filesystem>

#include "job_files.h"
#include "job_post.h"

namespace rb::detail {

namespace fs = std::filesystem;

void run_post_task(const Job& job, const JobStage& stage, int index, int threads,
                   Progress progress) {
    const JobTask& task = stage.tasks.at(std::size_t(index));
    const JobStage& prev = previous_stage(job, stage);
    const detail::ScratchDir scratch(
        detail::task_scratch(job.dir, stage.name + "-" + std::to_string(index)));
    const fs::path& work = scratch.path();
    StreamOptions stream = job.recipe.output.stream;
    stream.threads = threads;
    Recipe sub = job.recipe;
    sub.steps.clear();
    for (std::size_t s : stage.steps)
        sub.steps.push_back(job.recipe.steps.at(s));
    sub.scenes.clear();
    sub.catalog.reset();
    sub.output.path.clear();
    sub.output.pattern.clear();
    RecipeRunOptions ro;
    ro.temp_dir = work.string();
    ro.threads = threads;

    // The previous stage's tiles this task reads, joined; `origin` is the VRT's top left
    // corner on the stage's grid. A warp reads the tiles its window's footprint reaches
    // (planned as its inputs; selected here for jobs planned before).
    std::vector<std::string> files;
    std::int64_t origin_col = INT64_MAX, origin_row = INT64_MAX;
    if (stage.kind == "warp" && task.inputs.empty()) {
        std::vector<Window> windows;
        for (const auto& p : prev.tasks)
            windows.push_back(p.window);
        const auto& r = std::get<ReprojectStep>(job.recipe.steps.at(stage.steps.front()));
        const auto source = task.source
                                ? task.source
                                : warp_source_window(prev.kind.empty() ? job.grid : prev.grid,
                                                     stage.grid, task.window, r.options);
        for (std::size_t i : tiles_meeting(windows, source))
            files.push_back(prev.tasks[i].outputs.front());
    } else if (stage.kind == "warp") {
        files = task.inputs;
    } else {
        for (const auto& p : prev.tasks)
            if (stage.kind != "tile" || !p.window.intersection(task.read).empty()) {
                files.push_back(p.outputs.front());
                origin_col = std::min(origin_col, p.window.col_off);
                origin_row = std::min(origin_row, p.window.row_off);
            }
    }
    for (const auto& f : files)
        if (!fs::exists(f))
            throw ArgumentError(job.dir + ": stage " + prev.name + " is not done yet ('" + f +
                                "' is missing; see `rasterbench-cli status`)");
    const std::string in = (work / "in.vrt").string();
    build_vrt(in, files);

    PartialOutputs tmps(task.outputs);
    if (stage.kind == "tile") {
        // The steps on the read window, as `run` runs them on the whole mosaic: the halo
        // makes the tile's pixels the same; the tile is then cropped out of it.
        const std::string region = (work / "region.vrt").string();
        translate_raster(in, region, "VRT", stream, threads,
                         Window{task.read.col_off - origin_col, task.read.row_off - origin_row,
                                task.read.width, task.read.height});
        ro.output = (work / "region.tif").string();
        run_recipe(sub, {SceneSource{{region}}}, ro, progress);
        translate_raster(ro.output, tmps.partial(0), "GTiff", stream, threads,
                         Window{task.window.col_off - task.read.col_off,
                                task.window.row_off - task.read.row_off, task.window.width,
                                task.window.height});
    } else if (stage.kind == "warp") {
        const auto& r = std::get<ReprojectStep>(job.recipe.steps.at(stage.steps.front()));
        ReprojectOptions o = r.options;
        o.threads = threads;
        // Written as the composite's tiles are (the recipe's compression, predictor, level
        // and tiling): the VRT it reads carries no compression to inherit.
        reproject_file_window(in, tmps.partial(0), stage.grid, task.window, o, progress,
                              [&](Profile& p) { apply_stream_options(p, stream); });
    } else {
        ro.output = tmps.partial(0);
        run_recipe(sub, {SceneSource{{in}}}, ro, progress);
    }
    tmps.commit();
}

} // namespace rb::detail
