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
#include <QPixmap>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>

#include "Background.h"
#include "CompositeController.h"
#include "JobMonitor.h"
#include "MapCanvas.h"
#include "SceneRender.h"
#include "TransformPreview.h"
#include "rasterbench/colormap.h"
#include "rasterbench/crs.h"
#include "rasterbench/crs_search.h"
#include "rasterbench/dataset.h"
#include "rasterbench/display.h"
#include "rasterbench/error.h"
#include "rasterbench/fill.h"

namespace rb::ui {

struct TransformPanel::Request {
    std::shared_ptr<const SceneData> scene;
    std::string path;
    rb::Window view;   ///< the visible scene window
    rb::Window window; ///< what the preview computes: the view or its centre
    int band = 1;      ///< 1-based
    int overlaySide = 2048;
    std::shared_ptr<std::atomic<bool>> cancel;
};

namespace {

constexpr int kMaxOverlaySide = 2048;
constexpr int kDefaultLiveDelayMs = 300;

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

/// `r` (whose band i is file band `sourceBands[i]`) drawn like the scene: its displayed
/// bands, stretch, colour map and gamma; invalid samples transparent.
QImage sceneImage(const rb::Raster& r, const std::vector<int>& sourceBands,
                  const SceneData& scene) {
    if (r.empty())
        return {};
    return toQImage(rb::render_display(r, sourceBands, scene.display));
}

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

/// The resolution field: nullopt when empty; false when malformed.
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

void setItemEnabled(QComboBox* combo, int index, bool on) {
    if (auto* model = qobject_cast<QStandardItemModel*>(combo->model()))
        if (QStandardItem* item = model->item(index))
            item->setEnabled(on);
}

} // namespace

QString TransformPanel::overlayTitle(const QString& id) {
    if (id == kReprojectOverlay)
        return tr("Reprojected preview");
    if (id == kBurnOverlay)
        return tr("Rasterized preview");
    if (id == kShapesOverlay)
        return tr("Vectorized outlines");
    if (id == kFillOverlay)
        return tr("Filled gaps preview");
    return {};
}

TransformPanel::TransformPanel(MapCanvas* canvas, JobMonitor* jobs, QWidget* parent)
    : QWidget(parent), canvas_(canvas), jobs_(jobs),
      destroyed_(std::make_shared<std::atomic<bool>>(false)), tabs_(new QTabWidget(this)),
      band_(new QSpinBox(this)), live_(new QCheckBox(tr("Live preview"), this)),
      liveTimer_(new QTimer(this)), clear_(new QPushButton(tr("Clear overlays"), this)),
      crs_(new QLineEdit(this)), crsInfo_(new QLabel(this)), crsTimer_(new QTimer(this)),
      search_(new QLineEdit(this)), searchTimer_(new QTimer(this)), results_(new QListWidget(this)),
      resampling_(new QComboBox(this)), resolution_(new QLineEdit(this)),
      showOnMap_(new QCheckBox(tr("Show on the map"), this)), reprojectStatus_(new QLabel(this)),
      previewLabel_(new QLabel(this)), vectorName_(new QLabel(tr("No vector file"), this)),
      allTouched_(new QCheckBox(tr("All touched"), this)), burnField_(new QComboBox(this)),
      burnValue_(new QDoubleSpinBox(this)), merge_(new QComboBox(this)),
      rasterizeStatus_(new QLabel(this)), source_(new QComboBox(this)), mode_(new QComboBox(this)),
      threshold_(new QDoubleSpinBox(this)), breaks_(new QLineEdit(this)),
      classes_(new QSpinBox(this)), connectivity_(new QComboBox(this)),
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
    band_->setToolTip(tr("Band thresholded or classified by Vectorize"));
    top->addWidget(band_);
    live_->setChecked(true);
    live_->setToolTip(tr("Refresh the active tab's preview when the map moves or a parameter "
                         "changes"));
    top->addWidget(live_);
    top->addStretch();
    top->addWidget(clear_);
    layout->addLayout(top);
    layout->addWidget(tabs_, 1);
    connect(clear_, &QPushButton::clicked, this, &TransformPanel::clearOverlays);
    liveTimer_->setSingleShot(true);
    liveTimer_->setInterval(kDefaultLiveDelayMs);
    connect(liveTimer_, &QTimer::timeout, this, &TransformPanel::refreshLive);
    connect(live_, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            changed();
        else
            liveTimer_->stop();
    });
    connect(canvas_, &MapCanvas::viewChanged, this, [this] { changed(); });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] { changed(); });

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
    showOnMap_->setChecked(true);
    showOnMap_->setToolTip(tr("Draw the preview over the scene (each map pixel shows the "
                              "preview pixel under it); the compare views offer it as a layer"));
    form->addRow(QString(), showOnMap_);
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
    connect(crs_, &QLineEdit::textEdited, this, [this] { changed(ReprojectTab); });
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(250);
    connect(search_, &QLineEdit::textEdited, searchTimer_, qOverload<>(&QTimer::start));
    connect(searchTimer_, &QTimer::timeout, this, [this] { searchCrs(search_->text()); });
    connect(results_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        crs_->setText(item->data(Qt::UserRole).toString());
        checkCrs();
        changed(ReprojectTab);
    });
    connect(resampling_, &QComboBox::currentIndexChanged, this, [this] { changed(ReprojectTab); });
    connect(resolution_, &QLineEdit::textEdited, this, [this] { changed(ReprojectTab); });
    connect(showOnMap_, &QCheckBox::toggled, this, [this](bool on) {
        if (!on) {
            if (!canvas_->overlay(kReprojectOverlay).isNull())
                canvas_->setOverlay(kReprojectOverlay, {}, {});
        } else {
            changed(ReprojectTab);
        }
    });
    connect(previewButton, &QPushButton::clicked, this, &TransformPanel::previewReproject);
    connect(exportButton, &QPushButton::clicked, this, [this] { exportReproject(); });

    // Rasterize
    auto* rasterize = new QWidget(this);
    auto* zl = new QVBoxLayout(rasterize);
    auto* load = new QPushButton(tr("Load vector..."), rasterize);
    auto* burnButton = new QPushButton(tr("Preview"), rasterize);
    auto* burnExport = new QPushButton(tr("Export..."), rasterize);
    burnExport->setToolTip(tr("Burn into the whole scene grid and save a GeoTIFF"));
    auto* zrow = new QHBoxLayout;
    zrow->addWidget(load);
    zrow->addWidget(burnButton);
    zrow->addWidget(burnExport);
    zrow->addStretch();
    zl->addLayout(zrow);
    vectorName_->setWordWrap(true);
    zl->addWidget(vectorName_);
    auto* zform = new QFormLayout;
    burnField_->addItem(tr("Constant value"), QString());
    burnField_->setToolTip(tr("Burn a constant, or each feature's value of a numeric property "
                              "(missing values burn 0, as gdal_rasterize)"));
    zform->addRow(tr("Burn"), burnField_);
    burnValue_->setRange(-1e12, 1e12);
    burnValue_->setDecimals(3);
    burnValue_->setValue(1);
    zform->addRow(tr("Value"), burnValue_);
    merge_->addItem(tr("Replace"), 0);
    merge_->addItem(tr("Add"), 1);
    merge_->setToolTip(tr("Where features overlap: the last one wins, or their values add up"));
    zform->addRow(tr("Merge"), merge_);
    zform->addRow(QString(), allTouched_);
    zl->addLayout(zform);
    zl->addWidget(rasterizeStatus_);
    zl->addStretch();
    tabs_->addTab(rasterize, tr("Rasterize"));
    connect(load, &QPushButton::clicked, this, [this] { loadVector(); });
    connect(burnButton, &QPushButton::clicked, this, &TransformPanel::previewBurn);
    connect(burnExport, &QPushButton::clicked, this, [this] { exportBurn(); });
    connect(allTouched_, &QCheckBox::toggled, this, [this] { changed(RasterizeTab); });
    connect(burnField_, &QComboBox::currentIndexChanged, this, [this] {
        burnValue_->setEnabled(burnField_->currentData().toString().isEmpty());
        changed(RasterizeTab);
    });
    connect(burnValue_, &QDoubleSpinBox::valueChanged, this, [this] { changed(RasterizeTab); });
    connect(merge_, &QComboBox::currentIndexChanged, this, [this] { changed(RasterizeTab); });

    // Vectorize
    auto* vectorize = new QWidget(this);
    auto* vl = new QVBoxLayout(vectorize);
    auto* vform = new QFormLayout;
    source_->addItem(tr("Band"), 0);
    source_->addItem(tr("Score (current scene)"), 1);
    source_->setToolTip(tr("The band chosen above, or the Score panel's score of the current "
                           "scene (at the Score panel's preview resolution)"));
    vform->addRow(tr("Source"), source_);
    mode_->addItem(tr("Threshold"), 0);
    mode_->addItem(tr("Class breaks"), 1);
    mode_->addItem(tr("Equal intervals"), 2);
    vform->addRow(tr("Mode"), mode_);
    threshold_->setRange(-1e12, 1e12);
    threshold_->setDecimals(3);
    threshold_->setValue(128);
    threshold_->setToolTip(tr("Pixels with value >= threshold become polygons"));
    vform->addRow(tr("Threshold (>=)"), threshold_);
    breaks_->setPlaceholderText(tr("e.g. 0.2, 0.5, 0.8"));
    breaks_->setToolTip(tr("Class k holds values in [break k, break k+1); every valid pixel "
                           "belongs to a class"));
    vform->addRow(tr("Breaks"), breaks_);
    classes_->setRange(2, 32);
    classes_->setValue(4);
    classes_->setToolTip(tr("Equal intervals between the view's minimum and maximum"));
    vform->addRow(tr("Classes"), classes_);
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
    for (QComboBox* c : {source_, mode_, connectivity_})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            updateShapesControls();
            changed(VectorizeTab);
        });
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, [this] { changed(VectorizeTab); });
    connect(breaks_, &QLineEdit::textEdited, this, [this] { changed(VectorizeTab); });
    connect(classes_, &QSpinBox::valueChanged, this, [this] { changed(VectorizeTab); });
    connect(band_, &QSpinBox::valueChanged, this, [this] { changed(VectorizeTab); });
    updateShapesControls();

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
    auto* fillNote = new QLabel(tr("Fills every displayed band."), fill);
    fl->addWidget(fillNote);
    auto* fillButton = new QPushButton(tr("Preview"), fill);
    auto* frow = new QHBoxLayout;
    frow->addWidget(fillButton);
    frow->addStretch();
    fl->addLayout(frow);
    fl->addWidget(fillStatus_);
    fl->addStretch();
    tabs_->addTab(fill, tr("Fill"));
    connect(fillButton, &QPushButton::clicked, this, &TransformPanel::previewFill);
    connect(maxDistance_, &QDoubleSpinBox::valueChanged, this, [this] { changed(FillTab); });
    connect(smoothing_, &QSpinBox::valueChanged, this, [this] { changed(FillTab); });
}

TransformPanel::~TransformPanel() {
    *destroyed_ = true; // cancels previews and exports (their results are dropped)
    pool_.waitForDone();
}

void TransformPanel::setStatus(QLabel* label, const QString& text, bool error) {
    label->setText(text);
    label->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

void TransformPanel::setLiveDelay(int ms) {
    liveTimer_->setInterval(std::max(0, ms));
}

int TransformPanel::liveDelay() const {
    return liveTimer_->interval();
}

bool TransformPanel::isPreviewPending() const {
    return liveTimer_->isActive() || running_ > 0;
}

void TransformPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    changed();
}

void TransformPanel::changed(int tab) {
    if (tab >= 0 && tab != tabs_->currentIndex())
        return; // a parameter of a tab not shown: previewed when the tab is picked
    if (!live_->isChecked() || !isVisible() || !canvas_->scene())
        return;
    liveTimer_->start(); // restarts: the refresh waits for the changes to pause
}

void TransformPanel::refreshLive() {
    if (!live_->isChecked() || !isVisible() || !canvas_->scene() ||
        canvas_->visibleWindow().empty())
        return;
    switch (tabs_->currentIndex()) {
    case ReprojectTab:
        if (!crs_->text().trimmed().isEmpty())
            previewReproject();
        break;
    case RasterizeTab:
        if (features_)
            previewBurn();
        break;
    case VectorizeTab:
        previewShapes();
        break;
    case FillTab:
        previewFill();
        break;
    default:
        break;
    }
}

bool TransformPanel::stale(const std::shared_ptr<std::atomic<bool>>& cancel) {
    running_ = std::max(0, running_ - 1);
    if (!*cancel)
        return false;
    ++dropped_;
    return true;
}

QString TransformPanel::croppedNote(const rb::Window& shown, const rb::Window& view) const {
    return tr("The view covers %1 x %2 pixels: previewing its central %3 x %4 at export "
              "resolution (zoom in to preview all of it).")
        .arg(view.width)
        .arg(view.height)
        .arg(shown.width)
        .arg(shown.height);
}

bool TransformPanel::prepare(Request& r, QLabel* status, std::shared_ptr<std::atomic<bool>>& slot) {
    r.scene = canvas_->scene();
    if (!r.scene) {
        setStatus(status, tr("Open a scene first."), true);
        return false;
    }
    const int count = std::max(1, r.scene->profile.count);
    if (band_->maximum() != count) {
        const QSignalBlocker block(band_); // not a user change: no live refresh
        band_->setRange(1, count);
        band_->setValue(r.scene->bands.empty() ? 1 : std::clamp(r.scene->bands.front(), 1, count));
    }
    r.band = band_->value();
    r.path = r.scene->pathUtf8();
    r.view = canvas_->visibleWindow();
    if (r.view.empty()) {
        setStatus(status, tr("Nothing of the scene is visible."), true);
        return false;
    }
    r.window = centralWindow(r.view, maxSide_);
    r.overlaySide = std::clamp(int(std::ceil(std::max(canvas_->width(), canvas_->height()) *
                                             canvas_->devicePixelRatioF())),
                               256, kMaxOverlaySide);
    if (slot)
        *slot = true; // supersede the running request of this kind
    slot = std::make_shared<std::atomic<bool>>(false);
    r.cancel = slot;
    ++started_;
    ++running_;
    setStatus(status, tr("Computing..."), false);
    return true;
}

void TransformPanel::clearOverlays() {
    for (const QString& id : {kReprojectOverlay, kShapesOverlay, kBurnOverlay, kFillOverlay})
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
    const QString crsText = crs_->text().trimmed();
    std::optional<double> resolution;
    if (!parseResolution(resolution_->text(), resolution)) {
        setStatus(
            reprojectStatus_,
            tr("Invalid resolution \"%1\": a positive number is needed.").arg(resolution_->text()),
            true);
        emit reprojectDone();
        return;
    }
    Request req;
    if (!prepare(req, reprojectStatus_, reprojectCancel_)) {
        emit reprojectDone();
        return;
    }
    struct Result {
        QString error;
        rb::Grid grid;
        rb::Window window, full; ///< computed / covering the view, in the target grid
        rb::Raster raster;
        QImage image;
        QImage overlay;
        QRectF overlayRect;
    };
    runInBackground(
        this, &pool_,
        [req, crsText, resolution, resampling = resampling_->currentText().toStdString(),
         onMap = showOnMap_->isChecked(), maxSide = maxSide_, destroyed = destroyed_] {
            Result res;
            res.error = guarded(crsText, [&] {
                WarpSetup s =
                    warpSetup(req.scene->profile, crsText.toStdString(), resampling, resolution);
                // The destination window covering the view: the view's extent in the
                // target CRS, on the full destination grid; its centre when too large.
                rb::GridOptions g;
                g.res_x = resolution;
                const rb::Grid view = rb::default_grid(s.src.window_grid(req.view), s.dst.crs, g);
                res.full = rb::Window::from_bounds(view.bounds(), s.dst.transform)
                               .clamped(s.dst.width, s.dst.height);
                if (res.full.empty())
                    throw rb::ArgumentError("the view lies outside the target grid");
                res.window = centralWindow(res.full, maxSide);
                s.options.window = res.window;
                res.grid = s.dst;
                const rb::Dataset ds = rb::Dataset::open(req.path);
                res.raster =
                    rb::reproject(ds, s.dst, {}, s.options, progressOf(req.cancel, destroyed));
                std::vector<int> sourceBands;
                for (int b = 1; b <= res.raster.bands(); ++b)
                    sourceBands.push_back(b);
                res.image = sceneImage(res.raster, sourceBands, *req.scene);
                if (onMap && !*req.cancel) {
                    const OverlayFrame frame =
                        reprojectedOnScene(res.image, res.window, s.dst, req.view, s.src.transform,
                                           s.src.crs, req.overlaySide);
                    res.overlay = frame.image;
                    res.overlayRect = frame.rect();
                }
            });
            return res;
        },
        [this, cancel = req.cancel](const Result& r) {
            if (stale(cancel))
                return; // superseded
            if (!r.error.isEmpty()) {
                setStatus(reprojectStatus_, r.error, true);
            } else {
                reprojected_ = r.raster;
                reprojectWindow_ = r.window;
                reprojectGrid_ = r.grid;
                reprojectImage_ = r.image;
                reprojectCropped_ = !(r.window == r.full);
                previewLabel_->setPixmap(QPixmap::fromImage(r.image).scaled(
                    previewLabel_->size(), Qt::KeepAspectRatio, Qt::FastTransformation));
                if (showOnMap_->isChecked() && !r.overlay.isNull())
                    canvas_->setOverlay(kReprojectOverlay, r.overlay, r.overlayRect);
                QString text = tr("Window %1 of the %2 x %3 target grid (%4)")
                                   .arg(QString::fromStdString(r.window.to_string()))
                                   .arg(r.grid.width)
                                   .arg(r.grid.height)
                                   .arg(QString::fromStdString(r.grid.crs.name()));
                if (reprojectCropped_)
                    text += QLatin1Char('\n') + croppedNote(r.window, r.full);
                setStatus(reprojectStatus_, text, false);
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
        QStringList fields;
    };
    runInBackground(
        this, &pool_,
        [p = path.toStdString()] {
            Result r;
            r.error = guarded({}, [&] {
                auto fc = std::make_shared<const rb::FeatureCollection>(rb::read_features(p));
                r.fields = numericFields(*fc);
                r.features = std::move(fc);
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
            {
                // The new layer's fields; the constant stays picked unless the same field
                // exists again.
                const QString keep = burnField_->currentData().toString();
                const QSignalBlocker block(burnField_);
                burnField_->clear();
                burnField_->addItem(tr("Constant value"), QString());
                for (const QString& f : r.fields)
                    burnField_->addItem(f, f);
                const int i = burnField_->findData(keep);
                burnField_->setCurrentIndex(std::max(0, i));
                burnValue_->setEnabled(burnField_->currentIndex() == 0);
            }
            emit vectorLoaded();
            previewBurn();
        });
}

rb::RasterizeOptions TransformPanel::burnOptions() const {
    rb::RasterizeOptions o;
    o.property = burnField_->currentData().toString().toStdString();
    o.burn = burnValue_->value();
    o.all_touched = allTouched_->isChecked();
    o.merge = merge_->currentData().toInt() == 1 ? rb::MergeAlg::Add : rb::MergeAlg::Replace;
    const bool byteConstant = o.property.empty() && o.merge == rb::MergeAlg::Replace &&
                              o.burn >= 0 && o.burn <= 255 && o.burn == std::floor(o.burn);
    o.dtype = byteConstant ? rb::DataType::UInt8 : rb::DataType::Float32;
    return o;
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
        double lo = 0, hi = 0;
    };
    rb::RasterizeOptions options = burnOptions();
    options.window = req.window;
    runInBackground(
        this, &pool_,
        [req, options, features = features_, destroyed = destroyed_] {
            Result res;
            res.error = guarded({}, [&] {
                const rb::Grid grid = rb::grid_of(req.scene->profile);
                res.burned =
                    rb::rasterize(*features, grid, options, progressOf(req.cancel, destroyed));
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
                    const int k = std::clamp(
                        int(std::lround(255 * (v - res.lo) / (res.hi - res.lo))), 0, 255);
                    return qPremultiply((table[std::size_t(k)] & 0x00ffffffu) | 0xb4000000u);
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
        [this, cancel = req.cancel, window = req.window, view = req.view](const Result& r) {
            if (stale(cancel))
                return;
            if (!r.error.isEmpty()) {
                setStatus(rasterizeStatus_, r.error, true);
            } else {
                burned_ = r.burned;
                burnWindow_ = window;
                canvas_->setOverlay(kBurnOverlay, r.image, r.rect);
                QString text =
                    tr("%1 of %2 pixels burnt in the view").arg(r.burnt).arg(r.burned.band_size());
                if (r.burnt > 0 && r.hi > r.lo)
                    text += tr(", values %1 to %2").arg(r.lo).arg(r.hi);
                if (!(window == view))
                    text += QLatin1Char('\n') + croppedNote(window, view);
                setStatus(rasterizeStatus_, text, false);
            }
            emit burnDone();
        });
}

void TransformPanel::exportBurn(const QString& pathIn) {
    const auto scene = canvas_->scene();
    if (!features_ || !scene) {
        setStatus(rasterizeStatus_, tr("Load a scene and a vector file first."), true);
        emit burnExported(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Export rasterized GeoTIFF"),
                                            QStringLiteral("rasterized.tif"),
                                            tr("GeoTIFF (*.tif *.tiff)"));
    if (path.isEmpty())
        return;
    setStatus(rasterizeStatus_, tr("Burning the whole scene..."), false);
    runInBackground(
        this, &pool_,
        [features = features_, scene, options = burnOptions(), out = path.toStdString()] {
            return guarded({}, [&] {
                const rb::Grid grid = rb::grid_of(scene->profile);
                const rb::Raster burned = rb::rasterize(*features, grid, options);
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
            });
        },
        [this, path](const QString& error) {
            if (error.isEmpty())
                setStatus(rasterizeStatus_, tr("Wrote %1").arg(path), false);
            else
                setStatus(rasterizeStatus_, tr("Could not write %1: %2").arg(path, error), true);
            emit burnExported(error.isEmpty());
        });
}

// ---------------------------------------------------------------------------------------
// Vectorize

void TransformPanel::setScoreSource(CompositeController* controller) {
    if (score_)
        disconnect(score_, nullptr, this, nullptr);
    score_ = controller;
    if (controller)
        connect(controller, &CompositeController::viewportUpdated, this, [this] {
            if (source_->currentData().toInt() == 1)
                changed(VectorizeTab); // the score of a new view or new parameters
        });
    updateShapesControls();
}

void TransformPanel::updateShapesControls() {
    setItemEnabled(source_, 1, !score_.isNull());
    if (score_.isNull() && source_->currentIndex() == 1) {
        const QSignalBlocker block(source_);
        source_->setCurrentIndex(0);
    }
    const int mode = mode_->currentData().toInt();
    threshold_->setEnabled(mode == 0);
    breaks_->setEnabled(mode == 1);
    classes_->setEnabled(mode == 2);
    band_->setEnabled(source_->currentData().toInt() == 0);
}

void TransformPanel::previewShapes() {
    const bool fromScore = source_->currentData().toInt() == 1;
    const int mode = mode_->currentData().toInt();
    std::vector<double> breaks;
    if (mode == 0) {
        breaks = {threshold_->value()};
    } else if (mode == 1) {
        QString error;
        const auto parsed = parseBreaks(breaks_->text(), &error);
        if (!parsed) {
            setStatus(shapesStatus_, tr("Invalid breaks \"%1\": %2").arg(breaks_->text(), error),
                      true);
            emit shapesDone();
            return;
        }
        breaks = *parsed;
    }
    std::shared_ptr<const ViewportResult> scored;
    if (fromScore) {
        scored = score_ ? score_->viewport() : nullptr;
        if (!scored || scored->score.empty()) {
            setStatus(shapesStatus_,
                      tr("No score of this view yet: show the Score panel and pick scenes to "
                         "score."),
                      true);
            emit shapesDone();
            return;
        }
    }
    Request req;
    if (!prepare(req, shapesStatus_, shapesCancel_)) {
        emit shapesDone();
        return;
    }
    struct Result {
        QString error, note;
        std::shared_ptr<const std::vector<rb::Shape>> shapes;
        std::vector<double> breaks;
        std::size_t vertices = 0;
        rb::Window window;
        QImage image;
        QRectF rect;
    };
    runInBackground(
        this, &pool_,
        [req, scored, mode, breaks, classes = classes_->value(),
         connectivity = connectivity_->currentData().toInt(), destroyed = destroyed_] {
            Result res;
            res.breaks = breaks;
            res.error = guarded({}, [&] {
                const rb::Affine sceneTransform = req.scene->profile.transform;
                rb::Raster band;
                rb::Affine transform;
                if (scored) {
                    // The score covers scene rectangle plan.pixels at the preview's step.
                    band = scored->score;
                    const QRectF px = scored->plan.pixels;
                    transform =
                        sceneTransform * rb::Affine::translation(px.x(), px.y()) *
                        rb::Affine::scale(px.width() / band.cols(), px.height() / band.rows());
                    res.window = {std::int64_t(std::floor(px.x())),
                                  std::int64_t(std::floor(px.y())),
                                  std::int64_t(std::lround(px.width())),
                                  std::int64_t(std::lround(px.height()))};
                    if (scored->plan.step > 1)
                        res.note = QObject::tr("Score at the Score panel's resolution (1:%1).")
                                       .arg(scored->plan.step);
                } else {
                    const rb::Dataset ds = rb::Dataset::open(req.path);
                    rb::ReadOptions ro;
                    ro.bands = {req.band};
                    ro.window = req.window;
                    band = ds.read(ro);
                    transform = req.window.transform(sceneTransform);
                    res.window = req.window;
                }
                if (mode == 2) {
                    const auto range = validRange(band, 0);
                    if (!range)
                        throw rb::ArgumentError("no valid values in the view to classify");
                    res.breaks = equalIntervalBreaks(range->first, range->second, classes);
                }
                const Classified c = classify(band, 0, res.breaks, mode == 0);
                rb::ShapesOptions so;
                so.connectivity = connectivity;
                so.mask = c.mask;
                auto shapes = std::make_shared<std::vector<rb::Shape>>(
                    rb::shapes(c.classes, 0, transform, so, progressOf(req.cancel, destroyed)));
                // Outlines coloured by class.
                std::map<int, std::vector<rb::Polygon>> byClass;
                for (const auto& s : *shapes) {
                    res.vertices += s.polygon.vertex_count();
                    byClass[int(s.value)].push_back(s.polygon);
                }
                OverlayFrame frame(res.window, sceneTransform, kMaxOverlaySide);
                for (const auto& [k, polygons] : byClass)
                    frame.drawOutlines(polygons, mode == 0
                                                     ? QColor(255, 220, 0)
                                                     : QColor::fromRgba(rb::categorical_color(k)));
                res.image = frame.image;
                res.rect = frame.rect();
                res.shapes = std::move(shapes);
            });
            return res;
        },
        [this, cancel = req.cancel, window = req.window, view = req.view, fromScore,
         crs = req.scene->profile.crs](const Result& r) {
            if (stale(cancel))
                return;
            if (!r.error.isEmpty()) {
                setStatus(shapesStatus_, r.error, true);
            } else {
                shapes_ = r.shapes;
                shapesCrs_ = crs;
                vertices_ = r.vertices;
                shapesWindow_ = r.window;
                shapesBreaks_ = r.breaks;
                canvas_->setOverlay(kShapesOverlay, r.image, r.rect);
                QString text =
                    tr("%1 features, %2 vertices in the view").arg(shapes_->size()).arg(vertices_);
                if (r.breaks.size() > 1 || mode_->currentData().toInt() != 0) {
                    QStringList b;
                    for (double v : r.breaks)
                        b << QString::number(v, 'g', 6);
                    text +=
                        tr("; %1 classes, breaks %2").arg(r.breaks.size() + 1).arg(b.join(u", "));
                }
                if (!r.note.isEmpty())
                    text += QLatin1Char('\n') + r.note;
                if (!fromScore && !(window == view))
                    text += QLatin1Char('\n') + croppedNote(window, view);
                setStatus(shapesStatus_, text, false);
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
    // The displayed bands, each once.
    std::vector<int> bands;
    for (int b : req.scene->bands)
        if (b >= 1 && b <= req.scene->profile.count &&
            std::find(bands.begin(), bands.end(), b) == bands.end())
            bands.push_back(b);
    if (bands.empty())
        bands = {1};
    struct Result {
        QString error, message;
        rb::Raster filled;
        QImage image;
        QRectF rect;
    };
    runInBackground(
        this, &pool_,
        [req, bands, maxDistance = maxDistance_->value(), smoothing = smoothing_->value(),
         destroyed = destroyed_] {
            Result res;
            res.error = guarded({}, [&] {
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
                    res.filled = rb::fill_nodata(src, fo, progressOf(req.cancel, destroyed));
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
                                const std::size_t k =
                                    std::size_t(i) * std::size_t(src.cols()) + std::size_t(j);
                                if (src.valid(b, i, j)) {
                                    m[k] = 0;
                                } else {
                                    ++gaps;
                                    done += res.filled.valid(b, i, j);
                                }
                            }
                        counts << QObject::tr("band %1: %2 of %3")
                                      .arg(bands[std::size_t(b)])
                                      .arg(done)
                                      .arg(gaps);
                    }
                    const QImage img = sceneImage(shown, bands, *req.scene);
                    frame.paintPixels(
                        [&](int row, int col) { return qPremultiply(img.pixel(col, row)); });
                    res.message =
                        QObject::tr("Gap pixels filled in the view (%1)").arg(counts.join(u"; "));
                }
                res.image = frame.image;
                res.rect = frame.rect();
            });
            return res;
        },
        [this, cancel = req.cancel, window = req.window, view = req.view, bands](const Result& r) {
            if (stale(cancel))
                return;
            if (!r.error.isEmpty()) {
                setStatus(fillStatus_, r.error, true);
            } else {
                filled_ = r.filled;
                fillBands_ = bands;
                fillWindow_ = window;
                canvas_->setOverlay(kFillOverlay, r.image, r.rect);
                QString text = r.message;
                if (!(window == view))
                    text += QLatin1Char('\n') + croppedNote(window, view);
                setStatus(fillStatus_, text, false);
            }
            emit fillDone();
        });
}

} // namespace rb::ui
