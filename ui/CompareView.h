#pragma once
// Compare mode: two to four linked map views side by side, or a swipe view; each view
// shows any scene of the stack or any derived layer (DerivedLayers: a deband result, later a
// score or composite), chosen in its own selector. Views share the map extent and the cursor
// (ViewLink).
#include <QVector>
#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QStackedWidget;

namespace rb::ui {

class DerivedLayers;
class MapCanvas;
class SceneStack;
class SwipeView;
class ViewLink;

class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { SideBySide, Swipe };
    static constexpr int kMaxPanes = 4;
    /// Overlay id under which a pane draws the derived layer it shows.
    static constexpr const char* kDerivedOverlay = "derived-layer";

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
    /// Stack row shown by a pane (-1: none, or a derived layer).
    int paneScene(int pane) const;
    /// The derived layers the selectors offer after the scenes (null: none).
    void setDerivedLayers(DerivedLayers* layers);
    /// Shows derived layer `id` in a pane (as setPaneScene); false when there is none.
    bool setPaneLayer(int pane, const QString& id);
    /// Id of the derived layer a pane shows (empty: a scene or nothing).
    QString paneLayer(int pane) const;
    /// The selector of a pane (side by side: its combo; swipe: 0 = left, 1 = right).
    QComboBox* paneSelector(int pane) const;
    /// Fills empty panes with the first scenes of the stack (current first).
    void fillEmptyPanes();

signals:
    /// Pane `pane` now shows stack row `row` (chosen in its selector, set, or filled in).
    void paneSceneChanged(int pane, int row);

private:
    struct Pane {
        QComboBox* combo;
        MapCanvas* canvas;
        int row = -1;
        QString layer;
    };
    void refreshCombos();
    void refreshScenes(int row);
    void onSelectorActivated(int pane, int index);
    void onDerivedChanged(const QString& id);
    int& rowRef(int pane);
    QString& layerRef(int pane);
    bool paneEmpty(int pane) const;
    /// Joins the other views where they look, rather than fitting on its own.
    void syncNewPane(MapCanvas* c);
    MapCanvas* target(int pane) const;

    SceneStack* stack_;
    Mode mode_ = Mode::SideBySide;
    QStackedWidget* pages_;
    QHBoxLayout* sideLayout_;
    QVector<Pane> panes_;
    QComboBox* swipeCombos_[2];
    int swipeRows_[2] = {-1, -1};
    QString swipeLayers_[2];
    DerivedLayers* derived_ = nullptr;
    SwipeView* swipe_;
    ViewLink* link_;
};

} // namespace rb::ui
