// rasterbench [FILES...] [--screenshot OUT.png] [--size WxH]: the workbench window.
// Thin by design: parse the command line, wire a MainWindow, run.
#include <QApplication>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <QSize>

#include <cstdio>

#include "MainWindow.h"

namespace {

bool parseSize(const QString& text, QSize* size) {
    static const QRegularExpression re(QStringLiteral("^(\\d+)[xX](\\d+)$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return false;
    *size = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    return size->width() > 0 && size->height() > 0 && size->width() <= 16384 &&
           size->height() <= 16384;
}

/// Scripted runs promise one line on stderr on error (and none on success), so Qt's
/// informational warnings (e.g. the offscreen platform's) are dropped there.
void quietMessageHandler(QtMsgType type, const QMessageLogContext&, const QString& message) {
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

bool wantsScreenshot(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--") // what follows are file names
            return false;
        if (arg == "--screenshot" || arg.startsWith("--screenshot=") || arg == "-screenshot")
            return true;
    }
    return false;
}

int fail(const QString& message) {
    std::fprintf(stderr, "rasterbench: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char* argv[]) {
    // Before QApplication: constructing it can already warn (e.g. about XDG_RUNTIME_DIR).
    if (wantsScreenshot(argc, argv))
        qInstallMessageHandler(quietMessageHandler);
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Rasterbench"));
    QCoreApplication::setApplicationName(QStringLiteral("rasterbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Rasterbench: a workbench for rasters."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("Rasters to open (the first is shown)."),
                                 QStringLiteral("[FILES...]"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window with the files loaded to a PNG, then exit."),
        QStringLiteral("OUT.png"));
    const QCommandLineOption sizeOption(QStringLiteral("size"),
                                        QStringLiteral("Window size (default 1200x800)."),
                                        QStringLiteral("WxH"));
    parser.addOption(screenshotOption);
    parser.addOption(sizeOption);
    parser.process(app);

    QSize size(1200, 800);
    if (parser.isSet(sizeOption) && !parseSize(parser.value(sizeOption), &size))
        return fail(QStringLiteral("--size: expected WxH (e.g. 1200x800), got '%1'")
                        .arg(parser.value(sizeOption)));

    const bool screenshot = parser.isSet(screenshotOption);
    rb::ui::MainWindow window;
    // A scripted run must be reproducible and must not touch the user's settings.
    window.setPersistent(!screenshot);
    if (screenshot || parser.isSet(sizeOption) || !window.restoreSavedGeometry())
        window.resize(size);
    window.show();
    window.openFiles(parser.positionalArguments());

    if (screenshot) {
        QString error;
        if (!window.saveScreenshot(parser.value(screenshotOption), &error))
            return fail(error);
        return 0;
    }
    return app.exec();
}
