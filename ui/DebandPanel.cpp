#include "DebandPanel.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "DebandController.h"
#include "DebandSettings.h"
#include "DockAction.h"
#include "EngineMessages.h"
#include "ExportOptionsBox.h"
#include "JobLane.h"
#include "MapCanvas.h"
#include "OutputCheck.h"
#include "SaveDialog.h"
#include "SpectrumView.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

namespace {
const QString kDirKey = QStringLiteral("deband/lastDirectory");

QString lastDirectory() {
    return QSettings().value(kDirKey).toString();
}
void rememberDirectory(const QString& file) {
    QSettings().setValue(kDirKey, QFileInfo(file).absolutePath());
}
} // namespace

DebandPanel::DebandPanel(MapCanvas* canvas, QWidget* parent)
    : QWidget(parent), canvas_(canvas), controller_(new DebandController(canvas, this)),
      view_(new SpectrumView(this)), band_(new QSpinBox(this)), show_(new QComboBox(this)),
      black_(new QSlider(Qt::Horizontal, this)), white_(new QSlider(Qt::Horizontal, this)),
      hover_(new QLabel(this)), metrics_(new QLabel(this)), status_(new QLabel(this)),
      progress_(new QProgressBar(this)), cancel_(new QPushButton(tr("Cancel"), this)),
      saveLane_(new JobLane(tr("Saving the debanded raster"), nullptr, this)),
      undo_(new QPushButton(tr("Undo"), this)), redo_(new QPushButton(tr("Redo"), this)),
      clearReference_(new QPushButton(tr("No reference"), this)),
      settings_(new DebandSettings(this)) {
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Band"), this));
    band_->setRange(1, 1);
    top->addWidget(band_);
    show_->addItems({tr("Before"), tr("After"), tr("Difference")});
    show_->setCurrentIndex(1);
    show_->setToolTip(tr("What the map shows over the scene"));
    top->addWidget(show_);
    top->addStretch();
    layout->addLayout(top);

    auto* tools = new QHBoxLayout;
    auto* notch = new QRadioButton(tr("Notch"), this);
    auto* stripe = new QRadioButton(tr("Stripe"), this);
    notch->setChecked(true);
    auto* group = new QButtonGroup(this);
    group->addButton(notch);
    group->addButton(stripe);
    auto* autoButton = new QPushButton(tr("Auto-detect"), this);
    auto* clearButton = new QPushButton(tr("Clear"), this);
    for (QWidget* w : std::initializer_list<QWidget*>{notch, stripe, autoButton})
        tools->addWidget(w);
    layout->addLayout(tools);
    auto* edits = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{undo_, redo_, clearButton})
        edits->addWidget(w);
    layout->addLayout(edits);
    layout->addWidget(settings_);
    controller_->setDetectOptions(settings_->orientation(), settings_->peak());
    connect(settings_, &DebandSettings::changed, controller_,
            [this] { controller_->setDetectOptions(settings_->orientation(), settings_->peak()); });

    view_->setToolTip(
        tr("Click: place a notch (Stripe tool: a stripe notch)\n"
           "Drag a notch: move it; drag a stripe line: rotate it, with Shift: set its width\n"
           "Wheel over a notch, or + / -: resize\nRight click or Delete: remove"));
    layout->addWidget(view_, 1);

    auto* contrast = new QHBoxLayout;
    contrast->addWidget(new QLabel(tr("Contrast"), this));
    black_->setRange(0, 600);    // black point, 0..60 % (tenths)
    white_->setRange(900, 1000); // white point, 90..100 % (tenths)
    black_->setValue(10);
    white_->setValue(999);
    contrast->addWidget(black_);
    contrast->addWidget(white_);
    layout->addLayout(contrast);

    // Rows of three, so the dock stays narrow enough for the map.
    auto* files = new QGridLayout;
    auto* importButton = new QPushButton(tr("Import..."), this);
    auto* exportButton = new QPushButton(tr("Export..."), this);
    auto* referenceButton = new QPushButton(tr("Reference..."), this);
    auto* recipeButton = new QPushButton(tr("Recipe..."), this);
    recipeButton->setToolTip(tr("Save the band and notches as a recipe that 'rasterbench-cli "
                                "run' applies to other scenes"));
    auto* restoreButton = new QPushButton(tr("Restore saved"), this);
    restoreButton->setToolTip(tr("Bring back the notches last used on this scene (every edit "
                                 "is saved per scene)"));
    importButton->setToolTip(tr("Load a notch set (JSON)"));
    exportButton->setToolTip(tr("Save the notch set (JSON)"));
    referenceButton->setToolTip(tr("A raster on the scene's grid to measure PSNR / SSIM against"));
    clearReference_->setToolTip(tr("Stop comparing with the reference"));
    auto* saveButton = new QPushButton(tr("Save result..."), this);
    saveButton->setObjectName(QStringLiteral("saveDebanded"));
    saveButton->setToolTip(tr("Write the whole band, debanded with the current notches, as "
                              "chosen under \"Save as\" (GeoTIFF or COG)"));
    int cell = 0;
    for (QWidget* w :
         std::initializer_list<QWidget*>{importButton, exportButton, restoreButton, saveButton,
                                         recipeButton, referenceButton, clearReference_}) {
        files->addWidget(w, cell / 3, cell % 3);
        ++cell;
    }
    layout->addLayout(files);
    layout->addWidget(new ExportOptionsBox(this));

    auto* scene = new QHBoxLayout;
    scene->addWidget(new QLabel(tr("Whole scene"), this));
    progress_->setRange(0, 100);
    progress_->setValue(0);
    scene->addWidget(progress_, 1);
    cancel_->setToolTip(tr("Stop computing the whole-scene result"));
    scene->addWidget(cancel_);
    connect(saveButton, &QPushButton::clicked, this, [this] {
        const auto scene = controller_->scene();
        if (!scene)
            return;
        const QString path =
            askSavePath(this, tr("Save debanded raster"),
                        QFileInfo(scene->path).completeBaseName() + QStringLiteral("_debanded.tif"),
                        tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral("tif"));
        if (!path.isEmpty())
            saveResult(path);
    });
    layout->addLayout(scene);

    hover_->setWordWrap(true);
    metrics_->setWordWrap(true);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse); // errors can be copied
    // Room for the usual lines up front, so the spectrum (and a notch under the cursor)
    // does not move when the metrics grow.
    metrics_->setMinimumHeight(5 * fontMetrics().lineSpacing());
    status_->setMinimumHeight(2 * fontMetrics().lineSpacing());
    metrics_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    status_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    layout->addWidget(hover_);
    layout->addWidget(metrics_);
    layout->addWidget(status_);

    connect(view_, &SpectrumView::notchesEdited, controller_,
            [this](const rb::fft::NotchSet& n, bool continuing) {
                controller_->setNotches(n, !continuing);
            });
    connect(view_, &SpectrumView::hovered, hover_, &QLabel::setText);
    connect(controller_, &DebandController::notchesChanged, this, [this] {
        view_->setNotches(controller_->notches());
        updateButtons();
    });
    connect(controller_, &DebandController::areaReady, this, &DebandPanel::refreshSpectrum);
    connect(controller_, &DebandController::previewUpdated, this, &DebandPanel::showMetrics);
    connect(controller_, &DebandController::sceneResultReady, this, &DebandPanel::showMetrics);
    connect(controller_, &DebandController::referenceChanged, this, [this] {
        showMetrics();
        updateButtons();
    });
    connect(controller_, &DebandController::sceneProgressChanged, progress_,
            &QProgressBar::setValue);
    connect(controller_, &DebandController::sceneJobStateChanged, this, [this] {
        progress_->setValue(controller_->sceneProgress());
        updateButtons();
        showMetrics();
    });
    connect(controller_, &DebandController::message, this,
            [this](const QString& text) { showStatus(text, false); });
    connect(controller_, &DebandController::failed, this,
            [this](const QString& text) { showStatus(forGui(text), true); });
    connect(notch, &QRadioButton::toggled, this, [this](bool on) {
        view_->setTool(on ? SpectrumView::Tool::Notch : SpectrumView::Tool::Stripe);
    });
    connect(autoButton, &QPushButton::clicked, controller_, &DebandController::autoDetect);
    connect(undo_, &QPushButton::clicked, controller_, &DebandController::undo);
    connect(redo_, &QPushButton::clicked, controller_, &DebandController::redo);
    connect(clearButton, &QPushButton::clicked, controller_,
            [this] { controller_->setNotches({}, true); });
    connect(restoreButton, &QPushButton::clicked, controller_,
            &DebandController::restoreSavedNotches);
    connect(importButton, &QPushButton::clicked, this, &DebandPanel::importNotches);
    connect(exportButton, &QPushButton::clicked, this, &DebandPanel::exportNotches);
    connect(referenceButton, &QPushButton::clicked, this, &DebandPanel::pickReference);
    connect(recipeButton, &QPushButton::clicked, this, [this] {
        const QString path =
            askSavePath(this, tr("Export recipe"), QDir(lastDirectory()).filePath("recipe.json"),
                        tr("Rasterbench recipe (*.json)"), QStringLiteral("json"));
        if (path.isEmpty())
            return;
        rememberDirectory(path);
        const QString error = exportRecipe(path);
        showStatus(error.isEmpty() ? tr("Recipe saved to %1").arg(path) : error, !error.isEmpty());
    });
    connect(clearReference_, &QPushButton::clicked, controller_, &DebandController::clearReference);
    connect(cancel_, &QPushButton::clicked, controller_, &DebandController::cancelSceneJob);
    // Ctrl+Z / Ctrl+Shift+Z come from the main window's Edit menu (EditActions), which
    // sends them to the panel with the focus.
    connect(show_, &QComboBox::currentIndexChanged, controller_,
            [this](int i) { controller_->setShow(DebandController::Show(i)); });
    connect(band_, &QSpinBox::valueChanged, controller_, [this](int b) {
        if (controller_->scene())
            controller_->setBand(b);
    });
    auto contrastChanged = [this] {
        view_->setContrast(black_->value() / 10.0, white_->value() / 10.0);
    };
    connect(black_, &QSlider::valueChanged, this, contrastChanged);
    connect(white_, &QSlider::valueChanged, this, contrastChanged);
    view_->setContrast(black_->value() / 10.0, white_->value() / 10.0);

    // The area follows the view once panning or zooming has settled outside it.
    auto* follow = new QTimer(this);
    follow->setSingleShot(true);
    follow->setInterval(300);
    connect(follow, &QTimer::timeout, this, [this] {
        if (!isVisible() || !controller_->scene() || !canvas_)
            return;
        const rb::Window v = canvas_->visibleWindow();
        if (!controller_->area().contains(v.intersection(rb::Window::full(
                controller_->scene()->profile.width, controller_->scene()->profile.height))))
            controller_->prepareArea();
        else
            controller_->refreshOverlay(); // new zoom: redraw at screen resolution
    });
    if (canvas_)
        connect(canvas_, &MapCanvas::viewChanged, follow, qOverload<>(&QTimer::start));
    updateButtons();
}

void DebandPanel::setScene(std::shared_ptr<const SceneData> scene) {
    scene_ = scene;
    if (!dockOpen_)
        return; // made when the dock opens again
    controller_->setScene(scene);
    if (!scene)
        return;
    const QSignalBlocker block(band_);
    band_->setRange(1, scene->profile.count);
    band_->setValue(controller_->band());
    if (isVisible())
        controller_->prepareArea();
}

void DebandPanel::dockToggled(bool open) {
    if (open == dockOpen_)
        return;
    dockOpen_ = open;
    if (!open) {
        closedScene_ = scene_ ? scene_->path : QString();
        controller_->setScene(nullptr); // cancels the area, preview and whole-scene jobs
        return;
    }
    // The band box kept the user's band (or a recipe's, loaded meanwhile); setScene starts
    // the controller on the scene's first band.
    const int band = band_->value();
    const bool sameScene = scene_ && scene_->path == closedScene_;
    setScene(scene_);
    if (sameScene && band >= 1 && band <= scene_->profile.count) {
        controller_->setBand(band);
        const QSignalBlocker block(band_);
        band_->setValue(band);
    }
}

void DebandPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!dockHooked_) {
        if (QAction* dock = enclosingDockAction(this))
            connect(dock, &QAction::toggled, this, &DebandPanel::dockToggled);
        dockHooked_ = true;
    }
    if (controller_->scene() && !controller_->isReady())
        controller_->prepareArea();
}

void DebandPanel::refreshSpectrum() {
    view_->setSpectrum(controller_->spectrum());
    view_->setNotches(controller_->notches());
}

void DebandPanel::showMetrics() {
    metrics_->setText(controller_->metricsText());
}

void DebandPanel::showStatus(const QString& text, bool error) {
    status_->setStyleSheet(error ? QStringLiteral("color: #d04040;") : QString());
    status_->setText(text);
}

void DebandPanel::updateButtons() {
    undo_->setEnabled(controller_->canUndo());
    redo_->setEnabled(controller_->canRedo());
    cancel_->setEnabled(controller_->isSceneJobRunning());
    clearReference_->setEnabled(!controller_->referencePath().isEmpty());
}

void DebandPanel::exportNotches() {
    const QString path =
        askSavePath(this, tr("Export notches"), QDir(lastDirectory()).filePath("notches.json"),
                    tr("Notch sets (*.json);;All files (*)"), QStringLiteral("json"));
    if (path.isEmpty())
        return;
    rememberDirectory(path);
    if (const QString conflict = outputConflict(path, readFiles()); !conflict.isEmpty()) {
        showStatus(conflict, true);
        return;
    }
    controller_->exportNotches(path);
}

void DebandPanel::importNotches() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import notches"), lastDirectory(),
                                                      tr("Notch sets (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberDirectory(path);
    controller_->importNotches(path);
}

QString DebandPanel::exportRecipe(const QString& path) {
    const std::optional<rb::Recipe> recipe = debandRecipe();
    if (!recipe)
        return tr("No scene to put in a recipe");
    if (const QString conflict = outputConflict(path, readFiles()); !conflict.isEmpty())
        return conflict;
    try {
        rb::save_recipe(*recipe, path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

void DebandPanel::pickReference() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Reference scene (same grid as the scene)"), lastDirectory(),
        tr("Rasters (*.tif *.tiff *.img *.vrt *.jp2 *.nc *.hdf *.png);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberDirectory(path);
    controller_->setReference(path);
}

std::vector<rb::FileRole> DebandPanel::readFiles() const {
    std::vector<rb::FileRole> files;
    if (const auto scene = controller_->scene())
        files.push_back({"input scene", scene->pathUtf8()});
    if (!controller_->referencePath().isEmpty())
        files.push_back({"reference", controller_->referencePath().toStdString()});
    return files;
}

std::optional<rb::Recipe> DebandPanel::debandRecipe() const {
    const auto scene = controller_->scene();
    if (!scene)
        return std::nullopt;
    rb::Recipe recipe;
    recipe.description = "Deband notches exported from the Rasterbench workbench";
    recipe.scenes.push_back({{scene->pathUtf8()}});
    rb::DebandStep step;
    step.band = controller_->band();
    step.notches = controller_->notches();
    step.peak = settings_->peak();
    step.orientation = settings_->orientation();
    step.options = settings_->options();
    recipe.steps.emplace_back(std::move(step));
    recipe.output.pattern = "{stem}_debanded.tif";
    return recipe;
}

void DebandPanel::setJobMonitor(JobMonitor* monitor) {
    saveLane_->setMonitor(monitor);
}

bool DebandPanel::isSaving() const {
    return saveLane_->busy();
}

bool DebandPanel::saveResult(const QString& path) {
    const std::optional<rb::Recipe> recipe = debandRecipe();
    if (!recipe) {
        showStatus(tr("No scene to save"), true);
        return false;
    }
    if (const QString conflict = outputConflict(path, readFiles()); !conflict.isEmpty()) {
        showStatus(conflict, true);
        return false;
    }
    rb::RecipeRunOptions options;
    options.output = path.toStdString();
    JobOptions job;
    job.label = tr("Saving %1").arg(QFileInfo(path).fileName());
    job.ended = [this, path](quint64, JobOutcome outcome) {
        if (outcome == JobOutcome::Cancelled)
            showStatus(tr("Save cancelled; %1 not written").arg(path), false);
    };
    showStatus(tr("Saving %1...").arg(path), false);
    saveLane_->run(
        job,
        [recipe = *recipe, options, inputs = readFiles(),
         format = ExportOptionsBox::current()](JobContext& ctx) {
            // The recipe writes a temporary file, saved then in the format chosen.
            rb::export_written(options.output, format, inputs, rb::Progress(ctx.progressFn()),
                               [&](const std::string& tmp, rb::Progress progress) {
                                   rb::RecipeRunOptions run = options;
                                   run.output = tmp;
                                   rb::run_recipe(recipe, {}, run, std::move(progress));
                               });
        },
        [this, path] {
            showStatus(tr("Debanded raster saved to %1").arg(path), false);
            emit resultSaved(path);
        },
        [this, path](const QString& error) {
            showStatus(error.contains(path) ? error : tr("%1: %2").arg(path, error), true);
        });
    return true;
}

// ---- parameters for sessions and recipes ------------------------------------------------

rb::DebandStep DebandPanel::debandStep() const {
    rb::DebandStep step;
    step.band = band_->value();
    step.notches = controller_->notches();
    step.peak = settings_->peak();
    step.orientation = settings_->orientation();
    step.options = settings_->options();
    return step;
}

void DebandPanel::setDebandStep(const rb::DebandStep& step) {
    settings_->setAll(step.peak, step.orientation, step.options);
    if (step.band > 0)
        band_->setValue(step.band);                     // "all bands" (0) leaves the band shown
    controller_->setNotches(step.notches, true, false); // the scene's saved set stays the user's
}

} // namespace rb::ui
