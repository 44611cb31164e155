#include "RasterizeTab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>

#include "ExportOptionsBox.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SaveDialog.h"
#include "SceneLayer.h"
#include "TransformWork.h"

namespace rb::ui {

RasterizeTab::RasterizeTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : TransformTab(canvas, jobs, std::move(overlayId), parent),
      vectorName_(new QLabel(tr("No vector file"), this)), burnField_(new QComboBox(this)),
      form_(new ParamForm(this)), status_(newStatusLabel()), loadLane_(jobs->latestLane(this)),
      exportLane_(jobs->exportLane(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* load = new QPushButton(tr("Load vector..."), this);
    auto* burnButton = new QPushButton(tr("Preview"), this);
    auto* burnExport = new QPushButton(tr("Export..."), this);
    burnExport->setToolTip(tr("Burn into the whole scene grid and save a GeoTIFF"));
    auto* row = new QHBoxLayout;
    row->addWidget(load);
    row->addWidget(burnButton);
    row->addWidget(burnExport);
    row->addStretch();
    layout->addLayout(row);
    vectorName_->setWordWrap(true);
    layout->addWidget(vectorName_);
    auto* form = new QFormLayout;
    burnField_->addItem(tr("Constant value"), QString());
    burnField_->setToolTip(tr("Burn a constant, or each feature's value of a numeric property "
                              "(missing values burn 0, as gdal_rasterize)"));
    form->addRow(tr("Burn"), burnField_);
    layout->addLayout(form);
    // The rasterize command's table: the same rows, limits and messages as its flags.
    const auto rows = rowsWithout(rb::RasterizeOptions::params(), {"property"});
    form_->setParams(rows, rb::RasterizeOptions::params().values(options_));
    bindTable(form_, rb::RasterizeOptions::params(), options_,
              [this] { emit parametersChanged(); });
    layout->addWidget(form_);
    layout->addWidget(status_);
    layout->addStretch();
    connect(load, &QPushButton::clicked, this, [this] { loadVector(); });
    connect(burnButton, &QPushButton::clicked, this, &RasterizeTab::previewBurn);
    connect(burnExport, &QPushButton::clicked, this, [this] { exportBurn(); });
    connect(burnField_, &QComboBox::currentIndexChanged, this, [this] {
        form_->editor(QStringLiteral("burn"))
            ->setEnabled(burnField_->currentData().toString().isEmpty());
        emit parametersChanged();
    });
}

std::map<std::string, std::string> RasterizeTab::parameters() const {
    std::map<std::string, std::string> values = rb::RasterizeOptions::params().values(options_);
    values.erase("property"); // the burn field says it
    values["burn_field"] = burnField_->currentData().toString().toStdString();
    return values;
}

void RasterizeTab::setParameters(const std::map<std::string, std::string>& values) {
    const auto& table = rb::RasterizeOptions::params();
    for (const auto& [name, value] : values) {
        if (name == "burn_field" || name == "property")
            continue;
        try {
            table.set(options_, name, value);
        } catch (const std::exception&) {
            // a value this build refuses keeps the current one
        }
    }
    form_->setValues(table.values(options_));
    if (const auto it = values.find("burn_field"); it != values.end())
        if (const int i = burnField_->findData(QString::fromStdString(it->second)); i >= 0)
            burnField_->setCurrentIndex(i);
    emit parametersChanged();
}

void RasterizeTab::refreshLive() {
    if (features_)
        previewBurn();
}

void RasterizeTab::loadVector(const QString& pathIn) {
    QString path = pathIn;
    if (path.isEmpty())
        path = QFileDialog::getOpenFileName(
            this, tr("Load vector file"), QString(),
            tr("Vector files (*.geojson *.json *.shp *.gpkg *.kml *.gml);;All files (*)"));
    if (path.isEmpty())
        return;
    setStatus(status_, tr("Reading %1...").arg(path), false);
    loadLane_->run(
        [p = path.toStdString()](JobContext&) { return readVectorLayer(p); },
        [this, path](const VectorLayer& layer) {
            features_ = layer.features;
            vectorPath_ = path;
            vectorName_->setText(tr("%1: %n feature(s)", nullptr, int(features_->features.size()))
                                     .arg(QFileInfo(path).fileName()));
            {
                // The new layer's fields; the constant stays picked unless the same
                // field exists again.
                const QString keep = burnField_->currentData().toString();
                const QSignalBlocker block(burnField_);
                burnField_->clear();
                burnField_->addItem(tr("Constant value"), QString());
                for (const QString& f : layer.fields)
                    burnField_->addItem(f, f);
                const int i = burnField_->findData(keep);
                burnField_->setCurrentIndex(std::max(0, i));
                form_->editor(QStringLiteral("burn"))->setEnabled(burnField_->currentIndex() == 0);
            }
            emit vectorLoaded();
            previewBurn();
        },
        [this](const QString& error) {
            setStatus(status_, error, true);
            emit vectorLoaded();
        });
}

QCheckBox* RasterizeTab::allTouchedCheck() const {
    return qobject_cast<QCheckBox*>(form_->editor(QStringLiteral("all_touched")));
}
QDoubleSpinBox* RasterizeTab::burnValueSpin() const {
    return qobject_cast<QDoubleSpinBox*>(form_->editor(QStringLiteral("burn")));
}
QComboBox* RasterizeTab::mergeCombo() const {
    return qobject_cast<QComboBox*>(form_->editor(QStringLiteral("merge")));
}

rb::RasterizeOptions RasterizeTab::burnOptions() const {
    rb::RasterizeOptions o = options_;
    o.property = burnField_->currentData().toString().toStdString();
    const bool byteConstant = o.property.empty() && o.merge == rb::MergeAlg::Replace &&
                              o.burn >= 0 && o.burn <= 255 && o.burn == std::floor(o.burn);
    o.dtype = byteConstant ? rb::DataType::UInt8 : rb::DataType::Float32;
    return o;
}

void RasterizeTab::previewBurn() {
    if (!features_) {
        setStatus(status_, tr("Load a vector file first."), true);
        emit burnDone();
        return;
    }
    PreviewRequest req;
    if (!prepare(req, status_)) {
        emit burnDone();
        return;
    }
    rb::RasterizeOptions options = burnOptions();
    options.window = req.window;
    runPreview(
        [req, options, features = features_](rb::Progress progress) {
            return burnView(req, *features, options, std::move(progress));
        },
        [this, window = req.window, view = req.view](const BurnPreview& r) {
            burned_ = r.burned;
            window_ = window;
            showOverlay(r.image, r.rect);
            QString text =
                tr("%1 of %2 pixels burnt in the view").arg(r.burnt).arg(r.burned.band_size());
            if (r.burnt > 0 && r.hi > r.lo)
                text += tr(", values %1 to %2").arg(r.lo).arg(r.hi);
            if (!(window == view))
                text += QLatin1Char('\n') + croppedNote(window, view);
            setStatus(status_, text, false);
            emit burnDone();
        },
        [this](const QString& error) {
            setStatus(status_, error, true);
            emit burnDone();
        });
}

void RasterizeTab::exportBurn(const QString& pathIn) {
    const auto scene = canvas()->scene();
    if (!features_ || !scene) {
        setStatus(status_, tr("Load a scene and a vector file first."), true);
        emit burnExported(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path = askSavePath(this, tr("Export rasterized GeoTIFF"), QStringLiteral("rasterized.tif"),
                           tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral("tif"));
    if (path.isEmpty())
        return;
    if (!checkOutput(
            path, {{"input scene", scene->pathUtf8()}, {"vector file", vectorPath_.toStdString()}},
            status_)) {
        emit burnExported(false);
        return;
    }
    setStatus(status_, tr("Burning the whole scene..."), false);
    JobOptions options;
    options.label = tr("Rasterizing into %1").arg(QFileInfo(path).fileName());
    options.ended = [this, path](auto... args) {
        if (endedOutcome(args...) == JobOutcome::Cancelled) {
            setStatus(status_, tr("Export to %1 cancelled").arg(path), true);
            emit burnExported(false);
        }
    };
    exportLane_->run(
        std::move(options),
        [features = features_, profile = scene->profile, burn = burnOptions(),
         out = path.toStdString(), scenePath = scene->pathUtf8(),
         format = ExportOptionsBox::current()](JobContext& ctx) {
            rb::export_written(out, format, {{"input scene", scenePath}},
                               rb::Progress(ctx.progressFn()),
                               [&](const std::string& tmp, rb::Progress progress) {
                                   writeBurn(*features, profile, burn, tmp, std::move(progress));
                               });
        },
        [this, path] {
            setStatus(status_, tr("Wrote %1").arg(path), false);
            emit burnExported(true);
        },
        [this, path](const QString& error) {
            setStatus(status_, tr("Could not write %1: %2").arg(path, error), true);
            emit burnExported(false);
        });
}

} // namespace rb::ui
