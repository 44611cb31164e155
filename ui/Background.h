#pragma once
// Runs a function on a thread pool and delivers its result on the owner's (GUI) thread.
// The watcher is a child of `owner`, so a result that arrives after the owner is gone is
// never delivered: callbacks may use the owner freely. New code should use JobLane, which
// adds newest-wins, cancellation and progress.
#include <QDebug>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace rb::ui {

/// `work` runs on `pool` and must not touch GUI objects; `done(result)` runs on the thread
/// of `owner`. An exception thrown by `work` never leaves the worker: its message goes to
/// `fail` on the owner's thread (without `fail`, to the log as a warning).
template <class Work, class Done>
void runInBackground(QObject* owner, QThreadPool* pool, Work work, Done done,
                     std::function<void(const QString&)> fail = {}) {
    using Result = std::invoke_result_t<Work>;
    struct Outcome {
        std::optional<Result> value;
        QString error;
    };
    auto* watcher = new QFutureWatcher<Outcome>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner,
                     [watcher, done = std::move(done), fail = std::move(fail)]() mutable {
                         watcher->deleteLater();
                         if (!watcher->future().isValid() || watcher->future().isCanceled())
                             return;
                         const Outcome out = watcher->future().result();
                         if (out.value)
                             done(*out.value);
                         else if (fail)
                             fail(out.error);
                         else
                             qWarning().noquote() << "background work failed:" << out.error;
                     });
    watcher->setFuture(QtConcurrent::run(pool, [work = std::move(work)]() mutable -> Outcome {
        try {
            return Outcome{std::optional<Result>(work()), {}};
        } catch (const std::exception& e) {
            return Outcome{std::nullopt, QString::fromStdString(e.what())};
        } catch (...) {
            return Outcome{std::nullopt,
                           QStringLiteral("unexpected error (not a standard exception)")};
        }
    }));
}

} // namespace rb::ui
