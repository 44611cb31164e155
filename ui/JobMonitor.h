#pragma once
// Long background work made visible and cancellable: a status-bar strip with the running
// job's name, a progress bar and a Cancel button, hidden when nothing runs. Jobs (exact
// statistics, pyramid builds, full-resolution exports, alignments) register here with a
// cancel function that sets their engine rb::Progress flag. Cancel stops every running job
// and hides the strip at once; the jobs' own completion handlers then drop their results.
// Progress may be reported from any thread, also after the monitor is gone (then it is
// dropped): reports go through a link the monitor cuts when it is destroyed. JobLane
// registers its jobs here by itself.
#include <QMap>
#include <QString>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

class QLabel;
class QProgressBar;
class QToolButton;

namespace rb::ui {

class JobMonitor : public QWidget {
    Q_OBJECT
public:
    explicit JobMonitor(QWidget* parent = nullptr);
    ~JobMonitor() override;

    /// Registers a running job; `cancel` is called (on the GUI thread) when the user cancels.
    quint64 start(const QString& label, std::function<void()> cancel);
    /// Fraction done (0..1); callable from any thread while the monitor exists, applied
    /// through the event loop. Ignored for finished jobs.
    void setProgress(quint64 job, double fraction);
    /// A progress reporter for `job` that any thread may call at any time, even after the
    /// monitor is destroyed (then it does nothing). Null monitor or id 0: does nothing.
    static std::function<void(double)> reporter(JobMonitor* monitor, quint64 job);
    /// The job ended (done, failed or cancelled); unknown ids are ignored.
    void finish(quint64 job);
    /// Cancels every running job.
    void cancelAll();

    int jobCount() const { return int(jobs_.size()); }
    bool isActive() const { return !jobs_.isEmpty(); }
    QProgressBar* progressBar() const { return bar_; }
    QToolButton* cancelButton() const { return cancel_; }
    QString text() const;

    /// A cancel flag and a matching rb::Progress-style callback for a job: the callback
    /// reports progress here (throttled by the engine) and returns false once cancelled.
    struct Handle {
        quint64 id = 0;
        std::shared_ptr<std::atomic<bool>> cancelled;
        std::function<bool(double)> progress;
    };
    /// start() with a fresh cancel flag; `monitor` may be null (no strip: the flag still
    /// works). `alsoCancel`, if set, is read too (e.g. the scene was removed).
    static Handle begin(JobMonitor* monitor, const QString& label,
                        std::shared_ptr<std::atomic<bool>> alsoCancel = {});
    static void end(JobMonitor* monitor, const Handle& handle);

signals:
    void jobsChanged();

private:
    void refresh();

    /// The monitor as workers may reach it: null once it is destroyed. Reports lock the
    /// mutex while they post, so the monitor cannot go away in the middle of one.
    struct Link {
        std::mutex mutex;
        JobMonitor* monitor = nullptr;
    };
    std::shared_ptr<Link> link_;

    struct Job {
        QString label;
        double fraction = 0;
        std::function<void()> cancel;
    };
    QMap<quint64, Job> jobs_;
    quint64 next_ = 1;
    QLabel* label_;
    QProgressBar* bar_;
    QToolButton* cancel_;
};

} // namespace rb::ui
