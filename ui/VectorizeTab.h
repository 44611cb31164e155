#pragma once
// The Transform dock's Vectorize tab: a band of the scene, or the Score panel's current
// score, thresholded or classified (typed breaks or equal intervals) and polygonized over
// the view; outlines on the map, feature and vertex counts, GeoJSON export.
#include <QPointer>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "TransformTab.h"
#include "rasterbench/crs.h"
#include "rasterbench/features.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace rb::ui {

class ParamForm;

class CompositeController;

class VectorizeTab : public TransformTab {
    Q_OBJECT
public:
    VectorizeTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId,
                 QWidget* parent = nullptr);

    /// 1-based band used by the band source (default: the first displayed band).
    QSpinBox* bandSpin() const { return band_; }
    /// Band (data 0) or the Score panel's current score (data 1; enabled with a source).
    QComboBox* sourceCombo() const { return source_; }
    /// Threshold (data 0), class breaks (1), equal intervals (2).
    QComboBox* modeCombo() const { return mode_; }
    QDoubleSpinBox* thresholdSpin() const { return threshold_; }
    QLineEdit* breaksEdit() const { return breaks_; }
    QSpinBox* classCountSpin() const { return classes_; }
    /// The shapes table's rows (connectivity, simplify) as a form.
    ParamForm* shapesForm() const { return shapesForm_; }
    QLabel* shapesStatus() const { return status_; }

    /// The score Vectorize can use: the controller's latest viewport score (the current
    /// scene's, at the preview's resolution). Null: no score source.
    void setScoreSource(CompositeController* controller);
    void previewShapes();
    /// Writes the latest shapes as GeoJSON (asks for a name when `path` is empty); refuses
    /// an output that is the scene they were made from.
    void exportShapes(const QString& path = {});
    int featureCount() const { return shapes_ ? int(shapes_->size()) : 0; }
    std::size_t vertexCount() const { return vertices_; }
    /// Scene pixels the latest shapes cover.
    rb::Window shapesWindow() const { return window_; }
    const std::vector<rb::Shape>* shapes() const { return shapes_.get(); }
    /// Breaks of the latest shapes (threshold mode: {threshold}); a shape's value is its
    /// class (0..breaks, threshold mode: 1).
    const std::vector<double>& shapesBreaks() const { return breaksUsed_; }

    void refreshLive() override { previewShapes(); }

    /// The tab's parameters as name -> value (source, band, mode, threshold, breaks,
    /// classes and the shapes table's rows), as undo keeps them.
    std::map<std::string, std::string> parameters() const;
    /// Puts parameters() back; values the editors or the table refuse keep the current
    /// ones. A threshold put back is the user's (no default replaces it).
    void setParameters(const std::map<std::string, std::string>& values);

signals:
    /// Emitted when a request finished (result shown, or error in the status line); not for
    /// superseded requests, whose results are dropped.
    void shapesDone();
    void shapesExported(bool ok);
    /// The tab set a default of its own (the band of a new scene, the threshold in the middle
    /// of its values): not an edit, so not an undo step either.
    void defaultsChanged();

private:
    void updateControls();
    /// The band range of the current scene (not a user change: no live refresh).
    void syncBandRange();

public:
    /// The middle of band `band`'s valid values in the scene's preview (the default
    /// threshold); none when the band has no valid value.
    static std::optional<double> bandMidpoint(const SceneData& scene, int band);

private:
    bool thresholdEdited_ = false;
    QString thresholdKey_; ///< scene and band the default threshold was taken from

    QPointer<CompositeController> score_;
    QSpinBox* band_;
    QComboBox* source_;
    QComboBox* mode_;
    QDoubleSpinBox* threshold_;
    QLineEdit* breaks_;
    QSpinBox* classes_;
    ParamForm* shapesForm_;
    rb::ShapesOptions shapesOptions_; ///< the form's values
    QLabel* status_;
    JobLane* exportLane_;

    std::shared_ptr<const std::vector<rb::Shape>> shapes_;
    rb::Crs crs_;
    std::string scenePath_; ///< the scene the latest shapes were made from
    std::size_t vertices_ = 0;
    rb::Window window_;
    std::vector<double> breaksUsed_;
};

} // namespace rb::ui
