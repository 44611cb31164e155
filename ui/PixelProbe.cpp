#include "PixelProbe.h"

#include "rasterbench/dataset.h"

namespace rb::ui {

PixelProbe::PixelProbe(QObject* parent) : QObject(parent) {}

PixelProbe::~PixelProbe() = default;

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
    lane_.run([scene = std::move(scene), col, row](JobContext&) { return read(*scene, col, row); },
              [this](const PixelValues& v) { emit valuesReady(v); },
              [this, col, row](const QString& error) {
                  PixelValues v;
                  v.col = col;
                  v.row = row;
                  v.error = error;
                  emit valuesReady(v);
              });
}

} // namespace rb::ui
