#pragma once
// The score workbench's viewport without a UI: which part of every scene a preview reads
// (plan_viewport), and a ViewportPipeline that reads those windows, scores them and
// composites them, keeping what does not change between two previews of one view:
// - the reads of every scene (per view: a new plan or new scenes read again);
// - the stack's per-pixel statistics (they depend on the pixels alone, so a new score
//   method or parameter only rescores);
// - the scores of the latest scorer (a composite-only parameter only recomposites);
// - the coarse stack (every f-th pixel of the reads) for the coarse first preview, which
//   a change shows before the full viewport when that takes long.
// A caller (the UI's controller) schedules runs; the pipeline only computes, on the thread
// that calls it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/score.h"
#include "rasterbench/window.h"

namespace rb {

/// A rectangle in scene pixels, fractional where a decimated pixel covers part of one.
struct PixelRect {
    double x = 0, y = 0, width = 0, height = 0;
    bool operator==(const PixelRect&) const = default;
};

/// Which scene windows a viewport preview reads, and which part of the result is shown.
struct ViewportPlan {
    Window read;      ///< scene pixels read: the visible window plus halo, clamped
    int out_cols = 0; ///< size the read window is decimated to
    int out_rows = 0;
    int step = 1;     ///< scene pixels per output pixel (integer decimation)
    Window crop;      ///< the visible part, in output pixels
    PixelRect pixels; ///< scene-pixel rectangle that `crop` covers
    bool empty() const { return crop.empty(); }
    bool operator==(const ViewportPlan&) const = default;
};

/// Plans a preview of `visible` (scene pixels) shown on `screen_cols` x `screen_rows`
/// device pixels, with `halo` output pixels of context, on a `width` x `height` raster. The
/// decimation step grows until `scenes` scenes of `bytes_per_pixel` fit in `budget_bytes`.
/// Empty when the visible window misses the raster or the screen is empty.
ViewportPlan plan_viewport(const Window& visible, int screen_cols, int screen_rows, int halo,
                           std::int64_t width, std::int64_t height, int scenes,
                           std::size_t bytes_per_pixel, std::size_t budget_bytes);
/// The plan of a preview `factor` times coarser than `plan` (every factor-th output pixel
/// of its read): what rb::subsample gives from the plan's reads.
ViewportPlan coarser_plan(const ViewportPlan& plan, int factor);
/// The factor of the coarse first preview of a view whose stack statistics are not cached
/// yet: that preview makes its own statistics of its coarse stack, which cost more per pixel
/// than any score, so its pixels of all scenes together are what its time follows. The
/// factor doubles from `least` until `scenes` scenes of `view_pixels` pixels, every
/// factor-th pixel of every factor-th row, hold at most kCoarseStatisticsSamples pixels
/// (at most 64).
inline constexpr std::int64_t kCoarseStatisticsSamples = 100'000;
int coarse_statistics_factor(std::int64_t view_pixels, int scenes, int least);
/// What statistics of a stack subsampled by `factor` are made with, for a preview that
/// stands for statistics of the full stack made with `needs`: the same, but for the
/// background's radius, scaled to the coarse grid (rounded, at least 1), and the share of the
/// refinement's rounds, cut where that radius spans more ground than the full one.
StackStatsNeeds coarse_statistics_needs(const StackStatsNeeds& needs, int factor);
/// Memory a cached viewport pixel takes per scene: the stacked bands with their masks, the
/// score and its mask, and the planes kept for rescoring (the cloud method's, the largest).
std::size_t viewport_bytes_per_pixel(const BandLayout& layout);
/// The memory a view's reads and their kept planes may take (viewport_bytes_per_pixel each)
/// before plan_viewport decimates further: the Score panel's, and its benchmark's. 1 GiB
/// keeps a 1200 x 1200 px view of 12 four-band 16-bit scenes at full resolution.
inline constexpr std::size_t kViewportBudgetBytes = std::size_t(1024) << 20;

/// A viewport preview: the visible part of the composite and of the current scene.
struct ViewportPreview {
    ViewportPlan plan;
    int current = -1;          ///< scene index of `scene` and `score`; -1: none
    Raster scene;              ///< the current scene's bands, cropped (when asked for)
    Raster score;              ///< its score, cropped
    CompositeResult composite; ///< cropped to plan.crop
    /// Milliseconds of each stage; 0 for a stage answered from the cache.
    double read_ms = 0, score_ms = 0, composite_ms = 0;
    bool coarse = false; ///< the coarse first preview (plan is coarser_plan's)
};

/// What a preview is of.
struct ViewportRequest {
    std::vector<SceneSource> scenes;
    ViewportPlan plan;
    /// Scores are cached per scorer object: the same object reuses them, a new one (new
    /// options) rescores. Required.
    std::shared_ptr<const Scorer> scorer;
    CompositeOptions options;
    int current = -1; ///< scene whose score (and bands) the preview keeps
    /// Whether the preview keeps the current scene's bands besides its score: a copy of
    /// every band per change, which only views that draw the scene itself need.
    bool current_bands = true;
};

/// When a run shows a coarse preview before the full one: when the full viewport's
/// score and composite took at least `min_ms` last time (scores from the cache count 0) and
/// it has at least `min_pixels` output pixels. The default: when the full one takes more than
/// half a 60 Hz frame (the overlay still has to be drawn), so that a change shows within
/// the frame it was made in.
struct CoarseFirst {
    bool enabled = true;
    double min_ms = 8;
    std::int64_t min_pixels = 512 * 512;
    int factor = 2; ///< every factor-th pixel of every factor-th row
};

/// Counts of the work a pipeline did, for tests and diagnostics.
struct ViewportCounters {
    std::size_t scene_reads = 0; ///< windowed scene reads (one per scene per new view)
    std::size_t statistics = 0;  ///< stack statistics computed on the full view
    /// of those, made from the last ones by their haze step alone (relower_statistics)
    std::size_t relowered_statistics = 0;
    std::size_t scorings = 0;   ///< full-view stack scorings
    std::size_t composites = 0; ///< full-view composites
    /// full-view composites written by the scoring itself, from the winners it made (a cloud
    /// threshold change scored in strips), instead of from every scene's scores read again
    std::size_t winner_composites = 0;
    std::size_t coarse = 0; ///< coarse previews made
};

namespace detail {
class OpenScenes;
}

class ViewportPipeline {
public:
    /// Reads `window` of a scene decimated to out_rows x out_cols (nearest neighbour). The
    /// default keeps each scene's SceneReader open across views (until clear() or a request
    /// without that scene); calls for different scenes may run in parallel.
    using ReadFn = std::function<Raster(const SceneSource& scene, const Window& window,
                                        int out_rows, int out_cols)>;
    /// `read_threads`: scenes read at once (0: the cores, at least 2, since reads of many
    /// files mostly wait for I/O).
    explicit ViewportPipeline(ReadFn read = {}, int read_threads = 0);
    ~ViewportPipeline();
    ViewportPipeline(const ViewportPipeline&) = delete;
    ViewportPipeline& operator=(const ViewportPipeline&) = delete;

    /// The coarse first preview's settings. The factor, once chosen, is kept for the rest of
    /// a view (a finer one would make the coarse stack and planes afresh); new settings
    /// choose again.
    void set_coarse_first(const CoarseFirst& c);
    CoarseFirst coarse_first() const;
    /// Whether run(request) would first call on_coarse (decided from the previous run's
    /// times and the cache; always, for views of at least CoarseFirst::min_pixels, when the
    /// request needs stack statistics the cache does not hold). It waits while a run is
    /// making the statistics of that view: call it from the thread that runs the pipeline.
    bool shows_coarse_first(const ViewportRequest& request) const;

    /// The preview of `request`, reusing the cached reads, statistics and scores that still
    /// apply and keeping the new ones (also when a later stage is cancelled). When
    /// shows_coarse_first(request), `on_coarse` receives the coarse preview first (on this
    /// thread). `progress` is checked between scenes and inside the kernels: returning false
    /// throws rb::Cancelled. Errors of reads (IoError naming the file) and of scoring
    /// propagate. One run at a time per pipeline; clear() and counters() may be called from
    /// any thread meanwhile.
    ViewportPreview run(const ViewportRequest& request, Progress progress = {},
                        const std::function<void(ViewportPreview)>& on_coarse = {});
    /// The coarse preview alone (coarser_plan(plan, factor) from the cached reads, read
    /// first when needed): statistics of the full view when cached, else of the coarse stack.
    ViewportPreview coarse(const ViewportRequest& request, int factor = 2, Progress progress = {});

    /// Drops every cached read, statistic and score and closes the scenes kept open (new
    /// scenes, files changed on disk, or memory to give back).
    void clear();
    /// True when the reads of `scenes` for `plan` are cached.
    bool has_reads(const std::vector<SceneSource>& scenes, const ViewportPlan& plan) const;
    ViewportCounters counters() const;

private:
    struct Reads;
    struct Scores;
    std::shared_ptr<const Reads> reads_for(const ViewportRequest& request, Progress& progress,
                                           double* ms);
    std::shared_ptr<const Scores> cached_scores(const std::shared_ptr<const Reads>& reads,
                                                const Scorer* scorer) const;
    /// Whether `request` needs stack statistics that the cached reads do not hold.
    bool needs_new_statistics(const ViewportRequest& request) const;
    /// shows_coarse_first(request), given needs_new_statistics(request).
    bool coarse_first_for(const ViewportRequest& request, bool new_statistics) const;
    ViewportPreview coarse_from(const ViewportRequest& request, const Reads& reads,
                                const Scores* scores, int factor, Progress& progress);

    std::shared_ptr<detail::OpenScenes> open_; ///< the default read's open scenes
    ReadFn read_;
    int read_threads_ = 0;
    mutable std::mutex mutex_; ///< guards everything below
    CoarseFirst coarse_first_;
    std::shared_ptr<const Reads> reads_;
    std::shared_ptr<const Scores> scores_;
    double last_score_ms_ = 0, last_composite_ms_ = 0;
    int last_coarse_factor_ = 0; ///< the coarse first preview's last factor (0: none yet)
    std::weak_ptr<const Reads> last_coarse_reads_; ///< the view it was for
    ViewportCounters counters_;
    /// The last full-resolution composite, when the preview took a crop of it (a halo around
    /// the view): the next composite writes into its storage instead of page-faulting fresh
    /// memory (a tenth of a threshold change's time in bench_score_preview).
    CompositeResult composite_spare_;
};

/// One pixel of every scene at full resolution: band `band`'s values and the scores the
/// full-resolution composite gives it.
struct ScoredPixel {
    int col = -1, row = -1;
    int band = 0; ///< 0-based band whose values are listed
    std::vector<double> values;
    std::vector<bool> valid;
    std::vector<float> scores;
    int winner = -1; ///< scene index of the composite's winner, -1 when none
};

/// Reads the pixel (col, row) of every scene with the scorer's halo around it (clamped to
/// the `width` x `height` grid), scores and composites that window, and returns the pixel.
/// ArgumentError when the pixel is outside the grid; read errors propagate.
ScoredPixel inspect_pixel(const std::vector<SceneSource>& scenes, const Scorer& scorer,
                          const CompositeOptions& options, std::int64_t col, std::int64_t row,
                          int band, std::int64_t width, std::int64_t height,
                          Progress progress = {});

} // namespace rb
