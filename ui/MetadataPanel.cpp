#include "MetadataPanel.h"

#include <QFontDatabase>

#include <exception>

#include "Background.h"
#include "rasterbench/dataset.h"
#include "rasterbench/info.h"

namespace rb::ui {

MetadataPanel::MetadataPanel(QWidget* parent) : QPlainTextEdit(parent) {
    pool_.setMaxThreadCount(1);
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

MetadataPanel::~MetadataPanel() {
    pool_.waitForDone();
}

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
    const quint64 generation = ++generation_;
    if (path.isEmpty()) {
        clear();
        pending_ = false;
        return;
    }
    pending_ = true;
    runInBackground(
        this, &pool_,
        [path] {
            try {
                return report(path);
            } catch (const std::exception& e) {
                return QString::fromStdString(e.what());
            }
        },
        [this, generation](const QString& text) {
            if (generation != generation_)
                return;
            pending_ = false;
            setPlainText(text);
        });
}

} // namespace rb::ui
