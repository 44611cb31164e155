#pragma once
// The Transform dock's Fill tab: fill_nodata of the displayed bands over the view (e.g.
// SLC-off gaps); the filled pixels drawn on the map like the scene.
#include <vector>

#include "TransformTab.h"
#include "rasterbench/fill.h"
#include "rasterbench/raster.h"

class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace rb::ui {
class ParamForm;
}

namespace rb::ui {

class FillTab : public TransformTab {
    Q_OBJECT
public:
    FillTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent = nullptr);

    /// The form built from rb::FillOptions::params() and the editors of its two rows.
    ParamForm* form() const { return form_; }
    QDoubleSpinBox* maxDistanceSpin() const;
    QSpinBox* smoothingSpin() const;
    const rb::FillOptions& fillOptions() const { return options_; }
    QLabel* fillStatus() const { return status_; }
    void previewFill();
    /// The latest fill: the displayed bands (fillBands(), 1-based) of fillWindow().
    const rb::Raster& fillPreview() const { return filled_; }
    const std::vector<int>& fillBands() const { return bands_; }
    rb::Window fillWindow() const { return window_; }

    void refreshLive() override { previewFill(); }

    /// Shows and uses `options` (a session or recipe being opened); a live preview follows.
    void setFillOptions(const rb::FillOptions& options);

signals:
    /// Emitted when a preview finished (result shown, or error in the status line); not for
    /// superseded ones, whose results are dropped.
    void fillDone();

private:
    ParamForm* form_;
    rb::FillOptions options_;
    QLabel* status_;

    rb::Raster filled_;
    std::vector<int> bands_;
    rb::Window window_;
};

} // namespace rb::ui
