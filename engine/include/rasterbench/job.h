#pragma once
// Jobs: a recipe split into tasks that a cluster's job-array engine (Slurm, Kubernetes
// Indexed Jobs, AWS Batch array jobs) or a local pool runs, one task per array index. A job
// is a folder:
//
//   DIR/job.json          the frozen recipe, the scenes (sizes, header checksums), the output
//                         grid and the stages with their tasks (inputs, outputs, halo)
//   DIR/submit-slurm.sh   every stage as an sbatch --array, chained with afterok
//   DIR/run-local.sh      every task on this machine with N parallel workers
//   DIR/kubernetes/       one Indexed Job manifest per stage
//   DIR/aws-batch/        one array job definition + submission per stage
//   DIR/scenes/, tiles/   task outputs; DIR/done/STAGE-I.json the done-markers
//
// Stages: "scenes" (the steps before the composite, one task per scene), "tiles" (the
// composite, one task per output tile, each read with the halo its score and harmonization
// need; blocks keep the lattice of a one-process run, so tiles hold exactly its pixels), one
// stage per group of steps after the composite, and "assemble" (one task: joins the last
// stage's tiles into the output, and the composite's extra outputs). The steps after the
// composite (each stage named after its first step: fill3, reproject4, deband5) run
//   - per tile ("tile"): consecutive local steps (fill with a search limit), each tile read
//     from the previous stage's tiles with the halo the steps reach across (GDAL's fill
//     looks max_distance + 1 pixels sideways, each smoothing pass one more), then cropped;
//   - per tile of its own grid ("warp"): a reprojection, onto the grid fixed at planning
//     (the grid `run` computes from the mosaic's), each tile warped from the previous stage's
//     tiles its footprint reaches (warp_source_tiles); the warp computes fixed tiles aligned
//     to the grid's origin, so a window holds the pixels of the whole warp;
//   - whole ("mosaic", one task): global steps, the deband's FFT and a fill without a search
//     limit, on the previous stage's tiles joined.
// Every stage gives the pixels of `rasterbench-cli run`. Jobs planned before these stages
// (their job.json lists none) run the steps after the composite inside assemble.
// Reprojection before the composite warps every scene onto one grid fixed at planning (the
// first scene's reprojected grid, as a one-process run does), and the tiles are laid on the
// composite's grid (its grid rule over the scenes as the scene stage leaves them).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/recipe.h"
#include "rasterbench/warp.h"

namespace rb {

struct JobPlanOptions {
    int tile_size = 2048;            ///< output tile side (rounded up to the block size)
    std::string engine = "slurm";    ///< the engine the printed plan names first
    int cpus_per_task = 1;           ///< threads of each task, requested from the engine
    std::string mem_per_task = "4G"; ///< memory requested per task (Slurm syntax: 4G, 500M)
    std::string partition;           ///< Slurm partition (empty: the default)
    bool sample = true;              ///< time one scene task and one tile in a scratch folder
    std::string executable = "rasterbench-cli"; ///< the command the scripts call
    std::string image = "rasterbench:latest";   ///< container image (Kubernetes, AWS Batch)
    std::string
        output; ///< the final mosaic (default: the recipe's output.path, else DIR/mosaic.tif)
    std::string base_dir; ///< the recipe's scenes resolve against it
    /// Where the sample runs (removed afterwards); empty: DIR/.sample for plan_job, a fresh
    /// folder under the system's temporary folder for prepare_job.
    std::string scratch_dir;
};

struct JobTask {
    /// inputs: tiles list none (every tile reads every scene: the scene stage's outputs, else
    /// the scenes), which keeps job.json linear in scenes + tiles.
    /// Tiles: the composite tile, then one tile per extra output (composite_extras' order).
    /// Assemble: the mosaic, then each extra output's final path.
    /// Stages after the composite: "tile" tasks list the previous stage's tiles they read,
    /// "mosaic" all; "warp" tasks list none and give `source` instead (jobs planned before
    /// it listed the tiles, or nothing, and the task then selects them itself); each writes
    /// one tile.
    std::vector<std::string> inputs, outputs;
    Window window; ///< tiles and after: the output window (on the stage's grid); scenes: empty
    Window read;   ///< tiles, kind "tile": the window read (window + halo, clamped)
    /// Kind "warp": the window of the previous stage's grid the warp reads
    /// (warp_source_window); its inputs are the previous stage's tiles meeting it
    /// (tiles_meeting). None: every tile. A window, not a list, so that job.json stays linear
    /// in tasks when small tiles make each warp read hundreds of them.
    std::optional<Window> source;
};

struct JobStage {
    std::string name; ///< scenes, tiles, a stage per group of steps after the composite, assemble
    /// Stages after the composite: "tile", "warp" or "mosaic" (see above); empty otherwise.
    std::string kind;
    std::vector<std::size_t> steps; ///< stages after the composite: the recipe steps (0-based)
    int halo = 0;                   ///< kind "tile": pixels read around each tile
    Grid grid; ///< stages after the composite: the grid of their tiles (tasks' windows)
    std::vector<JobTask> tasks;
    double cpu_seconds = 0;                         ///< estimated CPU-seconds per (full) task
    std::int64_t bytes_read = 0, bytes_written = 0; ///< the whole stage
    std::int64_t peak_memory = 0;                   ///< estimated per task
};

struct JobScene {
    SceneSource source;
    std::vector<std::int64_t> sizes;  ///< bytes of each file
    std::vector<std::string> headers; ///< checksum of each file's first 64 KiB (hex)
};

struct Job {
    std::string dir;
    Recipe recipe;
    std::vector<JobScene> scenes;
    int width = 0, height = 0, tile_size = 0, halo = 0;
    Grid grid; ///< the composite's grid (width x height), which every tile reads the scenes on
    /// Recipe step (0-based) -> the grid that reproject step warps every scene onto.
    std::map<std::size_t, Grid> reproject_grids;
    std::string output;
    JobPlanOptions options;
    std::vector<JobStage> stages;
    std::string estimate_source; ///< "sampled (...)" or "model (...)"

    const JobStage& stage(const std::string& name) const; ///< ArgumentError naming the stages
};

/// Plans the recipe over the scenes (`inputs`, else the recipe's) into `dir` (created) and
/// writes job.json and the engines' scripts, as write_job does without `replace`: a folder
/// holding another job is refused, the same job is planned again keeping its done tasks.
/// ArgumentError naming the step for a recipe the planner cannot split (no composite). When
/// it throws, a folder it created is removed again.
Job plan_job(const Recipe& recipe, const std::vector<SceneSource>& inputs, const std::string& dir,
             const JobPlanOptions& options = {});
/// The plan of plan_job without writing anything into `dir` (the sample runs in
/// options.scratch_dir): what a user sees before choosing to write the job folder. The
/// progress covers the sample; its callback returning false cancels (rb::Cancelled).
Job prepare_job(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                const std::string& dir, const JobPlanOptions& options = {}, Progress progress = {});
/// Writes a prepared job into job.dir (created): job.json (atomically) and the engines'
/// scripts. A folder that already holds a different job (another recipe, scenes, grid or
/// output) is refused with ArgumentError naming it, unless `replace` (then its job.json is
/// replaced; plan_job does this); the same job is written again, keeping its done tasks.
void write_job(const Job& job, bool replace = false);
/// Mebibytes in a memory size as Slurm takes it: a positive whole number with an optional
/// unit K, M (the default), G or T (empty: 4096). ArgumentError for anything else ("lots",
/// "-4G", "8X", "1.5G").
long long memory_mib(const std::string& size);
/// Reads DIR/job.json; IoError / ArgumentError naming it.
Job load_job(const std::string& dir);
/// The plan as text (stages, tasks, bytes, memory, CPU-seconds, wall clock for 1..1000 workers).
std::string describe_job(const Job& job);
/// The pixels around a tile that a step after the composite depends on, when a job runs it
/// per tile: a fill with a search limit reads floor(max_distance) + 1 + smoothing (see
/// job_post_plan.cpp). nullopt for the steps that are not local: deband (an FFT of the whole
/// mosaic), fill without a search limit, reproject (a stage on its own grid).
std::optional<int> post_step_halo(const RecipeStep& step);
/// The tiles (`tiles`, windows of `src`) that a warp of `window` of `dst` with `options`
/// (resampling, tile size) reads: those meeting the footprint on `src` of the warp's tiles
/// that the window meets (their edges, densified, transformed to src's CRS) widened by the
/// resampling kernel's reach in source pixels (stretched when downsampling) and one pixel
/// for safety; indices in order. All of them when the footprint cannot be
/// computed (edges outside the source CRS's domain); the first alone when it meets none
/// (the warp of the window is then all nodata, and needs a source for bands and types). A
/// reprojection task joins only these tiles: the pixels of a VRT of all of them.
std::vector<std::size_t> warp_source_tiles(const Grid& src, const std::vector<Window>& tiles,
                                           const Grid& dst, const Window& window,
                                           const ReprojectOptions& options);
/// The window of `src` that warp_source_tiles' tiles must meet (clamped to `src`; empty when
/// the footprint misses it), or none when the footprint cannot be computed (read everything).
std::optional<Window> warp_source_window(const Grid& src, const Grid& dst, const Window& window,
                                         const ReprojectOptions& options);
/// The indices of `tiles` that meet `source` (all for none); the first alone when none
/// does (a warp of nothing but nodata still needs a source for its bands and types).
std::vector<std::size_t> tiles_meeting(const std::vector<Window>& tiles,
                                       const std::optional<Window>& source);
/// What a stage after the composite runs and how, for the plan ("step 3 fill, per tile with
/// a halo of 22 px"); empty for the other stages.
std::string describe_stage(const Job& job, const JobStage& stage);
/// Estimated CPU-seconds of one stage (edge tiles count by their area) and of the job.
double stage_cpu_seconds(const Job& job, const JobStage& stage);
double job_cpu_seconds(const Job& job);
/// Estimated wall-clock seconds with `workers` tasks at a time, stage after stage.
double job_wall_seconds(const Job& job, int workers);
/// Bytes of the composite's tiles (uncompressed): the size of the mosaic before COG
/// compression.
std::int64_t job_output_bytes(const Job& job);
/// Writes submit-slurm.sh, run-local.sh, kubernetes/ and aws-batch/ (called by plan_job).
void write_job_scripts(const Job& job);
/// The sbatch command line (without --wrap) for `array` ("0-9", "3,5") of a stage.
std::string slurm_submit_command(const Job& job, const std::string& stage,
                                 const std::string& array);

struct TaskOutcome {
    bool already_done = false; ///< a valid done-marker was found: nothing ran
    double seconds = 0, cpu_seconds = 0;
    std::int64_t peak_memory = 0; ///< bytes (the process's maximum resident set)
};

/// Runs task `index` of `stage` (outputs atomically, then DIR/done/STAGE-INDEX.json with the
/// outputs' checksums, duration, CPU time, host and peak memory). A valid marker: returns at
/// once. While it runs, DIR/running/STAGE-INDEX.json names its host and process id. A
/// failure writes DIR/failed/STAGE-INDEX.json and rethrows; a cancel through `progress`
/// (rb::Cancelled) leaves no marker.
TaskOutcome run_job_task(const std::string& dir, const std::string& stage, int index,
                         int threads = 0, Progress progress = {});

struct StageStatus {
    std::string name;
    /// Failed and running tasks are also missing. Running: a running-marker whose process is
    /// alive (or on another host, where it cannot be checked). Failed: a failure record, or
    /// a running-marker on this host whose process is gone (killed, out of memory).
    std::vector<int> done, missing, failed, running;
    double cpu_seconds = 0; ///< measured, done tasks
    double estimate = 0;    ///< planned CPU-seconds for the whole stage
};
/// Tasks whose marker exists and whose outputs exist with the recorded sizes are done.
std::vector<StageStatus> job_status(const Job& job);

/// The composite step's outputs beside the composite (index, score, count, best and worst
/// ranks), in the order tiles and the assemble task list them: (name, recipe path).
std::vector<std::pair<std::string, std::string>> composite_extras(const CompositeStep& step);

/// "0-3,5": task indices as an sbatch --array list.
std::string task_ranges(const std::vector<int>& tasks);
/// The shell lines that resubmit only the missing tasks, stage after stage (what `status`
/// prints): from the earliest stage with missing tasks on, each such stage's missing tasks,
/// in one block (a subshell that stops at the first failure). "slurm": an sbatch --array per
/// stage, each after the previous one with --dependency=afterok on the id `sbatch
/// --parsable` printed, as submit-slurm.sh chains them; "local": the tasks of each stage with
/// run-local.sh's parallel workers, one stage after the other. Empty when the job is
/// complete; ArgumentError for another engine.
std::vector<std::string> resubmit_commands(const Job& job, const std::vector<StageStatus>& status,
                                           const std::string& engine = "slurm");

/// Joins the tiles into `out` (format "COG": GDAL's COG driver with overviews; "GTiff": a
/// tiled GeoTIFF), after the recipe's steps after the composite, and each extra output's
/// tiles into its planned path; also writes DIR/mosaic.vrt. Atomic. ArgumentError listing
/// missing tiles.
void assemble_job(const Job& job, const std::string& out, const std::string& format = "COG",
                  int threads = 0);
/// DIR/mosaic.vrt over the tiles written so far (a quick look while the job runs).
std::string write_quicklook(const Job& job);

} // namespace rb
