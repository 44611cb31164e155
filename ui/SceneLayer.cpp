#include "SceneLayer.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "Background.h"
#include "rasterbench/error.h"

namespace rb::ui {

std::vector<int> SceneData::defaultBands(int count) {
    if (count >= 3)
        return {1, 2, 3};
    if (count >= 1)
        return {1};
    return {};
}

SceneData SceneData::load(const QString& path) {
    SceneData scene;
    scene.path = path;
    const rb::Dataset ds = rb::Dataset::open(scene.pathUtf8());
    scene.profile = ds.profile();
    scene.bands = defaultBands(scene.profile.count);
    if (scene.bands.empty() || scene.profile.width <= 0 || scene.profile.height <= 0)
        throw rb::UnsupportedError(scene.pathUtf8() + ": no raster bands to display");

    // A decimated read is enough for percentiles, and GDAL serves it from overviews.
    const int longest = std::max(scene.profile.width, scene.profile.height);
    const double shrink = std::min(1.0, double(kSampleSize) / longest);
    rb::ReadOptions read;
    read.bands = scene.bands;
    read.out_cols = std::max(1, int(std::lround(scene.profile.width * shrink)));
    read.out_rows = std::max(1, int(std::lround(scene.profile.height * shrink)));
    read.resampling = rb::Resampling::Nearest;
    scene.sample = ds.read(read);
    scene.stretch = rb::compute_stretch(scene.sample, rb::StretchOptions{});
    return scene;
}

namespace {

struct LoadResult {
    std::shared_ptr<const SceneData> data;
    QString error;
};

} // namespace

SceneLayer::SceneLayer(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
}

// Waits for a running load: its result is dropped with the watchers.
SceneLayer::~SceneLayer() {
    pool_.waitForDone();
}

void SceneLayer::load(const QString& path) {
    const quint64 generation = ++generation_;
    requestedPath_ = path;
    state_ = State::Loading;
    runInBackground(
        this, &pool_,
        [path]() -> LoadResult {
            try {
                return {std::make_shared<const SceneData>(SceneData::load(path)), {}};
            } catch (const std::exception& e) {
                return {nullptr, QString::fromStdString(e.what())};
            }
        },
        [this, generation, path](const LoadResult& r) {
            if (generation != generation_)
                return; // superseded by a newer load
            if (r.data) {
                data_ = r.data;
                error_.clear();
                state_ = State::Ready;
                emit loaded();
            } else {
                // Engine messages name the file; make sure a generic one does too.
                error_ =
                    r.error.contains(path) ? r.error : QStringLiteral("%1: %2").arg(path, r.error);
                state_ = State::Failed;
                emit loadFailed(path, error_);
            }
        });
}

} // namespace rb::ui
