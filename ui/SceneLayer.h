#pragma once
// A raster scene as the views show it: its file, profile, acquisition date, display
// pyramid and display settings (bands, colour map, stretch, gamma). Loading (open, profile,
// a fast coarse preview for a provisional stretch) runs off the GUI thread; the loaded data
// is an immutable value shared with render and probe workers. A display change makes a new
// value that shares the pyramid, so cached pixels survive it.
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "JobLane.h"
#include "rasterbench/dataset.h"
#include "rasterbench/display.h"
#include "rasterbench/pyramid.h"
#include "rasterbench/raster.h"
#include "rasterbench/render.h"
#include "rasterbench/scene_date.h"

namespace rb::ui {

struct SceneData {
    QString path;
    rb::Profile profile;
    std::optional<rb::SceneDate> date;
    /// Multi-resolution access to every band (shared by every display of this scene).
    std::shared_ptr<rb::RasterPyramid> pyramid;
    /// Coarse stand-in for the whole scene, every band (exact or sparse, see pyramid.h).
    std::shared_ptr<const rb::PyramidPreview> preview;
    /// What is displayed and how.
    rb::DisplaySettings display;
    /// False while `display.stretch` is a provisional estimate from the preview (exact
    /// statistics are computed in the background) or was asked for from the sample.
    bool stretchExact = false;
    /// Displayed bands, 1-based (== display.bands).
    std::vector<int> bands;
    /// One range per displayed band (== display.stretch).
    std::vector<rb::StretchRange> stretch;
    /// The displayed bands of the preview: the fast sample the user may ask statistics of.
    rb::Raster sample;

    std::string pathUtf8() const { return path.toStdString(); }
    /// The displayed bands a scene with `count` bands starts with.
    static std::vector<int> defaultBands(int count);
    /// Opens `path` and makes its preview on the calling thread. Throws rb::Error.
    static SceneData load(const QString& path);
    /// The same scene displayed with `display` (stretch included).
    std::shared_ptr<const SceneData> withDisplay(const rb::DisplaySettings& display,
                                                 bool stretchExact) const;
    /// The displayed bands of `r` (every band of the file) as their own raster.
    static rb::Raster displayedBands(const rb::Raster& all, const std::vector<int>& bands);
};

class SceneLayer : public QObject {
    Q_OBJECT
public:
    enum class State { Empty, Loading, Ready, Failed };

    explicit SceneLayer(QObject* parent = nullptr);
    ~SceneLayer() override;

    /// Starts loading `path` in the background; a later load() supersedes this one.
    void load(const QString& path);
    /// Shows already loaded data (a scene of the stack) as if it had just loaded.
    void setData(std::shared_ptr<const SceneData> data);

    State state() const { return state_; }
    bool isLoading() const { return state_ == State::Loading; }
    /// The loaded scene (null until the first load succeeds; kept when a later load fails).
    std::shared_ptr<const SceneData> data() const { return data_; }
    /// The file of the latest load request.
    QString requestedPath() const { return requestedPath_; }
    /// Message of the latest failed load (empty after a success).
    QString errorString() const { return error_; }

signals:
    void loaded();
    void loadFailed(const QString& path, const QString& message);

private:
    State state_ = State::Empty;
    std::shared_ptr<const SceneData> data_;
    QString requestedPath_;
    QString error_;
    /// The newest load wins; declared last, so it is destroyed (and waits) first.
    JobLane lane_{QStringLiteral("scene load")};
};

} // namespace rb::ui
