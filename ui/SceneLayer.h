#pragma once
// A raster scene as the views show it: its file, profile, displayed bands and contrast
// stretch. Loading (open, profile, a decimated read for the stretch) runs off the GUI
// thread; the loaded data is an immutable value shared with render and probe workers.
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <string>
#include <vector>

#include "rasterbench/dataset.h"
#include "rasterbench/raster.h"
#include "rasterbench/render.h"

namespace rb::ui {

struct SceneData {
    QString path;
    rb::Profile profile;
    /// Displayed bands, 1-based: 1,2,3 for RGB (3+ bands), 1 for grey.
    std::vector<int> bands;
    /// One range per displayed band (indexed like `bands`).
    std::vector<rb::StretchRange> stretch;
    /// The displayed bands decimated so the longest side is at most kSampleSize pixels:
    /// the stretch was computed from it, histograms are drawn from it.
    rb::Raster sample;

    static constexpr int kSampleSize = 1024;

    std::string pathUtf8() const { return path.toStdString(); }
    /// The displayed bands a scene with `count` bands starts with.
    static std::vector<int> defaultBands(int count);
    /// Opens and measures `path` on the calling thread. Throws rb::Error.
    static SceneData load(const QString& path);
};

class SceneLayer : public QObject {
    Q_OBJECT
public:
    enum class State { Empty, Loading, Ready, Failed };

    explicit SceneLayer(QObject* parent = nullptr);
    ~SceneLayer() override;

    /// Starts loading `path` in the background; a later load() supersedes this one.
    void load(const QString& path);

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
    QThreadPool pool_;
    quint64 generation_ = 0;
    State state_ = State::Empty;
    std::shared_ptr<const SceneData> data_;
    QString requestedPath_;
    QString error_;
};

} // namespace rb::ui
