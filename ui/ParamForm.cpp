#include "ParamForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rb::ui {

namespace {

bool bounded(const rb::ParamInfo& p) {
    return std::isfinite(p.min) && std::isfinite(p.max) && p.max > p.min;
}

/// Ranges over three decades of positive values are easier to tune on a log scale.
bool logScale(double lo, double hi) {
    return lo > 0 && hi / lo >= 1000;
}

/// Spin boxes need finite limits; the engine re-checks the real range on every set.
double spinLimit(double v, double fallback) {
    return std::isfinite(v) ? v : fallback;
}

QString text(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

int sliderPosition(double v, double lo, double hi) {
    if (!(hi > lo))
        return 0;
    double t = logScale(lo, hi) ? std::log(std::max(v, lo) / lo) / std::log(hi / lo)
                                : (v - lo) / (hi - lo);
    t = std::clamp(t, 0.0, 1.0);
    return int(std::lround(t * ParamForm::kSliderSteps));
}

double sliderValue(int pos, double lo, double hi) {
    const double t = double(pos) / ParamForm::kSliderSteps;
    return logScale(lo, hi) ? lo * std::pow(hi / lo, t) : lo + t * (hi - lo);
}

int messagePosition(const QString& message) {
    static const QRegularExpression re(QStringLiteral("position (\\d+)"));
    const auto m = re.match(message);
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

ParamForm::ParamForm(QWidget* parent) : QWidget(parent), layout_(new QFormLayout(this)) {
    layout_->setContentsMargins(0, 0, 0, 0);
    layout_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
}

void ParamForm::setParams(const std::vector<rb::ParamInfo>& rows,
                          const std::map<std::string, std::string>& values) {
    while (layout_->rowCount() > 0)
        layout_->removeRow(0);
    widgets_.clear();
    rows_ = rows;
    updating_ = true;
    for (const rb::ParamInfo& p : rows_)
        addRow(p);
    updating_ = false;
    setValues(values);
}

void ParamForm::addRow(const rb::ParamInfo& p) {
    const QString name = text(p.name);
    Row row;
    auto* field = new QWidget(this);
    auto* box = new QVBoxLayout(field);
    box->setContentsMargins(0, 0, 0, 0);
    box->setSpacing(1);
    auto* line = new QHBoxLayout;
    box->addLayout(line);

    switch (p.type) {
    case rb::ParamType::Bool: {
        auto* c = new QCheckBox(field);
        connect(c, &QCheckBox::toggled, this,
                [this, name](bool on) { emitChange(name, on ? "true" : "false"); });
        row.editor = c;
        break;
    }
    case rb::ParamType::Choice: {
        auto* c = new QComboBox(field);
        for (const auto& choice : p.choices)
            c->addItem(text(choice));
        connect(c, &QComboBox::currentTextChanged, this,
                [this, name](const QString& v) { emitChange(name, v); });
        row.editor = c;
        break;
    }
    case rb::ParamType::Int: {
        auto* s = new QSpinBox(field);
        s->setRange(int(std::max<double>(spinLimit(p.min, -1e9), std::numeric_limits<int>::min())),
                    int(std::min<double>(spinLimit(p.max, 1e9), std::numeric_limits<int>::max())));
        s->setKeyboardTracking(false); // typed digits are partial values: apply on Enter
        if (!p.unit.empty())
            s->setSuffix(QLatin1Char(' ') + text(p.unit));
        const int multiple = p.multiple > 1 ? int(p.multiple) : 1;
        s->setSingleStep(multiple);
        connect(s, &QSpinBox::valueChanged, this, [this, name, s, multiple](int v) {
            // A typed value off the row's multiple snaps to the nearest one (that emits).
            if (v % multiple != 0) {
                const int snapped = int(std::lround(double(v) / multiple)) * multiple;
                s->setValue(std::clamp(
                    snapped, s->minimum() + (multiple - s->minimum() % multiple) % multiple,
                    s->maximum() - s->maximum() % multiple));
                return;
            }
            emitChange(name, QString::number(v));
        });
        row.editor = s;
        break;
    }
    case rb::ParamType::Double: {
        auto* s = new QDoubleSpinBox(field);
        s->setDecimals(6);
        s->setRange(spinLimit(p.min, -1e12), spinLimit(p.max, 1e12));
        // An unbounded minimum (min_score's "no minimum") reads as -inf, not as 13 digits.
        const bool open_below = !std::isfinite(p.min);
        if (open_below)
            s->setSpecialValueText(QStringLiteral("-inf"));
        s->setSingleStep(bounded(p) && !logScale(p.min, p.max) ? (p.max - p.min) / 100 : 0.1);
        s->setKeyboardTracking(false);
        if (!p.unit.empty())
            s->setSuffix(QLatin1Char(' ') + text(p.unit));
        connect(s, &QDoubleSpinBox::valueChanged, this, [this, name, s, open_below](double v) {
            if (open_below && v <= s->minimum())
                v = -std::numeric_limits<double>::infinity();
            emitChange(name, text(rb::format_param_value(v)));
        });
        row.editor = s;
        break;
    }
    case rb::ParamType::String: {
        auto* e = new QLineEdit(field);
        // Each keystroke is a new request (the newest wins), so a formula previews as typed.
        connect(e, &QLineEdit::textEdited, this,
                [this, name](const QString& v) { emitChange(name, v); });
        row.editor = e;
        break;
    }
    }
    line->addWidget(row.editor, 1);

    if ((p.type == rb::ParamType::Int || p.type == rb::ParamType::Double) && bounded(p)) {
        auto* s = new QSlider(Qt::Horizontal, field);
        const bool integral = p.type == rb::ParamType::Int;
        // Integer rows with few values step by one; the rest map onto kSliderSteps.
        const bool direct = integral && p.max - p.min <= kSliderSteps;
        s->setRange(direct ? int(p.min) : 0, direct ? int(p.max) : kSliderSteps);
        const double lo = p.min, hi = p.max;
        connect(s, &QSlider::valueChanged, this, [this, name, direct, integral, lo, hi](int v) {
            if (updating_)
                return;
            const double value = direct ? v : sliderValue(v, lo, hi);
            const QSignalBlocker block(widgets_[name].editor);
            if (auto* i = qobject_cast<QSpinBox*>(widgets_[name].editor))
                i->setValue(int(std::lround(value)));
            else if (auto* d = qobject_cast<QDoubleSpinBox*>(widgets_[name].editor))
                d->setValue(value);
            emitChange(name, integral ? QString::number(std::lround(value))
                                      : text(rb::format_param_value(value)));
        });
        line->addWidget(s, 2);
        row.slider = s;
    }

    row.error = new QLabel(field);
    row.error->setWordWrap(true);
    row.error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row.error->setStyleSheet(QStringLiteral("color: #c0392b"));
    row.error->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    row.error->hide();
    box->addWidget(row.error);

    row.editor->setToolTip(text(p.help));
    row.editor->setObjectName(name);
    auto* label = new QLabel(name, this);
    label->setToolTip(text(p.help));
    widgets_.insert(name, row);
    layout_->addRow(label, field);
}

void ParamForm::setValues(const std::map<std::string, std::string>& values) {
    updating_ = true;
    for (const rb::ParamInfo& p : rows_) {
        const auto it = values.find(p.name);
        showValue(p, text(it != values.end() ? it->second : p.default_value));
    }
    updating_ = false;
}

void ParamForm::showValue(const rb::ParamInfo& p, const QString& value) {
    const Row& row = widgets_[text(p.name)];
    const QSignalBlocker block(row.editor);
    if (auto* c = qobject_cast<QCheckBox*>(row.editor))
        c->setChecked(value == QLatin1String("true"));
    else if (auto* c = qobject_cast<QComboBox*>(row.editor))
        c->setCurrentText(value);
    else if (auto* s = qobject_cast<QSpinBox*>(row.editor))
        s->setValue(value.toInt());
    else if (auto* s = qobject_cast<QDoubleSpinBox*>(row.editor))
        s->setValue(value.toDouble());
    else if (auto* e = qobject_cast<QLineEdit*>(row.editor)) {
        if (e->text() != value)
            e->setText(value);
    }
    if (row.slider) {
        const QSignalBlocker blockSlider(row.slider);
        const bool direct = row.slider->maximum() != kSliderSteps || row.slider->minimum() != 0;
        row.slider->setValue(direct ? int(std::lround(value.toDouble()))
                                    : sliderPosition(value.toDouble(), p.min, p.max));
    }
}

void ParamForm::emitChange(const QString& name, const QString& value) {
    if (updating_)
        return;
    // Keep the slider in step with a typed value.
    const bool fromSlider = sender() && sender()->inherits("QSlider");
    for (const rb::ParamInfo& p : rows_)
        if (text(p.name) == name && widgets_[name].slider && !fromSlider) {
            updating_ = true;
            showValue(p, value);
            updating_ = false;
        }
    emit valueChanged(name, value);
}

void ParamForm::setError(const QString& name, const QString& message) {
    const auto it = widgets_.find(name);
    if (it == widgets_.end())
        return;
    QLabel* label = it->error;
    if (message.isEmpty()) {
        label->clear();
        label->hide();
        return;
    }
    QString shown = message;
    const int pos = messagePosition(message);
    if (auto* e = qobject_cast<QLineEdit*>(it->editor); e && pos >= 0 && pos <= e->text().size())
        // The value with a caret under the offending character, in a fixed-width font.
        shown = e->text() + '\n' + QString(pos, ' ') + "^\n" + message;
    label->setText(shown);
    label->show();
}

QString ParamForm::error(const QString& name) const {
    const auto it = widgets_.find(name);
    return it == widgets_.end() || it->error->isHidden() ? QString() : it->error->text();
}

QWidget* ParamForm::editor(const QString& name) const {
    const auto it = widgets_.find(name);
    return it == widgets_.end() ? nullptr : it->editor;
}

QSlider* ParamForm::slider(const QString& name) const {
    const auto it = widgets_.find(name);
    return it == widgets_.end() ? nullptr : it->slider;
}

} // namespace rb::ui
