#pragma once
// What each Transform tab computes in the background, as plain functions: a request (scene,
// view, window) and the tab's parameters in, what the tab shows out (the engine's result
// and the overlay drawn from it). They throw on errors (rb::Cancelled when `progress`
// stops them) and touch no widget, so they run on any thread.
#include <QImage>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "PreviewJobs.h"
#include "rasterbench/features.h"
#include "rasterbench/progress.h"
#include "rasterbench/raster.h"
#include "rasterbench/warp.h"
#include "rasterbench/window.h"

namespace rb::ui {

struct SceneData;
struct ViewportResult;

/// Largest side of an overlay image drawn on the map.
constexpr int kMaxOverlaySide = 2048;

/// `r` (whose band i is file band `sourceBands[i]`) drawn like the scene: its displayed
/// bands, stretch, colour map and gamma; invalid samples transparent.
QImage sceneImage(const rb::Raster& r, const std::vector<int>& sourceBands, const SceneData& scene);

// Reproject -------------------------------------------------------------------------------

/// The resolution field: nullopt when empty; false when malformed.
bool parseResolution(const QString& text, std::optional<double>& out);

struct WarpSetup {
    rb::Grid src, dst;
    rb::ReprojectOptions options;
};
/// The destination grid and options the Reproject tab's fields describe.
WarpSetup warpSetup(const rb::Profile& profile, const std::string& crsText,
                    const rb::ReprojectOptions& options, std::optional<double> resolution,
                    const rb::GridOptions& grid = {});

/// The CRS `text` names, as "name (EPSG:code)". The CRS errors of this and of the other
/// Reproject functions quote the CRS text typed ("Invalid CRS \"...\": why").
QString describeCrs(const QString& text);

struct ReprojectParams {
    std::string crs;
    rb::ReprojectOptions options; ///< resampling and error threshold (the form's)
    std::optional<double> resolution;
    /// Target size, bounds (in the target CRS) and -tap; the resolution above wins over the
    /// one here.
    rb::GridOptions grid;
    bool onMap = true; ///< also draw the overlay on the scene grid
    int maxSide = PreviewJobs::kDefaultMaxSide;
};
struct ReprojectPreview {
    rb::Grid grid;
    rb::Window window, full; ///< computed / covering the view, in the target grid
    rb::Raster raster;
    QImage image;
    QImage overlay;
    QRectF overlayRect;
};
/// The window of the destination grid covering the view (its centre when larger than
/// `maxSide`), warped exactly as the export warps it.
ReprojectPreview reprojectView(const PreviewRequest& req, const ReprojectParams& p,
                               rb::Progress progress);
/// Writes the whole reprojected scene to `out`.
void exportReprojection(const SceneData& scene, const ReprojectParams& p, const std::string& out,
                        rb::Progress progress);

// Rasterize -------------------------------------------------------------------------------

struct VectorLayer {
    std::shared_ptr<const rb::FeatureCollection> features;
    QStringList fields; ///< the numeric properties
};
VectorLayer readVectorLayer(const std::string& path);

struct BurnPreview {
    rb::Raster burned;
    QImage image;
    QRectF rect;
    std::size_t burnt = 0; ///< pixels other than the fill value
    double lo = 0, hi = 0; ///< their range
};
/// `options.window` is burnt on the scene grid; drawn as a colour ramp with the outlines.
BurnPreview burnView(const PreviewRequest& req, const rb::FeatureCollection& features,
                     const rb::RasterizeOptions& options, rb::Progress progress);
/// Burns `features` into the whole grid of `scene` and writes a one-band tiled GeoTIFF.
void writeBurn(const rb::FeatureCollection& features, const rb::Profile& scene,
               const rb::RasterizeOptions& options, const std::string& out,
               rb::Progress progress = {});

// Vectorize -------------------------------------------------------------------------------

struct ShapesParams {
    int mode = 0;               ///< 0 threshold, 1 class breaks, 2 equal intervals
    std::vector<double> breaks; ///< threshold mode: {threshold}; equal intervals: computed
    int classes = 4;            ///< equal intervals
    int connectivity = 4;
    double simplify = 0; ///< map units; 0 = the traced outlines as they are
    int band = 1;        ///< 1-based, band source
};
struct ShapesPreview {
    QString note;
    std::shared_ptr<const std::vector<rb::Shape>> shapes;
    std::vector<double> breaks;
    std::size_t vertices = 0;
    rb::Window window;
    QImage image;
    QRectF rect;
};
/// Band `p.band` of the request's window, or `scored`'s score when set, classified and
/// polygonized; outlines coloured by class.
ShapesPreview shapesOfView(const PreviewRequest& req,
                           const std::shared_ptr<const ViewportResult>& scored,
                           const ShapesParams& p, rb::Progress progress);

// Fill ------------------------------------------------------------------------------------

struct FillPreview {
    QString message;
    rb::Raster filled;
    QImage image;
    QRectF rect;
};
/// The displayed bands, each once (band 1 when none is).
std::vector<int> bandsToFill(const SceneData& scene);
/// fill_nodata of `bands` over the request's window; the overlay shows only the filled
/// samples, drawn like the scene.
FillPreview fillView(const PreviewRequest& req, const std::vector<int>& bands, double maxDistance,
                     int smoothing, rb::Progress progress);

} // namespace rb::ui
