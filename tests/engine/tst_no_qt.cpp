// The engine must stay Qt-free so the CLI, benchmarks and batch runs do not need Qt.
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

// The umbrella header must stay self-contained and Qt-free: compile it here.
#include "rasterbench/rasterbench.h"

namespace {
// Any include of a Qt module or class header: <QString>, <QtCore/...>, "qglobal.h".
// (Built from a plain string: moc's preprocessor trips over raw string literals.)
QRegularExpression qtIncludePattern() {
    return QRegularExpression(
        QStringLiteral(
            "^\\s*#\\s*include\\s*[<\"](Qt[A-Za-z]*/|Q[A-Z][A-Za-z]*[>\"]|q[a-z]+\\.h[>\"])"),
        QRegularExpression::MultilineOption);
}
} // namespace

class EngineNoQt : public QObject {
    Q_OBJECT
private slots:
    void noQtIncludes() {
        const QString root = QStringLiteral(RB_SOURCE_DIR "/engine");
        QVERIFY(QDir(root).exists());
        const QRegularExpression qtInclude = qtIncludePattern();
        int files = 0;
        QStringList offenders;
        QDirIterator it(root, {"*.h", "*.hpp", "*.cpp", "*.cc"}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            ++files;
            if (qtInclude.match(QString::fromUtf8(f.readAll())).hasMatch())
                offenders << path;
        }
        QVERIFY2(files > 10, "engine sources not found");
        QVERIFY2(offenders.isEmpty(), qPrintable("Qt included in engine: " + offenders.join(", ")));
    }

    void detectorCatchesQtInclude() {
        // The pattern above must flag the forms a Qt include takes.
        const QRegularExpression qtInclude = qtIncludePattern();
        QVERIFY(qtInclude.match("#include <QString>").hasMatch());
        QVERIFY(qtInclude.match("  # include <QtCore/QObject>").hasMatch());
        QVERIFY(qtInclude.match("#include \"qglobal.h\"").hasMatch());
        QVERIFY(!qtInclude.match("#include <gdal.h>").hasMatch());
        QVERIFY(!qtInclude.match("#include \"rasterbench/dataset.h\"").hasMatch());
    }
};

QTEST_GUILESS_MAIN(EngineNoQt)
#include "tst_no_qt.moc"
