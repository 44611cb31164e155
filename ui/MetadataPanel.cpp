#include "MetadataPanel.h"

#include <QFontDatabase>

#include "rasterbench/dataset.h"
#include "rasterbench/info.h"

namespace rb::ui {

MetadataPanel::MetadataPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

MetadataPanel::~MetadataPanel() = default;

QString MetadataPanel::report(const QString& path) {
    const rb::Dataset ds = rb::Dataset::open(path.toStdString());
    QString text = QString::fromStdString(rb::info_text(ds));
    const rb::Crs& crs = ds.profile().crs;
    if (!crs.empty()) {
        text += QStringLiteral("\nCRS (WKT2)\n") + QString::fromStdString(crs.to_wkt()) +
                QStringLiteral("\n\nCRS (PROJ parameters)\n");
        for (const auto& [key, value] : crs.proj_params())
            text += QStringLiteral("  %1 = %2\n")
                        .arg(QString::fromStdString(key), QString::fromStdString(value));
    }
    return text;
}

void MetadataPanel::setFile(const QString& path) {
    if (path.isEmpty()) {
        lane_.discard();
        clear();
        pending_ = false;
        return;
    }
    pending_ = true;
    auto show = [this](const QString& text) {
        pending_ = false;
        setPlainText(text);
    };
    // A file that cannot be read shows its error in place of the report.
    lane_.run([path](JobContext&) { return report(path); }, show, show);
}

} // namespace rb::ui
