#include "SceneRender.h"

#include <numeric>

#include "rasterbench/dataset.h"
#include "rasterbench/render.h"

namespace rb::ui {

QImage toQImage(const rb::Rgba8Image& image) {
    if (image.width <= 0 || image.height <= 0)
        return {};
    // Format_ARGB32 is exactly "one native-endian 0xAARRGGBB word per pixel".
    const QImage view(reinterpret_cast<const uchar*>(image.pixels.data()), image.width,
                      image.height, qsizetype(image.width) * 4, QImage::Format_ARGB32);
    return view.copy();
}

QImage renderSceneWindow(const SceneData& scene, const rb::Window& window, int outCols,
                         int outRows) {
    const rb::Dataset ds = rb::Dataset::open(scene.pathUtf8());
    rb::ReadOptions read;
    read.bands = scene.bands;
    read.window = window;
    read.out_cols = outCols;
    read.out_rows = outRows;
    read.resampling = rb::Resampling::Nearest;
    const rb::Raster raster = ds.read(read);

    rb::RenderOptions render;
    render.rgb_bands.resize(scene.bands.size());
    std::iota(render.rgb_bands.begin(), render.rgb_bands.end(), 0);
    return toQImage(rb::render_rgba(raster, scene.stretch, render));
}

} // namespace rb::ui
