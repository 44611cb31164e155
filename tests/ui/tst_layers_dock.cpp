// The Layers dock at the two reference window sizes, in every workspace, with scenes whose
// file names are long and whose grids differ: the scene list shows its date, CRS and grid
// columns whole (the name gives way, elided, whole in its tooltip), the Align button and
// the resampling choice lie inside the dock, and nothing scrolls sideways.
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include "LayersPanel.h"
#include "MainWindow.h"
#include "MapCanvas.h"
#include "OverlayList.h"
#include "SceneStack.h"
#include "Workspaces.h"

using namespace rb::ui;

namespace {

const QString kData = QStringLiteral(RB_VIEWER_DATA);
// Two products on two grids (the second and third are flagged "not aligned").
const QStringList kScenes = {kData + "/2008-04-19_LT05_LT50350322008110PAC01_sr.tif",
                             kData + "/LC08_L1TP_013032_20180131_20180207_01_T1_stack.tif",
                             kData + "/2008-04-27_LE07_LE70350322008118EDC00_sr.tif"};

/// Where `w` is inside the visible part of the dock's scroll area; empty when the area
/// shows none of it.
QRect inViewport(QWidget* w, QScrollArea* area) {
    const QRect r(w->mapTo(area->viewport(), QPoint(0, 0)), w->size());
    return r.intersected(area->viewport()->rect()) == r ? r : QRect();
}

} // namespace

class TestLayersDock : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("rasterbench-test"));
    }

    void fitsEveryWorkspace_data() {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("workspace");
        for (const QSize size : {QSize(1366, 768), QSize(1920, 1080)})
            for (const Workspaces::Workspace& w : Workspaces::all())
                QTest::addRow("%s %dx%d", qPrintable(w.name), size.width(), size.height())
                    << size << w.name;
    }

    void fitsEveryWorkspace() {
        QFETCH(QSize, size);
        QFETCH(QString, workspace);
        MainWindow w;
        w.setPersistent(false);
        // As the workbench starts: sized, shown, the workspace, then the scenes.
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.workspaces()->apply(workspace);
        w.openFiles(kScenes);
        QTRY_VERIFY_WITH_TIMEOUT(w.stack()->count() == kScenes.size() && !w.stack()->isLoading() &&
                                     w.canvas()->scene(),
                                 60000);
        QVERIFY(w.waitUntilIdle(60000));
        for (int k = 0; k < 3; ++k) {
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
            QCoreApplication::processEvents();
        }
        auto* dock = w.findChild<QDockWidget*>(QStringLiteral("layersDock"));
        QVERIFY(dock && dock->isVisible());
        auto* area = qobject_cast<QScrollArea*>(dock->widget());
        QVERIFY(area);
        LayersPanel* layers = w.layers();
        QTreeWidget* tree = layers->tree();
        QStringList problems;
        // Nothing scrolls sideways: neither the dock nor the scene list.
        if (area->horizontalScrollBar()->isVisible())
            problems << QStringLiteral("the dock scrolls sideways (%1 px wide, wants %2)")
                            .arg(area->viewport()->width())
                            .arg(area->widget()->minimumSizeHint().width());
        if (tree->horizontalScrollBar()->isVisible())
            problems << QStringLiteral("the scene list scrolls sideways");
        // Date, CRS and grid status are whole; the name keeps a readable share.
        QHeaderView* header = tree->header();
        for (const LayersPanel::Column c :
             {LayersPanel::Date, LayersPanel::Crs, LayersPanel::Grid}) {
            const int left = header->sectionViewportPosition(c);
            const int right = left + header->sectionSize(c);
            if (header->isSectionHidden(c) || left < 0 || right > tree->viewport()->width())
                problems << QStringLiteral("column %1 at %2..%3 outside the list's %4 px")
                                .arg(tree->headerItem()->text(c))
                                .arg(left)
                                .arg(right)
                                .arg(tree->viewport()->width());
            for (int row = 0; row < tree->topLevelItemCount(); ++row) {
                const QString text = layers->cellText(row, c);
                const int needs = tree->fontMetrics().horizontalAdvance(text);
                // "aligned from FILE" may be elided (its tooltip has it); the others not.
                if (c != LayersPanel::Grid && needs > header->sectionSize(c))
                    problems << QStringLiteral("'%1' (%2 px) clipped to %3 px")
                                    .arg(text)
                                    .arg(needs)
                                    .arg(header->sectionSize(c));
            }
        }
        if (header->sectionSize(LayersPanel::Name) < tree->fontMetrics().horizontalAdvance("MMMMM"))
            problems << QStringLiteral("the name column is %1 px")
                            .arg(header->sectionSize(LayersPanel::Name));
        // A long name is elided in the list and whole in its tooltip.
        QVERIFY(tree->topLevelItem(0)->toolTip(LayersPanel::Name).contains(kScenes[0]));
        QCOMPARE(layers->cellText(1, LayersPanel::Grid), QStringLiteral("not aligned"));
        // The Align button (the scene is flagged: it is enabled), its menu and the resampling.
        w.stack()->setCurrent(1);
        QVERIFY(layers->alignAction()->isEnabled());
        QToolButton* align = nullptr;
        for (QToolButton* b : layers->findChildren<QToolButton*>())
            if (b->defaultAction() == layers->alignAction())
                align = b;
        QVERIFY(align);
        for (QWidget* x : std::initializer_list<QWidget*>{align, layers->resamplingBox(),
                                                          w.overlayList()->opacityBox()}) {
            if (inViewport(x, area).isEmpty())
                problems << QStringLiteral("%1 '%2' is not wholly inside the dock")
                                .arg(QString::fromLatin1(x->metaObject()->className()),
                                     x->property("text").toString());
            if (x->width() + 1 < x->minimumSizeHint().width())
                problems << QStringLiteral("%1 squeezed to %2 px")
                                .arg(QString::fromLatin1(x->metaObject()->className()))
                                .arg(x->width());
        }
        if (align->fontMetrics().horizontalAdvance(align->text()) > align->width())
            problems << QStringLiteral("the Align button's text is cut: '%1'").arg(align->text());
        // The map keeps most of the window.
        if (w.canvas()->width() < size.width() * 2 / 5)
            problems << QStringLiteral("the map is only %1 px wide").arg(w.canvas()->width());
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }
};

QTEST_MAIN(TestLayersDock)
#include "tst_layers_dock.moc"
