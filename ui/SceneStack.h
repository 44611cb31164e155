#pragma once
// The stack of scenes the workbench inspects: an ordered list of files, each loaded in the
// background, with visibility, a current scene, its grid compared with the stack's
// reference grid (the first loaded scene in list order), and exact statistics computed in
// the background for the displayed bands, from which the display stretch is derived.
// Display changes go through setDisplay(), which re-derives the stretch exactly (or from the
// preview sample when the user asks for the fast mode).
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "SceneLayer.h"
#include "rasterbench/grid_compare.h"
#include "rasterbench/stretch_stats.h"
#include "rasterbench/window.h"

namespace rb::ui {

struct StackEntry {
    enum class State { Loading, Ready, Failed };
    quint64 id = 0;
    QString path;
    State state = State::Loading;
    QString error;
    std::shared_ptr<const SceneData> data;
    bool visible = true;
    /// Exact whole-scene distributions by band (1-based), as far as computed.
    std::map<int, rb::BandDistribution> exact;
    /// Statistics from the preview sample instead (the user's fast mode).
    bool fastSample = false;
    bool statsRunning = false;
    double statsProgress = 0;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    /// Compared with the reference scene (unset for the reference itself or before load).
    std::optional<rb::GridComparison> grid;

    /// Share of pixels valid in the first displayed band (nullopt until known).
    std::optional<double> validShare() const;
    QString displayName() const;
};

class SceneStack : public QObject {
    Q_OBJECT
public:
    explicit SceneStack(QObject* parent = nullptr);
    ~SceneStack() override;

    /// Appends files (already listed ones are skipped) and loads them in the background.
    void addFiles(const QStringList& paths);
    void remove(int row);
    void move(int from, int to);
    void setVisible(int row, bool visible);
    void clear();

    int count() const { return int(entries_.size()); }
    const StackEntry& entry(int row) const { return entries_.at(std::size_t(row)); }
    int rowOf(quint64 id) const;
    int rowOfPath(const QString& path) const;
    int current() const { return current_; }
    /// Makes `row` the current scene (-1: none).
    void setCurrent(int row);
    /// The next / previous visible scene after the current one (wraps); false when none.
    bool stepCurrent(int delta);
    /// The reference scene's row (first loaded scene in list order), -1 when none.
    int referenceRow() const;
    /// True while any scene loads or any statistics job runs.
    bool isBusy() const;
    /// True while a scene loads.
    bool isLoading() const;

    /// New display settings for a scene. The stretch is derived from exact statistics
    /// (computed in the background when missing: the display shows a provisional stretch
    /// meanwhile), from the preview sample when `fastSample`, or taken as given in Manual.
    void setDisplay(int row, const rb::DisplaySettings& display, bool fastSample = false);
    /// Sets the stretch exactly on the scene's pixels of `window` (full resolution, in the
    /// background), then keeps it as a manual stretch.
    void stretchToWindow(int row, const rb::Window& window);
    /// Exact distributions of the displayed bands over `window` (background); answered by
    /// windowDistributionsReady with the same `tag`.
    void requestWindowDistributions(int row, const rb::Window& window, quint64 tag);
    /// Exact distributions of the displayed bands of a scene (whole scene) when available.
    std::optional<std::vector<rb::BandDistribution>> wholeSceneDistributions(int row) const;

    /// Called when a scene has loaded: saved display settings for it, if any.
    using DisplayRestorer =
        std::function<std::optional<std::pair<rb::DisplaySettings, bool>>(const SceneData& scene)>;
    void setDisplayRestorer(DisplayRestorer restorer) { restorer_ = std::move(restorer); }

signals:
    /// Rows were added, removed, moved, or an entry's state / flags changed.
    void entriesChanged();
    /// The data (display) of one scene changed.
    void sceneChanged(int row);
    void currentChanged(int row);
    void loadFailed(const QString& path, const QString& message);
    void statsProgress(int row, double fraction);
    void windowDistributionsReady(quint64 tag, const std::vector<rb::BandDistribution>& d);
    void busyChanged();

private:
    void startLoad(StackEntry& e);
    void startStats(int row);
    void updateGrids();
    void applyDisplay(int row, rb::DisplaySettings display, bool exact);
    /// Percentiles the stats job must select for `display` (floats).
    static std::vector<double> percentsFor(const rb::DisplaySettings& display);

    std::vector<StackEntry> entries_;
    int current_ = -1;
    quint64 nextId_ = 1;
    int jobs_ = 0;
    QThreadPool loadPool_;
    QThreadPool statsPool_;
    DisplayRestorer restorer_;
};

} // namespace rb::ui
