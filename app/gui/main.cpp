// rasterbench [FILES...] [--screenshot OUT.png] [--size WxH] [--bands B[,G,R]] [--colormap NAME]
// [--stretch SPEC] [--gamma G] [--fast-stats] [--view fit|COL,ROW,W,H] [--compare side|swipe]
// [--panels] [--workspace NAME]:
// the workbench window. Thin by design: parse the command line, wire a MainWindow, run.
#include <QApplication>
#include <QCommandLineParser>
#include <QRegularExpression>
#include <QSize>

#include <cstdio>

#include "MainWindow.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "Workspaces.h"
#include "rasterbench/colormap.h"
#include "rasterbench/display.h"
#include "rasterbench/interactive.h"
#include "rasterbench/output_guard.h"

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
    // First, before any thread starts: Ctrl+C or a kill removes half-written outputs.
    rb::install_partial_cleanup();
    // The preview's per-change buffers reused instead of page-faulted in again.
    rb::keep_freed_memory();
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
    const QCommandLineOption bandsOption(
        QStringLiteral("bands"), QStringLiteral("Displayed bands: R,G,B or one band (1-based)."),
        QStringLiteral("LIST"));
    const QCommandLineOption colormapOption(
        QStringLiteral("colormap"),
        QStringLiteral(
            "Colour map of a single band: grey, viridis, magma, diverging, categorical."),
        QStringLiteral("NAME"));
    const QCommandLineOption stretchOption(
        QStringLiteral("stretch"),
        QStringLiteral("minmax | pct[:LOW,HIGH] | std[:K] | manual:LO,HI[/LO,HI/LO,HI]"),
        QStringLiteral("SPEC"));
    const QCommandLineOption gammaOption(QStringLiteral("gamma"), QStringLiteral("Display gamma."),
                                         QStringLiteral("G"));
    const QCommandLineOption fastOption(
        QStringLiteral("fast-stats"),
        QStringLiteral("Stretch statistics from the preview sample instead of every pixel."));
    const QCommandLineOption viewOption(
        QStringLiteral("view"),
        QStringLiteral("'fit' or the scene pixel window COL,ROW,WIDTH,HEIGHT to show."),
        QStringLiteral("WINDOW"));
    const QCommandLineOption compareOption(
        QStringLiteral("compare"),
        QStringLiteral("Linked views of the first files: 'side' (side by side) or 'swipe'."),
        QStringLiteral("MODE"));
    const QCommandLineOption workspaceOption(
        QStringLiteral("workspace"),
        QStringLiteral("Open in a workspace: inspect, composite, deband or transform."),
        QStringLiteral("NAME"));
    const QCommandLineOption panelsOption(
        QStringLiteral("panels"), QStringLiteral("Keep the side panels in a --screenshot."));
    for (const auto* o :
         {&screenshotOption, &sizeOption, &bandsOption, &colormapOption, &stretchOption,
          &gammaOption, &fastOption, &viewOption, &compareOption, &panelsOption, &workspaceOption})
        parser.addOption(*o);
    parser.process(app);

    QSize size(1200, 800);
    if (parser.isSet(sizeOption) && !parseSize(parser.value(sizeOption), &size))
        return fail(QStringLiteral("--size: expected WxH (e.g. 1200x800), got '%1'")
                        .arg(parser.value(sizeOption)));

    rb::ui::ScriptedView scripted;
    bool anyScripted = false;
    if (parser.isSet(bandsOption)) {
        const auto bands = rb::parse_band_list(parser.value(bandsOption).toStdString());
        if (!bands)
            return fail(
                QStringLiteral("--bands: expected 1 or 3 band numbers (e.g. 4,3,2), got '%1'")
                    .arg(parser.value(bandsOption)));
        scripted.bands = *bands;
        anyScripted = true;
    }
    if (parser.isSet(colormapOption)) {
        const auto c = rb::parse_colormap(parser.value(colormapOption).toStdString());
        if (!c)
            return fail(QStringLiteral("--colormap: unknown colour map '%1'")
                            .arg(parser.value(colormapOption)));
        scripted.colormap = *c;
        anyScripted = true;
    }
    if (parser.isSet(stretchOption)) {
        const auto st = rb::parse_stretch(parser.value(stretchOption).toStdString());
        if (!st)
            return fail(QStringLiteral("--stretch: expected minmax, pct[:LOW,HIGH], std[:K] or "
                                       "manual:LO,HI[/LO,HI/LO,HI], got '%1'")
                            .arg(parser.value(stretchOption)));
        scripted.stretch = *st;
        anyScripted = true;
    }
    if (parser.isSet(gammaOption)) {
        bool ok = false;
        const double g = parser.value(gammaOption).toDouble(&ok);
        if (!ok || !(g > 0) || g > 10)
            return fail(QStringLiteral("--gamma: expected a number in (0, 10], got '%1'")
                            .arg(parser.value(gammaOption)));
        scripted.gamma = g;
        anyScripted = true;
    }
    if (parser.isSet(fastOption)) {
        scripted.fastStatistics = true;
        anyScripted = true;
    }
    if (parser.isSet(viewOption) && parser.value(viewOption) != QStringLiteral("fit")) {
        const QStringList parts = parser.value(viewOption).split(QLatin1Char(','));
        QList<double> v;
        for (const QString& p : parts) {
            bool ok = false;
            v << p.toDouble(&ok);
            if (!ok)
                v.clear();
        }
        if (v.size() != 4 || !(v[2] > 0) || !(v[3] > 0))
            return fail(QStringLiteral("--view: expected 'fit' or COL,ROW,WIDTH,HEIGHT, got '%1'")
                            .arg(parser.value(viewOption)));
        scripted.window = QRectF(v[0], v[1], v[2], v[3]);
        anyScripted = true;
    }
    if (parser.isSet(compareOption)) {
        const QString mode = parser.value(compareOption);
        if (mode == QStringLiteral("side"))
            scripted.mode = rb::ui::ViewMode::SideBySide;
        else if (mode == QStringLiteral("swipe"))
            scripted.mode = rb::ui::ViewMode::Swipe;
        else
            return fail(
                QStringLiteral("--compare: expected 'side' or 'swipe', got '%1'").arg(mode));
        anyScripted = true;
    }

    const bool screenshot = parser.isSet(screenshotOption);
    rb::ui::MainWindow window;
    if (anyScripted)
        window.setScriptedView(scripted);
    if (screenshot && !parser.isSet(panelsOption))
        window.setPanelsVisible(false);
    // A scripted run must be reproducible and must not touch the user's settings.
    window.setPersistent(!screenshot);
    window.setAsksBeforeDiscarding(!screenshot); // nobody answers a scripted run
    window.setSamplePath(QStringLiteral(RB_SAMPLE_SCENE));
    if (screenshot || parser.isSet(sizeOption) || !window.restoreSavedGeometry())
        window.resize(size);
    window.show();
    if (parser.isSet(workspaceOption)) {
        const QString name = parser.value(workspaceOption);
        if (!window.workspaces()->action(name))
            return fail(QStringLiteral("--workspace: expected inspect, composite, deband or "
                                       "transform, got '%1'")
                            .arg(name));
        window.workspaces()->apply(name);
    }
    window.openFiles(parser.positionalArguments());

    if (screenshot) {
        QString error;
        // A band the files do not have is an error of the command line, not a fallback.
        if (scripted.bands && window.waitUntilIdle()) {
            rb::ui::SceneStack* stack = window.stack();
            for (int row = 0; row < stack->count(); ++row) {
                const auto& e = stack->entry(row);
                if (!e.data)
                    continue;
                for (int b : *scripted.bands)
                    if (b > e.data->profile.count)
                        return fail(QStringLiteral("--bands: %1 has %2 band(s), no band %3")
                                        .arg(e.path)
                                        .arg(e.data->profile.count)
                                        .arg(b));
            }
        }
        if (!window.saveScreenshot(parser.value(screenshotOption), &error))
            return fail(error);
        return 0;
    }
    return app.exec();
}
