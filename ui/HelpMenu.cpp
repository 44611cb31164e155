#include "HelpMenu.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

#include "rasterbench/versions.h"

namespace rb::ui {

namespace {

QString plainText(QString text) {
    text.remove(QLatin1Char('&'));
    if (text.endsWith(QStringLiteral("...")))
        text.chop(3);
    return text;
}

void showDialog(QWidget* parent, const QString& title, QWidget* body) {
    QDialog dialog(parent);
    dialog.setWindowTitle(title);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(body);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(560, 480);
    dialog.exec();
}

} // namespace

QList<QPair<QString, QString>> shortcutList(const QMainWindow* window) {
    QList<QPair<QString, QString>> rows;
    for (const QAction* a : window->findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty() || a->text().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        const QPair<QString, QString> row{plainText(a->text()), keys.join(QStringLiteral(", "))};
        if (!rows.contains(row))
            rows << row;
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

QString aboutText() {
    const rb::LibraryVersions v = rb::library_versions();
    return QObject::tr("<h3>Rasterbench</h3>"
                       "<p>A workbench for satellite rasters: inspect scenes, score and "
                       "composite the best pixels, deband stripes, transform, and export the "
                       "tuned parameters as a recipe for <code>rasterbench-cli run</code>.</p>"
                       "<table><tr><td>Qt</td><td>%1</td></tr>"
                       "<tr><td>GDAL</td><td>%2</td></tr>"
                       "<tr><td>PROJ</td><td>%3</td></tr>"
                       "<tr><td>FFTW</td><td>%4</td></tr>"
                       "<tr><td>muparser</td><td>%5</td></tr></table>")
        .arg(QString::fromLatin1(qVersion()), QString::fromStdString(v.gdal),
             QString::fromStdString(v.proj), QString::fromStdString(v.fftw),
             QString::fromStdString(v.muparser));
}

QString guideText() {
    return QObject::tr(
        "<h3>The workbench in five steps</h3>"
        "<ol>"
        "<li><b>Open</b> scenes (File &gt; Open, drag and drop, or the start page). The Layers "
        "panel lists them; Page Up/Down steps through them.</li>"
        "<li><b>Inspect</b> (Ctrl+1): bands and stretch in Display, the histogram, the value "
        "of every band under the cursor, the file's metadata.</li>"
        "<li><b>Composite</b> (Ctrl+2): choose a score method and tune it; the overlay follows "
        "each change over the view. Compute the whole scene, then Save the composite and its "
        "index, or export the settings as a recipe.</li>"
        "<li><b>Deband</b> (Ctrl+3): place notches on the FFT spectrum or let Auto-detect place "
        "them; the debanded view updates at once. Export the notches or a recipe.</li>"
        "<li><b>Transform</b> (Ctrl+4): reproject, rasterize a GeoJSON, vectorize, fill gaps, "
        "previewed over the view; each tab exports its result.</li>"
        "</ol>"
        "<p>A recipe runs headless on any number of scenes: <code>rasterbench-cli run "
        "RECIPE.json SCENE... --out-dir DIR</code>. Outputs are written to a temporary file "
        "and renamed, and never replace one of their inputs.</p>");
}

QMenu* addHelpMenu(QMainWindow* window) {
    QMenu* help = window->menuBar()->addMenu(QObject::tr("&Help"));
    QAction* guide = help->addAction(QObject::tr("Workbench &Guide"), window, [window] {
        auto* text = new QTextBrowser;
        text->setHtml(guideText());
        showDialog(window, QObject::tr("Workbench Guide"), text);
    });
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(QObject::tr("&Keyboard Shortcuts"), window, [window] {
        const auto rows = shortcutList(window);
        auto* table = new QTableWidget(int(rows.size()), 2);
        table->setHorizontalHeaderLabels({QObject::tr("Action"), QObject::tr("Shortcut")});
        for (int r = 0; r < rows.size(); ++r) {
            table->setItem(r, 0, new QTableWidgetItem(rows[r].first));
            table->setItem(r, 1, new QTableWidgetItem(rows[r].second));
        }
        table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        table->verticalHeader()->hide();
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        showDialog(window, QObject::tr("Keyboard Shortcuts"), table);
    });
    help->addSeparator();
    help->addAction(QObject::tr("&About Rasterbench"), window, [window] {
        QMessageBox::about(window, QObject::tr("About Rasterbench"), aboutText());
    });
    return help;
}

} // namespace rb::ui
