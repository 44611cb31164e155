#include "PixelProbe.h"

#include <exception>
#include <limits>

#include "Background.h"
#include "rasterbench/dataset.h"

namespace rb::ui {

PixelProbe::PixelProbe(QObject* parent)
    : QObject(parent), latest_(std::make_shared<std::atomic<quint64>>(0)) {
    pool_.setMaxThreadCount(1);
}

PixelProbe::~PixelProbe() {
    latest_->store(std::numeric_limits<quint64>::max());
    pool_.waitForDone();
}

PixelValues PixelProbe::read(const SceneData& scene, int col, int row) {
    const rb::Dataset ds = rb::Dataset::open(scene.pathUtf8());
    rb::ReadOptions options;
    options.window = rb::Window{col, row, 1, 1};
    const rb::Raster r = ds.read(options);
    PixelValues v;
    v.col = col;
    v.row = row;
    v.dtype = r.dtype();
    for (int b = 0; b < r.bands(); ++b) {
        v.values.push_back(r.value(b, 0, 0));
        v.valid.push_back(r.valid(b, 0, 0));
    }
    return v;
}

void PixelProbe::query(std::shared_ptr<const SceneData> scene, int col, int row) {
    if (!scene)
        return;
    const quint64 generation = ++generation_;
    latest_->store(generation);
    runInBackground(
        this, &pool_,
        [scene = std::move(scene), col, row, generation, latest = latest_]() {
            PixelValues v;
            v.col = col;
            v.row = row;
            // Requests queue up while the mouse moves; only the newest is worth a read.
            if (latest->load() != generation)
                return v;
            try {
                v = read(*scene, col, row);
            } catch (const std::exception& e) {
                v.error = QString::fromStdString(e.what());
            }
            return v;
        },
        [this, generation](const PixelValues& v) {
            if (generation == generation_)
                emit valuesReady(v);
        });
}

} // namespace rb::ui
