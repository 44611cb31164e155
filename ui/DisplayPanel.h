#pragma once
// Band rendering controls of the current scene: an RGB composite or one band through a
// colour map; stretch (min/max, percent clip, mean +/- k stddev, manual), gamma, whether
// statistics are exact or from the fast preview sample, and "stretch to view". It edits a
// DisplaySettings value and says so; the stack derives the stretch and re-renders.
#include <QWidget>

#include <array>
#include <memory>

#include "SceneLayer.h"
#include "rasterbench/display.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace rb::ui {

class DisplayPanel : public QWidget {
    Q_OBJECT
public:
    explicit DisplayPanel(QWidget* parent = nullptr);

    /// Shows the settings of `scene` (null: disabled) without emitting displayEdited.
    void setScene(std::shared_ptr<const SceneData> scene, bool fastSample);
    /// "computing exact statistics: 40 %" and the like.
    void setStatus(const QString& text);
    QString status() const;

    /// The settings the controls describe (stretch limits as last shown).
    rb::DisplaySettings settings() const;
    bool fastSample() const;

    // Controls, for tests and scripted use.
    QComboBox* modeCombo() const { return mode_; }
    QComboBox* channelCombo(int channel) const { return rgb_[std::size_t(channel)]; }
    QComboBox* bandCombo() const { return band_; }
    QComboBox* colormapCombo() const { return colormap_; }
    QComboBox* stretchCombo() const { return stretch_; }
    QDoubleSpinBox* lowPercentSpin() const { return low_; }
    QDoubleSpinBox* highPercentSpin() const { return high_; }
    QDoubleSpinBox* stddevSpin() const { return k_; }
    QDoubleSpinBox* gammaSpin() const { return gamma_; }
    QDoubleSpinBox* manualSpin(int channel, bool high) const {
        return manual_[std::size_t(channel)][high ? 1 : 0];
    }
    QComboBox* statisticsCombo() const { return stats_; }
    QPushButton* stretchToViewButton() const { return toView_; }

signals:
    void displayEdited(const rb::DisplaySettings& settings, bool fastSample);
    void stretchToViewRequested();

private:
    void emitEdited();
    void updateVisibility();

    std::shared_ptr<const SceneData> scene_;
    bool updating_ = false;
    QComboBox* mode_;
    std::array<QComboBox*, 3> rgb_{};
    QComboBox* band_;
    QComboBox* colormap_;
    QComboBox* stretch_;
    QDoubleSpinBox* low_;
    QDoubleSpinBox* high_;
    QDoubleSpinBox* k_;
    QDoubleSpinBox* gamma_;
    std::array<std::array<QDoubleSpinBox*, 2>, 3> manual_{};
    QComboBox* stats_;
    QPushButton* toView_;
    QLabel* status_;
    QWidget* rgbBox_;
    QWidget* singleBox_;
    QWidget* percentBox_;
    QWidget* kBox_;
    QWidget* manualBox_;
};

} // namespace rb::ui
