// The background-job lane: newest wins, cancellation is honoured (also from the status-bar
// monitor), exceptions become errors, progress reaches the monitor, and destroying a lane
// or a monitor while work runs is safe. Also runInBackground's exception handling.
#include <QMap>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <QToolButton>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "Background.h"
#include "JobLane.h"
#include "JobMonitor.h"
#include "rasterbench/error.h"

using namespace rb::ui;

namespace {

/// Spins (on a worker) until `pred` holds or `ms` pass; returns pred().
template <class Pred> bool spinUntil(Pred pred, int ms = 10000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!pred() && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return pred();
}

/// A gate the test opens for workers that wait on it.
struct Gate {
    std::atomic<bool> open{false};
    std::atomic<int> entered{0};
};

} // namespace

class TestJobLane : public QObject {
    Q_OBJECT
private slots:
    void deliversOnTheLaneThread();
    void supersededResultsAreDropped();
    void queuedSupersededWorkNeverRuns();
    void cancelIsHonoured();
    void cancelAfterTheWorkReturnedStillDropsTheResult();
    void independentJobsCancelOneByOne();
    void discardTellsStaleFromCancelled();
    void exceptionBecomesError();
    void cancelledThrownByWorkIsACancellation();
    void destructionWhileRunningIsSafe();
    void progressReachesTheMonitor();
    void monitorCancelStopsTheJob();
    void monitorDestroyedWhileJobReports();
    void voidWork();
    void runInBackgroundDeliversExceptions();
};

void TestJobLane::deliversOnTheLaneThread() {
    JobLane lane(QStringLiteral("test"));
    QThread* workerThread = nullptr;
    QThread* doneThread = nullptr;
    int result = 0;
    QSignalSpy busy(&lane, &JobLane::busyChanged);
    lane.run(
        [&workerThread](JobContext&) {
            workerThread = QThread::currentThread();
            return 42;
        },
        [&](int v) {
            doneThread = QThread::currentThread();
            result = v;
        });
    QVERIFY(lane.busy());
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(result, 42);
    QCOMPARE(doneThread, QThread::currentThread());
    QVERIFY(workerThread != nullptr);
    QVERIFY(workerThread != QThread::currentThread());
    QCOMPARE(busy.count(), 2); // true, then false
    QCOMPARE(busy.at(0).at(0).toBool(), true);
    QCOMPARE(busy.at(1).at(0).toBool(), false);
}

void TestJobLane::supersededResultsAreDropped() {
    JobLane lane(QStringLiteral("test"));
    lane.setMaxThreads(2); // both run at once: the old one really is overtaken
    auto gate = std::make_shared<Gate>();
    auto oldSawCancel = std::make_shared<std::atomic<bool>>(false);
    QList<int> delivered;
    QList<JobOutcome> ends;
    JobOptions first;
    first.ended = [&](quint64, JobOutcome o) { ends.push_back(o); };
    const quint64 a = lane.run(
        first,
        [gate, oldSawCancel](JobContext& ctx) {
            ++gate->entered;
            spinUntil([&] { return gate->open.load(); });
            oldSawCancel->store(ctx.cancelled());
            return 1; // returns a result anyway: the lane must drop it
        },
        [&](int v) { delivered.push_back(v); });
    QTRY_COMPARE(gate->entered.load(), 1);
    QVERIFY(lane.isCurrent(a));
    JobOptions second;
    second.ended = [&](quint64, JobOutcome o) { ends.push_back(o); };
    const quint64 b = lane.run(
        second, [](JobContext&) { return 2; }, [&](int v) { delivered.push_back(v); });
    QVERIFY(!lane.isCurrent(a));
    QVERIFY(lane.isCurrent(b));
    QTRY_COMPARE(delivered, QList<int>{2});
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(delivered, QList<int>{2});
    QVERIFY(oldSawCancel->load());
    QCOMPARE(ends.size(), 2);
    QVERIFY(ends.contains(JobOutcome::Superseded));
    QVERIFY(ends.contains(JobOutcome::Done));
}

void TestJobLane::queuedSupersededWorkNeverRuns() {
    JobLane lane(QStringLiteral("test")); // one thread: later jobs queue
    auto gate = std::make_shared<Gate>();
    auto runs = std::make_shared<std::atomic<int>>(0);
    QList<int> delivered;
    lane.run(
        [gate](JobContext&) {
            ++gate->entered;
            spinUntil([&] { return gate->open.load(); });
            return 0;
        },
        [&](int v) { delivered.push_back(v); });
    QTRY_COMPARE(gate->entered.load(), 1);
    for (int i = 1; i <= 5; ++i)
        lane.run(
            [runs, i](JobContext&) {
                ++*runs;
                return i;
            },
            [&](int v) { delivered.push_back(v); });
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(delivered, QList<int>{5});
    QCOMPARE(runs->load(), 1); // the queued, superseded ones never started their work
}

void TestJobLane::cancelIsHonoured() {
    JobLane lane(QStringLiteral("test"));
    auto started = std::make_shared<std::atomic<bool>>(false);
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    bool delivered = false, failed = false;
    std::optional<JobOutcome> outcome;
    JobOptions o;
    o.ended = [&](quint64, JobOutcome x) { outcome = x; };
    lane.run(
        o,
        [started, sawCancel](JobContext& ctx) {
            started->store(true);
            sawCancel->store(spinUntil([&] { return ctx.cancelled(); }));
            return 7;
        },
        [&](int) { delivered = true; }, [&](const QString&) { failed = true; });
    QTRY_VERIFY(started->load());
    lane.cancel();
    QTRY_VERIFY(!lane.busy());
    QVERIFY(sawCancel->load());
    QVERIFY(!delivered);
    QVERIFY(!failed);
    QCOMPARE(outcome, std::optional(JobOutcome::Cancelled));
}

void TestJobLane::cancelAfterTheWorkReturnedStillDropsTheResult() {
    JobLane lane(QStringLiteral("test"));
    bool delivered = false;
    lane.run([](JobContext&) { return 1; }, [&](int) { delivered = true; });
    QVERIFY(lane.waitForWorkers(10000)); // returned; the result waits in the event queue
    lane.cancel();
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!delivered);
}

void TestJobLane::independentJobsCancelOneByOne() {
    JobLane lane(QStringLiteral("test"));
    lane.setPolicy(JobLane::Policy::Independent);
    lane.setMaxThreads(2);
    auto gate = std::make_shared<Gate>();
    QList<int> delivered;
    auto work = [gate](int v) {
        return [gate, v](JobContext& ctx) {
            ++gate->entered;
            spinUntil([&] { return gate->open.load() || ctx.cancelled(); });
            return v;
        };
    };
    const quint64 a = lane.run(work(1), [&](int v) { delivered.push_back(v); });
    const quint64 b = lane.run(work(2), [&](int v) { delivered.push_back(v); });
    const quint64 c = lane.run(work(3), [&](int v) { delivered.push_back(v); });
    QVERIFY(lane.isCurrent(a) && lane.isCurrent(b) && lane.isCurrent(c));
    lane.cancel(b);
    QVERIFY(!lane.isCurrent(b));
    QVERIFY(lane.isCurrent(a) && lane.isCurrent(c));
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
    std::sort(delivered.begin(), delivered.end());
    QCOMPARE(delivered, (QList<int>{1, 3}));
}

void TestJobLane::discardTellsStaleFromCancelled() {
    JobLane lane(QStringLiteral("test"));
    lane.setPolicy(JobLane::Policy::Independent);
    auto gate = std::make_shared<Gate>();
    QMap<quint64, JobOutcome> ends;
    JobOptions o;
    o.ended = [&](quint64 id, JobOutcome x) { ends.insert(id, x); };
    auto work = [gate](JobContext& ctx) {
        spinUntil([&] { return gate->open.load() || ctx.cancelled(); });
        return 0;
    };
    bool delivered = false;
    const quint64 a = lane.run(o, work, [&](int) { delivered = true; });
    const quint64 b = lane.run(o, work, [&](int) { delivered = true; });
    lane.discard(a);
    QVERIFY(!lane.isCurrent(a));
    QVERIFY(lane.isCurrent(b));
    lane.cancel(b);
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!delivered);
    QCOMPARE(ends.value(a), JobOutcome::Superseded);
    QCOMPARE(ends.value(b), JobOutcome::Cancelled);
    lane.run(o, work, [&](int) { delivered = true; });
    lane.discard();
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!delivered);
    QCOMPARE(ends.size(), 3);
    QCOMPARE(ends.last(), JobOutcome::Superseded);
}

void TestJobLane::exceptionBecomesError() {
    JobLane lane(QStringLiteral("test"));
    QSignalSpy failedSpy(&lane, &JobLane::failed);
    QString message;
    bool delivered = false;
    std::optional<JobOutcome> outcome;
    JobOptions o;
    o.ended = [&](quint64, JobOutcome x) { outcome = x; };
    lane.run(
        o,
        [](JobContext&) -> int {
            throw rb::IoError("/data/scene.tif: not a raster GDAL can read");
        },
        [&](int) { delivered = true; }, [&](const QString& m) { message = m; });
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!delivered);
    QCOMPARE(message, QStringLiteral("/data/scene.tif: not a raster GDAL can read"));
    QCOMPARE(failedSpy.count(), 1);
    QCOMPARE(failedSpy.at(0).at(0).toString(), message);
    QCOMPARE(outcome, std::optional(JobOutcome::Failed));

    // Anything thrown, not only standard exceptions, stays on the worker.
    message.clear();
    lane.run([](JobContext&) -> int { throw 42; }, [&](int) { delivered = true; },
             [&](const QString& m) { message = m; });
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!delivered);
    QVERIFY2(message.contains(QStringLiteral("not a standard exception")), qPrintable(message));
    QCOMPARE(failedSpy.count(), 2);

    // The error of a superseded job is dropped like its result.
    auto gate = std::make_shared<Gate>();
    message.clear();
    lane.run(
        [gate](JobContext&) -> int {
            ++gate->entered;
            spinUntil([&] { return gate->open.load(); });
            throw std::runtime_error("stale failure");
        },
        [&](int) {}, [&](const QString& m) { message = m; });
    QTRY_COMPARE(gate->entered.load(), 1);
    int latest = 0;
    lane.run([](JobContext&) { return 5; }, [&](int v) { latest = v; });
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(latest, 5);
    QVERIFY(message.isEmpty());
    QCOMPARE(failedSpy.count(), 2);
}

void TestJobLane::cancelledThrownByWorkIsACancellation() {
    JobLane lane(QStringLiteral("test"));
    QSignalSpy failedSpy(&lane, &JobLane::failed);
    std::optional<JobOutcome> outcome;
    JobOptions o;
    o.ended = [&](quint64, JobOutcome x) { outcome = x; };
    // The engine throws rb::Cancelled when its progress callback says stop.
    lane.run(
        o,
        [](JobContext& ctx) -> int {
            rb::Progress p(ctx.progressFn());
            p.report(0.1);
            ctx.throwIfCancelled();
            throw rb::Cancelled();
        },
        [](int) { QFAIL("delivered"); });
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(failedSpy.count(), 0);
    QCOMPARE(outcome, std::optional(JobOutcome::Cancelled));
}

void TestJobLane::destructionWhileRunningIsSafe() {
    JobMonitor monitor;
    auto started = std::make_shared<std::atomic<bool>>(false);
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    auto queuedRan = std::make_shared<std::atomic<bool>>(false);
    auto delivered = std::make_shared<bool>(false);
    rb::ProgressFn kept;
    {
        auto* lane = new JobLane(QStringLiteral("long job"), &monitor);
        lane->setPolicy(JobLane::Policy::Independent);
        lane->run(
            [started, sawCancel, &kept](JobContext& ctx) {
                kept = ctx.progressFn();
                started->store(true);
                // Keeps reporting until told to stop, as engine loops do.
                sawCancel->store(spinUntil([&] { return !ctx.progress(0.5); }));
                return 1;
            },
            [delivered](int) { *delivered = true; });
        lane->run(
            [queuedRan](JobContext&) {
                queuedRan->store(true);
                return 2;
            },
            [delivered](int) { *delivered = true; });
        QTRY_VERIFY(started->load());
        QTRY_VERIFY(monitor.isActive());
        delete lane; // cancels, drops the queued job, waits for the running one
    }
    QVERIFY(sawCancel->load());
    QVERIFY(!queuedRan->load());
    QVERIFY(!monitor.isActive()); // its entries are gone with it
    // Whatever the worker posted is dropped with the lane.
    QTest::qWait(50);
    QCoreApplication::processEvents();
    QVERIFY(!*delivered);
    // A progress function kept beyond its job's life is harmless.
    QVERIFY(kept);
    QVERIFY(!kept(0.9));
    QCoreApplication::processEvents();
}

void TestJobLane::progressReachesTheMonitor() {
    JobMonitor monitor;
    JobLane lane(QStringLiteral("Binning"), &monitor);
    auto gate = std::make_shared<Gate>();
    QList<double> seen;
    JobOptions o;
    o.label = QStringLiteral("Exact statistics of scene.tif");
    o.progress = [&](double f) { seen.push_back(f); };
    QSignalSpy progressed(&lane, &JobLane::progressed);
    const quint64 id = lane.run(
        o,
        [gate](JobContext& ctx) {
            ctx.progress(0.25);
            ++gate->entered;
            spinUntil([&] { return gate->open.load(); });
            return 0;
        },
        [](int) {});
    QVERIFY(monitor.isActive());
    QCOMPARE(monitor.text(), QStringLiteral("Exact statistics of scene.tif"));
    QTRY_COMPARE(monitor.progressBar()->value(), 250);
    QTRY_VERIFY(!seen.isEmpty());
    QCOMPARE(seen.last(), 0.25);
    QVERIFY(progressed.count() >= 1);
    QCOMPARE(progressed.last().at(0).toULongLong(), id);
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
    QVERIFY(!monitor.isActive());

    // Without a label of its own a job shows the lane's; unmonitored jobs are not shown.
    gate->open = false;
    gate->entered = 0;
    lane.run(
        [gate](JobContext&) {
            ++gate->entered;
            spinUntil([&] { return gate->open.load(); });
            return 0;
        },
        [](int) {});
    QCOMPARE(monitor.text(), QStringLiteral("Binning"));
    JobOptions hidden;
    hidden.monitored = false;
    lane.run(
        hidden, [](JobContext&) { return 0; }, [](int) {});
    QVERIFY(!monitor.isActive()); // the first was superseded: off the strip at once
    gate->open = true;
    QTRY_VERIFY(!lane.busy());
}

void TestJobLane::monitorCancelStopsTheJob() {
    JobMonitor monitor;
    JobLane lane(QStringLiteral("Aligning"), &monitor);
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    auto started = std::make_shared<std::atomic<bool>>(false);
    bool delivered = false;
    std::optional<JobOutcome> outcome;
    JobOptions o;
    o.ended = [&](quint64, JobOutcome x) { outcome = x; };
    lane.run(
        o,
        [started, sawCancel](JobContext& ctx) {
            started->store(true);
            sawCancel->store(spinUntil([&] { return ctx.cancelled(); }));
            return 0;
        },
        [&](int) { delivered = true; });
    QTRY_VERIFY(started->load());
    QVERIFY(monitor.isActive());
    monitor.cancelButton()->click();
    QVERIFY(!monitor.isActive());
    QTRY_VERIFY(!lane.busy());
    QVERIFY(sawCancel->load());
    QVERIFY(!delivered);
    QCOMPARE(outcome, std::optional(JobOutcome::Cancelled));
}

void TestJobLane::monitorDestroyedWhileJobReports() {
    // Through a lane: the monitor goes while a job reports; the job goes on, unshown.
    auto* monitor = new JobMonitor;
    JobLane lane(QStringLiteral("test"), monitor);
    auto reports = std::make_shared<std::atomic<int>>(0);
    auto stop = std::make_shared<std::atomic<bool>>(false);
    int result = 0;
    lane.run(
        [reports, stop](JobContext& ctx) {
            while (!stop->load() && ctx.progress((*reports)++ % 100 / 100.0))
                std::this_thread::yield();
            return 3;
        },
        [&](int v) { result = v; });
    QTRY_VERIFY(reports->load() > 100);
    delete monitor;
    const int before = reports->load();
    // The job goes on reporting. A generous timeout: on a loaded 2-core machine a thousand
    // reports (each yields its thread) took up to 11 s.
    QTRY_VERIFY_WITH_TIMEOUT(reports->load() > before + 1000, 60000);
    stop->store(true);
    QTRY_VERIFY(!lane.busy());
    QCOMPARE(result, 3);

    // Through JobMonitor::begin's progress callback, reporting from a worker thread while
    // the GUI thread destroys the monitor.
    for (int round = 0; round < 20; ++round) {
        auto* m = new JobMonitor;
        const JobMonitor::Handle h = JobMonitor::begin(m, QStringLiteral("export"));
        std::atomic<bool> done{false};
        std::thread worker([&] {
            for (int i = 0; i < 2000 && h.progress(i / 2000.0); ++i) {
            }
            done = true;
        });
        QThread::usleep(200);
        delete m;
        worker.join();
        QVERIFY(done.load());
        QCoreApplication::processEvents();
    }
}

void TestJobLane::voidWork() {
    JobLane lane(QStringLiteral("test"));
    auto ran = std::make_shared<std::atomic<bool>>(false);
    bool done = false;
    lane.run([ran](JobContext&) { ran->store(true); }, [&] { done = true; });
    QTRY_VERIFY(done);
    QVERIFY(ran->load());
}

void TestJobLane::runInBackgroundDeliversExceptions() {
    QObject owner;
    QThreadPool pool;
    QString message;
    bool delivered = false;
    runInBackground(
        &owner, &pool, []() -> int { throw rb::ArgumentError("bad option: 'x'"); },
        [&](int) { delivered = true; }, [&](const QString& m) { message = m; });
    QTRY_COMPARE(message, QStringLiteral("bad option: 'x'"));
    QVERIFY(!delivered);
    int value = 0;
    runInBackground(
        &owner, &pool, [] { return 9; }, [&](int v) { value = v; });
    QTRY_COMPARE(value, 9);
    // Without a fail callback the error is logged, not thrown on any thread.
    QTest::ignoreMessage(QtWarningMsg, "background work failed: lost");
    bool after = false;
    runInBackground(
        &owner, &pool, []() -> int { throw std::runtime_error("lost"); },
        [&](int) { after = true; });
    pool.waitForDone();
    QTRY_VERIFY(owner.findChildren<QFutureWatcherBase*>().isEmpty()); // handled and gone
    QVERIFY(!after);
}

QTEST_MAIN(TestJobLane)
#include "tst_joblane.moc"
