#pragma once
// The Deband dock: the spectrum view with its tools (notch / stripe, contrast, auto-detect,
// undo, clear), what the map shows (before / after / difference), the hover read-out and the
// metrics. The logic lives in DebandController; this panel wires widgets to it.
#include <QWidget>

#include <memory>

#include "SceneLayer.h"

class QComboBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace rb::ui {

class DebandController;
class MapCanvas;
class SpectrumView;

class DebandPanel : public QWidget {
    Q_OBJECT
public:
    explicit DebandPanel(MapCanvas* canvas, QWidget* parent = nullptr);

    /// The scene to deband; its area is prepared when the panel is (or becomes) visible.
    void setScene(std::shared_ptr<const SceneData> scene);
    DebandController* controller() const { return controller_; }
    SpectrumView* spectrumView() const { return view_; }
    QLabel* hoverLabel() const { return hover_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void refreshSpectrum();
    void showMetrics();

    MapCanvas* canvas_;
    DebandController* controller_;
    SpectrumView* view_;
    QSpinBox* band_;
    QComboBox* show_;
    QSlider* black_;
    QSlider* white_;
    QLabel* hover_;
    QLabel* metrics_;
};

} // namespace rb::ui
