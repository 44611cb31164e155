#pragma once
// The stack of scenes the workbench inspects: an ordered list of files, each loaded in the
// background, with visibility, a current scene, its grid compared with the stack's
// reference grid (the first loaded scene in list order), and exact statistics computed in
// the background for the displayed bands, from which the display stretch is derived.
// Display changes go through setDisplay(), which re-derives the stretch exactly (or from the
// preview sample when the user asks for the fast mode).
// A scene off the reference grid can be aligned to it: resampled in the background onto the
// reference's CRS, transform and size (rb::reproject_file) into a new file (the cache folder
// or a path the user chose; never the input), which then replaces the scene in the stack.
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "JobLane.h"
#include "SceneLayer.h"
#include "rasterbench/grid_compare.h"
#include "rasterbench/stretch_stats.h"
#include "rasterbench/warp.h"
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
    /// This scene's background jobs (0: none), cancelled when it leaves the stack.
    quint64 loadJob = 0, statsJob = 0, alignJob = 0;
    /// Compared with the reference scene (unset for the reference itself or before load).
    std::optional<rb::GridComparison> grid;
    /// The file this scene was resampled from when it was aligned to the reference grid
    /// (`path` is then the aligned copy); empty for scenes opened as they are.
    QString alignedFrom;
    bool aligning = false;
    double alignProgress = 0;

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
    /// Every scene's file, in stack order (the inputs a save or export must not replace).
    QStringList paths() const;
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

    /// Long jobs (exact statistics, alignments) show progress there and can be cancelled
    /// from there (null: no strip; jobs still run).
    void setJobMonitor(JobMonitor* monitor);

    struct AlignOptions {
        /// Unset: defaultAlignResampling() of the scene.
        std::optional<rb::WarpResampling> resampling;
        /// Output file; empty: a new file in alignCacheFolder(). Never the input.
        QString outputPath;
    };
    /// Nearest for integer class data (QA, mask, classification bands, palettes), where
    /// interpolating would invent classes; bilinear otherwise.
    static rb::WarpResampling defaultAlignResampling(const rb::Profile& profile);
    /// Where aligned copies go unless the user chooses a path (the app's cache folder).
    static QString alignCacheFolder();
    /// True when `row` is loaded, not the reference, not on the reference grid, and not
    /// being aligned already.
    bool canAlign(int row) const;
    /// Resamples scene `row` onto the reference scene's grid in the background; on success
    /// the aligned file replaces the scene in the stack (same name, date, visibility,
    /// display; marked alignedFrom). False with `error` when it cannot start.
    bool alignToReference(int row, const AlignOptions& options = {}, QString* error = nullptr);
    /// Aligns every scene that canAlign() (each with its own default resampling unless
    /// `resampling` is set); returns how many started.
    int alignAllToReference(std::optional<rb::WarpResampling> resampling = std::nullopt);
    void cancelAlign(int row);
    /// True while any alignment runs.
    bool isAligning() const;

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
    /// Scene `row` was replaced by its aligned copy.
    void aligned(int row);
    /// An alignment failed (`message` names the file); cancelled ones are not reported.
    void alignFailed(const QString& path, const QString& message);

private:
    /// Gives the kept pixel memory back to the system once no scene is open.
    void releaseMemoryWhenEmpty();
    void startLoad(StackEntry& e);
    void startStats(int row);
    void updateGrids();
    void applyDisplay(int row, rb::DisplaySettings display, bool exact);
    /// Cancels every job of a scene leaving the stack (or its file).
    void cancelJobs(const StackEntry& e);
    /// Percentiles the stats job must select for `display` (floats).
    static std::vector<double> percentsFor(const rb::DisplaySettings& display);

    std::vector<StackEntry> entries_;
    int current_ = -1;
    quint64 nextId_ = 1;
    DisplayRestorer restorer_;
    // Declared last, so they are destroyed (cancelling and waiting for their workers) first.
    /// Scene loads, two side by side.
    JobLane loadLane_{QStringLiteral("scene loads")};
    /// Exact statistics (whole scene or a window), one at a time: they stream whole files
    /// and would only compete.
    JobLane statsLane_{QStringLiteral("statistics")};
    /// Statistics of the window in view: "Stretch to view" (shown in the job strip, with
    /// Cancel) and the current-view histogram (refreshed per pan). Each newer request
    /// replaces the one before instead of queueing behind it.
    JobLane stretchLane_{QStringLiteral("stretch to view")};
    JobLane viewHistogramLane_{QStringLiteral("view histogram")};
    /// Alignments to the reference grid, two side by side.
    JobLane alignLane_{QStringLiteral("alignments")};
};

} // namespace rb::ui
