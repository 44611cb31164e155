#pragma once
// The rows of a scene catalog as a Qt table: every scene read (rb::read_catalog) and the
// ones the current selection (rb::CatalogSelection: date range, season, cloud) keeps. The
// view shows the kept rows only; the selection is the engine's, so the panel, the command
// line and recipes select the same scenes.
#include <QAbstractTableModel>

#include <vector>

#include "rasterbench/catalog.h"

namespace rb::ui {

class CatalogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Date, Doy, Sensor, Cloud, CloudSource, Valid, Crs, Size, Name, ColumnCount };

    explicit CatalogModel(QObject* parent = nullptr);

    /// Replaces every row; the current selection is applied to them.
    void setEntries(std::vector<rb::CatalogEntry> entries);
    void setSelection(const rb::CatalogSelection& selection);
    const rb::CatalogSelection& selection() const { return selection_; }

    const std::vector<rb::CatalogEntry>& entries() const { return entries_; }
    /// Indices into entries() of the rows shown, in order.
    const std::vector<int>& shown() const { return shown_; }
    /// The entry of a shown row.
    const rb::CatalogEntry& entryAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void refilter();

    std::vector<rb::CatalogEntry> entries_;
    std::vector<int> shown_;
    rb::CatalogSelection selection_;
};

} // namespace rb::ui
