#pragma once
// Everything `rasterbench-cli info` reports about the current scene, plus its CRS as WKT2
// and as PROJ parameters. Gathered in the background (PROJ and GDAL calls).
#include <QPlainTextEdit>

#include "JobLane.h"

namespace rb::ui {

class MetadataPanel : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit MetadataPanel(QWidget* parent = nullptr);
    ~MetadataPanel() override;

    /// Shows the metadata of `path` (empty clears).
    void setFile(const QString& path);
    bool isPending() const { return pending_; }

    /// The report for `path`, on the calling thread. Throws rb::Error.
    static QString report(const QString& path);

private:
    bool pending_ = false;
    /// Newest file wins; declared last, so it is destroyed (and waits) first.
    JobLane lane_{QStringLiteral("metadata")};
};

} // namespace rb::ui
