// The Catalog dock on the offscreen platform, over real product folders: the Landsat 8 stacks
// with their BQA files (cloud cover from the quality band) and the product metadata samples
// (Landsat MTL, Sentinel-2 MTD), a STAC ItemCollection written by the test over the Landsat
// stacks, and a folder of 1,000 Landsat products generated from a real MTL. The panel's rows
// and filters are compared with the engine's read_catalog / select_scenes; reading runs in
// the background (the event loop keeps turning, progress arrives, Cancel stops it), and the
// Catalog workspace adds the selected scenes to the main window's stack.
#include <QCheckBox>
#include <QDateEdit>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "CatalogModel.h"
#include "CatalogPanel.h"
#include "CatalogTimeline.h"
#include "MainWindow.h"
#include "SceneStack.h"
#include "Workspaces.h"
#include "rasterbench/catalog.h"

using namespace rb::ui;

namespace {

constexpr int kWaitMs = 30000;
const QString kLandsat = QStringLiteral(RB_CATALOG_DATA "/landsat8");
const QString kProducts = QStringLiteral(RB_CATALOG_DATA "/products");
const QString kRule = QStringLiteral("_stack.tif=_BQA.tif");

std::vector<rb::CatalogEntry> engineRows(const QString& path) {
    rb::CatalogReadOptions o;
    o.qa_from = "_stack.tif";
    o.qa_to = "_BQA.tif";
    return rb::read_catalog({path.toStdString()}, o);
}

QStringList shownPaths(const CatalogPanel& panel) {
    QStringList out;
    for (int r = 0; r < panel.model()->rowCount(); ++r)
        out << QString::fromStdString(panel.model()->entryAt(r).path);
    return out;
}

QStringList paths(const std::vector<rb::CatalogEntry>& rows) {
    QStringList out;
    for (const rb::CatalogEntry& e : rows)
        out << QString::fromStdString(e.path);
    return out;
}

bool read(CatalogPanel& panel, const QStringList& sources) {
    QSignalSpy done(&panel, &CatalogPanel::loaded);
    panel.openPaths(sources);
    return done.wait(kWaitMs) || done.count() > 0;
}

} // namespace

class TestCatalog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString thousand_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
        // 1,000 Landsat 8 products: a real Collection 2 MTL with its product id, date and
        // cloud cover changed, one every four days from 2015 on.
        QFile mtl(kProducts + "/LC08_L1TP_188018_20200927_20201005_02_T1_MTL.txt");
        QVERIFY(mtl.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(mtl.readAll());
        thousand_ = dir_.filePath(QStringLiteral("thousand"));
        QVERIFY(QDir().mkpath(thousand_));
        const QDate start(2015, 1, 1);
        for (int i = 0; i < 1000; ++i) {
            const QDate d = start.addDays(4 * i);
            const QString id = QStringLiteral("LC08_L1TP_188018_%1_20201005_02_T1")
                                   .arg(d.toString(QStringLiteral("yyyyMMdd")));
            QString t = text;
            t.replace(QStringLiteral("LC08_L1TP_188018_20200927_20201005_02_T1"), id);
            t.replace(QStringLiteral("DATE_ACQUIRED = 2020-09-27"),
                      QStringLiteral("DATE_ACQUIRED = ") + d.toString(Qt::ISODate));
            t.replace(QRegularExpression(QStringLiteral("CLOUD_COVER = [0-9.]+")),
                      QStringLiteral("CLOUD_COVER = %1").arg((i * 37) % 100));
            const QString folder = thousand_ + "/" + id;
            QVERIFY(QDir().mkpath(folder));
            QFile out(folder + "/" + id + "_MTL.txt");
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(t.toUtf8());
        }
    }

    void readsLandsatStacksWithTheirQuality() {
        CatalogPanel panel;
        panel.setQualityRule(kRule);
        QVERIFY(read(panel, {kLandsat}));
        const auto expected = engineRows(kLandsat);
        QCOMPARE(expected.size(), std::size_t(3));
        QCOMPARE(panel.model()->rowCount(), 3);
        QCOMPARE(shownPaths(panel), paths(expected));
        for (int r = 0; r < 3; ++r) {
            const rb::CatalogEntry& e = panel.model()->entryAt(r);
            QVERIFY(e.cloud_cover.has_value());
            QCOMPARE(*e.cloud_cover, *expected[std::size_t(r)].cloud_cover);
            QCOMPARE(QString::fromStdString(e.cloud_source), QStringLiteral("qa"));
            // The table shows the row's date and cloud cover.
            QCOMPARE(panel.model()->index(r, CatalogModel::Date).data().toString(),
                     QString::fromStdString(e.date->iso()));
            QCOMPARE(panel.model()->index(r, CatalogModel::Cloud).data().toString(),
                     QString::number(*e.cloud_cover, 'f', 1));
        }
        QCOMPARE(panel.timeline()->keptBarCount(), 3);
        QCOMPARE(panel.timeline()->otherBarCount(), 0);
        // Clicking a bar selects its row.
        panel.resize(500, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.timeline()->plot()->replot();
        QCustomPlot* plot = panel.timeline()->plot();
        const double x = plot->xAxis->coordToPixel(CatalogTimeline::key(*expected[1].date));
        QCOMPARE(panel.timeline()->entryAt(x), 1);
        QCOMPARE(panel.timeline()->entryAt(x + 40), -1);
        QTest::mouseClick(plot, Qt::LeftButton, {},
                          QPoint(int(std::lround(x)), plot->height() - 30));
        QCOMPARE(panel.table()->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(panel.table()->selectionModel()->selectedRows().first().row(), 1);
        QCOMPARE(panel.pathsToAdd(), QStringList{paths(expected).at(1)});
        panel.table()->clearSelection();
        // Every row is a raster the stack can open.
        QCOMPARE(panel.pathsToAdd(), paths(expected));
    }

    void filtersBySeasonDateAndCloud() {
        CatalogPanel panel;
        panel.setQualityRule(kRule);
        QVERIFY(read(panel, {kLandsat}));
        const auto all = engineRows(kLandsat);

        // A northern winter wraps the new year: only the December scene (day 335).
        rb::CatalogSelection winter;
        winter.doy = rb::CatalogSelection::parse_doy("335-59");
        panel.setSelection(winter);
        QCOMPARE(shownPaths(panel), paths(rb::select_scenes(all, winter)));
        QCOMPARE(panel.model()->rowCount(), 1);
        QVERIFY(shownPaths(panel).first().contains(QLatin1String("20181201")));
        QCOMPARE(panel.timeline()->keptBarCount(), 1);
        QCOMPARE(panel.timeline()->otherBarCount(), 2);
        QVERIFY(panel.timeline()->seasonWindowCount() >= 1);
        QCOMPARE(panel.findChild<QLabel*>(QStringLiteral("catalogCount"))->text(),
                 QStringLiteral("1 of 3 scenes"));

        // The controls drive the same selection: season off, cloud at most the median.
        std::vector<double> clouds;
        for (const auto& e : all)
            clouds.push_back(*e.cloud_cover);
        std::sort(clouds.begin(), clouds.end());
        panel.findChild<QCheckBox*>(QStringLiteral("catalogSeasonOn"))->setChecked(false);
        QCOMPARE(panel.model()->rowCount(), 3);
        panel.findChild<QDoubleSpinBox*>(QStringLiteral("catalogMaxCloud"))->setValue(clouds[1]);
        panel.findChild<QCheckBox*>(QStringLiteral("catalogCloudOn"))->setChecked(true);
        rb::CatalogSelection cloudy;
        cloudy.max_cloud = panel.findChild<QDoubleSpinBox*>("catalogMaxCloud")->value();
        const auto keptByEngine = rb::select_scenes(all, cloudy);
        QVERIFY(!keptByEngine.empty() && keptByEngine.size() < all.size());
        QCOMPARE(shownPaths(panel), paths(keptByEngine));

        // A date range: from June 2018 on.
        panel.findChild<QCheckBox*>(QStringLiteral("catalogCloudOn"))->setChecked(false);
        panel.findChild<QDateEdit*>(QStringLiteral("catalogFrom"))->setDate(QDate(2018, 6, 1));
        panel.findChild<QCheckBox*>(QStringLiteral("catalogFromOn"))->setChecked(true);
        QCOMPARE(panel.model()->rowCount(), 2);
        QVERIFY(!shownPaths(panel).join(' ').contains(QLatin1String("20180405")));

        // Selected rows are what gets added.
        panel.table()->selectRow(1);
        QSignalSpy add(&panel, &CatalogPanel::addToStackRequested);
        panel.findChild<QPushButton*>(QStringLiteral("catalogAdd"))->click();
        QCOMPARE(add.count(), 1);
        QCOMPARE(add.first().first().toStringList(), QStringList{shownPaths(panel).at(1)});
    }

    void readsProductMetadataAndStac() {
        CatalogPanel panel;
        QVERIFY(read(panel, {kProducts}));
        const auto expected = rb::read_catalog({kProducts.toStdString()});
        QCOMPARE(shownPaths(panel), paths(expected));
        std::set<std::string> sensors;
        for (const auto& e : panel.model()->entries())
            sensors.insert(e.sensor);
        QVERIFY(sensors.count("landsat-8"));
        QVERIFY(sensors.count("sentinel-2a"));
        // Metadata files are no rasters of their own: adding them says so, in the panel.
        QSignalSpy add(&panel, &CatalogPanel::addToStackRequested);
        if (panel.pathsToAdd().isEmpty()) {
            panel.addToStack();
            QCOMPARE(add.count(), 0);
            QVERIFY(panel.status().contains(QLatin1String("band files")));
        }

        // A STAC ItemCollection over the Landsat stacks: dates and cloud cover from the
        // items, the data assets as the paths (relative hrefs resolved against the JSON).
        const QString stac = dir_.filePath(QStringLiteral("items.json"));
        {
            QFile f(stac);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QString features;
            const QStringList dates = {"2018-04-05", "2018-08-27", "2018-12-01"};
            const QStringList ids = {"20180405_20180417", "20180827_20180911", "20181201_20181211"};
            for (int i = 0; i < 3; ++i) {
                const QString file =
                    QStringLiteral("%1/LC08_L1TP_013032_%2_01_T1_stack.tif").arg(kLandsat, ids[i]);
                features += QStringLiteral(R"(%1{"type": "Feature", "id": "scene%2",
                  "properties": {"datetime": "%3T15:40:00Z", "eo:cloud_cover": %4,
                                 "platform": "landsat-8"},
                  "assets": {"data": {"href": "%5", "type": "image/tiff", "roles": ["data"]}}})")
                                .arg(i ? "," : "")
                                .arg(i)
                                .arg(dates[i])
                                .arg(10 * (i + 1))
                                .arg(file);
            }
            f.write(QStringLiteral(R"({"type": "FeatureCollection", "features": [%1]})")
                        .arg(features)
                        .toUtf8());
        }
        QVERIFY(read(panel, {stac}));
        QCOMPARE(panel.model()->rowCount(), 3);
        QCOMPARE(panel.model()->entryAt(2).cloud_cover.value_or(-1), 30.0);
        QCOMPARE(QString::fromStdString(panel.model()->entryAt(2).cloud_source),
                 QStringLiteral("metadata"));
        QCOMPARE(panel.pathsToAdd().size(), 3);
        QVERIFY(QFileInfo::exists(panel.pathsToAdd().first()));
        // Something that is not a catalog: the error names the file, in the panel.
        QSignalSpy failed(&panel, &CatalogPanel::loadFailed);
        panel.openPaths({dir_.filePath(QStringLiteral("missing-folder"))});
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY(panel.status().contains(QLatin1String("missing-folder")));
        QCOMPARE(panel.model()->rowCount(), 3); // the rows read before stay
    }

    void filtersBySensor() {
        CatalogPanel panel;
        QVERIFY(read(panel, {kProducts}));
        const auto all = rb::read_catalog({kProducts.toStdString()});
        auto* on = panel.findChild<QCheckBox*>(QStringLiteral("catalogSensorOn"));
        auto* menu = panel.findChild<QMenu*>(QStringLiteral("catalogSensorMenu"));
        QVERIFY(on && menu);
        // One entry per sensor read, each ticked.
        std::set<std::string> sensors;
        for (const auto& e : all)
            if (!e.sensor.empty())
                sensors.insert(e.sensor);
        QCOMPARE(std::size_t(menu->actions().size()), sensors.size());
        QVERIFY(sensors.size() >= 2);
        on->setChecked(true);
        // Untick every Sentinel-2: the rows shown are the engine's selection of the others.
        std::vector<std::string> kept;
        for (QAction* a : menu->actions()) {
            const bool s2 = a->text().startsWith(QLatin1String("sentinel-2"));
            a->setChecked(!s2);
            if (!s2)
                kept.push_back(a->text().toStdString());
        }
        rb::CatalogSelection want;
        want.sensors = kept;
        const auto expected = rb::select_scenes(all, want);
        QVERIFY(!expected.empty() && expected.size() < all.size());
        QCOMPARE(shownPaths(panel), paths(expected));
        QCOMPARE(panel.selection().sensors, kept);
        // Unticking every sensor shows nothing; turning the filter off shows every row.
        for (QAction* a : menu->actions())
            a->setChecked(false);
        QCOMPARE(panel.model()->rowCount(), 0);
        on->setChecked(false);
        QCOMPARE(panel.model()->rowCount(), int(all.size()));
        // A selection naming a sensor family ticks its sensors, also across a new read.
        rb::CatalogSelection landsat;
        landsat.sensors = {"landsat"};
        panel.setSelection(landsat);
        QVERIFY(on->isChecked());
        QCOMPARE(shownPaths(panel), paths(rb::select_scenes(all, landsat)));
        QVERIFY(read(panel, {kProducts}));
        QCOMPARE(shownPaths(panel), paths(rb::select_scenes(all, landsat)));
    }

    void thousandProductsReadInTheBackground() {
        CatalogPanel panel;
        QProgressBar* bar = panel.findChild<QProgressBar*>(QStringLiteral("catalogProgress"));
        QSignalSpy done(&panel, &CatalogPanel::loaded);
        // The event loop must keep turning while the folder is read: a 5 ms timer's ticks
        // are counted and the longest gap between two is measured.
        QElapsedTimer clock, gap;
        qint64 longest = 0;
        int ticks = 0, maxProgress = 0;
        QTimer timer;
        timer.setInterval(5);
        connect(&timer, &QTimer::timeout, this, [&] {
            longest = std::max(longest, gap.restart());
            ++ticks;
            maxProgress = std::max(maxProgress, bar->value());
        });
        clock.start();
        gap.start();
        timer.start();
        panel.openPaths({thousand_});
        QVERIFY(panel.isLoading());
        QVERIFY(bar->isVisibleTo(&panel));
        QVERIFY(done.wait(kWaitMs));
        const qint64 elapsed = clock.elapsed();
        timer.stop();
        QCOMPARE(panel.model()->rowCount(), 1000);
        QVERIFY(!panel.isLoading());
        QVERIFY(!bar->isVisibleTo(&panel));
        qInfo("1000 products read in %lld ms; %d event-loop ticks, longest gap %lld ms, "
              "progress bar reached %d/1000",
              elapsed, ticks, longest, maxProgress);
        QVERIFY2(longest < 250, qPrintable(QStringLiteral("UI blocked for %1 ms").arg(longest)));
        QVERIFY(ticks > 1);
        // The dates and cloud cover came from each product's metadata.
        QCOMPARE(QString::fromStdString(panel.model()->entryAt(999).date->iso()),
                 QDate(2015, 1, 1).addDays(4 * 999).toString(Qt::ISODate));
        QCOMPARE(panel.model()->entryAt(1).cloud_cover.value_or(-1), 37.0);

        // Selection over the 1,000 rows: winter scenes under 20 % cloud, as the engine says.
        rb::CatalogSelection s;
        s.doy = std::make_pair(335, 59);
        s.max_cloud = 20;
        QElapsedTimer filterClock;
        filterClock.start();
        panel.setSelection(s);
        const qint64 filterMs = filterClock.elapsed();
        qInfo("selection over 1000 rows (table and timeline updated): %lld ms", filterMs);
        QCOMPARE(shownPaths(panel), paths(rb::select_scenes(panel.model()->entries(), s)));
        QVERIFY(panel.model()->rowCount() > 0 && panel.model()->rowCount() < 1000);
        QCOMPARE(panel.timeline()->keptBarCount(), panel.model()->rowCount());
        QCOMPARE(panel.timeline()->keptBarCount() + panel.timeline()->otherBarCount(), 1000);
        QVERIFY(panel.timeline()->seasonWindowCount() >= 10); // eleven winters
    }

    void cancelStopsTheRead() {
        CatalogPanel panel;
        panel.setQualityRule(kRule);
        QVERIFY(read(panel, {kLandsat}));
        QSignalSpy done(&panel, &CatalogPanel::loaded);
        QSignalSpy loading(&panel, &CatalogPanel::loadingChanged);
        panel.openPaths({thousand_});
        QVERIFY(panel.isLoading());
        panel.findChild<QToolButton*>(QStringLiteral("catalogCancel"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isLoading(), kWaitMs);
        QTest::qWait(50);
        QCOMPARE(done.count(), 0);
        QCOMPARE(panel.model()->rowCount(), 3); // the Landsat rows stay
        QVERIFY(panel.status().contains(QLatin1String("cancelled")));
        QVERIFY(!loading.isEmpty() && !loading.last().first().toBool());
    }

    void catalogWorkspaceAddsScenesToTheStack() {
        MainWindow window;
        window.setPersistent(false);
        window.resize(1366, 768);
        window.show();
        window.workspaces()->apply(QStringLiteral("catalog"));
        auto* dock = window.findChild<QDockWidget*>(QStringLiteral("catalogDock"));
        QVERIFY(dock && dock->isVisible());
        QVERIFY(!window.findChild<QDockWidget*>(QStringLiteral("scoreDock"))->isVisible());
        QVERIFY(window.workspaces()->action(QStringLiteral("catalog")));
        // The View menu toggles the dock.
        bool inMenu = false;
        for (QAction* menu : window.menuBar()->actions())
            if (menu->menu())
                for (QAction* a : menu->menu()->actions())
                    inMenu = inMenu || a == dock->toggleViewAction();
        QVERIFY(inMenu);

        CatalogPanel* panel = window.catalogPanel();
        // Empty, the table does not scroll sideways (only its header would move); filled, it
        // may.
        auto* table = dock->findChild<QTableView*>(QStringLiteral("catalogTable"));
        QCOMPARE(panel->model()->rowCount(), 0);
        QCOMPARE(table->horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
        panel->setQualityRule(kRule);
        QVERIFY(read(*panel, {kLandsat}));
        QCOMPARE(table->horizontalScrollBarPolicy(), Qt::ScrollBarAsNeeded);
        rb::CatalogSelection summer;
        summer.doy = std::make_pair(152, 273);
        panel->setSelection(summer);
        QCOMPARE(panel->model()->rowCount(), 1);
        panel->addToStack();
        QVERIFY(window.waitUntilIdle(kWaitMs));
        QCOMPARE(window.stack()->count(), 1);
        QVERIFY(window.stack()->entry(0).path.contains(QLatin1String("20180827")));
        QVERIFY(window.stack()->entry(0).data);
    }

    void recipeWithACatalogOpensIt() {
        // A recipe choosing its scenes from the Landsat folder: winter, by the BQA files.
        const QString path = dir_.filePath(QStringLiteral("winter.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(R"({"format": "rasterbench-recipe", "version": 1,
            "scenes": {"catalog": "%1", "select": {"doy": "335-59"}},
            "qa_from": {"from": "_stack.tif", "to": "_BQA.tif"},
            "steps": [{"type": "composite"}], "output": {"path": "winter.tif"}})")
                    .arg(kLandsat)
                    .toUtf8());
        f.close();
        MainWindow window;
        window.setPersistent(false);
        window.show();
        QSignalSpy loaded(window.catalogPanel(), &CatalogPanel::loaded);
        QVERIFY(window.openRecipe(path));
        QVERIFY(loaded.wait(kWaitMs));
        QCOMPARE(window.workspaces()->current(), QStringLiteral("catalog"));
        CatalogPanel* panel = window.catalogPanel();
        QCOMPARE(int(panel->model()->entries().size()), 3);
        QCOMPARE(panel->model()->rowCount(), 1);
        QVERIFY(shownPaths(*panel).first().contains(QLatin1String("20181201")));
        QCOMPARE(QString::fromStdString(panel->model()->entryAt(0).cloud_source),
                 QStringLiteral("qa"));
    }
};

QTEST_MAIN(TestCatalog)
#include "tst_catalog.moc"
