#include "ScorePanel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "BandRolesEditor.h"
#include "DockAction.h"
#include "EngineMessages.h"
#include "ExportOptionsBox.h"
#include "MapCanvas.h"
#include "OutputCheck.h"
#include "ParamForm.h"
#include "SaveDialog.h"
#include "SceneStack.h"
#include "ScoreComponentsTable.h"
#include "StackInspectorChart.h"
#include "rasterbench/recipe.h"

namespace rb::ui {

namespace {

const std::pair<QString, ScoreView> kViews[] = {
    {QT_TRANSLATE_NOOP("ScorePanel", "Composite"), ScoreView::Composite},
    {QT_TRANSLATE_NOOP("ScorePanel", "Winning scene"), ScoreView::Winner},
    {QT_TRANSLATE_NOOP("ScorePanel", "Score of the current scene"), ScoreView::Score},
    {QT_TRANSLATE_NOOP("ScorePanel", "High-scoring pixels"), ScoreView::HighScoring},
    {QT_TRANSLATE_NOOP("ScorePanel", "Low-scoring pixels"), ScoreView::LowScoring},
    {QT_TRANSLATE_NOOP("ScorePanel", "Best-ranked pixels"), ScoreView::BestRank},
    {QT_TRANSLATE_NOOP("ScorePanel", "Worst-ranked pixels"), ScoreView::WorstRank},
};

QPixmap swatch(const QColor& c) {
    QPixmap p(16, 12);
    p.fill(c);
    return p;
}

QPixmap ramp(rb::Colormap map) {
    const auto& table = rb::colormap_table(map);
    QImage img(128, 12, QImage::Format_ARGB32);
    for (int x = 0; x < img.width(); ++x)
        for (int y = 0; y < img.height(); ++y)
            img.setPixel(x, y, table[std::size_t(x * 255 / (img.width() - 1))]);
    return QPixmap::fromImage(img);
}

} // namespace

ScorePanel::ScorePanel(SceneStack* stack, MapCanvas* canvas, QWidget* parent)
    : QWidget(parent), stack_(stack), canvas_(canvas),
      controller_(new CompositeController(canvas, this)), method_(new QComboBox),
      roles_(new BandRolesEditor), qaRule_(new QLineEdit(QStringLiteral("_sr.tif=_fmask.tif"))),
      readAs_(new QComboBox), scoreForm_(new ParamForm), compositeForm_(new ParamForm),
      show_(new QCheckBox(tr("Show on map"))), view_(new QComboBox),
      opacity_(new QSlider(Qt::Horizontal)), threshold_(new QSlider(Qt::Horizontal)),
      legend_(new QListWidget), latency_(new QLabel), tests_(new QLabel), error_(new QLabel),
      fullBar_(new QProgressBar), fullCancel_(new QToolButton), fullStatus_(new QLabel),
      fullSave_(new QToolButton), recipe_(new QToolButton), inspectBand_(new QComboBox),
      chart_(new StackInspectorChart), components_(new ScoreComponentsTable),
      viewTimer_(new QTimer(this)) {
    // Nothing runs until the panel is first shown (the dock starts hidden).
    controller_->setEnabled(false);

    auto* content = new QWidget;
    auto* box = new QVBoxLayout(content);

    auto* top = new QFormLayout;
    for (const auto& name : rb::score_method_names())
        method_->addItem(QString::fromStdString(name));
    method_->setCurrentText(
        QString::fromStdString(rb::score_method_name(controller_->scoreOptions())));
    top->addRow(tr("Method"), method_);
    top->addRow(tr("Band roles"), roles_);
    // Which tests the method runs with these bands (a cloud score on an RGB product runs
    // fewer than on Landsat), and whose clear-sky statistics judge each date.
    tests_->setWordWrap(true);
    tests_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    tests_->setToolTip(tr("The tests the score method runs on these scenes' bands, as the "
                          "CLI's --verbose prints them"));
    top->addRow(tr("Tests run"), tests_);
    qaRule_->setToolTip(tr("Each scene's quality file: FROM=TO replaces FROM in the scene's "
                           "file name (like the CLI's --qa-from); empty: none"));
    top->addRow(tr("Quality file"), qaRule_);
    // The engine's calibration targets, as the CLI's --calibrate names them.
    readAs_->addItem(tr("Stored numbers"), QStringLiteral("none"));
    readAs_->addItem(tr("Radiance"), QStringLiteral("radiance"));
    readAs_->addItem(tr("TOA reflectance"), QStringLiteral("toa"));
    readAs_->addItem(tr("TOA reflectance, each pixel's sun"), QLatin1String(kToaPixelSun));
    readAs_->addItem(tr("Surface reflectance (Level-2)"), QStringLiteral("sr"));
    readAs_->setToolTip(tr("Read each scene's bands converted with the product metadata beside "
                           "it (an MTL or MTD file), without writing a copy; quality files are "
                           "read as stored"));
    top->addRow(tr("Read as"), readAs_);
    box->addLayout(top);

    auto* scoreGroup = new QGroupBox(tr("Score parameters"));
    (new QVBoxLayout(scoreGroup))->addWidget(scoreForm_);
    box->addWidget(scoreGroup);
    auto* compGroup = new QGroupBox(tr("Composite"));
    (new QVBoxLayout(compGroup))->addWidget(compositeForm_);
    box->addWidget(compGroup);
    compositeForm_->setParams(
        rb::CompositeOptions::params().infos(),
        rb::CompositeOptions::params().values(controller_->compositeOptions()));

    auto* viewGroup = new QGroupBox(tr("Map"));
    auto* viewForm = new QFormLayout(viewGroup);
    show_->setChecked(true);
    viewForm->addRow(show_);
    for (const auto& [name, v] : kViews)
        view_->addItem(tr(name.toUtf8().constData()), int(v));
    viewForm->addRow(tr("View"), view_);
    opacity_->setRange(0, 100);
    opacity_->setValue(int(std::lround(controller_->display().opacity * 100)));
    viewForm->addRow(tr("Opacity"), opacity_);
    threshold_->setRange(0, 100);
    threshold_->setValue(int(controller_->display().threshold));
    threshold_->setToolTip(tr("High/low-scoring views: percentile of the current scene's "
                              "scores in the view that separates high from low"));
    viewForm->addRow(tr("Threshold (percentile)"), threshold_);
    legend_->setMaximumHeight(140);
    viewForm->addRow(tr("Legend"), legend_);
    latency_->setToolTip(tr("Time from the latest parameter change to its overlay on the map"));
    latency_->setWordWrap(true); // the stages' times must not widen the dock
    viewForm->addRow(tr("Preview"), latency_);
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #c0392b"));
    error_->hide();
    viewForm->addRow(error_);
    auto* fullRow = new QHBoxLayout;
    fullBar_->setRange(0, 1000);
    fullBar_->setValue(0);
    fullCancel_->setText(tr("Cancel"));
    fullCancel_->setEnabled(false);
    fullRow->addWidget(fullBar_, 1);
    fullRow->addWidget(fullCancel_);
    fullSave_->setText(tr("Save..."));
    fullSave_->setToolTip(tr("Save the full-resolution composite (GeoTIFF) and its "
                             "winning-scene index"));
    fullSave_->setEnabled(false);
    fullRow->addWidget(fullSave_);
    viewForm->addRow(tr("Full resolution"), fullRow);
    viewForm->addRow(new ExportOptionsBox(this)); // the whole row: no label column to its left
    fullStatus_->setWordWrap(true);
    viewForm->addRow(fullStatus_);
    recipe_->setText(tr("Export recipe..."));
    recipe_->setToolTip(tr("Save the scenes, score and composite settings as a recipe that "
                           "'rasterbench-cli run' applies headless"));
    viewForm->addRow(tr("Recipe"), recipe_);
    auto* atScale = new QToolButton; // the main window opens Run at Scale
    atScale->setObjectName(QStringLiteral("runAtScaleButton"));
    atScale->setText(tr("Run at Scale..."));
    atScale->setToolTip(tr("Plan this composite over many scenes as a job for a cluster"));
    connect(atScale, &QToolButton::clicked, this, &ScorePanel::runAtScaleRequested);
    viewForm->addRow(QString(), atScale);
    box->addWidget(viewGroup);

    auto* inspectGroup = new QGroupBox(tr("Scenes at the cursor"));
    auto* inspectBox = new QVBoxLayout(inspectGroup);
    auto* bandRow = new QHBoxLayout;
    bandRow->addWidget(new QLabel(tr("Band")));
    bandRow->addWidget(inspectBand_, 1);
    inspectBox->addLayout(bandRow);
    inspectBox->addWidget(chart_);
    inspectBox->addWidget(components_);
    box->addWidget(inspectGroup);
    box->addStretch(1);

    // Generated forms grow with the method: the dock scrolls rather than squeezing them.
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    rebuildScoreForm();

    connect(method_, &QComboBox::currentTextChanged, this, [this](const QString& m) {
        controller_->setMethod(m);
        rebuildScoreForm();
        showStatus();
    });
    connect(scoreForm_, &ParamForm::valueChanged, this, &ScorePanel::onScoreParam);
    connect(roles_, &BandRolesEditor::rolesEdited, this, [this](const QString& text) {
        scoreForm_->setValues({{"roles", text.toStdString()}});
        onScoreParam(QStringLiteral("roles"), text);
    });
    connect(compositeForm_, &ParamForm::valueChanged, this, &ScorePanel::onCompositeParam);
    connect(qaRule_, &QLineEdit::editingFinished, this, &ScorePanel::syncScenes);
    connect(readAs_, &QComboBox::currentIndexChanged, this, &ScorePanel::syncScenes);
    connect(show_, &QCheckBox::toggled, this, &ScorePanel::updateEnabled);
    connect(view_, &QComboBox::currentIndexChanged, this, &ScorePanel::syncDisplay);
    connect(opacity_, &QSlider::valueChanged, this, &ScorePanel::syncDisplay);
    connect(threshold_, &QSlider::valueChanged, this, &ScorePanel::syncDisplay);
    connect(fullCancel_, &QToolButton::clicked, controller_, &CompositeController::cancelFull);
    connect(fullSave_, &QToolButton::clicked, this, [this] {
        const QString path =
            askSavePath(this, tr("Save composite"), QStringLiteral("composite.tif"),
                        tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral("tif"));
        if (!path.isEmpty())
            saveComposite(path);
    });
    connect(recipe_, &QToolButton::clicked, this, [this] {
        const QString path =
            askSavePath(this, tr("Export recipe"), QStringLiteral("composite.json"),
                        tr("Rasterbench recipe (*.json)"), QStringLiteral("json"));
        if (path.isEmpty())
            return;
        const QString error = exportRecipe(path);
        fullStatus_->setText(error.isEmpty() ? tr("Recipe saved: %1").arg(path) : error);
    });
    connect(controller_, &CompositeController::saved, this,
            [this](bool, const QString& text) { fullStatus_->setText(text); });
    connect(inspectBand_, &QComboBox::currentIndexChanged, this, [this] {
        if (lastPixel_.x() >= 0)
            inspectPixel(lastPixel_.x(), lastPixel_.y());
    });

    connect(controller_, &CompositeController::viewportUpdated, this, &ScorePanel::showStatus);
    connect(controller_, &CompositeController::layoutChanged, this, &ScorePanel::showLayout);
    connect(controller_, &CompositeController::overlayChanged, this, &ScorePanel::showLegend);
    connect(controller_, &CompositeController::message, this, [this] { showStatus(); });
    connect(controller_, &CompositeController::fullProgressChanged, this, [this](double f) {
        fullBar_->setValue(int(std::lround(f * 1000)));
        fullCancel_->setEnabled(controller_->isFullRunning());
        fullSave_->setEnabled(false); // the result being computed replaces the saved one
        if (controller_->isFullRunning())
            fullStatus_->setText(tr("Computing the whole scene..."));
    });
    connect(controller_, &CompositeController::fullFinished, this,
            [this](bool ok, const QString& text) {
                fullCancel_->setEnabled(false);
                fullSave_->setEnabled(ok);
                if (!ok)
                    fullBar_->setValue(0);
                // The temporary file's path is one long word: in the tooltip, so the
                // wrapped label never widens the dock.
                fullStatus_->setText(text);
                fullStatus_->setToolTip(ok ? controller_->fullCompositePath() : QString());
            });
    connect(controller_, &CompositeController::inspected, this, &ScorePanel::showInspection);

    // View changes come in bursts while panning: the preview follows when they pause.
    viewTimer_->setSingleShot(true);
    viewTimer_->setInterval(60);
    connect(viewTimer_, &QTimer::timeout, this, &ScorePanel::syncView);
    if (canvas_) {
        connect(canvas_, &MapCanvas::viewChanged, viewTimer_, qOverload<>(&QTimer::start));
        connect(canvas_, &MapCanvas::cursorMoved, this, [this](double col, double row) {
            inspectPixel(int(std::floor(col)), int(std::floor(row)));
        });
    }
    if (stack_) {
        connect(stack_, &SceneStack::entriesChanged, this, &ScorePanel::syncScenes);
        connect(stack_, &SceneStack::currentChanged, this, &ScorePanel::syncCurrent);
        connect(stack_, &SceneStack::sceneChanged, this, [this](int row) {
            if (row == stack_->current())
                syncCurrent();
        });
    }
}

ScorePanel::~ScorePanel() = default;

void ScorePanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!dockHooked_) {
        // Closing the dock stops the work and removes the overlay; switching to another
        // tabbed dock does not (the map keeps showing the composite).
        if (QAction* dock = enclosingDockAction(this))
            connect(dock, &QAction::toggled, this, &ScorePanel::updateEnabled);
        dockHooked_ = true;
    }
    if (!shown_) {
        shown_ = true;
        syncScenes();
        syncCurrent();
        syncView();
        updateEnabled();
    }
}

void ScorePanel::updateEnabled() {
    const QAction* dock = enclosingDockAction(this);
    const bool dockOpen = !dock || dock->isChecked();
    controller_->setEnabled(shown_ && dockOpen && show_->isChecked());
    if (!controller_->isEnabled())
        legend_->clear();
}

std::vector<ScoreScene> ScorePanel::stackScenes() const {
    std::vector<ScoreScene> out;
    if (!stack_)
        return out;
    const QString rule = qaRule_->text().trimmed();
    const int eq = rule.indexOf('=');
    const QString from = eq > 0 ? rule.left(eq) : QString(),
                  to = eq > 0 ? rule.mid(eq + 1) : QString();
    for (int row = 0; row < stack_->count(); ++row) {
        const StackEntry& e = stack_->entry(row);
        if (!e.visible || !e.data || e.state != StackEntry::State::Ready)
            continue;
        const QFileInfo info(e.path);
        // A quality file opened with its scenes is part of them, not a scene of its own.
        if (!to.isEmpty() && info.fileName().endsWith(to))
            continue;
        ScoreScene s;
        s.path = e.path;
        if (const QString c = readAs_->currentData().toString(); c != QLatin1String("none"))
            s.calibrate = c;
        s.name = info.completeBaseName();
        s.date = e.data->date;
        if (!from.isEmpty() && info.fileName().contains(from)) {
            const QString qa = info.dir().filePath(QString(info.fileName()).replace(from, to));
            if (QFileInfo::exists(qa))
                s.qa = qa;
        }
        out.push_back(std::move(s));
    }
    return out;
}

void ScorePanel::syncScenes() {
    if (!shown_)
        return;
    const std::vector<ScoreScene> scenes = stackScenes();
    // The composite is on the first scene's grid: its overlay belongs to that scene's data.
    std::shared_ptr<const SceneData> gridScene;
    for (int row = 0; !scenes.empty() && row < stack_->count() && !gridScene; ++row)
        if (stack_->entry(row).path == scenes.front().path)
            gridScene = stack_->entry(row).data;
    controller_->setScenes(scenes, gridScene);
    showLayout();
    syncCurrent();
}

void ScorePanel::showLayout() {
    // Band names for the inspector: the layout's descriptions where the files have them.
    const rb::BandLayout& layout = controller_->layout();
    const int keep = inspectBand_->currentIndex();
    const QSignalBlocker block(inspectBand_);
    inspectBand_->clear();
    for (int b = 0; b < layout.count; ++b) {
        const QString d = std::size_t(b) < layout.descriptions.size()
                              ? QString::fromStdString(layout.descriptions[std::size_t(b)])
                              : QString();
        inspectBand_->addItem(d.isEmpty() ? tr("Band %1").arg(b + 1)
                                          : tr("Band %1: %2").arg(b + 1).arg(d));
    }
    inspectBand_->setCurrentIndex(std::clamp(keep, 0, std::max(0, layout.count - 1)));
    showStatus();
}

void ScorePanel::syncCurrent() {
    if (!shown_ || !stack_)
        return;
    const int row = stack_->current();
    int index = -1;
    if (row >= 0 && row < stack_->count()) {
        const auto& scenes = controller_->scenes();
        for (std::size_t i = 0; i < scenes.size(); ++i)
            if (scenes[i].path == stack_->entry(row).path)
                index = int(i);
    }
    controller_->setCurrentScene(index);
    syncDisplay();
}

void ScorePanel::syncView() {
    if (!canvas_ || !canvas_->scene())
        return;
    const rb::Window vis = canvas_->visibleWindow();
    const double scale = canvas_->view().scale() * canvas_->devicePixelRatioF();
    // The visible window's size on screen: the preview reads no more pixels than that.
    const QSize screen(std::max(1, int(std::ceil(double(vis.width) * scale))),
                       std::max(1, int(std::ceil(double(vis.height) * scale))));
    // In the shown scene's pixels; the controller maps them onto the stack's grid.
    controller_->setView(vis, screen, rb::grid_of(canvas_->scene()->profile));
}

void ScorePanel::syncDisplay() {
    ScoreDisplay d = controller_->display();
    d.view = ScoreView(view_->currentData().toInt());
    d.opacity = opacity_->value() / 100.0;
    d.threshold = threshold_->value();
    threshold_->setEnabled(d.view == ScoreView::HighScoring || d.view == ScoreView::LowScoring);
    // Composites and rank images use the current scene's bands and stretch, so they can be
    // compared with it by toggling the overlay.
    d.rgbBands.clear();
    d.stretch.clear();
    d.gamma = 1;
    const int row = stack_ ? stack_->current() : -1;
    if (row >= 0 && row < stack_->count() && stack_->entry(row).data) {
        const rb::DisplaySettings& ds = stack_->entry(row).data->display;
        if (ds.bands.size() == 3 || ds.bands.size() == 1) {
            int top = 0;
            for (int b : ds.bands)
                top = std::max(top, b);
            d.stretch.assign(std::size_t(top), rb::StretchRange{});
            bool ok = ds.stretch.size() == ds.bands.size();
            for (std::size_t i = 0; ok && i < ds.bands.size(); ++i) {
                d.rgbBands.push_back(ds.bands[i] - 1);
                d.stretch[std::size_t(ds.bands[i] - 1)] = ds.stretch[i];
            }
            if (!ok) {
                d.rgbBands.clear();
                d.stretch.clear();
            }
            d.gamma = ds.gamma;
        }
    }
    controller_->setDisplay(d);
}

void ScorePanel::rebuildScoreForm() {
    const rb::ScoreOptions& o = controller_->scoreOptions();
    scoreForm_->setParams(rb::score_params(o), rb::score_param_values(o));
}

void ScorePanel::onScoreParam(const QString& name, const QString& value) {
    const QString error = controller_->setScoreParam(name, value);
    for (const auto& p : scoreForm_->params())
        scoreForm_->setError(QString::fromStdString(p.name),
                             QString::fromStdString(p.name) == name ? error : QString());
    showStatus();
}

void ScorePanel::onCompositeParam(const QString& name, const QString& value) {
    compositeForm_->setError(name, controller_->setCompositeParam(name, value));
    showStatus();
}

void ScorePanel::showLegend() {
    legend_->clear();
    const ScoreLegend& lg = controller_->legend();
    if (!lg.title.isEmpty()) {
        auto* title = new QListWidgetItem(lg.title, legend_);
        QFont f = title->font();
        f.setBold(true);
        title->setFont(f);
    }
    if (lg.ramp) {
        auto* item = new QListWidgetItem(
            QIcon(ramp(lg.colormap)), tr("%1 ... %2").arg(lg.lo, 0, 'g', 4).arg(lg.hi, 0, 'g', 4),
            legend_);
        legend_->setIconSize(QSize(128, 12));
        item->setToolTip(tr("2nd to 98th percentile of the scores in the view"));
    } else {
        legend_->setIconSize(QSize(16, 12));
        for (const auto& e : lg.entries)
            new QListWidgetItem(e.color.alpha() ? QIcon(swatch(e.color)) : QIcon(), e.text,
                                legend_);
    }
    // Which scene equal scores go to (the composite's tie rule).
    const rb::CompositeOptions& co = controller_->compositeOptions();
    const bool dflt = co.tie == rb::CompositeOptions{}.tie;
    auto* tie = new QListWidgetItem(
        co.tie == "closest" ? tr("Ties: closest to %1").arg(QString::fromStdString(co.target_date))
                            : tr("Ties: %1%2")
                                  .arg(QString::fromStdString(co.tie))
                                  .arg(dflt ? tr(" (default)") : QString()),
        legend_);
    tie->setToolTip(tr("Equal scores go to this scene; set the composite's 'tie' parameter"));
}

QString ScorePanel::exportRecipe(const QString& path) {
    const auto& scenes = controller_->scenes();
    if (scenes.empty())
        return tr("No scenes to put in a recipe");
    if (const QString conflict = outputConflict(path, controller_->inputFiles());
        !conflict.isEmpty())
        return conflict;
    rb::Recipe recipe;
    recipe.description = "Composite exported from the Rasterbench workbench";
    for (const auto& s : scenes)
        recipe.scenes.push_back(s.source());
    rb::CompositeStep step;
    step.score = controller_->scoreOptions();
    step.options = controller_->compositeOptions();
    step.options.best_ranks.clear(); // the preview's rank images are not outputs
    step.options.worst_ranks.clear();
    const QString stem = QFileInfo(path).completeBaseName();
    step.index = (stem + QStringLiteral("_index.tif")).toStdString();
    recipe.steps.emplace_back(std::move(step));
    recipe.output.path = (stem + QStringLiteral("_composite.tif")).toStdString();
    try {
        rb::save_recipe(recipe, path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

bool ScorePanel::saveComposite(const QString& path) {
    const QFileInfo fi(path);
    const QString index =
        fi.dir().filePath(fi.completeBaseName() + QStringLiteral("_index.") +
                          (fi.suffix().isEmpty() ? QStringLiteral("tif") : fi.suffix()));
    if (!controller_->saveFull(path, index, ExportOptionsBox::current())) {
        fullStatus_->setText(tr("No full-resolution composite to save yet"));
        return false;
    }
    fullStatus_->setText(tr("Saving %1...").arg(path));
    return true;
}

void ScorePanel::setQualityRule(const QString& rule) {
    if (qaRule_->text() == rule)
        return;
    qaRule_->setText(rule);
    syncScenes();
}

QLabel* ScorePanel::rolesLabel() const {
    return roles_->summaryLabel();
}

void ScorePanel::showRoles() {
    const auto scorer = controller_->scorer();
    const QString param =
        QString::fromStdString(rb::get_score_param(controller_->scoreOptions(), "roles"));
    const rb::BandLayout& layout = controller_->layout();
    if (!scorer && layout.count == 0) {
        roles_->setRoles(layout, nullptr, param, tr("-"));
    } else if (!scorer) {
        // The method refused the roles (one it needs is missing): still show what the
        // file gives, so the missing role can be picked here.
        try {
            const rb::BandRoles roles =
                rb::resolve_band_roles(layout, controller_->scoreOptions().roles);
            roles_->setRoles(layout, &roles, param);
        } catch (const std::exception&) {
            roles_->setRoles(layout, nullptr, param, tr("not resolved"));
        }
    } else
        roles_->setRoles(scorer->layout(), &scorer->roles(), param);
    const std::string tests = scorer ? scorer->tests_run() : std::string();
    tests_->setText(tests.empty() ? tr("-") : QString::fromStdString(tests));
}

void ScorePanel::showStatus() {
    showRoles();
    const QString err = forGui(controller_->lastError());
    error_->setText(err);
    error_->setVisible(!err.isEmpty());
    if (canvas_) // the layer of the failed view is hidden and marked in the Layers panel
        canvas_->setOverlayFailed(CompositeController::kOverlayId, err);
    if (!err.isEmpty()) {
        // Nothing computed for these parameters: no earlier "ready" next to the error.
        latency_->setText(tr("-"));
        fullStatus_->setText(tr("Not computed: see the error above"));
        fullBar_->setValue(0);
        fullSave_->setEnabled(false);
        return;
    }
    const auto r = controller_->viewport();
    if (!r || controller_->lastLatencyMs() < 0) {
        latency_->setText(controller_->isViewportPending() ? tr("computing...") : tr("-"));
        return;
    }
    const double first = controller_->lastFirstOverlayMs();
    const QString coarse = first >= 0 && first < controller_->lastLatencyMs()
                               ? tr("coarse first %1 ms, ").arg(first, 0, 'f', 0)
                               : QString();
    latency_->setText(tr("%8%1 ms (read %2, score %3, composite %4; %5 x %6 px, step %7)")
                          .arg(controller_->lastLatencyMs(), 0, 'f', 0)
                          .arg(r->readMs, 0, 'f', 0)
                          .arg(r->scoreMs, 0, 'f', 0)
                          .arg(r->compositeMs, 0, 'f', 0)
                          .arg(r->plan.crop.width)
                          .arg(r->plan.crop.height)
                          .arg(r->plan.step)
                          .arg(coarse));
}

void ScorePanel::inspectPixel(int col, int row) {
    if (!controller_->isEnabled())
        return;
    lastPixel_ = {col, row};
    const int band = std::max(0, inspectBand_->currentIndex());
    if (canvas_ && canvas_->scene()) // a pixel of the shown scene, which may be on another grid
        controller_->inspect(col, row, band, rb::grid_of(canvas_->scene()->profile));
    else
        controller_->inspect(col, row, band);
}

void ScorePanel::showInspection() {
    std::vector<QString> labels;
    for (const auto& s : controller_->scenes())
        labels.push_back(s.label());
    chart_->setData(labels, controller_->inspection(), inspectBand_->currentText());
    components_->setComponents(labels, controller_->inspection().components);
}

// ---- parameters for sessions and recipes ------------------------------------------------

rb::CompositeStep ScorePanel::compositeStep() const {
    rb::CompositeStep step;
    step.score = controller_->scoreOptions();
    step.options = controller_->compositeOptions();
    step.options.best_ranks.clear(); // the preview's rank images are not parameters
    step.options.worst_ranks.clear();
    const QString readAs = readAs_->currentData().toString();
    const bool pixelSun = readAs == QLatin1String(kToaPixelSun);
    step.calibration.calibrate = pixelSun ? std::string("toa") : readAs.toStdString();
    step.calibration.sun = pixelSun ? rb::SunGeometry::Pixel : rb::SunGeometry::Scene;
    return step;
}

QString ScorePanel::setCompositeStep(const rb::CompositeStep& step) {
    const QString method = QString::fromStdString(rb::score_method_name(step.score));
    {
        const QSignalBlocker block(method_);
        method_->setCurrentText(method);
    }
    controller_->setMethod(method);
    QStringList refused;
    // A value accepted but leaving the scorer unusable (no scenes yet, a missing role) is
    // kept: the form shows it and the status says why the preview waits.
    for (const auto& [name, value] : rb::score_param_values(step.score)) {
        const QString n = QString::fromStdString(name);
        controller_->setScoreParam(n, QString::fromStdString(value));
        if (QString::fromStdString(rb::get_score_param(controller_->scoreOptions(), name)) !=
            QString::fromStdString(value))
            refused << tr("%1: %2 not taken").arg(n, QString::fromStdString(value));
    }
    const auto& table = rb::CompositeOptions::params();
    for (const auto& [name, value] : table.values(step.options)) {
        const QString error = controller_->setCompositeParam(QString::fromStdString(name),
                                                             QString::fromStdString(value));
        if (!error.isEmpty())
            refused << error;
    }
    const bool pixelSun =
        step.calibration.calibrate == "toa" && step.calibration.sun == rb::SunGeometry::Pixel;
    const int readAs = readAs_->findData(
        pixelSun ? QString::fromLatin1(kToaPixelSun)
                 : QString::fromStdString(step.calibration.enabled() ? step.calibration.calibrate
                                                                     : std::string("none")));
    if (readAs >= 0)
        readAs_->setCurrentIndex(readAs);
    rebuildScoreForm();
    compositeForm_->setValues(table.values(controller_->compositeOptions()));
    showStatus();
    return refused.join(QLatin1Char('\n'));
}

} // namespace rb::ui
