#pragma once
// Runs a function on a thread pool and delivers its result on the owner's (GUI) thread.
// The watcher is a child of `owner`, so a result that arrives after the owner is gone is
// never delivered: callbacks may use the owner freely.
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <type_traits>
#include <utility>

namespace rb::ui {

/// `work` runs on `pool` and must not touch GUI objects; `done(result)` runs on the thread
/// of `owner`. `work` must not throw (return errors as part of its result).
template <class Work, class Done>
void runInBackground(QObject* owner, QThreadPool* pool, Work work, Done done) {
    using Result = std::invoke_result_t<Work>;
    auto* watcher = new QFutureWatcher<Result>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         if (!watcher->future().isValid() || watcher->future().isCanceled())
                             return;
                         done(watcher->future().result());
                     });
    watcher->setFuture(QtConcurrent::run(pool, std::move(work)));
}

} // namespace rb::ui
