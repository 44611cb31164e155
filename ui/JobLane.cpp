#include "JobLane.h"

#include <QMetaObject>

#include <algorithm>
#include <exception>

#include "JobMonitor.h"
#include "rasterbench/error.h"
#include "rasterbench/interactive.h"

namespace rb::ui {

namespace detail {

bool JobState::stop(JobOutcome why) {
    int running = 0;
    return stopped.compare_exchange_strong(running, int(why));
}

} // namespace detail

quint64 JobContext::id() const {
    return state_->id;
}

bool JobContext::cancelled() const {
    return state_->stopped.load() != 0;
}

void JobContext::throwIfCancelled() const {
    if (cancelled())
        throw rb::Cancelled();
}

bool JobContext::progress(double fraction) {
    state_->fraction.store(fraction);
    // One report in flight at a time: the lane shows the latest fraction when it gets there.
    if (!state_->progressPosted.exchange(true)) {
        std::lock_guard lock(state_->mutex);
        if (JobLane* lane = state_->lane)
            QMetaObject::invokeMethod(
                lane, [lane, job = state_] { lane->showProgress(job); }, Qt::QueuedConnection);
    }
    return !cancelled();
}

rb::ProgressFn JobContext::progressFn() const {
    return [ctx = *this](double fraction) mutable { return ctx.progress(fraction); };
}

JobLane::JobLane(QString label, JobMonitor* monitor, QObject* parent)
    : QObject(parent), label_(std::move(label)), monitor_(monitor) {
    pool_.setMaxThreadCount(1);
    if (!label_.isEmpty())
        pool_.setObjectName(label_);
}

JobLane::~JobLane() {
    stopAll(JobOutcome::Cancelled);
    for (const auto& job : jobs_) {
        std::lock_guard lock(job->mutex);
        job->lane = nullptr; // nothing the workers post from now on reaches this object
    }
    pool_.clear();
    pool_.waitForDone();
}

void JobLane::setMaxThreads(int n) {
    pool_.setMaxThreadCount(std::max(1, n));
}

int JobLane::maxThreads() const {
    return pool_.maxThreadCount();
}

void JobLane::setMonitor(JobMonitor* monitor) {
    monitor_ = monitor;
}

JobMonitor* JobLane::monitor() const {
    return monitor_;
}

quint64 JobLane::start(JobOptions options, detail::Body body, std::function<void(QString)> fail) {
    if (policy_ == Policy::Supersede)
        stopAll(JobOutcome::Superseded);
    auto job = std::make_shared<detail::JobState>();
    job->id = next_++;
    job->lane = this;
    job->options = std::move(options);
    job->fail = std::move(fail);
    if (monitor_ && job->options.monitored) {
        const QString label = job->options.label.isEmpty() ? label_ : job->options.label;
        job->monitorId = monitor_->start(label, [weak = std::weak_ptr<detail::JobState>(job)] {
            // The monitor has dropped the entry itself.
            if (const auto j = weak.lock())
                j->stop(JobOutcome::Cancelled);
        });
    }
    const bool wasIdle = jobs_.empty();
    jobs_.push_back(job);
    pool_.start([job, body = std::move(body)] { execute(job, body); });
    if (wasIdle)
        emit busyChanged(true);
    return job->id;
}

void JobLane::execute(const std::shared_ptr<detail::JobState>& job, const detail::Body& body) {
    // Jobs are background work: the GUI thread gets a core first whenever it is ready.
    rb::lower_background_priority();
    detail::Delivery deliver;
    std::optional<QString> error;
    // A job stopped before its turn (superseded while queued) does no work at all.
    if (job->stopped.load() == 0) {
        JobContext ctx(job);
        try {
            deliver = body(ctx);
        } catch (const rb::Cancelled&) {
            job->stop(JobOutcome::Cancelled);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
            if (error->isEmpty())
                error = QStringLiteral("unexpected error (empty message)");
        } catch (...) {
            error = QStringLiteral("unexpected error (not a standard exception)");
        }
    }
    std::lock_guard lock(job->mutex);
    if (JobLane* lane = job->lane)
        QMetaObject::invokeMethod(
            lane,
            [lane, job, deliver = std::move(deliver), error] {
                lane->complete(job, deliver, error);
            },
            Qt::QueuedConnection);
}

void JobLane::complete(const std::shared_ptr<detail::JobState>& job,
                       const detail::Delivery& deliver, const std::optional<QString>& error) {
    {
        std::lock_guard lock(job->mutex);
        job->lane = nullptr;
    }
    job->ended = true;
    jobs_.erase(std::remove(jobs_.begin(), jobs_.end(), job), jobs_.end());
    if (monitor_ && job->monitorId)
        monitor_->finish(job->monitorId);
    job->monitorId = 0;

    const QPointer<JobLane> self(this);
    JobOutcome outcome = JobOutcome::Done;
    if (const int stopped = job->stopped.load()) {
        outcome = JobOutcome(stopped);
    } else if (error) {
        outcome = JobOutcome::Failed;
        if (job->fail)
            job->fail(*error);
        if (self)
            emit failed(*error);
    } else if (deliver) {
        deliver();
    }
    if (!self)
        return; // a callback destroyed the lane (and its owner): nothing more to tell
    if (job->options.ended)
        job->options.ended(job->id, outcome);
    if (!self)
        return;
    emit finished();
    if (jobs_.empty())
        emit busyChanged(false);
}

void JobLane::stopAll(JobOutcome why) {
    // Newest first: a job queued behind a running one is stopped before the running one can
    // end and free its thread, which would otherwise start the queued job's work (the old
    // order let a lane's destruction run a job it had just dropped).
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it)
        stopJob(*it, why);
}

void JobLane::stopJob(const std::shared_ptr<detail::JobState>& job, JobOutcome why) {
    job->stop(why);
    // The strip forgets a stopped job at once, as it does for its own Cancel.
    if (monitor_ && job->monitorId)
        monitor_->finish(job->monitorId);
    job->monitorId = 0;
}

void JobLane::showProgress(const std::shared_ptr<detail::JobState>& job) {
    job->progressPosted.store(false);
    if (job->ended || job->stopped.load() != 0)
        return;
    const double f = job->fraction.load();
    if (monitor_ && job->monitorId)
        monitor_->setProgress(job->monitorId, f);
    if (job->options.progress)
        job->options.progress(f);
    emit progressed(job->id, f);
}

void JobLane::cancel() {
    stopAll(JobOutcome::Cancelled);
}

void JobLane::cancel(quint64 id) {
    for (const auto& job : jobs_)
        if (job->id == id)
            stopJob(job, JobOutcome::Cancelled);
}

void JobLane::discard() {
    stopAll(JobOutcome::Superseded);
}

void JobLane::discard(quint64 id) {
    for (const auto& job : jobs_)
        if (job->id == id)
            stopJob(job, JobOutcome::Superseded);
}

bool JobLane::isCurrent(quint64 id) const {
    return std::any_of(jobs_.begin(), jobs_.end(),
                       [id](const auto& job) { return job->id == id && job->stopped.load() == 0; });
}

bool JobLane::waitForWorkers(int msecs) {
    return pool_.waitForDone(msecs);
}

} // namespace rb::ui
