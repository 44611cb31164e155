#include "DebandController.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSettings>

#include <algorithm>
#include <cmath>

#include "MapCanvas.h"
#include "SceneRender.h"

namespace {

// Notch sets are kept per scene in the settings, so closing the workbench (or switching
// scenes) never loses the user's edits. Keyed by a hash: QSettings reads '/' as a group.
QString notchSettingsKey(const QString& scenePath) {
    return QStringLiteral("deband/notches/") +
           QString::fromLatin1(
               QCryptographicHash::hash(scenePath.toUtf8(), QCryptographicHash::Sha1).toHex());
}

} // namespace

namespace rb::ui {

using rb::fft::NotchSet;

namespace {
const QString kAreaOverlay = QStringLiteral("deband-2-area");

/// The engine's messages name the file; one that does not (a bad_alloc) gets it in front,
/// so every failure the panel shows says which file it was about.
QString namingFile(const QString& path, const std::exception& e) {
    const QString what = QString::fromStdString(e.what());
    return what.contains(path) ? what : path + QStringLiteral(": ") + what;
}

} // namespace

DebandController::DebandController(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas), sceneJob_(canvas) {
    // Exports, imports: each delivered.
    ioLane_.setPolicy(JobLane::Policy::Independent);
    clock_.start();
    connect(&sceneJob_, &DebandSceneJob::progressChanged, this,
            &DebandController::sceneProgressChanged);
    connect(&sceneJob_, &DebandSceneJob::runningChanged, this,
            &DebandController::sceneJobStateChanged);
    connect(&sceneJob_, &DebandSceneJob::resultReady, this, &DebandController::sceneResultReady);
    connect(&sceneJob_, &DebandSceneJob::referenceChanged, this,
            &DebandController::referenceChanged);
    connect(&sceneJob_, &DebandSceneJob::message, this, &DebandController::message);
    connect(&sceneJob_, &DebandSceneJob::failed, this, &DebandController::failed);
}

DebandController::~DebandController() {
    // The preview job posts its coarse image to this object: it stops before anything of
    // this object goes (the lanes, declared last, then wait for the others).
    for (JobLane* lane : {&areaLane_, &detectLane_, &previewLane_}) {
        lane->cancel();
        lane->waitForWorkers();
    }
}

void DebandController::setScene(std::shared_ptr<const SceneData> scene) {
    const bool same = scene_ && scene && scene_->path == scene->path;
    scene_ = std::move(scene);
    if (same)
        return;
    areaLane_.cancel(); // an area being read for the old scene is dropped
    preparing_ = false;
    area_.reset();
    detectedAngle_.reset(); // the old scene's bands
    before_.clear();
    after_.reset();
    pendingPreview_.reset();
    previewNotches_ = {};
    band_ = scene_ && !scene_->bands.empty() ? scene_->bands.front() : 1;
    // The notches (in cycles/pixel) carry over; a reference must be on the new grid.
    sceneJob_.setStretch(std::nullopt);
    sceneJob_.setSource(scene_, band_);
    if (canvas_)
        canvas_->setOverlay(kAreaOverlay, {}, {});
}

void DebandController::setBand(int band) {
    if (band == band_)
        return;
    band_ = band;
    area_.reset();
    after_.reset();
    pendingPreview_.reset();
    sceneJob_.setStretch(std::nullopt);
    sceneJob_.setSource(scene_, band_);
    // The old band's debanded area is no preview of this band's.
    if (canvas_)
        canvas_->setOverlay(kAreaOverlay, {}, {});
    prepareArea();
}

rb::Window DebandController::area() const {
    return area_ ? area_->window() : rb::Window{};
}

std::shared_ptr<const rb::fft::Spectrum> DebandController::spectrum() const {
    return area_ ? area_->spectrum() : nullptr;
}

void DebandController::prepareArea() {
    if (!scene_)
        return;
    const int w = scene_->profile.width, h = scene_->profile.height;
    // Centred on the view, at most kMaxAreaSide a side, inside the scene.
    const rb::Window win = rb::fft::area_around(
        canvas_ ? canvas_->visibleWindow() : rb::Window::full(w, h), w, h, kMaxAreaSide);
    preparing_ = true;
    struct Result {
        std::shared_ptr<const Area> area;
        QString error;
    };
    auto scene = scene_;
    const int band = band_;
    // Supersedes an area being prepared for another view, band or scene.
    areaLane_.run(
        [scene, band, win](JobContext&) {
            Result r;
            try {
                // The scene's own stretch when this band is displayed, else the area's.
                std::optional<rb::StretchRange> stretch;
                const auto it = std::find(scene->bands.begin(), scene->bands.end(), band);
                if (it != scene->bands.end() &&
                    std::size_t(it - scene->bands.begin()) < scene->stretch.size())
                    stretch = scene->stretch[std::size_t(it - scene->bands.begin())];
                auto a = std::make_shared<const Area>(scene->pathUtf8(), band, win, stretch);
                r.area = std::move(a);
            } catch (const std::exception& e) {
                r.error = namingFile(scene->path, e);
            }
            return r;
        },
        [this](const Result& r) {
            preparing_ = false;
            if (!r.area) {
                if (canvas_)
                    canvas_->setOverlayFailed(kAreaOverlay, r.error);
                emit failed(r.error);
                return;
            }
            area_ = r.area;
            sceneJob_.setStretch(area_->stretch()); // the scene looks like the area
            const auto v = area_->data().band<float>(0);
            before_.assign(v.begin(), v.end());
            after_.reset();
            previewNotches_ = {};
            energyNotches_ = {};
            energyRemoved_ = energyTotal_ = 0;
            stripeEnergy_.reset();
            pendingPreview_.reset(); // it was for the previous area
            emit areaReady();
            requestPreview();
        });
}

bool DebandController::waitUntilReady(int timeoutMs) {
    const QDeadlineTimer deadline(timeoutMs);
    while (!isReady()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

// ---- notches -------------------------------------------------------------------------

void DebandController::setNotches(const NotchSet& notches, bool undoable, bool saved) {
    if (notches == notches_)
        return; // a press that moved nothing is not an undo step
    if (undoable) {
        undo_.push_back(notches_);
        if (undo_.size() > kMaxUndo)
            undo_.erase(undo_.begin());
        redo_.clear();
    }
    notches_ = notches;
    notchesEdited(saved);
}

void DebandController::undo() {
    if (undo_.empty())
        return;
    redo_.push_back(notches_);
    notches_ = undo_.back();
    undo_.pop_back();
    notchesEdited();
}

void DebandController::redo() {
    if (redo_.empty())
        return;
    undo_.push_back(notches_);
    notches_ = redo_.back();
    redo_.pop_back();
    notchesEdited();
}

void DebandController::clearHistory() {
    undo_.clear();
    redo_.clear();
    emit notchesChanged(); // the panel's Undo / Redo buttons
}

bool DebandController::hasSavedNotches() const {
    return scene_ && QSettings().contains(notchSettingsKey(scene_->path));
}

bool DebandController::restoreSavedNotches() {
    if (!scene_)
        return false;
    const QString saved = QSettings().value(notchSettingsKey(scene_->path)).toString();
    if (saved.isEmpty())
        return false;
    try {
        setNotches(rb::fft::notches_from_json(saved.toStdString(), "saved notches"));
    } catch (const std::exception& e) {
        emit failed(tr("Saved notches of %1 are damaged: %2")
                        .arg(QFileInfo(scene_->path).fileName(), QString::fromUtf8(e.what())));
        return false;
    }
    return true;
}

void DebandController::notchesEdited(bool saved) {
    if (scene_ && saved)
        QSettings().setValue(notchSettingsKey(scene_->path),
                             QString::fromStdString(rb::fft::to_json(notches_)));
    emit notchesChanged();
    requestPreview();
    sceneJob_.scheduleSceneJob(notches_);
}

void DebandController::autoDetect() {
    if (!area_) {
        emit failed(tr("Auto-detect: the deband area is not ready yet"));
        return;
    }
    struct Result {
        NotchSet notches;
        QString text;
        bool found = false;
        double angle = 0;
    };
    auto area = area_;
    detectLane_.run(
        [area, orientation = detectOrientation_, peaks = detectPeaks_](JobContext&) {
            Result r;
            try {
                const rb::fft::AutoDetection d = area->auto_detect(orientation, peaks);
                if (!d.found) {
                    r.text = tr("Auto-detect: no stripe orientation found");
                    return r;
                }
                r.found = true;
                r.notches = d.peaks.notches;
                // The fitted fundamental's direction refines the estimated orientation.
                r.angle = d.peaks.period > 0
                              ? rb::fft::frequency_info(d.peaks.fu, d.peaks.fv).stripe_deg
                              : d.orientation.angle_deg;
                r.text =
                    tr("bands at %1\u00b0 (from the %2), period %3 px, %4 notches")
                        .arg(r.angle, 0, 'f', 2)
                        .arg(QString::fromUtf8(rb::fft::source_name(d.orientation.source).data()))
                        .arg(d.peaks.period, 0, 'f', 1)
                        .arg(d.peaks.notches.points.size() + d.peaks.notches.stripes.size());
            } catch (const std::exception& e) {
                r.text = tr("Auto-detect: %1").arg(QString::fromStdString(e.what()));
            }
            return r;
        },
        [this, area](const Result& r) {
            if (area != area_)
                return; // the area moved on: its peaks may not be the new area's
            if (r.found) {
                detectedAngle_ = r.angle;
                setNotches(r.notches, true);
            }
            emit message(r.text);
            emit autoDetected(r.text);
        });
}

void DebandController::setDetectOptions(const rb::fft::OrientationOptions& orientation,
                                        const rb::fft::PeakOptions& peaks) {
    detectOrientation_ = orientation;
    detectPeaks_ = peaks;
}

void DebandController::exportNotches(const QString& path) {
    ioLane_.run(
        [path, notches = notches_](JobContext&) {
            try {
                rb::fft::save_notches(notches, path.toStdString()); // temp file + rename
                return QString();
            } catch (const std::exception& e) {
                return namingFile(path, e);
            }
        },
        [this, path,
         count = notches_.points.size() + notches_.stripes.size()](const QString& error) {
            if (!error.isEmpty()) {
                emit failed(error);
                return;
            }
            emit message(tr("%1 notches saved to %2").arg(count).arg(path));
            emit notchesExported(path);
        });
}

void DebandController::importNotches(const QString& path) {
    struct Result {
        NotchSet notches;
        QString error;
    };
    ioLane_.run(
        [path](JobContext&) {
            Result r;
            try {
                r.notches = rb::fft::load_notches(path.toStdString());
            } catch (const std::exception& e) {
                r.error = namingFile(path, e);
            }
            return r;
        },
        [this, path](const Result& r) {
            if (!r.error.isEmpty()) {
                emit failed(r.error);
                return;
            }
            setNotches(r.notches, true);
            emit message(tr("%1 notches loaded from %2")
                             .arg(r.notches.points.size() + r.notches.stripes.size())
                             .arg(path));
            emit notchesImported(path);
        });
}

// ---- preview -------------------------------------------------------------------------

void DebandController::setShow(Show show) {
    show_ = show;
    sceneJob_.setShow(show);
    if (show_ == Show::Before) {
        if (canvas_)
            canvas_->setOverlay(kAreaOverlay, {}, {}); // nothing to compute: at once
        return;
    }
    requestPreview();
}

const std::vector<float>& DebandController::after() const {
    static const std::vector<float> none;
    return after_ ? *after_ : none;
}

bool DebandController::isPreviewCurrent() const {
    return area_ && after_ && !previewInFlight_ && !pendingPreview_ && previewNotches_ == notches_;
}

bool DebandController::waitForPreview(int timeoutMs) {
    const QDeadlineTimer deadline(timeoutMs);
    while (!isPreviewCurrent()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

int DebandController::overlayStep() const {
    // The area at screen resolution: one sample per screen pixel is all the map can show.
    const double scale = canvas_ ? canvas_->view().scale() : 1.0;
    return std::max(1, int(std::floor(1.0 / std::max(scale, 1e-6))));
}

void DebandController::requestPreview() {
    if (!area_)
        return;
    PreviewJob job{area_, notches_, show_, overlayStep(), clock_.nsecsElapsed()};
    if (previewInFlight_) {
        // Newest wins: the waiting request is replaced, so a drag never builds a queue, and
        // the running job stops after its half-resolution preview.
        pendingPreview_ = std::move(job);
        previewLane_.cancel(previewJob_);
        return;
    }
    launchPreview(std::move(job));
}

void DebandController::launchPreview(PreviewJob job) {
    previewInFlight_ = true;
    ++previewJobsStarted_;
    struct Result {
        PreviewJob job;
        std::shared_ptr<std::vector<float>> values;
        QImage image;
        double ms = 0;
    };
    auto buffer = spare_ ? std::move(spare_) : std::make_shared<std::vector<float>>();
    spare_.reset();
    JobOptions options;
    options.ended = [this, buffer, area = job.area, notches = job.notches](quint64,
                                                                           JobOutcome outcome) {
        previewInFlight_ = false;
        if (outcome != JobOutcome::Done && !spare_)
            spare_ = buffer; // unused: handed back as the next job's buffer
        if (!launchPendingPreview() && outcome == JobOutcome::Done && area == area_ &&
            notches != energyNotches_)
            launchEnergy(area, notches);
    };
    previewJob_ = previewLane_.run(
        std::move(options),
        [this, job = std::move(job), buffer](JobContext& ctx) {
            Result r;
            r.job = job;
            const Area& a = *job.area;
            // The viewport preview first: the half-resolution result is what the map can show
            // of a large area anyway, at a quarter of the inverse's cost, so it is on screen
            // within a frame of the edit; the full-resolution one replaces it right after.
            const auto view = job.show == Show::Difference ? rb::fft::AreaView::Difference
                                                           : rb::fft::AreaView::After;
            if (job.show != Show::Before && a.preview().has_coarse()) {
                double ms = 0;
                QImage image =
                    toQImage(a.coarse_image(job.notches, view, job.step, coarseBuffer(), &ms));
                // Queued to the GUI thread; dropped with the controller if it is gone by then
                // (its destructor waits for this lane, so `this` is alive here).
                QMetaObject::invokeMethod(
                    this,
                    [this, area = job.area, show = job.show, requested = job.requestedNs, ms,
                     image = std::move(image)] { deliverCoarse(area, show, requested, ms, image); },
                    Qt::QueuedConnection);
                // During a drag the next edit is already waiting: its coarse preview matters
                // more than this edit's full resolution.
                ctx.throwIfCancelled();
            }
            r.image = toQImage(a.full_image(job.notches, view, job.step, *buffer,
                                            job.show != Show::Before, &r.ms));
            r.values = buffer;
            return r;
        },
        [this](const Result& r) {
            // Delivered only when no newer request came while it ran (ended() then starts
            // the waiting one, or measures the energy); a result for another area is stale.
            if (r.job.area == area_) {
                spare_ = std::move(after_);
                after_ = r.values;
                previewNotches_ = r.job.notches;
                lastPreviewMs_ = r.ms;
                lastPreviewLatencyMs_ = double(clock_.nsecsElapsed() - r.job.requestedNs) / 1e6;
                if (canvas_) {
                    if (show_ == Show::Before)
                        canvas_->setOverlay(kAreaOverlay, {}, {});
                    else if (r.job.show == show_)
                        canvas_->setOverlay(kAreaOverlay, r.image, areaRect(), scene_);
                }
                emit previewUpdated();
            }
        });
}

std::vector<float>& DebandController::coarseBuffer() {
    // Only the preview thread uses it (one job at a time): reused, like the engine's scratch.
    thread_local std::vector<float> buffer;
    return buffer;
}

void DebandController::deliverCoarse(const std::shared_ptr<const Area>& area, Show show,
                                     qint64 requestedNs, double ms, const QImage& image) {
    if (area != area_)
        return; // for another area: stale
    lastCoarsePreviewMs_ = ms;
    lastCoarsePreviewLatencyMs_ = double(clock_.nsecsElapsed() - requestedNs) / 1e6;
    ++coarsePreviewsDelivered_;
    // Covers the area's window like the full-resolution image (the map scales it), which
    // replaces it when it arrives.
    if (canvas_ && show == show_ && show_ != Show::Before)
        canvas_->setOverlay(kAreaOverlay, image, areaRect(), scene_);
}

QRectF DebandController::areaRect() const {
    const rb::Window w = area_ ? area_->window() : rb::Window{};
    return QRectF(double(w.col_off), double(w.row_off), double(w.width), double(w.height));
}

bool DebandController::launchPendingPreview() {
    if (!pendingPreview_)
        return false;
    PreviewJob next = std::move(*pendingPreview_);
    pendingPreview_.reset();
    if (next.area != area_)
        return false;
    launchPreview(std::move(next));
    return true;
}

void DebandController::launchEnergy(std::shared_ptr<const Area> area, const NotchSet& notches) {
    // Off the edit-to-map path (it costs another copy and mask, and a pass over every bin),
    // and only once edits pause: a drag keeps the preview thread for previews. It runs on the
    // preview thread because that thread alone uses the session.
    previewInFlight_ = true;
    struct Result {
        double removed = 0, total = 0;
        std::optional<rb::fft::StripeEnergy> stripe;
        double angle = 0;
    };
    // The stripe line: the notches' own, else the last detection's.
    std::optional<double> angle = rb::fft::notch_stripe_angle(notches);
    if (!angle)
        angle = detectedAngle_;
    JobOptions options;
    options.ended = [this](quint64, JobOutcome) {
        previewInFlight_ = false;
        launchPendingPreview();
    };
    // A preview requested meanwhile cancels it (measured again once edits pause).
    previewJob_ = previewLane_.run(
        std::move(options),
        [area, notches, angle](JobContext&) {
            Result r;
            r.removed = area->removed_energy(notches, &r.total);
            if (angle) {
                r.stripe = area->stripe_energy(notches, *angle);
                r.angle = *angle;
            }
            return r;
        },
        [this, area, notches](const Result& r) {
            if (area == area_) {
                energyNotches_ = notches;
                energyRemoved_ = r.removed;
                energyTotal_ = r.total;
                stripeEnergy_ = r.stripe;
                stripeAngle_ = r.angle;
                emit previewUpdated();
            }
        });
}

std::optional<rb::fft::StripeEnergy> DebandController::stripeEnergy() const {
    if (!area_ || !after_ || energyNotches_ != previewNotches_)
        return std::nullopt;
    return stripeEnergy_;
}

QString DebandController::metricsText() const {
    QStringList lines;
    if (area_) {
        if (after_ && energyNotches_ == previewNotches_)
            lines << tr("area %1x%2: %3 % of the energy removed")
                         .arg(area_->window().width)
                         .arg(area_->window().height)
                         .arg(energyTotal_ > 0 ? 100 * energyRemoved_ / energyTotal_ : 0.0, 0, 'f',
                              3);
        else
            lines << tr("area %1x%2: energy removed: measuring...")
                         .arg(area_->window().width)
                         .arg(area_->window().height);
        if (after_ && energyNotches_ == previewNotches_ && stripeEnergy_) {
            // Whether stripes remain: the bands' energy above the background along their line.
            if (stripeEnergy_->before > 0)
                lines << tr("stripe band at %1\u00b0: %2 % of its energy remains (%3 before, "
                            "%4 after)")
                             .arg(stripeAngle_, 0, 'f', 2)
                             .arg(100 * stripeEnergy_->residual(), 0, 'f', 1)
                             .arg(stripeEnergy_->before, 0, 'g', 3)
                             .arg(stripeEnergy_->after, 0, 'g', 3);
            else
                lines << tr("stripe band at %1\u00b0: no energy above the background")
                             .arg(stripeAngle_, 0, 'f', 2);
        }
        if (after_)
            lines << tr("preview: mask + inverse %1 ms, on the map %2 ms after the edit")
                         .arg(lastPreviewMs_, 0, 'f', 1)
                         .arg(lastPreviewLatencyMs_, 0, 'f', 1);
        if (coarsePreviewsDelivered_ > 0)
            lines << tr("first preview (half resolution): %1 ms, on the map %2 ms after the edit")
                         .arg(lastCoarsePreviewMs_, 0, 'f', 1)
                         .arg(lastCoarsePreviewLatencyMs_, 0, 'f', 1);
    }
    lines << sceneJob_.metricsLines();
    return lines.join(QLatin1Char('\n'));
}

// ---- whole scene ---------------------------------------------------------------------

// ---- reference -----------------------------------------------------------------------

} // namespace rb::ui
