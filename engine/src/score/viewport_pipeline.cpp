#include "rasterbench/viewport_pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>

#include "composite_own_scores.h"
#include "open_scenes.h"
#include "rasterbench/error.h"
#include "score_stack_into.h"

namespace rb {

namespace {

using Clock = std::chrono::steady_clock;

/// What the coarse first preview aims at (see run()): an eighth of a 60 Hz frame, so that
/// the first image of a change comes within the frame it was made in. The full image waits
/// for it, so it is kept to a few percent of the full one: in bench_score_preview (cloud
/// threshold changes, 12 scenes of 1200 x 1200 px) a 4 ms target chose factor 4, whose
/// image took 4.5 ms of a 51 ms change; 2 ms chooses factor 8: 1.9 ms of 48 ms.
constexpr double kCoarseTargetMs = 2;

double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

bool sameScenes(const std::vector<SceneSource>& a, const std::vector<SceneSource>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const SceneSource& x, const SceneSource& y) { return x.files == y.files; });
}

/// Runs read(i) for i in [0, n) on up to `threads` threads and waits; rethrows the first
/// error. `progress` (a copy per thread) is checked before each read.
template <class Read>
void readEach(std::size_t n, int threads, const Progress& progress, Read read) {
    std::atomic<std::size_t> next{0};
    std::mutex m;
    std::exception_ptr error;
    const auto work = [&] {
        Progress p = progress;
        for (std::size_t i; (i = next.fetch_add(1)) < n;) {
            try {
                p.check();
                read(i);
            } catch (...) {
                const std::lock_guard lock(m);
                if (!error)
                    error = std::current_exception();
                next.store(n); // the others stop after their current read
            }
        }
    };
    const std::size_t count = std::min<std::size_t>(n, std::size_t(std::max(1, threads)));
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < count; ++t)
        pool.emplace_back(work);
    work();
    pool.clear(); // joins
    if (error)
        std::rethrow_exception(error);
}

int defaultReadThreads() {
    return std::max(2, int(std::thread::hardware_concurrency()));
}

/// `r` cropped to `w`: moved when `w` is all of it (a view without a halo beyond the
/// scene's edges), instead of copied.
Raster cropped(Raster&& r, const Window& w) {
    if (w.col_off == 0 && w.row_off == 0 && w.width == r.cols() && w.height == r.rows())
        return std::move(r);
    return crop(r, w);
}

/// Fills a preview from a stack (on preview.plan's output grid), its scores and their
/// composite, cropped to the plan's visible part; the current scene's bands only when
/// `bands`.
void assemble(ViewportPreview& preview, const std::vector<Raster>& stack,
              const std::vector<Raster>& scores, CompositeResult&& c, bool bands) {
    const Window& w = preview.plan.crop;
    preview.composite.composite = cropped(std::move(c.composite), w);
    preview.composite.index = cropped(std::move(c.index), w);
    preview.composite.score = cropped(std::move(c.score), w);
    preview.composite.count = cropped(std::move(c.count), w);
    for (auto& r : c.best_rank)
        preview.composite.best_rank.push_back(cropped(std::move(r), w));
    for (auto& r : c.worst_rank)
        preview.composite.worst_rank.push_back(cropped(std::move(r), w));
    if (preview.current >= 0 && preview.current < int(stack.size())) {
        if (bands)
            preview.scene = crop(stack[std::size_t(preview.current)], w);
        preview.score = crop(scores[std::size_t(preview.current)], w);
    }
}

/// The composite of a stack and the scores the pipeline made from it.
CompositeResult ownComposite(std::span<const Raster> stack, std::span<const Raster> scores,
                             const CompositeOptions& options, const Progress& progress) {
    CompositeResult c;
    detail::composite_own_scores_into(stack, scores, options, c, progress);
    return c;
}

bool covers(const StackStatsNeeds& have, const StackStatsNeeds& want) {
    return (have.median || !want.median) && (have.mean || !want.mean) && (have.min || !want.min) &&
           (have.max || !want.max) && (have.count || !want.count) &&
           (!want.background ||
            (have.background && have.background_tolerance == want.background_tolerance &&
             have.background_radius == want.background_radius &&
             have.background_rounds == want.background_rounds &&
             have.background_bands == want.background_bands && have.haze_bands == want.haze_bands &&
             have.haze_white == want.haze_white));
}

// Whether statistics made with `have` become those of `want` by relower_statistics: they
// kept their background before the haze step, and only the haze step's options differ.
bool relowers(const StackStatsNeeds& have, const StackStatsNeeds& want) {
    StackStatsNeeds relowered = have;
    relowered.haze_bands = want.haze_bands;
    relowered.haze_white = want.haze_white;
    return have.keep_unlowered && have.background && want.background && covers(relowered, want);
}

} // namespace

ViewportPlan plan_viewport(const Window& visible, int screen_cols, int screen_rows, int halo,
                           std::int64_t width, std::int64_t height, int scenes,
                           std::size_t bytes_per_pixel, std::size_t budget_bytes) {
    ViewportPlan plan;
    const Window vis = visible.clamped(width, height);
    if (vis.empty() || screen_cols <= 0 || screen_rows <= 0)
        return plan;
    // Integer decimation: an output pixel is the nearest scene pixel of a step x step cell,
    // so the halo (in output pixels) maps to scene pixels exactly.
    auto step = std::max<std::int64_t>({1, (vis.width + screen_cols - 1) / screen_cols,
                                        (vis.height + screen_rows - 1) / screen_rows});
    const auto bytes = [&](std::int64_t s) {
        const double w = double(vis.width) / double(s) + 2.0 * halo,
                     h = double(vis.height) / double(s) + 2.0 * halo;
        return w * h * double(std::max(scenes, 1)) * double(bytes_per_pixel);
    };
    while (bytes(step) > double(budget_bytes) && step < std::max(vis.width, vis.height))
        ++step;
    const std::int64_t pad = std::int64_t(halo) * step;
    const std::int64_t c0 = std::max<std::int64_t>(0, vis.col_off - pad),
                       r0 = std::max<std::int64_t>(0, vis.row_off - pad),
                       c1 = std::min(width, vis.col_end() + pad),
                       r1 = std::min(height, vis.row_end() + pad);
    plan.read = {c0, r0, c1 - c0, r1 - r0};
    plan.step = int(step);
    plan.out_cols = int((plan.read.width + step - 1) / step);
    plan.out_rows = int((plan.read.height + step - 1) / step);
    // GDAL spreads the read window over the output size, so output pixel j covers
    // [j * rx, (j + 1) * rx) of the window.
    const double rx = double(plan.read.width) / plan.out_cols,
                 ry = double(plan.read.height) / plan.out_rows;
    const auto lo = [](double v) { return std::int64_t(std::floor(v + 1e-9)); };
    const auto hi = [](double v) { return std::int64_t(std::ceil(v - 1e-9)); };
    const std::int64_t x0 = std::clamp<std::int64_t>(lo((vis.col_off - c0) / rx), 0, plan.out_cols),
                       x1 = std::clamp<std::int64_t>(hi((vis.col_end() - c0) / rx), 0,
                                                     plan.out_cols),
                       y0 = std::clamp<std::int64_t>(lo((vis.row_off - r0) / ry), 0, plan.out_rows),
                       y1 = std::clamp<std::int64_t>(hi((vis.row_end() - r0) / ry), 0,
                                                     plan.out_rows);
    plan.crop = {x0, y0, x1 - x0, y1 - y0};
    plan.pixels = {double(c0) + double(x0) * rx, double(r0) + double(y0) * ry, double(x1 - x0) * rx,
                   double(y1 - y0) * ry};
    return plan;
}

ViewportPlan coarser_plan(const ViewportPlan& p, int f) {
    if (f < 1)
        throw ArgumentError("coarser viewport plan: factor " + std::to_string(f) +
                            " must be at least 1");
    ViewportPlan c = p;
    c.step = p.step * f;
    c.out_cols = (p.out_cols + f - 1) / f;
    c.out_rows = (p.out_rows + f - 1) / f;
    const std::int64_t x0 = p.crop.col_off / f, y0 = p.crop.row_off / f,
                       x1 = (p.crop.col_end() + f - 1) / f, y1 = (p.crop.row_end() + f - 1) / f;
    c.crop = {x0, y0, x1 - x0, y1 - y0};
    // Scene pixels per output pixel of the fine plan; a coarse pixel spans f of them.
    const double rx = double(p.read.width) / std::max(1, p.out_cols),
                 ry = double(p.read.height) / std::max(1, p.out_rows);
    c.pixels = {double(p.read.col_off) + double(x0 * f) * rx,
                double(p.read.row_off) + double(y0 * f) * ry, double((x1 - x0) * f) * rx,
                double((y1 - y0) * f) * ry};
    return c;
}

int coarse_statistics_factor(std::int64_t view_pixels, int scenes, int least) {
    // Measured on 12 scenes of 1200 x 1200 px (cloud, 2 cores): the coarse first image of a
    // method switch took 44-50 ms at factor 8 (270,000 pixels), 9-13 ms at 16 (67,500).
    int factor = std::max(1, least);
    const std::int64_t samples = std::max<std::int64_t>(0, view_pixels) * std::max(0, scenes);
    while (factor < 64 && samples > kCoarseStatisticsSamples * factor * factor)
        factor *= 2;
    return factor;
}

StackStatsNeeds coarse_statistics_needs(const StackStatsNeeds& needs, int factor) {
    // The background's neighbourhood is a distance on the ground: on a grid of every
    // factor-th pixel it spans a factor's fewer pixels (at least one; unscaled, the coarse
    // statistics of 12 scenes of 75 x 75 px at factor 16 took 19 ms, 8 with radius 1). A
    // round of the refinement spreads the background a window farther: fewer rounds where
    // the coarse window spans more ground (there 0.375 of them: 2.6-3.2 ms instead of 6.2;
    // the method change's first image 7.5-11.0 ms instead of 11.7-13.9).
    StackStatsNeeds n = needs;
    if (factor <= 1)
        return n;
    n.background_radius = std::max(1, (needs.background_radius + factor / 2) / factor);
    n.background_rounds =
        std::min(needs.background_rounds,
                 double(needs.background_radius) / (double(factor) * n.background_radius));
    return n;
}

std::size_t viewport_bytes_per_pixel(const BandLayout& layout) {
    // The bands with their masks, the score and its mask, and the planes kept for rescoring
    // (validity, the method's score, the distance to invalid pixels, the cloud method's
    // tie-break and the distance it averages, its verdicts: cloud, shadow, probability, the
    // previous ones, their penalty classes, and their inputs: visible mean, flatness, class
    // bits, the spectral tests' failures; the temperature's and cirrus's shares, kept only
    // for scenes with those bands, are left out). The cloud method holds all of these from its
    // first pass on.
    return std::size_t(layout.count) * (dtype_size(layout.dtype) + 1) + sizeof(float) + 1 + 1 +
           sizeof(float) + sizeof(std::uint16_t) + 2 * sizeof(float) + 2 * (1 + 1 + sizeof(float)) +
           1 + 2 * sizeof(float) + 1 + 1;
}

/// Reads of every scene for one plan (the per-view cache), with what is derived from the
/// pixels alone: the stack statistics and the coarse stack, each made on first use.
struct ViewportPipeline::Reads {
    ViewportPlan plan;
    std::vector<SceneSource> sources;
    std::vector<Raster> scenes;

    /// Statistics covering `needs` (computed and kept on first use; `computed` is set when
    /// this call computed them).
    std::shared_ptr<const StackStats> statistics(const StackStatsNeeds& needs, bool* computed,
                                                 bool* relowered) const {
        const std::lock_guard lock(mutex);
        if (stats && !covers(statsNeeds, needs) && relowers(statsNeeds, needs)) {
            // Another white of the haze step (the reflectance offset): that step alone.
            stats = std::make_shared<const StackStats>(relower_statistics(scenes, *stats, needs));
            statsNeeds.haze_bands = needs.haze_bands;
            statsNeeds.haze_white = needs.haze_white;
            *computed = *relowered = true;
        } else if (!stats || !covers(statsNeeds, needs)) {
            StackStatsNeeds all = statsNeeds;
            // The haze step's own options may change on their own (relowers).
            all.keep_unlowered = true;
            all.median |= needs.median;
            all.mean |= needs.mean;
            all.min |= needs.min;
            all.max |= needs.max;
            all.count |= needs.count;
            all.background |= needs.background;
            if (needs.background) {
                all.background_tolerance = needs.background_tolerance;
                all.background_radius = needs.background_radius;
                all.background_bands = needs.background_bands;
                all.haze_bands = needs.haze_bands;
                all.haze_white = needs.haze_white;
            }
            stats = std::make_shared<const StackStats>(stack_statistics(scenes, all));
            statsNeeds = all;
            *computed = true;
        }
        return stats;
    }
    /// The cached statistics covering `needs`, or null (never computes).
    std::shared_ptr<const StackStats> cachedStatistics(const StackStatsNeeds& needs) const {
        const std::lock_guard lock(mutex);
        return stats && covers(statsNeeds, needs) ? stats : nullptr;
    }
    /// cachedStatistics(needs) at every f-th pixel (the coarse preview's), made once per
    /// statistics and factor (subsampling them took 1-3 ms of a 5 ms coarse preview in
    /// bench_score_preview); null when none are cached.
    std::shared_ptr<const StackStats> cachedCoarseStatistics(const StackStatsNeeds& needs,
                                                             int f) const {
        const std::lock_guard lock(mutex);
        if (!stats || !covers(statsNeeds, needs))
            return nullptr;
        if (coarseStatsOf != stats || coarseStatsFactor != f) {
            coarseStats = std::make_shared<const StackStats>(subsample(*stats, f));
            coarseStatsOf = stats;
            coarseStatsFactor = f;
        }
        return coarseStats;
    }
    /// Every f-th pixel of the reads (the coarse preview's stack), made once per factor.
    std::shared_ptr<const std::vector<Raster>> coarse(int f) const {
        const std::lock_guard lock(mutex);
        if (!coarseScenes || coarseFactor != f) {
            auto c = std::make_shared<std::vector<Raster>>();
            for (const auto& r : scenes)
                c->push_back(subsample(r, f));
            coarseScenes = std::move(c);
            coarseFactor = f;
        }
        return coarseScenes;
    }

    /// Scores of the reads (or of the coarse stack of factor `f`, f > 1) under `scorer`,
    /// reusing the planes the previous options left (ScorePlanes): a penalty or threshold
    /// change does not redo the method, a method change does not redo validity. `reuse`:
    /// rasters whose storage the scores take (the previous change's). `winners`: the
    /// composite's, made with the scores where they are asked for and the scores allow.
    std::vector<Raster> score(std::span<const Raster> stack, int f, const Scorer& scorer,
                              const std::shared_ptr<const StackStats>& st, Progress& progress,
                              std::vector<Raster> reuse = {},
                              detail::StackWinners* winners = nullptr) const {
        const std::lock_guard lock(planesMutex);
        // The coarse stack's planes hold for one factor and one set of statistics (its
        // own, or the full view's subsampled once those exist: another background).
        if (f > 1 && (planesFactor != f || coarsePlanesStats != st)) {
            coarsePlanes.clear();
            planesFactor = f;
            coarsePlanesStats = st;
        }
        detail::score_stack_into(stack, scorer, st.get(), f > 1 ? coarsePlanes : planes, reuse,
                                 progress, winners);
        return reuse;
    }

    /// Rasters of the last coarse preview's scores, whose storage the next one takes.
    std::vector<Raster> takeCoarseSpare() const {
        const std::lock_guard lock(planesMutex);
        return std::move(coarseSpare);
    }
    void keepCoarseSpare(std::vector<Raster> scores) const {
        const std::lock_guard lock(planesMutex);
        coarseSpare = std::move(scores);
    }

private:
    mutable std::mutex planesMutex; ///< held while a scoring uses the planes
    mutable std::vector<Raster> coarseSpare;
    mutable std::vector<ScorePlanes> planes, coarsePlanes;
    mutable int planesFactor = 0;
    mutable std::shared_ptr<const StackStats> coarsePlanesStats; ///< what coarsePlanes hold for
    mutable std::mutex mutex;
    mutable std::shared_ptr<const StackStats> stats;
    mutable StackStatsNeeds statsNeeds;
    mutable std::shared_ptr<const std::vector<Raster>> coarseScenes;
    mutable int coarseFactor = 0;
    mutable std::shared_ptr<const StackStats> coarseStats, coarseStatsOf;
    mutable int coarseStatsFactor = 0;
};

/// Scores of one Reads under one scorer.
struct ViewportPipeline::Scores {
    std::shared_ptr<const Reads> reads;
    std::shared_ptr<const Scorer> scorer; ///< kept alive: the cache key is its identity
    std::vector<Raster> scores;
};

ViewportPipeline::ViewportPipeline(ReadFn read, int read_threads)
    : read_threads_(read_threads > 0 ? read_threads : defaultReadThreads()) {
    if (read) {
        read_ = std::move(read);
    } else {
        open_ = std::make_shared<detail::OpenScenes>();
        read_ = [open = open_](const SceneSource& scene, const Window& window, int rows, int cols) {
            return open->read(scene, window, rows, cols);
        };
    }
}

ViewportPipeline::~ViewportPipeline() = default;

void ViewportPipeline::set_coarse_first(const CoarseFirst& c) {
    if (c.factor < 1)
        throw ArgumentError("coarse first preview: factor " + std::to_string(c.factor) +
                            " must be at least 1");
    const std::lock_guard lock(mutex_);
    coarse_first_ = c;
    // The factor kept within a view was chosen under the settings before.
    last_coarse_factor_ = 0;
    last_coarse_reads_.reset();
}

CoarseFirst ViewportPipeline::coarse_first() const {
    const std::lock_guard lock(mutex_);
    return coarse_first_;
}

bool ViewportPipeline::needs_new_statistics(const ViewportRequest& request) const {
    const StackStatsNeeds needs = request.scorer->stack_needs();
    if (!needs.any())
        return false;
    std::shared_ptr<const Reads> reads;
    {
        const std::lock_guard lock(mutex_);
        if (reads_ && reads_->plan == request.plan && sameScenes(reads_->sources, request.scenes))
            reads = reads_;
    }
    // Outside the pipeline's lock: the reads' own lock is held while statistics are made.
    return !reads || !reads->cachedStatistics(needs);
}

bool ViewportPipeline::shows_coarse_first(const ViewportRequest& request) const {
    return request.scorer && coarse_first_for(request, needs_new_statistics(request));
}

bool ViewportPipeline::coarse_first_for(const ViewportRequest& request, bool newStatistics) const {
    // New statistics of the view take far longer than the scores (the clear background of
    // 12 scenes of 1200 x 1200 px: over a second), so their first image is always coarse.
    const std::lock_guard lock(mutex_);
    if (!coarse_first_.enabled || coarse_first_.factor < 2)
        return false;
    const bool scored = reads_ && scores_ && scores_->reads == reads_ &&
                        scores_->scorer == request.scorer && reads_->plan == request.plan &&
                        sameScenes(reads_->sources, request.scenes);
    const double expected = (scored ? 0.0 : last_score_ms_) + last_composite_ms_;
    return (newStatistics || expected >= coarse_first_.min_ms) &&
           std::int64_t(request.plan.out_cols) * request.plan.out_rows >= coarse_first_.min_pixels;
}

void ViewportPipeline::clear() {
    {
        const std::lock_guard lock(mutex_);
        reads_.reset();
        scores_.reset();
    }
    if (open_)
        open_->clear();
}

bool ViewportPipeline::has_reads(const std::vector<SceneSource>& scenes,
                                 const ViewportPlan& plan) const {
    const std::lock_guard lock(mutex_);
    return reads_ && reads_->plan == plan && sameScenes(reads_->sources, scenes);
}

ViewportCounters ViewportPipeline::counters() const {
    const std::lock_guard lock(mutex_);
    return counters_;
}

std::shared_ptr<const ViewportPipeline::Reads>
ViewportPipeline::reads_for(const ViewportRequest& request, Progress& progress, double* ms) {
    {
        const std::lock_guard lock(mutex_);
        if (reads_ && reads_->plan == request.plan && sameScenes(reads_->sources, request.scenes))
            return reads_;
    }
    if (request.plan.read.empty())
        throw ArgumentError("viewport pipeline: the plan reads nothing (an empty view)");
    const auto t = Clock::now();
    auto r = std::make_shared<Reads>();
    r->plan = request.plan;
    r->sources = request.scenes;
    r->scenes.resize(request.scenes.size());
    readEach(request.scenes.size(), read_threads_, progress, [&](std::size_t i) {
        r->scenes[i] = read_(request.scenes[i], request.plan.read, request.plan.out_rows,
                             request.plan.out_cols);
    });
    progress.check();
    *ms = msSince(t);
    if (open_)
        open_->retain(request.scenes); // scenes no longer asked for are closed
    const std::lock_guard lock(mutex_);
    counters_.scene_reads += request.scenes.size();
    reads_ = r;
    scores_.reset(); // of other reads
    return r;
}

std::shared_ptr<const ViewportPipeline::Scores>
ViewportPipeline::cached_scores(const std::shared_ptr<const Reads>& reads,
                                const Scorer* scorer) const {
    const std::lock_guard lock(mutex_);
    return scores_ && scores_->reads == reads && scores_->scorer.get() == scorer ? scores_
                                                                                 : nullptr;
}

ViewportPreview ViewportPipeline::coarse_from(const ViewportRequest& request, const Reads& reads,
                                              const Scores* scored, int factor,
                                              Progress& progress) {
    ViewportPreview cr;
    cr.plan = coarser_plan(request.plan, factor);
    cr.current = request.current;
    cr.coarse = true;
    const auto coarseStack = reads.coarse(factor);
    const std::vector<Raster>& stack = *coarseStack;
    std::vector<Raster> scores;
    if (scored) {
        for (const auto& r : scored->scores)
            scores.push_back(subsample(r, factor));
    } else {
        // Statistics of the full view when cached, else of the coarse stack (a fraction of
        // the cost; the full pass computes and keeps its own).
        const StackStatsNeeds needs = request.scorer->stack_needs();
        std::shared_ptr<const StackStats> st;
        if (needs.any()) {
            st = reads.cachedCoarseStatistics(needs, factor);
            if (!st)
                st = std::make_shared<const StackStats>(
                    stack_statistics(stack, coarse_statistics_needs(needs, factor)));
        }
        scores = reads.score(stack, factor, *request.scorer, st, progress, reads.takeCoarseSpare());
    }
    assemble(cr, stack, scores, ownComposite(stack, scores, request.options, progress),
             request.current_bands);
    if (!scored)
        reads.keepCoarseSpare(std::move(scores));
    const std::lock_guard lock(mutex_);
    ++counters_.coarse;
    return cr;
}

ViewportPreview ViewportPipeline::coarse(const ViewportRequest& request, int factor,
                                         Progress progress) {
    if (!request.scorer)
        throw ArgumentError("viewport pipeline: no scorer");
    if (factor < 1)
        throw ArgumentError("coarse viewport preview: factor " + std::to_string(factor) +
                            " must be at least 1");
    double readMs = 0;
    const auto reads = reads_for(request, progress, &readMs);
    const auto scored = cached_scores(reads, request.scorer.get());
    ViewportPreview p = coarse_from(request, *reads, scored.get(), factor, progress);
    p.read_ms = readMs;
    return p;
}

ViewportPreview ViewportPipeline::run(const ViewportRequest& request, Progress progress,
                                      const std::function<void(ViewportPreview)>& on_coarse) {
    if (!request.scorer)
        throw ArgumentError("viewport pipeline: no scorer");
    const bool newStatistics = needs_new_statistics(request);
    const bool coarseFirst = on_coarse && coarse_first_for(request, newStatistics);
    ViewportPreview result;
    result.plan = request.plan;
    result.current = request.current;
    const auto reads = reads_for(request, progress, &result.read_ms);
    int factor = 0;
    {
        const std::lock_guard lock(mutex_);
        factor = coarse_first_.factor;
        // The factor doubles (up to 8) while the coarse preview's expected time (the last
        // full one over factor^2) exceeds kCoarseTargetMs: the first image comes in about
        // that time at any zoom and viewport size. With new statistics the coarse preview
        // makes its own, and the size of its stack decides (coarse_statistics_factor).
        const double expected = last_score_ms_ + last_composite_ms_;
        if (newStatistics) {
            factor = coarse_statistics_factor(std::int64_t(request.plan.out_cols) *
                                                  request.plan.out_rows,
                                              int(request.scenes.size()), factor);
        } else {
            while (factor < 8 && expected > kCoarseTargetMs * factor * factor)
                factor *= 2;
            // A smaller factor than the last only where the last full time is well within
            // its bound. The coarse stack and the planes kept for its scores hold for one
            // factor, and one change can be much faster than the next (a change back to
            // verdicts kept): a factor that followed each time flipped, and the coarse
            // preview after it took a full pass at the other factor (bench_score_preview,
            // brightness_min: 21-23 ms after a change back, against 1.5-2 ms).
            if (factor < last_coarse_factor_ && expected > kCoarseTargetMs * factor * factor / 2)
                factor = std::min(last_coarse_factor_, 2 * factor);
            // Nor within one view at all: the coarse stack and planes of a smaller factor
            // are made afresh, which took 18-20 ms (factor 16 to 8 on the second change after
            // a method change in bench_score_preview, against 1-2 ms kept), while the larger
            // factor's image still comes within the target.
            if (factor < last_coarse_factor_ && last_coarse_reads_.lock() == reads)
                factor = last_coarse_factor_;
        }
        factor = std::max(factor, coarse_first_.factor);
        last_coarse_factor_ = factor;
        last_coarse_reads_ = reads;
    }
    auto scored = cached_scores(reads, request.scorer.get());
    if (coarseFirst)
        on_coarse(coarse_from(request, *reads, scored.get(), factor, progress));
    CompositeResult composite;
    {
        const std::lock_guard lock(mutex_);
        composite = std::move(composite_spare_);
        composite_spare_ = {};
    }
    bool composited = false;     // by the scoring, from the winners it made
    bool madeStatistics = false; // the view's statistics, made whole by this run
    if (!scored) {
        const auto t = Clock::now();
        // The previous scores of these reads, when nothing else holds them (they are the
        // pipeline's own: previews get crops), lend their storage to the new ones.
        std::vector<Raster> reuse;
        auto s = std::make_shared<Scores>();
        {
            const std::lock_guard lock(mutex_);
            if (scores_ && scores_.use_count() == 1 && scores_->reads == reads) {
                reuse = std::move(const_cast<Scores&>(*scores_).scores);
                scores_.reset();
            }
        }
        // Where the scores are made in strips (a cloud threshold change), the composite's
        // winners are made with them and its rows written while they are in the cache
        // (BestRows): the scores are then not read again, nor the winners stored.
        detail::StackWinners winners =
            detail::winners_request(request.options, reads->scenes.size());
        std::optional<detail::BestRows> rows;
        if (!winners.order.empty())
            rows = detail::best_rows_for(reads->scenes, request.options, composite);
        if (rows)
            winners.deliver = [&rows](int y0, int y1, const float* best, const std::int32_t* scene,
                                      const std::int32_t* count) {
                rows->write(y0, y1, best, scene, count);
            };
        s->reads = reads;
        s->scorer = request.scorer;
        const StackStatsNeeds needs = request.scorer->stack_needs();
        bool computed = false, relowered = false;
        const auto stats = needs.any() ? reads->statistics(needs, &computed, &relowered) : nullptr;
        s->scores = reads->score(reads->scenes, 1, *request.scorer, stats, progress,
                                 std::move(reuse), rows ? &winners : nullptr);
        composited = rows && winners.made;
        madeStatistics = computed && !relowered;
        result.score_ms = msSince(t);
        const std::lock_guard lock(mutex_);
        counters_.statistics += computed ? 1 : 0;
        counters_.relowered_statistics += relowered ? 1 : 0;
        ++counters_.scorings;
        if (reads_ == reads)
            scores_ = s;
        scored = std::move(s);
    }
    const auto t = Clock::now();
    if (!composited)
        detail::composite_own_scores_into(reads->scenes, scored->scores, request.options, composite,
                                          progress);
    // What the preview does not take whole (a crop) stays for the next composite.
    assemble(result, reads->scenes, scored->scores, std::move(composite), request.current_bands);
    result.composite_ms = msSince(t);
    // Where the preview took the composite whole (a moved-from raster keeps its shape: its
    // bytes tell), the next change would write its own into fresh memory while this one is
    // still shown. After a run that made the view's statistics (a method change, a new view:
    // seconds; not their haze step alone, which a reflectance offset redoes), a copy of it, in
    // memory already touched, serves as the next one's storage. Without it the first threshold
    // change after a method change page-faulted its outputs (20 MB at 1200 x 1200 px, three bands):
    // 58-73 against 27-34 ms for the next change in bench_score_preview; with it 31 ms.
    if (madeStatistics && composite.composite.byte_size() == 0 &&
        result.composite.composite.byte_size() != 0)
        composite = result.composite;
    const std::lock_guard lock(mutex_);
    composite_spare_ = std::move(composite);
    ++counters_.composites;
    counters_.winner_composites += composited ? 1 : 0;
    if (result.score_ms > 0)
        last_score_ms_ = result.score_ms;
    last_composite_ms_ = result.composite_ms;
    return result;
}

ScoredPixel inspect_pixel(const std::vector<SceneSource>& scenes, const Scorer& scorer,
                          const CompositeOptions& options, std::int64_t col, std::int64_t row,
                          int band, std::int64_t width, std::int64_t height, Progress progress) {
    if (col < 0 || row < 0 || col >= width || row >= height)
        throw ArgumentError("inspect pixel: (" + std::to_string(col) + ", " + std::to_string(row) +
                            ") is outside the " + std::to_string(width) + " x " +
                            std::to_string(height) + " grid");
    ScoredPixel p;
    p.col = int(col);
    p.row = int(row);
    p.band = band;
    // Full resolution with the scorer's halo, so the scores are the ones the full-resolution
    // composite gives this pixel.
    const int halo = scorer.halo();
    const Window win =
        Window{col - halo, row - halo, 2 * halo + 1, 2 * halo + 1}.clamped(width, height);
    const int cc = int(col - win.col_off), cr = int(row - win.row_off);
    std::vector<Raster> reads(scenes.size());
    readEach(scenes.size(), defaultReadThreads(), progress,
             [&](std::size_t i) { reads[i] = SceneReader(scenes[i]).read(win); });
    progress.check();
    const auto scores = score_stack(reads, scorer, progress);
    const auto c = composite(reads, scores, options, progress);
    for (std::size_t i = 0; i < reads.size(); ++i) {
        const bool ok = band >= 0 && band < reads[i].bands();
        p.values.push_back(ok ? reads[i].value(band, cr, cc) : std::nan(""));
        p.valid.push_back(ok && reads[i].valid(band, cr, cc));
        p.scores.push_back(scores[i].valid(0, cr, cc)
                               ? scores[i].band<float>(
                                     0)[std::size_t(cr) * std::size_t(win.width) + std::size_t(cc)]
                               : kInvalidScore);
    }
    if (c.index.valid(0, cr, cc))
        p.winner = int(c.index.value(0, cr, cc));
    return p;
}

} // namespace rb
