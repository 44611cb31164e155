#pragma once
// How results are saved, shared by every panel that saves rasters (Deband, Score, Transform):
// the format (GeoTIFF or Cloud Optimized GeoTIFF), the compression and whether overviews are
// built. The choice is remembered per user (QSettings) and applies to every panel's saves.
#include <QWidget>

#include "rasterbench/export.h"

class QCheckBox;
class QComboBox;

namespace rb::ui {

class ExportOptionsBox : public QWidget {
    Q_OBJECT
public:
    explicit ExportOptionsBox(QWidget* parent = nullptr);

    /// The options saves use now (the last choice in any panel).
    static rb::ExportOptions current();
    static void setCurrent(const rb::ExportOptions& options);

    QComboBox* formatBox() const { return format_; }
    QComboBox* compressionBox() const { return compression_; }
    QCheckBox* overviewsCheck() const { return overviews_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    void load();
    void store();

    QComboBox* format_;
    QComboBox* compression_;
    QCheckBox* overviews_;
    bool loading_ = false;
};

} // namespace rb::ui
