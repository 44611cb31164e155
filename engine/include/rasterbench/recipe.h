#pragma once
// Recipes: the tuned pipeline as versioned JSON, what the GUI exports and `rasterbench-cli run`
// executes. A recipe lists scenes (optional: the command line may give them), steps and where
// the result goes:
//
//   {
//     "format": "rasterbench-recipe", "version": 1,
//     "description": "free text",                                  (optional)
//     "scenes": ["a_sr.tif", ["b_sr.tif", "b_fmask.tif"]],         (optional)
//     "qa_from": {"from": "_sr.tif", "to": "_fmask.tif"},          (optional)
//     "steps": [
//       {"type": "deband", "band": "all", "notches": {NOTCH JSON}, "auto": true,
//        "angle": null, "shared": false, "params": {PEAK, ORIENTATION, DEBAND rows}},
//       {"type": "composite", "score": {"method": "darkness", "params": {SCORE rows}},
//        "bands": [1, 2, 3], "params": {COMPOSITE rows},
//        "outputs": {"index": "", "score": "", "count": "", "best_ranks": [{"rank": 1,
//                    "path": "best1.tif"}], "worst_ranks": []}},
//       {"type": "fill", "params": {"max_distance": 100, "smoothing": 0}},
//       {"type": "reproject", "params": {"dst_crs": "EPSG:4326", "resampling": "near",
//        "error_threshold": 0.125, "tap": false, "res": [x, y], "size": [w, h],
//        "bounds": [l, b, r, t], "src_nodata": null, "dst_nodata": null}}
//     ],
//     "output": {"path": "out.tif", "pattern": "", "compression": "DEFLATE",
//                "compression_level": 1, "tile_size": 256, "block_size": 512}
//   }
//
// Parameters ("params" objects) are the rows of the same self-describing tables the CLI flags
// and the UI panels use (score_params(), CompositeOptions::params(), the fft ParamTables,
// FillOptions::params(), reproject_params(), output_params()), so a new parameter is a new recipe
// key with no change here. Every key is optional except "format", "version", "steps", each step's
// "type" and a reproject's dst_crs; absent keys take the tables' defaults.
//
// Pipeline: steps before a composite run scene by scene (deband and fill on each scene's
// first file; reproject on every file of the scene, quality files with nearest resampling,
// all onto the grid computed from the first scene so the composite sees one grid); the
// composite turns the scenes into one image; steps after it run on that image. Without a
// composite every scene goes through every step and gives one output (output.pattern, with
// {stem} = the scene's first file name without extension, {name} = with it, {index} =
// 1-based position). Each step calls the engine function its CLI command calls (deband,
// fill_nodata, reproject_file, composite_files) with the same options, so a recipe gives the
// same pixels as the commands run by hand. Files are written with the output settings,
// except that reproject keeps the compression of its input, as the `reproject` command does.
//
// Errors: every problem in a recipe is an ArgumentError "SOURCE: JSON.PATH: problem", e.g.
// "r.json: steps[1].params.threshold: 0.5 is outside [1, 1000]".
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "rasterbench/catalog.h"
#include "rasterbench/stack_grid.h"

#include "rasterbench/composite.h"
#include "rasterbench/deband.h"
#include "rasterbench/fill.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/score.h"
#include "rasterbench/warp.h"

namespace rb {

inline constexpr std::string_view kRecipeFormat = "rasterbench-recipe";
inline constexpr int kRecipeVersion = 1;

/// Scores and composites every scene into one image (composite_files).
struct CompositeStep {
    ScoreOptions score; ///< default: darkness
    /// The table's rows plus `bands` (written 1-based as the step's "bands"). Its best_ranks
    /// and worst_ranks are not part of a recipe (the outputs below say which ranks).
    CompositeOptions options;
    /// Extra outputs beside the composite (empty = not written); relative paths resolve like
    /// the recipe's output.
    std::string index, score_out, count;
    std::vector<std::pair<int, std::string>> best_ranks, worst_ranks; ///< rank (1-based), path
    /// The grid scenes on different grids are composited on (default: the first scene's).
    StackGridOptions grid;
    /// The scenes' bands as read: stored numbers, or calibrated on the fly ("calibrate").
    SceneCalibration calibration;
};

/// FFT notch filtering of each band (fft::deband), with the deband command's notches.
struct DebandStep {
    int band = 0;                ///< 1-based band; 0 = every band ("all")
    fft::NotchSet notches;       ///< fixed notches (the notch JSON of fft::to_json)
    bool auto_find = false;      ///< add peaks found along the stripe orientation (--auto)
    std::optional<double> angle; ///< stripe angle in degrees; nullopt = estimated per band
    bool shared = false;         ///< auto: find on the first band, apply to all
    fft::PeakOptions peak;
    fft::OrientationOptions orientation;
    fft::DebandOptions options;
};

/// Nodata gap filling (fill_nodata).
struct FillStep {
    FillOptions options; ///< threads is a run option, not part of the recipe
};

/// Reprojection (reproject_file) onto the grid gdalwarp would make.
struct ReprojectStep {
    std::string dst_crs; ///< required: EPSG:code, WKT, PROJ string...
    /// resampling, error_threshold, src_nodata, dst_nodata (threads come from the run).
    ReprojectOptions options;
    bool tap = false; ///< gdalwarp -tap (needs res)
    std::optional<double> res_x, res_y;
    std::optional<int> width, height; ///< target size; one alone keeps square pixels
    std::optional<Bounds> bounds;     ///< in dst_crs

    /// tap, res, size and bounds as the warp's grid options.
    GridOptions grid_options() const {
        GridOptions g;
        g.res_x = res_x;
        g.res_y = res_y;
        g.width = width;
        g.height = height;
        g.bounds = bounds;
        g.target_aligned_pixels = tap;
        return g;
    }
    void set_grid_options(const GridOptions& g) {
        res_x = g.res_x;
        res_y = g.res_y;
        width = g.width;
        height = g.height;
        bounds = g.bounds;
    }
};

using RecipeStep = std::variant<CompositeStep, DebandStep, FillStep, ReprojectStep>;

/// Where results go and how they are written.
struct RecipeOutput {
    std::string path;     ///< the one output of a composite pipeline (or of a single scene)
    std::string pattern;  ///< per-scene outputs: {stem}, {name}, {index}
    StreamOptions stream; ///< compression, level, tile and block size (threads: run option)
};

/// Scenes chosen when the recipe runs: a catalog (folders, list files, STAC; relative paths
/// resolve against the recipe's folder) and a selection rule over it.
struct SceneCatalog {
    std::vector<std::string> paths;
    CatalogSelection select;
};

struct Recipe {
    std::string description;
    std::vector<SceneSource> scenes;     ///< relative paths resolve against the recipe's folder
    std::optional<SceneCatalog> catalog; ///< instead of `scenes`
    std::string qa_from, qa_to;          ///< append a quality file to each one-file scene
    std::vector<RecipeStep> steps;
    RecipeOutput output;
    /// Set by parse_recipe: deprecated spellings it accepted (one line each, naming the
    /// source and the JSON path). Not part of the recipe: not written, not compared.
    std::vector<std::string> notes;
};

bool operator==(const CompositeStep& a, const CompositeStep& b);
bool operator==(const DebandStep& a, const DebandStep& b);
bool operator==(const FillStep& a, const FillStep& b);
bool operator==(const ReprojectStep& a, const ReprojectStep& b);
bool operator==(const RecipeOutput& a, const RecipeOutput& b);
/// Field by field, parameters compared exactly (as their tables read and write them).
bool operator==(const Recipe& a, const Recipe& b);

/// "composite", "deband", "fill", "reproject".
std::vector<std::string> recipe_step_types();
std::string recipe_step_type(const RecipeStep& step);
/// A step with default options; ArgumentError listing the types for an unknown one.
RecipeStep make_recipe_step(std::string_view type);

/// Parameter tables of the steps whose engine options have none of their own.
/// dst_crs and tap; the step's "params" also hold ReprojectOptions::params() and the grid.
const ParamTable<ReprojectStep>& reproject_params();
const ParamTable<StreamOptions>& output_params(); ///< compression, level, tile and block size

/// Parses and validates a recipe (JSON; // and /* */ comments allowed). `source` names it in
/// errors (the file path). Unknown keys, wrong types, out-of-range values, unknown methods,
/// a wrong format or version: ArgumentError "SOURCE: PATH: problem".
Recipe parse_recipe(std::string_view text, std::string_view source = "recipe");
/// parse_recipe() of a file; IoError naming it when it cannot be read.
Recipe load_recipe(const std::string& path);
/// The recipe as JSON (every parameter written, defaults included): parse_recipe(write) == r.
std::string write_recipe(const Recipe& recipe);
/// write_recipe() to a file, atomically (temporary file renamed).
void save_recipe(const Recipe& recipe, const std::string& path);
/// The step as one line of JSON, every parameter resolved (what `run --dry-run` prints).
std::string describe_recipe_step(const RecipeStep& step);
/// A runnable default recipe with these steps, every parameter followed by a // comment
/// with its help, type and range (from the tables). ArgumentError for an unknown type.
std::string recipe_template(const std::vector<std::string>& step_types);

/// The notches the deband step applies to each band of `data` (band b of `data` is file band
/// `file_bands[b]`): its fixed notches plus, with auto_find, the peaks found along the stripe
/// orientation (estimated per band unless angle is set; the first band's when shared), as
/// the deband command does. `notes` (when not null) receives one line per band on what was
/// found.
std::vector<fft::NotchSet> deband_step_notches(const Raster& data, const DebandStep& step,
                                               const std::vector<int>& file_bands,
                                               std::vector<std::string>* notes = nullptr);

// ---- running ---------------------------------------------------------------------------

struct RecipeRunOptions {
    std::string base_dir;    ///< the recipe's scenes resolve against it (the recipe's folder)
    std::string output;      ///< overrides output.path (only where the run has one output)
    std::string out_dir;     ///< relative output paths resolve here (default: current folder)
    std::string temp_dir;    ///< where the work folder is made (default: the system's)
    std::string recipe_path; ///< the recipe file, when it came from one: never an output
    int threads = 0;         ///< 0 = all cores
    /// Before a composite, reproject step k (0-based) warps every scene onto this grid
    /// instead of the first scene's: a job's scene tasks each run one scene, on the grid the
    /// job fixed for the whole stack when it was planned.
    std::map<std::size_t, Grid> reproject_grids;
};

/// What a run reads and writes, resolved (what `run --dry-run` prints).
struct RecipePlan {
    std::vector<SceneSource> scenes;
    std::vector<std::string> steps;   ///< one line per step: type and resolved parameters
    std::vector<std::string> outputs; ///< every file written, final paths
    std::vector<std::string> notes;   ///< run_recipe: what the steps found (deband peaks...)
};

/// Resolves scenes (`inputs` when not empty, else the recipe's) and output paths, and opens
/// every scene file once: a missing or unreadable scene is an error naming it and its
/// position. ArgumentError when the recipe needs an output path it has not got, or several
/// outputs would share one path or overwrite a scene.
RecipePlan plan_recipe(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                       const RecipeRunOptions& options = {});

/// Runs the recipe. Intermediate files live in a work folder removed at the end; outputs are
/// written there too and renamed into place only when every step has succeeded, so an error
/// or a cancel (the progress callback returning false: Cancelled) leaves no output behind.
RecipePlan run_recipe(const Recipe& recipe, const std::vector<SceneSource>& inputs,
                      const RecipeRunOptions& options = {}, Progress progress = {});

} // namespace rb
