#pragma once
// The Open dialog for rasters. Its file-name box also takes wildcards: "*_sr.tif" (or
// several, "*_sr.tif *_fmask.tif") confirmed with Enter narrows the listing to the matching
// names, as a new filter in the type list, instead of being refused as a missing file.
// Qt's own dialog is used on every platform, so wildcards behave the same everywhere.
#include <QFileDialog>
#include <QStringList>

namespace rb::ui {

class OpenDialog : public QFileDialog {
    Q_OBJECT
public:
    OpenDialog(QWidget* parent, const QString& caption, const QString& dir,
               const QStringList& filters);

    /// True for text with '*' or '?' (a pattern, not a file name).
    static bool isPattern(const QString& text);
    /// Narrows the listing to `pattern` (space-separated wildcards): a filter "Matching
    /// PATTERN" placed first and selected.
    void applyPattern(const QString& pattern);

    /// The files chosen in a modal dialog; empty when cancelled.
    static QStringList getOpenFileNames(QWidget* parent, const QString& caption, const QString& dir,
                                        const QStringList& filters);

public slots:
    void accept() override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QStringList baseFilters_;
};

} // namespace rb::ui
