// How a first-time analyst meets the workbench: a start page while nothing is open, a
// workspace per task that shows exactly the docks the task needs, Help that lists the real
// shortcuts and the linked library versions, and forms that the mouse wheel cannot change
// by accident while scrolling.
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <gdal.h>
#include <proj.h>

#include "HelpMenu.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "SaveDialog.h"
#include "SceneStack.h"
#include "StartPage.h"
#include "WheelGuard.h"
#include "Workspaces.h"

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
        // Closing the last scene brings the start page back.
        window.stack()->clear();
        QCOMPARE(central->currentWidget(), static_cast<QWidget*>(window.startPage()));
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
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
