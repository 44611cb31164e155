#pragma once
// Linked display: the same band combination and stretch on several scenes, so comparisons
// are like for like. "Apply display to all scenes" gives every open scene the current
// scene's display; linking gives the scenes of the compare panes (side by side or swipe)
// each other's display whenever one of them changes. Scenes of the same product (same band
// count, data type and band descriptions / roles) take the same bands and the same stretch
// ranges; scenes of another product take the bands of the same roles (red, nir, ...) and
// the same stretch method, derived from their own values; a scene whose bands have no such
// roles is skipped, with a message saying why. A scene chosen for a pane while linked takes
// the display of the scenes the other panes show. The link is on by default when the panes
// show scenes of the same product, and follows the user's choice once set.
#include <QObject>
#include <QString>

#include <map>
#include <optional>

#include "rasterbench/display.h"

namespace rb::ui {

class CompareView;
class SceneStack;
struct SceneData;

class LinkedDisplay : public QObject {
    Q_OBJECT
public:
    LinkedDisplay(SceneStack* stack, CompareView* compare, QObject* parent = nullptr);

    /// Same band count, data type and band descriptions (and so the same roles).
    static bool sameProduct(const SceneData& a, const SceneData& b);
    /// The display `from` (shown on `src`) gives `dst`; nullopt, with the reason in `why`,
    /// when a displayed band of `src` has no role `dst` has.
    static std::optional<rb::DisplaySettings> mapDisplay(const rb::DisplaySettings& from,
                                                         const SceneData& src, const SceneData& dst,
                                                         QString* why);

    /// Gives every other loaded scene of the stack the display of stack row `row`; the text
    /// says how many took it and which were skipped and why.
    QString applyToAll(int row);

    /// Whether the compare panes share their display now: the user's choice, or by default
    /// whether the panes show scenes of the same product.
    bool isLinked() const;
    /// The user's choice (overrides the default).
    void setLinked(bool on);
    /// Back to the default (linked for scenes of the same product).
    void clearChoice() { choice_.reset(); }

signals:
    /// A scene was skipped while linking or applying (the reason).
    void message(const QString& text);
    void linkChanged(bool linked);

private:
    void onSceneChanged(int row);
    /// A scene newly shown in a pane takes the linked display of the other panes' scenes.
    void onPaneSceneChanged(int pane, int row);
    /// Stack rows the compare panes show (each once).
    std::vector<int> paneRows() const;
    /// Sets `d` on `row`, remembering it so its echo is not propagated back.
    void applyTo(int row, const rb::DisplaySettings& d);

    SceneStack* stack_;
    CompareView* compare_;
    std::optional<bool> choice_;
    bool propagating_ = false;
    /// What linking last gave each row (bands and stretch): a change to exactly that is
    /// the row taking it, not a user edit to pass on.
    std::map<int, rb::DisplaySettings> applied_;
};

} // namespace rb::ui
