// SceneStack: display settings and the statistics behind them (stretch percentiles of the
// whole scene or a window, computed in the background).
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

namespace rb::ui {

namespace {

std::vector<int> uniqueBands(const std::vector<int>& bands) {
    std::vector<int> u = bands;
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    return u;
}

/// Distributions of the displayed bands (in display order, duplicates repeated).
std::vector<rb::BandDistribution> inDisplayOrder(const std::vector<int>& display,
                                                 const std::vector<int>& bands,
                                                 const std::vector<rb::BandDistribution>& d) {
    std::vector<rb::BandDistribution> out;
    for (int b : display) {
        const auto it = std::find(bands.begin(), bands.end(), b);
        out.push_back(d[std::size_t(it - bands.begin())]);
    }
    return out;
}

} // namespace

std::vector<double> SceneStack::percentsFor(const rb::DisplaySettings& display) {
    std::vector<double> p = {2, 98};
    if (display.stretch_options.mode == rb::StretchMode::PercentClip)
        for (double v : {display.stretch_options.low_percent, display.stretch_options.high_percent})
            if (std::find(p.begin(), p.end(), v) == p.end())
                p.push_back(v);
    return p;
}

void SceneStack::startStats(int row) {
    StackEntry& e = entries_[std::size_t(row)];
    if (!e.data || e.statsRunning)
        return;
    const rb::DisplaySettings& d = e.data->display;
    std::vector<int> bands;
    for (int b : uniqueBands(d.bands)) {
        const auto it = e.exact.find(b);
        const bool answerable =
            it != e.exact.end() && (d.stretch_options.mode != rb::StretchMode::PercentClip ||
                                    (it->second.percentile(d.stretch_options.low_percent) &&
                                     it->second.percentile(d.stretch_options.high_percent)));
        if (!answerable)
            bands.push_back(b);
    }
    if (bands.empty())
        return;
    e.statsRunning = true;
    e.statsProgress = 0;
    rb::DistributionOptions distribution;
    distribution.percents = percentsFor(d);
    JobOptions options;
    options.label = tr("Exact statistics of %1").arg(e.displayName());
    options.progress = [this, id = e.id](double f) {
        const int row = rowOf(id);
        if (row < 0)
            return;
        entries_[std::size_t(row)].statsProgress = f;
        emit statsProgress(row, f);
    };
    // However it ends (done, failed, cancelled from the job strip, the scene removed).
    options.ended = [this, id = e.id](quint64 job, JobOutcome) {
        const int row = rowOf(id);
        if (row >= 0 && entries_[std::size_t(row)].statsJob == job) {
            entries_[std::size_t(row)].statsJob = 0;
            entries_[std::size_t(row)].statsRunning = false;
            emit entriesChanged();
        }
        emit busyChanged();
    };
    e.statsJob = statsLane_.run(
        options,
        [path = e.path, bands, distribution](JobContext& ctx) {
            const rb::Dataset ds = rb::Dataset::open(path.toStdString());
            return rb::band_distributions(ds, bands, distribution, rb::Progress(ctx.progressFn()));
        },
        [this, id = e.id, bands](const std::vector<rb::BandDistribution>& distributions) {
            const int row = rowOf(id);
            if (row < 0)
                return;
            StackEntry& e = entries_[std::size_t(row)];
            e.statsJob = 0;
            e.statsRunning = false;
            for (std::size_t i = 0; i < bands.size(); ++i)
                e.exact[bands[i]] = distributions[i];
            // Re-derive the stretch now that it can be exact.
            setDisplay(row, e.data->display, e.fastSample);
            emit entriesChanged(); // the valid share is known now
        },
        [this, id = e.id](const QString& error) {
            const int row = rowOf(id);
            if (row >= 0)
                emit loadFailed(entries_[std::size_t(row)].path, error);
        });
    emit busyChanged();
}

std::optional<std::vector<rb::BandDistribution>>
SceneStack::wholeSceneDistributions(int row) const {
    if (row < 0 || row >= count())
        return std::nullopt;
    const StackEntry& e = entries_[std::size_t(row)];
    if (!e.data)
        return std::nullopt;
    std::vector<rb::BandDistribution> out;
    for (int b : e.data->display.bands) {
        const auto it = e.exact.find(b);
        if (it == e.exact.end())
            return std::nullopt;
        out.push_back(it->second);
    }
    return out;
}

void SceneStack::setDisplay(int row, const rb::DisplaySettings& in, bool fastSample) {
    if (row < 0 || row >= count() || !entries_[std::size_t(row)].data)
        return;
    StackEntry& e = entries_[std::size_t(row)];
    e.fastSample = fastSample;
    rb::DisplaySettings d = in;
    const std::size_t n = d.bands.size();
    if (d.stretch_options.mode == rb::StretchMode::Manual) {
        d.stretch = d.stretch_options.manual;
        d.stretch.resize(n, d.stretch.empty() ? rb::StretchRange{0, 1} : d.stretch.back());
        applyDisplay(row, d, true);
        startStats(row); // histograms still want the whole scene's distribution
        return;
    }
    if (!fastSample) {
        std::vector<rb::BandDistribution> dist;
        for (int b : d.bands) {
            const auto it = e.exact.find(b);
            if (it == e.exact.end())
                break;
            dist.push_back(it->second);
        }
        if (dist.size() == n)
            if (const auto s = rb::stretch_from_distributions(dist, d.stretch_options)) {
                d.stretch = *s;
                applyDisplay(row, d, true);
                return;
            }
    }
    // From the preview sample: the user's fast mode, or a provisional stretch until the
    // exact statistics arrive.
    d.stretch = rb::compute_stretch(SceneData::displayedBands(e.data->preview->data, d.bands),
                                    d.stretch_options);
    applyDisplay(row, d, false);
    if (!fastSample)
        startStats(row);
}

void SceneStack::applyDisplay(int row, rb::DisplaySettings display, bool exact) {
    StackEntry& e = entries_[std::size_t(row)];
    e.data = e.data->withDisplay(display, exact);
    emit sceneChanged(row);
}

void SceneStack::stretchToWindow(int row, const rb::Window& window) {
    if (row < 0 || row >= count() || !entries_[std::size_t(row)].data || window.empty())
        return;
    const StackEntry& e = entries_[std::size_t(row)];
    rb::DisplaySettings d = e.data->display;
    rb::StretchOptions how = d.stretch_options;
    if (how.mode == rb::StretchMode::Manual)
        how = rb::StretchOptions{};
    const std::vector<int> bands = uniqueBands(d.bands);
    JobOptions options;
    options.ended = [this](quint64, JobOutcome) { emit busyChanged(); };
    stretchLane_.run(
        options,
        [path = e.path, bands, window, how, display = d.bands](JobContext& ctx) {
            rb::DistributionOptions o;
            o.window = window;
            o.percents = {how.low_percent, how.high_percent};
            const rb::Dataset ds = rb::Dataset::open(path.toStdString());
            return inDisplayOrder(
                display, bands,
                rb::band_distributions(ds, bands, o, rb::Progress(ctx.progressFn())));
        },
        [this, id = e.id, how, asked = d](const std::vector<rb::BandDistribution>& distributions) {
            const int row = rowOf(id);
            if (row < 0)
                return;
            rb::DisplaySettings d = entries_[std::size_t(row)].data->display;
            // Ranges of other bands, or a stretch the user chose while they were computed,
            // are not what was asked for: dropped.
            if (d.bands != asked.bands || d.stretch_options.mode != asked.stretch_options.mode)
                return;
            if (const auto s = rb::stretch_from_distributions(distributions, how);
                s && s->size() == d.bands.size()) {
                d.stretch_options.mode = rb::StretchMode::Manual;
                d.stretch_options.manual = *s;
                d.stretch = *s;
                applyDisplay(row, d, true);
            }
        },
        [this, id = e.id](const QString& error) {
            const int row = rowOf(id);
            if (row >= 0)
                emit loadFailed(entries_[std::size_t(row)].path, error);
        });
    emit busyChanged();
}

void SceneStack::requestWindowDistributions(int row, const rb::Window& window, quint64 tag) {
    if (row < 0 || row >= count() || !entries_[std::size_t(row)].data || window.empty())
        return;
    const StackEntry& e = entries_[std::size_t(row)];
    const std::vector<int> bands = uniqueBands(e.data->display.bands);
    JobOptions options;
    options.monitored = false; // per pan: the histogram shows it is computing
    options.ended = [this](quint64, JobOutcome) { emit busyChanged(); };
    // A failure is not reported: the caller keeps what it showed.
    viewHistogramLane_.run(
        options,
        [path = e.path, bands, window, display = e.data->display.bands](JobContext& ctx) {
            rb::DistributionOptions o;
            o.window = window;
            const rb::Dataset ds = rb::Dataset::open(path.toStdString());
            return inDisplayOrder(
                display, bands,
                rb::band_distributions(ds, bands, o, rb::Progress(ctx.progressFn())));
        },
        [this, tag, id = e.id,
         asked = e.data->display.bands](const std::vector<rb::BandDistribution>& distributions) {
            // Another band combination was chosen meanwhile: these are not its bands.
            const int row = rowOf(id);
            if (row < 0 || entries_[std::size_t(row)].data->display.bands != asked)
                return;
            emit windowDistributionsReady(tag, distributions);
        });
    emit busyChanged();
}

} // namespace rb::ui
