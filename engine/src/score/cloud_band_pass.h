#pragma once
// One scene's pass over its bands for the cloud verdicts (cloud_lanes.h), set up once per
// scene and run over all of it (score_kernels.cpp) or a strip of rows at a time
// (cloud_strips.cpp): the bands as lanes, the stack's clear background with the date's
// gains, the date's own statistics, and the verdicts' inputs it keeps in the scene's planes.
#include <string>
#include <vector>

#include "cloud_lanes.h"

namespace rb {
struct CloudOptions;
struct ScorePlanes;
struct StackStats;
class Raster;
} // namespace rb

namespace rb::detail {

struct ScorerImpl;
struct ScoreScratch;

/// Points into the scene, the statistics and itself: lives no longer than the first two, and
/// stays where it was set up.
struct CloudBandPass {
    CloudBands bands;
    LaneTemporal temporal; ///< read where lane.temporal points to it (with the stack)
    CloudLaneScene lane;
    /// The kept planes the pass writes the verdicts' inputs into (all null: none kept).
    CloudInputPlanes inputs;
    bool keeps = false; ///< whether the pass keeps the inputs

    CloudBandPass() = default;
    CloudBandPass(const CloudBandPass&) = delete;
    CloudBandPass& operator=(const CloudBandPass&) = delete;
};

/// `scene`'s bands as the cloud passes read them: reflectance under `s`'s scale and `o`'s
/// offset (the thermal band's values as stored).
CloudBands cloud_bands(const ScorerImpl& s, const CloudOptions& o, const Raster& scene);

/// Whether a pass over the bands keeps the verdicts' inputs in `kept`: where it is the first
/// pass on these planes, or where the options differ from the last pass's in probability
/// options or tests' thresholds alone (CloudInputPlanes::moved); not for a date judged by
/// Fmask's statistics (`land`), whose verdicts read none of them.
bool cloud_inputs_kept_by_pass(const ScorerImpl& s, const ScorePlanes* kept, bool land);

/// Sets a default-constructed `pass` up for `scene`, the stack's scene `index` (its statistics:
/// ScorerImpl:: scene_cloud); `temporal`: against `stats`' clear background (the date's gains
/// computed, or taken from `kept`). With `kept`, sizes the input planes the pass writes (or
/// releases those it does not) and marks the kept inputs unusable until end_cloud_band_pass.
void begin_cloud_band_pass(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                           int index, const StackStats* stats, bool temporal,
                           const std::vector<std::uint8_t>& valid, ScoreScratch& scratch,
                           ScorePlanes* kept, CloudBandPass& pass);

/// After the pass has run over every pixel of the scene: the kept inputs' keys.
void end_cloud_band_pass(const ScorerImpl& s, ScorePlanes* kept, const CloudBandPass& pass);

/// The date `scene`'s temporal lanes against `stats`' clear background (LaneTemporal: its
/// visible bands, its gains computed or taken from `kept`, and the background).
LaneTemporal date_lanes(const ScorerImpl& s, const CloudOptions& o, const Raster& scene,
                        const StackStats& stats, const std::vector<std::uint8_t>& valid,
                        ScoreScratch& scratch, ScorePlanes* kept);

/// What kept inputs are read with besides their planes: the moved tests' bands and, where a
/// temporal test's threshold moved, the date's lanes. The inputs point into it: it stays
/// where it was filled.
struct KeptInputLanes {
    CloudBands bands;
    LaneTemporal temporal;
};

/// The verdicts' inputs kept in `kept` for the `n` pixels of `scene` (ScorePlanes::inputs_key)
/// when they were made under `s`'s options but the probability options and tests' thresholds
/// (CloudInputPlanes::moved: those tests are made again from the scene's bands, and with the
/// stack, `stats` with its background, the temporal ones from its lanes, held in `lanes`),
/// with the averaged tie-break kept too where the stack takes part (it comes out of the
/// bands' pass). Else null planes.
CloudInputPlanes kept_cloud_inputs(const ScorerImpl& s, const CloudOptions& o, ScorePlanes* kept,
                                   std::size_t n, const StackStats* stats, const Raster& scene,
                                   const std::vector<std::uint8_t>& valid, ScoreScratch& scratch,
                                   KeptInputLanes& lanes);

} // namespace rb::detail
