// How a first-time analyst meets the workbench: a start page while nothing is open, a
// workspace per task that shows exactly the docks the task needs, Help that lists the real
// shortcuts and the linked library versions, and forms that the mouse wheel cannot change
// by accident while scrolling.
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtTest>

#include <thread>

#include <memory>

#include <gdal.h>
#include <proj.h>

#include "EngineMessages.h"
#include "HelpMenu.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "SaveDialog.h"
#include "SceneStack.h"
#include "StartPage.h"
#include "WheelGuard.h"
#include "Workspaces.h"
#include "rasterbench/bands.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/raster.h"

using namespace rb::ui;

namespace {

/// Sends one notch of the mouse wheel (up) to `w` at its centre, as the application would.
void wheel(QWidget* w) {
    const QPointF pos(w->width() / 2.0, w->height() / 2.0);
    QWheelEvent e(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

QStringList visibleDocks(const QMainWindow& window) {
    QStringList names;
    for (const QDockWidget* d : window.findChildren<QDockWidget*>())
        if (!d->isHidden())
            names << d->objectName();
    names.sort();
    return names;
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_workbench"));
        QStandardPaths::setTestModeEnabled(true);
    }

    void startPageUntilASceneIsOpen() {
        MainWindow window;
        window.setPersistent(false);
        window.setSamplePath(QStringLiteral(RB_SAMPLE));
        window.resize(1200, 800);
        window.show();
        auto* central = qobject_cast<QStackedWidget*>(window.centralWidget());
        QVERIFY(central);
        QCOMPARE(central->currentWidget(), static_cast<QWidget*>(window.startPage()));
        QVERIFY(window.startPage()->sampleButton()->isVisible());
        // The sample button opens the sample; the map replaces the start page.
        window.startPage()->sampleButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.stack()->count() == 1, 10000);
        QVERIFY(window.waitUntilIdle(20000));
        QCOMPARE(central->currentWidget(), static_cast<QWidget*>(window.canvas()));
        QVERIFY(window.canvas()->scene());
        // Closing the last scene brings the start page back, and gives the pixel memory kept
        // for reuse back to the system (a freed buffer of 2 MiB is in that pool first).
        { const rb::Raster kept(rb::DataType::UInt8, 1, 2048, 1024); }
#if !defined(__SANITIZE_ADDRESS__) // no pool under AddressSanitizer
        QVERIFY(rb::detail::pixel_pool_bytes() >= std::size_t(2) << 20);
#endif
        window.stack()->clear();
        QCOMPARE(central->currentWidget(), static_cast<QWidget*>(window.startPage()));
        QCOMPARE(rb::detail::pixel_pool_bytes(), std::size_t(0));
        // A missing sample is not offered.
        window.setSamplePath(QStringLiteral("/no/such/sample.tif"));
        QVERIFY(!window.startPage()->sampleButton()->isVisible());
    }

    void workspacesShowTheDocksOfTheirTask() {
        MainWindow window;
        window.setPersistent(false);
        window.resize(1366, 768);
        window.show();
        Workspaces* spaces = window.workspaces();
        QVERIFY(spaces->toolBar()->isVisible());
        for (const Workspaces::Workspace& w : Workspaces::all()) {
            QAction* a = spaces->action(w.name);
            QVERIFY(a);
            a->trigger();
            QCOMPARE(spaces->current(), w.name);
            QVERIFY(a->isChecked());
            QStringList want = w.docks;
            want.sort();
            QCOMPARE(visibleDocks(window), want);
            // The task's main panel is on top of its tab group.
            auto* main = window.findChild<QDockWidget*>(w.docks.at(1));
            QVERIFY(main);
            QVERIFY2(!main->visibleRegion().isEmpty(), qPrintable(w.name));
            QCOMPARE(window.dockWidgetArea(main), Qt::RightDockWidgetArea);
        }
        // Ctrl+2 is the Composite workspace's shortcut.
        QCOMPARE(spaces->action(QStringLiteral("composite"))->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::Key_2));
    }

    void workspacesFitTheScreen_data() {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("workspace");
        for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)})
            for (const Workspaces::Workspace& w : Workspaces::all())
                QTest::addRow("%s %dx%d", qPrintable(w.name), size.width(), size.height())
                    << size << w.name;
        // The user opens every panel from the View menu, side by side, not tabbed.
        for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)})
            QTest::addRow("every panel %dx%d", size.width(), size.height()) << size << QString();
    }

    void workspacesFitTheScreen() {
        // Every workspace at laptop and desktop sizes: the window keeps the size asked for
        // (no panel forces it larger), docks stay inside it, and no visible widget is
        // squeezed below its minimum size (forms scroll inside their dock instead).
        QFETCH(QSize, size);
        QFETCH(QString, workspace);
        MainWindow window;
        window.setPersistent(false);
        window.openFile(QStringLiteral(RB_SAMPLE));
        if (workspace.isEmpty()) {
            for (QDockWidget* dock : window.findChildren<QDockWidget*>())
                dock->show();
        } else {
            window.workspaces()->apply(workspace);
        }
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.waitUntilIdle(20000));
        // A job that ended just now may have set a status text whose layout request is still
        // queued: let the layouts settle before measuring them.
        for (int k = 0; k < 3; ++k) {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QCoreApplication::processEvents();
        }
        QCOMPARE(window.size(), size);
        const QRect inside(QPoint(0, 0), window.size());
        QStringList problems;
        for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
            if (!dock->isVisible() || dock->visibleRegion().isEmpty())
                continue; // closed, or a tab behind another
            if (!inside.contains(dock->geometry()))
                problems << QStringLiteral("dock %1 at %2,%3 %4x%5 leaves the window")
                                .arg(dock->objectName())
                                .arg(dock->x())
                                .arg(dock->y())
                                .arg(dock->width())
                                .arg(dock->height());
            for (QWidget* w : dock->findChildren<QWidget*>()) {
                // Qt's own parts (title buttons, a spin box's editor) size themselves.
                if (!w->isVisible() || w->visibleRegion().isEmpty() ||
                    w->objectName().startsWith(QLatin1String("qt_")))
                    continue;
                const QSize min = w->minimumSizeHint().expandedTo(w->minimumSize());
                if (!min.isValid())
                    continue;
                if (w->width() + 1 < min.width() || w->height() + 1 < min.height())
                    problems << QStringLiteral("%1 %2 in %3: %4x%5 < minimum %6x%7")
                                    .arg(QString::fromLatin1(w->metaObject()->className()),
                                         w->objectName(), dock->objectName())
                                    .arg(w->width())
                                    .arg(w->height())
                                    .arg(min.width())
                                    .arg(min.height());
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 12).join('\n')));
    }

    void helpListsRealShortcutsAndVersions() {
        MainWindow window;
        window.setPersistent(false);
        const auto rows = rb::ui::shortcutList(&window);
        auto has = [&](const QString& action, const QKeySequence& key) {
            const QString k = key.toString(QKeySequence::NativeText);
            for (const auto& r : rows)
                if (r.first == action && r.second.split(QStringLiteral(", ")).contains(k))
                    return true;
            return false;
        };
        QVERIFY(has(QStringLiteral("Open"), QKeySequence::Open));
        QVERIFY(has(QStringLiteral("Composite"), QKeySequence(Qt::CTRL | Qt::Key_2)));
        QVERIFY(has(QStringLiteral("Score"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C)));
        const QString about = rb::ui::aboutText();
        QVERIFY(about.contains(QString::fromLatin1(GDALVersionInfo("RELEASE_NAME"))));
        QVERIFY(about.contains(QString::fromLatin1(proj_info().version)));
        QVERIFY(about.contains(QString::fromLatin1(qVersion())));
        QVERIFY(about.contains(QStringLiteral("fftw-3")));
    }

    void saveDialogsOpenWhereTheLastSaveWent() {
        auto dir = std::make_unique<QTemporaryDir>();
        rb::ui::rememberSaveFolder(dir->filePath(QStringLiteral("composite.tif")));
        QCOMPARE(rb::ui::lastSaveFolder(), QFileInfo(dir->path()).absoluteFilePath());
        // A folder that has gone since is not proposed.
        dir.reset();
        QCOMPARE(rb::ui::lastSaveFolder(), QDir::homePath());
    }

    void wheelScrollsTheFormNotItsValues() {
        WheelGuard::install();
        QWidget window;
        auto* layout = new QVBoxLayout(&window);
        auto* area = new QScrollArea(&window);
        layout->addWidget(area);
        auto* form = new QWidget;
        auto* column = new QVBoxLayout(form);
        auto* spin = new QSpinBox;
        spin->setRange(0, 100);
        spin->setValue(12);
        auto* slider = new QSlider(Qt::Horizontal);
        slider->setRange(0, 100);
        slider->setValue(40);
        auto* combo = new QComboBox;
        combo->addItems({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        combo->setCurrentIndex(1);
        column->addWidget(spin);
        column->addWidget(slider);
        column->addWidget(combo);
        column->addSpacing(2000); // taller than the area: it scrolls
        area->setWidget(form);
        window.resize(300, 200);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The wheel alone never gives focus.
        QCOMPARE(spin->focusPolicy(), Qt::StrongFocus);
        QCOMPARE(slider->focusPolicy(), Qt::StrongFocus);
        QScrollBar* bar = area->verticalScrollBar();
        bar->setValue(bar->maximum() / 2);
        const int scrolled = bar->value();
        for (QWidget* w : {static_cast<QWidget*>(spin), static_cast<QWidget*>(slider),
                           static_cast<QWidget*>(combo)})
            wheel(w);
        QCOMPARE(spin->value(), 12);
        QCOMPARE(slider->value(), 40);
        QCOMPARE(combo->currentIndex(), 1);
        QVERIFY2(bar->value() < scrolled, "the wheel goes on to the scroll area");
        // With focus (a click or Tab) the wheel edits as usual.
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        spin->setFocus();
        QTRY_VERIFY(spin->hasFocus());
        wheel(spin);
        QCOMPARE(spin->value(), 13);
    }

    void errorsAreWordedForTheWorkbench() {
        // The engine's real message for a missing band role names the field, not the flag.
        QString engine;
        try {
            rb::BandRoles{}.require(rb::BandRole::Nir, "cloud", "scene.tif");
        } catch (const rb::Error& e) {
            engine = QString::fromUtf8(e.what());
        }
        QVERIFY2(engine.contains("--param roles="), qPrintable(engine));
        const QString gui = forGui(engine);
        QVERIFY2(!gui.contains("--"), qPrintable(gui));
        QVERIFY2(
            gui.contains(QString::fromUtf8("the \u201croles\u201d parameter field set to nir=N")),
            qPrintable(gui));
        QCOMPARE(forGui(QStringLiteral("use --qa-from FILE")),
                 QString::fromUtf8("use the \u201cqa from\u201d setting FILE"));
        QCOMPARE(forGui(QStringLiteral("a - b -- c")), QStringLiteral("a - b -- c"));
    }

    void engineWarningsReachTheErrorStrip() {
        // A warning raised by the engine on a worker thread shows in the window's strip,
        // and so does a GDAL message routed through the engine.
        MainWindow window;
        window.setPersistent(false);
        window.show();
        std::thread worker([] { rb::warn("3 features lack property 'LULC_ID'; 0 used"); });
        worker.join();
        QTRY_VERIFY(window.errorStrip()->isVisible());
        QVERIFY2(window.errorStrip()->text().contains("LULC_ID"),
                 qPrintable(window.errorStrip()->text()));
        QVERIFY(window.errorStrip()->text().startsWith(QStringLiteral("Warning")));
        rb::library_message("TIFFReadDirectory: unknown tag");
        QTRY_VERIFY(window.errorStrip()->text().contains("TIFFReadDirectory"));
        QVERIFY(EngineMessages::instance()->history().size() >= 2);
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
