#pragma once
// The background work of the Transform dock's tabs, written once and shared by them: one
// thread pool; newest-wins slots (a new request of a kind cancels the running one, whose
// result is then dropped, and dropped previews are counted); the pause before a live
// refresh; the window a preview computes (the view, or its centre at export resolution when
// the view is larger than maxSide() pixels a side); exceptions thrown by the work delivered
// as errors. Results arrive on the GUI thread, only while their owner lives. No widgets.
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "Background.h"
#include "TransformPreview.h"
#include "rasterbench/progress.h"
#include "rasterbench/window.h"

namespace rb::ui {

struct SceneData;

/// What a preview computes: a scene, its visible window and the part of it computed.
struct PreviewRequest {
    std::shared_ptr<const SceneData> scene;
    std::string path;  ///< the scene file (UTF-8)
    rb::Window view;   ///< the visible scene window
    rb::Window window; ///< what the preview computes: the view or its centre
    int overlaySide = 2048;
    std::shared_ptr<std::atomic<bool>> cancel;
};

/// The result of background work: its value, or the exception it threw.
template <class T> struct Outcome {
    std::exception_ptr error;
    T value{};
    bool ok() const { return !error; }
};

/// The message shown for `error` ("Cancelled" when cancelled); CRS errors quote `crsText`
/// when it is not empty.
QString errorText(const std::exception_ptr& error, const QString& crsText = {});

class PreviewJobs : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultMaxSide = 4096;
    static constexpr int kDefaultLiveDelayMs = 300;

    /// One kind of newest-wins work (the preview of one tab, a search, ...).
    class Slot {
        friend class PreviewJobs;
        std::shared_ptr<std::atomic<bool>> current_;
    };

    explicit PreviewJobs(QObject* parent = nullptr);
    /// shutdown().
    ~PreviewJobs() override;
    /// Cancels everything still running and waits for it; nothing is delivered afterwards.
    void shutdown();

    /// Largest preview side in output pixels.
    void setMaxSide(int side) { maxSide_ = std::max(16, side); }
    int maxSide() const { return maxSide_; }
    /// The part of the visible window `view` a preview computes.
    rb::Window window(const rb::Window& view) const { return centralWindow(view, maxSide_); }

    /// A fresh cancel flag for a new preview of `slot`'s kind, cancelling the running one
    /// (whose result will be dropped); counts a started preview.
    std::shared_ptr<std::atomic<bool>> startPreview(Slot& slot);
    /// Same for other newest-wins work (not counted as a preview).
    std::shared_ptr<std::atomic<bool>> supersede(Slot& slot);
    /// Cancels the running work of `slot`, if any (its result will be dropped).
    void cancel(Slot& slot);
    /// A progress callback that stops when `cancel` is set or the jobs shut down.
    rb::Progress progress(std::shared_ptr<std::atomic<bool>> cancel) const;
    /// Set when the jobs shut down (for work registered elsewhere, e.g. the job strip).
    std::shared_ptr<std::atomic<bool>> shutdownFlag() const { return shutdown_; }

    /// Runs `work()` on the pool; `done(Outcome)` runs on the GUI thread while `owner`
    /// lives, unless `cancel` was set in the meantime (the result is then dropped, and
    /// counted when `counted`). `work` may throw.
    template <class Work, class Done>
    void run(QObject* owner, std::shared_ptr<std::atomic<bool>> cancel, bool counted, Work work,
             Done done) {
        using R = std::invoke_result_t<Work>;
        using V = std::conditional_t<std::is_void_v<R>, std::monostate, R>;
        runInBackground(
            owner, &pool_,
            [work = std::move(work)]() mutable {
                Outcome<V> o;
                try {
                    if constexpr (std::is_void_v<R>)
                        work();
                    else
                        o.value = work();
                } catch (...) {
                    o.error = std::current_exception();
                }
                return o;
            },
            [this, cancel = std::move(cancel), counted,
             done = std::move(done)](const Outcome<V>& o) mutable {
                if (!finished(cancel, counted))
                    done(o);
            });
    }
    /// run() for work that no newer request supersedes (exports).
    template <class Work, class Done> void run(QObject* owner, Work work, Done done) {
        run(owner, nullptr, false, std::move(work), std::move(done));
    }

    // Live refresh: restarted by every change, due once the changes pause.
    void scheduleLive() { live_.start(); }
    void stopLive() { live_.stop(); }
    void setLiveDelay(int ms) { live_.setInterval(std::max(0, ms)); }
    int liveDelay() const { return live_.interval(); }

    /// Previews started, and results dropped because a newer request superseded them.
    int previewsStarted() const { return started_; }
    int resultsDropped() const { return dropped_; }
    /// True while a live refresh is scheduled or a preview runs.
    bool isPending() const { return live_.isActive() || running_ > 0; }

signals:
    /// The changes paused: time for the live refresh.
    void liveDue();

private:
    /// Bookkeeping of a delivered result; true when it is stale (dropped).
    bool finished(const std::shared_ptr<std::atomic<bool>>& cancel, bool counted);

    QThreadPool pool_;
    QTimer live_;
    std::shared_ptr<std::atomic<bool>> shutdown_;
    int maxSide_ = kDefaultMaxSide;
    int started_ = 0, dropped_ = 0, running_ = 0;
};

} // namespace rb::ui
