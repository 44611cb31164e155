#include "CompositeController.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QPointer>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "MapCanvas.h"
#include "StackAlignment.h"
#include "rasterbench/error.h"
#include "rasterbench/output_guard.h"

namespace rb::ui {

namespace {

/// Whether `display` shows the best-ranked (`best`) or worst-ranked pixels.
bool showsRank(const ScoreDisplay& display, bool best) {
    return display.view == (best ? ScoreView::BestRank : ScoreView::WorstRank);
}

/// Whether the view draws the current scene's bands (the others need at most its score).
bool showsScene(const ScoreDisplay& display) {
    return display.view == ScoreView::HighScoring || display.view == ScoreView::LowScoring;
}

double msSince(const QElapsedTimer& t, qint64 startNs) {
    return double(t.nsecsElapsed() - startNs) / 1e6;
}

/// Whether the cloud method finds a thermal band in `layout` (by its descriptions or
/// position), so its scores of each date depend on that date's own sample.
bool hasThermalRole(const rb::BandLayout& layout) {
    try {
        return rb::Scorer(rb::make_score_options("cloud"), layout)
            .roles()
            .has(rb::BandRole::Thermal);
    } catch (const std::exception&) {
        return false; // no cloud test runs on these bands at all
    }
}

} // namespace

CompositeController::CompositeController(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas), pipeline_(std::make_shared<rb::ViewportPipeline>()) {
    // One job of each kind at a time (the lanes' default): a newer request supersedes the
    // running one, and the engine's kernels parallelize themselves. Saves are independent.
    saveLane_.setPolicy(JobLane::Policy::Independent);
    clock_.start();
    score_ = rb::make_score_options("median-distance");
    fullTimer_.setSingleShot(true);
    fullTimer_.setInterval(800); // slider drags come in bursts: full resolution waits
    connect(&fullTimer_, &QTimer::timeout, this, &CompositeController::startFull);
}

CompositeController::~CompositeController() {
    // The lanes cancel their jobs and wait for them; the view job posts its coarse preview
    // to this object, so it stops before anything of this object goes.
    for (JobLane* lane : {&sceneLane_, &viewLane_, &fullLane_, &inspectLane_, &renderLane_}) {
        lane->cancel();
        lane->waitForWorkers();
    }
    if (canvas_)
        canvas_->setOverlay(kOverlayId, {}, {});
}

void CompositeController::setScenes(const std::vector<ScoreScene>& scenes,
                                    std::shared_ptr<const SceneData> gridScene) {
    const auto key = [](const std::vector<ScoreScene>& v) {
        QStringList k;
        for (const auto& s : v)
            k << s.path << s.qa << s.calibrate;
        return k;
    };
    gridScene_ = std::move(gridScene);
    if (key(scenes) == key(scenes_) && !scenes_.empty())
        return;
    scenes_ = scenes;
    alignment_.reset();
    grid_ = {};
    pipeline_->clear();
    fullValid_ = false;
    layout_ = {};
    samples_.clear();
    primaryBands_ = 0;
    width_ = height_ = 0;
    error_.clear();
    // A load, a preview or a rendering of the scenes this replaces is stale: none of them
    // may reach the map after this (it would show the old scenes, or hide this set's error).
    sceneLane_.discard();
    viewLane_.discard();
    renderLane_.discard();
    loadingScenes_ = !scenes_.empty();
    if (scenes_.empty()) {
        // No scenes, no composite: the last one was drawn (bound to its grid) over any scene
        // opened later on that grid, and a re-rendering could put it back.
        result_.reset();
        if (canvas_)
            canvas_->setOverlay(kOverlayId, {}, {});
    }
    if (current_ >= int(scenes_.size()))
        current_ = -1;
    rebuildScorer(); // none until the layout is known
    if (loadingScenes_)
        loadScenes();
    else
        emit layoutChanged();
    requestViewport();
}

void CompositeController::loadScenes() {
    // Opening the first scene and reading its sample (the band ranges the role checks use)
    // reads the file: off the GUI thread, as every read is. The previews wait for it.
    struct Loaded {
        rb::BandLayout layout;
        int primaryBands = 0;
        rb::Grid grid;
        std::shared_ptr<StackAlignment> alignment;
        std::vector<std::shared_ptr<const rb::Raster>> samples;
    };
    std::vector<rb::SceneSource> sources;
    for (const auto& s : scenes_)
        sources.push_back(s.source());
    sceneLane_.run(
        [sources = std::move(sources)](JobContext& job) {
            const rb::SceneReader reader(sources.front());
            Loaded out;
            out.layout = reader.sampled_layout();
            out.primaryBands = reader.primary_bands();
            out.grid = rb::grid_of(reader.profile());
            // The warped stand-ins are built by the first job that reads through them.
            out.alignment = std::make_shared<StackAlignment>(sources, out.grid);
            // With a thermal band the cloud method judges each date against its own clear
            // sky (Scorer::uses_scene_samples): every scene's sample, read once here, of the
            // scene as composited (on the stack's grid), as rb::composite_files samples it.
            if (sources.size() > 1 && hasThermalRole(out.layout)) {
                const auto& onGrid = out.alignment->scenes();
                out.samples.push_back(out.layout.sample);
                for (std::size_t i = 1; i < onGrid.size(); ++i) {
                    job.throwIfCancelled();
                    out.samples.push_back(rb::SceneReader(onGrid[i]).sampled_layout().sample);
                }
            }
            return out;
        },
        [this](const Loaded& in) {
            loadingScenes_ = false;
            layout_ = in.layout;
            samples_ = in.samples;
            primaryBands_ = in.primaryBands;
            grid_ = in.grid;
            width_ = grid_.width;
            height_ = grid_.height;
            alignment_ = in.alignment;
            rebuildScorer();
            emit layoutChanged();
            requestViewport(false);
        },
        [this](const QString& error) {
            loadingScenes_ = false;
            viewportPending_ = false;
            error_ = error;
            emit message(error_);
            emit layoutChanged();
            emit viewportUpdated();
        });
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
    // A rank image only for the view that shows it: each is another set of bands written per
    // change, about a quarter of a 12-scene preview's composite time.
    o.best_ranks = showsRank(display_, true) ? std::vector<int>{1} : std::vector<int>{};
    o.worst_ranks = showsRank(display_, false) ? std::vector<int>{1} : std::vector<int>{};
    o.scene_dates.clear(); // the tie rule reads the scenes' dates
    for (const auto& s : scenes_)
        o.scene_dates.push_back(s.date);
    return o;
}

void CompositeController::rebuildScorer() {
    // A new scorer object: the pipeline's cached scores (kept per scorer) are not reused.
    // A full-resolution composite running for the options this replaces is stale whether
    // or not the new ones are usable: left running, it finished after a failed change and
    // Save wrote the old options' composite beside the error.
    fullValid_ = false;
    fullLane_.cancel();
    scorer_.reset();
    if (layout_.count == 0)
        return;
    // Dates and sensors of the scenes, for methods that weigh them (bap).
    score_.scenes.clear();
    for (const auto& s : scenes_) {
        rb::SceneInfo info;
        info.label = s.name.toStdString();
        info.date = s.date;
        info.sensor = rb::scene_sensor({}, s.path.toStdString());
        if (score_.scenes.size() < samples_.size())
            info.sample = samples_[score_.scenes.size()];
        score_.scenes.push_back(std::move(info));
    }
    try {
        // Parsing once here reports a bad expression or a missing role at once, and the
        // scorer is then shared by every job.
        scorer_ = std::make_shared<const rb::Scorer>(score_, layout_);
        error_.clear();
    } catch (const std::exception& e) {
        error_ = QString::fromUtf8(e.what());
        // A preview running or queued for the options this replaces is not shown either:
        // the map keeps the last good one until the options are usable again, and a
        // re-rendering of it does not put it back over the error.
        viewLane_.cancel();
        renderLane_.discard();
        viewportPending_ = false;
    }
}

void CompositeController::setView(const rb::Window& visible, QSize screen, const rb::Grid& on) {
    if (grid_.width == 0 || on == grid_)
        return setView(visible, screen);
    // The same part of the map on the stack's grid; the screen keeps its size.
    setView(rb::window_on_grid(on, visible, grid_), screen);
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
    // A rank view, or a view of the current scene's bands, the current preview was not
    // computed for: composite again (the scores are cached), keeping the old overlay until
    // it arrives rather than drawing an empty one.
    const bool best = showsRank(display, true), worst = showsRank(display, false);
    if (result_ && ((best && result_->composite.best_rank.empty()) ||
                    (worst && result_->composite.worst_rank.empty()) ||
                    (showsScene(display) && result_->current >= 0 && result_->scene.empty()))) {
        requestViewport(false);
        return;
    }
    rerender();
}

void CompositeController::setEnabled(bool on) {
    if (on == enabled_)
        return;
    enabled_ = on;
    if (!on) {
        viewLane_.cancel();
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
        fullLane_.cancel(); // a running full job is now stale
        fullValid_ = false;
        fullCancelled_ = false;
    }
    if (loadingScenes_) {
        viewportPending_ = enabled_; // the preview follows once the scenes are open
        return;
    }
    if (!enabled_ || !scorer_ || scenes_.empty() || visible_.empty() || screen_.isEmpty() ||
        plan().empty()) {
        viewportPending_ = false; // nothing of the scenes in view
        return;
    }
    viewportPending_ = true;
    startViewport(); // supersedes the running job, which stops at its next progress check
}

rb::ViewportPlan CompositeController::plan() const {
    // The scorer's halo rounded up to 8 output pixels: a penalty distance or radius tuned
    // within that keeps the plan, so the change reuses the cached reads instead of reading
    // every scene again (a wider halo only adds context the crop does not show).
    const int halo = (std::max(scorer_->halo(), 1) + 7) / 8 * 8;
    return rb::plan_viewport(visible_, screen_.width(), screen_.height(), halo, width_, height_,
                             int(scenes_.size()), rb::viewport_bytes_per_pixel(layout_),
                             kReadBudgetBytes);
}

void CompositeController::setCoarseFirst(bool on, double minMs, qint64 minPixels) {
    rb::CoarseFirst c = pipeline_->coarse_first();
    c.enabled = on;
    c.min_ms = minMs;
    c.min_pixels = minPixels;
    pipeline_->set_coarse_first(c);
}

void CompositeController::startViewport() {
    struct Out {
        std::shared_ptr<const ViewportResult> result;
        QImage image;
        ScoreLegend legend;
    };
    rb::ViewportRequest request;
    request.plan = plan();
    request.scorer = scorer_;
    request.options = effectiveCompositeOptions();
    request.current = current_;
    // The current scene's bands only for the views that draw them: a copy of every band per
    // change (a tenth of a 12-scene preview's time) otherwise.
    request.current_bands = showsScene(display_);
    const ScoreDisplay display = display_;
    const std::vector<ScoreScene> scenes = scenes_;
    QPointer<CompositeController> self(this);
    JobOptions options;
    options.ended = [this](quint64, JobOutcome) {
        // Superseded jobs end while the newest runs; the newest ending ends the wait.
        if (!viewLane_.isCurrent(viewJob_) && !viewLane_.busy() && !loadingScenes_)
            viewportPending_ = false;
    };
    viewJob_ = viewLane_.run(
        std::move(options),
        [=, pipeline = pipeline_, alignment = alignment_](JobContext& job) -> Out {
            // The coarse first preview (when the pipeline expects the full one to be slow) is
            // rendered here and shown at once; the full one follows.
            const auto showCoarse = [&](rb::ViewportPreview coarse) {
                auto cr =
                    std::make_shared<const ViewportResult>(ViewportResult::from(std::move(coarse)));
                ScoreLegend legend;
                QImage image = renderScoreOverlay(*cr, display, scenes, &legend);
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, id = job.id(), cr, image, legend] {
                        if (self)
                            self->showCoarse(id, cr, image, legend);
                    },
                    Qt::QueuedConnection);
            };
            // Reads and scores stay in the pipeline for their view and options even when a
            // newer request supersedes this job: the next one reuses them.
            rb::ViewportRequest onGrid = request;
            onGrid.scenes = alignment->scenes(); // scenes on other grids warped onto the stack's
            Out out;
            out.result = std::make_shared<const ViewportResult>(ViewportResult::from(
                pipeline->run(onGrid, rb::Progress(job.progressFn()), showCoarse)));
            out.image = renderScoreOverlay(*out.result, display, scenes, &out.legend);
            return out;
        },
        [this](const Out& out) {
            viewportPending_ = false;
            result_ = out.result;
            overlayCoarse_ = false;
            showOverlay(out.image, out.legend);
            latencyMs_ = msSince(clock_, changeNs_);
            if (coarseShown_ != viewJob_)
                firstOverlayMs_ = latencyMs_;
            changeNs_ = -1;
            emit viewportUpdated();
            if (!fullValid_ && !fullLane_.busy() && !fullCancelled_)
                fullTimer_.start();
        },
        [this](const QString& error) {
            viewportPending_ = false;
            error_ = error;
            emit message(error_);
            emit viewportUpdated();
        });
}

void CompositeController::showCoarse(quint64 job, std::shared_ptr<const ViewportResult> result,
                                     const QImage& image, const ScoreLegend& legend) {
    // Dropped when a newer change came meanwhile (its own previews follow).
    if (job != viewJob_ || !viewLane_.isCurrent(job) || !viewportPending_)
        return;
    result_ = std::move(result);
    overlayCoarse_ = true;
    coarseShown_ = job;
    showOverlay(image, legend);
    firstOverlayMs_ = changeNs_ >= 0 ? msSince(clock_, changeNs_) : -1;
    emit viewportUpdated();
}

void CompositeController::rerender() {
    // Nothing to redraw while the scenes are opened or the options give no scorer: the
    // preview of those (or their error) is what the map must show next, not the old result.
    if (!result_ || loadingScenes_ || !scorer_)
        return;
    // Rendering a few megapixels takes milliseconds, but off the GUI thread all the same.
    const auto result = result_;
    const ScoreDisplay display = display_;
    const std::vector<ScoreScene> scenes = scenes_;
    struct Out {
        QImage image;
        ScoreLegend legend;
    };
    renderLane_.run(
        [=](JobContext&) {
            Out out;
            out.image = renderScoreOverlay(*result, display, scenes, &out.legend);
            return out;
        },
        [this, result](const Out& out) {
            // Dropped when a newer preview arrived meanwhile (it rendered the display itself).
            // A change of scenes or options without a scorer discards this lane's job.
            if (result == result_)
                showOverlay(out.image, out.legend);
        },
        [](const QString&) {}); // the overlay keeps its previous image
}

void CompositeController::showOverlay(const QImage& image, const ScoreLegend& legend) {
    overlay_ = image;
    legend_ = legend;
    if (canvas_ && result_ && enabled_)
        canvas_->setOverlay(kOverlayId, image, result_->plan.pixels, gridScene_,
                            MapCanvas::Binding::Grid); // a composite of the stack's grid
    emit overlayChanged();
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
    fullLane_.cancel();
}

QString CompositeController::fullCompositePath() const {
    return fullValid_ && fullDir_ ? fullDir_->filePath(QStringLiteral("composite.tif")) : QString();
}

bool CompositeController::saveFull(const QString& compositePath, const QString& indexPath,
                                   const rb::ExportOptions& format) {
    if (!fullValid_ || !fullDir_)
        return false;
    std::vector<std::pair<QString, QString>> copies = {{fullCompositePath(), compositePath}};
    if (!indexPath.isEmpty())
        copies.emplace_back(fullIndexPath(), indexPath);
    // The temporary folder stays alive until the copies are done, even if a change
    // replaces the result meanwhile.
    const auto keep = fullDir_;
    saveLane_.run(
        [copies, keep, format, inputs = inputFiles()](JobContext& ctx) -> QString {
            namespace fs = std::filesystem;
            // Nothing is written when a target is a scene or quality file, or both are one.
            try {
                std::vector<rb::FileRole> outputs;
                for (const auto& [from, to] : copies)
                    outputs.push_back(
                        {outputs.empty() ? "composite output" : "index output", to.toStdString()});
                rb::check_outputs_distinct(inputs, outputs);
            } catch (const std::exception& e) {
                return tr("cannot save: %1").arg(QString::fromUtf8(e.what()));
            }
            // Each layer saved in the format chosen, atomically (the engine's partial file).
            rb::Progress progress(ctx.progressFn());
            for (std::size_t i = 0; i < copies.size(); ++i) {
                const auto& [from, to] = copies[i];
                try {
                    rb::export_file(from.toStdString(), to.toStdString(), format, inputs,
                                    progress.sub(double(i) / double(copies.size()),
                                                 double(i + 1) / double(copies.size())));
                } catch (const rb::Cancelled&) {
                    throw;
                } catch (const std::exception& e) {
                    return tr("cannot save %1: %2").arg(to, QString::fromUtf8(e.what()));
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
        },
        [this](const QString& error) { emit saved(false, error); });
    return true;
}

std::vector<rb::FileRole> CompositeController::inputFiles() const {
    std::vector<rb::FileRole> inputs;
    for (const auto& s : scenes_) {
        inputs.push_back({"input scene", s.path.toStdString()});
        if (!s.qa.isEmpty())
            inputs.push_back({"quality file", s.qa.toStdString()});
    }
    return inputs;
}

QString CompositeController::fullIndexPath() const {
    return fullValid_ && fullDir_ ? fullDir_->filePath(QStringLiteral("index.tif")) : QString();
}

void CompositeController::startFull() {
    if (!enabled_ || !scorer_ || scenes_.empty() || fullValid_)
        return;
    if (fullLane_.busy()) {
        fullTimer_.start(); // the cancelled job is still unwinding
        return;
    }
    auto dir = std::make_shared<QTemporaryDir>(QDir::tempPath() + "/rasterbench-composite-XXXXXX");
    if (!dir->isValid()) {
        emit fullFinished(false, tr("cannot create a temporary folder for the composite"));
        return;
    }
    rb::CompositeOutputs outputs;
    outputs.composite = dir->filePath(QStringLiteral("composite.tif")).toStdString();
    outputs.index = dir->filePath(QStringLiteral("index.tif")).toStdString();
    outputs.score = dir->filePath(QStringLiteral("score.tif")).toStdString();
    const rb::CompositeOptions options = composite_;
    const rb::ScoreOptions score = score_;
    fullProgress_ = 0;
    emit fullProgressChanged(0);
    JobOptions job;
    job.progress = [this](double f) {
        fullProgress_ = f;
        emit fullProgressChanged(f);
    };
    job.ended = [this](quint64, JobOutcome outcome) {
        if (outcome != JobOutcome::Cancelled && outcome != JobOutcome::Superseded)
            return;
        emit fullFinished(false, tr("Full-resolution composite cancelled"));
        // Stopped by a change, not by the user: start over once it settles.
        if (!fullCancelled_ && scorer_ && enabled_)
            fullTimer_.start();
    };
    fullLane_.run(
        std::move(job),
        [=, alignment = alignment_](JobContext& ctx) {
            rb::composite_files(alignment->scenes(), score, options, outputs, rb::StreamOptions{},
                                rb::Progress(ctx.progressFn(), 0.02));
        },
        [this, dir] {
            fullDir_ = dir;
            fullValid_ = true;
            fullProgress_ = 1;
            emit fullProgressChanged(1);
            emit fullFinished(true, tr("Full-resolution composite ready"));
        },
        [this](const QString& error) { emit fullFinished(false, error); });
}

void CompositeController::inspect(int col, int row, int band, const rb::Grid& on) {
    if (grid_.width == 0 || on == grid_)
        return inspect(col, row, band);
    if (on.crs == grid_.crs) {
        // The pixel of the stack's grid under this pixel's centre.
        const auto [x, y] = on.transform.apply(col + 0.5, row + 0.5);
        const auto [c, r] = grid_.transform.to_pixel(x, y);
        if (std::isfinite(c) && std::isfinite(r) && std::abs(c) < 1e9 && std::abs(r) < 1e9)
            inspect(int(std::floor(c)), int(std::floor(r)), band);
        return;
    }
    // Another CRS: the middle of the pixels this one covers.
    const rb::Window w = rb::window_on_grid(on, rb::Window{col, row, 1, 1}, grid_);
    if (!w.empty())
        inspect(int(w.col_off + w.width / 2), int(w.row_off + w.height / 2), band);
}

void CompositeController::inspect(int col, int row, int band) {
    if (!scorer_ || scenes_.empty() || col < 0 || row < 0 || col >= width_ || row >= height_)
        return;
    inspectPending_ = true;
    const auto alignment = alignment_;
    const auto scorer = scorer_;
    const rb::CompositeOptions options = effectiveCompositeOptions();
    const std::int64_t width = width_, height = height_;
    inspectLane_.run(
        [=](JobContext& job) -> PixelScores {
            PixelScores p;
            p.col = col;
            p.row = row;
            p.band = band;
            try {
                const std::vector<rb::SceneSource>& sources = alignment->scenes();
                static_cast<rb::ScoredPixel&>(p) =
                    rb::inspect_pixel(sources, *scorer, options, col, row, band, width, height,
                                      rb::Progress(job.progressFn()));
                if (scorer->component_names().size() > 1)
                    p.components =
                        rb::inspect_components(sources, *scorer, options, col, row, width, height);
            } catch (const rb::Cancelled&) {
                throw; // superseded by a newer position: nothing to show
            } catch (const std::exception& e) {
                p.error = QString::fromUtf8(e.what());
            }
            return p;
        },
        [this](const PixelScores& p) {
            inspectPending_ = false;
            pixel_ = p;
            emit inspected();
        });
}

} // namespace rb::ui
