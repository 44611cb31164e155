#include "JobMonitor.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMetaObject>
#include <QProgressBar>
#include <QToolButton>

#include <cmath>

namespace rb::ui {

JobMonitor::JobMonitor(QWidget* parent)
    : QWidget(parent), link_(std::make_shared<Link>()), label_(new QLabel(this)),
      bar_(new QProgressBar(this)), cancel_(new QToolButton(this)) {
    bar_->setRange(0, 1000);
    bar_->setTextVisible(false);
    bar_->setMaximumWidth(160);
    bar_->setMaximumHeight(14);
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop the running background work"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label_);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    connect(cancel_, &QToolButton::clicked, this, &JobMonitor::cancelAll);
    // Hidden, it keeps its place: the status bar (and so the map above it) must not change
    // height each time a job starts or ends.
    QSizePolicy policy = sizePolicy();
    policy.setRetainSizeWhenHidden(true);
    setSizePolicy(policy);
    cancel_->setAutoRaise(true);
    link_->monitor = this;
    refresh();
}

JobMonitor::~JobMonitor() {
    // Waits for a report being posted right now; later ones find no monitor.
    std::lock_guard lock(link_->mutex);
    link_->monitor = nullptr;
}

quint64 JobMonitor::start(const QString& label, std::function<void()> cancel) {
    const quint64 id = next_++;
    jobs_.insert(id, Job{label, 0, std::move(cancel)});
    refresh();
    return id;
}

void JobMonitor::setProgress(quint64 job, double fraction) {
    // Workers report from their threads; the strip changes on the GUI thread only. Always
    // queued, so a report never runs the strip's slots inside a reporter's lock.
    QMetaObject::invokeMethod(
        this,
        [this, job, fraction] {
            const auto it = jobs_.find(job);
            if (it == jobs_.end())
                return;
            it->fraction = fraction;
            refresh();
        },
        Qt::QueuedConnection);
}

std::function<void(double)> JobMonitor::reporter(JobMonitor* monitor, quint64 job) {
    if (!monitor || job == 0)
        return [](double) {};
    return [link = monitor->link_, job](double fraction) {
        std::lock_guard lock(link->mutex);
        if (link->monitor)
            link->monitor->setProgress(job, fraction);
    };
}

void JobMonitor::finish(quint64 job) {
    if (jobs_.remove(job) > 0)
        refresh();
}

void JobMonitor::cancelAll() {
    // Taken out first: a cancel function may finish jobs synchronously.
    const auto jobs = std::exchange(jobs_, {});
    for (const Job& j : jobs)
        if (j.cancel)
            j.cancel();
    refresh();
}

QString JobMonitor::text() const {
    if (jobs_.isEmpty())
        return {};
    const Job& newest = jobs_.last();
    return jobs_.size() == 1 ? newest.label
                             : tr("%1 (+%2 more)").arg(newest.label).arg(jobs_.size() - 1);
}

void JobMonitor::refresh() {
    setVisible(!jobs_.isEmpty());
    if (!jobs_.isEmpty()) {
        label_->setText(text());
        bar_->setValue(int(std::lround(jobs_.last().fraction * 1000)));
    }
    emit jobsChanged();
}

JobMonitor::Handle JobMonitor::begin(JobMonitor* monitor, const QString& label,
                                     std::shared_ptr<std::atomic<bool>> alsoCancel) {
    Handle h;
    h.cancelled = std::make_shared<std::atomic<bool>>(false);
    if (monitor)
        h.id = monitor->start(label, [flag = h.cancelled] { flag->store(true); });
    // The monitor may go before a worker ends (window closed): report through its link,
    // never through a pointer checked on the worker and used after.
    h.progress = [report = reporter(monitor, h.id), flag = h.cancelled,
                  also = std::move(alsoCancel)](double f) {
        report(f);
        return !flag->load() && !(also && also->load());
    };
    return h;
}

void JobMonitor::end(JobMonitor* monitor, const Handle& handle) {
    if (monitor && handle.id)
        monitor->finish(handle.id);
}

} // namespace rb::ui
