#pragma once
// The Transform dock's Rasterize tab: a vector file burnt on the scene grid over the view (a
// constant or a numeric property, replace or add, all-touched toggle), drawn on the map as a
// colour ramp with the features' outlines; Export burns the whole scene grid into a GeoTIFF.
#include <QString>

#include <map>
#include <memory>
#include <string>

#include "TransformTab.h"
#include "rasterbench/features.h"
#include "rasterbench/raster.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace rb::ui {

class ParamForm;

class RasterizeTab : public TransformTab {
    Q_OBJECT
public:
    RasterizeTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId,
                 QWidget* parent = nullptr);

    /// The rasterize table's rows (burn, all_touched, merge, fill) as a form; the property
    /// is picked from the loaded layer's fields instead.
    ParamForm* form() const { return form_; }
    QCheckBox* allTouchedCheck() const;
    /// "Constant" (data: empty) then the loaded layer's numeric fields (data: the name).
    QComboBox* burnFieldCombo() const { return burnField_; }
    QDoubleSpinBox* burnValueSpin() const;
    /// replace or add.
    QComboBox* mergeCombo() const;
    QLabel* rasterizeStatus() const { return status_; }

    /// Loads a vector file (asks for one when `path` is empty), then previews the burn.
    void loadVector(const QString& path = {});
    /// The loaded vector file (empty when none).
    const QString& vectorPath() const { return vectorPath_; }
    void previewBurn();
    /// The options the burn uses now (window unset): UInt8 for a constant 0..255 that
    /// replaces, Float32 for a property or an added or other constant.
    rb::RasterizeOptions burnOptions() const;
    /// Burns the loaded features into the whole scene grid and writes a one-band GeoTIFF
    /// (asks for a name when `path` is empty), in the background (progress and Cancel in
    /// the job strip); emits burnExported(). Refuses an output that is the scene or the
    /// vector file.
    void exportBurn(const QString& path = {});
    /// The latest burn of the view (one band of burnWindow()).
    const rb::Raster& burnPreview() const { return burned_; }
    rb::Window burnWindow() const { return window_; }

    void refreshLive() override;

    /// The tab's parameters as name -> value (the form's rows and "burn_field", the
    /// property burnt; empty: the constant), as undo keeps them.
    std::map<std::string, std::string> parameters() const;
    /// Puts parameters() back: the form, the options and the burn field (when the loaded
    /// layer has it); values the table refuses keep the current ones.
    void setParameters(const std::map<std::string, std::string>& values);

signals:
    /// Emitted when a request finished (result shown, or error in the status line); not for
    /// superseded requests, whose results are dropped.
    void vectorLoaded();
    void burnDone();
    void burnExported(bool ok);

private:
    QLabel* vectorName_;
    QComboBox* burnField_;
    ParamForm* form_;
    rb::RasterizeOptions options_; ///< the form's values (property and dtype set per burn)
    QLabel* status_;
    JobLane* loadLane_;
    JobLane* exportLane_;

    std::shared_ptr<const rb::FeatureCollection> features_;
    QString vectorPath_;
    rb::Raster burned_;
    rb::Window window_;
};

} // namespace rb::ui
