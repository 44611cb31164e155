#pragma once
// The Transform dock's Reproject tab: target CRS (any user input, or picked from an EPSG
// search of the PROJ database), resampling, resolution. The preview warps the destination
// grid's window that covers the view (pixel-identical to the same window of the exported
// file: same grid, same tile size), shown in the tab and on the map over the scene (each
// map pixel shows the preview pixel under it), where the compare views offer it as a
// derived layer. Export writes the whole file in the background (progress and Cancel in the
// job strip).
#include <QImage>
#include <QStringList>

#include "TransformTab.h"
#include "rasterbench/raster.h"
#include "rasterbench/recipe.h"
#include "rasterbench/warp.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;

namespace rb::ui {

class ParamForm;

class ReprojectTab : public TransformTab {
    Q_OBJECT
public:
    ReprojectTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId,
                 QWidget* parent = nullptr);

    QLineEdit* crsEdit() const { return crs_; }
    QLineEdit* searchEdit() const { return search_; }
    QListWidget* searchResults() const { return results_; }
    /// The resampling row of the warp table's form.
    QComboBox* resamplingCombo() const;
    /// The warp table's rows (resampling, error threshold) as a form.
    ParamForm* warpForm() const { return warpForm_; }
    QLineEdit* resolutionEdit() const { return resolution_; }
    /// Target size "WIDTH x HEIGHT" (one of them may be empty: square pixels), bounds
    /// "LEFT BOTTOM RIGHT TOP" in the target CRS, and aligning the grid on the resolution.
    QLineEdit* sizeEdit() const { return size_; }
    QLineEdit* boundsEdit() const { return bounds_; }
    QCheckBox* tapCheck() const { return tap_; }
    /// Settings key of the last size, bounds and tap (the next start shows them).
    static constexpr const char* kSettingsKey = "transform/reproject";
    QCheckBox* showOnMapCheck() const { return showOnMap_; }
    QLabel* reprojectStatus() const { return status_; }
    QLabel* previewLabel() const { return previewLabel_; }

    /// Searches the EPSG database now (the search box does it after typing pauses).
    void searchCrs(const QString& query);
    /// EPSG codes of the latest search results.
    QStringList searchCodes() const;
    void previewReproject();
    /// Writes the whole reprojected file (asks for a name when `path` is empty).
    void exportReproject(const QString& path = {});

    /// The latest preview: every band of `reprojectWindow()` of `reprojectGrid()`.
    const rb::Raster& reprojectPreview() const { return raster_; }
    rb::Window reprojectWindow() const { return window_; }
    const rb::Grid& reprojectGrid() const { return grid_; }
    /// The preview drawn like the scene (its display bands and stretch), one pixel each.
    QImage reprojectImage() const { return image_; }
    /// True when the latest preview covers only the centre of the view (too large).
    bool reprojectCropped() const { return cropped_; }

    void refreshLive() override;

    /// The target CRS, warp parameters and resolution as a recipe's reproject step (what
    /// sessions store and File > Open Recipe loads); an empty dst_crs when none is typed.
    rb::ReprojectStep reprojectStep() const;
    /// Shows the step's CRS, warp parameters and resolution (x); a live preview follows.
    void setReprojectStep(const rb::ReprojectStep& step);

signals:
    /// Emitted when a request finished (result shown, or error in the status line); not for
    /// superseded requests, whose results are dropped.
    void searchDone();
    void crsChecked();
    void reprojectDone();
    void exportDone(bool ok);

private:
    void checkCrs();
    /// The size, bounds and tap fields as grid options; false with the message (naming the
    /// field) in `error` when one cannot be read.
    bool gridOptions(rb::GridOptions& grid, QString& error) const;
    void remember() const;

    QLineEdit* crs_;
    QLabel* crsInfo_;
    QTimer* crsTimer_;
    QLineEdit* search_;
    QTimer* searchTimer_;
    QListWidget* results_;
    ParamForm* warpForm_;
    rb::ReprojectOptions warpOptions_; ///< the form's values
    QLineEdit* resolution_;
    QLineEdit* size_;
    QLineEdit* bounds_;
    QCheckBox* tap_;
    QCheckBox* showOnMap_;
    QLabel* status_;
    QLabel* previewLabel_;
    JobLane* searchLane_;
    JobLane* crsLane_;
    JobLane* exportLane_;

    rb::Raster raster_;
    rb::Window window_;
    rb::Grid grid_;
    QImage image_;
    bool cropped_ = false;
};

} // namespace rb::ui
