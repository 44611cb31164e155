#pragma once
// The Catalog dock: the scenes of a folder, a STAC Item / ItemCollection or a list file as a
// table and on a timeline, filtered by date range, season (a day-of-year window that may
// wrap the new year), maximum cloud cover and sensor, and the chosen scenes added to the
// stack.
// Reading runs on a JobLane (progress in the panel and the status-bar job strip, Cancel),
// so a folder of a thousand products never blocks the window; filtering is the engine's
// rb::CatalogSelection and is instant.
#include <QStringList>
#include <QWidget>

#include <vector>

#include "rasterbench/catalog.h"

class QCheckBox;
class QDateEdit;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;
class QToolButton;

namespace rb::ui {

class CatalogModel;
class CatalogTimeline;
class JobLane;
class JobMonitor;

class CatalogPanel : public QWidget {
    Q_OBJECT
public:
    explicit CatalogPanel(JobMonitor* monitor = nullptr, QWidget* parent = nullptr);
    ~CatalogPanel() override;

    /// Reads folders, STAC JSON, list files or rasters in the background; the rows replace
    /// the current ones when done. A read still running is cancelled.
    void openPaths(const QStringList& paths);
    /// Stops a running read (the rows shown stay).
    void cancel();
    bool isLoading() const;
    /// What was opened last.
    QStringList sources() const { return sources_; }

    /// "FROM=TO": each raster's quality file is its name with FROM replaced by TO
    /// ("_stack.tif=_BQA.tif"), for the cloud cover of rasters without metadata. Applies to
    /// the next read.
    void setQualityRule(const QString& rule);

    /// The selection the filter controls describe.
    rb::CatalogSelection selection() const;
    /// Sets the filter controls (date range, season, cloud, sensors).
    void setSelection(const rb::CatalogSelection& selection);

    /// The scenes "Add to Stack" adds: the table's selected rows, or every row shown when
    /// none is selected; scenes without a raster of their own (a metadata file, a STAC item
    /// without a data asset) are left out.
    QStringList pathsToAdd() const;
    /// Emits addToStackRequested(pathsToAdd()) when there is anything to add.
    void addToStack();

    CatalogModel* model() const { return model_; }
    CatalogTimeline* timeline() const { return timeline_; }
    QTableView* table() const { return table_; }
    /// The panel's message line: counts, what was left out, errors.
    QString status() const;

signals:
    void addToStackRequested(const QStringList& paths);
    /// A read finished with `count` scenes.
    void loaded(int count);
    /// A read failed (the message names the file and the problem).
    void loadFailed(const QString& message);
    void loadingChanged(bool loading);

private:
    void askFolder();
    void askFile();
    void applyFilter();
    void updateCount();
    void setLoading(bool loading);
    /// One checkable entry per sensor of the rows read, ticked as the wanted sensors say.
    void rebuildSensorMenu();
    void updateSensorButton();
    void showStatus(const QString& text, bool error = false);

    CatalogModel* model_;
    CatalogTimeline* timeline_;
    QTableView* table_;
    QLabel* source_;
    QLineEdit* qualityRule_;
    QProgressBar* progress_;
    QToolButton* cancel_;
    QCheckBox* fromOn_;
    QDateEdit* from_;
    QCheckBox* toOn_;
    QDateEdit* to_;
    QCheckBox* seasonOn_;
    QSpinBox* doyFirst_;
    QSpinBox* doyLast_;
    QLabel* seasonText_;
    QCheckBox* cloudOn_;
    QDoubleSpinBox* maxCloud_;
    QCheckBox* sensorOn_;
    QToolButton* sensorButton_;
    QMenu* sensorMenu_;
    /// The sensors a selection asked for (prefixes, as rb::CatalogSelection::sensors), kept
    /// until the rows that have them are read.
    std::vector<std::string> wantedSensors_;
    QLabel* count_;
    QLabel* status_;
    QPushButton* add_;
    QStringList sources_;
    bool updating_ = false;
    /// Declared last: destroyed first, so no read outlives the widgets it reports to.
    JobLane* lane_;
};

} // namespace rb::ui
