#include "TransformWork.h"

#include <QColor>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "CompositeController.h"
#include "SceneLayer.h"
#include "SceneRender.h"
#include "TransformPreview.h"
#include "rasterbench/colormap.h"
#include "rasterbench/crs.h"
#include "rasterbench/dataset.h"
#include "rasterbench/display.h"
#include "rasterbench/error.h"
#include "rasterbench/fill.h"

namespace rb::ui {

QImage sceneImage(const rb::Raster& r, const std::vector<int>& sourceBands,
                  const SceneData& scene) {
    if (r.empty())
        return {};
    return toQImage(rb::render_display(r, sourceBands, scene.display));
}

// Reproject -------------------------------------------------------------------------------

bool parseResolution(const QString& text, std::optional<double>& out) {
    out.reset();
    if (text.trimmed().isEmpty())
        return true;
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !(v > 0) || !std::isfinite(v))
        return false;
    out = v;
    return true;
}

WarpSetup warpSetup(const rb::Profile& profile, const std::string& crsText,
                    const rb::ReprojectOptions& options, std::optional<double> resolution,
                    const rb::GridOptions& grid) {
    WarpSetup s;
    const rb::Crs dst = rb::Crs::from_user_input(crsText);
    s.src = rb::grid_of(profile);
    rb::GridOptions g = grid;
    if (resolution)
        g.res_x = g.res_y = resolution;
    s.dst = rb::default_grid(s.src, dst, g);
    s.options.resampling = options.resampling;
    s.options.error_threshold = options.error_threshold;
    return s;
}

namespace {

/// Runs `f()`, quoting `crsText` in the message of a CRS error it throws.
template <class F> auto quotingCrs(const std::string& crsText, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const rb::CrsError& e) {
        if (crsText.empty())
            throw;
        throw rb::CrsError("Invalid CRS \"" + crsText + "\": " + e.what());
    }
}

} // namespace

QString describeCrs(const QString& text) {
    return quotingCrs(text.toStdString(), [&] {
        const rb::Crs crs = rb::Crs::from_user_input(text.toStdString());
        QString name = QString::fromStdString(crs.name());
        if (const auto epsg = crs.to_epsg())
            name += QStringLiteral(" (EPSG:%1)").arg(*epsg);
        return name;
    });
}

ReprojectPreview reprojectView(const PreviewRequest& req, const ReprojectParams& p,
                               rb::Progress progress) {
    return quotingCrs(p.crs, [&] {
        ReprojectPreview res;
        WarpSetup s = warpSetup(req.scene->profile, p.crs, p.options, p.resolution, p.grid);
        // The destination window covering the view: the view's extent in the target CRS, on
        // the full destination grid; its centre when too large.
        rb::GridOptions g;
        g.res_x = p.resolution;
        const rb::Grid view = rb::default_grid(s.src.window_grid(req.view), s.dst.crs, g);
        res.full = rb::Window::from_bounds(view.bounds(), s.dst.transform)
                       .clamped(s.dst.width, s.dst.height);
        if (res.full.empty())
            throw rb::ArgumentError("the view lies outside the target grid");
        res.window = centralWindow(res.full, p.maxSide);
        s.options.window = res.window;
        res.grid = s.dst;
        const rb::Dataset ds = rb::Dataset::open(req.path);
        res.raster = rb::reproject(ds, s.dst, {}, s.options, progress);
        std::vector<int> sourceBands;
        for (int b = 1; b <= res.raster.bands(); ++b)
            sourceBands.push_back(b);
        res.image = sceneImage(res.raster, sourceBands, *req.scene);
        if (p.onMap) {
            progress.check(); // superseded: no overlay to draw
            const OverlayFrame frame =
                reprojectedOnScene(res.image, res.window, s.dst, req.view, s.src.transform,
                                   s.src.crs, req.overlaySide);
            res.overlay = frame.image;
            res.overlayRect = frame.rect();
        }
        return res;
    });
}

void exportReprojection(const SceneData& scene, const ReprojectParams& p, const std::string& out,
                        rb::Progress progress) {
    quotingCrs(p.crs, [&] {
        const WarpSetup s = warpSetup(scene.profile, p.crs, p.options, p.resolution, p.grid);
        rb::reproject_file(scene.pathUtf8(), out, s.dst, s.options, std::move(progress));
    });
}

// Rasterize -------------------------------------------------------------------------------

VectorLayer readVectorLayer(const std::string& path) {
    VectorLayer layer;
    auto fc = std::make_shared<const rb::FeatureCollection>(rb::read_features(path));
    layer.fields = numericFields(*fc);
    layer.features = std::move(fc);
    return layer;
}

BurnPreview burnView(const PreviewRequest& req, const rb::FeatureCollection& features,
                     const rb::RasterizeOptions& options, rb::Progress progress) {
    BurnPreview res;
    const rb::Grid grid = rb::grid_of(req.scene->profile);
    res.burned = rb::rasterize(features, grid, options, std::move(progress));
    // Burnt pixels: anything other than the fill value.
    const int cols = res.burned.cols();
    res.lo = std::numeric_limits<double>::infinity();
    res.hi = -res.lo;
    for (int i = 0; i < res.burned.rows(); ++i)
        for (int j = 0; j < cols; ++j) {
            const double v = res.burned.value(0, i, j);
            if (v != options.fill) {
                ++res.burnt;
                res.lo = std::min(res.lo, v);
                res.hi = std::max(res.hi, v);
            }
        }
    const bool ramp = res.burnt > 0 && res.hi > res.lo;
    const auto& table = rb::colormap_table(rb::Colormap::Viridis);
    OverlayFrame frame(req.window, grid.transform, kMaxOverlaySide);
    frame.paintPixels([&](int row, int col) {
        const double v = res.burned.value(0, row, col);
        if (v == options.fill)
            return qRgba(0, 0, 0, 0);
        if (!ramp)
            return qRgba(110, 0, 0, 110); // premultiplied red
        const int k = std::clamp(int(std::lround(255 * (v - res.lo) / (res.hi - res.lo))), 0, 255);
        return qPremultiply((table[std::size_t(k)] & 0x00ffffffu) | 0xb4000000u);
    });
    std::vector<rb::Polygon> outlines;
    for (const auto& f : features.features) {
        try {
            rb::Geometry g = f.geometry;
            if (g.is_null())
                continue;
            if (!features.crs.empty() && !grid.crs.empty() && !(features.crs == grid.crs))
                g = g.transformed(features.crs, grid.crs);
            for (auto& p : g.polygons())
                outlines.push_back(std::move(p));
        } catch (const rb::Error&) {
            // not drawable in the scene CRS: skipped, as the burn skips it
        }
    }
    frame.drawOutlines(outlines, QColor(255, 80, 80));
    res.image = frame.image;
    res.rect = frame.rect();
    return res;
}

void writeBurn(const rb::FeatureCollection& features, const rb::Profile& scene,
               const rb::RasterizeOptions& options, const std::string& out, rb::Progress progress) {
    const rb::Grid grid = rb::grid_of(scene);
    const rb::Raster burned = rb::rasterize(features, grid, options, progress);
    progress.check(); // cancelled: nothing is created
    rb::Profile p;
    p.driver = "GTiff";
    p.width = grid.width;
    p.height = grid.height;
    p.count = 1;
    p.dtype = burned.dtype();
    p.crs = grid.crs;
    p.transform = grid.transform;
    p.has_transform = true;
    p.tiled = true;
    p.block_width = p.block_height = 256;
    p.compression = "DEFLATE";
    rb::Dataset ds = rb::Dataset::create(out, p); // temporary file, renamed on close
    ds.write(burned);
    ds.close();
}

// Vectorize -------------------------------------------------------------------------------

ShapesPreview shapesOfView(const PreviewRequest& req,
                           const std::shared_ptr<const ViewportResult>& scored,
                           const ShapesParams& p, rb::Progress progress) {
    ShapesPreview res;
    res.breaks = p.breaks;
    const rb::Affine sceneTransform = req.scene->profile.transform;
    rb::Raster band;
    rb::Affine transform;
    if (scored) {
        // The score covers scene rectangle plan.pixels at the preview's step.
        band = scored->score;
        const QRectF px = scored->plan.pixels;
        transform = sceneTransform * rb::Affine::translation(px.x(), px.y()) *
                    rb::Affine::scale(px.width() / band.cols(), px.height() / band.rows());
        res.window = {std::int64_t(std::floor(px.x())), std::int64_t(std::floor(px.y())),
                      std::int64_t(std::lround(px.width())),
                      std::int64_t(std::lround(px.height()))};
        if (scored->plan.step > 1)
            res.note =
                QObject::tr("Score at the Score panel's resolution (1:%1).").arg(scored->plan.step);
    } else {
        const rb::Dataset ds = rb::Dataset::open(req.path);
        rb::ReadOptions ro;
        ro.bands = {p.band};
        ro.window = req.window;
        band = ds.read(ro);
        transform = req.window.transform(sceneTransform);
        res.window = req.window;
    }
    if (p.mode == 2) {
        const auto range = validRange(band, 0);
        if (!range)
            throw rb::ArgumentError("no valid values in the view to classify");
        res.breaks = equalIntervalBreaks(range->first, range->second, p.classes);
    }
    const Classified c = classify(band, 0, res.breaks, p.mode == 0);
    rb::ShapesOptions so;
    so.connectivity = p.connectivity;
    so.simplify = p.simplify;
    so.mask = c.mask;
    auto shapes = std::make_shared<std::vector<rb::Shape>>(
        rb::shapes(c.classes, 0, transform, so, std::move(progress)));
    // Outlines coloured by class.
    std::map<int, std::vector<rb::Polygon>> byClass;
    for (const auto& s : *shapes) {
        res.vertices += s.polygon.vertex_count();
        byClass[int(s.value)].push_back(s.polygon);
    }
    OverlayFrame frame(res.window, sceneTransform, kMaxOverlaySide);
    for (const auto& [k, polygons] : byClass)
        frame.drawOutlines(polygons, p.mode == 0 ? QColor(255, 220, 0)
                                                 : QColor::fromRgba(rb::categorical_color(k)));
    res.image = frame.image;
    res.rect = frame.rect();
    res.shapes = std::move(shapes);
    return res;
}

// Fill ------------------------------------------------------------------------------------

std::vector<int> bandsToFill(const SceneData& scene) {
    std::vector<int> bands;
    for (int b : scene.bands)
        if (b >= 1 && b <= scene.profile.count &&
            std::find(bands.begin(), bands.end(), b) == bands.end())
            bands.push_back(b);
    if (bands.empty())
        bands = {1};
    return bands;
}

FillPreview fillView(const PreviewRequest& req, const std::vector<int>& bands, double maxDistance,
                     int smoothing, rb::Progress progress) {
    FillPreview res;
    const rb::Dataset ds = rb::Dataset::open(req.path);
    rb::ReadOptions ro;
    ro.bands = bands;
    ro.window = req.window;
    const rb::Raster src = ds.read(ro);
    OverlayFrame frame(req.window, ds.profile().transform, kMaxOverlaySide);
    if (!src.has_mask()) {
        res.filled = src;
        res.message = QObject::tr("No nodata gaps in the view.");
    } else {
        rb::FillOptions fo;
        fo.max_distance = maxDistance;
        fo.smoothing = smoothing;
        res.filled = rb::fill_nodata(src, fo, std::move(progress));
        // Only the filled samples show: everything valid before is made invalid
        // (transparent) in a copy drawn like the scene.
        rb::Raster shown = res.filled;
        shown.ensure_mask();
        QStringList counts;
        for (int b = 0; b < src.bands(); ++b) {
            std::size_t gaps = 0, done = 0;
            auto m = shown.mask(b);
            for (int i = 0; i < src.rows(); ++i)
                for (int j = 0; j < src.cols(); ++j) {
                    const std::size_t k = std::size_t(i) * std::size_t(src.cols()) + std::size_t(j);
                    if (src.valid(b, i, j)) {
                        m[k] = 0;
                    } else {
                        ++gaps;
                        done += res.filled.valid(b, i, j);
                    }
                }
            counts
                << QObject::tr("band %1: %2 of %3").arg(bands[std::size_t(b)]).arg(done).arg(gaps);
        }
        const QImage img = sceneImage(shown, bands, *req.scene);
        frame.paintPixels([&](int row, int col) { return qPremultiply(img.pixel(col, row)); });
        res.message = QObject::tr("Gap pixels filled in the view (%1)").arg(counts.join(u"; "));
    }
    res.image = frame.image;
    res.rect = frame.rect();
    return res;
}

} // namespace rb::ui
