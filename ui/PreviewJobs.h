#pragma once
// What the Transform dock's tabs share for their background work, written once: their job
// lanes (a newest-wins lane per tab for its previews, others for searches and file loads,
// and one for exports in the job strip; see JobLane), the count of previews started and of
// results dropped because a newer request superseded them, the pause before a live refresh,
// and the window a preview computes (the view, or its centre at export resolution when the
// view is larger than maxSide() pixels a side). No widgets.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "JobLane.h"
#include "TransformPreview.h"
#include "rasterbench/progress.h"
#include "rasterbench/window.h"

namespace rb::ui {

class JobMonitor;
struct SceneData;

/// What a preview computes: a scene, its visible window and the part of it computed.
struct PreviewRequest {
    std::shared_ptr<const SceneData> scene;
    std::string path;  ///< the scene file (UTF-8)
    rb::Window view;   ///< the visible scene window
    rb::Window window; ///< what the preview computes: the view or its centre
    int overlaySide = 2048;
};

/// The outcome JobOptions::ended reports (its last argument).
template <class... Args> JobOutcome endedOutcome(Args... args) {
    return std::get<sizeof...(Args) - 1>(std::tuple<Args...>(args...));
}

class PreviewJobs : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultMaxSide = 4096;
    static constexpr int kDefaultLiveDelayMs = 300;

    /// `monitor` (may be null) shows the exports' progress and Cancel.
    explicit PreviewJobs(JobMonitor* monitor, QObject* parent = nullptr);

    /// The newest-wins lane of `owner`'s previews (a child of `owner`, not in the job strip).
    JobLane* previewLane(QObject* owner);
    /// A newest-wins lane for other work of `owner` (a search, a file load): not counted as
    /// previews, not in the job strip.
    JobLane* latestLane(QObject* owner);
    /// The lane of `owner`'s exports: side by side, in the job strip with progress and Cancel.
    JobLane* exportLane(QObject* owner);

    /// Runs a preview on `lane` (one of previewLane()): `work(rb::Progress)` in the
    /// background; `done(result)` while it is the newest, else it is dropped (and counted);
    /// `fail(message)` when the work throws.
    template <class Work, class Done>
    void runPreview(JobLane* lane, Work work, Done done, std::function<void(QString)> fail) {
        ++started_;
        JobOptions options;
        options.ended = [self = QPointer<PreviewJobs>(this)](auto... args) {
            const JobOutcome outcome = endedOutcome(args...);
            if (self && (outcome == JobOutcome::Superseded || outcome == JobOutcome::Cancelled))
                ++self->dropped_;
        };
        lane->run(
            std::move(options),
            [work = std::move(work)](JobContext& ctx) mutable {
                return work(rb::Progress(ctx.progressFn()));
            },
            std::move(done), std::move(fail));
    }

    /// Largest preview side in output pixels.
    void setMaxSide(int side) { maxSide_ = std::max(16, side); }
    int maxSide() const { return maxSide_; }
    /// The part of the visible window `view` a preview computes.
    rb::Window window(const rb::Window& view) const { return centralWindow(view, maxSide_); }

    // Live refresh: restarted by every change, due once the changes pause.
    void scheduleLive() { live_.start(); }
    void stopLive() { live_.stop(); }
    void setLiveDelay(int ms) { live_.setInterval(std::max(0, ms)); }
    int liveDelay() const { return live_.interval(); }

    /// Previews started, and results dropped because a newer request (or hiding the panel)
    /// superseded them.
    int previewsStarted() const { return started_; }
    int resultsDropped() const { return dropped_; }
    /// True while a live refresh is scheduled or a preview runs.
    bool isPending() const;

signals:
    /// The changes paused: time for the live refresh.
    void liveDue();

private:
    QPointer<JobMonitor> monitor_;
    QList<QPointer<JobLane>> previewLanes_;
    QTimer live_;
    int maxSide_ = kDefaultMaxSide;
    int started_ = 0, dropped_ = 0;
};

} // namespace rb::ui
