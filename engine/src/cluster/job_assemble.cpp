// Assembling a job: a VRT over the last stage's tiles (the composite's, or those of the last
// stage after it), then GDAL's COG driver (with overviews) or a tiled GeoTIFF, written
// atomically. A job planned before the stages after the composite existed runs those steps
// here, on the whole mosaic, as it always did.

#include <algorithm>
#include <filesystem>

#include "job_files.h"
#include "rasterbench/job.h"

namespace rb {

namespace fs = std::filesystem;

std::string write_quicklook(const Job& job) {
    std::vector<std::string> tiles;
    for (const auto& t : job.stage("tiles").tasks)
        if (fs::exists(t.outputs.front()))
            tiles.push_back(t.outputs.front());
    const std::string vrt = (fs::path(job.dir) / "mosaic.vrt").string();
    if (tiles.empty())
        return {};
    detail::PartialOutputs tmp({vrt});
    detail::build_vrt(tmp.partial(0), tiles);
    tmp.commit();
    return vrt;
}

namespace {

/// The tasks of `stage` whose outputs are not all there, as "2, 5"; `files` receives each
/// task's first output.
std::string missing_tasks(const JobStage& stage, std::vector<std::string>* files) {
    std::string missing;
    for (std::size_t i = 0; i < stage.tasks.size(); ++i) {
        const auto& outs = stage.tasks[i].outputs;
        if (!std::all_of(outs.begin(), outs.end(), [](const auto& f) { return fs::exists(f); }))
            missing += (missing.empty() ? "" : ", ") + std::to_string(i);
        if (files)
            files->push_back(outs.front());
    }
    return missing;
}

} // namespace

void assemble_job(const Job& job, const std::string& out, const std::string& format, int threads) {
    if (format != "COG" && format != "GTiff")
        throw ArgumentError("format '" + format + "': COG or GTiff");
    const JobStage& tiles = job.stage("tiles");
    // The stage whose tiles make the output: the last one after the composite, if any.
    const JobStage* last = &tiles;
    for (const auto& s : job.stages)
        if (!s.kind.empty())
            last = &s;
    std::vector<std::string> files;
    for (const JobStage* s : {&tiles, last}) {
        const std::string missing = missing_tasks(*s, s == last ? &files : nullptr);
        if (!missing.empty())
            throw ArgumentError(job.dir + ": " + (s == &tiles ? "tiles" : "stage " + s->name) +
                                " not done yet: " + missing + " (see `rasterbench-cli status`)");
    }
    const detail::ScratchDir scratch(detail::task_scratch(job.dir, "assemble"));
    const fs::path& work = scratch.path();
    const std::string vrt = (work / "mosaic.vrt").string();
    detail::build_vrt(vrt, files);
    write_quicklook(job);

    std::size_t ci = 0;
    while (!std::holds_alternative<CompositeStep>(job.recipe.steps.at(ci)))
        ++ci;
    std::string source = vrt;
    if (last == &tiles && ci + 1 < job.recipe.steps.size()) {
        // A job planned without stages after the composite: its steps on the whole mosaic,
        // as `run` does.
        Recipe sub = job.recipe;
        sub.steps.assign(job.recipe.steps.begin() + std::ptrdiff_t(ci + 1), job.recipe.steps.end());
        sub.scenes.clear();
        sub.output.path.clear();
        sub.output.pattern.clear();
        RecipeRunOptions ro;
        ro.output = (work / "post.tif").string();
        ro.temp_dir = work.string();
        ro.threads = threads;
        run_recipe(sub, {SceneSource{{vrt}}}, ro);
        source = ro.output;
    }
    // The mosaic, then each extra output from its own tiles; all renamed into place only
    // when every one was written.
    std::vector<std::pair<std::string, fs::path>> writes{{source, fs::absolute(out)}};
    const auto& assemble = job.stage("assemble").tasks.front();
    for (std::size_t k = 1; k < assemble.outputs.size(); ++k) {
        std::vector<std::string> parts;
        for (const auto& t : tiles.tasks)
            parts.push_back(t.outputs.at(k));
        const std::string part_vrt = (work / ("extra-" + std::to_string(k) + ".vrt")).string();
        detail::build_vrt(part_vrt, parts);
        writes.emplace_back(part_vrt, fs::absolute(assemble.outputs[k]));
    }
    std::vector<std::string> targets;
    for (const auto& w : writes)
        targets.push_back(w.second.string());
    detail::PartialOutputs tmps(targets);
    for (std::size_t k = 0; k < writes.size(); ++k)
        detail::translate_raster(writes[k].first, tmps.partial(k), format, job.recipe.output.stream,
                                 threads);
    tmps.commit();
}

} // namespace rb
