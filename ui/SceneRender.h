#pragma once
// Renders a window of a scene to a QImage at a chosen output size. Pure function of its
// inputs, run on worker threads: it opens its own Dataset because one must not be shared
// between threads (GDAL's block cache makes reopening cheap).
#include <QImage>

#include "SceneLayer.h"
#include "rasterbench/progress.h"
#include "rasterbench/window.h"

namespace rb::ui {

/// The displayed bands of `window`, read from the file at `outCols` x `outRows` (nearest
/// neighbour) and rendered with the scene's display settings. Invalid samples are
/// transparent. Used for exports at full resolution. Throws rb::Error.
QImage renderSceneWindow(const SceneData& scene, const rb::Window& window, int outCols,
                         int outRows);
/// The same, read and rendered in strips of rows so a long export reports progress and
/// stops (rb::Cancelled) when `progress` says so. Pixel for pixel equal to the above.
QImage renderSceneWindow(const SceneData& scene, const rb::Window& window, int outCols, int outRows,
                         rb::Progress progress);

/// An engine image (0xAARRGGBB words) as a QImage that owns a copy of the pixels.
QImage toQImage(const rb::Rgba8Image& image);

} // namespace rb::ui
