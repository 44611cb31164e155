#pragma once
// Compare mode: two to four linked map views side by side, or a swipe view; each view
// shows any scene of the stack, chosen in its own selector. Views share the map extent and
// the cursor (ViewLink).
#include <QVector>
#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QStackedWidget;

namespace rb::ui {

class MapCanvas;
class SceneStack;
class SwipeView;
class ViewLink;

class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { SideBySide, Swipe };
    static constexpr int kMaxPanes = 4;

    explicit CompareView(SceneStack* stack, QWidget* parent = nullptr);

    void setMode(Mode mode);
    Mode mode() const { return mode_; }
    int paneCount() const { return int(panes_.size()); }
    void addPane();
    /// Canvas of side-by-side pane `i`.
    MapCanvas* canvas(int i) const;
    SwipeView* swipe() const { return swipe_; }
    ViewLink* link() const { return link_; }
    /// Shows stack row `row` in side-by-side pane `pane` (or, in swipe mode, pane 0 = left,
    /// 1 = right).
    void setPaneScene(int pane, int row);
    /// Stack row shown by a pane (-1: none).
    int paneScene(int pane) const;
    /// Fills empty panes with the first scenes of the stack (current first).
    void fillEmptyPanes();

private:
    struct Pane {
        QComboBox* combo;
        MapCanvas* canvas;
        int row = -1;
    };
    void refreshCombos();
    void refreshScenes(int row);
    MapCanvas* target(int pane) const;

    SceneStack* stack_;
    Mode mode_ = Mode::SideBySide;
    QStackedWidget* pages_;
    QHBoxLayout* sideLayout_;
    QVector<Pane> panes_;
    QComboBox* swipeCombos_[2];
    int swipeRows_[2] = {-1, -1};
    SwipeView* swipe_;
    ViewLink* link_;
};

} // namespace rb::ui
