#pragma once
// Swipe comparison: two linked map views stacked in one place; left of a draggable divider
// the lower view shows, right of it the upper one (clipped there, so the mouse reaches the
// lower view on the left).
#include <QWidget>

namespace rb::ui {

class MapCanvas;
class ViewLink;

class SwipeView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kHandleWidth = 6;

    explicit SwipeView(QWidget* parent = nullptr);

    MapCanvas* left() const { return left_; }
    MapCanvas* right() const { return right_; }
    ViewLink* link() const { return link_; }
    /// Divider position as a fraction of the width (0..1).
    double divider() const { return divider_; }
    void setDivider(double fraction);
    /// Widget x of the divider.
    int dividerX() const;
    QWidget* handle() const { return handle_; }

protected:
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void layoutChildren();

    MapCanvas* left_;
    MapCanvas* right_;
    QWidget* handle_;
    ViewLink* link_;
    double divider_ = 0.5;
};

} // namespace rb::ui
