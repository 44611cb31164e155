#pragma once
// The Transform dock (issue 6): previews of the visible area for four engine operations.
// - Reproject: target CRS (any user input, or picked from an EPSG search of the PROJ
//   database), resampling, resolution; Preview warps the destination grid's window that
//   covers the view (pixel-identical to the same window of the exported file: same grid,
//   same tile size); Export writes the whole file in the background (progress + cancel in
//   the job monitor).
// - Rasterize: a vector file burnt on the scene grid over the view (all-touched toggle),
//   drawn as a semi-transparent overlay with the features' outlines.
// - Vectorize: band >= threshold polygonized at full resolution over the view; outlines on
//   the map, feature and vertex counts, GeoJSON export.
// - Fill: fill_nodata of the view (e.g. SLC-off gaps); the filled pixels as an overlay.
// Every engine call runs in the background; a newer request cancels and supersedes an older
// one of the same kind, whose result is dropped.
#include <QImage>
#include <QThreadPool>
#include <QWidget>

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

class JobMonitor;
class MapCanvas;

class TransformPanel : public QWidget {
    Q_OBJECT
public:
    /// Largest view (in full-resolution pixels) a preview computes; zoom in beyond it.
    static constexpr std::int64_t kMaxPreviewPixels = 4096LL * 4096LL;
    static inline const QString kShapesOverlay = QStringLiteral("transform-shapes");
    static inline const QString kBurnOverlay = QStringLiteral("transform-burn");
    static inline const QString kFillOverlay = QStringLiteral("transform-fill");

    /// `jobs` may be null (exports then run without a status-bar strip).
    explicit TransformPanel(MapCanvas* canvas, JobMonitor* jobs, QWidget* parent = nullptr);
    ~TransformPanel() override;

    QTabWidget* tabs() const { return tabs_; }
    /// 1-based band used by Vectorize and Fill (default: the first displayed band).
    QSpinBox* bandSpin() const { return band_; }

    // Reproject
    QLineEdit* crsEdit() const { return crs_; }
    QLineEdit* searchEdit() const { return search_; }
    QListWidget* searchResults() const { return results_; }
    QComboBox* resamplingCombo() const { return resampling_; }
    QLineEdit* resolutionEdit() const { return resolution_; }
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
    QImage reprojectImage() const { return reprojectImage_; }

    // Rasterize
    QCheckBox* allTouchedCheck() const { return allTouched_; }
    QLabel* rasterizeStatus() const { return rasterizeStatus_; }
    /// Loads a vector file (asks for one when `path` is empty), then previews the burn.
    void loadVector(const QString& path = {});
    void previewBurn();
    /// The latest burn of the view (one UInt8 band of the visible window).
    const rb::Raster& burnPreview() const { return burned_; }

    // Vectorize
    QDoubleSpinBox* thresholdSpin() const { return threshold_; }
    QComboBox* connectivityCombo() const { return connectivity_; }
    QLabel* shapesStatus() const { return shapesStatus_; }
    void previewShapes();
    /// Writes the latest shapes as GeoJSON (asks for a name when `path` is empty).
    void exportShapes(const QString& path = {});
    int featureCount() const { return shapes_ ? int(shapes_->size()) : 0; }
    std::size_t vertexCount() const { return vertices_; }
    rb::Window shapesWindow() const { return shapesWindow_; }

    // Fill
    QDoubleSpinBox* maxDistanceSpin() const { return maxDistance_; }
    QSpinBox* smoothingSpin() const { return smoothing_; }
    QLabel* fillStatus() const { return fillStatus_; }
    void previewFill();

    /// Removes this panel's overlays from the map.
    void clearOverlays();

signals:
    /// Emitted when a request finished (result shown, or error in the tab's status label).
    void searchDone();
    void crsChecked();
    void reprojectDone();
    void exportDone(bool ok);
    void vectorLoaded();
    void burnDone();
    void shapesDone();
    void shapesExported(bool ok);
    void fillDone();

private:
    struct Request; // a scene, its visible window and a fresh cancel flag
    bool prepare(Request& r, QLabel* status, std::shared_ptr<std::atomic<bool>>& slot);
    void checkCrs();
    void setStatus(QLabel* label, const QString& text, bool error);

    MapCanvas* canvas_;
    JobMonitor* jobs_;
    QThreadPool pool_;
    std::shared_ptr<std::atomic<bool>> destroyed_;

    QTabWidget* tabs_;
    QSpinBox* band_;
    QPushButton* clear_;

    QLineEdit* crs_;
    QLabel* crsInfo_;
    QTimer* crsTimer_;
    QLineEdit* search_;
    QTimer* searchTimer_;
    QListWidget* results_;
    QComboBox* resampling_;
    QLineEdit* resolution_;
    QLabel* reprojectStatus_;
    QLabel* previewLabel_;
    quint64 searchGen_ = 0, crsGen_ = 0;
    std::shared_ptr<std::atomic<bool>> reprojectCancel_;
    rb::Raster reprojected_;
    rb::Window reprojectWindow_;
    rb::Grid reprojectGrid_;
    QImage reprojectImage_;

    QLabel* vectorName_;
    QCheckBox* allTouched_;
    QLabel* rasterizeStatus_;
    std::shared_ptr<const rb::FeatureCollection> features_;
    std::shared_ptr<std::atomic<bool>> burnCancel_;
    quint64 vectorGen_ = 0;
    rb::Raster burned_;

    QDoubleSpinBox* threshold_;
    QComboBox* connectivity_;
    QLabel* shapesStatus_;
    std::shared_ptr<std::atomic<bool>> shapesCancel_;
    std::shared_ptr<const std::vector<rb::Shape>> shapes_;
    rb::Crs shapesCrs_;
    std::size_t vertices_ = 0;
    rb::Window shapesWindow_;

    QDoubleSpinBox* maxDistance_;
    QSpinBox* smoothing_;
    QLabel* fillStatus_;
    std::shared_ptr<std::atomic<bool>> fillCancel_;
};

} // namespace rb::ui
