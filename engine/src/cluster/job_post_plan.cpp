// Planning the steps after the composite: each group of them becomes a stage of its own,
// per tile where the steps are local (with the halo they reach across), per tile of its own
// grid for a reprojection, or one task on the whole mosaic for global steps.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include "job_post.h"
#include "rasterbench/job.h"

namespace rb {

namespace fs = std::filesystem;

namespace {

// Model costs (CPU-seconds per pixel and band read): fill and deband as job_plan.cpp models
// them before the composite; the warp from bench_cluster --post (bilinear, UInt16, about
// 50e-9 at 2048^2), rounded up for the tiles' writes.
constexpr double kFillPerPixelBand = 150e-9;
constexpr double kWarpPerPixelBand = 60e-9;
constexpr double kDebandPerPixelBand = 400e-9;

/// The tiles of `grid`, side `tile` from its origin (the composite's lattice).
std::vector<Window> tile_windows(const Grid& grid, int tile) {
    std::vector<Window> out;
    for (std::int64_t y = 0; y < grid.height; y += tile)
        for (std::int64_t x = 0; x < grid.width; x += tile)
            out.push_back(Window{x, y, std::min<std::int64_t>(tile, grid.width - x),
                                 std::min<std::int64_t>(tile, grid.height - y)});
    return out;
}

std::string kind_of(const RecipeStep& step) {
    if (std::holds_alternative<ReprojectStep>(step))
        return "warp";
    return post_step_halo(step) ? "tile" : "mosaic";
}

} // namespace

std::optional<int> post_step_halo(const RecipeStep& step) {
    if (const auto* f = std::get_if<FillStep>(&step)) {
        // GDALFillNodata without a search limit searches the whole raster.
        if (f->options.max_distance <= 0)
            return std::nullopt;
        // Its column search steps up to floor(max_distance) + 1 pixels sideways (the limit is
        // recomputed from the quadrants' distances, initially max_distance + 1), its column
        // scans look max_distance rows up and down; each 3x3 smoothing pass reads one pixel
        // further, and skips the raster's first and last rows, which a tile's read window
        // must therefore keep away from the tile.
        return int(std::floor(f->options.max_distance)) + 1 + f->options.smoothing;
    }
    // Deband: an FFT of the whole mosaic, every output pixel depends on every input pixel.
    // Reproject: warps onto a grid of its own (a stage of its own kind).
    return std::nullopt;
}

namespace detail {

const JobStage& previous_stage(const Job& job, const JobStage& stage) {
    for (std::size_t k = 1; k < job.stages.size(); ++k)
        if (&job.stages[k] == &stage)
            return job.stages[k - 1];
    throw ArgumentError(job.dir + ": stage " + stage.name + " has no stage before it");
}

void plan_post_stages(Job& job, std::size_t ci, int bands, int bytes_per) {
    const Recipe& recipe = job.recipe;
    Grid grid = job.grid; // the grid of the previous stage's tiles
    const fs::path post = fs::path(job.dir) / "post";
    for (std::size_t k = ci + 1; k < recipe.steps.size();) {
        JobStage st;
        st.kind = kind_of(recipe.steps[k]);
        st.name = recipe_step_type(recipe.steps[k]) + std::to_string(k + 1);
        // Consecutive steps of one kind share a stage, except reprojections (each has a grid).
        st.steps.push_back(k++);
        while (st.kind != "warp" && k < recipe.steps.size() && kind_of(recipe.steps[k]) == st.kind)
            st.steps.push_back(k++);
        const JobStage& prev = job.stages.back();
        const Grid prev_grid = grid;
        const double pixel_bytes = double(bands) * bytes_per;
        if (st.kind == "warp") {
            const auto& r = std::get<ReprojectStep>(recipe.steps[st.steps.front()]);
            try {
                grid = default_grid(grid, Crs::from_user_input(r.dst_crs), r.grid_options());
            } catch (const Error& e) {
                throw ArgumentError("step " + std::to_string(st.steps.front() + 1) +
                                    " (reproject): " + e.what());
            }
        }
        st.grid = grid;
        if (st.kind == "tile")
            for (std::size_t s : st.steps)
                st.halo += *post_step_halo(recipe.steps[s]);
        const std::vector<Window> windows = st.kind == "mosaic"
                                                ? std::vector{Window::full(grid.width, grid.height)}
                                                : tile_windows(grid, job.tile_size);
        for (const Window& w : windows) {
            JobTask t;
            t.window = w;
            t.read = st.kind == "tile" ? Window{w.col_off - st.halo, w.row_off - st.halo,
                                                w.width + 2 * st.halo, w.height + 2 * st.halo}
                                             .clamped(grid.width, grid.height)
                                       : w;
            if (st.kind == "tile") {
                for (const auto& p : prev.tasks)
                    if (!p.window.intersection(t.read).empty())
                        t.inputs.push_back(p.outputs.front());
            } else if (st.kind == "warp") {
                // Only the tiles the window's footprint reaches (a VRT of thousands of tiles
                // costs a task about a second to build).
                const auto& r = std::get<ReprojectStep>(recipe.steps[st.steps.front()]);
                t.source = warp_source_window(prev_grid, grid, w, r.options);
            } else if (st.kind == "mosaic") {
                for (const auto& p : prev.tasks)
                    t.inputs.push_back(p.outputs.front());
            }
            const std::string file = st.kind == "mosaic"
                                         ? "mosaic.tif"
                                         : "tile-" + std::to_string(st.tasks.size()) + ".tif";
            t.outputs = {(post / st.name / file).string()};
            const Window in =
                st.kind == "warp"
                    ? t.source.value_or(Window::full(prev_grid.width, prev_grid.height))
                    : t.read;
            st.bytes_read += std::int64_t(double(in.width * in.height) * pixel_bytes);
            st.bytes_written += std::int64_t(double(w.width * w.height) * pixel_bytes);
            st.tasks.push_back(std::move(t));
        }
        // Per full task (edge tiles count by their area).
        const double side = double(job.tile_size) + 2.0 * st.halo;
        const double task_pixels =
            st.kind == "mosaic" ? double(grid.width) * grid.height : side * side;
        for (std::size_t s : st.steps)
            st.cpu_seconds +=
                (std::holds_alternative<DebandStep>(recipe.steps[s]) ? kDebandPerPixelBand
                 : std::holds_alternative<FillStep>(recipe.steps[s]) ? kFillPerPixelBand
                                                                     : kWarpPerPixelBand) *
                task_pixels * bands;
        // A warp reads its source tile by tile; fill and deband hold their window as floats
        // (fill: the band, its indicator and masks; deband: complex spectra).
        st.peak_memory =
            std::int64_t(task_pixels * bands * (st.kind == "warp" ? 2.0 * bytes_per : 16.0)) +
            (64 << 20);
        job.stages.push_back(std::move(st));
    }
}

} // namespace detail

std::string describe_stage(const Job& job, const JobStage& stage) {
    if (stage.kind.empty())
        return {};
    std::ostringstream os;
    os << (stage.steps.size() == 1 ? "step " : "steps ");
    for (std::size_t i = 0; i < stage.steps.size(); ++i)
        os << (i ? ", " : "") << stage.steps[i] + 1 << " "
           << recipe_step_type(job.recipe.steps.at(stage.steps[i]));
    if (stage.kind == "tile")
        os << ", per tile with a halo of " << stage.halo << " px";
    else if (stage.kind == "warp")
        os << " to " << std::get<ReprojectStep>(job.recipe.steps.at(stage.steps.front())).dst_crs
           << ", per tile of its own " << stage.grid.width << " x " << stage.grid.height << " grid";
    else
        os << ", one task on the whole mosaic, as "
           << (std::holds_alternative<DebandStep>(job.recipe.steps.at(stage.steps.front()))
                   ? "the deband's FFT spans it"
                   : "a fill without a search limit reaches across it");
    return os.str();
}

} // namespace rb
