#include "ReprojectTab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>
#include <QTimer>
#include <QVBoxLayout>

#include <exception>
#include <optional>
#include <variant>

#include "ExportOptionsBox.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SaveDialog.h"
#include "SceneLayer.h"
#include "TransformWork.h"
#include "rasterbench/crs_search.h"

namespace rb::ui {

ReprojectTab::ReprojectTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : TransformTab(canvas, jobs, std::move(overlayId), parent), crs_(new QLineEdit(this)),
      crsInfo_(newStatusLabel()), crsTimer_(new QTimer(this)), search_(new QLineEdit(this)),
      searchTimer_(new QTimer(this)), results_(new QListWidget(this)),
      warpForm_(new ParamForm(this)), resolution_(new QLineEdit(this)), size_(new QLineEdit(this)),
      bounds_(new QLineEdit(this)), tap_(new QCheckBox(tr("Align on the resolution"), this)),
      showOnMap_(new QCheckBox(tr("Show on the map"), this)), status_(newStatusLabel()),
      previewLabel_(new QLabel(this)), searchLane_(jobs->latestLane(this)),
      crsLane_(jobs->latestLane(this)), exportLane_(jobs->exportLane(this)) {
    auto* layout = new QVBoxLayout(this);
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
    // The reproject command's table: the same choices, limits and messages as its flags.
    warpForm_->setParams(rb::ReprojectOptions::params().infos(),
                         rb::ReprojectOptions::params().values(warpOptions_));
    bindTable(warpForm_, rb::ReprojectOptions::params(), warpOptions_,
              [this] { emit parametersChanged(); });
    form->addRow(warpForm_);
    resolution_->setPlaceholderText(tr("default (as gdalwarp)"));
    resolution_->setToolTip(tr("Pixel size in target CRS units; empty: gdalwarp's default"));
    form->addRow(tr("Resolution"), resolution_);
    size_->setPlaceholderText(tr("default, or WIDTH x HEIGHT"));
    size_->setToolTip(tr("Target size in pixels; one of the two alone keeps square pixels. "
                         "Not together with Resolution."));
    form->addRow(tr("Size"), size_);
    bounds_->setPlaceholderText(tr("default, or LEFT BOTTOM RIGHT TOP"));
    bounds_->setToolTip(tr("Target extent in target CRS units"));
    form->addRow(tr("Bounds"), bounds_);
    tap_->setToolTip(tr("Align the grid's edges on multiples of the resolution (gdalwarp "
                        "-tap); needs a Resolution"));
    form->addRow(QString(), tap_);
    showOnMap_->setChecked(true);
    showOnMap_->setToolTip(tr("Draw the preview over the scene (each map pixel shows the "
                              "preview pixel under it); the compare views offer it as a layer"));
    form->addRow(QString(), showOnMap_);
    layout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    auto* previewButton = new QPushButton(tr("Preview"), this);
    auto* exportButton = new QPushButton(tr("Export..."), this);
    buttons->addWidget(previewButton);
    buttons->addWidget(exportButton);
    buttons->addStretch();
    layout->addLayout(buttons);
    layout->addWidget(status_);
    previewLabel_->setAlignment(Qt::AlignCenter);
    previewLabel_->setMinimumSize(200, 200);
    previewLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    layout->addWidget(previewLabel_, 1);

    crsTimer_->setSingleShot(true);
    crsTimer_->setInterval(300);
    connect(crs_, &QLineEdit::textEdited, crsTimer_, qOverload<>(&QTimer::start));
    connect(crsTimer_, &QTimer::timeout, this, &ReprojectTab::checkCrs);
    connect(crs_, &QLineEdit::textEdited, this, &TransformTab::parametersChanged);
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(250);
    connect(search_, &QLineEdit::textEdited, searchTimer_, qOverload<>(&QTimer::start));
    connect(searchTimer_, &QTimer::timeout, this, [this] { searchCrs(search_->text()); });
    connect(results_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        crs_->setText(item->data(Qt::UserRole).toString());
        checkCrs();
        emit parametersChanged();
    });
    connect(resolution_, &QLineEdit::textEdited, this, &TransformTab::parametersChanged);
    connect(size_, &QLineEdit::textEdited, this, &TransformTab::parametersChanged);
    connect(bounds_, &QLineEdit::textEdited, this, &TransformTab::parametersChanged);
    connect(tap_, &QCheckBox::toggled, this, &TransformTab::parametersChanged);
    // The next start shows the last target grid (size, bounds, tap).
    const QVariantMap saved = QSettings().value(QLatin1String(kSettingsKey)).toMap();
    size_->setText(saved.value(QStringLiteral("size")).toString());
    bounds_->setText(saved.value(QStringLiteral("bounds")).toString());
    tap_->setChecked(saved.value(QStringLiteral("tap")).toBool());
    connect(this, &TransformTab::parametersChanged, this, &ReprojectTab::remember);
    connect(showOnMap_, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            emit parametersChanged();
        else
            clearOverlay();
    });
    connect(previewButton, &QPushButton::clicked, this, &ReprojectTab::previewReproject);
    connect(exportButton, &QPushButton::clicked, this, [this] { exportReproject(); });
}

QComboBox* ReprojectTab::resamplingCombo() const {
    return qobject_cast<QComboBox*>(warpForm_->editor(QStringLiteral("resampling")));
}

void ReprojectTab::refreshLive() {
    if (!crs_->text().trimmed().isEmpty())
        previewReproject();
}

void ReprojectTab::searchCrs(const QString& query) {
    const auto show = [this](const std::vector<rb::CrsMatch>& matches) {
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
    };
    searchLane_->run([q = query.toStdString()](JobContext&) { return rb::search_crs(q, 50); }, show,
                     [show](const QString&) { show({}); });
}

QStringList ReprojectTab::searchCodes() const {
    QStringList codes;
    for (int i = 0; i < results_->count(); ++i)
        codes << results_->item(i)->data(Qt::UserRole).toString().section(u':', 1);
    return codes;
}

void ReprojectTab::checkCrs() {
    const QString text = crs_->text().trimmed();
    const auto show = [this](const QString& message, bool error) {
        setStatus(crsInfo_, message, error);
        emit crsChecked();
    };
    crsLane_->run([text](JobContext&) { return describeCrs(text); },
                  [show](const QString& name) { show(name, false); },
                  [show](const QString& error) { show(error, true); });
}

void ReprojectTab::previewReproject() {
    ReprojectParams p;
    if (!parseResolution(resolution_->text(), p.resolution)) {
        setStatus(
            status_,
            tr("Invalid resolution \"%1\": a positive number is needed.").arg(resolution_->text()),
            true);
        emit reprojectDone();
        return;
    }
    if (QString error; !gridOptions(p.grid, error)) {
        setStatus(status_, error, true);
        emit reprojectDone();
        return;
    }
    PreviewRequest req;
    if (!prepare(req, status_)) {
        emit reprojectDone();
        return;
    }
    p.crs = crs_->text().trimmed().toStdString();
    p.options = warpOptions_;
    p.onMap = showOnMap_->isChecked();
    p.maxSide = jobs()->maxSide();
    runPreview(
        [req, p](rb::Progress progress) { return reprojectView(req, p, std::move(progress)); },
        [this](const ReprojectPreview& r) {
            raster_ = r.raster;
            window_ = r.window;
            grid_ = r.grid;
            image_ = r.image;
            cropped_ = !(r.window == r.full);
            previewLabel_->setPixmap(QPixmap::fromImage(r.image).scaled(
                previewLabel_->size(), Qt::KeepAspectRatio, Qt::FastTransformation));
            if (showOnMap_->isChecked() && !r.overlay.isNull())
                showOverlay(r.overlay, r.overlayRect);
            QString text = tr("Window %1 of the %2 x %3 target grid (%4)")
                               .arg(QString::fromStdString(r.window.to_string()))
                               .arg(r.grid.width)
                               .arg(r.grid.height)
                               .arg(QString::fromStdString(r.grid.crs.name()));
            if (cropped_)
                text += QLatin1Char('\n') + croppedNote(r.window, r.full);
            setStatus(status_, text, false);
            emit reprojectDone();
        },
        [this](const QString& error) {
            setStatus(status_, error, true);
            emit reprojectDone();
        });
}

void ReprojectTab::exportReproject(const QString& pathIn) {
    const auto scene = canvas()->scene();
    if (!scene) {
        setStatus(status_, tr("Open a scene first."), true);
        emit exportDone(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path =
            askSavePath(this, tr("Export reprojected GeoTIFF"),
                        QFileInfo(scene->path).completeBaseName() + QStringLiteral("_warped.tif"),
                        tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral("tif"));
    if (path.isEmpty())
        return;
    ReprojectParams p;
    if (!resolution_->text().trimmed().isEmpty()) {
        bool ok = false;
        p.resolution = resolution_->text().trimmed().toDouble(&ok);
        if (!ok || *p.resolution <= 0) {
            setStatus(status_, tr("Invalid resolution \"%1\".").arg(resolution_->text()), true);
            emit exportDone(false);
            return;
        }
    }
    if (QString error; !gridOptions(p.grid, error)) {
        setStatus(status_, error, true);
        emit exportDone(false);
        return;
    }
    if (!checkOutput(path, {{"input scene", scene->pathUtf8()}}, status_)) {
        emit exportDone(false);
        return;
    }
    p.crs = crs_->text().trimmed().toStdString();
    p.options = warpOptions_;
    setStatus(status_, tr("Exporting %1...").arg(path), false);
    JobOptions options;
    options.label = tr("Reprojecting %1").arg(QFileInfo(scene->path).fileName());
    options.ended = [this, path](auto... args) {
        if (endedOutcome(args...) == JobOutcome::Cancelled) {
            setStatus(status_, tr("Export to %1 cancelled").arg(path), true);
            emit exportDone(false);
        }
    };
    exportLane_->run(
        std::move(options),
        [scene, p, out = path.toStdString(),
         format = ExportOptionsBox::current()](JobContext& ctx) {
            // Warped to a temporary file, then saved in the format chosen.
            rb::export_written(out, format, {{"input scene", scene->pathUtf8()}},
                               rb::Progress(ctx.progressFn()),
                               [&](const std::string& tmp, rb::Progress progress) {
                                   exportReprojection(*scene, p, tmp, std::move(progress));
                               });
        },
        [this, path] {
            setStatus(status_, tr("Exported %1").arg(path), false);
            emit exportDone(true);
        },
        [this, path](const QString& error) {
            setStatus(status_, tr("Export to %1 failed: %2").arg(path, error), true);
            emit exportDone(false);
        });
}

// ---- parameters for sessions and recipes ------------------------------------------------

rb::ReprojectStep ReprojectTab::reprojectStep() const {
    rb::ReprojectStep step;
    step.dst_crs = crs_->text().trimmed().toStdString();
    step.options = warpOptions_;
    std::optional<double> res;
    if (parseResolution(resolution_->text(), res) && res) {
        step.res_x = res;
        step.res_y = res;
    }
    rb::GridOptions g;
    if (QString error; gridOptions(g, error)) {
        step.width = g.width;
        step.height = g.height;
        step.bounds = g.bounds;
    }
    // A recipe's tap needs a resolution (without one the grid has nothing to align on).
    step.tap = tap_->isChecked() && step.res_x.has_value();
    return step;
}

void ReprojectTab::setReprojectStep(const rb::ReprojectStep& step) {
    crs_->setText(QString::fromStdString(step.dst_crs));
    warpOptions_ = step.options;
    warpForm_->setValues(rb::ReprojectOptions::params().values(warpOptions_));
    resolution_->setText(step.res_x ? QString::number(*step.res_x, 'g', 12) : QString());
    QString size;
    if (step.width || step.height)
        size = (step.width ? QString::number(*step.width) : QString()) + QStringLiteral(" x ") +
               (step.height ? QString::number(*step.height) : QString());
    size_->setText(size.trimmed());
    bounds_->setText(step.bounds ? QStringLiteral("%1 %2 %3 %4")
                                       .arg(step.bounds->left, 0, 'g', 15)
                                       .arg(step.bounds->bottom, 0, 'g', 15)
                                       .arg(step.bounds->right, 0, 'g', 15)
                                       .arg(step.bounds->top, 0, 'g', 15)
                                 : QString());
    {
        const QSignalBlocker block(tap_);
        tap_->setChecked(step.tap);
    }
    emit parametersChanged();
}

bool ReprojectTab::gridOptions(rb::GridOptions& grid, QString& error) const {
    grid = {};
    grid.target_aligned_pixels = tap_->isChecked();
    const QString size = size_->text().trimmed();
    if (!size.isEmpty()) {
        // "W x H", "W x" or "x H"; also "W H" and "W,H".
        const QStringList parts =
            size.split(QRegularExpression(QStringLiteral("\\s*[xX,\\s]\\s*")));
        bool okW = true, okH = true;
        const QString w = parts.value(0), h = parts.value(1);
        if (!w.isEmpty())
            grid.width = w.toInt(&okW);
        if (!h.isEmpty())
            grid.height = h.toInt(&okH);
        if (parts.size() > 2 || !okW || !okH || (!grid.width && !grid.height) ||
            (grid.width && *grid.width <= 0) || (grid.height && *grid.height <= 0)) {
            error = tr("Size \"%1\": give WIDTH x HEIGHT in pixels (positive whole numbers; "
                       "one may be left out).")
                        .arg(size);
            return false;
        }
    }
    const QString bounds = bounds_->text().trimmed();
    if (!bounds.isEmpty()) {
        const QStringList parts =
            bounds.split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
        double v[4] = {};
        bool ok = parts.size() == 4;
        for (int i = 0; ok && i < 4; ++i)
            v[i] = parts[i].toDouble(&ok);
        if (!ok || v[0] >= v[2] || v[1] >= v[3]) {
            error = tr("Bounds \"%1\": give LEFT BOTTOM RIGHT TOP in target CRS units, left "
                       "below right and bottom below top.")
                        .arg(bounds);
            return false;
        }
        grid.bounds = rb::Bounds{v[0], v[1], v[2], v[3]};
    }
    return true;
}

void ReprojectTab::remember() const {
    QSettings().setValue(QLatin1String(kSettingsKey),
                         QVariantMap{{QStringLiteral("size"), size_->text()},
                                     {QStringLiteral("bounds"), bounds_->text()},
                                     {QStringLiteral("tap"), tap_->isChecked()}});
}

} // namespace rb::ui
