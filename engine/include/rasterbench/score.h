#pragma once
// Per-pixel scores of a scene (higher = better), the first half of a best-pixel composite.
//
// Rules shared by every score method:
// - A score is a Float32 raster with one band on the scene's grid. A pixel that is invalid in
//   any band of the scene (nodata, NaN, masked) scores kInvalidScore (-infinity) and is
//   masked, so it ranks after every valid pixel. A valid pixel whose formula yields NaN
//   scores the lowest finite float: it ranks after every other valid pixel.
// - Methods work on in-memory blocks: a viewport, a tile, or a tile plus a halo of halo()
//   pixels when the method looks at neighbours (dilation, distance to invalid pixels).
// - Methods that compare a pixel with its stack (median-distance, an expression using
//   median_b3, the cloud method's temporal tests) take StackStats computed over the same
//   block of every scene; score_stack() does that for a whole in-memory stack.
// - Each method is an options struct with a self-describing ParamTable; score_params() lists
//   the method's rows plus the shared penalty and band-role rows, which set_score_param()
//   sets by name (what `--param NAME=VALUE` and a UI panel call).
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rasterbench/bands.h"
#include "rasterbench/bap.h"
#include "rasterbench/param_table.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/scene_date.h"

namespace rb {

namespace detail {
struct ScorerImpl;
struct StackWinners;
} // namespace detail

inline constexpr float kInvalidScore = -std::numeric_limits<float>::infinity();

/// Weighted brightness of chosen bands; darker scores higher: score = -sum(w*x)/sum(w).
/// Simple and good for MODIS-like stacks, but it prefers cloud shadows.
struct DarknessOptions {
    std::string bands;   ///< "red,nir,3": numbers (1-based) or roles; empty = all but qa
    std::string weights; ///< one per band, empty = equal weights
    static const ParamTable<DarknessOptions>& params();
};

/// Distance of the pixel's band vector to the stack's per-pixel median:
/// d = sqrt(sum(w*(x-median)^2)/sum(w)); score = -(mean of d over the window). Robust to both
/// clouds and shadows.
struct MedianDistanceOptions {
    std::string bands;
    std::string weights;
    /// Average the distance over a (2r+1)^2 window of valid pixels: haze and cloud edges next
    /// to a cloud then count against the whole neighbourhood, as Fmask's buffers do.
    int radius = 4;
    static const ParamTable<MedianDistanceOptions>& params();
};

/// Potential-cloud and shadow tests in the spirit of Fmask (Zhu & Woodcock 2012; cirrus as in
/// Zhu, Wang & Woodcock 2015), on top-of-atmosphere reflectance = scale * value + offset.
/// Each test runs when its bands exist (red, nir and swir1 run the Fmask tests; blue, green,
/// swir2, thermal and cirrus add tests). Without red, nir and swir1 together (an RGB
/// product) the visible-band tests run: brightness, whiteness (two visible bands), haze
/// (blue and red), plus cirrus and thermal where present; integer Byte data then reads as
/// reflectance through 1/255 under the automatic scale. With the stack (any bands), the
/// temporal tests compare the visible bands, each divided by the date's gain, with the
/// stack's clear background (StackStats::background, robust where half the dates are
/// cloudy, unlike the median): cloud when a visible band is brighter by temporal_cloud,
/// shadow when their mean is darker by temporal_shadow (each plus a tenth of the
/// background); the spectral cloud test then counts only on a pixel brighter than its
/// background. Without any visible band the method refuses. Scorer::tests_run() says
/// which tests run.
/// - A pixel passing the basic tests (swir, NDVI, NDSI, whiteness, haze, nir/swir1 and, when
///   a calibrated thermal band exists, temperature) gets a spectral cloud probability:
///   spectral flatness (1 - max(|NDSI|, whiteness), 1 without green and blue) times a
///   brightness ramp around brightness_min. The cirrus band adds cirrus / cirrus_full
///   (Fmask 3.3's cirrus probability). A pixel is cloud when the sum reaches
///   cloud_probability.
/// - Over water (dark in nir, low NDVI) the spectral probability is swir1's brightness
///   (clear water is black at 1.6 um; cloud and thick haze are not), as in Fmask.
/// - The thermal tests run only on temperatures in degrees (after thermal_scale/offset);
///   digital numbers or kelvins outside -90..70 C leave them out. Besides thermal_max, a
///   pixel much warmer than the scene's median temperature (sampled when the scorer is made)
///   loses its spectral probability (thermal_margin, thermal_ramp).
/// - With a calibrated thermal band and a sampled scene holding enough clear land, Fmask's
///   scene-wide statistics take over from the fixed probabilities and cloud_probability
///   (see cloud_margin): thresholds that follow the season and the place, so frozen ground
///   or haze over warm water is judged against the scene's own clear pixels.
/// - Clouds grow by cloud_dilation pixels (into pixels whose probability reaches
///   cloud_grow_min) and shadows by shadow_dilation, but never farther than dilation_max_m
///   of ground when the pixel size is known: the growth is for a cloud's thin edges, which a
///   coarse pixel already holds (3 pixels of 3 km would triple a cloud's area).
/// - A single date's shadows are dark in nir and swir1; with the stack, darker than the
///   clear background instead (clear water and wet soil are dark in nir and swir1 too).
/// score = 0 clear, shadow_score, cloud_score, minus a tie-break in [0, 0.5) that grows with
/// the visible bands' distance to the clear background (0 without a stack).
struct CloudOptions {
    double reflectance_scale = 0; ///< 0 = auto: 1 for float data, 1e-4 for integers
    double reflectance_offset = 0;
    double swir_min = 0.03;         ///< basic test: swir2 (or swir1) above
    double ndvi_max = 0.8;          ///< basic test: NDVI below
    double ndsi_max = 0.8;          ///< basic test: NDSI below (needs green)
    double brightness_min = 0.12;   ///< mean visible reflectance at brightness probability 0.5
    double brightness_width = 0.14; ///< the brightness ramp's width (0: a step)
    double whiteness_max = 0.7;     ///< flat visible spectrum (needs two of blue/green/red)
    double hot_min = 0.08;          ///< haze-optimized transform blue - 0.5 red above (needs blue)
    double nir_swir1_min = 0.75;    ///< nir/swir1 above (rock and soil fail it)
    double thermal_max = 27;        ///< brightness temperature below (needs thermal)
    double thermal_scale = 1;       ///< thermal value -> degrees C
    double thermal_offset = 0;
    /// With a calibrated thermal band and the scene's sampled temperatures: the spectral
    /// probability is multiplied by a temperature probability falling from 1 at
    /// (scene median + thermal_margin - thermal_ramp) to 0 at (scene median + thermal_margin):
    /// clouds are colder than the ground around them. Under Fmask's scene statistics
    /// (cloud_margin) thermal_margin is Fmask's 4 degrees around the clear-sky percentiles.
    double thermal_margin = 4;
    double thermal_ramp = 8;
    /// Water (NDVI < 0.01 and nir < 0.11, or 0 < NDVI < 0.1 and nir < 0.05) is dark at swir1
    /// under a clear sky, so there the spectral probability is swir1's brightness instead:
    /// rising from 0 at water_swir1_min to 1 at water_swir1_min + water_swir1_width.
    double water_swir1_min = 0.035;
    double water_swir1_width = 0.02;
    double cirrus_full = 0.04;      ///< cirrus reflectance giving probability 1 on its own
    double cloud_probability = 0.5; ///< cloud when the probability reaches this
    /// With a calibrated thermal band and enough clear land in the scene's sample, Fmask's
    /// scene statistics replace the fixed thresholds (Zhu & Woodcock 2012; Qiu et al. 2019):
    /// over land the probability is the temperature probability between the clear land's
    /// 17.5th and 82.5th percentile temperatures (widened by thermal_margin) times the
    /// spectral flatness, over water the temperature below the clear water's 82.5th percentile
    /// (over thermal_margin) times swir1 brightness, cirrus added to both (thin_weight); a
    /// potential cloud
    /// pixel is cloud when its probability exceeds the 82.5th percentile of the clear pixels'
    /// (land or water) plus this margin. The statistics are each date's own, from its sample
    /// (ScoreOptions::scenes; the layout's sample for a single scene); a date without one
    /// keeps the fixed probabilities.
    /// The default is the Landsat quality band's medium cloud confidence: CFMask, which makes
    /// the Collection 1 BQA, calls a pixel high confidence above the percentile plus 0.225
    /// and medium above it plus 0.125, and an analyst masks both (Fmask 4 itself uses 0.175).
    double cloud_margin = 0.125;
    /// Under Fmask's scene statistics the cirrus probability (cirrus / cirrus_full, uncapped)
    /// counts with this weight (Fmask 4: 0.3 for Landsat 8, 0.5 for Sentinel-2).
    double thin_weight = 0.3;
    double shadow_nir_max = 0.12;
    double shadow_swir1_max = 0.1;
    bool temporal = true;          ///< test against the stack's clear background when at hand
    double temporal_cloud = 0.04;  ///< a visible band brighter than the background by
    double temporal_shadow = 0.04; ///< the visible mean darker than the background by
    int cloud_dilation = 3;
    double cloud_grow_min = 0; ///< probability a pixel needs to be taken by the dilation
    int shadow_dilation = 3;
    double dilation_max_m = 100; ///< dilations reach at most this far (0: no cap)
    int tiebreak_radius = 4;     ///< the tie-break's distance is averaged over a (2r+1)^2 window
    double cloud_score = -2;
    double shadow_score = -1;
    static const ParamTable<CloudOptions>& params();
};

/// Scores from a quality/cloud band (Landsat QA bits, Fmask classes, a cloud probability):
/// mode values: "V=S" pairs (e.g. Fmask "0=0,1=0,2=-1,3=-1,4=-2"; S may be "invalid"),
///   unlisted values score default_score;
/// mode bits: "N=S" pairs: S is added for every bit N set (e.g. "3=-2,4=-1");
/// mode linear: score = scale * value + offset (e.g. -1 * cloud probability).
struct MaskOptions {
    int band = 0; ///< 1-based band of the scene; 0 = the qa role
    std::string mode = "values";
    std::string mapping = "0=0,1=0,2=-1,3=-1,4=-2";
    /// auto: the product's quality preset when the band or file names say which (BQA,
    /// QA_PIXEL, SCL, fmask) and mode/mapping are left at their defaults; none: the mapping;
    /// or a preset by name (quality.h). Presets score clear and water 0, snow `snow`,
    /// shadow, cirrus and cloud edges -1, cloud -2, and leave fill invalid.
    std::string preset = "auto";
    double snow = -1; ///< score of snow with a preset (0 keeps snow, e.g. for winter)
    double default_score = 0;
    double scale = -1;
    double offset = 0;
    static const ParamTable<MaskOptions>& params();
};

/// A user formula (muparser syntax) over the scene's bands b1, b2, ... and per-pixel stack
/// statistics median_bN, mean_bN, min_bN, max_bN and count. A bad formula is an
/// ArgumentError giving the position and the problem.
struct ExpressionOptions {
    std::string expression = "-b1";
    static const ParamTable<ExpressionOptions>& params();
};

/// Penalties composable with any method (subtracted from the method's score).
struct PenaltyOptions {
    double saturation_value = 0;     ///< a band value >= this is saturated; 0 = off
    double saturation_penalty = 1e6; ///< large: saturated pixels rank after unsaturated ones
    int invalid_distance = 0;        ///< pixels within this distance of an invalid one; 0 = off
    /// penalty * (D + 1 - d) / D at chessboard distance d <= D from the nearest invalid pixel
    double invalid_distance_penalty = 1;
    static const ParamTable<PenaltyOptions>& params();
};

using ScoreMethod = std::variant<DarknessOptions, MedianDistanceOptions, CloudOptions, MaskOptions,
                                 ExpressionOptions, BapOptions>;

struct ScoreOptions {
    ScoreMethod method;
    PenaltyOptions penalties;
    BandRoleOptions roles;
    /// Date and sensor of each scene of the stack, by position (what bap weighs);
    /// composite_files() and score_file() fill it from the files when it is empty.
    std::vector<SceneInfo> scenes;
};

/// "darkness", "median-distance", "cloud", "mask", "expression", "bap".
std::vector<std::string> score_method_names();
/// Default options of a method; throws ArgumentError listing the methods for an unknown one.
ScoreOptions make_score_options(std::string_view method);
std::string score_method_name(const ScoreOptions& options);
/// The method's parameter rows, then the penalty rows, then the band-role rows.
std::vector<ParamInfo> score_params(const ScoreOptions& options);
/// Sets a parameter by name (method, penalty or role); ArgumentError names what is wrong.
void set_score_param(ScoreOptions& options, std::string_view name, std::string_view value);
std::string get_score_param(const ScoreOptions& options, std::string_view name);
/// Every parameter's value (for recipes), method rows included.
std::map<std::string, std::string> score_param_values(const ScoreOptions& options);

/// Which per-pixel statistics of the stack a scorer reads.
struct StackStatsNeeds {
    bool median = false, mean = false, min = false, max = false, count = false;
    bool background = false;
    /// How far apart (in the stored numbers) two clear observations of a pixel may be besides
    /// a tenth of their value: the dates' offsets and noise (StackStats::background).
    double background_tolerance = 0;
    /// The neighbourhood (pixels) over which a date's departure from the background is
    /// judged when the background is refined in space.
    int background_radius = 6;
    /// The share of the refinement's rounds (StackStats::background) to run, each kind at
    /// least once; in (0, 1]. On a coarse grid, whose windows span more ground, fewer rounds
    /// spread the background as far (coarse_statistics_needs).
    double background_rounds = 1;
    /// The bands (0-based) the background is made of; empty: every band. The others' planes
    /// of StackStats::background are NaN. Scorers leave a scene's quality band out.
    std::vector<int> background_bands{};
    /// Bands (0-based, at least two; empty: off) on which a background lifted by thin cloud
    /// is found and lowered, and the stored value of a white cloud on them (StackStats).
    std::vector<int> haze_bands{};
    double haze_white = 0;
    /// Keep the background as refined before the haze step, for relower_statistics
    /// (StackStats::unlowered_background: 4 bytes a band and pixel more).
    bool keep_unlowered = false;
    bool any() const { return median || mean || min || max || count || background; }
};

/// Per-pixel statistics of a stack over the observations valid in every band, band-major
/// (band b's plane starts at b * rows * cols). Vectors not asked for are empty. NaN where
/// a pixel has no valid observation. The median of an even count is the mean of the two
/// middle values.
///
/// `background` is a clear-sky estimate that stays right where half or more of a pixel's
/// observations are cloudy or shadowed (the median then lies between cloud and ground).
/// First per pixel and band: the darkest value that another observation and at least a
/// tenth of all agree with (within StackStatsNeeds::background_tolerance plus a tenth of
/// the value), as the median of the values that agree with it; the darkest value when none
/// does. Then an iteratively
/// reweighted mean of the dates: clouds and shadows are patches, so each date is weighed by
/// how far its neighbourhood (background_radius and twice it) departs from the background,
/// and the weighted mean becomes the next background (16 rounds at half resolution, 6 full;
/// StackStatsNeeds::background_rounds of them).
/// With StackStatsNeeds::haze_bands, last, a pixel whose background several thin clouds
/// agreed on is lowered to its clear date (engine/src/score/hazy_background.h). The
/// background is made of StackStatsNeeds::background_bands alone (the dates' departures
/// averaged over them); the other bands' planes are NaN.
struct StackStats {
    int bands = 0, rows = 0, cols = 0;
    std::vector<float> median, mean, min, max, background;
    std::vector<std::uint16_t> count; ///< one plane
    /// With StackStatsNeeds::keep_unlowered: `background` before the haze step, and 1 / each
    /// date's gain against it per band (date-major; 1 for bands outside
    /// StackStatsNeeds::background_bands), what that step starts from.
    std::vector<float> unlowered_background, background_inv_gain;
    std::span<const float> plane(const std::vector<float>& v, int band) const {
        const std::size_t n = std::size_t(rows) * std::size_t(cols);
        return {v.data() + n * std::size_t(band), n};
    }
};

/// kValid where every band of the pixel is valid (and not NaN), else kInvalid.
std::vector<std::uint8_t> pixel_validity(const Raster& scene);

/// Statistics of scenes on one block (same shape and band count; ArgumentError otherwise).
StackStats stack_statistics(std::span<const Raster> scenes, const StackStatsNeeds& needs);
/// `stats` (made from `scenes` with StackStatsNeeds::keep_unlowered) under `needs` that differ
/// from the needs they were made with in haze_bands and haze_white alone: the haze step made
/// again from the background kept before it, without refining the background again (the
/// Score panel's reflectance_offset moves the white of the cloud method's haze step). The
/// same statistics as stack_statistics(scenes, needs). ArgumentError when `stats` kept no
/// background.
StackStats relower_statistics(std::span<const Raster> scenes, const StackStats& stats,
                              const StackStatsNeeds& needs);
/// The statistics of every `step`-th pixel of every `step`-th row: those of the stack
/// subsampled the same way (rb::subsample), without recomputing them.
StackStats subsample(const StackStats& stats, int step);

/// What scoring a scene leaves behind for rescoring the same pixels under other options
/// (the Score panel's tuning loop): the validity plane, the method's score before the
/// penalties (kept for one set of method and band-role options), the chessboard distance
/// to the nearest invalid pixel (up to distance_cap) and the brightest data band per pixel
/// (for the saturation penalty). A threshold or penalty change then only redoes the last
/// steps. One object per scene block; a scorer fills what it needs on first use. Empty
/// after clear(); never shared between threads while a scoring runs.
struct ScorePlanes {
    int rows = -1, cols = -1; ///< block the planes describe (-1: none yet)
    std::vector<std::uint8_t> valid;
    std::string method_key; ///< the options method_score was computed with ("" = none)
    std::vector<float> method_score;
    int distance_cap = 0;
    std::vector<std::uint16_t> distance;
    std::vector<float> brightest; ///< integer types of 16 bits or fewer and Float32 only
    /// The cloud method's gain of each visible band against the stack's clear background,
    /// and what they were computed with (reflectance scale, offset, bands; "" = none): a
    /// threshold change keeps them.
    std::string gains_key;
    std::vector<float> gains;
    /// The cloud method's tie-break (the distance to the clear background averaged over its
    /// window), and what it was computed with (gains_key's options and the window).
    std::string tie_key;
    std::vector<float> tie;
    /// While the tie-break's window (tiebreak_radius) is being moved, the distance before it
    /// is averaged, and the options it was made with (cloud_planes_key's; "" = none): a
    /// change of the window alone then averages it again, without a pass over the bands.
    std::string tie_distance_key;
    std::vector<float> tie_distance;
    /// The cloud method's verdicts grown by the dilations and combined, per pixel (0 clear,
    /// 1 cloud, 2 shadow), and what they were made with (ScorerImpl::cloud_verdicts_key and
    /// the dilations' options; "" = none): a change of the tie-break's window or of a score
    /// alone scores from them, without the dilations. 1 byte a pixel.
    std::string classes_key;
    std::vector<std::uint8_t> classes;
    /// ScorerImpl::cloud_verdicts_key of the last cloud scoring of these planes ("" before
    /// the first): the classes are written by the first scoring and by a change that keeps
    /// it (a finishing option moved), not by every threshold change.
    std::string last_verdicts_key;
    /// The cloud method's verdicts before they are grown (cloud and shadow, 0 or 1, and the
    /// cloud probability), and what they were computed with (ScorerImpl::cloud_verdicts_key:
    /// every option but those of the last steps): a change of a dilation or a score keeps
    /// them ("" = none).
    std::string verdicts_key;
    /// For verdicts made by Fmask's probabilities (a date with its clear-sky statistics),
    /// which read none of the probability options: the inputs key they were made under
    /// (ScorerImpl::cloud_inputs_key; "" for other verdicts). A change of the probability
    /// options alone keeps them.
    std::string verdicts_fmask_key;
    std::vector<std::uint8_t> cloud, shadow;
    std::vector<float> cloud_prob;
    /// The verdicts kept before those (under another verdicts_key), kept too: a change back
    /// to the options before (an analyst comparing two settings, such as temporal on and
    /// off) takes them instead of a pass over the bands. 6 bytes a pixel.
    std::string previous_verdicts_key, previous_verdicts_fmask_key;
    std::vector<std::uint8_t> previous_cloud, previous_shadow;
    std::vector<float> previous_cloud_prob;
    /// What those verdicts are made of besides the probability options (brightness_min,
    /// brightness_width, cloud_probability), for a scene judged by the fixed probabilities
    /// (no Fmask statistics): the visible mean, the flatness or water probability, the
    /// temperature's and cirrus's shares (where the scene has those bands) and the other
    /// tests' outcomes as bits. And what they were made with (ScorerImpl::cloud_inputs_key,
    /// "" = none): a change of a probability option makes the verdicts from them, without
    /// the bands.
    std::string inputs_key;
    /// ScorerImpl::cloud_inputs_key of the cloud method's last change that made verdicts (from
    /// the bands or the inputs): a pass over the bands under the same key, or one that differs
    /// from it in tests' thresholds alone (the analyst is moving them), keeps the inputs.
    std::string last_pass_inputs_key;
    std::vector<float> input_vis_mean, input_factor, input_t_prob, input_cirrus;
    /// Each spectral test's failure under the inputs' thresholds, a bit each: a change of
    /// any tests' thresholds (spectral, shadow, temporal) is made from the inputs, those tests
    /// alone made again from the bands (the temporal ones with the stack's background).
    std::vector<std::uint8_t> input_class, input_fails;
    void clear() { *this = ScorePlanes{}; }
    std::size_t bytes() const {
        return valid.size() + method_score.size() * sizeof(float) +
               distance.size() * sizeof(std::uint16_t) + brightest.size() * sizeof(float) +
               gains.size() * sizeof(float) + (tie.size() + tie_distance.size()) * sizeof(float) +
               classes.size() + cloud.size() + shadow.size() + cloud_prob.size() * sizeof(float) +
               previous_cloud.size() + previous_shadow.size() +
               previous_cloud_prob.size() * sizeof(float) +
               (input_vis_mean.size() + input_factor.size() + input_t_prob.size() +
                input_cirrus.size()) *
                   sizeof(float) +
               input_class.size() + input_fails.size();
    }
};

/// A score method bound to a scene layout: roles resolved, bands and the expression parsed
/// and checked once. Copyable and safe to share between threads (score() is const).
class Scorer {
public:
    /// Throws ArgumentError when the method misses a band role, a band list or mapping is
    /// malformed, or the expression does not parse (naming the scene, parameter, position).
    Scorer(const ScoreOptions& options, const BandLayout& layout);

    const ScoreOptions& options() const;
    const BandRoles& roles() const;
    /// The mask method's quality preset in use ("landsat-c1-bqa", ...), empty for none.
    const std::string& quality_preset() const;
    const BandLayout& layout() const;
    /// Pixels of context around a block that the scores inside it depend on.
    int halo() const;
    StackStatsNeeds stack_needs() const;
    /// True when score() cannot run without stack statistics (median-distance, expressions
    /// using statistics); the cloud method only uses them when given.
    bool requires_stack() const;
    /// The cloud method's tests that run on this layout and those its bands leave out
    /// ("cloud tests on scene 'x': brightness, whiteness, ...; off: swir, NDVI, ..."); empty
    /// for other methods. What `--verbose` prints.
    const std::string& tests_run() const;
    /// True when the scores of a stack's later dates depend on each scene's own sample
    /// (options().scenes[i].sample): the cloud method with a calibrated thermal band judges
    /// every date against that date's clear-sky temperatures (Fmask's scene statistics).
    /// Callers scoring a stack then fill the samples (what composite_files() does).
    bool uses_scene_samples() const;

    /// Scores one block of a scene. `stats` (same block over the stack) is required when
    /// stack_needs().any() and the method cannot do without it (median-distance,
    /// expressions using statistics): ArgumentError otherwise.
    /// `scene_index`: the scene's position in the stack (options().scenes), which methods
    /// weighing dates and sensors (bap) need; -1 when unknown.
    Raster score(const Raster& scene, const StackStats* stats = nullptr,
                 int scene_index = -1) const;
    /// score() into `out`, reusing its storage (Raster::reset): for streaming, one result
    /// buffer per thread rather than a fresh allocation per block. Same values and mask.
    void score_into(const Raster& scene, const StackStats* stats, Raster& out,
                    int scene_index = -1) const;
    /// score_into() reusing and filling `planes` (the same scene block scored before under
    /// other options, or empty): only what the changed options affect is recomputed. Same
    /// values and mask as score_into(). `stats` must be the statistics the planes were made
    /// with (or a superset computed from the same pixels).
    void score_reusing(const Raster& scene, const StackStats* stats, ScorePlanes& planes,
                       Raster& out, int scene_index = -1) const;
    /// score_reusing() of every scene of a stack at once (planes[i] and out[i] for
    /// scenes[i], with scene index i), where it pays: the cloud method without penalties
    /// when every scene's planes keep its verdicts or their inputs (a change of a
    /// threshold, dilation or score). It then runs in parallel over strips of rows, every
    /// scene's part of a strip while it is in the cache, and keeps no method scores or
    /// verdicts of its own (the next change makes them from what is kept). False, with
    /// nothing changed, where it does not apply. Same scores as score_reusing(); `progress`
    /// is checked and told per strip. With `winners` asking for them (engine-internal), the
    /// best-pixel composite's winners are made too, from each strip's scores in the cache.
    bool score_strips_reusing(std::span<const Raster> scenes, const StackStats* stats,
                              std::vector<ScorePlanes>& planes, std::vector<Raster>& out,
                              Progress& progress, detail::StackWinners* winners = nullptr) const;
    /// The method's component scores, Float32, one band each (component_names()), the first
    /// being the score itself; one band for methods without components. Invalid pixels are
    /// masked. What "why did this pixel win" shows.
    Raster components(const Raster& scene, const StackStats* stats, int scene_index) const;
    std::vector<std::string> component_names() const;
    /// True when each pixel's score of `scene` depends on that pixel alone and score_row()
    /// computes it (darkness without penalties on an unmasked integer block): a composite
    /// can then score row by row instead of keeping whole score rasters.
    bool scores_by_row(const Raster& scene) const;
    /// Row `row` of score(scene) into out[0, scene.cols()) (ArgumentError unless
    /// scores_by_row(scene)).
    void score_row(const Raster& scene, int row, float* out) const;

private:
    std::shared_ptr<const detail::ScorerImpl> impl_;
};

/// Scores every scene of an in-memory stack on one block, computing the stack statistics
/// the scorer needs from the stack itself. Parallel over scenes; progress per scene.
std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                Progress progress = {});
/// The same with the stack's statistics given (null when scorer.stack_needs() needs none):
/// what a caller that rescores one stack under many options computes once, since the
/// statistics depend on the pixels alone.
std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, Progress progress = {});
/// The same reusing one ScorePlanes per scene (resized to the stack; see score_reusing()).
std::vector<Raster> score_stack(std::span<const Raster> scenes, const Scorer& scorer,
                                const StackStats* stats, std::vector<ScorePlanes>& planes,
                                Progress progress = {});

} // namespace rb
