#include "PreviewJobs.h"

#include "JobMonitor.h"

namespace rb::ui {

PreviewJobs::PreviewJobs(JobMonitor* monitor, QObject* parent)
    : QObject(parent), monitor_(monitor) {
    live_.setSingleShot(true);
    live_.setInterval(kDefaultLiveDelayMs);
    connect(&live_, &QTimer::timeout, this, &PreviewJobs::liveDue);
}

JobLane* PreviewJobs::previewLane(QObject* owner) {
    auto* lane = new JobLane(QString(), nullptr, owner);
    // A superseded preview may still be winding down when the next one starts.
    lane->setMaxThreads(2);
    previewLanes_.append(lane);
    return lane;
}

JobLane* PreviewJobs::latestLane(QObject* owner) {
    return new JobLane(QString(), nullptr, owner);
}

JobLane* PreviewJobs::exportLane(QObject* owner) {
    auto* lane = new JobLane(tr("Export"), monitor_, owner);
    lane->setPolicy(JobLane::Policy::Independent);
    lane->setMaxThreads(2);
    return lane;
}

bool PreviewJobs::isPending() const {
    if (live_.isActive())
        return true;
    for (const QPointer<JobLane>& lane : previewLanes_)
        if (lane && lane->busy())
            return true;
    return false;
}

} // namespace rb::ui
