// Internal to the score module: the state a Scorer prepares once from its options and the
// scene's band layout, shared by the preparation (scorer.cpp) and the kernels
// (score_kernels.cpp).
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cloud_fmask.h"
#include "cloud_lanes.h"
#include "rasterbench/score.h"
#include "running_best.h"

namespace rb::detail {

// Brightness temperatures on Earth, in degrees C: what a calibrated thermal band holds.
inline constexpr double kMinCelsius = -90, kMaxCelsius = 70;

struct ScorerImpl;
/// ArgumentError unless `scene` is a block the scorer `s` can score (its band count) with
/// `stats` (its shape; required when the method needs them).
void check_score_block(const ScorerImpl& s, const Raster& scene, const StackStats* stats);

/// pixel_validity() into a reused vector (Scorer::score_into's scratch).
void pixel_validity_into(const Raster& scene, std::vector<std::uint8_t>& valid);

enum class StatKind { Band, Median, Mean, Min, Max, Count };

struct ExprVar {
    std::string name;
    StatKind kind = StatKind::Band;
    int band = 0; // 0-based
};

// Per-call working buffers. Reused through a pool rather than allocated per block: fresh
// multi-megabyte vectors cost a page fault per 4 KiB page, which profiled at a fifth of a
// streaming composite. A pool (not thread_local) because TBB may run another score() on the
// same thread while one waits in a nested parallel loop.
struct ScoreScratch {
    std::vector<std::uint8_t> valid;
    std::vector<float> out;
    std::vector<double> acc;
    // The cloud method's reflectance planes (bands and clear background), masks, probability
    // and tie-break planes, and the dilation's and window mean's working buffers.
    std::vector<std::vector<float>> planes;
    std::vector<std::uint8_t> cloud, shadow, grown, grown_shadow, tmp8;
    std::vector<float> prob, tie;
    std::vector<int> window_counts;
    std::vector<double> window_sums;
};

struct BapSetup;

struct ScorerImpl {
    ScoreOptions options;
    BandLayout layout;
    BandRoles roles;
    std::string method;
    std::vector<int> data_bands; // every band but quality bands
    // darkness, median-distance
    std::vector<int> bands;
    std::vector<double> weights;
    // cloud
    double refl_scale = 1;
    /// The scene's median temperature in degrees C from the sampled ranges; NaN when there
    /// is no calibrated thermal band or no sample.
    double thermal_median = std::numeric_limits<double>::quiet_NaN();
    /// Fmask's clear-sky statistics of the scene's sample (cloud_fmask.h); unset (land
    /// false) without a calibrated thermal band, a sample or enough clear land.
    CloudSceneStats cloud_stats;
    /// What one date of a stack is judged against: its thermal median and clear-sky
    /// statistics, from its own sample.
    struct SceneCloud {
        double thermal_median = std::numeric_limits<double>::quiet_NaN();
        CloudSceneStats stats;
    };
    /// Per scene of options.scenes that carries a sample (empty otherwise), when the method
    /// uses them (uses_scene_samples).
    std::vector<std::optional<SceneCloud>> scene_clouds;
    bool uses_scene_samples = false;
    /// What scene `scene_index` is judged against: its own sample's statistics when it has
    /// them; else the layout's (the first scene's, or a scene scored alone) for index 0 or
    /// -1, and for a later date the layout's thermal median with no statistics (the fixed
    /// probabilities rather than another date's clear-sky temperatures).
    SceneCloud scene_cloud(int scene_index) const;
    /// No red, nir and swir1 together: the visible-band tests and the temporal tests
    /// against the stack's clear background (cloud_visible.cpp) instead of Fmask's.
    bool cloud_visible = false;
    /// The cloud tests that run on this layout, and those that cannot ("" for other methods).
    std::string cloud_tests;
    // mask
    int mask_band = -1;
    std::vector<std::pair<double, double>> value_map; // value -> score (NaN score = invalid)
    std::vector<std::pair<int, double>> bit_map;
    std::vector<float> preset_table; // quality value (16 bits) -> score; empty: no preset
    std::string preset;              // the preset used ("" for none)
    // expression
    std::vector<ExprVar> vars;
    // bap
    std::shared_ptr<const BapSetup> bap;
    StackStatsNeeds needs;
    /// What the method's score before penalties depends on besides the pixels and the
    /// statistics: the method and its options, the band roles (ScorePlanes::method_key).
    std::string method_key;
    /// method_key without the options only the cloud method's last steps read
    /// (cloud_finish_param): what its verdicts depend on (ScorePlanes::verdicts_key).
    std::string cloud_verdicts_key;
    /// cloud_verdicts_key without the probability options (cloud_probability_param): what
    /// the verdicts' inputs depend on (ScorePlanes::inputs_key).
    std::string cloud_inputs_key;
    bool stats_required = false;
    int halo = 0;

    void prepare_bands(const std::string& bands_text, const std::string& weights_text);
    void prepare_cloud(const CloudOptions& m);
    void check_cloud_bands(const CloudOptions& m);
    int capped_dilation(int pixels, double max_m) const;
    std::string band_name(int b) const;
    void prepare_mask(const MaskOptions& m);
    void prepare_expression(const std::string& expr);
    void prepare_bap(const BapOptions& m);
};

/// The penalty classes of ScorePlanes::classes.
inline constexpr std::uint8_t kClearClass = 0, kCloudClass = 1, kShadowClass = 2;

/// The cloud method on a layout without red, nir and swir1 (cloud_visible.cpp): scores of
/// the valid pixels into `out`. `kept`: the scene's planes, or null (temporal_planes).
/// `finished`: as finish_cloud_scores.
void score_cloud_visible(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                         const std::vector<std::uint8_t>& valid, const StackStats* stats,
                         std::vector<float>& out, ScoreScratch& scratch, ScorePlanes* kept,
                         Raster* finished);
/// The verdicts read: cloud and shadow (0 or 1) and the cloud probability, `n` pixels each.
struct CloudVerdictPlanes {
    const std::uint8_t* cloud = nullptr;
    const std::uint8_t* shadow = nullptr;
    const float* prob = nullptr;
};
/// The cloud method's last steps, shared by both kernels: grows the cloud (into pixels of
/// the verdicts' probability reaching cloud_grow_min) and shadow masks (in scratch, leaving
/// the verdicts as they are), averages the tie-break distance (scratch.tie, when
/// `temporal`) over its window and writes the scores into `out`. With
/// `kept`, the averaged tie-break is taken from it when made with the same options (the
/// thresholds do not change it), and left in it otherwise. With `finished` (the scores take
/// no penalties), the finished score raster is written too, as finish_from_planes would
/// make it from `out`, while `out` is still in the cache.
void finish_cloud_scores(const ScorerImpl& s, const CloudOptions& o,
                         const std::vector<std::uint8_t>& valid, int rows, int cols, bool temporal,
                         const CloudVerdictPlanes& verdicts, ScoreScratch& scratch,
                         std::vector<float>& out, ScorePlanes* kept, Raster* finished);
/// finish_cloud_scores' dilations and scores on rows [y0, y1) of a rows x cols block, from
/// the verdicts of its rows [v0, v1), which reach the larger dilation's radius beyond them
/// (or the block's edge): the same scores on those rows as for the whole block. The whole
/// block (finish_cloud_scores), or a strip of it (Scorer::score_strips_reusing).
struct CloudFinishRows {
    int rows = 0, cols = 0;              ///< the block
    const std::uint8_t* valid = nullptr; ///< the block's validity
    const float* tie = nullptr;          ///< the block's averaged tie-break; null: no stack
    CloudVerdictPlanes verdicts;         ///< rows [v0, v1), from their first pixel
    int v0 = 0, v1 = 0;
    int y0 = 0, y1 = 0;         ///< the rows finished
    float* out = nullptr;       ///< the block's method scores (may be `finished`'s band)
    Raster* finished = nullptr; ///< the block's score raster (shaped), or null
    bool all_valid = false;     ///< no pixel of the block is invalid (finish_unpenalized)
    /// The block's kept penalty classes (ScorePlanes::classes) under these options: scored
    /// from them, and `verdicts` are not read. Else, where set, the classes of rows [y0, y1)
    /// are written into `classes_out` (the block's, from its first pixel) for the next change.
    const std::uint8_t* classes = nullptr;
    std::uint8_t* classes_out = nullptr;
    /// The scores go to `finished` alone (`out` is not written), with stores that bypass
    /// the cache: the strips' finished scores are not read again while the cache holds them.
    bool stream = false;
    /// With `stream`, where set: the winners of rows [y0, y1) from their first pixel, to
    /// which each finished score is added as scene `winner_scene`'s while in the cache
    /// (`first_winner`: the first scene of the tie order; `min_score`: the composite's
    /// candidate floor).
    RunningBestPixels winners;
    std::int32_t winner_scene = 0;
    bool first_winner = false;
    float min_score = 0;
};
void finish_cloud_rows(const ScorerImpl& s, const CloudOptions& o, const CloudFinishRows& rows,
                       ScoreScratch& scratch);
/// Whether a cloud option enters the verdicts only through the fixed probabilities'
/// brightness, water brightness and threshold (brightness_min, brightness_width,
/// water_swir1_min, water_swir1_width, cloud_probability): a change of it alone keeps the
/// verdicts' inputs (ScorePlanes::inputs_key; water_swir1_width only while it stays above 0,
/// which decides whether the water test runs: the inputs key says so).
bool cloud_probability_param(const std::string& name);
/// Whether a cloud option belongs to a test that scenes with `roles` cannot run (the
/// temperature's options without a thermal band, cirrus's without a cirrus band): it
/// changes no score, so it is left out of every key and moving it keeps everything.
bool cloud_param_without_band(const std::string& name, const BandRoles& roles);
/// Whether a cloud option is read only by finish_cloud_scores (dilations, cloud_grow_min,
/// the scores, the tie-break window): a change of it alone keeps the verdicts.
bool cloud_finish_param(const std::string& name);
/// The verdicts kept in `kept` for `n` pixels under `s`'s options, when a kernel can take
/// them instead of computing them: made under the same options, and with the averaged
/// tie-break kept too where the stack takes part (`temporal`). Else null planes.
CloudVerdictPlanes kept_cloud_verdicts(const ScorerImpl& s, const CloudOptions& o,
                                       const ScorePlanes* kept, std::size_t n, bool temporal);
/// The visible bands the temporal tests compare, in their order (those the scene has).
inline constexpr BandRole kVisibleRoles[] = {BandRole::Blue, BandRole::Green, BandRole::Red};
/// The stack's clear background as the cloud passes read it: its kVisibleRoles planes, made
/// reflectance by `s`'s scale and `o`'s offset (LaneTemporal's background, scale and offset;
/// the date's bands and gains are the caller's). One function, so that the temporal tests
/// made again (temporal_tests_again) read the background as the passes do.
LaneTemporal background_lanes(const ScorerImpl& s, const CloudOptions& o, const StackStats& stats);
/// The tests (CloudInputPlanes::moved) whose thresholds alone differ between two
/// cloud_inputs_keys, or nullopt where another option differs.
std::optional<std::uint16_t> cloud_moved_between(const std::string& before, const std::string& now);
/// The verdicts a kernel wrote into scratch (cloud, shadow, prob), moved into `kept` and
/// marked as made under `s`'s options (`fmask`: by Fmask's probabilities, so that a change
/// of the probability options keeps them), for the next change; without `kept`, scratch's.
CloudVerdictPlanes keep_cloud_verdicts(const ScorerImpl& s, ScoreScratch& scratch,
                                       ScorePlanes* kept, bool fmask = false);
/// The verdicts kept in `kept`, where made under other options than `s`'s, become the
/// previous ones (a change back to those options takes them); their planes the current
/// ones, to be written (keep_cloud_verdicts) or left unkept.
void demote_kept_cloud_verdicts(const ScorerImpl& s, ScorePlanes& kept);
/// What the cloud method's temporal planes depend on besides the pixels: the reflectance
/// scale and offset, exactly, the background's options and the visible bands
/// (ScorePlanes::gains_key).
std::string cloud_planes_key(const ScorerImpl& s, float scale, float offset);
/// What the averaged tie-break depends on (ScorePlanes::tie_key).
std::string cloud_tie_key(const ScorerImpl& s, const CloudOptions& o);
/// Where a cloud scoring of a scene takes its penalty classes from (ScorePlanes::classes).
struct CloudClassesUse {
    const std::uint8_t* kept = nullptr; ///< those kept under these options: scored from them
    std::uint8_t* out = nullptr;        ///< else, where set, where the scoring writes them
    std::string key;                    ///< what they are made with (ScorePlanes::classes_key)
};
/// The classes of `planes` (a block of `n` pixels) for a scoring under `o`: kept ones; else
/// a plane to write them into where the scoring's verdicts are those of the last scoring of
/// the planes or `kept_verdicts` (a finishing option moved, and the next change likely moves
/// one too; a threshold change makes new verdicts, and writing the classes, 1 byte a pixel,
/// would be for nothing). Records the scoring's verdicts key (ScorePlanes::last_verdicts_key).
CloudClassesUse use_cloud_classes(const ScorerImpl& s, const CloudOptions& o, ScorePlanes& planes,
                                  std::size_t n, bool kept_verdicts);
/// After the scoring has written every pixel into `use.out`: the classes kept under its key.
void cloud_classes_written(ScorePlanes& planes, CloudClassesUse& use);
/// The averaged tie-break kept in `kept` for a block of `n` pixels under `o`, or null (none,
/// or made under other options): with it a kernel need not compute the tie-break again.
const std::vector<float>* kept_cloud_tie(const ScorerImpl& s, const CloudOptions& o,
                                         const ScorePlanes* kept, std::size_t n);
/// Where `kept` holds the distance of a tie-break made under other window options only
/// (ScorePlanes::tie_distance), its averaged tie-break under `o` made from it: a change of
/// tiebreak_radius then keeps the verdicts. `kept` is a rows x cols block.
void average_kept_cloud_tie(const ScorerImpl& s, const CloudOptions& o, ScorePlanes* kept, int rows,
                            int cols, ScoreScratch& scratch);

/// The bap score of a block (bap.cpp): its total into `out` (one band), or with
/// `components` every component (bap_component_names()).
void score_bap(const ScorerImpl& s, const Raster& scene, const StackStats* stats, int scene_index,
               Raster& out, bool components);

/// Band `band` (0-based) of `scene` as floats, scale * float(value) + offset, into `out`
/// (resized to the band): the score kernels' reflectance planes (score_planes.cpp).
void band_plane(const Raster& scene, int band, float scale, float offset, std::vector<float>& out);
/// The brightest of `bands` per pixel as a float, where that is exact (types of 16 bits or
/// fewer, Float32); empty otherwise (score_planes.cpp).
std::vector<float> brightest_band(const Raster& scene, const std::vector<int>& bands);
/// planes.distance, made (from planes.valid) when it does not reach `invalid_distance`.
const std::vector<std::uint16_t>& distance_plane(ScorePlanes& planes, int invalid_distance);
/// The score raster from planes.method_score minus the penalties, in one pass; false (nothing
/// written) where the saturation penalty has no brightest plane.
bool finish_from_planes(const ScorerImpl& s, const Raster& scene, ScorePlanes& planes, Raster& r);
/// Whether the scores take a penalty (saturation or distance to invalid pixels).
bool has_penalties(const PenaltyOptions& p);
/// Pixels [i0, i1) of the score raster `r` (shaped, and with a mask unless `all_valid`) from
/// method scores without penalties: finish_from_planes' arithmetic when no penalty is on.
void finish_unpenalized(const std::uint8_t* valid, const float* method, bool all_valid,
                        std::size_t i0, std::size_t i1, Raster& r);

} // namespace rb::detail
