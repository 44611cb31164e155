#include "CatalogModel.h"

#include <QFileInfo>
#include <QLocale>

namespace rb::ui {

CatalogModel::CatalogModel(QObject* parent) : QAbstractTableModel(parent) {}

void CatalogModel::setEntries(std::vector<rb::CatalogEntry> entries) {
    beginResetModel();
    entries_ = std::move(entries);
    refilter();
    endResetModel();
}

void CatalogModel::setSelection(const rb::CatalogSelection& selection) {
    beginResetModel();
    selection_ = selection;
    refilter();
    endResetModel();
}

void CatalogModel::refilter() {
    shown_.clear();
    shown_.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (selection_.matches(entries_[i]))
            shown_.push_back(int(i));
}

const rb::CatalogEntry& CatalogModel::entryAt(int row) const {
    return entries_.at(std::size_t(shown_.at(std::size_t(row))));
}

int CatalogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(shown_.size());
}

int CatalogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CatalogModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(shown_.size()))
        return {};
    const rb::CatalogEntry& e = entryAt(index.row());
    if (role == Qt::ToolTipRole)
        return QString::fromStdString(e.path) +
               (e.quality_file.empty()
                    ? QString()
                    : tr("\nquality: %1").arg(QString::fromStdString(e.quality_file)));
    if (role == Qt::TextAlignmentRole) {
        const int c = index.column();
        return c == Doy || c == Cloud || c == Valid || c == Size
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Date:
        return e.date ? QString::fromStdString(e.date->iso()) : tr("unknown");
    case Doy:
        return e.date ? QVariant(e.doy()) : QVariant();
    case Sensor:
        return QString::fromStdString(e.sensor);
    case Cloud:
        return e.cloud_cover ? QString::number(*e.cloud_cover, 'f', 1) : QString();
    case CloudSource:
        return QString::fromStdString(e.cloud_source);
    case Valid:
        return e.valid_share ? QString::number(*e.valid_share * 100.0, 'f', 1) : QString();
    case Crs:
        return QString::fromStdString(e.crs);
    case Size:
        return e.width > 0 ? QStringLiteral("%1 x %2").arg(e.width).arg(e.height) : QString();
    case Name:
        return QFileInfo(QString::fromStdString(e.path)).fileName();
    default:
        return {};
    }
}

QVariant CatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Date:
        return tr("Date");
    case Doy:
        return tr("Day");
    case Sensor:
        return tr("Sensor");
    case Cloud:
        return tr("Cloud %");
    case CloudSource:
        return tr("From");
    case Valid:
        return tr("Valid %");
    case Crs:
        return tr("CRS");
    case Size:
        return tr("Size");
    case Name:
        return tr("File");
    default:
        return {};
    }
}

} // namespace rb::ui
