#include "open_scenes.h"

#include <algorithm>

namespace rb::detail {

std::string OpenScenes::key(const SceneSource& scene) {
    // Everything a SceneReader is made from: the files, the name its layout reports and the
    // calibration with its metadata.
    std::string k = scene.name + '\n' + scene.calibrate + '\n' + scene.metadata;
    for (const auto& f : scene.files)
        k += '\n' + f;
    return k;
}

Raster OpenScenes::read(const SceneSource& scene, const Window& window, int rows, int cols) {
    const std::string k = key(scene);
    std::shared_ptr<Entry> e;
    {
        const std::lock_guard lock(mutex_);
        const auto it = std::find_if(entries_.begin(), entries_.end(),
                                     [&](const auto& x) { return x->key == k; });
        if (it != entries_.end()) {
            e = *it;
        } else {
            e = std::make_shared<Entry>();
            e->key = k;
            entries_.push_back(e);
        }
    }
    // The entry's own lock: opening and reading one scene never waits on another scene.
    const std::lock_guard lock(e->mutex);
    if (!e->reader) {
        try {
            e->reader = std::make_unique<SceneReader>(scene);
        } catch (...) {
            const std::lock_guard l(mutex_);
            std::erase(entries_, e);
            throw;
        }
    }
    return e->reader->read(window, rows, cols);
}

void OpenScenes::retain(const std::vector<SceneSource>& keep) {
    std::vector<std::string> keys;
    for (const auto& s : keep)
        keys.push_back(key(s));
    std::vector<std::shared_ptr<Entry>> dropped; // closed outside the lock
    const std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const std::shared_ptr<Entry>& e) {
        if (std::find(keys.begin(), keys.end(), e->key) != keys.end())
            return false;
        dropped.push_back(e);
        return true;
    });
}

void OpenScenes::clear() {
    std::vector<std::shared_ptr<Entry>> dropped;
    const std::lock_guard lock(mutex_);
    dropped.swap(entries_);
}

std::size_t OpenScenes::size() const {
    const std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace rb::detail
