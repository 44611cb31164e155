// Run at Scale in the workbench: the planner dialog shows the plan `rasterbench-cli plan`
// makes of the same recipe and scenes (tasks per stage, sampled or modelled estimate)
// without writing anything, writes the job folder, refuses a folder holding another job;
// a job folder opened on the map colours its tiles by the task markers (a task run by
// `rasterbench-cli task` is done, the rest missing; a deleted marker turns its tile missing
// again; a running-marker of a live process is running, of a dead one failed); the tiles of
// every stage are shown (the latest with a done task first, any other chosen in the panel),
// a stage in another CRS listed but not drawn.
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <unistd.h>

#include <memory>

#include "JobFolderLayer.h"
#include "JobFolderView.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "OverlayList.h"
#include "RunAtScaleDialog.h"
#include "ScorePanel.h"
#include "rasterbench/job.h"
#include "rasterbench/recipe.h"

using rb::ui::JobFolderLayer;
using rb::ui::MainWindow;
using rb::ui::RunAtScaleDialog;

namespace {

constexpr int kWaitMs = 10000;

/// The three 61 x 61 Landsat scenes of tests/data/deband.
std::vector<rb::SceneSource> scenes() {
    std::vector<rb::SceneSource> out;
    const QDir dir(QStringLiteral(RB_TEST_DATA "/deband"));
    for (const QString& f : dir.entryList({QStringLiteral("*_sr.tif")}, QDir::Files, QDir::Name))
        out.push_back(rb::SceneSource{{dir.absoluteFilePath(f).toStdString()}});
    return out;
}

/// A composite in blocks of 16 px, so that tiles of 32 px split the scenes into 2 x 2.
const char* kRecipe = R"({"format": "rasterbench-recipe", "version": 1,
  "steps": [{"type": "composite", "score": {"method": "darkness"}, "params": {"method": "best"}}],
  "output": {"block_size": 16, "tile_size": 16}})";

/// "stage NAME: N task(s)" lines and the estimate's kind from a plan's text.
struct PlanFacts {
    QMap<QString, int> tasks;
    QString estimate; ///< "sampled" or "model"
};
PlanFacts facts(const QString& text) {
    PlanFacts f;
    static const QRegularExpression stage(QStringLiteral("^stage (\\w+): (\\d+) task"),
                                          QRegularExpression::MultilineOption);
    for (auto it = stage.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        f.tasks[m.captured(1)] = m.captured(2).toInt();
    }
    static const QRegularExpression est(QStringLiteral("^estimates: (\\w+)"),
                                        QRegularExpression::MultilineOption);
    f.estimate = est.match(text).captured(1);
    return f;
}

QString runCli(const QStringList& args, const QProcessEnvironment& env = {}) {
    QProcess p;
    if (!env.isEmpty())
        p.setProcessEnvironment(env);
    p.start(QStringLiteral(RB_CLI), args);
    if (!p.waitForFinished(kWaitMs) || p.exitCode() != 0)
        return QStringLiteral("FAILED: ") + QString::fromUtf8(p.readAllStandardError());
    return QString::fromUtf8(p.readAllStandardOutput());
}

} // namespace

class TestRunAtScale : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    rb::Recipe recipe_;
    QString recipePath_;

    std::unique_ptr<RunAtScaleDialog> dialog(const QString& jobDir) {
        auto d = std::make_unique<RunAtScaleDialog>(recipe_, scenes(), QStringList());
        d->setExecutable(QStringLiteral(RB_CLI));
        d->tileSizeBox()->setValue(32);
        d->setJobDir(jobDir);
        return d;
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        recipe_ = rb::parse_recipe(kRecipe, "test recipe");
        recipePath_ = tmp_.filePath(QStringLiteral("recipe.json"));
        QFile f(recipePath_);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kRecipe);
        QCOMPARE(scenes().size(), std::size_t(3));
    }

    void planMatchesCli() {
        for (const bool sample : {true, false}) {
            const QString guiDir = tmp_.filePath(sample ? "gui-sampled" : "gui-model");
            const QString cliDir = tmp_.filePath(sample ? "cli-sampled" : "cli-model");
            auto d = dialog(guiDir);
            d->sampleCheck()->setChecked(sample);
            QSignalSpy planned(d.get(), &RunAtScaleDialog::planned);
            QVERIFY(d->isPlanning());
            QVERIFY2(planned.wait(kWaitMs), qPrintable(d->messageLabel()->text()));
            QVERIFY(d->plan());
            QVERIFY(d->writeButton()->isEnabled());
            // Nothing written before the user asks.
            QVERIFY(!QFileInfo::exists(guiDir));

            QStringList args{QStringLiteral("plan"),        recipePath_,
                             QStringLiteral("--job-dir"),   cliDir,
                             QStringLiteral("--tile-size"), QStringLiteral("32")};
            for (const auto& s : scenes())
                args << QString::fromStdString(s.files.front());
            if (!sample)
                args << QStringLiteral("--no-sample");
            const QString cli = runCli(args);
            QVERIFY2(!cli.startsWith("FAILED"), qPrintable(cli));
            const PlanFacts want = facts(cli), got = facts(d->planText()->toPlainText());
            QCOMPARE(want.tasks.value("tiles"), 4);
            QCOMPARE(got.tasks, want.tasks);
            QCOMPARE(got.estimate, sample ? QStringLiteral("sampled") : QStringLiteral("model"));
            QCOMPARE(got.estimate, want.estimate);
            QVERIFY(d->summaryLabel()->text().contains(sample ? "sampled" : "modelled"));
            // The same tiles as the CLI's job.json.
            const rb::Job cliJob = rb::load_job(cliDir.toStdString());
            QCOMPARE(d->plan()->stage("tiles").tasks.size(), cliJob.stage("tiles").tasks.size());
            QCOMPARE(d->plan()->halo, cliJob.halo);
        }
    }

    void scenesFromFolderOrCatalog() {
        // A folder searched like the Catalog dock: the three scenes of tests/data/deband.
        auto d = dialog(tmp_.filePath("gui-folder"));
        d->sampleCheck()->setChecked(false);
        d->setSource(RunAtScaleDialog::Source::Folder);
        d->setFolder(QStringLiteral(RB_TEST_DATA "/deband"));
        QSignalSpy planned(d.get(), &RunAtScaleDialog::planned);
        QVERIFY2(planned.wait(kWaitMs), qPrintable(d->messageLabel()->text()));
        QCOMPARE(d->plan()->scenes.size(), std::size_t(3));
        // The catalog's selection: the scenes it names, here two.
        QStringList two;
        for (const auto& s : scenes())
            if (two.size() < 2)
                two << QString::fromStdString(s.files.front());
        RunAtScaleDialog c(recipe_, {}, two);
        c.sampleCheck()->setChecked(false);
        c.tileSizeBox()->setValue(32);
        c.setJobDir(tmp_.filePath("gui-catalog"));
        QCOMPARE(c.sourceCombo()->currentData().toInt(), int(RunAtScaleDialog::Source::Catalog));
        QSignalSpy planned2(&c, &RunAtScaleDialog::planned);
        QVERIFY2(planned2.wait(kWaitMs), qPrintable(c.messageLabel()->text()));
        QCOMPARE(c.plan()->scenes.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(c.plan()->scenes[1].source.files.front()), two[1]);
        // An empty stack: said so, no plan.
        c.setSource(RunAtScaleDialog::Source::Stack);
        QSignalSpy failed(&c, &RunAtScaleDialog::planFailed);
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY(c.messageLabel()->text().contains("the stack has no scenes"));
        QVERIFY(!c.plan());
    }

    void changeDropsThePlan() {
        auto d = dialog(tmp_.filePath("gui-change"));
        d->sampleCheck()->setChecked(false);
        QSignalSpy planned(d.get(), &RunAtScaleDialog::planned);
        QVERIFY(planned.wait(kWaitMs));
        QVERIFY(d->plan());
        d->tileSizeBox()->setValue(16);
        QVERIFY(!d->plan()); // stale: dropped at once
        QVERIFY(!d->writeButton()->isEnabled());
        QVERIFY(planned.wait(kWaitMs));
        QCOMPARE(d->plan()->stage("tiles").tasks.size(), std::size_t(16));
    }

    void cancelStopsPlanning() {
        auto d = dialog(tmp_.filePath("gui-cancel"));
        QSignalSpy planned(d.get(), &RunAtScaleDialog::planned);
        QSignalSpy failed(d.get(), &RunAtScaleDialog::planFailed);
        d->replan(); // starts the sampled plan now
        QVERIFY(d->cancelButton()->isEnabled());
        d->cancelButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWaitMs);
        QVERIFY(failed.front().front().toString().contains("cancelled"));
        QVERIFY(!d->plan());
        QVERIFY(!d->writeButton()->isEnabled());
        QVERIFY(!d->isPlanning());
        QCOMPARE(planned.size(), 0);
        if (qEnvironmentVariableIsSet("RB_RUNATSCALE_SHOTS")) { // a look at the dialog
            d->resize(640, 720);
            d->replan();
            QVERIFY(planned.wait(kWaitMs));
            d->grab().save(qEnvironmentVariable("RB_RUNATSCALE_SHOTS") + "/dialog.png");
        }
    }

    void writesAndRefusesAnotherJob() {
        const QString dir = tmp_.filePath("gui-write");
        auto d = dialog(dir);
        d->sampleCheck()->setChecked(false);
        QSignalSpy planned(d.get(), &RunAtScaleDialog::planned);
        QVERIFY(planned.wait(kWaitMs));
        QSignalSpy written(d.get(), &RunAtScaleDialog::written);
        QSignalSpy failed(d.get(), &RunAtScaleDialog::writeFailed);
        // Written in the background (a cluster's folder may be on a slow network file system).
        QVERIFY(d->writeJob());
        QVERIFY(d->isWriting() || written.size() == 1);
        QTRY_COMPARE_WITH_TIMEOUT(written.size(), 1, kWaitMs);
        QVERIFY(!d->isWriting());
        QVERIFY(QFileInfo::exists(dir + "/job.json"));
        QVERIFY(QFileInfo::exists(dir + "/submit-slurm.sh"));
        QCOMPARE(rb::load_job(dir.toStdString()).stage("tiles").tasks.size(), std::size_t(4));
        // The same job again: written again (keeps its done tasks).
        QVERIFY(d->writeJob());
        QTRY_COMPARE_WITH_TIMEOUT(written.size(), 2, kWaitMs);
        // Another tiling into the same folder: refused, the job there untouched.
        d->tileSizeBox()->setValue(48);
        QVERIFY(planned.wait(kWaitMs));
        QVERIFY(d->writeJob());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWaitMs);
        const QString error = failed.last().at(0).toString();
        QVERIFY2(error.contains("already holds a different job"), qPrintable(error));
        QVERIFY(d->messageLabel()->text().contains("different job"));
        QCOMPARE(rb::load_job(dir.toStdString()).tile_size, 32);
    }

    void jobFolderOnTheMap() {
        // A job planned by the CLI; one tile run by `task` with the engine's index variable.
        const QString dir = tmp_.filePath("map-job");
        QStringList args{
            QStringLiteral("plan"),        recipePath_,          QStringLiteral("--job-dir"),  dir,
            QStringLiteral("--tile-size"), QStringLiteral("32"), QStringLiteral("--no-sample")};
        for (const auto& s : scenes())
            args << QString::fromStdString(s.files.front());
        QVERIFY(!runCli(args).startsWith("FAILED"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_ARRAY_TASK_ID"), QStringLiteral("0"));
        const QString ran = runCli(
            {QStringLiteral("task"), dir, QStringLiteral("--stage"), QStringLiteral("tiles")}, env);
        QVERIFY2(ran.contains("index 0 from SLURM_ARRAY_TASK_ID"), qPrintable(ran));

        MainWindow w;
        w.setPersistent(false);
        w.resize(900, 600);
        w.show();
        QVERIFY(w.openJobFolder(dir));
        JobFolderLayer* layer = w.jobFolderLayer();
        layer->setPollInterval(300);
        QTRY_VERIFY_WITH_TIMEOUT(layer->tileStates().size() == 4, kWaitMs);
        using S = JobFolderLayer::TileState;
        QCOMPARE(layer->tileStates(),
                 (std::vector<S>{S::Done, S::Missing, S::Missing, S::Missing}));
        const JobFolderLayer::Counts c = layer->counts();
        QVERIFY(c.done == 1 && c.missing == 3 && c.running == 0 && c.failed == 0);
        auto* view = w.findChild<rb::ui::JobFolderView*>();
        QVERIFY(view);
        QVERIFY(view->countsLabel()->text().contains("tiles: 1 done, 0 running, 3 missing"));
        QVERIFY(view->resubmitText()->toPlainText().contains("--array=1-3"));
        // A layer of the map, listed in the Layers panel; the job's scene opened under it.
        QVERIFY(w.canvas()->overlayIds().contains(JobFolderLayer::kOverlayId));
        QTRY_VERIFY_WITH_TIMEOUT(w.canvas()->overlayDrawn(JobFolderLayer::kOverlayId), kWaitMs);
        QVERIFY(w.overlayList()->listedIds().contains(JobFolderLayer::kOverlayId));
        const QImage img = w.canvas()->overlay(JobFolderLayer::kOverlayId);
        const QColor done = img.pixelColor(10, 10), missing = img.pixelColor(50, 50);
        QVERIFY2(done.green() > done.red() && done.green() > done.blue(),
                 qPrintable(done.name(QColor::HexArgb)));
        QVERIFY(missing.red() == missing.green() && missing.green() == missing.blue());

        if (qEnvironmentVariableIsSet("RB_RUNATSCALE_SHOTS")) {
            w.grab().save(qEnvironmentVariable("RB_RUNATSCALE_SHOTS") + "/map.png");
            view->grab().save(qEnvironmentVariable("RB_RUNATSCALE_SHOTS") + "/view.png");
        }
        // The done marker deleted: the tile turns missing on the next read (the folder
        // watcher or the poll, without a call).
        QVERIFY(QFile::remove(dir + "/done/tiles-0.json"));
        QTRY_VERIFY_WITH_TIMEOUT(layer->tileStates().at(0) == S::Missing, kWaitMs);
        QCOMPARE(layer->counts().missing, 4);

        // Running-markers: this process (alive) is running; a finished child is gone: failed.
        QDir().mkpath(dir + "/running");
        auto mark = [&](int tile, qint64 pid) {
            QFile m(dir + QStringLiteral("/running/tiles-%1.json").arg(tile));
            QVERIFY(m.open(QIODevice::WriteOnly));
            m.write(QStringLiteral(R"({"host": "%1", "pid": %2})")
                        .arg(QSysInfo::machineHostName())
                        .arg(pid)
                        .toUtf8());
        };
        QProcess gone;
        gone.start(QStringLiteral("true"));
        QVERIFY(gone.waitForStarted(kWaitMs));
        const qint64 gonePid = gone.processId();
        QVERIFY(gone.waitForFinished(kWaitMs)); // reaped: the pid names no process now
        mark(1, qint64(getpid()));
        mark(2, gonePid);
        layer->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(layer->tileStates().at(1) == S::Running &&
                                     layer->tileStates().at(2) == S::Failed,
                                 kWaitMs);
        const JobFolderLayer::Counts c2 = layer->counts();
        QVERIFY(c2.done == 0 && c2.running == 1 && c2.failed == 1 && c2.missing == 2);

        // Removed in the Layers panel: the job is closed.
        w.overlayList()->select(JobFolderLayer::kOverlayId);
        w.overlayList()->removeButton()->click();
        QVERIFY(!layer->isOpen());
    }

    void jobFolderStages() {
        // A composite, a fill per tile (same grid) and a reprojection to geographic
        // coordinates (a grid in another CRS); the composite's tiles and the fill's first
        // task run.
        const QString recipe = tmp_.filePath(QStringLiteral("stages-recipe.json"));
        {
            QFile f(recipe);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"format\": \"rasterbench-recipe\", \"version\": 1, \"steps\": ["
                    "{\"type\": \"composite\", \"score\": {\"method\": \"darkness\"}, "
                    "\"params\": {\"method\": \"best\"}}, "
                    "{\"type\": \"fill\", \"params\": {\"max_distance\": 5}}, "
                    "{\"type\": \"reproject\", \"params\": {\"dst_crs\": \"EPSG:4326\"}}], "
                    "\"output\": {\"block_size\": 16, \"tile_size\": 16}}");
        }
        const QString dir = tmp_.filePath(QStringLiteral("stages-job"));
        QStringList args{QStringLiteral("plan"),        recipe,
                         QStringLiteral("--job-dir"),   dir,
                         QStringLiteral("--tile-size"), QStringLiteral("32"),
                         QStringLiteral("--no-sample")};
        for (const auto& s : scenes())
            args << QString::fromStdString(s.files.front());
        const QString planned = runCli(args);
        QVERIFY2(!planned.startsWith("FAILED"), qPrintable(planned));
        auto task = [&](const char* stage, int index) {
            const QString out = runCli({QStringLiteral("task"), dir, QStringLiteral("--stage"),
                                        QString::fromLatin1(stage), QStringLiteral("--index"),
                                        QString::number(index)});
            QVERIFY2(!out.startsWith("FAILED"), qPrintable(out));
        };
        for (int i = 0; i < 4; ++i)
            task("tiles", i);
        task("fill2", 0);

        MainWindow w;
        w.setPersistent(false);
        w.resize(900, 600);
        w.show();
        QVERIFY(w.openJobFolder(dir));
        JobFolderLayer* layer = w.jobFolderLayer();
        QTRY_VERIFY_WITH_TIMEOUT(!layer->tileStates().empty(), kWaitMs);
        using S = JobFolderLayer::TileState;
        // Every stage with tiles is listed; shown first: the latest with a done task.
        QCOMPARE(layer->tileStages(), (QStringList{"tiles", "fill2", "reproject3"}));
        QCOMPARE(layer->stage(), QStringLiteral("fill2"));
        QCOMPARE(layer->tileStates(),
                 (std::vector<S>{S::Done, S::Missing, S::Missing, S::Missing}));
        auto* view = w.findChild<rb::ui::JobFolderView*>();
        QVERIFY(view);
        QComboBox* box = view->stageBox();
        QCOMPARE(box->count(), 3);
        QCOMPARE(box->currentData().toString(), QStringLiteral("fill2"));
        QVERIFY(box->itemText(0).contains("4 of 4 done"));
        QVERIFY(box->itemText(2).contains("another CRS"));
        QVERIFY(view->stageNote()->isHidden());
        // The fill's tiles on the map: tile 0 done (green), tile 3 missing (grey).
        QTRY_VERIFY_WITH_TIMEOUT(w.canvas()->overlayDrawn(JobFolderLayer::kOverlayId), kWaitMs);
        QImage img = w.canvas()->overlay(JobFolderLayer::kOverlayId);
        QColor done = img.pixelColor(10, 10), missing = img.pixelColor(50, 50);
        QVERIFY2(done.green() > done.red() && done.green() > done.blue(),
                 qPrintable(done.name(QColor::HexArgb)));
        QVERIFY(missing.alpha() > 0 && missing.red() == missing.green() &&
                missing.green() == missing.blue());

        // The composite's stage chosen in the panel: all four done.
        box->setCurrentIndex(0);
        emit box->activated(0);
        QCOMPARE(layer->stage(), QStringLiteral("tiles"));
        QCOMPARE(layer->tileStates(), (std::vector<S>(4, S::Done)));
        img = w.canvas()->overlay(JobFolderLayer::kOverlayId);
        missing = img.pixelColor(50, 50);
        QVERIFY2(missing.green() > missing.red(), qPrintable(missing.name(QColor::HexArgb)));

        // The reprojection: its tiles listed, all missing, not drawn; the panel says why.
        box->setCurrentIndex(2);
        emit box->activated(2);
        QCOMPARE(layer->stage(), QStringLiteral("reproject3"));
        const std::size_t warpTasks =
            rb::load_job(dir.toStdString()).stage("reproject3").tasks.size();
        QVERIFY(warpTasks >= 1);
        QCOMPARE(layer->tileStates(), std::vector<S>(warpTasks, S::Missing));
        QVERIFY(!layer->stageOnMap(QStringLiteral("reproject3")));
        QVERIFY(!view->stageNote()->isHidden());
        QVERIFY2(view->stageNote()->text().contains("another CRS (WGS 84)"),
                 qPrintable(view->stageNote()->text()));
        img = w.canvas()->overlay(JobFolderLayer::kOverlayId);
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                QCOMPARE(img.pixelColor(x, y).alpha(), 0);
        // Still a layer of the map (the job stays open), and a refresh keeps the choice.
        QVERIFY(w.canvas()->overlayIds().contains(JobFolderLayer::kOverlayId));
        QSignalSpy updated(layer, &JobFolderLayer::updated);
        layer->refresh();
        QVERIFY(updated.wait(kWaitMs));
        QCOMPARE(layer->stage(), QStringLiteral("reproject3"));
        QVERIFY(layer->isOpen());
        layer->close();
    }

    void scorePanelOpensTheDialog() {
        MainWindow w;
        w.setPersistent(false);
        auto* button = w.scorePanel()->findChild<QToolButton*>(QStringLiteral("runAtScaleButton"));
        QVERIFY(button);
        button->click();
        auto* d = w.findChild<RunAtScaleDialog*>();
        QVERIFY(d);
        // The panels' recipe: its composite is one of the steps offered.
        QVERIFY(d->stepList()->count() >= 1);
        bool composite = false;
        for (const auto& s : d->chosenRecipe().steps)
            composite |= std::holds_alternative<rb::CompositeStep>(s);
        QVERIFY(composite);
        d->close();
    }
};

QTEST_MAIN(TestRunAtScale)
#include "tst_runatscale.moc"
