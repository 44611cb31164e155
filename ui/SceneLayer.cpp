#include "SceneLayer.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "rasterbench/bands.h"
#include "rasterbench/error.h"

namespace rb::ui {

std::vector<int> SceneData::defaultBands(int count) {
    return rb::DisplaySettings::default_bands(count);
}

namespace {

/// The bands a scene opens with: true colour (red, green, blue) when its band roles are
/// known (Sentinel-2 B04/B03/B02, Landsat B4/B3/B2, bands named in words), else a false
/// colour (swir1, nir, red) for red/nir/swir stacks, else the first bands as they come.
/// `name` is the file's name, which tells the sensor.
std::vector<int> bandsByRoles(const rb::Profile& profile, const std::string& name) {
    const std::vector<int> fallback = SceneData::defaultBands(profile.count);
    if (profile.count < 3)
        return fallback;
    rb::BandLayout layout;
    layout.count = profile.count;
    layout.dtype = profile.dtype;
    layout.descriptions = profile.descriptions;
    layout.colorinterp = profile.colorinterp;
    layout.label = name;
    try {
        const rb::BandRoles roles = rb::resolve_band_roles(layout);
        using R = rb::BandRole;
        auto pick = [&](std::initializer_list<R> wanted) -> std::vector<int> {
            std::vector<int> bands;
            for (R r : wanted) {
                if (!roles.has(r))
                    return {};
                bands.push_back(roles[r] + 1);
            }
            return bands;
        };
        if (auto rgb = pick({R::Red, R::Green, R::Blue}); !rgb.empty())
            return rgb;
        if (auto falseColour = pick({R::Swir1, R::Nir, R::Red}); !falseColour.empty())
            return falseColour;
    } catch (const rb::Error&) {
        // Bands that name no roles open as they come.
    }
    return fallback;
}

} // namespace

rb::Raster SceneData::displayedBands(const rb::Raster& all, const std::vector<int>& bands) {
    rb::Raster out(all.dtype(), int(bands.size()), all.rows(), all.cols());
    const std::size_t bytes = all.band_size() * rb::dtype_size(all.dtype());
    out.ensure_mask();
    for (std::size_t k = 0; k < bands.size(); ++k) {
        const int b = bands[k] - 1;
        std::copy_n(all.bytes() + bytes * std::size_t(b), bytes, out.bytes() + bytes * k);
        const auto src = all.mask(b);
        auto dst = out.mask(int(k));
        if (src.empty())
            std::fill(dst.begin(), dst.end(), rb::kValid);
        else
            std::copy(src.begin(), src.end(), dst.begin());
    }
    return out;
}

SceneData SceneData::load(const QString& path) {
    SceneData scene;
    scene.path = path;
    scene.pyramid = std::make_shared<rb::RasterPyramid>(scene.pathUtf8());
    scene.profile = scene.pyramid->profile();
    scene.date = rb::scene_date(scene.profile.metadata, scene.pathUtf8());
    scene.display.bands = bandsByRoles(scene.profile, scene.pathUtf8());
    if (scene.display.bands.empty() || scene.profile.width <= 0 || scene.profile.height <= 0)
        throw rb::UnsupportedError(scene.pathUtf8() + ": no raster bands to display");
    // The preview decodes only a sparse set of blocks of a huge file, so the first paint
    // never waits for the whole file; its stretch is provisional until exact statistics
    // arrive from the background (SceneStack).
    scene.preview = std::make_shared<const rb::PyramidPreview>(scene.pyramid->preview());
    scene.sample = displayedBands(scene.preview->data, scene.display.bands);
    scene.display.stretch = rb::compute_stretch(scene.sample, scene.display.stretch_options);
    scene.bands = scene.display.bands;
    scene.stretch = scene.display.stretch;
    scene.stretchExact = false;
    return scene;
}

std::shared_ptr<const SceneData> SceneData::withDisplay(const rb::DisplaySettings& display,
                                                        bool stretchExact) const {
    auto copy = std::make_shared<SceneData>(*this);
    if (copy->display.bands != display.bands)
        copy->sample = displayedBands(preview->data, display.bands);
    copy->display = display;
    copy->bands = display.bands;
    copy->stretch = display.stretch;
    copy->stretchExact = stretchExact;
    return copy;
}

SceneLayer::SceneLayer(QObject* parent) : QObject(parent) {}

SceneLayer::~SceneLayer() = default;

void SceneLayer::setData(std::shared_ptr<const SceneData> data) {
    lane_.discard(); // a load still running is superseded
    data_ = std::move(data);
    requestedPath_ = data_ ? data_->path : QString();
    error_.clear();
    state_ = data_ ? State::Ready : State::Empty;
    if (data_)
        emit loaded();
}

void SceneLayer::load(const QString& path) {
    requestedPath_ = path;
    state_ = State::Loading;
    lane_.run(
        [path](JobContext&) { return std::make_shared<const SceneData>(SceneData::load(path)); },
        [this](std::shared_ptr<const SceneData> data) {
            data_ = std::move(data);
            error_.clear();
            state_ = State::Ready;
            emit loaded();
        },
        [this, path](const QString& error) {
            // Engine messages name the file; make sure a generic one does too.
            error_ = error.contains(path) ? error : QStringLiteral("%1: %2").arg(path, error);
            state_ = State::Failed;
            emit loadFailed(path, error_);
        });
}

} // namespace rb::ui
