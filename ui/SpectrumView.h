#pragma once
// The FFT spectrum of the deband area as an editable picture: centred log-magnitude with a
// contrast control, the notches drawn over it (each point notch with its conjugate twin),
// and the mouse to edit them: click places a notch (or, with the stripe tool, a stripe notch
// through the clicked frequency), drag moves one, the wheel resizes it, right click or
// Delete removes it. Hovering reports frequency, period and orientation. The view only
// reports edits (notchesEdited); the owner decides and calls setNotches back.
#include <QImage>
#include <QWidget>

#include <memory>
#include <optional>

#include "rasterbench/deband.h"

namespace rb::ui {

class SpectrumView : public QWidget {
    Q_OBJECT
public:
    enum class Tool { Notch, Stripe };

    explicit SpectrumView(QWidget* parent = nullptr);

    void setSpectrum(std::shared_ptr<const rb::fft::Spectrum> spectrum);
    std::shared_ptr<const rb::fft::Spectrum> spectrum() const { return spectrum_; }
    /// Display stretch of the log magnitude, as percentiles (0..100) of its values.
    void setContrast(double lowPercent, double highPercent);
    void setNotches(const rb::fft::NotchSet& notches);
    const rb::fft::NotchSet& notches() const { return notches_; }
    void setTool(Tool tool) { tool_ = tool; }
    Tool tool() const { return tool_; }

    /// Widget position of frequency (u, v) (cycles/pixel), and back; false outside the
    /// spectrum.
    QPointF frequencyToWidget(double u, double v) const;
    bool widgetToFrequency(QPointF pos, double& u, double& v) const;
    /// Radius of a new notch: three spectrum bins.
    double defaultRadius() const;
    /// The hover text for a frequency (also used by tests).
    static QString describe(double u, double v);

    QSize sizeHint() const override { return {360, 360}; }

signals:
    /// A user edit; `continuing` is true for the moves of a drag after its first (one undo
    /// step per gesture).
    void notchesEdited(const rb::fft::NotchSet& notches, bool continuing);
    void hovered(const QString& text);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void rebuildImage();
    QRectF imageRect() const;
    /// Point notch under `pos` (either twin): index and whether the twin was hit.
    std::optional<std::pair<int, bool>> notchAt(QPointF pos) const;

    std::shared_ptr<const rb::fft::Spectrum> spectrum_;
    QImage image_;
    double lowPercent_ = 1, highPercent_ = 99.9;
    rb::fft::NotchSet notches_;
    Tool tool_ = Tool::Notch;
    std::optional<std::pair<int, bool>> dragging_;
    bool dragEdited_ = false;
    int selected_ = -1;
};

} // namespace rb::ui
