#include "ExportOptionsBox.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>

namespace rb::ui {

namespace {

const char* const kKey = "export/options";

} // namespace

ExportOptionsBox::ExportOptionsBox(QWidget* parent)
    : QWidget(parent), format_(new QComboBox(this)), compression_(new QComboBox(this)),
      overviews_(new QCheckBox(tr("Overviews"), this)) {
    const auto& table = rb::ExportOptions::params();
    format_->addItem(tr("GeoTIFF"), QStringLiteral("gtiff"));
    format_->addItem(tr("COG"), QStringLiteral("cog"));
    format_->setToolTip(QString::fromStdString(table.info("format")->help));
    for (const std::string& c : table.info("compression")->choices)
        compression_->addItem(QString::fromStdString(c).toLower() == QLatin1String("none")
                                  ? tr("No compression")
                                  : QString::fromStdString(c),
                              QString::fromStdString(c));
    compression_->setToolTip(QString::fromStdString(table.info("compression")->help));
    overviews_->setToolTip(QString::fromStdString(table.info("overviews")->help));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Save as"), this));
    layout->addWidget(format_);
    layout->addWidget(compression_);
    layout->addWidget(overviews_);
    layout->addStretch();
    load();
    connect(format_, &QComboBox::currentIndexChanged, this, &ExportOptionsBox::store);
    connect(compression_, &QComboBox::currentIndexChanged, this, &ExportOptionsBox::store);
    connect(overviews_, &QCheckBox::toggled, this, &ExportOptionsBox::store);
}

rb::ExportOptions ExportOptionsBox::current() {
    rb::ExportOptions o;
    const auto& table = rb::ExportOptions::params();
    QSettings settings;
    const QVariantMap saved = settings.value(QLatin1String(kKey)).toMap();
    for (auto it = saved.cbegin(); it != saved.cend(); ++it) {
        try {
            table.set(o, it.key().toStdString(), it.value().toString().toStdString());
        } catch (const std::exception&) {
            // A value an older or newer version wrote: that option keeps its default.
        }
    }
    return o;
}

void ExportOptionsBox::setCurrent(const rb::ExportOptions& options) {
    QVariantMap map;
    for (const auto& [k, v] : rb::ExportOptions::params().values(options))
        map.insert(QString::fromStdString(k), QString::fromStdString(v));
    QSettings().setValue(QLatin1String(kKey), map);
}

void ExportOptionsBox::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    load(); // another panel may have changed the choice
}

void ExportOptionsBox::load() {
    const rb::ExportOptions o = current();
    loading_ = true;
    format_->setCurrentIndex(o.format == rb::ExportOptions::Format::Cog ? 1 : 0);
    compression_->setCurrentIndex(
        std::max(0, compression_->findData(QString::fromStdString(o.compression))));
    overviews_->setChecked(o.overviews);
    loading_ = false;
}

void ExportOptionsBox::store() {
    if (loading_)
        return;
    rb::ExportOptions o;
    o.format = format_->currentIndex() == 1 ? rb::ExportOptions::Format::Cog
                                            : rb::ExportOptions::Format::GeoTiff;
    o.compression = compression_->currentData().toString().toStdString();
    o.overviews = overviews_->isChecked();
    setCurrent(o);
}

} // namespace rb::ui
