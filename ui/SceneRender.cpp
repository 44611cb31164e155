#include "SceneRender.h"

#include <algorithm>

#include "rasterbench/dataset.h"
#include "rasterbench/display.h"

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
    // Each displayed band read once, even when it feeds several channels.
    std::vector<int> bands = scene.display.bands;
    std::sort(bands.begin(), bands.end());
    bands.erase(std::unique(bands.begin(), bands.end()), bands.end());
    rb::ReadOptions read;
    read.bands = bands;
    read.window = window;
    read.out_cols = outCols;
    read.out_rows = outRows;
    read.resampling = rb::Resampling::Nearest;
    const rb::Raster raster = ds.read(read);
    return toQImage(rb::render_display(raster, bands, scene.display));
}

} // namespace rb::ui
