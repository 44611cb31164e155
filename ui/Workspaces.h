#pragma once
// Workspaces: one arrangement of the docks per task (Inspect, Composite, Deband, Transform,
// Catalog), chosen from a toolbar or with Ctrl+1..5, so the tools a task needs are one click
// away and the others stay out of the map's way. The last workspace is remembered per user.
#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

class QAction;
class QActionGroup;
class QMainWindow;
class QToolBar;

namespace rb::ui {

class Workspaces : public QObject {
    Q_OBJECT
public:
    struct Workspace {
        QString name;      ///< settings key: "inspect", "composite", ..., "catalog"
        QString title;     ///< toolbar text
        QString tip;       ///< what the workspace is for
        QStringList docks; ///< object names of the docks it shows, the first on top
    };
    static constexpr const char* kSettingsKey = "workspace";

    /// Adds a toolbar to `window`; its docks are found by object name when applied.
    explicit Workspaces(QMainWindow* window);

    static const std::vector<Workspace>& all();
    QToolBar* toolBar() const { return toolBar_; }
    QAction* action(const QString& name) const;
    /// Shows the workspace's docks (tabbed on the right, the first raised), hides the
    /// others; the Layers dock stays where the user put it. Unknown names are ignored.
    void apply(const QString& name);
    QString current() const { return current_; }
    /// Saving the choice in the settings (off for scripted runs and tests).
    void setPersistent(bool on) { persistent_ = on; }
    /// Marks the workspace saved by the previous session as current, without arranging the
    /// docks (the window's saved state already has the user's arrangement); false when none.
    bool restore();

signals:
    void applied(const QString& name);

private:
    QMainWindow* window_;
    QToolBar* toolBar_;
    QActionGroup* group_;
    QString current_;
    bool persistent_ = false;
};

} // namespace rb::ui
