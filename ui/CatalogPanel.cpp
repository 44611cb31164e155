#include "CatalogPanel.h"

#include <QCheckBox>
#include <QDate>
#include <QDateEdit>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

#include "CatalogModel.h"
#include "CatalogTimeline.h"
#include "JobLane.h"
#include "rasterbench/catalog_progress.h"

namespace rb::ui {

namespace {

const char* const kDirKey = "catalog/lastDir";

QDate toQDate(const rb::SceneDate& d) {
    return QDate(d.year, d.month, d.day);
}

rb::SceneDate toSceneDate(const QDate& d) {
    return rb::SceneDate{d.year(), d.month(), d.day()};
}

/// A scene the stack can open by itself: a raster, not a product's metadata file or a STAC
/// item without a data asset ("items.json#id").
bool openable(const rb::CatalogEntry& e) {
    const QString path = QString::fromStdString(e.path);
    if (path.contains(QLatin1Char('#')))
        return false;
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix != QLatin1String("txt") && suffix != QLatin1String("json") &&
           suffix != QLatin1String("xml") && suffix != QLatin1String("geojson");
}

/// "Mar 1" for a day of the year (of a common year).
QString dayName(int doy) {
    return QDate(2001, 1, 1).addDays(std::min(doy, 365) - 1).toString(QStringLiteral("MMM d"));
}

} // namespace

CatalogPanel::CatalogPanel(JobMonitor* monitor, QWidget* parent)
    : QWidget(parent), model_(new CatalogModel(this)), timeline_(new CatalogTimeline(this)),
      table_(new QTableView(this)), lane_(new JobLane(tr("Reading the catalog"), monitor, this)) {
    updating_ = true; // no filtering until every control exists
    auto* layout = new QVBoxLayout(this);

    auto* openRow = new QHBoxLayout;
    auto* openFolder = new QPushButton(tr("Open Folder..."), this);
    openFolder->setObjectName(QStringLiteral("catalogOpenFolder"));
    openFolder->setToolTip(tr("Read every product and raster under a folder"));
    auto* openFile = new QPushButton(tr("Open STAC or List..."), this);
    openFile->setObjectName(QStringLiteral("catalogOpenFile"));
    openFile->setToolTip(tr("Read a STAC Item or ItemCollection (.json) or a list of paths"));
    openRow->addWidget(openFolder);
    openRow->addWidget(openFile);
    openRow->addStretch(1);
    layout->addLayout(openRow);
    connect(openFolder, &QPushButton::clicked, this, &CatalogPanel::askFolder);
    connect(openFile, &QPushButton::clicked, this, &CatalogPanel::askFile);

    source_ = new QLabel(tr("No catalog open"), this);
    source_->setObjectName(QStringLiteral("catalogSource"));
    source_->setWordWrap(true);
    source_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(source_);

    auto* qaRow = new QFormLayout;
    qualityRule_ = new QLineEdit(this);
    qualityRule_->setObjectName(QStringLiteral("catalogQualityRule"));
    qualityRule_->setPlaceholderText(QStringLiteral("_stack.tif=_BQA.tif"));
    qualityRule_->setToolTip(
        tr("For rasters without product metadata: the quality file beside each one is its "
           "name with the first part replaced by the second; its cloud cover and valid share "
           "are computed from it"));
    qaRow->addRow(tr("Quality file:"), qualityRule_);
    layout->addLayout(qaRow);

    auto* progressRow = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("catalogProgress"));
    progress_->setRange(0, 1000);
    progress_->setTextVisible(false);
    cancel_ = new QToolButton(this);
    cancel_->setObjectName(QStringLiteral("catalogCancel"));
    cancel_->setText(tr("Cancel"));
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(cancel_);
    layout->addLayout(progressRow);
    progress_->hide();
    cancel_->hide();
    connect(cancel_, &QToolButton::clicked, this, &CatalogPanel::cancel);
    connect(lane_, &JobLane::busyChanged, this, &CatalogPanel::setLoading);

    // The filter: each line on when its box is ticked.
    auto* filter = new QFormLayout;
    auto dateRow = [this, filter](const QString& label, QCheckBox*& on, QDateEdit*& edit,
                                  const QString& name) {
        auto* row = new QHBoxLayout;
        on = new QCheckBox(label, this);
        on->setObjectName(name + QStringLiteral("On"));
        edit = new QDateEdit(this);
        edit->setObjectName(name);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setCalendarPopup(true);
        edit->setDateRange(QDate(1950, 1, 1), QDate(2100, 12, 31));
        edit->setEnabled(false);
        row->addWidget(on);
        row->addWidget(edit, 1);
        filter->addRow(row);
        connect(on, &QCheckBox::toggled, edit, &QWidget::setEnabled);
        connect(on, &QCheckBox::toggled, this, &CatalogPanel::applyFilter);
        connect(edit, &QDateEdit::dateChanged, this, &CatalogPanel::applyFilter);
    };
    dateRow(tr("From"), fromOn_, from_, QStringLiteral("catalogFrom"));
    dateRow(tr("To"), toOn_, to_, QStringLiteral("catalogTo"));
    from_->setDate(QDate(2000, 1, 1));
    to_->setDate(QDate::currentDate());

    auto* seasonRow = new QHBoxLayout;
    seasonOn_ = new QCheckBox(tr("Season, day"), this);
    seasonOn_->setObjectName(QStringLiteral("catalogSeasonOn"));
    seasonOn_->setToolTip(tr("Days of the year, inclusive; a first day after the last one "
                             "wraps the new year (335 to 59: December to February)"));
    doyFirst_ = new QSpinBox(this);
    doyFirst_->setObjectName(QStringLiteral("catalogDoyFirst"));
    doyLast_ = new QSpinBox(this);
    doyLast_->setObjectName(QStringLiteral("catalogDoyLast"));
    for (QSpinBox* s : {doyFirst_, doyLast_}) {
        s->setRange(1, 366);
        s->setEnabled(false);
        connect(seasonOn_, &QCheckBox::toggled, s, &QWidget::setEnabled);
        connect(s, &QSpinBox::valueChanged, this, &CatalogPanel::applyFilter);
    }
    doyFirst_->setValue(152); // June to August by default: a northern summer
    doyLast_->setValue(243);
    seasonRow->addWidget(seasonOn_);
    seasonRow->addWidget(doyFirst_);
    seasonRow->addWidget(new QLabel(QStringLiteral("\u2013"), this));
    seasonRow->addWidget(doyLast_);
    seasonRow->addStretch(1);
    filter->addRow(seasonRow);
    seasonText_ = new QLabel(this);
    seasonText_->setObjectName(QStringLiteral("catalogSeasonText"));
    filter->addRow(seasonText_);
    connect(seasonOn_, &QCheckBox::toggled, this, &CatalogPanel::applyFilter);

    auto* cloudRow = new QHBoxLayout;
    cloudOn_ = new QCheckBox(tr("Cloud at most"), this);
    cloudOn_->setObjectName(QStringLiteral("catalogCloudOn"));
    cloudOn_->setToolTip(tr("Scenes whose cloud cover is unknown are left out"));
    maxCloud_ = new QDoubleSpinBox(this);
    maxCloud_->setObjectName(QStringLiteral("catalogMaxCloud"));
    maxCloud_->setRange(0, 100);
    maxCloud_->setDecimals(1);
    maxCloud_->setSuffix(QStringLiteral(" %"));
    maxCloud_->setValue(20);
    maxCloud_->setEnabled(false);
    cloudRow->addWidget(cloudOn_);
    cloudRow->addWidget(maxCloud_, 1);
    filter->addRow(cloudRow);
    connect(cloudOn_, &QCheckBox::toggled, maxCloud_, &QWidget::setEnabled);
    connect(cloudOn_, &QCheckBox::toggled, this, &CatalogPanel::applyFilter);
    connect(maxCloud_, &QDoubleSpinBox::valueChanged, this, &CatalogPanel::applyFilter);
    auto* sensorRow = new QHBoxLayout;
    sensorOn_ = new QCheckBox(tr("Sensors"), this);
    sensorOn_->setObjectName(QStringLiteral("catalogSensorOn"));
    sensorOn_->setToolTip(tr("Only the ticked sensors; scenes whose sensor is unknown are "
                             "left out"));
    sensorMenu_ = new QMenu(this);
    sensorMenu_->setObjectName(QStringLiteral("catalogSensorMenu"));
    sensorButton_ = new QToolButton(this);
    sensorButton_->setObjectName(QStringLiteral("catalogSensors"));
    sensorButton_->setMenu(sensorMenu_);
    sensorButton_->setPopupMode(QToolButton::InstantPopup);
    sensorButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    sensorButton_->setEnabled(false);
    sensorRow->addWidget(sensorOn_);
    sensorRow->addWidget(sensorButton_, 1);
    // Says what it filters from the start ("none read yet"), as wide as the row.
    sensorButton_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    updateSensorButton();
    filter->addRow(sensorRow);
    connect(sensorOn_, &QCheckBox::toggled, sensorButton_, [this](bool on) {
        sensorButton_->setEnabled(on && !sensorMenu_->actions().isEmpty());
    });
    connect(sensorOn_, &QCheckBox::toggled, this, &CatalogPanel::applyFilter);
    layout->addLayout(filter);

    count_ = new QLabel(this);
    count_->setObjectName(QStringLiteral("catalogCount"));
    layout->addWidget(count_);

    table_->setObjectName(QStringLiteral("catalogTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setAlternatingRowColors(true);
    table_->setMinimumHeight(160);
    // An empty table has nothing to scroll to: its header alone does not scroll sideways.
    const auto scrollWhenFilled = [this] {
        table_->setHorizontalScrollBarPolicy(model_->rowCount() > 0 ? Qt::ScrollBarAsNeeded
                                                                    : Qt::ScrollBarAlwaysOff);
        if (model_->rowCount() == 0)
            table_->horizontalScrollBar()->setValue(0);
    };
    scrollWhenFilled();
    connect(model_, &QAbstractItemModel::modelReset, this, scrollWhenFilled);
    connect(model_, &QAbstractItemModel::rowsInserted, this, scrollWhenFilled);
    connect(model_, &QAbstractItemModel::rowsRemoved, this, scrollWhenFilled);
    connect(model_, &QAbstractItemModel::layoutChanged, this, scrollWhenFilled);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(timeline_);
    split->addWidget(table_);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &CatalogPanel::updateCount);
    // A bar clicked on the timeline selects its row.
    connect(timeline_, &CatalogTimeline::sceneClicked, this, [this](int entry) {
        const auto& shown = model_->shown();
        const auto it = std::find(shown.begin(), shown.end(), entry);
        if (it == shown.end()) {
            showStatus(tr("%1 is filtered out")
                           .arg(QFileInfo(QString::fromStdString(
                                              model_->entries()[std::size_t(entry)].path))
                                    .fileName()));
            return;
        }
        const int row = int(it - shown.begin());
        table_->selectRow(row);
        table_->scrollTo(model_->index(row, 0));
    });

    add_ = new QPushButton(tr("Add to Stack"), this);
    add_->setObjectName(QStringLiteral("catalogAdd"));
    add_->setEnabled(false);
    layout->addWidget(add_);
    connect(add_, &QPushButton::clicked, this, &CatalogPanel::addToStack);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("catalogStatus"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);
    updating_ = false;
    applyFilter();
}

CatalogPanel::~CatalogPanel() {
    // The lane first: its running read is cancelled and nothing reaches the widgets.
    delete lane_;
    lane_ = nullptr;
}

void CatalogPanel::askFolder() {
    QSettings settings;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Catalog Folder"),
                                                          settings.value(kDirKey).toString());
    if (dir.isEmpty())
        return;
    settings.setValue(kDirKey, dir);
    openPaths({dir});
}

void CatalogPanel::askFile() {
    QSettings settings;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open STAC Catalog or List"), settings.value(kDirKey).toString(),
        tr("STAC Items and lists (*.json *.geojson *.txt *.lst);;All files (*)"));
    if (files.isEmpty())
        return;
    settings.setValue(kDirKey, QFileInfo(files.first()).absolutePath());
    openPaths(files);
}

void CatalogPanel::setQualityRule(const QString& rule) {
    qualityRule_->setText(rule);
}

void CatalogPanel::openPaths(const QStringList& paths) {
    if (paths.isEmpty())
        return;
    std::vector<std::string> list;
    for (const QString& p : paths)
        list.push_back(QFileInfo(p).absoluteFilePath().toStdString());
    rb::CatalogReadOptions options;
    const QString rule = qualityRule_->text().trimmed();
    if (!rule.isEmpty()) {
        const qsizetype eq = rule.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == rule.size() - 1) {
            showStatus(
                tr("Quality file: \"%1\" is not FROM=TO (e.g. _stack.tif=_BQA.tif)").arg(rule),
                true);
            return;
        }
        options.qa_from = rule.left(eq).toStdString();
        options.qa_to = rule.mid(eq + 1).toStdString();
    }
    sources_ = paths;
    source_->setText(paths.size() == 1 ? QDir::toNativeSeparators(paths.first())
                                       : tr("%1 sources").arg(paths.size()));
    source_->setToolTip(paths.join(QLatin1Char('\n')));
    showStatus(tr("Reading..."));
    JobOptions job;
    job.progress = [this](double f) { progress_->setValue(int(f * 1000)); };
    job.ended = [this](quint64, JobOutcome outcome) {
        if (outcome == JobOutcome::Cancelled)
            showStatus(tr("Reading cancelled; the scenes listed before stay"));
    };
    progress_->setValue(0);
    lane_->run(
        std::move(job),
        [list, options](JobContext& ctx) {
            return rb::read_catalog(list, options, ctx.progressFn());
        },
        [this](std::vector<rb::CatalogEntry> all) {
            // Rasters that cannot be read are named in the status line, not listed as scenes.
            std::vector<rb::CatalogEntry> rows;
            QStringList unreadable;
            for (rb::CatalogEntry& e : all) {
                if (e.problem.empty())
                    rows.push_back(std::move(e));
                else
                    unreadable << QString::fromStdString(e.path + ": " + e.problem);
            }
            const int n = int(rows.size());
            // Date edits start at the catalog's first and last dates (unless already in use).
            QDate first, last;
            for (const rb::CatalogEntry& e : rows)
                if (e.date) {
                    const QDate d = toQDate(*e.date);
                    first = first.isValid() ? std::min(first, d) : d;
                    last = last.isValid() ? std::max(last, d) : d;
                }
            updating_ = true;
            if (first.isValid() && !fromOn_->isChecked())
                from_->setDate(first);
            if (last.isValid() && !toOn_->isChecked())
                to_->setDate(last);
            updating_ = false;
            model_->setEntries(std::move(rows));
            rebuildSensorMenu();
            applyFilter();
            if (!unreadable.isEmpty()) {
                showStatus(tr("%n file(s) could not be read and are not listed: %1", nullptr,
                              int(unreadable.size()))
                               .arg(unreadable.first()),
                           true);
                status_->setToolTip(unreadable.join(QLatin1Char('\n')));
            } else {
                showStatus(n == 0 ? tr("No products or rasters found") : QString());
            }
            emit loaded(n);
        },
        [this](const QString& message) {
            showStatus(message, true);
            emit loadFailed(message);
        });
}

void CatalogPanel::cancel() {
    lane_->cancel();
}

bool CatalogPanel::isLoading() const {
    return lane_ && lane_->busy();
}

void CatalogPanel::setLoading(bool loading) {
    progress_->setVisible(loading);
    cancel_->setVisible(loading);
    emit loadingChanged(loading);
}

rb::CatalogSelection CatalogPanel::selection() const {
    rb::CatalogSelection s;
    if (fromOn_->isChecked())
        s.from = toSceneDate(from_->date());
    if (toOn_->isChecked())
        s.to = toSceneDate(to_->date());
    if (seasonOn_->isChecked())
        s.doy = std::make_pair(doyFirst_->value(), doyLast_->value());
    if (cloudOn_->isChecked())
        s.max_cloud = maxCloud_->value();
    if (sensorOn_->isChecked()) {
        if (sensorMenu_->actions().isEmpty()) {
            s.sensors = wantedSensors_; // no rows yet: what was asked for stays
        } else {
            for (const QAction* a : sensorMenu_->actions())
                if (a->isChecked())
                    s.sensors.push_back(a->data().toString().toStdString());
            // Every sensor unticked keeps nothing: a name no sensor starts with.
            if (s.sensors.empty())
                s.sensors.push_back("(none)");
        }
    }
    return s;
}

void CatalogPanel::rebuildSensorMenu() {
    std::vector<std::string> found;
    for (const rb::CatalogEntry& e : model_->entries())
        if (!e.sensor.empty() && std::find(found.begin(), found.end(), e.sensor) == found.end())
            found.push_back(e.sensor);
    std::sort(found.begin(), found.end());
    // The ticks of the rows shown before carry over to the new rows.
    if (!sensorMenu_->actions().isEmpty()) {
        std::vector<std::string> ticked;
        for (const QAction* a : sensorMenu_->actions())
            if (a->isChecked())
                ticked.push_back(a->data().toString().toStdString());
        if (ticked.size() < std::size_t(sensorMenu_->actions().size()))
            wantedSensors_ = ticked.empty() ? std::vector<std::string>{"(none)"} : ticked;
        else
            wantedSensors_.clear();
    }
    // Ticked: every sensor, or those the last selection asked for.
    auto wanted = [this](const std::string& sensor) {
        if (wantedSensors_.empty())
            return true;
        rb::CatalogEntry probe;
        probe.sensor = sensor;
        rb::CatalogSelection only;
        only.sensors = wantedSensors_;
        return only.matches(probe);
    };
    sensorMenu_->clear();
    for (const std::string& name : found) {
        QAction* a = sensorMenu_->addAction(QString::fromStdString(name));
        a->setData(QString::fromStdString(name));
        a->setCheckable(true);
        a->setChecked(wanted(name));
        connect(a, &QAction::toggled, this, [this] {
            updateSensorButton();
            applyFilter();
        });
    }
    sensorButton_->setEnabled(sensorOn_->isChecked() && !found.empty());
    updateSensorButton();
}

void CatalogPanel::updateSensorButton() {
    QStringList ticked;
    int all = 0;
    for (const QAction* a : sensorMenu_->actions()) {
        ++all;
        if (a->isChecked())
            ticked << a->text();
    }
    sensorButton_->setText(all == 0               ? tr("none read yet")
                           : ticked.size() == all ? tr("all %n sensor(s)", nullptr, all)
                           : ticked.isEmpty()     ? tr("none")
                                                  : ticked.join(QStringLiteral(", ")));
}

void CatalogPanel::setSelection(const rb::CatalogSelection& s) {
    updating_ = true;
    fromOn_->setChecked(s.from.has_value());
    if (s.from)
        from_->setDate(toQDate(*s.from));
    toOn_->setChecked(s.to.has_value());
    if (s.to)
        to_->setDate(toQDate(*s.to));
    seasonOn_->setChecked(s.doy.has_value());
    if (s.doy) {
        doyFirst_->setValue(s.doy->first);
        doyLast_->setValue(s.doy->second);
    }
    cloudOn_->setChecked(s.max_cloud.has_value());
    if (s.max_cloud)
        maxCloud_->setValue(*s.max_cloud);
    sensorOn_->setChecked(!s.sensors.empty());
    sensorMenu_->clear(); // the ticks follow the new selection, not the old ones
    wantedSensors_ = s.sensors;
    rebuildSensorMenu();
    updating_ = false;
    applyFilter();
}

void CatalogPanel::applyFilter() {
    if (updating_)
        return;
    const int a = doyFirst_->value(), b = doyLast_->value();
    seasonText_->setText(a <= b ? tr("%1 to %2").arg(dayName(a), dayName(b))
                                : tr("%1 to %2, across the new year").arg(dayName(a), dayName(b)));
    const rb::CatalogSelection s = selection();
    model_->setSelection(s);
    std::vector<bool> kept(model_->entries().size(), false);
    for (int i : model_->shown())
        kept[std::size_t(i)] = true;
    timeline_->setScenes(model_->entries(), kept, s);
    updateCount();
}

void CatalogPanel::updateCount() {
    const int all = int(model_->entries().size());
    const int shown = model_->rowCount();
    const int chosen = int(table_->selectionModel()->selectedRows().size());
    count_->setText(all == 0 ? QString() : tr("%1 of %2 scenes").arg(shown).arg(all));
    add_->setEnabled(shown > 0);
    add_->setText(chosen > 0 ? tr("Add %n Selected Scene(s) to Stack", nullptr, chosen)
                             : tr("Add %n Scene(s) Shown to Stack", nullptr, shown));
}

QStringList CatalogPanel::pathsToAdd() const {
    std::vector<int> rows;
    for (const QModelIndex& i : table_->selectionModel()->selectedRows())
        rows.push_back(i.row());
    std::sort(rows.begin(), rows.end());
    if (rows.empty())
        for (int r = 0; r < model_->rowCount(); ++r)
            rows.push_back(r);
    QStringList paths;
    for (int r : rows) {
        const rb::CatalogEntry& e = model_->entryAt(r);
        if (openable(e))
            paths << QString::fromStdString(e.path);
    }
    return paths;
}

void CatalogPanel::addToStack() {
    const QStringList paths = pathsToAdd();
    const int wanted = table_->selectionModel()->selectedRows().isEmpty()
                           ? model_->rowCount()
                           : int(table_->selectionModel()->selectedRows().size());
    const int skipped = wanted - int(paths.size());
    if (paths.isEmpty()) {
        showStatus(tr("None of these scenes is a raster the stack can open (product metadata "
                      "without a stacked raster): open their band files instead"),
                   true);
        return;
    }
    showStatus(skipped > 0 ? tr("Added %1 scenes; %2 left out: product metadata without a "
                                "stacked raster (open their band files instead)")
                                 .arg(paths.size())
                                 .arg(skipped)
                           : tr("Added %n scene(s) to the stack", nullptr, int(paths.size())));
    emit addToStackRequested(paths);
}

QString CatalogPanel::status() const {
    return status_->text();
}

void CatalogPanel::showStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setToolTip(QString()); // a list of unreadable files belongs to its own message
    status_->setStyleSheet(error ? QStringLiteral("QLabel { color: #b03a2e; }") : QString());
}

} // namespace rb::ui
