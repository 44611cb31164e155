#pragma once
// A form generated from a parameter table (rb::ParamInfo rows): the UI side of the
// self-describing parameters, so a parameter added to an engine table appears here without
// UI code. Bounded numbers get a slider next to a spin box, unbounded ones a spin box,
// choices a combo box, booleans a check box and text a line edit. Every edit is reported
// as NAME=VALUE text, exactly what set_score_param() and `--param` take; a rejected value
// is shown inline under its row, with a caret under the position the message names.
#include <QMap>
#include <QString>
#include <QWidget>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rasterbench/param_table.h"

class QFormLayout;
class QLabel;
class QSlider;

namespace rb::ui {

class ParamForm : public QWidget {
    Q_OBJECT
public:
    /// Sliders have this many steps over a row's [min, max].
    static constexpr int kSliderSteps = 1000;

    explicit ParamForm(QWidget* parent = nullptr);

    /// Rebuilds the form for `rows`, showing `values` (by name; missing: the row's default).
    void setParams(const std::vector<rb::ParamInfo>& rows,
                   const std::map<std::string, std::string>& values);
    /// Updates the shown values without emitting valueChanged.
    void setValues(const std::map<std::string, std::string>& values);
    const std::vector<rb::ParamInfo>& params() const { return rows_; }

    /// Shows `message` under row `name` (empty clears it). A "position N" in the message puts
    /// a caret under character N of a text row's value.
    void setError(const QString& name, const QString& message);
    QString error(const QString& name) const;

    /// The editor of a row (QDoubleSpinBox, QSpinBox, QComboBox, QCheckBox or QLineEdit) and
    /// its slider, if any (tests drive these).
    QWidget* editor(const QString& name) const;
    QSlider* slider(const QString& name) const;

signals:
    void valueChanged(const QString& name, const QString& value);

private:
    struct Row {
        QWidget* editor = nullptr;
        QSlider* slider = nullptr;
        QLabel* error = nullptr;
    };
    void addRow(const rb::ParamInfo& info);
    void showValue(const rb::ParamInfo& info, const QString& value);
    void emitChange(const QString& name, const QString& value);

    QFormLayout* layout_;
    std::vector<rb::ParamInfo> rows_;
    QMap<QString, Row> widgets_;
    bool updating_ = false;
};

/// Keeps `options` in step with `form` for one table: each edit goes through the table (a
/// rejected value is shown under its row and the options keep their value), then `changed`
/// runs. `options` must outlive the form (a member of the form's owner).
template <class O>
void bindTable(ParamForm* form, const rb::ParamTable<O>& table, O& options,
               std::function<void()> changed) {
    QObject::connect(form, &ParamForm::valueChanged, form,
                     [form, &table, &options, changed](const QString& name, const QString& v) {
                         try {
                             table.set(options, name.toStdString(), v.toStdString());
                             form->setError(name, {});
                         } catch (const std::exception& e) {
                             form->setError(name, QString::fromUtf8(e.what()));
                             return;
                         }
                         if (changed)
                             changed();
                     });
}

/// The rows of `table` without those named in `skip` (a panel edits them its own way).
template <class O>
std::vector<rb::ParamInfo> rowsWithout(const rb::ParamTable<O>& table,
                                       const std::vector<std::string>& skip) {
    std::vector<rb::ParamInfo> rows;
    for (const auto& r : table.infos())
        if (std::find(skip.begin(), skip.end(), r.name) == skip.end())
            rows.push_back(r);
    return rows;
}

/// Slider position (0..kSliderSteps) of `v` in [lo, hi] and back: linear, or logarithmic for
/// ranges spanning decades of positive numbers (penalties from 1e-3 to 1e6).
int sliderPosition(double v, double lo, double hi);
double sliderValue(int pos, double lo, double hi);

/// The character position an engine message names ("... at position 7"), or -1.
int messagePosition(const QString& message);

} // namespace rb::ui
