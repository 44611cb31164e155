#include "VectorizeTab.h"

#include <cmath>

#include <limits>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

#include "CompositeController.h"
#include "MapCanvas.h"
#include "ParamForm.h"
#include "SaveDialog.h"
#include "SceneLayer.h"
#include "TransformPreview.h"
#include "TransformWork.h"

namespace rb::ui {

namespace {

void setItemEnabled(QComboBox* combo, int index, bool on) {
    if (auto* model = qobject_cast<QStandardItemModel*>(combo->model()))
        if (QStandardItem* item = model->item(index))
            item->setEnabled(on);
}

} // namespace

VectorizeTab::VectorizeTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : TransformTab(canvas, jobs, std::move(overlayId), parent), band_(new QSpinBox(this)),
      source_(new QComboBox(this)), mode_(new QComboBox(this)),
      threshold_(new QDoubleSpinBox(this)), breaks_(new QLineEdit(this)),
      classes_(new QSpinBox(this)), shapesForm_(new ParamForm(this)), status_(newStatusLabel()),
      exportLane_(jobs->exportLane(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    source_->addItem(tr("Band"), 0);
    source_->addItem(tr("Score (current scene)"), 1);
    source_->setToolTip(tr("A band of the scene, or the Score panel's score of the current "
                           "scene (at the Score panel's preview resolution)"));
    form->addRow(tr("Source"), source_);
    band_->setRange(1, 1);
    band_->setToolTip(tr("Band thresholded or classified"));
    form->addRow(tr("Band"), band_);
    mode_->addItem(tr("Threshold"), 0);
    mode_->addItem(tr("Class breaks"), 1);
    mode_->addItem(tr("Equal intervals"), 2);
    form->addRow(tr("Mode"), mode_);
    threshold_->setRange(-1e12, 1e12);
    threshold_->setDecimals(3);
    threshold_->setValue(128);
    threshold_->setToolTip(tr("Pixels with value >= threshold become polygons"));
    form->addRow(tr("Threshold (>=)"), threshold_);
    breaks_->setPlaceholderText(tr("e.g. 0.2, 0.5, 0.8"));
    breaks_->setToolTip(tr("Class k holds values in [break k, break k+1); every valid pixel "
                           "belongs to a class"));
    form->addRow(tr("Breaks"), breaks_);
    classes_->setRange(2, 32);
    classes_->setValue(4);
    classes_->setToolTip(tr("Equal intervals between the view's minimum and maximum"));
    form->addRow(tr("Classes"), classes_);
    layout->addLayout(form);
    // The shapes command's table (its float binning does not apply: classes are integers).
    shapesForm_->setParams(rowsWithout(rb::ShapesOptions::params(), {"quantize"}),
                           rb::ShapesOptions::params().values(shapesOptions_));
    bindTable(shapesForm_, rb::ShapesOptions::params(), shapesOptions_,
              [this] { emit parametersChanged(); });
    layout->addWidget(shapesForm_);
    auto* row = new QHBoxLayout;
    auto* shapesButton = new QPushButton(tr("Preview"), this);
    auto* geojsonButton = new QPushButton(tr("Export GeoJSON..."), this);
    row->addWidget(shapesButton);
    row->addWidget(geojsonButton);
    row->addStretch();
    layout->addLayout(row);
    layout->addWidget(status_);
    layout->addStretch();
    connect(shapesButton, &QPushButton::clicked, this, &VectorizeTab::previewShapes);
    connect(geojsonButton, &QPushButton::clicked, this, [this] { exportShapes(); });
    for (QComboBox* c : {source_, mode_})
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            updateControls();
            emit parametersChanged();
        });
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, &TransformTab::parametersChanged);
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, [this] { thresholdEdited_ = true; });
    connect(breaks_, &QLineEdit::textEdited, this, &TransformTab::parametersChanged);
    connect(classes_, &QSpinBox::valueChanged, this, &TransformTab::parametersChanged);
    connect(band_, &QSpinBox::valueChanged, this, &TransformTab::parametersChanged);
    updateControls();
}

std::map<std::string, std::string> VectorizeTab::parameters() const {
    std::map<std::string, std::string> values = rb::ShapesOptions::params().values(shapesOptions_);
    values["source"] = std::to_string(source_->currentData().toInt());
    values["band"] = std::to_string(band_->value());
    values["mode"] = std::to_string(mode_->currentData().toInt());
    values["threshold"] = QString::number(threshold_->value(), 'g', 17).toStdString();
    values["breaks"] = breaks_->text().toStdString();
    values["classes"] = std::to_string(classes_->value());
    return values;
}

void VectorizeTab::setParameters(const std::map<std::string, std::string>& values) {
    const auto text = [&](const char* name) -> std::optional<QString> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt
                                  : std::optional(QString::fromStdString(it->second));
    };
    const auto& table = rb::ShapesOptions::params();
    for (const auto& [name, value] : values) {
        if (!table.has(name))
            continue;
        try {
            table.set(shapesOptions_, name, value);
        } catch (const std::exception&) {
            // a value this build refuses keeps the current one
        }
    }
    shapesForm_->setValues(table.values(shapesOptions_));
    for (auto [combo, name] : {std::pair{source_, "source"}, std::pair{mode_, "mode"}})
        if (const auto v = text(name))
            if (const int i = combo->findData(v->toInt()); i >= 0)
                combo->setCurrentIndex(i);
    if (const auto v = text("band"))
        band_->setValue(v->toInt());
    if (const auto v = text("threshold"))
        threshold_->setValue(v->toDouble());
    if (const auto v = text("breaks"))
        breaks_->setText(*v);
    if (const auto v = text("classes"))
        classes_->setValue(v->toInt());
    emit parametersChanged();
}

void VectorizeTab::setScoreSource(CompositeController* controller) {
    if (score_)
        disconnect(score_, nullptr, this, nullptr);
    score_ = controller;
    if (controller)
        connect(controller, &CompositeController::viewportUpdated, this, [this] {
            if (source_->currentData().toInt() == 1)
                emit parametersChanged(); // the score of a new view or new parameters
        });
    updateControls();
}

void VectorizeTab::updateControls() {
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

void VectorizeTab::syncBandRange() {
    const auto scene = canvas()->scene();
    if (!scene)
        return;
    const int count = std::max(1, scene->profile.count);
    bool changed = false;
    if (band_->maximum() != count) {
        const QSignalBlocker block(band_);
        band_->setRange(1, count);
        band_->setValue(scene->bands.empty() ? 1 : std::clamp(scene->bands.front(), 1, count));
        changed = true;
    }
    // Until the user picks a threshold, it sits in the middle of the band's values (a fixed
    // 128 finds nothing on reflectance in 0..1 or on 16-bit data).
    const QString key = scene->path + QLatin1Char('#') + QString::number(band_->value());
    if (!thresholdEdited_ && key != thresholdKey_) {
        thresholdKey_ = key;
        if (const auto mid = bandMidpoint(*scene, band_->value())) {
            const QSignalBlocker block(threshold_);
            threshold_->setValue(*mid);
            changed = true;
        }
    }
    if (changed)
        emit defaultsChanged();
}

std::optional<double> VectorizeTab::bandMidpoint(const SceneData& scene, int band) {
    if (!scene.preview)
        return std::nullopt;
    const rb::Raster& r = scene.preview->data;
    if (band < 1 || band > r.bands())
        return std::nullopt;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j)
            if (r.valid(band - 1, i, j)) {
                const double v = r.value(band - 1, i, j);
                if (std::isfinite(v)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
    if (!(lo <= hi))
        return std::nullopt;
    return lo + (hi - lo) / 2;
}

void VectorizeTab::previewShapes() {
    syncBandRange(); // also the default threshold of a new scene or band
    const bool fromScore = source_->currentData().toInt() == 1;
    ShapesParams p;
    p.mode = mode_->currentData().toInt();
    if (p.mode == 0) {
        p.breaks = {threshold_->value()};
    } else if (p.mode == 1) {
        QString error;
        const auto parsed = parseBreaks(breaks_->text(), &error);
        if (!parsed) {
            setStatus(status_, tr("Invalid breaks \"%1\": %2").arg(breaks_->text(), error), true);
            emit shapesDone();
            return;
        }
        p.breaks = *parsed;
    }
    std::shared_ptr<const ViewportResult> scored;
    if (fromScore) {
        scored = score_ ? score_->viewport() : nullptr;
        if (!scored || scored->score.empty()) {
            setStatus(status_,
                      tr("No score of this view yet: show the Score panel and pick scenes to "
                         "score."),
                      true);
            emit shapesDone();
            return;
        }
    }
    PreviewRequest req;
    if (!prepare(req, status_)) {
        emit shapesDone();
        return;
    }
    p.band = band_->value();
    p.classes = classes_->value();
    p.connectivity = shapesOptions_.connectivity;
    p.simplify = shapesOptions_.simplify;
    runPreview(
        [req, scored, p](rb::Progress progress) {
            return shapesOfView(req, scored, p, std::move(progress));
        },
        [this, window = req.window, view = req.view, fromScore, path = req.path,
         crs = req.scene->profile.crs](const ShapesPreview& r) {
            shapes_ = r.shapes;
            crs_ = crs;
            scenePath_ = path;
            vertices_ = r.vertices;
            window_ = r.window;
            breaksUsed_ = r.breaks;
            showOverlay(r.image, r.rect);
            QString text =
                tr("%1 features, %2 vertices in the view").arg(shapes_->size()).arg(vertices_);
            if (r.breaks.size() > 1 || mode_->currentData().toInt() != 0) {
                QStringList b;
                for (double v : r.breaks)
                    b << QString::number(v, 'g', 6);
                text += tr("; %1 classes, breaks %2").arg(r.breaks.size() + 1).arg(b.join(u", "));
            }
            if (!r.note.isEmpty())
                text += QLatin1Char('\n') + r.note;
            if (!fromScore && !(window == view))
                text += QLatin1Char('\n') + croppedNote(window, view);
            setStatus(status_, text, false);
            emit shapesDone();
        },
        [this](const QString& error) {
            setStatus(status_, error, true);
            emit shapesDone();
        });
}

void VectorizeTab::exportShapes(const QString& pathIn) {
    if (!shapes_) {
        setStatus(status_, tr("Preview the shapes first."), true);
        emit shapesExported(false);
        return;
    }
    QString path = pathIn;
    if (path.isEmpty())
        path = askSavePath(this, tr("Export shapes"), QStringLiteral("shapes.geojson"),
                           tr("GeoJSON (*.geojson *.json)"), QStringLiteral("geojson"));
    if (path.isEmpty())
        return;
    if (!checkOutput(path, {{"input scene", scenePath_}}, status_)) {
        emit shapesExported(false);
        return;
    }
    JobOptions options;
    options.monitored = false; // quick: the shapes are already made
    exportLane_->run(
        std::move(options),
        [shapes = shapes_, crs = crs_, out = path.toStdString()](JobContext&) {
            rb::write_shapes_geojson(out, *shapes, crs);
        },
        [this, path] {
            setStatus(status_, tr("Wrote %1").arg(path), false);
            emit shapesExported(true);
        },
        [this, path](const QString& error) {
            setStatus(status_, tr("Could not write %1: %2").arg(path, error), true);
            emit shapesExported(false);
        });
}

} // namespace rb::ui
