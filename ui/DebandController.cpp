#include "DebandController.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <cmath>

#include "Background.h"
#include "MapCanvas.h"
#include "rasterbench/dataset.h"
#include "rasterbench/render.h"

namespace rb::ui {

using rb::fft::NotchSet;

namespace {
const QString kSceneOverlay = QStringLiteral("deband-1-scene");
const QString kAreaOverlay = QStringLiteral("deband-2-area");

/// Band `band` (1-based) of `path` in `window` as Float32 with its validity mask.
rb::Raster readFloat(const std::string& path, int band, std::optional<rb::Window> window) {
    const rb::Dataset ds = rb::Dataset::open(path);
    rb::ReadOptions ro;
    ro.bands = {band};
    ro.window = window;
    const rb::Raster r = ds.read(ro);
    rb::Raster f(rb::DataType::Float32, 1, r.rows(), r.cols());
    auto dst = f.band<float>(0);
    rb::visit_dtype(r.dtype(), [&](auto x) {
        using T = decltype(x);
        const auto src = r.band<T>(0);
        for (std::size_t i = 0; i < src.size(); ++i)
            dst[i] = float(src[i]);
    });
    if (r.has_mask()) {
        const auto m = r.mask(0);
        std::copy(m.begin(), m.end(), f.mask(0).begin());
    }
    return f;
}
} // namespace

struct DebandController::Area {
    rb::Window window;
    int band = 1;
    rb::Raster data; ///< Float32, one band, with mask
    std::unique_ptr<rb::fft::DebandSession> session;
    std::shared_ptr<const rb::fft::Spectrum> spectrum; ///< tapered, for display and auto
    double lo = 0, hi = 1;                             ///< display stretch
};

DebandController::DebandController(MapCanvas* canvas, QObject* parent)
    : QObject(parent), canvas_(canvas), latestScene_(std::make_shared<std::atomic<quint64>>(0)) {
    pool_.setMaxThreadCount(1); // one whole-scene job at a time; the newest supersedes
    // Edits come in bursts (a drag): the whole scene waits until they pause.
    sceneTimer_.setSingleShot(true);
    sceneTimer_.setInterval(400);
    connect(&sceneTimer_, &QTimer::timeout, this, &DebandController::startSceneJob);
}

DebandController::~DebandController() {
    latestScene_->store(~quint64(0)); // running jobs see they are stale and cancel
    pool_.waitForDone();
}

void DebandController::setScene(std::shared_ptr<const SceneData> scene) {
    const bool same = scene_ && scene && scene_->path == scene->path;
    scene_ = std::move(scene);
    if (!same) {
        area_.reset();
        before_.clear();
        after_.clear();
        sceneAfter_ = sceneDiff_ = QImage();
        band_ = scene_ && !scene_->bands.empty() ? scene_->bands.front() : 1;
        if (canvas_) {
            canvas_->setOverlay(kSceneOverlay, {}, {});
            canvas_->setOverlay(kAreaOverlay, {}, {});
        }
    }
}

void DebandController::setBand(int band) {
    if (band == band_)
        return;
    band_ = band;
    area_.reset();
    sceneAfter_ = sceneDiff_ = QImage();
    prepareArea();
}

rb::Window DebandController::area() const {
    return area_ ? area_->window : rb::Window{};
}

std::shared_ptr<const rb::fft::Spectrum> DebandController::spectrum() const {
    return area_ ? area_->spectrum : nullptr;
}

void DebandController::prepareArea() {
    if (!scene_)
        return;
    const int w = scene_->profile.width, h = scene_->profile.height;
    // Centred on the view, at most kMaxAreaSide a side, inside the scene.
    rb::Window view = canvas_ ? canvas_->visibleWindow() : rb::Window::full(w, h);
    if (view.empty())
        view = rb::Window::full(w, h);
    const auto aw = std::min<std::int64_t>(kMaxAreaSide, w),
               ah = std::min<std::int64_t>(kMaxAreaSide, h);
    const std::int64_t cx = view.col_off + view.width / 2, cy = view.row_off + view.height / 2;
    const rb::Window win{std::clamp<std::int64_t>(cx - aw / 2, 0, w - aw),
                         std::clamp<std::int64_t>(cy - ah / 2, 0, h - ah), aw, ah};
    preparing_ = true;
    const quint64 generation = ++areaGeneration_;
    struct Result {
        std::shared_ptr<Area> area;
        QString error;
    };
    auto scene = scene_;
    const int band = band_;
    runInBackground(
        this, &pool_,
        [scene, band, win]() {
            Result r;
            try {
                auto a = std::make_shared<Area>();
                a->window = win;
                a->band = band;
                a->data = readFloat(scene->pathUtf8(), band, win);
                a->session = std::make_unique<rb::fft::DebandSession>(a->data, 0);
                a->spectrum =
                    std::make_shared<rb::fft::Spectrum>(rb::fft::compute_spectrum(a->data, 0));
                // The scene's own stretch when this band is displayed, else the area's.
                const auto it = std::find(scene->bands.begin(), scene->bands.end(), band);
                if (it != scene->bands.end() &&
                    std::size_t(it - scene->bands.begin()) < scene->stretch.size()) {
                    a->lo = scene->stretch[std::size_t(it - scene->bands.begin())].lo;
                    a->hi = scene->stretch[std::size_t(it - scene->bands.begin())].hi;
                } else {
                    a->lo = rb::band_percentile(a->data, 0, 2);
                    a->hi = rb::band_percentile(a->data, 0, 98);
                }
                r.area = std::move(a);
            } catch (const std::exception& e) {
                r.error = QString::fromStdString(e.what());
            }
            return r;
        },
        [this, generation](const Result& r) {
            if (generation != areaGeneration_)
                return; // a newer area was asked for
            preparing_ = false;
            if (!r.area) {
                emit message(r.error);
                return;
            }
            area_ = r.area;
            const auto v = area_->data.band<float>(0);
            before_.assign(v.begin(), v.end());
            emit areaReady();
            updatePreview();
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

void DebandController::setNotches(const NotchSet& notches, bool undoable) {
    if (undoable)
        undo_.push_back(notches_);
    notches_ = notches;
    emit notchesChanged();
    updatePreview();
    scheduleSceneJob();
}

void DebandController::undo() {
    if (undo_.empty())
        return;
    notches_ = undo_.back();
    undo_.pop_back();
    emit notchesChanged();
    updatePreview();
    scheduleSceneJob();
}

QString DebandController::autoDetect() {
    if (!area_)
        return tr("the deband area is not ready");
    const rb::fft::Orientation o = rb::fft::estimate_orientation(area_->data, 0);
    if (o.source == rb::fft::OrientationSource::None) {
        const QString text = tr("no stripe orientation found");
        emit message(text);
        return text;
    }
    const rb::fft::PeakResult p = rb::fft::find_peaks(*area_->spectrum, o.angle_deg);
    setNotches(p.notches, true);
    const QString text = tr("bands at %1\u00b0 (from the %2), period %3 px, %4 notches")
                             .arg(o.angle_deg, 0, 'f', 2)
                             .arg(QString::fromUtf8(rb::fft::source_name(o.source).data()))
                             .arg(p.period, 0, 'f', 1)
                             .arg(p.notches.points.size());
    emit message(text);
    return text;
}

void DebandController::setShow(Show show) {
    show_ = show;
    updateOverlays();
}

void DebandController::updatePreview() {
    if (!area_)
        return;
    after_.resize(before_.size());
    QElapsedTimer timer;
    timer.start();
    area_->session->apply(notches_, after_.data());
    lastPreviewMs_ = double(timer.nsecsElapsed()) / 1e6;
    double total = 0;
    const double removed = area_->session->removed_energy(notches_, &total);
    metrics_ = tr("area %1x%2: %3 % of the energy removed; preview %4 ms")
                   .arg(area_->window.width)
                   .arg(area_->window.height)
                   .arg(total > 0 ? 100 * removed / total : 0.0, 0, 'f', 3)
                   .arg(lastPreviewMs_, 0, 'f', 1);
    updateOverlays();
    emit previewUpdated();
}

QImage DebandController::toImage(const float* values, const float* reference,
                                 const std::uint8_t* mask, int rows, int cols, int step, double lo,
                                 double hi) {
    const int outRows = (rows + step - 1) / step, outCols = (cols + step - 1) / step;
    QImage img(outCols, outRows, QImage::Format_ARGB32);
    if (reference) {
        // Difference: symmetric about mid grey, +-4 RMS of the change (at least 1 unit).
        double s2 = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < std::size_t(rows) * cols; i += 7)
            if (!mask || mask[i]) {
                const double d = double(values[i]) - reference[i];
                s2 += d * d;
                ++n;
            }
        const double span = std::max(1.0, 4 * std::sqrt(s2 / double(std::max<std::size_t>(n, 1))));
        lo = -span;
        hi = span;
    }
    const double scale = 255.0 / std::max(hi - lo, 1e-12);
    for (int r = 0; r < outRows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(r));
        for (int c = 0; c < outCols; ++c) {
            const std::size_t i = std::size_t(r) * step * cols + std::size_t(c) * step;
            if (mask && !mask[i]) {
                line[c] = 0; // transparent: nodata shows the checkerboard
                continue;
            }
            const double v = reference ? double(values[i]) - reference[i] : double(values[i]);
            const int g = int(std::clamp((v - lo) * scale, 0.0, 255.0));
            line[c] = qRgb(g, g, g);
        }
    }
    return img;
}

void DebandController::updateOverlays() {
    if (!canvas_)
        return;
    if (show_ == Show::Before || !area_) {
        canvas_->setOverlay(kSceneOverlay, {}, {});
        canvas_->setOverlay(kAreaOverlay, {}, {});
        return;
    }
    const QImage& scene = show_ == Show::After ? sceneAfter_ : sceneDiff_;
    if (!scene.isNull())
        canvas_->setOverlay(kSceneOverlay, scene,
                            QRectF(0, 0, scene_->profile.width, scene_->profile.height));
    else
        canvas_->setOverlay(kSceneOverlay, {}, {});
    // The area at screen resolution: one sample per screen pixel is all the map can show.
    const double scale = canvas_->view().scale();
    const int step = std::max(1, int(std::floor(1.0 / std::max(scale, 1e-6))));
    const auto m = area_->data.mask(0);
    const QImage img = toImage(after_.data(), show_ == Show::Difference ? before_.data() : nullptr,
                               m.empty() ? nullptr : m.data(), int(area_->window.height),
                               int(area_->window.width), step, area_->lo, area_->hi);
    canvas_->setOverlay(kAreaOverlay, img,
                        QRectF(double(area_->window.col_off), double(area_->window.row_off),
                               double(area_->window.width), double(area_->window.height)));
}

void DebandController::scheduleSceneJob() {
    // Newer edits make a running job stale at once.
    latestScene_->store(++sceneGeneration_);
    sceneTimer_.start();
}

void DebandController::startSceneJob() {
    if (!scene_)
        return;
    const quint64 generation = sceneGeneration_;
    sceneRunning_ = true;
    struct Result {
        QImage after, diff;
        QString error;
        bool cancelled = false;
    };
    runInBackground(
        this, &pool_,
        [scene = scene_, band = band_, notches = notches_, generation, latest = latestScene_,
         lo = area_ ? area_->lo : 0.0, hi = area_ ? area_->hi : 1.0]() {
            Result r;
            try {
                rb::Progress progress([&](double) { return latest->load() == generation; });
                const rb::Raster src = readFloat(scene->pathUtf8(), band, std::nullopt);
                progress.check();
                const rb::Raster out = rb::fft::deband(src, notches, {}, std::nullopt, progress);
                const int longest = std::max(src.rows(), src.cols());
                const int step = std::max(1, (longest + kSceneOverlaySide - 1) / kSceneOverlaySide);
                const auto m = src.mask(0);
                r.after =
                    toImage(out.band<float>(0).data(), nullptr, m.empty() ? nullptr : m.data(),
                            src.rows(), src.cols(), step, lo, hi);
                r.diff =
                    toImage(out.band<float>(0).data(), src.band<float>(0).data(),
                            m.empty() ? nullptr : m.data(), src.rows(), src.cols(), step, lo, hi);
            } catch (const rb::Cancelled&) {
                r.cancelled = true;
            } catch (const std::exception& e) {
                r.error = QString::fromStdString(e.what());
            }
            return r;
        },
        [this, generation](const Result& r) {
            if (generation != sceneGeneration_)
                return;
            sceneRunning_ = false;
            if (r.cancelled)
                return;
            if (!r.error.isEmpty()) {
                emit message(r.error);
                return;
            }
            sceneAfter_ = r.after;
            sceneDiff_ = r.diff;
            updateOverlays();
            emit sceneResultReady();
        });
}

} // namespace rb::ui
