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
#include <QTimer>
#include <QVBoxLayout>

#include <optional>

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
      warpForm_(new ParamForm(this)), resolution_(new QLineEdit(this)),
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
    return step;
}

void ReprojectTab::setReprojectStep(const rb::ReprojectStep& step) {
    crs_->setText(QString::fromStdString(step.dst_crs));
    warpOptions_ = step.options;
    warpForm_->setValues(rb::ReprojectOptions::params().values(warpOptions_));
    resolution_->setText(step.res_x ? QString::number(*step.res_x, 'g', 12) : QString());
    emit parametersChanged();
}

} // namespace rb::ui
