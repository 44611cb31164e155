#pragma once
// The main window only wires: menus, the map canvas, the status bar, the histogram dock,
// drag-and-drop and persisted settings. Each widget owns its own logic.
#include <QMainWindow>
#include <QString>
#include <QStringList>

class QDockWidget;

namespace rb::ui {

class CursorInfoLabel;
class HistogramPlot;
class MapCanvas;
class RecentFilesMenu;
class SceneLayer;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens `path` in the background (errors go to the status bar and lastError()).
    void openFile(const QString& path);
    /// Opens the first of `paths` (the others are listed in the status bar).
    void openFiles(const QStringList& paths);

    /// True when nothing is loading and, with a scene shown, its render is up to date.
    bool isIdle() const;
    /// Runs the event loop until isIdle() or `timeoutMs` elapses; false on timeout.
    bool waitUntilIdle(int timeoutMs = 30000);
    /// Waits until idle, then saves the whole window as PNG. On failure (timeout, the scene
    /// failed to load, the PNG cannot be written) returns false with a one-line `error`.
    bool saveScreenshot(const QString& pngPath, QString* error = nullptr);

    /// Message of the latest failed open or render (empty when the latest open succeeded).
    QString lastError() const { return lastError_; }
    /// Save opened files (File > Open Recent) and the window geometry in the settings.
    /// Off for scripted runs, which must not change the user's settings.
    void setPersistent(bool on) { persistent_ = on; }
    /// Restores the window geometry saved by the previous session; false when none.
    bool restoreSavedGeometry();

    MapCanvas* canvas() const { return canvas_; }
    SceneLayer* scene() const { return scene_; }
    CursorInfoLabel* cursorInfo() const { return cursorInfo_; }
    HistogramPlot* histogram() const { return histogram_; }
    RecentFilesMenu* recentFilesMenu() const { return recentMenu_; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createMenus();
    void showOpenDialog();
    void exportView();
    void onSceneLoaded();
    void onSceneFailed(const QString& path, const QString& message);
    void showError(const QString& message);

    SceneLayer* scene_;
    MapCanvas* canvas_;
    CursorInfoLabel* cursorInfo_;
    HistogramPlot* histogram_;
    QDockWidget* histogramDock_ = nullptr;
    RecentFilesMenu* recentMenu_ = nullptr;
    QString lastError_;
    bool persistent_ = true;
};

} // namespace rb::ui
