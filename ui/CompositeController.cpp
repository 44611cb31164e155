#include "CompositeController.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QPointer>
#include <QTemporaryDir>

#include <algorithm>
#include <filesystem>

#include "Background.h"
#include "MapCanvas.h"
#include "rasterbench/error.h"
#include "rasterbench/output_guard.h"

namespace rb::ui {

namespace {

double msSince(const QElapsedTimer& t, qint64 startNs) {
    return double(t.nsecsElapsed() - startNs) / 1e6;
}

} // namespace

CompositeController::CompositeController(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas), latestView_(std::make_shared<std::atomic<quint64>>(0)),
      latestFull_(std::make_shared<std::atomic<quint64>>(0)),
      latestInspect_(std::make_shared<std::atomic<quint64>>(0)),
      pipeline_(std::make_shared<rb::ViewportPipeline>()) {
    // One job of each kind at a time: a newer request cancels the running one, which the
    // engine's kernels parallelize themselves.
    viewPool_.setMaxThreadCount(1);
    fullPool_.setMaxThreadCount(1);
    inspectPool_.setMaxThreadCount(1);
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
    pipeline_->clear();
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
    // A new scorer object: the pipeline's cached scores (kept per scorer) are not reused.
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
    if (!enabled_ || !scorer_ || scenes_.empty() || visible_.empty() || screen_.isEmpty() ||
        plan().empty()) {
        viewportPending_ = false; // nothing of the scenes in view
        return;
    }
    viewportPending_ = true;
    latestView_->store(++viewGeneration_); // the running job (if any) cancels
    if (jobRunning_)
        rerun_ = true; // started when the running job returns
    else
        startViewport();
}

rb::ViewportPlan CompositeController::plan() const {
    return rb::plan_viewport(visible_, screen_.width(), screen_.height(), scorer_->halo(), width_,
                             height_, int(scenes_.size()), rb::viewport_bytes_per_pixel(layout_),
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
        QString error;
        bool stale = false;
    };
    const quint64 generation = viewGeneration_;
    const auto latest = latestView_;
    rb::ViewportRequest request;
    for (const auto& s : scenes_)
        request.scenes.push_back(s.source());
    request.plan = plan();
    request.scorer = scorer_;
    request.options = effectiveCompositeOptions();
    request.current = current_;
    const ScoreDisplay display = display_;
    const std::vector<ScoreScene> scenes = scenes_;
    CompositeController* self = this; // alive until viewPool_ is done (the destructor waits)
    jobRunning_ = true;
    rerun_ = false;

    runInBackground(
        this, &viewPool_,
        [=, pipeline = pipeline_]() -> Out {
            Out out;
            const auto fresh = [&] { return latest->load() == generation; };
            // The coarse first preview (when the pipeline expects the full one to be slow) is
            // rendered here and shown at once; the full one follows.
            const auto showCoarse = [&](rb::ViewportPreview coarse) {
                auto cr =
                    std::make_shared<const ViewportResult>(ViewportResult::from(std::move(coarse)));
                ScoreLegend legend;
                QImage image = renderScoreOverlay(*cr, display, scenes, &legend);
                if (fresh())
                    QMetaObject::invokeMethod(
                        self,
                        [self, generation, cr, image, legend] {
                            self->showCoarse(generation, cr, image, legend);
                        },
                        Qt::QueuedConnection);
            };
            try {
                auto result = std::make_shared<ViewportResult>(ViewportResult::from(pipeline->run(
                    request, rb::Progress([&](double) { return fresh(); }), showCoarse)));
                out.image = renderScoreOverlay(*result, display, scenes, &out.legend);
                out.result = std::move(result);
            } catch (const rb::Cancelled&) {
                out.stale = true;
            } catch (const std::exception& e) {
                out.error = QString::fromUtf8(e.what());
            }
            out.stale = out.stale || !fresh();
            return out;
        },
        [this, generation](const Out& out) {
            jobRunning_ = false;
            // Reads and scores stay in the pipeline for their view and options even when a
            // newer request made this result stale: the next job reuses them.
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
                out.image = renderScoreOverlay(*result, display, scenes, &out.legend);
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
        [copies, keep, inputs = inputFiles()]() -> QString {
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
    std::vector<rb::SceneSource> sources;
    for (const auto& s : scenes_)
        sources.push_back(s.source());
    const auto scorer = scorer_;
    const rb::CompositeOptions options = effectiveCompositeOptions();
    const auto latest = latestInspect_;
    const std::int64_t width = width_, height = height_;
    runInBackground(
        this, &inspectPool_,
        [=]() -> PixelScores {
            PixelScores p;
            p.col = col;
            p.row = row;
            p.band = band;
            try {
                static_cast<rb::ScoredPixel&>(p) = rb::inspect_pixel(
                    sources, *scorer, options, col, row, band, width, height,
                    rb::Progress([&](double) { return latest->load() == generation; }));
            } catch (const rb::Cancelled&) {
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
