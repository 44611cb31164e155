#pragma once
// One lane of background work: a kind of job (loading a scene, binning a histogram,
// reading a pixel) with its own threads. The lane decides what happens to a job's result:
//
// - The work runs on the lane's pool and gets a JobContext: cancelled() to poll, and
//   progress(f) (or progressFn(), an rb::ProgressFn for the engine) which reports to the
//   status-bar JobMonitor and answers false once the job should stop.
// - In the default Supersede policy a new run() cancels every older job of the lane: only
//   the newest result is delivered (the "newest wins" rule). In the Independent policy jobs
//   run side by side and are cancelled one by one (cancel(id)) or all together (cancel()).
// - `done(result)` runs on the lane's (GUI) thread, and only while the job is still current:
//   not superseded, not cancelled (by cancel() or the monitor's Cancel button), and the
//   lane not destroyed. A work that throws (rb::Error, std::exception, anything) ends in
//   `fail(message)` and the failed() signal instead, under the same rule; rb::Cancelled
//   thrown by the work counts as a cancellation. Nothing escapes a worker thread.
// - JobOptions::ended is called on the lane's thread when a job ends in any way but the
//   lane's destruction, with how it ended: for bookkeeping such as "busy" flags.
// - Destroying the lane cancels its jobs, drops those not started and waits for the
//   running ones to return (work should poll cancelled() or report progress); nothing is
//   delivered afterwards. The work must not touch GUI objects; it may read state of its
//   owner only when the lane is destroyed before that state (e.g. a member declared after
//   it), but capturing values and shared pointers is the rule.
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "rasterbench/progress.h"

namespace rb::ui {

class JobLane;
class JobMonitor;

/// How a job ended, as JobOptions::ended sees it.
enum class JobOutcome {
    Done,       ///< the result was delivered to `done`
    Failed,     ///< the work threw; `fail` / failed() got the message
    Cancelled,  ///< cancel(), the monitor's Cancel, or rb::Cancelled from the work
    Superseded, ///< a newer job of a Supersede lane replaced it, or discard()
};

namespace detail {
struct JobState;
}

/// What the work sees of its job. Thread-safe; valid during the work only (progressFn()
/// may be kept longer: it holds the job's state).
class JobContext {
public:
    explicit JobContext(std::shared_ptr<detail::JobState> state) : state_(std::move(state)) {}
    quint64 id() const;
    /// True once the job is cancelled, superseded or its lane is being destroyed.
    bool cancelled() const;
    /// Throws rb::Cancelled when cancelled().
    void throwIfCancelled() const;
    /// Reports the fraction done (0..1); returns false when the work should stop. Same
    /// contract as rb::ProgressFn, so it may be handed to the engine directly.
    bool progress(double fraction);
    rb::ProgressFn progressFn() const;

private:
    std::shared_ptr<detail::JobState> state_;
};

struct JobOptions {
    /// Shown in the job monitor; empty: the lane's label.
    QString label;
    /// False: never shown in the monitor, even when the lane has one.
    bool monitored = true;
    /// Progress on the lane's thread, while the job is current (coalesced: the latest
    /// fraction only).
    std::function<void(double)> progress;
    /// Called on the lane's thread once the job has ended, after `done` / `fail`, with the
    /// job's id (as run() returned it) and how it ended; not called when the lane is
    /// destroyed first.
    std::function<void(quint64 job, JobOutcome outcome)> ended;
};

namespace detail {

/// Shared between the lane, the worker and the monitor's cancel function.
struct JobState {
    quint64 id = 0;
    /// 0 while current; else the JobOutcome it was stopped with.
    std::atomic<int> stopped{0};
    std::atomic<double> fraction{0};
    std::atomic<bool> progressPosted{false};
    /// The lane while the job is on it: cleared (under `mutex`) when the job has ended or
    /// the lane is destroyed, so a late progress report reaches no dead object.
    std::mutex mutex;
    JobLane* lane = nullptr;
    // The rest belongs to the lane's thread.
    bool ended = false;
    quint64 monitorId = 0;
    JobOptions options;
    std::function<void(QString)> fail;
    bool stop(JobOutcome why);
};

/// What a worker hands back to the lane's thread: the call of `done` with the result.
using Delivery = std::function<void()>;
/// The type-erased work: runs on the worker, returns the delivery.
using Body = std::function<Delivery(JobContext&)>;

} // namespace detail

class JobLane : public QObject {
    Q_OBJECT
public:
    enum class Policy { Supersede, Independent };

    /// `label` names the lane's jobs in `monitor` (null: not shown; see setMonitor()).
    explicit JobLane(QString label = {}, JobMonitor* monitor = nullptr, QObject* parent = nullptr);
    /// Cancels every job, drops the queued ones and waits for the running ones.
    ~JobLane() override;

    void setPolicy(Policy policy) { policy_ = policy; }
    Policy policy() const { return policy_; }
    /// Worker threads of the lane (1 by default).
    void setMaxThreads(int n);
    int maxThreads() const;
    void setMonitor(JobMonitor* monitor);
    JobMonitor* monitor() const;
    QString label() const { return label_; }

    /// Starts `work(JobContext&)` in the background; `done(result)` is called on this
    /// lane's thread if the job is still current when the work returns (see the header
    /// comment). For a work returning void, `done()` takes no argument. Returns the job's
    /// id. Call from the lane's thread.
    template <class Work, class Done>
    quint64 run(Work work, Done done, std::function<void(QString)> fail = {}) {
        return run(JobOptions{}, std::move(work), std::move(done), std::move(fail));
    }
    template <class Work, class Done>
    quint64 run(JobOptions options, Work work, Done done, std::function<void(QString)> fail = {}) {
        using Result = std::invoke_result_t<Work&, JobContext&>;
        auto w = std::make_shared<Work>(std::move(work));
        auto d = std::make_shared<Done>(std::move(done));
        detail::Body body = [w, d](JobContext& ctx) -> detail::Delivery {
            if constexpr (std::is_void_v<Result>) {
                (*w)(ctx);
                return [d] { (*d)(); };
            } else {
                auto result = std::make_shared<Result>((*w)(ctx));
                return [d, result] { (*d)(std::move(*result)); };
            }
        };
        return start(std::move(options), std::move(body), std::move(fail));
    }

    /// Cancels every job of the lane (no delivery; their `ended` says Cancelled).
    void cancel();
    /// Cancels one job (unknown or ended ids are ignored).
    void cancel(quint64 job);
    /// Stops every job like cancel() but as Superseded: their results are no longer
    /// wanted (the input changed), which owners may tell apart from a user's cancel.
    void discard();
    /// discard() for one job.
    void discard(quint64 job);
    /// True from run() until the last job has ended on the lane's thread.
    bool busy() const { return !jobs_.empty(); }
    int jobCount() const { return int(jobs_.size()); }
    /// True while `job` runs (or waits) and would still be delivered.
    bool isCurrent(quint64 job) const;
    /// Blocks until no worker of this lane runs (results still arrive through the event
    /// loop); false on timeout.
    bool waitForWorkers(int msecs = -1);

signals:
    /// A current job's work threw; `message` is its what().
    void failed(const QString& message);
    /// A job ended (any outcome), after its callbacks.
    void finished();
    /// busy() changed.
    void busyChanged(bool busy);
    /// A current job reported progress (lane's thread, coalesced).
    void progressed(quint64 job, double fraction);

private:
    friend class JobContext;
    quint64 start(JobOptions options, detail::Body body, std::function<void(QString)> fail);
    static void execute(const std::shared_ptr<detail::JobState>& job, const detail::Body& body);
    void complete(const std::shared_ptr<detail::JobState>& job, const detail::Delivery& deliver,
                  const std::optional<QString>& error);
    /// Stops every job of the lane, newest first (see JobLane.cpp).
    void stopAll(JobOutcome why);
    void stopJob(const std::shared_ptr<detail::JobState>& job, JobOutcome why);
    void showProgress(const std::shared_ptr<detail::JobState>& job);

    QString label_;
    QPointer<JobMonitor> monitor_;
    Policy policy_ = Policy::Supersede;
    quint64 next_ = 1;
    std::vector<std::shared_ptr<detail::JobState>> jobs_;
    QThreadPool pool_;
};

} // namespace rb::ui
