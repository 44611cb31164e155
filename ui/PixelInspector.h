#pragma once
// The pixel inspector: for the location under the cursor (or a pinned one) its row/col in
// the current scene, map coordinates in the scene's CRS, longitude/latitude, and the
// values of every band of every scene of the stack there (each scene's own pixel at that
// map location, so scenes on other grids or CRSs are read at the right place), plus a chart
// of one band's value across the scenes, by acquisition date where every scene has one.
// Values are read in the background; the newest location wins.
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

#include "JobLane.h"
#include "rasterbench/scene_date.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableWidget;

namespace rb::ui {

class SceneStack;

struct InspectedScene {
    QString name;
    std::optional<rb::SceneDate> date;
    int col = 0, row = 0;
    bool inside = false;
    std::vector<double> values; ///< every band of the file
    std::vector<bool> valid;
    bool integral = true;
    QString error;
};

struct Inspection {
    int col = 0, row = 0; ///< in the current scene
    double x = 0, y = 0;  ///< map coordinates, current scene's CRS
    std::optional<std::pair<double, double>> lonLat;
    QString crsName;
    std::vector<InspectedScene> scenes; ///< stack order
};

class PixelInspector : public QWidget {
    Q_OBJECT
public:
    explicit PixelInspector(SceneStack* stack, QWidget* parent = nullptr);
    ~PixelInspector() override;

    /// Fractional current-scene pixel under the cursor (ignored while pinned).
    void setCursorPixel(double col, double row);
    void pin(int col, int row);
    void unpin();
    std::optional<QPoint> pinned() const { return pinned_; }
    /// The pixel shown (cursor or pin), when any.
    std::optional<QPoint> shownPixel() const { return shown_; }
    bool isPending() const { return pending_; }
    const Inspection& inspection() const { return result_; }

    QTableWidget* table() const { return table_; }
    QCustomPlot* chart() const { return chart_; }
    QComboBox* chartBandCombo() const { return chartBand_; }
    QString locationText() const;

signals:
    void pinChanged(std::optional<QPoint> pixel);

private:
    void query(int col, int row);
    void show(const Inspection& r);
    void refresh();
    void plotChart();

    SceneStack* stack_;
    QLabel* location_;
    QPushButton* unpin_;
    QTableWidget* table_;
    QComboBox* chartBand_;
    QCustomPlot* chart_;
    struct Handles;
    std::shared_ptr<Handles> handles_;
    std::optional<QPoint> pinned_, shown_;
    bool pending_ = false;
    Inspection result_;
    /// The newest location wins. Declared last: destroyed (and waited for) first.
    JobLane lane_{QStringLiteral("pixel inspector")};
};

} // namespace rb::ui
