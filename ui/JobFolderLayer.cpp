#include "JobFolderLayer.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QImage>
#include <QPainter>
#include <QTimer>

#include <algorithm>
#include <cmath>

#include "JobLane.h"
#include "MapCanvas.h"
#include "SceneLayer.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"

namespace rb::ui {

const QString JobFolderLayer::kOverlayId = QStringLiteral("job-folder");

namespace {
constexpr int kMaxImageSide = 1024;
constexpr int kDefaultPollMs = 2000;
} // namespace

struct JobFolderLayer::Snapshot {
    QString dir;
    std::shared_ptr<const rb::Job> job;
    std::shared_ptr<const SceneData> grid;
    std::vector<rb::StageStatus> status;
    /// Per stage with tiles: whether its grid is in the scenes' CRS (PROJ's comparison,
    /// made once, off the GUI thread), and the CRS's name.
    std::shared_ptr<const QMap<QString, QPair<bool, QString>>> crs;
};

namespace {

bool hasTiles(const rb::JobStage& s) {
    return s.name == "tiles" || !s.kind.empty();
}

/// The grid a stage's task windows are on: the composite's for its tiles.
const rb::Grid& stageGrid(const rb::Job& job, const rb::JobStage& s) {
    return s.kind.empty() ? job.grid : s.grid;
}

} // namespace

QColor JobFolderLayer::color(TileState state) {
    switch (state) {
    case TileState::Done:
        return QColor(46, 160, 67);
    case TileState::Running:
        return QColor(31, 111, 235);
    case TileState::Failed:
        return QColor(218, 54, 51);
    case TileState::Missing:
        break;
    }
    return QColor(150, 150, 150);
}

QString JobFolderLayer::stateName(TileState state) {
    switch (state) {
    case TileState::Done:
        return tr("done");
    case TileState::Running:
        return tr("running");
    case TileState::Failed:
        return tr("failed");
    case TileState::Missing:
        break;
    }
    return tr("missing");
}

JobFolderLayer::JobFolderLayer(MapCanvas* canvas, JobMonitor* monitor, QObject* parent)
    : QObject(parent), canvas_(canvas), lane_(new JobLane(tr("Job folder status"), monitor, this)),
      watcher_(new QFileSystemWatcher(this)), poll_(new QTimer(this)), settle_(new QTimer(this)) {
    poll_->setInterval(kDefaultPollMs);
    connect(poll_, &QTimer::timeout, this, &JobFolderLayer::refresh);
    // Markers come in bursts (a task writes its output, then its marker): read once they pause.
    settle_->setSingleShot(true);
    settle_->setInterval(200);
    connect(settle_, &QTimer::timeout, this, &JobFolderLayer::refresh);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, settle_, qOverload<>(&QTimer::start));
    if (canvas_)
        connect(canvas_, &MapCanvas::overlayLayersChanged, this, [this] {
            // Removed in the Layers panel: the job is no longer shown, stop watching it.
            if (!publishing_ && isOpen() && grid_ && !canvas_->overlayIds().contains(kOverlayId))
                close();
        });
}

JobFolderLayer::~JobFolderLayer() = default;

QString JobFolderLayer::overlayTitle(const QString& id) {
    return id == kOverlayId ? tr("Job folder (a stage's tiles: done, running, missing, failed)")
                            : QString();
}

void JobFolderLayer::setPollInterval(int ms) {
    poll_->setInterval(ms);
}

bool JobFolderLayer::isReading() const {
    return lane_->busy();
}

void JobFolderLayer::open(const QString& dir) {
    close();
    dir_ = QDir(dir).absolutePath();
    watchFolders();
    refresh();
}

void JobFolderLayer::close() {
    const bool was = isOpen();
    lane_->discard();
    poll_->stop();
    settle_->stop();
    if (!watcher_->directories().isEmpty())
        watcher_->removePaths(watcher_->directories());
    dir_.clear();
    job_.reset();
    grid_.reset();
    status_.clear();
    tiles_.clear();
    resubmit_.clear();
    crs_.reset();
    stage_.clear();
    chosenStage_.clear();
    if (canvas_ && canvas_->overlayIds().contains(kOverlayId)) {
        publishing_ = true;
        canvas_->removeOverlay(kOverlayId);
        publishing_ = false;
    }
    if (was)
        emit closed();
}

void JobFolderLayer::watchFolders() {
    if (dir_.isEmpty())
        return;
    QStringList wanted{dir_};
    for (const char* sub : {"done", "running", "failed"})
        if (QFileInfo(dir_ + QLatin1Char('/') + QLatin1String(sub)).isDir())
            wanted << dir_ + QLatin1Char('/') + QLatin1String(sub);
    const QStringList have = watcher_->directories();
    for (const QString& d : wanted)
        if (!have.contains(d))
            watcher_->addPath(d);
}

void JobFolderLayer::refresh() {
    if (dir_.isEmpty())
        return;
    Snapshot in{dir_, job_, grid_, {}, crs_};
    JobOptions options;
    options.monitored = false; // a read of a few small files: no strip entry every 2 s
    lane_->run(
        options,
        [in](JobContext& ctx) {
            Snapshot snap = in;
            if (!snap.job) {
                snap.job = std::make_shared<const rb::Job>(rb::load_job(snap.dir.toStdString()));
                if (snap.job->scenes.empty() || snap.job->scenes.front().source.files.empty())
                    throw rb::ArgumentError(snap.dir.toStdString() + ": the job has no scenes");
                // The output grid is the first scene's: the layer is drawn over scenes on it.
                auto grid = std::make_shared<SceneData>();
                const std::string first = snap.job->scenes.front().source.files.front();
                grid->path = QString::fromStdString(first);
                grid->profile = rb::read_profile(first);
                auto crs = std::make_shared<QMap<QString, QPair<bool, QString>>>();
                for (const auto& s : snap.job->stages)
                    if (hasTiles(s)) {
                        const rb::Crs& c = stageGrid(*snap.job, s).crs;
                        crs->insert(QString::fromStdString(s.name),
                                    {c == grid->profile.crs, QString::fromStdString(c.name())});
                    }
                snap.crs = std::move(crs);
                snap.grid = std::move(grid);
            }
            ctx.throwIfCancelled();
            snap.status = rb::job_status(*snap.job);
            return snap;
        },
        [this](const Snapshot& snap) { deliver(snap); },
        [this](const QString& message) {
            poll_->stop();
            emit failed(message);
        });
}

void JobFolderLayer::deliver(const Snapshot& snap) {
    if (snap.dir != dir_)
        return;
    job_ = snap.job;
    grid_ = snap.grid;
    crs_ = snap.crs;
    status_ = snap.status;
    updateTiles();
    resubmit_.clear();
    bool complete = true;
    for (const std::string& line : rb::resubmit_commands(*job_, status_, "slurm")) {
        resubmit_ << QString::fromStdString(line);
        complete = false;
    }
    if (!complete) {
        resubmit_ << tr("or on this machine:");
        for (const std::string& line : rb::resubmit_commands(*job_, status_, "local"))
            resubmit_ << QString::fromStdString(line);
    }
    watchFolders(); // done/, running/, failed/ appear with the first task
    if (complete)
        poll_->stop();
    else if (!poll_->isActive())
        poll_->start();
    publish();
    emit updated();
}

void JobFolderLayer::updateTiles() {
    // The stage shown: the user's choice, else the latest stage with a done task (where the
    // job is at), else the composite's.
    stage_.clear();
    const QStringList stages = tileStages();
    if (stages.contains(chosenStage_))
        stage_ = chosenStage_;
    for (auto it = status_.rbegin(); stage_.isEmpty() && it != status_.rend(); ++it)
        if (!it->done.empty() && stages.contains(QString::fromStdString(it->name)))
            stage_ = QString::fromStdString(it->name);
    if (stage_.isEmpty() && !stages.isEmpty())
        stage_ = stages.front();
    tiles_.clear();
    for (const auto& s : status_) {
        if (QString::fromStdString(s.name) != stage_)
            continue;
        const std::size_t n = s.done.size() + s.missing.size();
        tiles_.assign(n, TileState::Missing);
        for (int i : s.done)
            tiles_[std::size_t(i)] = TileState::Done;
        for (int i : s.failed)
            tiles_[std::size_t(i)] = TileState::Failed;
        for (int i : s.running)
            tiles_[std::size_t(i)] = TileState::Running;
    }
}

QStringList JobFolderLayer::tileStages() const {
    QStringList out;
    if (job_)
        for (const auto& s : job_->stages)
            if (hasTiles(s))
                out << QString::fromStdString(s.name);
    return out;
}

void JobFolderLayer::setStage(const QString& stage) {
    if (stage == chosenStage_)
        return;
    chosenStage_ = stage;
    if (!job_)
        return;
    updateTiles();
    publish();
    emit updated();
}

bool JobFolderLayer::stageOnMap(const QString& stage) const {
    return crs_ && crs_->value(stage, {false, {}}).first;
}

QString JobFolderLayer::stageCrsName(const QString& stage) const {
    return crs_ ? crs_->value(stage).second : QString();
}

void JobFolderLayer::publish() {
    if (!canvas_ || !job_ || !grid_ || stage_.isEmpty())
        return;
    const rb::Job& job = *job_;
    const rb::JobStage& stage = job.stage(stage_.toStdString());
    const rb::Grid& g = stageGrid(job, stage);
    QImage image;
    std::shared_ptr<const SceneData> on = grid_;
    QRectF rect(0, 0, job.width, job.height);
    if (stageOnMap(stage_)) {
        const double scale =
            std::min(1.0, double(kMaxImageSide) / double(std::max({g.width, g.height, 1})));
        image = QImage(std::max(1, int(std::ceil(g.width * scale))),
                       std::max(1, int(std::ceil(g.height * scale))),
                       QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter p(&image);
        const auto& tasks = stage.tasks;
        for (std::size_t i = 0; i < tasks.size() && i < tiles_.size(); ++i) {
            const rb::Window& w = tasks[i].window;
            const QRectF r(w.col_off * scale, w.row_off * scale, w.width * scale, w.height * scale);
            QColor fill = color(tiles_[i]);
            fill.setAlpha(tiles_[i] == TileState::Done ? 70 : 120);
            p.fillRect(r, fill);
            p.setPen(QPen(color(tiles_[i]), 1));
            p.drawRect(r.adjusted(0, 0, -1, -1));
        }
        // Bound to the stage's own grid (the scenes' CRS, their WKT text, so the canvas
        // places it on any scene of that CRS), which a stage after a reprojection may not
        // share with the first scene.
        auto data = std::make_shared<SceneData>();
        data->path = grid_->path;
        data->profile = grid_->profile;
        data->profile.width = g.width;
        data->profile.height = g.height;
        data->profile.transform = g.transform;
        on = std::move(data);
        rect = QRectF(0, 0, g.width, g.height);
    } else {
        // Another CRS: nothing drawn (a transparent stand-in keeps the layer listed; taking
        // it off the map would close the job).
        image = QImage(1, 1, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
    }
    publishing_ = true;
    canvas_->setOverlay(kOverlayId, image, rect, on, MapCanvas::Binding::Grid);
    publishing_ = false;
}

JobFolderLayer::Counts JobFolderLayer::counts(const QString& stage) const {
    Counts c;
    for (const auto& s : status_) {
        if (QString::fromStdString(s.name) != stage)
            continue;
        c.done = int(s.done.size());
        c.running = int(s.running.size());
        c.failed = int(s.failed.size());
        c.missing = int(s.missing.size()) - c.running - c.failed;
    }
    return c;
}

QString JobFolderLayer::summary() const {
    QStringList parts;
    for (const auto& s : status_) {
        const Counts c = counts(QString::fromStdString(s.name));
        parts << tr("%1: %2 done, %3 running, %4 missing, %5 failed")
                     .arg(QString::fromStdString(s.name))
                     .arg(c.done)
                     .arg(c.running)
                     .arg(c.missing)
                     .arg(c.failed);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace rb::ui
