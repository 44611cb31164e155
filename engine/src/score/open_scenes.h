#pragma once
// The scenes a viewport pipeline reads, kept open across views: a pan or a zoom reads the
// files' new windows without opening them again (GDAL's open, the GeoTIFF keys and the
// CRS parsed through PROJ cost about as much as reading a screenful of a scene).
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rasterbench/composite.h"

namespace rb::detail {

class OpenScenes {
public:
    /// Reads `window` of `scene` decimated to rows x cols through its kept reader, opening
    /// it on first use (open errors propagate and nothing is kept). Different scenes are read
    /// in parallel; reads of one scene take turns (a GDAL handle is for one thread at a time).
    Raster read(const SceneSource& scene, const Window& window, int rows, int cols);
    /// Closes the readers of scenes not in `keep`.
    void retain(const std::vector<SceneSource>& keep);
    void clear();
    std::size_t size() const;

private:
    struct Entry {
        std::string key;
        std::mutex mutex; ///< held while the reader reads
        std::unique_ptr<SceneReader> reader;
    };
    static std::string key(const SceneSource& scene);

    mutable std::mutex mutex_; ///< guards entries_ (not the reads)
    std::vector<std::shared_ptr<Entry>> entries_;
};

} // namespace rb::detail
