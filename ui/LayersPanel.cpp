#include "LayersPanel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <exception>

#include "SceneStack.h"
#include "rasterbench/dtype.h"

namespace rb::ui {

namespace {

QString crsText(const rb::Crs& crs) {
    if (crs.empty())
        return QObject::tr("none");
    try {
        if (const auto epsg = crs.to_epsg())
            return QStringLiteral("EPSG:%1").arg(*epsg);
        return QString::fromStdString(crs.name());
    } catch (const std::exception&) {
        return QObject::tr("custom");
    }
}

} // namespace

LayersPanel::LayersPanel(SceneStack* stack, QWidget* parent)
    : QWidget(parent), stack_(stack), tree_(new QTreeWidget(this)), up_(new QToolButton(this)),
      down_(new QToolButton(this)), remove_(new QToolButton(this)) {
    tree_->setColumnCount(ColumnCount);
    tree_->setHeaderLabels(
        {tr("Scene"), tr("Date"), tr("Size"), tr("CRS"), tr("Type"), tr("Valid"), tr("Grid")});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    up_->setText(tr("Up"));
    down_->setText(tr("Down"));
    remove_->setText(tr("Remove"));
    up_->setToolTip(tr("Move the scene up the stack"));
    down_->setToolTip(tr("Move the scene down the stack"));
    remove_->setToolTip(tr("Remove the scene from the stack"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(up_);
    buttons->addWidget(down_);
    buttons->addWidget(remove_);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(tree_);
    layout->addLayout(buttons);

    connect(stack_, &SceneStack::entriesChanged, this, &LayersPanel::rebuild);
    connect(stack_, &SceneStack::currentChanged, this, &LayersPanel::rebuild);
    connect(stack_, &SceneStack::sceneChanged, this, &LayersPanel::rebuild);
    connect(tree_, &QTreeWidget::itemChanged, this, &LayersPanel::onItemChanged);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this] {
        if (!rebuilding_ && selectedRow() >= 0)
            stack_->setCurrent(selectedRow());
    });
    connect(up_, &QToolButton::clicked, this, [this] {
        const int row = selectedRow();
        stack_->move(row, row - 1);
    });
    connect(down_, &QToolButton::clicked, this, [this] {
        const int row = selectedRow();
        stack_->move(row, row + 1);
    });
    connect(remove_, &QToolButton::clicked, this, [this] { stack_->remove(selectedRow()); });
    rebuild();
}

int LayersPanel::selectedRow() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    return item ? tree_->indexOfTopLevelItem(const_cast<QTreeWidgetItem*>(item)) : -1;
}

QString LayersPanel::cellText(int row, Column column) const {
    const QTreeWidgetItem* item = tree_->topLevelItem(row);
    return item ? item->text(column) : QString();
}

void LayersPanel::rebuild() {
    rebuilding_ = true;
    // Rows are few (tens): rebuilding keeps the panel a plain view of the stack.
    tree_->clear();
    for (int row = 0; row < stack_->count(); ++row) {
        const StackEntry& e = stack_->entry(row);
        auto* item = new QTreeWidgetItem(tree_);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Name, e.visible ? Qt::Checked : Qt::Unchecked);
        item->setText(Name, e.displayName());
        item->setToolTip(Name, e.path);
        if (e.state == StackEntry::State::Loading) {
            item->setText(Date, tr("loading\u2026"));
            continue;
        }
        if (e.state == StackEntry::State::Failed) {
            item->setText(Date, tr("failed"));
            item->setToolTip(Date, e.error);
            item->setForeground(Name, QColor(200, 40, 40));
            continue;
        }
        const rb::Profile& p = e.data->profile;
        item->setText(Date,
                      e.data->date ? QString::fromStdString(e.data->date->iso()) : tr("\u2014"));
        item->setText(Size, QStringLiteral("%1 x %2 x %3").arg(p.width).arg(p.height).arg(p.count));
        item->setText(Crs, crsText(p.crs));
        const auto dt = rb::dtype_name(p.dtype);
        item->setText(Type, QString::fromUtf8(dt.data(), qsizetype(dt.size())));
        const auto share = e.validShare();
        item->setText(Valid, share ? QStringLiteral("%1 %").arg(*share * 100.0, 0, 'f', 1)
                                   : QStringLiteral("\u2026"));
        if (row == stack_->referenceRow()) {
            item->setText(Grid, tr("reference"));
        } else if (e.grid && e.grid->aligned()) {
            item->setText(Grid, tr("aligned"));
        } else if (e.grid) {
            // Not resampled: the views place it by its own geotransform, but pixel-wise
            // comparisons with the reference need an aligned copy.
            item->setText(Grid, tr("not aligned"));
            item->setToolTip(Grid, tr("Differs from the reference grid: %1")
                                       .arg(QString::fromStdString(e.grid->summary)));
            item->setForeground(Grid, QColor(200, 110, 0));
        }
        if (row == stack_->current()) {
            QFont f = item->font(Name);
            f.setBold(true);
            item->setFont(Name, f);
            tree_->setCurrentItem(item);
        }
    }
    up_->setEnabled(stack_->current() > 0);
    down_->setEnabled(stack_->current() >= 0 && stack_->current() < stack_->count() - 1);
    remove_->setEnabled(stack_->current() >= 0);
    rebuilding_ = false;
}

void LayersPanel::onItemChanged(QTreeWidgetItem* item, int column) {
    if (rebuilding_ || column != Name)
        return;
    stack_->setVisible(tree_->indexOfTopLevelItem(item), item->checkState(Name) == Qt::Checked);
}

} // namespace rb::ui
