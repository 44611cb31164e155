#pragma once
// Derived layers: images computed from scenes (a deband result or difference, later a score
// or a composite) that any compare pane can show next to the scenes themselves. A producer
// publishes a named image covering a scene-pixel rectangle of a base scene (whose grid and
// georeferencing place it, so linked views line it up with every other scene) and publishes
// again whenever it recomputes; views that show it follow the changed() signal. The
// registry only holds the latest image of each layer: producers keep their own state.
#include <QImage>
#include <QObject>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

#include "SceneLayer.h"

namespace rb::ui {

struct DerivedLayer {
    /// Stable key chosen by the producer ("deband/after", "score/scene-3").
    QString id;
    /// What the pane selectors show.
    QString name;
    /// The scene whose pixel grid `pixels` is in; it is drawn under the image.
    std::shared_ptr<const SceneData> base;
    QImage image;
    /// Scene-pixel rectangle (col, row, width, height) of `base` the image covers.
    QRectF pixels;
};

class DerivedLayers : public QObject {
    Q_OBJECT
public:
    explicit DerivedLayers(QObject* parent = nullptr);

    /// Adds a layer or replaces the one with the same id. A null image or base withdraws it.
    void publish(const DerivedLayer& layer);
    void withdraw(const QString& id);

    int count() const { return int(layers_.size()); }
    /// Layers in publication order.
    const DerivedLayer& at(int index) const { return layers_.at(index); }
    int indexOf(const QString& id) const;
    /// Null when there is no such layer.
    const DerivedLayer* find(const QString& id) const;

signals:
    /// A layer was added or withdrawn (selectors list them).
    void listChanged();
    /// A layer's image, rectangle or base changed (or it was withdrawn).
    void changed(const QString& id);

private:
    QVector<DerivedLayer> layers_;
};

} // namespace rb::ui
