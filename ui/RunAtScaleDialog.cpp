#include "RunAtScaleDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <variant>

#include "JobLane.h"
#include "WheelGuard.h"
#include "rasterbench/catalog.h"
#include "rasterbench/error.h"

namespace rb::ui {

namespace {

QString bytesText(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(b, 0, 'f', u == 0 ? 0 : 1).arg(QLatin1String(units[u]));
}

QString secondsText(double s) {
    if (s < 120)
        return QStringLiteral("%1 s").arg(s, 0, 'f', 1);
    if (s < 7200)
        return QStringLiteral("%1 min").arg(s / 60, 0, 'f', 1);
    return QStringLiteral("%1 h").arg(s / 3600, 0, 'f', 1);
}

QString stepTitle(const rb::RecipeStep& step) {
    if (std::holds_alternative<rb::CompositeStep>(step))
        return RunAtScaleDialog::tr("composite (Score panel)");
    if (const auto* d = std::get_if<rb::DebandStep>(&step))
        return RunAtScaleDialog::tr("deband, %1 notches (Deband panel)")
            .arg(d->notches.points.size() + d->notches.stripes.size());
    if (std::holds_alternative<rb::ReprojectStep>(step))
        return RunAtScaleDialog::tr("reproject (Transform panel)");
    return RunAtScaleDialog::tr("fill (Transform panel)");
}

/// Steps checked at first: the composite, a deband with notches, a reprojection; not the
/// fill, which the Transform panel always carries.
bool stepWanted(const rb::RecipeStep& step) {
    if (const auto* d = std::get_if<rb::DebandStep>(&step))
        return !d->notches.empty() || d->auto_find;
    return !std::holds_alternative<rb::FillStep>(step);
}

QString defaultExecutable() {
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("rasterbench-cli"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString found = QStandardPaths::findExecutable(QStringLiteral("rasterbench-cli"));
    return found.isEmpty() ? QStringLiteral("rasterbench-cli") : found;
}

} // namespace

RunAtScaleDialog::RunAtScaleDialog(const rb::Recipe& recipe, std::vector<rb::SceneSource> stack,
                                   QStringList catalog, JobMonitor* monitor, QWidget* parent)
    : QDialog(parent), recipe_(recipe), stack_(std::move(stack)), catalog_(std::move(catalog)),
      executable_(defaultExecutable()), lane_(new JobLane(tr("Planning the job"), monitor, this)),
      writeLane_(new JobLane(tr("Writing the job folder"), monitor, this)),
      debounce_(new QTimer(this)), source_(new QComboBox), folder_(new QLineEdit),
      browseFolder_(new QToolButton), steps_(new QListWidget), tileSize_(new QSpinBox),
      engine_(new QComboBox), cpus_(new QSpinBox), memory_(new QLineEdit),
      partition_(new QLineEdit), sample_(new QCheckBox), jobDir_(new QLineEdit),
      browseJob_(new QToolButton), summary_(new QLabel), plan_(new QPlainTextEdit),
      progress_(new QProgressBar), cancel_(new QToolButton), message_(new QLabel),
      write_(new QPushButton(tr("Write job folder"))) {
    setWindowTitle(tr("Run at Scale"));
    recipe_.scenes.clear();

    source_->addItem(tr("Current stack (%n scenes)", nullptr, int(stack_.size())),
                     int(Source::Stack));
    source_->addItem(tr("Catalog selection (%n scenes)", nullptr, int(catalog_.size())),
                     int(Source::Catalog));
    source_->addItem(tr("Folder..."), int(Source::Folder));
    folder_->setPlaceholderText(tr("folder of scenes (searched like the Catalog)"));
    browseFolder_->setText(QStringLiteral("..."));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_);
    folderRow->addWidget(browseFolder_);

    for (const rb::RecipeStep& step : recipe_.steps) {
        auto* item = new QListWidgetItem(stepTitle(step), steps_);
        const bool composite = std::holds_alternative<rb::CompositeStep>(step);
        item->setFlags(composite ? Qt::ItemIsEnabled : Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(stepWanted(step) ? Qt::Checked : Qt::Unchecked);
    }
    steps_->setMaximumHeight(90);
    steps_->setToolTip(tr("The steps of the job, in order: scene steps before the composite run "
                          "per scene, the composite per tile, the steps after it on the mosaic"));

    tileSize_->setRange(16, 1 << 16);
    tileSize_->setValue(2048);
    tileSize_->setSuffix(tr(" px"));
    tileSize_->setToolTip(tr("Side of an output tile (rounded up to the block size)"));
    engine_->addItem(QStringLiteral("Slurm"), QStringLiteral("slurm"));
    engine_->addItem(QStringLiteral("Kubernetes"), QStringLiteral("kubernetes"));
    engine_->addItem(QStringLiteral("AWS Batch"), QStringLiteral("aws-batch"));
    engine_->addItem(tr("This machine"), QStringLiteral("local"));
    cpus_->setRange(1, 256);
    cpus_->setValue(1);
    memory_->setText(QStringLiteral("4G"));
    memory_->setToolTip(tr("Memory per task, Slurm syntax: 4G, 500M"));
    partition_->setPlaceholderText(tr("the default partition"));
    sample_->setText(tr("Time one tile in a scratch folder (else: a model)"));
    sample_->setChecked(true);
    jobDir_->setPlaceholderText(tr("the job folder (on storage every node sees)"));
    browseJob_->setText(QStringLiteral("..."));
    auto* jobRow = new QHBoxLayout;
    jobRow->addWidget(jobDir_);
    jobRow->addWidget(browseJob_);
    WheelGuard::install(); // the form's boxes take the wheel only with focus

    auto* form = new QFormLayout;
    form->addRow(tr("Scenes"), source_);
    form->addRow(QString(), folderRow);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Tile size"), tileSize_);
    form->addRow(tr("Engine"), engine_);
    form->addRow(tr("CPUs per task"), cpus_);
    form->addRow(tr("Memory per task"), memory_);
    form->addRow(tr("Partition"), partition_);
    form->addRow(tr("Estimate"), sample_);
    form->addRow(tr("Job folder"), jobRow);

    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    plan_->setReadOnly(true);
    plan_->setLineWrapMode(QPlainTextEdit::NoWrap);
    plan_->setMinimumHeight(140);
    progress_->setRange(0, 1000);
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop planning (the sample run)"));
    cancel_->setEnabled(false);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(progress_);
    progressRow->addWidget(cancel_);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    write_->setEnabled(false);
    write_->setToolTip(tr("Write job.json and the engines' scripts into the job folder"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(write_, QDialogButtonBox::ActionRole);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(summary_);
    layout->addWidget(plan_, 1);
    layout->addLayout(progressRow);
    layout->addWidget(message_);
    layout->addWidget(buttons);

    debounce_->setSingleShot(true);
    debounce_->setInterval(400);
    connect(debounce_, &QTimer::timeout, this, &RunAtScaleDialog::replan);
    connect(source_, &QComboBox::currentIndexChanged, this, [this] {
        updateSourceRow();
        onChanged();
    });
    connect(folder_, &QLineEdit::textChanged, this, &RunAtScaleDialog::onChanged);
    connect(steps_, &QListWidget::itemChanged, this, &RunAtScaleDialog::onChanged);
    connect(tileSize_, &QSpinBox::valueChanged, this, &RunAtScaleDialog::onChanged);
    connect(engine_, &QComboBox::currentIndexChanged, this, &RunAtScaleDialog::onChanged);
    connect(cpus_, &QSpinBox::valueChanged, this, &RunAtScaleDialog::onChanged);
    connect(memory_, &QLineEdit::textChanged, this, &RunAtScaleDialog::onChanged);
    connect(partition_, &QLineEdit::textChanged, this, &RunAtScaleDialog::onChanged);
    connect(sample_, &QCheckBox::toggled, this, &RunAtScaleDialog::onChanged);
    connect(jobDir_, &QLineEdit::textChanged, this, &RunAtScaleDialog::onChanged);
    connect(browseFolder_, &QToolButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Folder of scenes"), folder_->text());
        if (!d.isEmpty())
            folder_->setText(d);
    });
    connect(browseJob_, &QToolButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Job folder"), jobDir_->text());
        if (!d.isEmpty())
            jobDir_->setText(d);
    });
    connect(cancel_, &QToolButton::clicked, lane_, qOverload<>(&JobLane::cancel));
    connect(write_, &QPushButton::clicked, this, [this] { writeJob(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (stack_.empty() && !catalog_.isEmpty())
        source_->setCurrentIndex(source_->findData(int(Source::Catalog)));
    updateSourceRow();
    onChanged();
}

RunAtScaleDialog::~RunAtScaleDialog() = default;

void RunAtScaleDialog::setSource(Source source) {
    source_->setCurrentIndex(source_->findData(int(source)));
}

void RunAtScaleDialog::setFolder(const QString& folder) {
    folder_->setText(folder);
}

void RunAtScaleDialog::setJobDir(const QString& dir) {
    jobDir_->setText(dir);
}

void RunAtScaleDialog::setExecutable(const QString& path) {
    executable_ = path;
    onChanged();
}

void RunAtScaleDialog::updateSourceRow() {
    const bool folder = Source(source_->currentData().toInt()) == Source::Folder;
    folder_->setEnabled(folder);
    browseFolder_->setEnabled(folder);
}

rb::Recipe RunAtScaleDialog::chosenRecipe() const {
    rb::Recipe r = recipe_;
    r.steps.clear();
    for (int i = 0; i < steps_->count() && i < int(recipe_.steps.size()); ++i)
        if (steps_->item(i)->checkState() == Qt::Checked)
            r.steps.push_back(recipe_.steps[std::size_t(i)]);
    return r;
}

rb::JobPlanOptions RunAtScaleDialog::chosenOptions() const {
    rb::JobPlanOptions o;
    o.tile_size = tileSize_->value();
    o.engine = engine_->currentData().toString().toStdString();
    o.cpus_per_task = cpus_->value();
    o.mem_per_task = memory_->text().trimmed().toStdString();
    o.partition = partition_->text().trimmed().toStdString();
    o.sample = sample_->isChecked();
    o.executable = executable_.toStdString();
    return o;
}

bool RunAtScaleDialog::isPlanning() const {
    return debounce_->isActive() || lane_->busy();
}

void RunAtScaleDialog::onChanged() {
    // The plan shown belongs to the old parameters: drop it (and the one being computed).
    job_.reset();
    write_->setEnabled(false);
    lane_->discard();
    summary_->setText(tr("Planning..."));
    debounce_->start();
}

void RunAtScaleDialog::replan() {
    debounce_->stop();
    job_.reset();
    write_->setEnabled(false);
    const QString dir = jobDir_->text().trimmed();
    if (dir.isEmpty()) {
        summary_->setText(tr("Choose a job folder to see the plan."));
        plan_->clear();
        return;
    }
    const Source source = Source(source_->currentData().toInt());
    if (source == Source::Folder && folder_->text().trimmed().isEmpty()) {
        summary_->setText(tr("Choose the folder of scenes to see the plan."));
        plan_->clear();
        return;
    }
    const rb::Recipe recipe = chosenRecipe();
    const rb::JobPlanOptions options = chosenOptions();
    std::vector<rb::SceneSource> scenes;
    if (source == Source::Stack)
        scenes = stack_;
    else if (source == Source::Catalog)
        for (const QString& p : catalog_)
            scenes.push_back(rb::SceneSource{{p.toStdString()}});
    const std::string folder = folder_->text().trimmed().toStdString();
    const std::string jobDir = QDir(dir).absolutePath().toStdString();

    showMessage({}, false);
    progress_->setValue(0);
    cancel_->setEnabled(true);
    summary_->setText(options.sample ? tr("Planning (timing one tile)...") : tr("Planning..."));
    JobOptions jo;
    jo.label = tr("Planning the job");
    jo.progress = [this](double f) { progress_->setValue(int(std::lround(f * 1000))); };
    jo.ended = [this](quint64 id, JobOutcome outcome) {
        if (id != current_)
            return;
        cancel_->setEnabled(false);
        if (outcome == JobOutcome::Cancelled) {
            summary_->setText(tr("Planning cancelled."));
            emit planFailed(tr("Planning cancelled"));
        }
    };
    current_ = lane_->run(
        std::move(jo),
        [recipe, options, scenes, folder, jobDir, source](JobContext& ctx) {
            std::vector<rb::SceneSource> inputs = scenes;
            if (source == Source::Folder) {
                for (const rb::CatalogEntry& e : rb::read_catalog({folder})) {
                    if (!e.problem.empty()) // a file the catalog could not read: no scene
                        throw rb::ArgumentError("'" + e.path + "' cannot be read: " + e.problem);
                    inputs.push_back(rb::SceneSource{{e.path}});
                }
                if (inputs.empty())
                    throw rb::ArgumentError("no scenes found in '" + folder + "'");
            } else if (inputs.empty()) {
                throw rb::ArgumentError(source == Source::Stack
                                            ? "the stack has no scenes to plan"
                                            : "the Catalog dock has no scenes selected");
            }
            ctx.throwIfCancelled();
            return std::make_shared<const rb::Job>(
                rb::prepare_job(recipe, inputs, jobDir, options, rb::Progress(ctx.progressFn())));
        },
        [this](const std::shared_ptr<const rb::Job>& job) { showPlan(job); },
        [this](const QString& message) {
            summary_->setText(tr("No plan."));
            plan_->clear();
            showMessage(message, true);
            emit planFailed(message);
        });
}

void RunAtScaleDialog::showPlan(const std::shared_ptr<const rb::Job>& job) {
    job_ = job;
    progress_->setValue(1000);
    QStringList stages;
    std::int64_t read = 0, written = 0;
    for (const rb::JobStage& s : job->stages) {
        stages << tr("%1 %2").arg(QString::fromStdString(s.name)).arg(s.tasks.size());
        read += s.bytes_read;
        written += s.bytes_written;
    }
    const double cpu = rb::job_cpu_seconds(*job);
    const bool sampled = QString::fromStdString(job->estimate_source).startsWith("sampled");
    QStringList walls;
    for (int workers : {1, 10, 100, 1000})
        walls << tr("%1: %2").arg(workers).arg(secondsText(rb::job_wall_seconds(*job, workers)));
    summary_->setText(
        tr("<b>%1 scenes, %2 tasks</b> (%3)<br>CPU: %4 CPU-hours, %5<br>reads %6, writes %7, "
           "output %8 (uncompressed)<br>wall clock by workers: %9")
            .arg(job->scenes.size())
            .arg([&] {
                std::size_t n = 0;
                for (const auto& s : job->stages)
                    n += s.tasks.size();
                return n;
            }())
            .arg(stages.join(QStringLiteral(", ")))
            .arg(cpu / 3600, 0, 'f', 3)
            .arg(tr("%1 in total (%2)")
                     .arg(secondsText(cpu), sampled ? tr("sampled") : tr("modelled")))
            .arg(bytesText(double(read)), bytesText(double(written)),
                 bytesText(double(rb::job_output_bytes(*job))), walls.join(QStringLiteral(", "))));
    plan_->setPlainText(QString::fromStdString(rb::describe_job(*job)));
    write_->setEnabled(!writeLane_->busy()); // a write under way re-enables it when done
    emit planned();
}

bool RunAtScaleDialog::isWriting() const {
    return writeLane_->busy();
}

bool RunAtScaleDialog::writeJob() {
    if (!job_) {
        const QString e = tr("No plan for these parameters yet");
        showMessage(e, true);
        emit writeFailed(e);
        return false;
    }
    write_->setEnabled(false); // one write at a time
    showMessage(tr("Writing %1...").arg(QString::fromStdString(job_->dir)), false);
    const auto finished = [this] { write_->setEnabled(job_ != nullptr); };
    writeLane_->run(
        [job = job_](JobContext&) {
            rb::write_job(*job);
            return job;
        },
        [this, finished](const std::shared_ptr<const rb::Job>& job) {
            finished();
            const QString dir = QString::fromStdString(job->dir);
            const std::string engine = job->options.engine;
            const QString next =
                engine == "slurm"        ? tr("submit: %1/submit-slurm.sh").arg(dir)
                : engine == "kubernetes" ? tr("submit: kubectl apply -f %1/kubernetes/ "
                                              "(one stage after another)")
                                               .arg(dir)
                : engine == "aws-batch" ? tr("submit: %1/aws-batch/submit.sh").arg(dir)
                                        : tr("run: %1/run-local.sh [WORKERS]").arg(dir);
            showMessage(tr("Wrote %1/job.json; %2. File > Open Job Folder follows it on the map.")
                            .arg(dir, next),
                        false);
            emit written(dir);
        },
        [this, finished](const QString& error) {
            finished();
            showMessage(error, true);
            emit writeFailed(error);
        });
    return true;
}

void RunAtScaleDialog::showMessage(const QString& text, bool error) {
    message_->setText(text);
    message_->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
}

} // namespace rb::ui
