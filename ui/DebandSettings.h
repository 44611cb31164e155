#pragma once
// The Deband panel's parameters, generated from the engine's tables: the automatic
// detection (orientation and peak tables) and the deband operation (its table). The same
// rows, names and limits as the deband step of a recipe and `rasterbench-cli deband`'s
// flags; a rejected value is shown under its row and the previous value kept.
#include <QWidget>

#include <map>
#include <string>

#include "rasterbench/deband.h"

class QToolButton;

namespace rb::ui {

class ParamForm;

class DebandSettings : public QWidget {
    Q_OBJECT
public:
    explicit DebandSettings(QWidget* parent = nullptr);

    const rb::fft::PeakOptions& peak() const { return peak_; }
    const rb::fft::OrientationOptions& orientation() const { return orientation_; }
    const rb::fft::DebandOptions& options() const { return options_; }

    /// Sets one parameter by its recipe name; throws ArgumentError as the table does.
    void set(const std::string& name, const std::string& value);
    /// Every parameter back to its table's default.
    void reset();
    ParamForm* form() const { return form_; }
    /// Every parameter at once (a session or recipe being opened); the form shows them.
    void setAll(const rb::fft::PeakOptions& peak, const rb::fft::OrientationOptions& orientation,
                const rb::fft::DebandOptions& options);

    /// Every parameter by name (as the form shows them).
    std::map<std::string, std::string> values() const;
    /// Sets the parameters named in `values` (others keep theirs; refused values too).
    void setValues(const std::map<std::string, std::string>& values);

signals:
    void changed();

private:
    void showValues();
    void remember() const;

    rb::fft::PeakOptions peak_;
    rb::fft::OrientationOptions orientation_;
    rb::fft::DebandOptions options_;
    QToolButton* toggle_;
    ParamForm* form_;
};

} // namespace rb::ui
