#pragma once
// Reads every band's value of one pixel in the background; the newest request wins.
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <vector>

#include "SceneLayer.h"

namespace rb::ui {

struct PixelValues {
    int col = 0, row = 0;
    std::vector<double> values; ///< one per band of the file
    std::vector<bool> valid;    ///< false: nodata / masked
    rb::DataType dtype = rb::DataType::UInt8;
    QString error; ///< non-empty when the read failed
};

class PixelProbe : public QObject {
    Q_OBJECT
public:
    explicit PixelProbe(QObject* parent = nullptr);
    ~PixelProbe() override;

    /// Queries pixel (col, row) of `scene`; an older request still running is superseded.
    void query(std::shared_ptr<const SceneData> scene, int col, int row);
    /// Forgets pending requests (their results are dropped).
    void cancel() { latest_->store(++generation_); }

    /// Reads the pixel on the calling thread. Throws rb::Error.
    static PixelValues read(const SceneData& scene, int col, int row);

signals:
    void valuesReady(const rb::ui::PixelValues& values);

private:
    QThreadPool pool_;
    quint64 generation_ = 0;
    /// Shared with workers so queued requests that are already stale skip their read.
    std::shared_ptr<std::atomic<quint64>> latest_;
};

} // namespace rb::ui
