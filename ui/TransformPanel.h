#pragma once
// The Transform dock (issue 6): previews of the visible area for four engine operations.
// - Reproject: target CRS (any user input, or picked from an EPSG search of the PROJ
//   database), resampling, resolution; the preview warps the destination grid's window that
//   covers the view (pixel-identical to the same window of the exported file: same grid,
//   same tile size), shown in the panel and on the map over the scene (each map pixel shows
//   the preview pixel under it), where the compare views offer it as a derived layer; Export
//   writes the whole file in the background (progress + cancel in the job monitor).
// - Rasterize: a vector file burnt on the scene grid over the view (a constant or a numeric
//   property, replace or add, all-touched toggle), drawn as an overlay with the outlines.
// - Vectorize: the band or the Score panel's current score, thresholded or classified
//   (typed breaks or equal intervals), polygonized over the view; outlines on the map,
//   feature and vertex counts, GeoJSON export.
// - Fill: fill_nodata of the displayed bands over the view (e.g. SLC-off gaps); the filled
//   pixels as an overlay drawn like the scene.
// Live preview (on by default): while the panel is shown, a pan or zoom of the map or a
// parameter change refreshes the active tab's preview after a short pause. Every engine
// call runs in the background; a newer request cancels and supersedes an older one of the
// same kind, whose result is dropped. A view larger than maxPreviewSide() pixels a side
// previews its central window at export resolution, and the status says so.
#include <QImage>
#include <QPointer>
#include <QThreadPool>
#include <QWidget>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "SceneLayer.h"
#include "rasterbench/features.h"
#include "rasterbench/raster.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace rb::ui {

class CompositeController;
class JobMonitor;
class MapCanvas;

class TransformPanel : public QWidget {
    Q_OBJECT
public:
    /// Default largest preview side (output pixels); larger views preview their centre.
    static constexpr int kDefaultMaxPreviewSide = 4096;
    static inline const QString kReprojectOverlay = QStringLiteral("transform-reproject");
    static inline const QString kShapesOverlay = QStringLiteral("transform-shapes");
    static inline const QString kBurnOverlay = QStringLiteral("transform-burn");
    static inline const QString kFillOverlay = QStringLiteral("transform-fill");
    enum Tab { ReprojectTab, RasterizeTab, VectorizeTab, FillTab };

    /// What derived-layer selectors call one of this panel's overlays (empty for others).
    static QString overlayTitle(const QString& overlayId);

    /// `jobs` may be null (exports then run without a status-bar strip).
    explicit TransformPanel(MapCanvas* canvas, JobMonitor* jobs, QWidget* parent = nullptr);
    ~TransformPanel() override;

    QTabWidget* tabs() const { return tabs_; }
    /// 1-based band used by Vectorize (band source) (default: the first displayed band).
    QSpinBox* bandSpin() const { return band_; }

    // Live preview and limits
    QCheckBox* liveCheck() const { return live_; }
    /// Pause after the last view or parameter change before a live preview starts.
    void setLiveDelay(int ms);
    int liveDelay() const;
    /// Largest preview side in output pixels (default kDefaultMaxPreviewSide).
    void setMaxPreviewSide(int side) { maxSide_ = std::max(16, side); }
    int maxPreviewSide() const { return maxSide_; }
    /// Previews started (explicitly or live) and results dropped because a newer request
    /// of the same kind superseded them.
    int previewsStarted() const { return started_; }
    int resultsDropped() const { return dropped_; }
    /// True while a live refresh is scheduled or a preview runs.
    bool isPreviewPending() const;

    // Reproject
    QLineEdit* crsEdit() const { return crs_; }
    QLineEdit* searchEdit() const { return search_; }
    QListWidget* searchResults() const { return results_; }
    QComboBox* resamplingCombo() const { return resampling_; }
    QLineEdit* resolutionEdit() const { return resolution_; }
    QCheckBox* showOnMapCheck() const { return showOnMap_; }
    QLabel* reprojectStatus() const { return reprojectStatus_; }
    QLabel* previewLabel() const { return previewLabel_; }
    /// Searches the EPSG database now (the search box does it after typing pauses).
    void searchCrs(const QString& query);
    /// EPSG codes of the latest search results.
    QStringList searchCodes() const;
    void previewReproject();
    /// Writes the whole reprojected file (asks for a name when `path` is empty).
    void exportReproject(const QString& path = {});
    /// The latest preview: every band of `reprojectWindow()` of `reprojectGrid()`.
    const rb::Raster& reprojectPreview() const { return reprojected_; }
    rb::Window reprojectWindow() const { return reprojectWindow_; }
    const rb::Grid& reprojectGrid() const { return reprojectGrid_; }
    /// The preview drawn like the scene (its display bands and stretch), one pixel each.
    QImage reprojectImage() const { return reprojectImage_; }
    /// True when the latest preview covers only the centre of the view (too large).
    bool reprojectCropped() const { return reprojectCropped_; }

    // Rasterize
    QCheckBox* allTouchedCheck() const { return allTouched_; }
    /// "Constant" (data: empty) then the loaded layer's numeric fields (data: the name).
    QComboBox* burnFieldCombo() const { return burnField_; }
    QDoubleSpinBox* burnValueSpin() const { return burnValue_; }
    /// Replace (data 0) or Add (data 1).
    QComboBox* mergeCombo() const { return merge_; }
    QLabel* rasterizeStatus() const { return rasterizeStatus_; }
    /// Loads a vector file (asks for one when `path` is empty), then previews the burn.
    void loadVector(const QString& path = {});
    void previewBurn();
    /// The options the burn uses now (window unset): UInt8 for a constant 0..255 that
    /// replaces, Float32 for a property or an added or other constant.
    rb::RasterizeOptions burnOptions() const;
    /// Burns the loaded features into the whole scene grid and writes a one-band GeoTIFF
    /// (asks for a name when `path` is empty), in the background; emits burnExported().
    void exportBurn(const QString& path = {});
    /// The latest burn of the view (one band of burnWindow()).
    const rb::Raster& burnPreview() const { return burned_; }
    rb::Window burnWindow() const { return burnWindow_; }

    // Vectorize
    enum class ShapesSource { Band, Score };
    enum class ShapesMode { Threshold, Breaks, EqualIntervals };
    /// Band (data 0) or the Score panel's current score (data 1; enabled with a source).
    QComboBox* sourceCombo() const { return source_; }
    /// Threshold (data 0), class breaks (1), equal intervals (2).
    QComboBox* modeCombo() const { return mode_; }
    QDoubleSpinBox* thresholdSpin() const { return threshold_; }
    QLineEdit* breaksEdit() const { return breaks_; }
    QSpinBox* classCountSpin() const { return classes_; }
    QComboBox* connectivityCombo() const { return connectivity_; }
    QLabel* shapesStatus() const { return shapesStatus_; }
    /// The score Vectorize can use: the controller's latest viewport score (the current
    /// scene's, at the preview's resolution). Null: no score source.
    void setScoreSource(CompositeController* controller);
    void previewShapes();
    /// Writes the latest shapes as GeoJSON (asks for a name when `path` is empty).
    void exportShapes(const QString& path = {});
    int featureCount() const { return shapes_ ? int(shapes_->size()) : 0; }
    std::size_t vertexCount() const { return vertices_; }
    /// Scene pixels the latest shapes cover.
    rb::Window shapesWindow() const { return shapesWindow_; }
    const std::vector<rb::Shape>* shapes() const { return shapes_.get(); }
    /// Breaks of the latest shapes (threshold mode: {threshold}); a shape's value is its
    /// class (0..breaks, threshold mode: 1).
    const std::vector<double>& shapesBreaks() const { return shapesBreaks_; }

    // Fill
    QDoubleSpinBox* maxDistanceSpin() const { return maxDistance_; }
    QSpinBox* smoothingSpin() const { return smoothing_; }
    QLabel* fillStatus() const { return fillStatus_; }
    void previewFill();
    /// The latest fill: the displayed bands (fillBands(), 1-based) of fillWindow().
    const rb::Raster& fillPreview() const { return filled_; }
    const std::vector<int>& fillBands() const { return fillBands_; }
    rb::Window fillWindow() const { return fillWindow_; }

    /// Removes this panel's overlays from the map.
    void clearOverlays();

signals:
    /// Emitted when a request finished (result shown, or error in the tab's status label);
    /// not for superseded requests, whose results are dropped.
    void searchDone();
    void crsChecked();
    void reprojectDone();
    void exportDone(bool ok);
    void vectorLoaded();
    void burnDone();
    void burnExported(bool ok);
    void shapesDone();
    void shapesExported(bool ok);
    void fillDone();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Request; // a scene, its visible window and a fresh cancel flag
    bool prepare(Request& r, QLabel* status, std::shared_ptr<std::atomic<bool>>& slot);
    void checkCrs();
    void setStatus(QLabel* label, const QString& text, bool error);
    /// A view or parameter change of tab `tab` (-1: any tab): schedules a live refresh of
    /// the active tab.
    void changed(int tab = -1);
    void refreshLive();
    void updateShapesControls();
    /// Drops a superseded result (counted); true when `cancel` is set.
    bool stale(const std::shared_ptr<std::atomic<bool>>& cancel);
    QString croppedNote(const rb::Window& shown, const rb::Window& view) const;

    MapCanvas* canvas_;
    JobMonitor* jobs_;
    QPointer<CompositeController> score_;
    QThreadPool pool_;
    std::shared_ptr<std::atomic<bool>> destroyed_;
    int maxSide_ = kDefaultMaxPreviewSide;
    int started_ = 0, dropped_ = 0, running_ = 0;

    QTabWidget* tabs_;
    QSpinBox* band_;
    QCheckBox* live_;
    QTimer* liveTimer_;
    QPushButton* clear_;

    QLineEdit* crs_;
    QLabel* crsInfo_;
    QTimer* crsTimer_;
    QLineEdit* search_;
    QTimer* searchTimer_;
    QListWidget* results_;
    QComboBox* resampling_;
    QLineEdit* resolution_;
    QCheckBox* showOnMap_;
    QLabel* reprojectStatus_;
    QLabel* previewLabel_;
    quint64 searchGen_ = 0, crsGen_ = 0;
    std::shared_ptr<std::atomic<bool>> reprojectCancel_;
    rb::Raster reprojected_;
    rb::Window reprojectWindow_;
    rb::Grid reprojectGrid_;
    QImage reprojectImage_;
    bool reprojectCropped_ = false;

    QLabel* vectorName_;
    QCheckBox* allTouched_;
    QComboBox* burnField_;
    QDoubleSpinBox* burnValue_;
    QComboBox* merge_;
    QLabel* rasterizeStatus_;
    std::shared_ptr<const rb::FeatureCollection> features_;
    std::shared_ptr<std::atomic<bool>> burnCancel_;
    quint64 vectorGen_ = 0;
    rb::Raster burned_;
    rb::Window burnWindow_;

    QComboBox* source_;
    QComboBox* mode_;
    QDoubleSpinBox* threshold_;
    QLineEdit* breaks_;
    QSpinBox* classes_;
    QComboBox* connectivity_;
    QLabel* shapesStatus_;
    std::shared_ptr<std::atomic<bool>> shapesCancel_;
    std::shared_ptr<const std::vector<rb::Shape>> shapes_;
    rb::Crs shapesCrs_;
    std::size_t vertices_ = 0;
    rb::Window shapesWindow_;
    std::vector<double> shapesBreaks_;

    QDoubleSpinBox* maxDistance_;
    QSpinBox* smoothing_;
    QLabel* fillStatus_;
    std::shared_ptr<std::atomic<bool>> fillCancel_;
    rb::Raster filled_;
    std::vector<int> fillBands_;
    rb::Window fillWindow_;
};

} // namespace rb::ui
