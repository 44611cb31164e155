#include "DebandSceneJob.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

#include "MapCanvas.h"
#include "SceneRender.h"
#include "rasterbench/deband_area.h"

namespace rb::ui {

namespace {

/// The engine's messages name the file; one that does not (a bad_alloc) gets it in front.
QString namingFile(const QString& path, const std::exception& e) {
    const QString what = QString::fromStdString(e.what());
    return what.contains(path) ? what : path + QStringLiteral(": ") + what;
}

QString decibels(double v) {
    return std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("\u221e");
}

} // namespace

DebandSceneJob::DebandSceneJob(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas) {
    // Edits come in bursts (a drag): the whole scene waits until they pause.
    timer_.setSingleShot(true);
    timer_.setInterval(400);
    connect(&timer_, &QTimer::timeout, this, &DebandSceneJob::startSceneJob);
}

DebandSceneJob::~DebandSceneJob() = default;

void DebandSceneJob::setSource(std::shared_ptr<const SceneData> scene, int band) {
    const bool same = scene_ && scene && scene_->path == scene->path && band == band_;
    scene_ = std::move(scene);
    band_ = band;
    if (same)
        return;
    cancelSceneJob();
    if (!referencePath_.isEmpty())
        loadReference();
}

void DebandSceneJob::setShow(DebandShow show) {
    show_ = show;
    updateSceneOverlay();
}

QStringList DebandSceneJob::metricsLines() const {
    QStringList lines;
    if (running_)
        lines << tr("whole scene: %1 %").arg(progress_);
    else if (!state_.isEmpty())
        lines << tr("whole scene: %1").arg(state_);
    if (!referencePath_.isEmpty()) {
        const QString name = QFileInfo(referencePath_).fileName();
        if (!reference_)
            lines << tr("reference %1: reading...").arg(name);
        else if (metrics_.psnrAfter)
            lines << tr("vs %1: PSNR %2 \u2192 %3 dB, SSIM %4 \u2192 %5")
                         .arg(name)
                         .arg(decibels(*metrics_.psnrBefore))
                         .arg(decibels(*metrics_.psnrAfter))
                         .arg(metrics_.ssimBefore.value_or(0), 0, 'f', 4)
                         .arg(metrics_.ssimAfter.value_or(0), 0, 'f', 4);
        else
            lines << tr("vs %1: PSNR / SSIM follow the whole-scene result").arg(name);
    }
    return lines;
}

void DebandSceneJob::updateSceneOverlay() {
    if (!canvas_)
        return;
    const QImage& scene = show_ == DebandShow::After ? after_ : diff_;
    if (show_ != DebandShow::Before && !scene.isNull() && scene_)
        canvas_->setOverlay(kOverlayId, scene,
                            QRectF(0, 0, scene_->profile.width, scene_->profile.height), scene_);
    else
        canvas_->setOverlay(kOverlayId, {}, {});
}

void DebandSceneJob::dropSceneResult() {
    metrics_ = {};
    if (after_.isNull() && diff_.isNull())
        return; // a drag calls this per move: the map (and its layer list) is left alone
    after_ = diff_ = QImage();
    updateSceneOverlay();
}

void DebandSceneJob::scheduleSceneJob(const rb::fft::NotchSet& notches) {
    notches_ = notches;
    // Newer edits make a running job stale at once; its result (and the previous one, made
    // for other notches) must not be shown.
    sceneLane_.cancel();
    dropSceneResult();
    progress_ = 0;
    state_.clear();
    if (!scene_ || (notches_.empty() && !reference_)) {
        // Nothing to compute: without notches the result is the scene, and there is no
        // reference to measure it against.
        timer_.stop();
        if (running_) {
            running_ = false;
            emit runningChanged(false);
        }
        return;
    }
    if (!running_) {
        running_ = true; // from the user's side it runs: Cancel applies
        emit runningChanged(true);
    }
    emit progressChanged(0);
    timer_.start();
}

void DebandSceneJob::startSceneJobNow() {
    scheduleSceneJob(notches_);
    if (timer_.isActive()) {
        timer_.stop();
        startSceneJob();
    }
}

void DebandSceneJob::cancelSceneJob() {
    const bool wasRunning = running_;
    timer_.stop();
    sceneLane_.cancel(); // the worker's progress callback says stop
    running_ = false;
    progress_ = 0;
    dropSceneResult();
    if (wasRunning) {
        state_ = tr("cancelled");
        emit runningChanged(false);
        emit message(tr("whole-scene result cancelled"));
    }
}

void DebandSceneJob::startSceneJob() {
    if (!scene_)
        return;
    struct Result {
        QImage after, diff;
        Metrics metrics;
        QString error;
    };
    JobOptions options;
    options.progress = [this](double f) {
        const int p = std::clamp(int(f * 100), 0, 100);
        if (p != progress_) {
            progress_ = p;
            emit progressChanged(p);
        }
    };
    // Delivered only while current: a cancel or newer notches drop it.
    sceneLane_.run(
        std::move(options),
        [scene = scene_, band = band_, notches = notches_, reference = reference_,
         stretch = stretch_](JobContext& job) {
            Result r;
            try {
                const rb::fft::SceneDeband d = rb::fft::deband_scene(
                    scene->pathUtf8(), band, notches, stretch, kSceneOverlaySide, reference.get(),
                    rb::Progress(job.progressFn()));
                r.after = toQImage(d.after);
                r.diff = toQImage(d.difference);
                r.metrics = {d.psnr_before, d.psnr_after, d.ssim_before, d.ssim_after};
            } catch (const rb::Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                r.error = namingFile(scene->path, e);
            }
            return r;
        },
        [this](const Result& r) {
            running_ = false;
            if (!r.error.isEmpty()) {
                state_ = tr("failed");
                if (canvas_) // the result shown is of other notches: hidden and marked
                    canvas_->setOverlayFailed(kOverlayId, r.error);
                emit failed(r.error);
            } else {
                state_ = tr("done");
                progress_ = 100;
                after_ = r.after;
                diff_ = r.diff;
                metrics_ = r.metrics;
                updateSceneOverlay();
            }
            emit runningChanged(false);
            if (r.error.isEmpty())
                emit resultReady();
        });
}

void DebandSceneJob::setReference(const QString& path) {
    referencePath_ = path;
    loadReference();
}

void DebandSceneJob::clearReference() {
    referenceLane_.cancel();
    referencePath_.clear();
    reference_.reset();
    metrics_ = {};
    emit referenceChanged();
}

void DebandSceneJob::loadReference() {
    referenceLane_.cancel(); // one for another scene or band
    reference_.reset();
    metrics_ = {};
    emit referenceChanged();
    if (!scene_)
        return;
    struct Result {
        std::shared_ptr<const rb::Raster> data;
        QString error;
    };
    // Supersedes a reference being read for another path, band or scene.
    referenceLane_.run(
        [path = referencePath_, band = band_, w = scene_->profile.width, h = scene_->profile.height,
         sceneName = QFileInfo(scene_->path).fileName()](JobContext&) {
            Result r;
            try {
                r.data = std::make_shared<const rb::Raster>(rb::fft::read_reference(
                    path.toStdString(), band, w, h, sceneName.toStdString()));
            } catch (const std::exception& e) {
                r.error = namingFile(path, e);
            }
            return r;
        },
        [this](const Result& r) {
            if (!r.data) {
                referencePath_.clear();
                emit referenceChanged();
                emit failed(r.error);
                return;
            }
            reference_ = r.data;
            emit referenceChanged();
            emit message(tr("reference %1 read").arg(QFileInfo(referencePath_).fileName()));
            startSceneJobNow(); // the metrics come with the whole-scene result
        });
}

} // namespace rb::ui
