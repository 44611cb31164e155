#include "CompositeController.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QPointer>
#include <QTemporaryDir>
#include <QThread>

#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "Background.h"
#include "MapCanvas.h"
#include "SceneRender.h"
#include "rasterbench/error.h"

namespace rb::ui {

namespace {

double msSince(const QElapsedTimer& t, qint64 startNs) {
    return double(t.nsecsElapsed() - startNs) / 1e6;
}

/// Per-band stretch indexed like `r`'s bands: the display's where given, else exact
/// percent-clip limits of the image itself.
std::vector<rb::StretchRange> stretchFor(const rb::Raster& r, const ScoreDisplay& d) {
    std::vector<rb::StretchRange> s = d.stretch;
    if (int(s.size()) < r.bands()) {
        const auto own = rb::compute_stretch(r, rb::StretchOptions{});
        for (std::size_t b = s.size(); b < own.size(); ++b)
            s.push_back(own[b]);
    }
    s.resize(std::size_t(r.bands()));
    return s;
}

rb::Rgba8Image renderBands(const rb::Raster& r, const ScoreDisplay& d) {
    rb::RenderOptions ro;
    ro.gamma = d.gamma;
    const bool bandsFit = std::all_of(d.rgbBands.begin(), d.rgbBands.end(),
                                      [&](int b) { return b >= 0 && b < r.bands(); });
    if (bandsFit && (d.rgbBands.size() == 3 || d.rgbBands.size() == 1))
        ro.rgb_bands = d.rgbBands;
    return rb::render_rgba(r, stretchFor(r, d), ro);
}

/// Percentile of a score raster's valid samples; NaN when none.
double scorePercentile(const rb::Raster& score, double p) {
    const auto s = score.band<float>(0);
    for (std::size_t i = 0; i < s.size(); ++i)
        if (score.valid(0, int(i / std::size_t(score.cols())), int(i % std::size_t(score.cols()))))
            return rb::band_percentile(score, 0, p);
    return std::nan("");
}

/// Runs read(i) for i in [0, n) on `pool` and waits; rethrows the first error. A pool of
/// its own, not the job's: a job waiting on tasks queued behind itself would deadlock.
template <class Read> void readEach(QThreadPool* pool, std::size_t n, Read read) {
    std::vector<std::size_t> items(n);
    for (std::size_t i = 0; i < n; ++i)
        items[i] = i;
    std::mutex m;
    std::exception_ptr error;
    QtConcurrent::blockingMap(pool, items, [&](std::size_t i) {
        try {
            read(i);
        } catch (...) {
            const std::lock_guard lock(m);
            if (!error)
                error = std::current_exception();
        }
    });
    if (error)
        std::rethrow_exception(error);
}

/// The plan of a preview `f` times coarser than `p` (every f-th output pixel of its read):
/// what rb::subsample gives from the cached reads.
ViewportPlan coarserPlan(const ViewportPlan& p, int f) {
    ViewportPlan c = p;
    c.step = p.step * f;
    c.outCols = (p.outCols + f - 1) / f;
    c.outRows = (p.outRows + f - 1) / f;
    const std::int64_t x0 = p.crop.col_off / f, y0 = p.crop.row_off / f,
                       x1 = (p.crop.col_end() + f - 1) / f, y1 = (p.crop.row_end() + f - 1) / f;
    c.crop = {x0, y0, x1 - x0, y1 - y0};
    // Scene pixels per output pixel of the fine plan; a coarse pixel spans f of them.
    const double rx = double(p.read.width) / std::max(1, p.outCols),
                 ry = double(p.read.height) / std::max(1, p.outRows);
    c.pixels = QRectF(double(p.read.col_off) + double(x0 * f) * rx,
                      double(p.read.row_off) + double(y0 * f) * ry, double((x1 - x0) * f) * rx,
                      double((y1 - y0) * f) * ry);
    return c;
}

/// Fills a preview from a stack (on result.plan's grid), its scores and their composite.
void assemble(ViewportResult& result, const std::vector<rb::Raster>& stack,
              const std::vector<rb::Raster>& scores, const rb::CompositeResult& c) {
    const rb::Window& w = result.plan.crop;
    result.composite.composite = rb::crop(c.composite, w);
    result.composite.index = rb::crop(c.index, w);
    result.composite.score = rb::crop(c.score, w);
    result.composite.count = rb::crop(c.count, w);
    for (const auto& r : c.best_rank)
        result.composite.best_rank.push_back(rb::crop(r, w));
    for (const auto& r : c.worst_rank)
        result.composite.worst_rank.push_back(rb::crop(r, w));
    if (result.current >= 0 && result.current < int(stack.size())) {
        result.scene = rb::crop(stack[std::size_t(result.current)], w);
        result.score = rb::crop(scores[std::size_t(result.current)], w);
    }
}

QString number(double v) {
    return QString::number(v, 'g', 4);
}

} // namespace

rb::SceneSource ScoreScene::source() const {
    rb::SceneSource s;
    s.files.push_back(path.toStdString());
    if (!qa.isEmpty())
        s.files.push_back(qa.toStdString());
    return s;
}

QString ScoreScene::label() const {
    return date ? QStringLiteral("%1 (%2)").arg(name, QString::fromStdString(date->iso())) : name;
}

ViewportPlan planViewport(const rb::Window& visible, QSize screen, int halo, std::int64_t width,
                          std::int64_t height, int scenes, std::size_t bytesPerPixel,
                          std::size_t budgetBytes) {
    ViewportPlan plan;
    const rb::Window vis = visible.clamped(width, height);
    if (vis.empty() || screen.isEmpty())
        return plan;
    // Integer decimation: an output pixel is the nearest scene pixel of a step x step cell,
    // so the halo (in output pixels) maps to scene pixels exactly.
    auto step = std::max<std::int64_t>({1, (vis.width + screen.width() - 1) / screen.width(),
                                        (vis.height + screen.height() - 1) / screen.height()});
    const auto bytes = [&](std::int64_t s) {
        const double w = double(vis.width) / double(s) + 2.0 * halo,
                     h = double(vis.height) / double(s) + 2.0 * halo;
        return w * h * double(std::max(scenes, 1)) * double(bytesPerPixel);
    };
    while (bytes(step) > double(budgetBytes) && step < std::max(vis.width, vis.height))
        ++step;
    const std::int64_t pad = std::int64_t(halo) * step;
    const std::int64_t c0 = std::max<std::int64_t>(0, vis.col_off - pad),
                       r0 = std::max<std::int64_t>(0, vis.row_off - pad),
                       c1 = std::min(width, vis.col_end() + pad),
                       r1 = std::min(height, vis.row_end() + pad);
    plan.read = {c0, r0, c1 - c0, r1 - r0};
    plan.step = int(step);
    plan.outCols = int((plan.read.width + step - 1) / step);
    plan.outRows = int((plan.read.height + step - 1) / step);
    // GDAL spreads the read window over the output size, so output pixel j covers
    // [j * rx, (j + 1) * rx) of the window.
    const double rx = double(plan.read.width) / plan.outCols,
                 ry = double(plan.read.height) / plan.outRows;
    const auto lo = [](double v) { return std::int64_t(std::floor(v + 1e-9)); };
    const auto hi = [](double v) { return std::int64_t(std::ceil(v - 1e-9)); };
    const std::int64_t x0 = std::clamp<std::int64_t>(lo((vis.col_off - c0) / rx), 0, plan.outCols),
                       x1 =
                           std::clamp<std::int64_t>(hi((vis.col_end() - c0) / rx), 0, plan.outCols),
                       y0 = std::clamp<std::int64_t>(lo((vis.row_off - r0) / ry), 0, plan.outRows),
                       y1 =
                           std::clamp<std::int64_t>(hi((vis.row_end() - r0) / ry), 0, plan.outRows);
    plan.crop = {x0, y0, x1 - x0, y1 - y0};
    plan.pixels = QRectF(double(c0) + double(x0) * rx, double(r0) + double(y0) * ry,
                         double(x1 - x0) * rx, double(y1 - y0) * ry);
    return plan;
}

/// Viewport reads of every scene, for one plan (the per-view cache).
struct CompositeController::Reads {
    ViewportPlan plan;
    std::vector<QString> files; ///< every scene's files, in order: what the reads are of
    std::vector<rb::Raster> scenes;

    /// The stack's per-pixel statistics covering `needs`: computed on first use and kept,
    /// since they depend on the pixels alone; a parameter change then only rescores.
    std::shared_ptr<const rb::StackStats> statistics(const rb::StackStatsNeeds& needs) const {
        const std::lock_guard lock(statsMutex);
        if (!hasStatistics(needs)) {
            rb::StackStatsNeeds all = statsNeeds;
            all.median |= needs.median;
            all.mean |= needs.mean;
            all.min |= needs.min;
            all.max |= needs.max;
            all.count |= needs.count;
            stats = std::make_shared<const rb::StackStats>(rb::stack_statistics(scenes, all));
            statsNeeds = all;
        }
        return stats;
    }

    /// Whether statistics() would answer without computing (call under statsMutex).
    bool hasStatistics(const rb::StackStatsNeeds& want) const {
        const rb::StackStatsNeeds& have = statsNeeds;
        return stats && (have.median || !want.median) && (have.mean || !want.mean) &&
               (have.min || !want.min) && (have.max || !want.max) && (have.count || !want.count);
    }
    /// The cached statistics covering `needs`, or null (never computes).
    std::shared_ptr<const rb::StackStats> cachedStatistics(const rb::StackStatsNeeds& needs) const {
        const std::lock_guard lock(statsMutex);
        return hasStatistics(needs) ? stats : nullptr;
    }

    /// Every other pixel of the reads (the coarse first preview's stack), made once.
    std::shared_ptr<const std::vector<rb::Raster>> coarse() const {
        const std::lock_guard lock(statsMutex);
        if (!coarseScenes) {
            auto c = std::make_shared<std::vector<rb::Raster>>();
            for (const auto& r : scenes)
                c->push_back(rb::subsample(r, 2));
            coarseScenes = std::move(c);
        }
        return coarseScenes;
    }

private:
    mutable std::shared_ptr<const std::vector<rb::Raster>> coarseScenes;
    mutable std::mutex statsMutex;
    mutable std::shared_ptr<const rb::StackStats> stats;
    mutable rb::StackStatsNeeds statsNeeds;
};

/// Scores of the cached reads under one set of score options.
struct CompositeController::Scored {
    std::shared_ptr<const Reads> reads;
    quint64 generation = 0;
    std::vector<rb::Raster> scores;
};

CompositeController::CompositeController(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas), latestView_(std::make_shared<std::atomic<quint64>>(0)),
      latestFull_(std::make_shared<std::atomic<quint64>>(0)),
      latestInspect_(std::make_shared<std::atomic<quint64>>(0)) {
    // One job of each kind at a time: a newer request cancels the running one, which the
    // engine's kernels parallelize themselves.
    viewPool_.setMaxThreadCount(1);
    fullPool_.setMaxThreadCount(1);
    inspectPool_.setMaxThreadCount(1);
    // Reads of many files overlap their I/O waits: at least two threads even on one core.
    readPool_.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    clock_.start();
    score_ = rb::make_score_options("median-distance");
    fullTimer_.setSingleShot(true);
    fullTimer_.setInterval(800); // slider drags come in bursts: full resolution waits
    connect(&fullTimer_, &QTimer::timeout, this, &CompositeController::startFull);
}

CompositeController::~CompositeController() {
    for (const auto& latest : {latestView_, latestFull_, latestInspect_})
        latest->store(~quint64(0)); // running jobs see they are stale and cancel
    viewPool_.waitForDone();
    fullPool_.waitForDone();
    inspectPool_.waitForDone();
    renderPool_.waitForDone();
    savePool_.waitForDone();
    if (canvas_)
        canvas_->setOverlay(kOverlayId, {}, {});
}

void CompositeController::setScenes(const std::vector<ScoreScene>& scenes) {
    const auto key = [](const std::vector<ScoreScene>& v) {
        QStringList k;
        for (const auto& s : v)
            k << s.path << s.qa;
        return k;
    };
    if (key(scenes) == key(scenes_) && !scenes_.empty())
        return;
    scenes_ = scenes;
    reads_.reset();
    scored_.reset();
    fullValid_ = false;
    layout_ = {};
    primaryBands_ = 0;
    width_ = height_ = 0;
    error_.clear();
    if (!scenes_.empty()) {
        try {
            const rb::SceneReader reader(scenes_.front().source());
            layout_ = reader.layout();
            primaryBands_ = reader.primary_bands();
            width_ = reader.profile().width;
            height_ = reader.profile().height;
        } catch (const std::exception& e) {
            error_ = QString::fromUtf8(e.what());
            emit message(error_);
        }
    }
    if (current_ >= int(scenes_.size()))
        current_ = -1;
    rebuildScorer();
    requestViewport();
}

void CompositeController::setCurrentScene(int index) {
    if (index == current_)
        return;
    current_ = index;
    // The score views follow the current scene; the composite does not change.
    requestViewport(false);
}

void CompositeController::setMethod(const QString& method) {
    rb::ScoreOptions next = rb::make_score_options(method.toStdString());
    // Band roles and penalties describe the data, not the method: keep them.
    next.penalties = score_.penalties;
    next.roles = score_.roles;
    score_ = std::move(next);
    rebuildScorer();
    requestViewport();
}

QString CompositeController::setScoreParam(const QString& name, const QString& value) {
    try {
        rb::ScoreOptions next = score_;
        rb::set_score_param(next, name.toStdString(), value.toStdString());
        score_ = std::move(next);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    rebuildScorer();
    if (!scorer_)
        return error_;
    requestViewport();
    return {};
}

QString CompositeController::setCompositeParam(const QString& name, const QString& value) {
    try {
        rb::CompositeOptions next = composite_;
        rb::CompositeOptions::params().set(next, name.toStdString(), value.toStdString());
        composite_ = std::move(next);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    // Scores do not depend on composite options: the cached ones are recomposited.
    requestViewport();
    return {};
}

rb::CompositeOptions CompositeController::effectiveCompositeOptions() const {
    rb::CompositeOptions o = composite_;
    // The quality file's bands are for scoring, not for the picture (as composite_files).
    if (o.bands.empty() && primaryBands_ > 0 && primaryBands_ < layout_.count)
        for (int b = 0; b < primaryBands_; ++b)
            o.bands.push_back(b);
    o.best_ranks = {1};
    o.worst_ranks = {1};
    return o;
}

void CompositeController::rebuildScorer() {
    ++scoreGeneration_;
    scored_.reset();
    fullValid_ = false;
    scorer_.reset();
    if (layout_.count == 0)
        return;
    try {
        // Parsing once here reports a bad expression or a missing role at once, and the
        // scorer is then shared by every job.
        scorer_ = std::make_shared<const rb::Scorer>(score_, layout_);
        error_.clear();
    } catch (const std::exception& e) {
        error_ = QString::fromUtf8(e.what());
    }
}

void CompositeController::setView(const rb::Window& visible, QSize screen) {
    if (visible == visible_ && screen == screen_)
        return;
    visible_ = visible;
    screen_ = screen;
    requestViewport(false);
}

void CompositeController::setDisplay(const ScoreDisplay& display) {
    display_ = display;
    rerender();
}

void CompositeController::setEnabled(bool on) {
    if (on == enabled_)
        return;
    enabled_ = on;
    if (!on) {
        latestView_->store(++viewGeneration_);
        fullTimer_.stop();
        cancelFull();
        viewportPending_ = false;
        if (canvas_)
            canvas_->setOverlay(kOverlayId, {}, {});
    } else {
        fullCancelled_ = false;
        requestViewport(false);
    }
}

void CompositeController::requestViewport(bool restartClock) {
    if (restartClock || changeNs_ < 0)
        changeNs_ = clock_.nsecsElapsed();
    if (restartClock) {
        latestFull_->store(++fullGeneration_); // a running full job is now stale
        fullValid_ = false;
        fullCancelled_ = false;
    }
    if (!enabled_ || !scorer_ || scenes_.empty() || visible_.empty() || screen_.isEmpty()) {
        viewportPending_ = false;
        return;
    }
    viewportPending_ = true;
    latestView_->store(++viewGeneration_); // the running job (if any) cancels
    if (jobRunning_)
        rerun_ = true; // started when the running job returns
    else
        startViewport();
}

void CompositeController::startViewport() {
    struct Out {
        std::shared_ptr<const Reads> reads;
        std::shared_ptr<const Scored> scored;
        std::shared_ptr<const ViewportResult> result;
        QImage image;
        ScoreLegend legend;
        QString error;
        bool stale = false;
    };
    const quint64 generation = viewGeneration_;
    const auto latest = latestView_;
    const std::size_t perPixel =
        std::size_t(layout_.count) * (rb::dtype_size(layout_.dtype) + 1) + sizeof(float) + 1;
    const ViewportPlan plan = planViewport(visible_, screen_, scorer_->halo(), width_, height_,
                                           int(scenes_.size()), perPixel, kReadBudgetBytes);
    std::vector<QString> files;
    for (const auto& s : scenes_) {
        files.push_back(s.path);
        files.push_back(s.qa);
    }
    const auto cachedReads =
        reads_ && reads_->plan == plan && reads_->files == files ? reads_ : nullptr;
    const auto cachedScored = cachedReads && scored_ && scored_->reads == cachedReads &&
                                      scored_->generation == scoreGeneration_
                                  ? scored_
                                  : nullptr;
    const quint64 scoreGeneration = scoreGeneration_;
    const auto scorer = scorer_;
    const rb::CompositeOptions options = effectiveCompositeOptions();
    const ScoreDisplay display = display_;
    const std::vector<ScoreScene> scenes = scenes_;
    const int current = current_;
    QThreadPool* readPool = &readPool_;
    CompositeController* self = this; // alive until viewPool_ is done (the destructor waits)
    // A coarse first preview (every other pixel: a quarter of the work) when the full
    // viewport took longer than kCoarseFirstMs last time and is large enough to matter.
    const double expectedMs = (cachedScored ? 0.0 : lastScoreMs_) + lastCompositeMs_;
    const bool coarseFirst = coarseFirst_ && expectedMs >= coarseMinMs_ &&
                             qint64(plan.outCols) * plan.outRows >= coarseMinPixels_;
    jobRunning_ = true;
    rerun_ = false;

    runInBackground(
        this, &viewPool_,
        [=]() -> Out {
            Out out;
            auto reads = cachedReads;
            auto scored = cachedScored;
            const auto fresh = [&] { return latest->load() == generation; };
            const rb::Progress progress([&](double) { return fresh(); });
            try {
                auto result = std::make_shared<ViewportResult>();
                result->plan = plan;
                result->current = current;
                QElapsedTimer t;
                t.start();
                if (!reads) {
                    auto r = std::make_shared<Reads>();
                    r->plan = plan;
                    r->files = files;
                    r->scenes.resize(scenes.size());
                    // One reader per task: GDAL datasets must not be shared between threads.
                    readEach(readPool, scenes.size(), [&](std::size_t i) {
                        if (!fresh())
                            return;
                        const rb::SceneReader reader(scenes[i].source());
                        r->scenes[i] = reader.read(plan.read, plan.outRows, plan.outCols);
                    });
                    if (!fresh())
                        throw rb::Cancelled();
                    reads = std::move(r);
                    result->readMs = double(t.nsecsElapsed()) / 1e6;
                }
                out.reads = reads;
                if (coarseFirst) {
                    auto cr = std::make_shared<ViewportResult>();
                    cr->plan = coarserPlan(plan, 2);
                    cr->current = current;
                    const auto coarseStack = reads->coarse();
                    const std::vector<rb::Raster>& stack = *coarseStack;
                    std::vector<rb::Raster> scores;
                    if (scored) {
                        for (const auto& r : scored->scores)
                            scores.push_back(rb::subsample(r, 2));
                    } else {
                        // Statistics of the full view when cached, else of the coarse stack
                        // (a quarter of the cost; the full pass computes and keeps its own).
                        const rb::StackStatsNeeds needs = scorer->stack_needs();
                        std::optional<rb::StackStats> st;
                        if (needs.any()) {
                            const auto full = reads->cachedStatistics(needs);
                            st =
                                full ? rb::subsample(*full, 2) : rb::stack_statistics(stack, needs);
                        }
                        scores = rb::score_stack(stack, *scorer, st ? &*st : nullptr, progress);
                    }
                    assemble(*cr, stack, scores, rb::composite(stack, scores, options, progress));
                    ScoreLegend legend;
                    QImage image = render(*cr, display, scenes, &legend);
                    if (fresh())
                        QMetaObject::invokeMethod(
                            self,
                            [self, generation, cr, image, legend] {
                                self->showCoarse(generation, cr, image, legend);
                            },
                            Qt::QueuedConnection);
                }
                if (!scored) {
                    t.restart();
                    auto s = std::make_shared<Scored>();
                    s->reads = reads;
                    s->generation = scoreGeneration;
                    const rb::StackStatsNeeds needs = scorer->stack_needs();
                    const auto stats = needs.any() ? reads->statistics(needs) : nullptr;
                    s->scores = rb::score_stack(reads->scenes, *scorer, stats.get(), progress);
                    scored = std::move(s);
                    result->scoreMs = double(t.nsecsElapsed()) / 1e6;
                }
                out.scored = scored;
                t.restart();
                assemble(*result, reads->scenes, scored->scores,
                         rb::composite(reads->scenes, scored->scores, options, progress));
                result->compositeMs = double(t.nsecsElapsed()) / 1e6;
                out.image = render(*result, display, scenes, &out.legend);
                out.result = std::move(result);
            } catch (const rb::Cancelled&) {
                out.stale = true;
            } catch (const std::exception& e) {
                out.error = QString::fromUtf8(e.what());
            }
            out.stale = out.stale || !fresh();
            return out;
        },
        [this, files, generation](const Out& out) {
            jobRunning_ = false;
            // Reads and scores stay valid for their view and options even when a newer
            // request made this result stale: keep them for the next job.
            if (out.reads && out.reads->files == files)
                reads_ = out.reads;
            if (out.scored && out.scored->generation == scoreGeneration_)
                scored_ = out.scored;
            if (rerun_ || out.stale) {
                // The options may have become unusable since (a bad expression being typed).
                if (rerun_ && scorer_ && enabled_)
                    startViewport();
                else
                    rerun_ = viewportPending_ = false;
                return;
            }
            viewportPending_ = false;
            if (!out.error.isEmpty()) {
                error_ = out.error;
                emit message(error_);
                emit viewportUpdated();
                return;
            }
            result_ = out.result;
            overlayCoarse_ = false;
            showOverlay(out.image, out.legend);
            latencyMs_ = msSince(clock_, changeNs_);
            if (coarseShown_ != generation)
                firstOverlayMs_ = latencyMs_;
            changeNs_ = -1;
            if (out.result->scoreMs > 0)
                lastScoreMs_ = out.result->scoreMs;
            lastCompositeMs_ = out.result->compositeMs;
            emit viewportUpdated();
            if (!fullValid_ && !fullRunning_ && !fullCancelled_)
                fullTimer_.start();
        });
}

void CompositeController::showCoarse(quint64 generation,
                                     std::shared_ptr<const ViewportResult> result,
                                     const QImage& image, const ScoreLegend& legend) {
    // Dropped when a newer change came meanwhile (its own previews follow).
    if (generation != viewGeneration_ || !viewportPending_)
        return;
    result_ = std::move(result);
    overlayCoarse_ = true;
    coarseShown_ = generation;
    showOverlay(image, legend);
    firstOverlayMs_ = changeNs_ >= 0 ? msSince(clock_, changeNs_) : -1;
    emit viewportUpdated();
}

void CompositeController::rerender() {
    if (!result_)
        return;
    // Rendering a few megapixels takes milliseconds, but off the GUI thread all the same.
    const auto result = result_;
    const ScoreDisplay display = display_;
    const std::vector<ScoreScene> scenes = scenes_;
    const quint64 generation = ++renderGeneration_;
    struct Out {
        QImage image;
        ScoreLegend legend;
    };
    runInBackground(
        this, &renderPool_,
        [=] {
            Out out;
            try {
                out.image = render(*result, display, scenes, &out.legend);
            } catch (const std::exception&) {
            }
            return out;
        },
        [this, generation, result](const Out& out) {
            // Dropped when a newer preview arrived meanwhile (it rendered the display itself).
            if (generation == renderGeneration_ && result == result_)
                showOverlay(out.image, out.legend);
        });
}

void CompositeController::showOverlay(const QImage& image, const ScoreLegend& legend) {
    overlay_ = image;
    legend_ = legend;
    if (canvas_ && result_ && enabled_)
        canvas_->setOverlay(kOverlayId, image, result_->plan.pixels);
    emit overlayChanged();
}

QImage CompositeController::render(const ViewportResult& r, const ScoreDisplay& display,
                                   const std::vector<ScoreScene>& scenes, ScoreLegend* legend) {
    ScoreLegend lg;
    rb::Rgba8Image img;
    const rb::CompositeResult& c = r.composite;
    switch (display.view) {
    case ScoreView::Composite:
        lg.title = QObject::tr("Composite");
        img = renderBands(c.composite, display);
        break;
    case ScoreView::BestRank:
    case ScoreView::WorstRank: {
        const bool best = display.view == ScoreView::BestRank;
        const auto& ranks = best ? c.best_rank : c.worst_rank;
        if (ranks.empty())
            break;
        lg.title = best ? QObject::tr("Best-ranked pixel") : QObject::tr("Worst-ranked pixel");
        img = renderBands(ranks.front(), display);
        break;
    }
    case ScoreView::Winner: {
        lg.title = QObject::tr("Winning scene");
        const rb::Raster& idx = c.index;
        img.width = idx.cols();
        img.height = idx.rows();
        img.pixels.assign(idx.band_size(), 0);
        std::map<int, std::size_t> wins;
        const auto v = idx.band<std::uint16_t>(0);
        for (std::size_t i = 0; i < v.size(); ++i)
            if (idx.valid(0, int(i / std::size_t(idx.cols())), int(i % std::size_t(idx.cols())))) {
                img.pixels[i] = rb::categorical_color(v[i]);
                ++wins[v[i]];
            }
        const double n = double(std::max<std::size_t>(1, v.size()));
        for (const auto& [scene, count] : wins) {
            const QString name = scene < int(scenes.size()) ? scenes[std::size_t(scene)].label()
                                                            : QString::number(scene + 1);
            lg.entries.push_back(
                {QColor::fromRgba(rb::categorical_color(scene)),
                 QStringLiteral("%1  %2 %").arg(name).arg(100.0 * double(count) / n, 0, 'f', 1)});
        }
        break;
    }
    case ScoreView::Score: {
        if (r.score.empty())
            break;
        const double lo = scorePercentile(r.score, 2), hi = scorePercentile(r.score, 98);
        lg.ramp = true;
        lg.lo = lo;
        lg.hi = hi;
        lg.colormap = display.scoreColormap;
        lg.title = QObject::tr("Score of %1")
                       .arg(r.current < int(scenes.size()) ? scenes[std::size_t(r.current)].label()
                                                           : QString());
        const auto& table = rb::colormap_table(display.scoreColormap);
        img.width = r.score.cols();
        img.height = r.score.rows();
        img.pixels.assign(r.score.band_size(), 0);
        const auto s = r.score.band<float>(0);
        const double span = hi > lo ? hi - lo : 1;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const int row = int(i / std::size_t(img.width)), col = int(i % std::size_t(img.width));
            if (!r.score.valid(0, row, col) || !std::isfinite(s[i]))
                continue;
            const double t = std::clamp((double(s[i]) - lo) / span, 0.0, 1.0);
            img.pixels[i] = table[std::size_t(std::lround(t * 255))];
        }
        break;
    }
    case ScoreView::HighScoring:
    case ScoreView::LowScoring: {
        if (r.score.empty())
            break;
        const bool high = display.view == ScoreView::HighScoring;
        const double t = scorePercentile(r.score, display.threshold);
        lg.title = high ? QObject::tr("High-scoring pixels") : QObject::tr("Low-scoring pixels");
        lg.entries.push_back({Qt::transparent, (high ? QObject::tr("score >= %1 (percentile %2)")
                                                     : QObject::tr("score < %1 (percentile %2)"))
                                                   .arg(number(t), number(display.threshold))});
        img = renderBands(r.scene, display);
        const auto s = r.score.band<float>(0);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const int row = int(i / std::size_t(img.width)), col = int(i % std::size_t(img.width));
            const bool valid = r.score.valid(0, row, col) && std::isfinite(s[i]);
            const bool keep = valid && (high ? double(s[i]) >= t : double(s[i]) < t);
            if (!keep)
                img.pixels[i] = 0;
        }
        break;
    }
    }
    if (legend)
        *legend = lg;
    if (img.pixels.empty())
        return {};
    // The opacity multiplies each pixel's alpha: the map canvas draws overlays as they are.
    const auto opacity = std::clamp(display.opacity, 0.0, 1.0);
    if (opacity < 1)
        for (auto& p : img.pixels) {
            const auto a = std::uint32_t(std::lround(double(p >> 24) * opacity));
            p = (p & 0x00ffffffu) | (a << 24);
        }
    return toQImage(img);
}

bool CompositeController::waitForViewport(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (viewportPending_ && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return !viewportPending_;
}

void CompositeController::cancelFull() {
    // The user's cancel holds until the next parameter change.
    fullCancelled_ = true;
    fullTimer_.stop();
    latestFull_->store(++fullGeneration_);
}

QString CompositeController::fullCompositePath() const {
    return fullValid_ && fullDir_ ? fullDir_->filePath(QStringLiteral("composite.tif")) : QString();
}

bool CompositeController::saveFull(const QString& compositePath, const QString& indexPath) {
    if (!fullValid_ || !fullDir_)
        return false;
    std::vector<std::pair<QString, QString>> copies = {{fullCompositePath(), compositePath}};
    if (!indexPath.isEmpty())
        copies.emplace_back(fullIndexPath(), indexPath);
    // The temporary folder stays alive until the copies are done, even if a change
    // replaces the result meanwhile.
    const auto keep = fullDir_;
    runInBackground(
        this, &savePool_,
        [copies, keep]() -> QString {
            namespace fs = std::filesystem;
            for (const auto& [from, to] : copies) {
                const fs::path target(to.toStdString());
                const fs::path partial =
                    target.parent_path() / ("." + target.filename().string() + ".partial-" +
                                            std::to_string(QCoreApplication::applicationPid()));
                std::error_code ec;
                fs::copy_file(from.toStdString(), partial, fs::copy_options::overwrite_existing,
                              ec);
                if (!ec)
                    fs::rename(partial, target, ec);
                if (ec) {
                    const QString why = QString::fromStdString(ec.message());
                    fs::remove(partial, ec); // nothing half-written is left behind
                    return tr("cannot save %1: %2").arg(to, why);
                }
            }
            return {};
        },
        [this, copies](const QString& error) {
            if (!error.isEmpty())
                emit saved(false, error);
            else
                emit saved(true, tr("Saved %1")
                                     .arg(copies.size() == 1 ? copies.front().second
                                                             : copies.front().second + tr(" and ") +
                                                                   copies.back().second));
        });
    return true;
}

QString CompositeController::fullIndexPath() const {
    return fullValid_ && fullDir_ ? fullDir_->filePath(QStringLiteral("index.tif")) : QString();
}

void CompositeController::startFull() {
    if (!enabled_ || !scorer_ || scenes_.empty() || fullValid_)
        return;
    if (fullRunning_) {
        fullTimer_.start(); // the superseded job is still unwinding
        return;
    }
    auto dir = std::make_shared<QTemporaryDir>(QDir::tempPath() + "/rasterbench-composite-XXXXXX");
    if (!dir->isValid()) {
        emit fullFinished(false, tr("cannot create a temporary folder for the composite"));
        return;
    }
    const quint64 generation = ++fullGeneration_;
    latestFull_->store(generation);
    std::vector<rb::SceneSource> sources;
    for (const auto& s : scenes_)
        sources.push_back(s.source());
    rb::CompositeOutputs outputs;
    outputs.composite = dir->filePath(QStringLiteral("composite.tif")).toStdString();
    outputs.index = dir->filePath(QStringLiteral("index.tif")).toStdString();
    outputs.score = dir->filePath(QStringLiteral("score.tif")).toStdString();
    rb::CompositeOptions options = composite_;
    const rb::ScoreOptions score = score_;
    const auto latest = latestFull_;
    QPointer<CompositeController> self(this);
    fullRunning_ = true;
    fullProgress_ = 0;
    emit fullProgressChanged(0);
    struct Out {
        bool ok = false, cancelled = false;
        QString error;
    };
    runInBackground(
        this, &fullPool_,
        [=]() -> Out {
            Out out;
            try {
                rb::composite_files(sources, score, options, outputs, rb::StreamOptions{},
                                    rb::Progress(
                                        [&](double f) {
                                            if (latest->load() != generation)
                                                return false;
                                            QMetaObject::invokeMethod(
                                                self.data(),
                                                [self, f] {
                                                    if (self && self->fullRunning_) {
                                                        self->fullProgress_ = f;
                                                        emit self->fullProgressChanged(f);
                                                    }
                                                },
                                                Qt::QueuedConnection);
                                            return true;
                                        },
                                        0.02));
                out.ok = true;
            } catch (const rb::Cancelled&) {
                out.cancelled = true;
            } catch (const std::exception& e) {
                out.error = QString::fromUtf8(e.what());
            }
            return out;
        },
        [this, dir, generation](const Out& out) {
            fullRunning_ = false;
            const bool current = generation == fullGeneration_;
            if (out.ok && current) {
                fullDir_ = dir;
                fullValid_ = true;
                fullProgress_ = 1;
                emit fullProgressChanged(1);
                emit fullFinished(true, tr("Full-resolution composite ready"));
            } else if (!out.error.isEmpty()) {
                emit fullFinished(false, out.error);
            } else {
                emit fullFinished(false, tr("Full-resolution composite cancelled"));
                // Superseded by a change, not by the user: start over once it settles.
                if (!current && !fullCancelled_ && scorer_ && enabled_)
                    fullTimer_.start();
            }
        });
}

void CompositeController::inspect(int col, int row, int band) {
    if (!scorer_ || scenes_.empty() || col < 0 || row < 0 || col >= width_ || row >= height_)
        return;
    const quint64 generation = ++inspectGeneration_;
    latestInspect_->store(generation);
    inspectPending_ = true;
    const int halo = scorer_->halo();
    const rb::Window win =
        rb::Window{col - halo, row - halo, 2 * halo + 1, 2 * halo + 1}.clamped(width_, height_);
    const int cc = int(col - win.col_off), cr = int(row - win.row_off);
    const std::vector<ScoreScene> scenes = scenes_;
    const auto scorer = scorer_;
    const rb::CompositeOptions options = effectiveCompositeOptions();
    const auto latest = latestInspect_;
    QThreadPool* readPool = &readPool_;
    runInBackground(
        this, &inspectPool_,
        [=]() -> PixelScores {
            PixelScores p;
            p.col = col;
            p.row = row;
            p.band = band;
            try {
                // Full resolution with the scorer's halo, so the scores are the ones the
                // full-resolution composite gives this pixel.
                std::vector<rb::Raster> reads(scenes.size());
                readEach(readPool, scenes.size(), [&](std::size_t i) {
                    if (latest->load() == generation)
                        reads[i] = rb::SceneReader(scenes[i].source()).read(win);
                });
                if (latest->load() != generation)
                    return p;
                const auto scores = rb::score_stack(reads, *scorer);
                const auto c = rb::composite(reads, scores, options);
                for (std::size_t i = 0; i < reads.size(); ++i) {
                    const bool ok = band >= 0 && band < reads[i].bands();
                    p.values.push_back(ok ? reads[i].value(band, cr, cc) : std::nan(""));
                    p.valid.push_back(ok && reads[i].valid(band, cr, cc));
                    p.scores.push_back(
                        scores[i].valid(0, cr, cc)
                            ? scores[i].band<float>(
                                  0)[std::size_t(cr) * std::size_t(win.width) + std::size_t(cc)]
                            : rb::kInvalidScore);
                }
                if (c.index.valid(0, cr, cc))
                    p.winner = int(c.index.value(0, cr, cc));
            } catch (const std::exception& e) {
                p.error = QString::fromUtf8(e.what());
            }
            return p;
        },
        [this, generation](const PixelScores& p) {
            if (generation != inspectGeneration_)
                return; // a newer position was asked for
            inspectPending_ = false;
            pixel_ = p;
            emit inspected();
        });
}

} // namespace rb::ui
