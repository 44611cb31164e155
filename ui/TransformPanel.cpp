#include "TransformPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>

#include "Background.h"
#include "JobMonitor.h"
#include "MapCanvas.h"
#include "rasterbench/crs.h"
#include "rasterbench/crs_search.h"
#include "rasterbench/dataset.h"
#include "rasterbench/error.h"
#include "rasterbench/fill.h"

namespace rb::ui {

struct TransformPanel::Request {
    std::shared_ptr<const SceneData> scene;
    std::string path;
    rb::Window window;
    int band = 1; ///< 1-based
    std::shared_ptr<std::atomic<bool>> cancel;
};

namespace {

constexpr int kMaxOverlaySide = 2048;

QString errorText(const std::exception& e) {
    return QString::fromUtf8(e.what());
}

/// Runs `f`, turning exceptions into an error message (CRS errors quote the input).
template <class F> QString guarded(const QString& crsText, F&& f) {
    try {
        f();
        return {};
    } catch (const rb::CrsError& e) {
        return crsText.isEmpty() ? errorText(e)
                                 : QObject::tr("Invalid CRS \"%1\": %2").arg(crsText, errorText(e));
    } catch (const rb::Cancelled&) {
        return QObject::tr("Cancelled");
    } catch (const std::exception& e) {
        return errorText(e);
    }
}

rb::Progress progressOf(std::shared_ptr<std::atomic<bool>> cancel,
                        std::shared_ptr<std::atomic<bool>> destroyed) {
    return rb::Progress([cancel = std::move(cancel), destroyed = std::move(destroyed)](double) {
        return !*cancel && !*destroyed;
    });
}

/// Min / max of the valid samples of band `b`.
std::pair<double, double> rangeOf(const rb::Raster& r, int b) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j)
            if (r.valid(b, i, j)) {
                const double v = r.value(b, i, j);
                if (std::isfinite(v)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
    if (!(lo <= hi))
        return {0, 1};
    return {lo, hi > lo ? hi : lo + 1};
}

/// Bands `bands0` (0-based; 3 = RGB, else the first as grey) of `r`, min-max stretched;
/// invalid samples transparent.
QImage rasterImage(const rb::Raster& r, std::vector<int> bands0) {
    if (r.empty())
        return {};
    if (bands0.size() != 3)
        bands0 = {bands0.empty() ? 0 : bands0.front()};
    std::vector<std::pair<double, double>> ranges;
    for (int b : bands0)
        ranges.push_back(rangeOf(r, b));
    QImage img(r.cols(), r.rows(), QImage::Format_ARGB32);
    for (int i = 0; i < r.rows(); ++i) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(i));
        for (int j = 0; j < r.cols(); ++j) {
            int c[3] = {0, 0, 0};
            bool valid = true;
            for (std::size_t k = 0; k < bands0.size(); ++k) {
                valid = valid && r.valid(bands0[k], i, j);
                const auto [lo, hi] = ranges[k];
                const double t = (r.value(bands0[k], i, j) - lo) / (hi - lo);
                c[k] = std::clamp(int(std::lround(255 * t)), 0, 255);
            }
            if (bands0.size() == 1)
                c[1] = c[2] = c[0];
            line[j] = valid ? qRgb(c[0], c[1], c[2]) : qRgba(0, 0, 0, 0);
        }
    }
    return img;
}

/// Overlay geometry: an image covering window `w` at scale `s` (<= 1).
struct OverlayFrame {
    rb::Window window;
    double scale = 1;
    rb::Affine toWindowPixel; ///< map -> window pixel
    QImage image;

    OverlayFrame(const rb::Window& w, const rb::Affine& sceneTransform) : window(w) {
        scale = std::min(1.0, double(kMaxOverlaySide) / double(std::max(w.width, w.height)));
        toWindowPixel = w.transform(sceneTransform).inverse();
        image = QImage(std::max(1, int(std::ceil(double(w.width) * scale))),
                       std::max(1, int(std::ceil(double(w.height) * scale))),
                       QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
    }
    QRectF rect() const {
        return QRectF(double(window.col_off), double(window.row_off), double(window.width),
                      double(window.height));
    }
    QPointF toImage(const rb::Point2& p) const {
        const auto [c, r] = toWindowPixel.apply(p[0], p[1]);
        return {c * scale, r * scale};
    }
    void drawOutlines(const std::vector<rb::Polygon>& polygons, QColor color) {
        QPainterPath path;
        auto addRing = [&](const rb::Ring& ring) {
            if (ring.empty())
                return;
            QPolygonF poly;
            poly.reserve(qsizetype(ring.size()));
            for (const auto& p : ring)
                poly << toImage(p);
            path.addPolygon(poly);
            path.closeSubpath();
        };
        for (const auto& polygon : polygons) {
            addRing(polygon.exterior);
            for (const auto& hole : polygon.holes)
                addRing(hole);
        }
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        QPen pen(color, 1.5);
        pen.setCosmetic(true);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
    }
    /// Sets the overlay pixels from a window-sized predicate / colour function.
    template <class F> void paintPixels(F&& colorAt) {
        for (int y = 0; y < image.height(); ++y) {
            auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
            const int row = std::min(int(window.height) - 1, int((y + 0.5) / scale));
            for (int x = 0; x < image.width(); ++x) {
                const int col = std::min(int(window.width) - 1, int((x + 0.5) / scale));
                line[x] = colorAt(row, col);
            }
        }
    }
};

struct WarpSetup {
    rb::Grid src, dst;
    rb::ReprojectOptions options;
};

/// The destination grid and options the Reproject tab's fields describe (throws).
WarpSetup warpSetup(const rb::Profile& profile, const std::string& crsText,
                    const std::string& resampling, std::optional<double> resolution) {
    WarpSetup s;
    const rb::Crs dst = rb::Crs::from_user_input(crsText);
    s.src = rb::grid_of(profile);
    rb::GridOptions g;
    g.res_x = resolution;
    s.dst = rb::default_grid(s.src, dst, g);
    const auto r = rb::parse_warp_resampling(resampling);
    if (!r)
        throw rb::ArgumentError("unknown resampling \"" + resampling + "\"");
    s.options.resampling = *r;
    return s;
}

} // namespace

TransformPanel::TransformPanel(MapCanvas* canvas, JobMonitor* jobs, QWidget* parent)
    : QWidget(parent), canvas_(canvas), jobs_(jobs),
      destroyed_(std::make_shared<std::atomic<bool>>(false)), tabs_(new QTabWidget(this)),
      band_(new QSpinBox(this)), clear_(new QPushButton(tr("Clear overlays"), this)),
      crs_(new QLineEdit(this)), crsInfo_(new QLabel(this)), crsTimer_(new QTimer(this)),
      search_(new QLineEdit(this)), searchTimer_(new QTimer(this)), results_(new QListWidget(this)),
      resampling_(new QComboBox(this)), resolution_(new QLineEdit(this)),
      reprojectStatus_(new QLabel(this)), previewLabel_(new QLabel(this)),
      vectorName_(new QLabel(tr("No vector file"), this)),
      allTouched_(new QCheckBox(tr("All touched"), this)), rasterizeStatus_(new QLabel(this)),
      threshold_(new QDoubleSpinBox(this)), connectivity_(new QComboBox(this)),
      shapesStatus_(new QLabel(this)), maxDistance_(new QDoubleSpinBox(this)),
      smoothing_(new QSpinBox(this)), fillStatus_(new QLabel(this)) {
    pool_.setMaxThreadCount(2);
    for (QLabel* l : {crsInfo_, reprojectStatus_, rasterizeStatus_, shapesStatus_, fillStatus_}) {
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Band"), this));
    band_->setRange(1, 1);
    band_->setToolTip(tr("Band thresholded by Vectorize and filled by Fill"));
    top->addWidget(band_);
    top->addStretch();
    top->addWidget(clear_);
    layout->addLayout(top);
    layout->addWidget(tabs_, 1);
    connect(clear_, &QPushButton::clicked, this, &TransformPanel::clearOverlays);

    // Reproject
    auto* reproject = new QWidget(this);
    auto* rl = new QVBoxLayout(reproject);
    auto* form = new QFormLayout;
    crs_->setPlaceholderText(tr("EPSG:3857, WKT or PROJ string"));
    crs_->setText(QStringLiteral("EPSG:3857"));
    form->addRow(tr("Target CRS"), crs_);
    form->addRow(QString(), crsInfo_);
    search_->setPlaceholderText(tr("Search EPSG by code or name"));
    search_->setClearButtonEnabled(true);
    form->addRow(tr("Search"), search_);
    results_->setMaximumHeight(120);
    form->addRow(QString(), results_);
    for (const char* name : {"near", "bilinear", "cubic", "cubicspline", "lanczos", "average",
                             "mode", "min", "max", "med"})
        resampling_->addItem(QString::fromLatin1(name));
    form->addRow(tr("Resampling"), resampling_);
    resolution_->setPlaceholderText(tr("default (as gdalwarp)"));
    resolution_->setToolTip(tr("Pixel size in target CRS units; empty: gdalwarp's default"));
    form->addRow(tr("Resolution"), resolution_);
    rl->addLayout(form);
    auto* rbuttons = new QHBoxLayout;
    auto* previewButton = new QPushButton(tr("Preview"), reproject);
    auto* exportButton = new QPushButton(tr("Export..."), reproject);
    rbuttons->addWidget(previewButton);
    rbuttons->addWidget(exportButton);
    rbuttons->addStretch();
    rl->addLayout(rbuttons);
    rl->addWidget(reprojectStatus_);
    previewLabel_->setAlignment(Qt::AlignCenter);
    previewLabel_->setMinimumSize(200, 200);
    previewLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    rl->addWidget(previewLabel_, 1);
    tabs_->addTab(reproject, tr("Reproject"));

    crsTimer_->setSingleShot(true);
    crsTimer_->setInterval(300);
    connect(crs_, &QLineEdit::textEdited, crsTimer_, qOverload<>(&QTimer::start));
    connect(crsTimer_, &QTimer::timeout, this, &TransformPanel::checkCrs);
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(250);
    connect(search_, &QLineEdit::textEdited, searchTimer_, qOverload<>(&QTimer::start));
    connect(searchTimer_, &QTimer::timeout, this, [this] { searchCrs(search_->text()); });
    connect(results_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        crs_->setText(item->data(Qt::UserRole).toString());
        checkCrs();
    });
    connect(previewButton, &QPushButton::clicked, this, &TransformPanel::previewReproject);
    connect(exportButton, &QPushButton::clicked, this, [this] { exportReproject(); });

    // Rasterize
    auto* rasterize = new QWidget(this);
    auto* zl = new QVBoxLayout(rasterize);
    auto* load = new QPushButton(tr("Load vector..."), rasterize);
    auto* burnButton = new QPushButton(tr("Preview"), rasterize);
    auto* zrow = new QHBoxLayout;
    zrow->addWidget(load);
    zrow->addWidget(burnButton);
    zrow->addStretch();
    zl->addLayout(zrow);
    vectorName_->setWordWrap(true);
    zl->addWidget(vectorName_);
    zl->addWidget(allTouched_);
    zl->addWidget(rasterizeStatus_);
    zl->addStretch();
    tabs_->addTab(rasterize, tr("Rasterize"));
    connect(load, &QPushButton::clicked, this, [this] { loadVector(); });
    connect(burnButton, &QPushButton::clicked, this, &TransformPanel::previewBurn);
    connect(allTouched_, &QCheckBox::toggled, this, [this] {
        if (features_)
            previewBurn();
    });

    // Vectorize
    auto* vectorize = new QWidget(this);
    auto* vl = new QVBoxLayout(vectorize);
    auto* vform = new QFormLayout;
    threshold_->setRange(-1e12, 1e12);
    threshold_->setDecimals(3);
    threshold_->setValue(128);
    threshold_->setToolTip(tr("Pixels with value >= threshold become polygons"));
    vform->addRow(tr("Threshold (>=)"), threshold_);
    connectivity_->addItem(tr("4-connected"), 4);
    connectivity_->addItem(tr("8-connected"), 8);
    vform->addRow(tr("Connectivity"), connectivity_);
    vl->addLayout(vform);
    auto* vrow = new QHBoxLayout;
    auto* shapesButton = new QPushButton(tr("Preview"), vectorize);
    auto* geojsonButton = new QPushButton(tr("Export GeoJSON..."), vectorize);
    vrow->addWidget(shapesButton);
    vrow->addWidget(geojsonButton);
    vrow->addStretch();
    vl->addLayout(vrow);
    vl->addWidget(shapesStatus_);
    vl->addStretch();
    tabs_->addTab(vectorize, tr("Vectorize"));
    connect(shapesButton, &QPushButton::clicked, this, &TransformPanel::previewShapes);
    connect(geojsonButton, &QPushButton::clicked, this, [this] { exportShapes(); });

    // Fill
    auto* fill = new QWidget(this);
    auto* fl = new QVBoxLayout(fill);
    auto* fform = new QFormLayout;
    maxDistance_->setRange(1, 10000);
    maxDistance_->setValue(100);
    maxDistance_->setToolTip(tr("Search distance in pixels (gdal_fillnodata -md)"));
    fform->addRow(tr("Max distance"), maxDistance_);
    smoothing_->setRange(0, 100);
    smoothing_->setToolTip(tr("3x3 smoothing passes over the filled pixels (-si)"));
    fform->addRow(tr("Smoothing"), smoothing_);
    fl->addLayout(fform);
    auto* fillButton = new QPushButton(tr("Preview"), fill);
    auto* frow = new QHBoxLayout;
    frow->addWidget(fillButton);
    frow->addStretch();
    fl->addLayout(frow);
    fl->addWidget(fillStatus_);
    fl->addStretch();
    tabs_->addTab(fill, tr("Fill"));
    connect(fillButton, &QPushButton::clicked, this, &TransformPanel::previewFill);
}

TransformPanel::~TransformPanel() {
    *destroyed_ = true; // cancels previews and exports (their results are dropped)
    pool_.waitForDone();
}

void TransformPanel::setStatus(QLabel* label, const QString& text, bool error) {
    label->setText(text);
    label->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

bool TransformPanel::prepare(Request& r, QLabel* status, std::shared_ptr<std::atomic<bool>>& slot) {
    r.scene = canvas_->scene();
    if (!r.scene) {
        setStatus(status, tr("Open a scene first."), true);
        return false;
    }
    const int count = std::max(1, r.scene->profile.count);
    if (band_->maximum() != count) {
        band_->setRange(1, count);
        band_->setValue(r.scene->bands.empty() ? 1 : std::clamp(r.scene->bands.front(), 1, count));
    }
    r.band = band_->value();
    r.path = r.scene->pathUtf8();
    r.window = canvas_->visibleWindow();
    if (r.window.empty()) {
        setStatus(status, tr("Nothing of the scene is visible."), true);
        return false;
    }
    if (r.window.width * r.window.height > kMaxPreviewPixels) {
        setStatus(
            status,
            tr("Zoom in: the view covers %1 x %2 pixels.").arg(r.window.width).arg(r.window.height),
            true);
        return false;
    }
    if (slot)
        *slot = true; // supersede the running request of this kind
    slot = std::make_shared<std::atomic<bool>>(false);
    r.cancel = slot;
    setStatus(status, tr("Computing..."), false);
    return true;
}

void TransformPanel::clearOverlays() {
    for (const QString& id : {kShapesOverlay, kBurnOverlay, kFillOverlay})
        if (!canvas_->overlay(id).isNull())
            canvas_->setOverlay(id, {}, {});
}

// ---------------------------------------------------------------------------------------
// Reproject

void TransformPanel::searchCrs(const QString& query) {
    const quint64 gen = ++searchGen_;
    runInBackground(
        this, &pool_, [q = query.toStdString()] { return rb::search_crs(q, 50); },
        [this, gen](const std::vector<rb::CrsMatch>& matches) {
            if (gen != searchGen_)
                return; // a newer search runs
            results_->clear();
            for (const auto& m : matches) {
                const QString id =
                    QString::fromStdString(m.authority) + u':' + QString::fromStdString(m.code);
                auto* item =
                    new QListWidgetItem(id + QStringLiteral("  ") + QString::fromStdString(m.name) +
                                            (m.deprecated ? tr(" (deprecated)") : QString()),
                                        results_);
                item->setData(Qt::UserRole, id);
            }
            emit searchDone();
        });
}

QStringList TransformPanel::searchCodes() const {
    QStringList codes;
    for (int i = 0; i < results_->count(); ++i)
        codes << results_->item(i)->data(Qt::UserRole).toString().section(u':', 1);
    return codes;
}

void TransformPanel::checkCrs() {
    const quint64 gen = ++crsGen_;
    const QString text = crs_->text().trimmed();
    struct Result {
        QString error, name;
    };
    runInBackground(
        this, &pool_,
        [text] {
            Result r;
            r.error = guarded(text, [&] {
                const rb::Crs crs = rb::Crs::from_user_input(text.toStdString());
                r.name = QString::fromStdString(crs.name());
                if (const auto epsg = crs.to_epsg())
                    r.name += QStringLiteral(" (EPSG:%1)").arg(*epsg);
            });
            return r;
        },
        [this, gen](const Result& r) {
            if (gen != crsGen_)
                return;
            setStatus(crsInfo_, r.error.isEmpty() ? r.name : r.error, !r.error.isEmpty());
            emit crsChecked();
        });
}

void TransformPanel::previewReproject() {
    Request req;
    if (!prepare(req, reprojectStatus_, reprojectCancel_)) {
        emit reprojectDone();
        return;
    }
    const QString crsText = crs_->text().trimmed();
    std::optional<double> resolution;
    if (!resolution_->text().trimmed().isEmpty()) {
        bool ok = false;
        resolution = resolution_->text().trimmed().toDouble(&ok);
        if (!ok || *resolution <= 0) {
            setStatus(reprojectStatus_,
                      tr("Invalid resolution \"%1\": a positive number is needed.")
                          .arg(resolution_->text()),
                      true);
            emit reprojectDone();
            return;
        }
    }
    struct Result {
        QString error;
        rb::Grid grid;
        rb::Window window;
        rb::Raster raster;
        QImage image;
    };
    runInBackground(
        this, &pool_,
        [req, crsText, resolution, resampling = resampling_->currentText().toStdString(),
         destroyed = destroyed_] {
            Result res;
            res.error = guarded(crsText, [&] {
                WarpSetup s =
                    warpSetup(req.scene->profile, crsText.toStdString(), resampling, resolution);
                // The destination window covering the view: the view's extent in the
                // target CRS, on the full destination grid.
                rb::GridOptions g;
                g.res_x = resolution;
                const rb::Grid view = rb::default_grid(s.src.window_grid(req.window), s.dst.crs, g);
                res.window = rb::Window::from_bounds(view.bounds(), s.dst.transform)
                                 .clamped(s.dst.width, s.dst.height);
                if (res.window.empty())
                    throw rb::ArgumentError("the view lies outside the target grid");
                if (res.window.width * res.window.height > kMaxPreviewPixels)
                    throw rb::ArgumentError("the view is too large in the target grid: zoom in");
                s.options.window = res.window;
                res.grid = s.dst;
                const rb::Dataset ds = rb::Dataset::open(req.path);
                res.raster =
                    rb::reproject(ds, s.dst, {}, s.options, progressOf(req.cancel, destroyed));
                std::vector<int> bands0;
                for (int b : req.scene->bands)
                    if (b >= 1 && b <= res.raster.bands())
                        bands0.push_back(b - 1);
                res.image = rasterImage(res.raster, bands0);
            });
            return res;
        },
        [this, cancel = req.cancel](const Result& r) {
            if (*cancel)
                return; // superseded
            if (!r.error.isEmpty()) {
                setStatus(reprojectStatus_, r.error, true);
            } else {
                reprojected_ = r.raster;
                reprojectWindow_ = r.window;
                reprojectGrid_ = r.grid;
                reprojectImage_ = r.image;
                previewLabel_->setPixmap(QPixmap::fromImage(r.image).scaled(
                    previewLabel_->size(), Qt::KeepAspectRatio, Qt::FastTransformation));
                setStatus(reprojectStatus_,
                          tr("Window %1 of the %2 x %3 target grid (%4)")
                              .arg(QString::fromStdString(r.window.to_string()))
                              .arg(r.grid.width)
                              .arg(r.grid.height)
                              .arg(QString::fromStdString(r.grid.crs.name())),
                          false);
            }
            emit reprojectDone();
        });
}

void TransformPanel::exportReproject(const QString& pathIn) {
    const auto scene = canvas_->scene();
    if (!scene) {
        setStatus(reprojectStatus_, tr("Open a scene first."), true);
        emit exportDone(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Export reprojected GeoTIFF"),
                                            QFileInfo(scene->path).completeBaseName() +
                                                QStringLiteral("_warped.tif"),
                                            tr("GeoTIFF (*.tif *.tiff)"));
    if (path.isEmpty())
        return;
    std::optional<double> resolution;
    if (!resolution_->text().trimmed().isEmpty()) {
        bool ok = false;
        resolution = resolution_->text().trimmed().toDouble(&ok);
        if (!ok || *resolution <= 0) {
            setStatus(reprojectStatus_, tr("Invalid resolution \"%1\".").arg(resolution_->text()),
                      true);
            emit exportDone(false);
            return;
        }
    }
    const QString crsText = crs_->text().trimmed();
    const auto handle = JobMonitor::begin(
        jobs_, tr("Reprojecting %1").arg(QFileInfo(scene->path).fileName()), destroyed_);
    setStatus(reprojectStatus_, tr("Exporting %1...").arg(path), false);
    runInBackground(
        this, &pool_,
        [scene, crsText, resolution, resampling = resampling_->currentText().toStdString(),
         out = path.toStdString(), handle] {
            return guarded(crsText, [&] {
                const WarpSetup s =
                    warpSetup(scene->profile, crsText.toStdString(), resampling, resolution);
                rb::reproject_file(scene->pathUtf8(), out, s.dst, s.options,
                                   rb::Progress(handle.progress));
            });
        },
        [this, handle, path](const QString& error) {
            JobMonitor::end(jobs_, handle);
            if (error.isEmpty())
                setStatus(reprojectStatus_, tr("Exported %1").arg(path), false);
            else
                setStatus(reprojectStatus_, tr("Export to %1 failed: %2").arg(path, error), true);
            emit exportDone(error.isEmpty());
        });
}

// ---------------------------------------------------------------------------------------
// Rasterize

void TransformPanel::loadVector(const QString& pathIn) {
    QString path = pathIn;
    if (path.isEmpty())
        path = QFileDialog::getOpenFileName(
            this, tr("Load vector file"), QString(),
            tr("Vector files (*.geojson *.json *.shp *.gpkg *.kml *.gml);;All files (*)"));
    if (path.isEmpty())
        return;
    const quint64 gen = ++vectorGen_;
    setStatus(rasterizeStatus_, tr("Reading %1...").arg(path), false);
    struct Result {
        QString error;
        std::shared_ptr<const rb::FeatureCollection> features;
    };
    runInBackground(
        this, &pool_,
        [p = path.toStdString()] {
            Result r;
            r.error = guarded({}, [&] {
                r.features = std::make_shared<const rb::FeatureCollection>(rb::read_features(p));
            });
            return r;
        },
        [this, gen, path](const Result& r) {
            if (gen != vectorGen_)
                return;
            if (!r.error.isEmpty()) {
                setStatus(rasterizeStatus_, r.error, true);
                emit vectorLoaded();
                return;
            }
            features_ = r.features;
            vectorName_->setText(tr("%1: %n feature(s)", nullptr, int(features_->features.size()))
                                     .arg(QFileInfo(path).fileName()));
            emit vectorLoaded();
            previewBurn();
        });
}

void TransformPanel::previewBurn() {
    if (!features_) {
        setStatus(rasterizeStatus_, tr("Load a vector file first."), true);
        emit burnDone();
        return;
    }
    Request req;
    if (!prepare(req, rasterizeStatus_, burnCancel_)) {
        emit burnDone();
        return;
    }
    struct Result {
        QString error;
        rb::Raster burned;
        QImage image;
        QRectF rect;
        std::size_t burnt = 0;
    };
    runInBackground(
        this, &pool_,
        [req, features = features_, allTouched = allTouched_->isChecked(), destroyed = destroyed_] {
            Result res;
            res.error = guarded({}, [&] {
                const rb::Grid grid = rb::grid_of(req.scene->profile);
                rb::RasterizeOptions o;
                o.all_touched = allTouched;
                o.window = req.window;
                res.burned = rb::rasterize(*features, grid, o, progressOf(req.cancel, destroyed));
                OverlayFrame frame(req.window, grid.transform);
                const auto data = res.burned.band<std::uint8_t>(0);
                const int cols = res.burned.cols();
                for (auto v : data)
                    res.burnt += v != 0;
                frame.paintPixels([&](int row, int col) {
                    return data[std::size_t(row) * cols + col] ? qRgba(110, 0, 0, 110)
                                                               : qRgba(0, 0, 0, 0);
                });
                std::vector<rb::Polygon> outlines;
                for (const auto& f : features->features) {
                    try {
                        rb::Geometry g = f.geometry;
                        if (g.is_null())
                            continue;
                        if (!features->crs.empty() && !grid.crs.empty() &&
                            !(features->crs == grid.crs))
                            g = g.transformed(features->crs, grid.crs);
                        for (auto& p : g.polygons())
                            outlines.push_back(std::move(p));
                    } catch (const rb::Error&) {
                        // not drawable in the scene CRS: skipped, as the burn skips it
                    }
                }
                frame.drawOutlines(outlines, QColor(255, 80, 80));
                res.image = frame.image;
                res.rect = frame.rect();
            });
            return res;
        },
        [this, cancel = req.cancel](const Result& r) {
            if (*cancel)
                return;
            if (!r.error.isEmpty()) {
                setStatus(rasterizeStatus_, r.error, true);
            } else {
                burned_ = r.burned;
                canvas_->setOverlay(kBurnOverlay, r.image, r.rect);
                setStatus(
                    rasterizeStatus_,
                    tr("%1 of %2 pixels burnt in the view").arg(r.burnt).arg(r.burned.band_size()),
                    false);
            }
            emit burnDone();
        });
}

// ---------------------------------------------------------------------------------------
// Vectorize

void TransformPanel::previewShapes() {
    Request req;
    if (!prepare(req, shapesStatus_, shapesCancel_)) {
        emit shapesDone();
        return;
    }
    struct Result {
        QString error;
        std::shared_ptr<const std::vector<rb::Shape>> shapes;
        std::size_t vertices = 0;
        QImage image;
        QRectF rect;
    };
    runInBackground(
        this, &pool_,
        [req, threshold = threshold_->value(), connectivity = connectivity_->currentData().toInt(),
         destroyed = destroyed_] {
            Result res;
            res.error = guarded({}, [&] {
                const rb::Dataset ds = rb::Dataset::open(req.path);
                rb::ReadOptions ro;
                ro.bands = {req.band};
                ro.window = req.window;
                const rb::Raster band = ds.read(ro);
                // value >= threshold -> 1; everything else (and nodata) is left out.
                rb::Raster binary(rb::DataType::UInt8, 1, band.rows(), band.cols());
                auto bits = binary.band<std::uint8_t>(0);
                rb::ShapesOptions so;
                so.connectivity = connectivity;
                so.mask.resize(bits.size());
                for (int i = 0; i < band.rows(); ++i)
                    for (int j = 0; j < band.cols(); ++j) {
                        const std::size_t k = std::size_t(i) * band.cols() + j;
                        bits[k] = band.valid(0, i, j) && band.value(0, i, j) >= threshold;
                        so.mask[k] = bits[k];
                    }
                const rb::Affine transform = req.window.transform(ds.profile().transform);
                auto shapes = std::make_shared<std::vector<rb::Shape>>(
                    rb::shapes(binary, 0, transform, so, progressOf(req.cancel, destroyed)));
                std::vector<rb::Polygon> polygons;
                polygons.reserve(shapes->size());
                for (const auto& s : *shapes) {
                    res.vertices += s.polygon.vertex_count();
                    polygons.push_back(s.polygon);
                }
                OverlayFrame frame(req.window, ds.profile().transform);
                frame.drawOutlines(polygons, QColor(255, 220, 0));
                res.image = frame.image;
                res.rect = frame.rect();
                res.shapes = std::move(shapes);
            });
            return res;
        },
        [this, cancel = req.cancel, window = req.window,
         crs = req.scene->profile.crs](const Result& r) {
            if (*cancel)
                return;
            if (!r.error.isEmpty()) {
                setStatus(shapesStatus_, r.error, true);
            } else {
                shapes_ = r.shapes;
                shapesCrs_ = crs;
                vertices_ = r.vertices;
                shapesWindow_ = window;
                canvas_->setOverlay(kShapesOverlay, r.image, r.rect);
                setStatus(
                    shapesStatus_,
                    tr("%1 features, %2 vertices in the view").arg(shapes_->size()).arg(vertices_),
                    false);
            }
            emit shapesDone();
        });
}

void TransformPanel::exportShapes(const QString& pathIn) {
    if (!shapes_) {
        setStatus(shapesStatus_, tr("Preview the shapes first."), true);
        emit shapesExported(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Export shapes"),
                                            QStringLiteral("shapes.geojson"),
                                            tr("GeoJSON (*.geojson *.json)"));
    if (path.isEmpty())
        return;
    runInBackground(
        this, &pool_,
        [shapes = shapes_, crs = shapesCrs_, out = path.toStdString()] {
            return guarded({}, [&] { rb::write_shapes_geojson(out, *shapes, crs); });
        },
        [this, path](const QString& error) {
            if (error.isEmpty())
                setStatus(shapesStatus_, tr("Wrote %1").arg(path), false);
            else
                setStatus(shapesStatus_, tr("Could not write %1: %2").arg(path, error), true);
            emit shapesExported(error.isEmpty());
        });
}

// ---------------------------------------------------------------------------------------
// Fill

void TransformPanel::previewFill() {
    Request req;
    if (!prepare(req, fillStatus_, fillCancel_)) {
        emit fillDone();
        return;
    }
    struct Result {
        QString error, message;
        QImage image;
        QRectF rect;
    };
    runInBackground(
        this, &pool_,
        [req, maxDistance = maxDistance_->value(), smoothing = smoothing_->value(),
         destroyed = destroyed_] {
            Result res;
            res.error = guarded({}, [&] {
                const rb::Dataset ds = rb::Dataset::open(req.path);
                rb::ReadOptions ro;
                ro.bands = {req.band};
                ro.window = req.window;
                const rb::Raster band = ds.read(ro);
                OverlayFrame frame(req.window, ds.profile().transform);
                if (!band.has_mask()) {
                    res.message = QObject::tr("No nodata gaps in the view.");
                } else {
                    rb::FillOptions fo;
                    fo.max_distance = maxDistance;
                    fo.smoothing = smoothing;
                    const rb::Raster filled =
                        rb::fill_nodata(band, fo, progressOf(req.cancel, destroyed));
                    const auto [lo, hi] = rangeOf(filled, 0);
                    std::size_t gaps = 0, done = 0;
                    for (int i = 0; i < band.rows(); ++i)
                        for (int j = 0; j < band.cols(); ++j)
                            if (!band.valid(0, i, j)) {
                                ++gaps;
                                done += filled.valid(0, i, j);
                            }
                    frame.paintPixels([&](int row, int col) {
                        if (band.valid(0, row, col) || !filled.valid(0, row, col))
                            return qRgba(0, 0, 0, 0);
                        const int v = std::clamp(
                            int(std::lround(255 * (filled.value(0, row, col) - lo) / (hi - lo))), 0,
                            255);
                        return qRgb(v, v, v);
                    });
                    res.message =
                        QObject::tr("%1 of %2 gap pixels filled in the view").arg(done).arg(gaps);
                }
                res.image = frame.image;
                res.rect = frame.rect();
            });
            return res;
        },
        [this, cancel = req.cancel](const Result& r) {
            if (*cancel)
                return;
            if (!r.error.isEmpty()) {
                setStatus(fillStatus_, r.error, true);
            } else {
                canvas_->setOverlay(kFillOverlay, r.image, r.rect);
                setStatus(fillStatus_, r.message, false);
            }
            emit fillDone();
        });
}

} // namespace rb::ui
