#pragma once
// A job folder (rasterbench-cli plan's DIR) on the map: one overlay layer (listed in the
// Layers panel's overlays, which may hide or remove it) with every tile of one stage of the
// job (the composite's, or a stage after it: by default the latest stage with a done task)
// coloured by its state: done, running, missing or failed, as rb::job_status reads the
// task markers. A stage whose grid is in another CRS than the scenes (a reprojection) is
// listed but not drawn: its tiles would land in the wrong place. The status is read in the
// background (a job lane), again whenever the markers' folders change (a file-system watcher) and
// every few seconds while the job is not complete, never on the GUI thread. Also the counts per
// stage and the commands that resubmit only the missing tasks (what `rasterbench-cli status`
// prints).
#include <QColor>
#include <QMap>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

#include "rasterbench/job.h"

class QFileSystemWatcher;
class QTimer;

namespace rb::ui {

class JobLane;
class JobMonitor;
class MapCanvas;
struct SceneData;

class JobFolderLayer : public QObject {
    Q_OBJECT
public:
    /// The overlay's id on the canvas.
    static const QString kOverlayId;
    enum class TileState { Done, Running, Missing, Failed };
    static QColor color(TileState state);
    static QString stateName(TileState state);

    struct Counts {
        int done = 0, running = 0, missing = 0, failed = 0; ///< missing: neither of the others
        int total() const { return done + running + missing + failed; }
    };

    explicit JobFolderLayer(MapCanvas* canvas, JobMonitor* monitor = nullptr,
                            QObject* parent = nullptr);
    ~JobFolderLayer() override;

    /// The overlay's name in the Layers panel ("Job folder NAME"), empty for other ids.
    static QString overlayTitle(const QString& id);

    /// Opens the job folder `dir` (its job.json and status are read in the background;
    /// updated() or failed() follows) and shows it on the map, replacing a job shown before.
    void open(const QString& dir);
    /// Takes the layer off the map and stops watching.
    void close();
    /// Reads the status again (in the background; updated() follows).
    void refresh();
    bool isOpen() const { return !dir_.isEmpty(); }
    /// True while a status read runs.
    bool isReading() const;
    QString dir() const { return dir_; }
    /// The job as last read (null before the first read).
    std::shared_ptr<const rb::Job> job() const { return job_; }
    /// The state of each task of the stage shown (stage()), in task order.
    const std::vector<TileState>& tileStates() const { return tiles_; }
    /// The stages with tiles: "tiles" (the composite's) and the stages after it, in order.
    QStringList tileStages() const;
    /// The stage whose tiles are shown; empty before the first read.
    QString stage() const { return stage_; }
    /// Shows the tiles of `stage` (one of tileStages()) from now on; an empty name goes back
    /// to the default, the latest stage with a done task (else the composite's).
    void setStage(const QString& stage);
    /// False when `stage`'s grid is in another CRS than the scenes: listed, not drawn.
    bool stageOnMap(const QString& stage) const;
    /// The name of the CRS of `stage`'s grid ("WGS 84").
    QString stageCrsName(const QString& stage) const;
    /// The counts of stage `stage` ("scenes", "tiles", "assemble").
    Counts counts(const QString& stage = QStringLiteral("tiles")) const;
    /// "tiles: 1 done, 0 running, 3 missing, 0 failed; assemble: ...".
    QString summary() const;
    /// The Slurm block that resubmits the missing tasks stage after stage, then the same
    /// on this machine (rb::resubmit_commands); empty when complete.
    QStringList resubmitCommands() const { return resubmit_; }
    /// Poll interval while the job is not complete (ms).
    void setPollInterval(int ms);

signals:
    /// A status read was delivered (the layer is redrawn).
    void updated();
    /// The job folder could not be read (message names it).
    void failed(const QString& message);
    /// The layer was closed (by close() or its overlay removed in the Layers panel).
    void closed();

private:
    struct Snapshot;
    void deliver(const Snapshot& snap);
    void publish();
    void watchFolders();
    void updateTiles();

    MapCanvas* canvas_;
    JobLane* lane_;
    QFileSystemWatcher* watcher_;
    QTimer* poll_;
    QTimer* settle_;
    QString dir_;
    std::shared_ptr<const rb::Job> job_;
    std::shared_ptr<const SceneData> grid_;
    std::vector<rb::StageStatus> status_;
    std::vector<TileState> tiles_;
    QStringList resubmit_;
    std::shared_ptr<const QMap<QString, QPair<bool, QString>>> crs_; ///< see Snapshot
    QString stage_;                                                  ///< shown
    QString chosenStage_; ///< the user's choice; empty: the default
    bool publishing_ = false;
};

} // namespace rb::ui
