#include "SceneStack.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <exception>
#include <set>

#include "rasterbench/dtype.h"
#include "rasterbench/error.h"
#include "rasterbench/raster.h"

namespace rb::ui {

std::optional<double> StackEntry::validShare() const {
    if (!data || data->display.bands.empty())
        return std::nullopt;
    const auto it = exact.find(data->display.bands.front());
    if (it == exact.end())
        return std::nullopt;
    const double total = double(data->profile.width) * double(data->profile.height);
    return total > 0 ? double(it->second.stats.valid_count) / total : 0.0;
}

QString StackEntry::displayName() const {
    // An aligned copy keeps the name the user knows the scene by.
    return QFileInfo(alignedFrom.isEmpty() ? path : alignedFrom).fileName();
}

SceneStack::SceneStack(QObject* parent) : QObject(parent) {
    for (JobLane* lane : {&loadLane_, &statsLane_, &alignLane_})
        lane->setPolicy(JobLane::Policy::Independent);
    loadLane_.setMaxThreads(2);
    alignLane_.setMaxThreads(2);
}

SceneStack::~SceneStack() = default;

void SceneStack::setJobMonitor(JobMonitor* monitor) {
    statsLane_.setMonitor(monitor);
    stretchLane_.setMonitor(monitor);
    alignLane_.setMonitor(monitor);
}

void SceneStack::cancelJobs(const StackEntry& e) {
    loadLane_.discard(e.loadJob);
    statsLane_.discard(e.statsJob);
    alignLane_.cancel(e.alignJob);
}

int SceneStack::rowOf(quint64 id) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].id == id)
            return int(i);
    return -1;
}

int SceneStack::rowOfPath(const QString& path) const {
    const QString abs = QFileInfo(path).absoluteFilePath();
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].path == abs)
            return int(i);
    return -1;
}

bool SceneStack::isBusy() const {
    return loadLane_.busy() || statsLane_.busy() || alignLane_.busy() || stretchLane_.busy() ||
           viewHistogramLane_.busy();
}

bool SceneStack::isLoading() const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [](const StackEntry& e) { return e.state == StackEntry::State::Loading; });
}

void SceneStack::addFiles(const QStringList& paths) {
    bool added = false;
    for (const QString& p : paths) {
        if (p.isEmpty() || rowOfPath(p) >= 0)
            continue;
        StackEntry e;
        e.id = nextId_++;
        e.path = QFileInfo(p).absoluteFilePath();
        entries_.push_back(e);
        startLoad(entries_.back());
        added = true;
    }
    if (added)
        emit entriesChanged();
}

void SceneStack::startLoad(StackEntry& e) {
    JobOptions options;
    options.ended = [this](quint64, JobOutcome) { emit busyChanged(); };
    e.loadJob = loadLane_.run(
        options,
        [path = e.path](JobContext&) {
            return std::make_shared<const SceneData>(SceneData::load(path));
        },
        [this, id = e.id](std::shared_ptr<const SceneData> data) {
            const int row = rowOf(id);
            if (row < 0)
                return; // removed meanwhile
            StackEntry& e = entries_[std::size_t(row)];
            e.loadJob = 0;
            e.state = StackEntry::State::Ready;
            e.data = data;
            updateGrids();
            std::optional<std::pair<rb::DisplaySettings, bool>> saved;
            if (restorer_)
                saved = restorer_(*data);
            if (current_ < 0)
                current_ = row;
            emit entriesChanged();
            if (saved)
                setDisplay(row, saved->first, saved->second);
            else
                setDisplay(row, data->display, false);
            if (current_ == row)
                emit currentChanged(row);
        },
        [this, id = e.id, path = e.path](const QString& error) {
            const int row = rowOf(id);
            if (row < 0)
                return;
            StackEntry& e = entries_[std::size_t(row)];
            e.loadJob = 0;
            e.state = StackEntry::State::Failed;
            e.error = error.contains(path) ? error : QStringLiteral("%1: %2").arg(path, error);
            emit entriesChanged();
            emit loadFailed(path, e.error);
        });
}

int SceneStack::referenceRow() const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].data)
            return int(i);
    return -1;
}

void SceneStack::updateGrids() {
    const int ref = referenceRow();
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        StackEntry& e = entries_[i];
        if (!e.data || int(i) == ref)
            e.grid.reset();
        else
            e.grid = rb::compare_grids(entries_[std::size_t(ref)].data->profile, e.data->profile);
    }
}

void SceneStack::remove(int row) {
    if (row < 0 || row >= count())
        return;
    cancelJobs(entries_[std::size_t(row)]);
    entries_.erase(entries_.begin() + row);
    updateGrids();
    const bool wasCurrent = row == current_;
    if (row < current_)
        --current_;
    if (wasCurrent)
        current_ = count() == 0 ? -1 : std::min(row, count() - 1);
    emit entriesChanged();
    if (wasCurrent)
        emit currentChanged(current_);
    releaseMemoryWhenEmpty();
}

void SceneStack::move(int from, int to) {
    if (from < 0 || from >= count() || to < 0 || to >= count() || from == to)
        return;
    const quint64 currentId = current_ >= 0 ? entries_[std::size_t(current_)].id : 0;
    StackEntry e = std::move(entries_[std::size_t(from)]);
    entries_.erase(entries_.begin() + from);
    entries_.insert(entries_.begin() + to, std::move(e));
    current_ = currentId ? rowOf(currentId) : -1;
    updateGrids();
    emit entriesChanged();
}

void SceneStack::setVisible(int row, bool visible) {
    if (row < 0 || row >= count() || entries_[std::size_t(row)].visible == visible)
        return;
    entries_[std::size_t(row)].visible = visible;
    emit entriesChanged();
}

void SceneStack::clear() {
    for (const StackEntry& e : entries_)
        cancelJobs(e);
    entries_.clear();
    current_ = -1;
    emit entriesChanged();
    emit currentChanged(-1);
    releaseMemoryWhenEmpty();
}

void SceneStack::releaseMemoryWhenEmpty() {
    // With no scene left, the pixel buffers kept for reuse (views, previews, composites)
    // serve nothing: the system gets them back, as a user closing everything expects. The
    // listeners have dropped their rasters while handling the signals above.
    if (entries_.empty())
        rb::detail::release_pixel_pool();
}

void SceneStack::setCurrent(int row) {
    if (row < -1 || row >= count() || row == current_)
        return;
    current_ = row;
    emit currentChanged(row);
}

bool SceneStack::stepCurrent(int delta) {
    const int n = count();
    if (n == 0)
        return false;
    int row = current_ < 0 ? 0 : current_;
    for (int i = 0; i < n; ++i) {
        row = ((row + delta) % n + n) % n;
        const StackEntry& e = entries_[std::size_t(row)];
        if (e.visible && e.data) {
            setCurrent(row);
            return true;
        }
    }
    return false;
}

rb::WarpResampling SceneStack::defaultAlignResampling(const rb::Profile& p) {
    if (rb::is_floating(p.dtype) || rb::is_complex(p.dtype))
        return rb::WarpResampling::Bilinear;
    static const QRegularExpression classLike(
        QStringLiteral("\\bqa\\b|qa_|_qa|bqa|pixel.?qa|mask|class|flag|cloud|fmask|\\bscl\\b|"
                       "land.?cover|label|category"),
        QRegularExpression::CaseInsensitiveOption);
    for (const std::string& c : p.colorinterp)
        if (c == "Palette")
            return rb::WarpResampling::Nearest;
    for (const std::string& d : p.descriptions)
        if (QString::fromStdString(d).contains(classLike))
            return rb::WarpResampling::Nearest;
    return rb::WarpResampling::Bilinear;
}

QString SceneStack::alignCacheFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
        .filePath(QStringLiteral("aligned"));
}

bool SceneStack::canAlign(int row) const {
    if (row < 0 || row >= count())
        return false;
    const StackEntry& e = entries_[std::size_t(row)];
    return e.data && !e.aligning && row != referenceRow() && e.grid && !e.grid->aligned();
}

bool SceneStack::isAligning() const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [](const StackEntry& e) { return e.aligning; });
}

bool SceneStack::alignToReference(int row, const AlignOptions& options, QString* error) {
    auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (!canAlign(row))
        return fail(tr("%1: nothing to align (the reference itself, already on the reference "
                       "grid, not loaded, or being aligned)")
                        .arg(row >= 0 && row < count() ? entries_[std::size_t(row)].path
                                                       : QString::number(row)));
    StackEntry& e = entries_[std::size_t(row)];
    const rb::Profile& ref = entries_[std::size_t(referenceRow())].data->profile;
    const rb::Grid grid = rb::grid_of(ref);
    rb::ReprojectOptions warp;
    warp.resampling = options.resampling.value_or(defaultAlignResampling(e.data->profile));
    QString out = options.outputPath;
    if (out.isEmpty()) {
        // One file per source, reference grid and resampling: aligning the same scene the
        // same way again reuses the name (our own cache file, never the user's).
        QCryptographicHash h(QCryptographicHash::Sha1);
        h.addData(e.path.toUtf8());
        h.addData(QByteArray::fromStdString(ref.crs.to_wkt()));
        for (double c : {ref.transform.a, ref.transform.b, ref.transform.c, ref.transform.d,
                         ref.transform.e, ref.transform.f})
            h.addData(QByteArray::number(c, 'g', 17));
        h.addData(QByteArray::number(ref.width) + 'x' + QByteArray::number(ref.height));
        h.addData(
            QByteArray::fromStdString(std::string(rb::warp_resampling_name(warp.resampling))));
        const QString folder = alignCacheFolder();
        if (!QDir().mkpath(folder))
            return fail(tr("%1: cannot create the cache folder for aligned scenes").arg(folder));
        out = QDir(folder).filePath(QStringLiteral("%1.aligned-%2.tif")
                                        .arg(QFileInfo(e.path).completeBaseName(),
                                             QString::fromLatin1(h.result().toHex().left(10))));
    }
    out = QFileInfo(out).absoluteFilePath();
    // Never overwrite an input: neither this scene's file, its original, nor any scene listed.
    for (const StackEntry& other : entries_)
        if (QFileInfo(other.path) == QFileInfo(out) ||
            (!other.alignedFrom.isEmpty() && QFileInfo(other.alignedFrom) == QFileInfo(out)))
            return fail(tr("%1: is a scene of the stack; choose another file for the aligned "
                           "copy")
                            .arg(out));
    e.aligning = true;
    e.alignProgress = 0;
    JobOptions job;
    job.label = tr("Aligning %1 to the reference grid").arg(e.displayName());
    job.progress = [this, id = e.id](double f) {
        const int row = rowOf(id);
        if (row >= 0)
            entries_[std::size_t(row)].alignProgress = f;
    };
    job.ended = [this, id = e.id, out, inCache = options.outputPath.isEmpty()](quint64 jobId,
                                                                               JobOutcome outcome) {
        const int row = rowOf(id);
        if (row >= 0 && entries_[std::size_t(row)].alignJob == jobId) {
            entries_[std::size_t(row)].alignJob = 0;
            entries_[std::size_t(row)].aligning = false;
        }
        // Cancelled or removed meanwhile: nothing is applied. A copy that was finished
        // just before the cancel is ours to delete when it is in the cache.
        if ((outcome == JobOutcome::Cancelled || outcome == JobOutcome::Superseded) && inCache)
            QFile::remove(out);
        if (outcome != JobOutcome::Done)
            emit entriesChanged();
        emit busyChanged();
    };
    e.alignJob = alignLane_.run(
        job,
        [src = e.path, out, grid, warp, date = e.data->date](JobContext& ctx) {
            try {
                rb::reproject_file(src.toStdString(), out.toStdString(), grid, warp,
                                   rb::Progress(ctx.progressFn()));
                SceneData scene = SceneData::load(out);
                if (!scene.date)
                    scene.date = date; // the warp does not carry the source's metadata
                return std::make_shared<const SceneData>(std::move(scene));
            } catch (const rb::Cancelled&) {
                throw;
            } catch (const std::exception& ex) {
                const QString m = QString::fromStdString(ex.what());
                if (m.contains(src) || m.contains(out))
                    throw;
                throw rb::Error(tr("aligning %1 into %2: %3").arg(src, out, m).toStdString());
            }
        },
        [this, id = e.id](std::shared_ptr<const SceneData> data) {
            const int row = rowOf(id);
            if (row < 0)
                return;
            StackEntry& e = entries_[std::size_t(row)];
            e.alignJob = 0;
            e.aligning = false;
            const rb::DisplaySettings display = e.data->display;
            const bool fast = e.fastSample;
            // A new identity: statistics or other jobs still running on the old file are
            // cancelled, and find no row if they end anyway.
            cancelJobs(e);
            e.id = nextId_++;
            if (e.alignedFrom.isEmpty())
                e.alignedFrom = e.path;
            e.path = data->path;
            e.data = data;
            e.exact.clear();
            e.statsRunning = false;
            e.statsProgress = 0;
            e.statsJob = 0;
            updateGrids();
            emit entriesChanged();
            // Same bands, colours and stretch rule as before, re-derived on the new pixels.
            rb::DisplaySettings d = display;
            bool bandsOk = true;
            for (int b : d.bands)
                bandsOk = bandsOk && b >= 1 && b <= data->profile.count;
            setDisplay(row, bandsOk ? d : data->display, fast);
            emit aligned(row);
            if (row == current_)
                emit currentChanged(row);
        },
        [this, src = e.path](const QString& error) { emit alignFailed(src, error); });
    emit entriesChanged();
    emit busyChanged();
    return true;
}

int SceneStack::alignAllToReference(std::optional<rb::WarpResampling> resampling) {
    int started = 0;
    for (int row = 0; row < count(); ++row)
        if (canAlign(row)) {
            AlignOptions o;
            o.resampling = resampling;
            started += alignToReference(row, o) ? 1 : 0;
        }
    return started;
}

void SceneStack::cancelAlign(int row) {
    if (row >= 0 && row < count())
        alignLane_.cancel(entries_[std::size_t(row)].alignJob);
}

QStringList SceneStack::paths() const {
    QStringList out;
    for (int i = 0; i < count(); ++i)
        out << entry(i).path;
    return out;
}

} // namespace rb::ui
