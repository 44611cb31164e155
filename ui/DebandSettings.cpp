#include "DebandSettings.h"

#include <QPushButton>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

#include "ParamForm.h"
#include "rasterbench/error.h"

namespace rb::ui {

namespace {

const QString kSettingsKey = QStringLiteral("deband/params");

// The three tables in the order the recipe's deband step lists them.
// (Generic over const, so readers and writers share it.)
template <class P, class O, class D, class F> void each_table(P& p, O& o, D& d, F&& f) {
    f(rb::fft::PeakOptions::params(), p);
    f(rb::fft::OrientationOptions::params(), o);
    f(rb::fft::DebandOptions::params(), d);
}

} // namespace

DebandSettings::DebandSettings(QWidget* parent)
    : QWidget(parent), toggle_(new QToolButton(this)), form_(new ParamForm(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    toggle_->setText(tr("Detection and output settings"));
    toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toggle_->setArrowType(Qt::RightArrow);
    toggle_->setCheckable(true);
    toggle_->setAutoRaise(true);
    toggle_->setToolTip(tr("Parameters of Auto-detect and of the saved result; the same as the "
                           "deband step of a recipe"));
    layout->addWidget(toggle_);
    auto* body = new QWidget(this);
    auto* bodyLayout = new QVBoxLayout(body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->addWidget(form_);
    auto* resetButton = new QPushButton(tr("Defaults"), body);
    resetButton->setToolTip(tr("Every detection and output parameter back to its default"));
    bodyLayout->addWidget(resetButton, 0, Qt::AlignLeft);
    body->setVisible(false);
    layout->addWidget(body);
    connect(toggle_, &QToolButton::toggled, this, [this, body](bool open) {
        toggle_->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        body->setVisible(open);
    });
    connect(resetButton, &QPushButton::clicked, this, &DebandSettings::reset);

    std::vector<rb::ParamInfo> rows;
    each_table(peak_, orientation_, options_, [&](const auto& table, auto&) {
        const auto infos = table.infos();
        rows.insert(rows.end(), infos.begin(), infos.end());
    });
    form_->setParams(rows, {});
    // The user's last values; one that a newer build's table rejects keeps its default.
    const QVariantMap saved = QSettings().value(kSettingsKey).toMap();
    for (auto it = saved.begin(); it != saved.end(); ++it) {
        try {
            set(it.key().toStdString(), it.value().toString().toStdString());
        } catch (const std::exception&) {
        }
    }
    showValues();
    connect(form_, &ParamForm::valueChanged, this,
            [this](const QString& name, const QString& value) {
                try {
                    set(name.toStdString(), value.toStdString());
                    form_->setError(name, {});
                    remember();
                    emit changed();
                } catch (const std::exception& e) {
                    form_->setError(name, QString::fromUtf8(e.what()));
                }
            });
}

void DebandSettings::set(const std::string& name, const std::string& value) {
    bool found = false;
    each_table(peak_, orientation_, options_, [&](const auto& table, auto& o) {
        if (found || !table.has(name))
            return;
        auto copy = o;
        table.set(copy, name, value);
        o = copy;
        found = true;
    });
    if (!found)
        throw ArgumentError("unknown deband parameter '" + name + "'");
}

void DebandSettings::reset() {
    peak_ = {};
    orientation_ = {};
    options_ = {};
    for (const auto& row : form_->params())
        form_->setError(QString::fromStdString(row.name), {});
    showValues();
    remember();
    emit changed();
}

std::map<std::string, std::string> DebandSettings::values() const {
    std::map<std::string, std::string> values;
    each_table(peak_, orientation_, options_, [&](const auto& table, const auto& o) {
        const auto v = table.values(o);
        values.insert(v.begin(), v.end());
    });
    return values;
}

void DebandSettings::setValues(const std::map<std::string, std::string>& values) {
    for (const auto& [name, value] : values) {
        try {
            set(name, value);
        } catch (const std::exception&) {
            // a value this build refuses keeps the current one
        }
    }
    setAll(peak_, orientation_, options_);
}

void DebandSettings::showValues() {
    form_->setValues(values());
}

void DebandSettings::remember() const {
    QVariantMap map;
    each_table(peak_, orientation_, options_, [&](const auto& table, const auto& o) {
        for (const auto& [name, value] : table.values(o))
            map.insert(QString::fromStdString(name), QString::fromStdString(value));
    });
    QSettings().setValue(kSettingsKey, map);
}

void DebandSettings::setAll(const rb::fft::PeakOptions& peak,
                            const rb::fft::OrientationOptions& orientation,
                            const rb::fft::DebandOptions& options) {
    peak_ = peak;
    orientation_ = orientation;
    options_ = options;
    for (const auto& row : form_->params())
        form_->setError(QString::fromStdString(row.name), {});
    showValues();
    remember();
    emit changed();
}

} // namespace rb::ui
