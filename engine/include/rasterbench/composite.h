#pragma once
// Best-pixel compositing: per pixel, order the scenes by score and keep the best (or a
// statistic of the best k, or a percentile), pixel by pixel, with no cutlines.
//
// Two levels, as for scoring:
// - In memory, for a block or a viewport: composite(scenes, scores, options). A UI reads the
//   viewport's window of every scene (SceneReader), scores it (score_stack) and composites it.
// - Streaming over files: composite_files() / score_files() read block by block (plus the
//   halo the score and harmonization need), in parallel over blocks, and write tiled,
//   compressed GeoTIFFs with the scenes' profile. Memory grows with block size x scene count,
//   never with scene size (plus GDAL's block cache, bounded by GDAL_CACHEMAX); the plain best
//   pixel from per-pixel scores (no stack statistics, no halo, no ranks) holds one scene's
//   block at a time, each folded into the running best as it is read.
//
// Ordering: a higher score ranks first; equal scores follow the tie rule (CompositeOptions::
// tie: the earliest, the latest or the scene closest to a target date; scenes without dates
// in stack order), so results are deterministic. A pixel takes part only where its score is finite
// (not kInvalidScore), not below min_score, and every output band of the scene is valid.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rasterbench/bands.h"
#include "rasterbench/calibrate.h"
#include "rasterbench/crop.h"
#include "rasterbench/dataset.h"
#include "rasterbench/normalize.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/scene_date.h"
#include "rasterbench/score.h"

namespace rb {

struct CompositeOptions {
    /// best: the top-ranked pixel; best-k-mean / best-k-median: per band, the mean / median
    /// of the top k valid pixels (fewer where fewer are valid); percentile: per band, the
    /// percentile of all valid pixels (linear interpolation between order statistics).
    std::string method = "best";
    int k = 3;
    double percentile = 50;
    double min_score = -std::numeric_limits<double>::infinity();
    /// Seam removal (best only): a pixel whose scene differs from the majority scene of its
    /// (2r+1)^2 neighbourhood gets gain/bias from the pixels valid in both (local linear
    /// histogram matching, as in the USGS SLC-off gap fill).
    bool harmonize = false;
    int harmonize_radius = 7;
    int harmonize_min_pixels = 12;
    /// Equal scores: earliest (the default; without dates the earlier scene of the stack),
    /// latest, or closest to target_date. Scenes without a date rank after dated ones.
    std::string tie = "earliest";
    /// "YYYY-MM-DD", or a day of year (1..366: closest in the season, any year); empty: none.
    std::string target_date;
    /// The scenes' acquisition dates by stack position (composite_files() fills them from
    /// the files when empty); empty: ties follow the stack order whatever the rule.
    std::vector<std::optional<SceneDate>> scene_dates;
    /// Relative radiometric normalization before scoring (composite_files()): none,
    /// histogram (a linear fit of the scene's quantiles to the reference's) or pif (a linear
    /// fit per band on pseudo-invariant pixels); normalize.h.
    std::string normalize = "none";
    int normalize_reference = 0; ///< 1-based scene the others are matched to; 0 = auto
    /// 0-based bands of each scene to composite; empty = all bands.
    std::vector<int> bands;
    /// Rank images for inspection: for each r (1-based), the r-th best and r-th worst valid
    /// pixel's bands.
    std::vector<int> best_ranks, worst_ranks;

    static const ParamTable<CompositeOptions>& params();
};

struct CompositeResult {
    Raster composite;              ///< the scenes' type; masked where no pixel is valid
    Raster index;                  ///< UInt16: 0-based position of the winner; masked if none
    Raster score;                  ///< Float32: the winner's score; masked if none
    Raster count;                  ///< UInt16: valid observations (always valid)
    std::vector<Raster> best_rank; ///< one per options.best_ranks, masked where fewer valid
    std::vector<Raster> worst_rank;
};

/// Composites one block: `scenes` and `scores` (Float32, one band each) share a shape.
/// Integer types are rounded to nearest for the averaging methods. Throws ArgumentError for
/// mismatched shapes, types or bad options. Parallel over rows.
CompositeResult composite(std::span<const Raster> scenes, std::span<const Raster> scores,
                          const CompositeOptions& options, Progress progress = {});
/// composite() into `result`, reusing its rasters' storage (Raster::reset): streaming code
/// keeps one result per thread instead of allocating (and page-faulting) one per block.
/// Same values and masks as composite().
void composite_into(std::span<const Raster> scenes, std::span<const Raster> scores,
                    const CompositeOptions& options, CompositeResult& result,
                    Progress progress = {});
/// composite_into() from the scenes and a scorer: scores every scene (into `scores`,
/// reused storage) and composites them, or, for the plain best pixel with a scorer that
/// scores by rows (Scorer::scores_by_row), scores one row of one scene at a time and keeps
/// only the running best, which avoids the round trip of whole score rasters through memory.
/// Same result either way; `stats` as for Scorer::score_into.
void score_composite_into(std::span<const Raster> scenes, const Scorer& scorer,
                          const StackStats* stats, const CompositeOptions& o,
                          std::vector<Raster>& scores, CompositeResult& res,
                          Progress progress = {});

// ---- files ----------------------------------------------------------------------------------

/// One scene: one or more files on the same grid whose bands are stacked (e.g. a surface
/// reflectance file plus its Fmask file). Bands of later files follow the first file's; the
/// first band of the second file gets the qa role unless something else does.
struct SceneSource {
    SceneSource() = default;
    SceneSource(std::vector<std::string> files_, std::string name_ = {})
        : files(std::move(files_)), name(std::move(name_)) {}

    std::vector<std::string> files;
    /// What messages and product detection call the scene when its files are stand-ins
    /// (warped VRTs of the original files); empty: the first file.
    std::string name;
    /// "radiance", "toa" or "sr": the reader converts the first file's bands with the
    /// product metadata beside the scene (SceneCalibration); empty or "none": stored numbers.
    std::string calibrate;
    /// The product metadata file for `calibrate`; empty: found beside the scene's name.
    std::string metadata;
    /// toa from Landsat with each pixel's sun (SceneCalibration::sun).
    SunGeometry sun = SunGeometry::Scene;
    /// The solar zenith band for `sun` = Pixel, on the grid of the first file (a stand-in
    /// warped with it); empty: the band the product metadata names.
    std::string solar_zenith;
    std::string label() const {
        return !name.empty() ? name : files.empty() ? std::string() : files.front();
    }
};

/// Sets `scene.solar_zenith` to the band its Landsat metadata names when it is read as toa
/// with sun = Pixel and none is set (ArgumentError naming the scene when the band is missing).
void resolve_solar_zenith(SceneSource& scene);

/// `scenes`, each read with `calibration` (SceneSource::calibrate; "none" clears it). With
/// sun = Pixel, each scene's solar zenith band is found now (ArgumentError naming the scene
/// and the file when it is missing), so that aligning the scenes warps it with them.
std::vector<SceneSource> with_calibration(std::vector<SceneSource> scenes,
                                          const SceneCalibration& calibration);

/// Reads windows of a scene with its files' bands stacked, promoting mixed types
/// losslessly (e.g. Int16 + Byte -> Int16, UInt16 + Int16 -> Int32). One per thread.
/// With `calibrate` set, the first file's bands come back as Float32 physical values (the
/// quality files' numbers unchanged).
class SceneReader {
public:
    /// Throws IoError for a missing file, ArgumentError when its files' grids differ or,
    /// with `calibrate`, when the scene has no product metadata or it lacks the target's
    /// factors (naming the scene).
    explicit SceneReader(const SceneSource& source);
    const SceneSource& source() const { return source_; }
    /// The first file's profile (grid, CRS, nodata of the primary bands).
    const Profile& profile() const { return datasets_.front().profile(); }
    /// Band count, stacked type, descriptions and qa band of the stacked scene.
    const BandLayout& layout() const { return layout_; }
    DataType dtype() const { return layout_.dtype; }
    int primary_bands() const { return datasets_.front().count(); }
    /// Every band of the scene for a window (optionally resampled, e.g. for a viewport).
    Raster read(const Window& window, int out_rows = 0, int out_cols = 0,
                Resampling resampling = Resampling::Nearest) const;
    /// layout() with ranges (what role checks compare a band's data with) from a read at most
    /// `max_side` pixels a side: of the whole scene with overviews, else of its centre (16 x
    /// `max_side` a side at most). Ranges stay empty when no pixel is valid.
    BandLayout sampled_layout(int max_side = 128) const;

private:
    void prepare_calibration();
    void open_solar_zenith(const ProductMetadata& metadata, const std::string& metadata_path,
                           CalibrationTarget to, const std::string& where);
    Raster read_stored(const Window& window, int out_rows, int out_cols,
                       Resampling resampling) const;

    SceneSource source_;
    std::vector<Dataset> datasets_;
    BandLayout layout_;
    DataType stored_dtype_ = DataType::Float32; ///< the files' bands stacked, before calibration
    std::vector<CalibrationMap> calibration_;   ///< per band of the first file; empty: none
    std::optional<Dataset> solar_zenith_;       ///< sun = Pixel: the zenith band, same grid
};

/// A scorer of `options` on `layout` (the first scene's sampled_layout()) for the stack
/// `scenes`. When it judges each date against its own sample (Scorer::uses_scene_samples()),
/// every scene's SceneInfo::sample missing from options.scenes is read first (a read of at
/// most 128 px a side each; options.scenes is given one entry per scene when it has fewer),
/// so every date gets its own clear-sky statistics rather than the first date's.
Scorer stack_scorer(ScoreOptions options, const BandLayout& layout,
                    const std::vector<SceneSource>& scenes);

/// The product metadata of `scene` for `calibrate` (SceneSource::metadata, else found beside
/// its name or its first file). ArgumentError starting with `where` when there is none.
std::string scene_metadata_path(const SceneSource& scene, const std::string& where);

/// Throws ArgumentError unless every profile has the grid of the first (size, transform,
/// CRS) and the same stacked band count: "scene 'b.tif' is not on the grid of 'a.tif': ...".
/// `band_files(i)`, when given, says where scene i's bands come from (its files' counts).
void check_same_grid(const std::vector<Profile>& profiles, const std::vector<int>& band_counts,
                     const std::vector<std::string>& labels,
                     const std::function<std::string(std::size_t)>& band_files = {});

struct StreamOptions {
    int block_size = 512; ///< processing block (multiple of 16 for tiled output)
    int threads = 0;      ///< 0 = all cores
    /// Output compression ("NONE" for none). ZSTD by default: at level 1 it writes a
    /// composite about 1.4x faster than DEFLATE does (files about 20 % larger) and reads
    /// back faster, and the workbench rereads its composites; GDAL has read it since 2.3.
    /// DEFLATE remains the choice for the widest compatibility.
    std::string compression = "ZSTD";
    /// DEFLATE/ZSTD/LZMA level; 0 = GDAL's default. The default favours speed: compressing
    /// the outputs otherwise costs more than decoding all the inputs.
    int compression_level = 1;
    int tile_size = 256; ///< output GeoTIFF tile size
};

/// Sets a GeoTIFF profile's tiling, compression (PREDICTOR 2 for integers, the level
/// option of the codec) and GDAL's compression threads from `s` (dtype already set).
void apply_stream_options(Profile& p, const StreamOptions& s);

struct CompositeOutputs {
    std::string composite; ///< required
    std::string index, score, count;
    /// Score methods with components (bap): the winner's component scores, Float32, one
    /// band per Scorer::component_names() (nodata NaN).
    std::string components;
    /// bap: Int16 bands day of year, year, sensor (1-based code, band description lists the
    /// sensors) of the winner and clear (unflagged) observations (nodata -1).
    std::string bap_info;
    std::vector<std::pair<int, std::string>> best_ranks, worst_ranks; ///< rank, path
    /// Only this window of the scenes' grid is computed and written (files of its size,
    /// georeferenced at its place); empty = the whole grid. Blocks are laid out from the
    /// grid's origin, as for the whole grid, so a region whose offset is a multiple of the
    /// block size holds exactly the pixels the whole run writes there (what job tiles rely on).
    Window region;
};

/// Scores and composites scenes on one grid, writing the requested outputs. Output bands
/// default to the first file's bands of each scene. The index is UInt8 (nodata 255) for up
/// to 255 scenes, else UInt16 (nodata 65535); the score is Float32 (nodata NaN); the count
/// UInt16. Cancelling leaves no output behind.
/// What a streaming composite found out on the way.
struct CompositeReport {
    NormalizationFit normalization; ///< empty unless options.normalize is set
};

CompositeReport composite_files(const std::vector<SceneSource>& scenes, const ScoreOptions& score,
                                const CompositeOptions& options, const CompositeOutputs& outputs,
                                const StreamOptions& stream = {}, Progress progress = {});

/// Scores one scene into a Float32 raster (nodata NaN). `stack` (which may include the scene)
/// supplies per-pixel statistics; without it, methods that need them fail.
void score_file(const SceneSource& scene, const std::vector<SceneSource>& stack,
                const ScoreOptions& score, const std::string& out, const StreamOptions& stream = {},
                Progress progress = {});

} // namespace rb
