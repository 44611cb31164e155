#include "SceneRender.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

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

QImage renderSceneWindow(const SceneData& scene, const rb::Window& window, int outCols, int outRows,
                         rb::Progress progress) {
    if (outRows != window.height || outCols != window.width)
        // Decimated strips would not pick the rows a whole read picks: keep one read.
        return renderSceneWindow(scene, window, outCols, outRows);
    const rb::Dataset ds = rb::Dataset::open(scene.pathUtf8());
    std::vector<int> bands = scene.display.bands;
    std::sort(bands.begin(), bands.end());
    bands.erase(std::unique(bands.begin(), bands.end()), bands.end());
    QImage out(outCols, outRows, QImage::Format_ARGB32);
    out.fill(Qt::transparent);
    // About 8 M samples per strip: large enough to read efficiently, small enough to
    // answer a cancel within a fraction of a second.
    const std::int64_t rows = std::max<std::int64_t>(
        1, (std::int64_t(1) << 23) /
               std::max<std::int64_t>(1, window.width * std::int64_t(bands.size())));
    for (std::int64_t r0 = 0; r0 < window.height; r0 += rows) {
        progress.check();
        const std::int64_t n = std::min(rows, window.height - r0);
        rb::ReadOptions read;
        read.bands = bands;
        read.window = rb::Window{window.col_off, window.row_off + r0, window.width, n};
        const QImage strip = toQImage(rb::render_display(ds.read(read), bands, scene.display));
        QPainter p(&out);
        p.setCompositionMode(QPainter::CompositionMode_Source);
        p.drawImage(QPoint(0, int(r0)), strip);
        progress.report(double(r0 + n) / double(window.height));
    }
    return out;
}

} // namespace rb::ui
