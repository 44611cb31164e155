#include "DerivedLayers.h"

namespace rb::ui {

DerivedLayers::DerivedLayers(QObject* parent) : QObject(parent) {}

int DerivedLayers::indexOf(const QString& id) const {
    for (int i = 0; i < layers_.size(); ++i)
        if (layers_[i].id == id)
            return i;
    return -1;
}

const DerivedLayer* DerivedLayers::find(const QString& id) const {
    const int i = indexOf(id);
    return i < 0 ? nullptr : &layers_[i];
}

void DerivedLayers::publish(const DerivedLayer& layer) {
    if (layer.image.isNull() || !layer.base) {
        withdraw(layer.id);
        return;
    }
    const int i = indexOf(layer.id);
    if (i >= 0) {
        const bool renamed = layers_[i].name != layer.name;
        layers_[i] = layer;
        if (renamed)
            emit listChanged();
    } else {
        layers_.push_back(layer);
        emit listChanged();
    }
    emit changed(layer.id);
}

void DerivedLayers::withdraw(const QString& id) {
    const int i = indexOf(id);
    if (i < 0)
        return;
    layers_.remove(i);
    // Views showing it fall back first, then selectors drop it.
    emit changed(id);
    emit listChanged();
}

} // namespace rb::ui
