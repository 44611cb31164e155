#pragma once
// Reads every band's value of one pixel in the background; the newest request wins.
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "JobLane.h"
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
    void cancel() { lane_.discard(); }

    /// Reads the pixel on the calling thread. Throws rb::Error.
    static PixelValues read(const SceneData& scene, int col, int row);

signals:
    void valuesReady(const rb::ui::PixelValues& values);

private:
    /// Newest request wins: requests queued behind it never read.
    JobLane lane_{QStringLiteral("pixel probe")};
};

} // namespace rb::ui
