#pragma once
// The FFT spectrum of the deband area as an editable picture: centred log-magnitude with a
// contrast control, the notches drawn over it (each point notch with its conjugate twin,
// each stripe notch as its rejected line through DC), and the mouse to edit them:
// - click places a notch (or, with the stripe tool, a stripe notch through the clicked
//   frequency);
// - drag a point notch (either twin) to move it; drag a stripe line to rotate it, or with
//   Shift held to set its width from the distance to the line;
// - the wheel over a notch resizes it (point: radius, stripe: width); + / - resize the
//   selected one;
// - right click, Delete or Backspace removes one.
// Hovering reports frequency, period and orientation (and the notch under the cursor). The
// view only reports edits (notchesEdited); the owner decides and calls setNotches back, so
// undo and the preview live in one place.
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
    /// A notch of the set: a point notch (with `twin`: its conjugate was the one hit) or a
    /// stripe notch, by index.
    struct Item {
        enum class Kind { Point, Stripe } kind = Kind::Point;
        int index = -1;
        bool twin = false;
        bool operator==(const Item&) const = default;
    };

    explicit SpectrumView(QWidget* parent = nullptr);

    void setSpectrum(std::shared_ptr<const rb::fft::Spectrum> spectrum);
    std::shared_ptr<const rb::fft::Spectrum> spectrum() const { return spectrum_; }
    /// Display stretch of the log magnitude, as percentiles (0..100) of its values.
    void setContrast(double lowPercent, double highPercent);
    void setNotches(const rb::fft::NotchSet& notches);
    const rb::fft::NotchSet& notches() const { return notches_; }
    void setTool(Tool tool) { tool_ = tool; }
    Tool tool() const { return tool_; }
    std::optional<Item> selected() const { return selected_; }

    /// Widget position of frequency (u, v) (cycles/pixel), and back; false outside the
    /// spectrum.
    QPointF frequencyToWidget(double u, double v) const;
    bool widgetToFrequency(QPointF pos, double& u, double& v) const;
    /// Radius of a new notch: three spectrum bins.
    double defaultRadius() const;
    /// The hover text for a frequency (also used by tests).
    static QString describe(double u, double v);
    /// The notch under a widget position (points first: they sit on top of stripe lines).
    std::optional<Item> itemAt(QPointF pos) const;

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
    bool valid(const std::optional<Item>& item) const;
    /// `n` with `item` resized by `factor` (radius or width, clamped).
    rb::fft::NotchSet resized(const Item& item, double factor) const;
    rb::fft::NotchSet without(const Item& item) const;

    std::shared_ptr<const rb::fft::Spectrum> spectrum_;
    /// The spectrum's values sorted once per spectrum (every one up to kContrastSample of
    /// them, else an even sample of that many), which the contrast percentiles are read
    /// from: a partial sort of all 4 M values of a 2048² spectrum per slider step stalled
    /// the GUI thread.
    std::vector<float> sortedSample_;
    QImage image_;
    double lowPercent_ = 1, highPercent_ = 99.9;
    rb::fft::NotchSet notches_;
    Tool tool_ = Tool::Notch;
    std::optional<Item> dragging_;
    bool dragWidth_ = false; ///< Shift was held when a stripe drag began: set its width
    bool dragEdited_ = false;
    std::optional<Item> selected_;
};

} // namespace rb::ui
