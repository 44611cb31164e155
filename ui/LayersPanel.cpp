#include "LayersPanel.h"

#include <QAction>
#include <QComboBox>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

#include "ColumnFit.h"
#include "OutputCheck.h"
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

/// The scene list, reordered by dragging a row: the drop asks the stack to move the scene
/// (the stack is the model; the list is rebuilt from it), instead of letting the widget
/// move its items on its own.
class SceneTree : public QTreeWidget {
public:
    SceneTree(SceneStack* stack, QWidget* parent) : QTreeWidget(parent), stack_(stack) {
        setDragEnabled(true);
        setAcceptDrops(true);
        setDropIndicatorShown(true);
        setDragDropMode(QAbstractItemView::InternalMove);
    }

protected:
    void dropEvent(QDropEvent* event) override {
        const int from = currentItem() ? indexOfTopLevelItem(currentItem()) : -1;
        const QModelIndex at = indexAt(event->position().toPoint());
        int to = at.isValid() ? at.row() : topLevelItemCount() - 1;
        if (at.isValid() && dropIndicatorPosition() == BelowItem)
            ++to;
        if (from >= 0 && to > from && dropIndicatorPosition() != OnItem)
            --to; // the rows below shift up once the dragged one is taken out
        event->setDropAction(Qt::IgnoreAction);
        event->accept();
        stack_->move(from, std::clamp(to, 0, topLevelItemCount() - 1));
    }

private:
    SceneStack* stack_;
};

QString resamplingLabel(rb::WarpResampling r) {
    switch (r) {
    case rb::WarpResampling::Nearest:
        return QObject::tr("nearest");
    case rb::WarpResampling::Bilinear:
        return QObject::tr("bilinear");
    case rb::WarpResampling::Cubic:
        return QObject::tr("cubic");
    default:
        return QString::fromLatin1(rb::warp_resampling_name(r).data());
    }
}

} // namespace

LayersPanel::LayersPanel(SceneStack* stack, QWidget* parent)
    : QWidget(parent), stack_(stack), tree_(new SceneTree(stack, this)), up_(new QToolButton(this)),
      down_(new QToolButton(this)), remove_(new QToolButton(this)),
      alignButton_(new QToolButton(this)), resampling_(new QComboBox(this)),
      align_(new QAction(tr("&Align to Reference Grid"), this)),
      alignAll_(new QAction(tr("Align A&ll to Reference Grid"), this)),
      saveAligned_(new QAction(tr("&Save Aligned As\u2026"), this)) {
    tree_->setColumnCount(ColumnCount);
    tree_->setHeaderLabels(
        {tr("Scene"), tr("Date"), tr("Size"), tr("CRS"), tr("Type"), tr("Valid"), tr("Grid")});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    // A narrow dock shows the name, date, CRS and grid status: the file name gives way
    // (elided in the middle, whole in its tooltip), the grid status is capped ("aligned from
    // FILE"), and size, type and valid share are in the name's tooltip; the header's
    // context menu shows them as columns too.
    fit_ = new ColumnFit(tree_, Name, fontMetrics().horizontalAdvance(QStringLiteral("M")) * 6,
                         {{Grid, fontMetrics().horizontalAdvance(QStringLiteral("not aligned")) +
                                     fontMetrics().horizontalAdvance(QStringLiteral("MM"))}});
    tree_->header()->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (const Column c : {Date, Size, Crs, Type, Valid, Grid}) {
        auto* show = new QAction(tree_->headerItem()->text(c), tree_->header());
        show->setCheckable(true);
        show->setChecked(c != Size && c != Type && c != Valid);
        tree_->setColumnHidden(c, !show->isChecked());
        tree_->header()->addAction(show);
        connect(show, &QAction::toggled, this, [this, c](bool on) {
            tree_->setColumnHidden(c, !on);
            fit_->fit();
        });
    }
    up_->setText(tr("Up"));
    down_->setText(tr("Down"));
    remove_->setText(tr("Remove"));
    up_->setToolTip(tr("Move the scene up the stack"));
    down_->setToolTip(tr("Move the scene down the stack"));
    remove_->setToolTip(tr("Remove the scene from the stack"));
    align_->setToolTip(tr("Resample the selected scene onto the reference scene's grid (CRS, "
                          "transform, size) into the cache folder; it then replaces the scene"));
    alignAll_->setToolTip(tr("Align every flagged scene to the reference grid"));
    saveAligned_->setToolTip(
        tr("Align the selected scene into a file you choose (never the input)"));
    auto* alignMenu = new QMenu(this);
    alignMenu->addAction(align_);
    alignMenu->addAction(saveAligned_);
    alignMenu->addAction(alignAll_);
    // The button shows the action's short text; the menu and tooltip the long one.
    align_->setIconText(tr("Align"));
    alignButton_->setDefaultAction(align_);
    alignButton_->setMenu(alignMenu);
    alignButton_->setPopupMode(QToolButton::MenuButtonPopup);
    // Auto: nearest for integer class data (QA, masks, palettes), bilinear otherwise.
    resampling_->addItem(tr("Auto"), -1);
    for (auto r :
         {rb::WarpResampling::Nearest, rb::WarpResampling::Bilinear, rb::WarpResampling::Cubic})
        resampling_->addItem(resamplingLabel(r), int(r));
    resampling_->setToolTip(tr("Resampling used to align scenes (Auto: nearest for class or "
                               "QA data, bilinear otherwise)"));
    // Two short rows rather than one wide one: the dock can stay narrow and keep the map.
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(up_);
    buttons->addWidget(down_);
    buttons->addWidget(remove_);
    buttons->addStretch(1);
    auto* alignRow = new QHBoxLayout;
    alignRow->addWidget(alignButton_);
    alignRow->addWidget(resampling_);
    alignRow->addStretch(1);
    tree_->setContextMenuPolicy(Qt::ActionsContextMenu);
    tree_->addAction(align_);
    tree_->addAction(saveAligned_);
    tree_->addAction(alignAll_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(tree_);
    layout->addLayout(buttons);
    layout->addLayout(alignRow);

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
    connect(align_, &QAction::triggered, this, [this] { alignSelected(); });
    connect(saveAligned_, &QAction::triggered, this, &LayersPanel::saveAlignedAs);
    connect(alignAll_, &QAction::triggered, this,
            [this] { stack_->alignAllToReference(chosenResampling()); });
    rebuild();
}

int LayersPanel::preferredWidth() const {
    // Wide enough for the name, date, CRS and grid columns of a typical scene, whatever is
    // open yet (workspaces size the dock before the scenes load).
    const QFontMetrics fm = fontMetrics();
    const int pad = 2 * style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, tree_) +
                    fm.horizontalAdvance(QStringLiteral("MM"));
    int width = fm.horizontalAdvance(QStringLiteral("LE07_2008-04-27_sr.tif")) +
                style()->pixelMetric(QStyle::PM_IndicatorWidth) + pad;
    for (const Column c : {Date, Size, Crs, Type, Valid, Grid}) {
        if (tree_->isColumnHidden(c))
            continue;
        const QString typical = c == Date   ? QStringLiteral("2000-00-00")
                                : c == Crs  ? QStringLiteral("EPSG:00000")
                                : c == Grid ? QStringLiteral("not aligned")
                                : c == Size ? QStringLiteral("0000 x 0000 x 00")
                                : c == Type ? QStringLiteral("float32")
                                            : QStringLiteral("100.0 %");
        width += fm.horizontalAdvance(typical) + pad;
    }
    width += 2 * tree_->frameWidth() + style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    return std::max(width, minimumSizeHint().width());
}

std::optional<rb::WarpResampling> LayersPanel::chosenResampling() const {
    const int v = resampling_->currentData().toInt();
    return v < 0 ? std::nullopt : std::optional(rb::WarpResampling(v));
}

bool LayersPanel::alignSelected(const QString& path) {
    SceneStack::AlignOptions o;
    o.resampling = chosenResampling();
    o.outputPath = path;
    if (!path.isEmpty()) {
        // The aligned copy may replace no open scene (the one aligned, its reference, others).
        if (const QString conflict =
                outputConflict(path, fileRoles(tr("open scene"), stack_->paths()));
            !conflict.isEmpty()) {
            emit message(conflict);
            return false;
        }
    }
    QString error;
    if (!stack_->alignToReference(selectedRow(), o, &error)) {
        emit message(error);
        return false;
    }
    return true;
}

void LayersPanel::saveAlignedAs() {
    const int row = selectedRow();
    if (!stack_->canAlign(row))
        return;
    const StackEntry& e = stack_->entry(row);
    const QFileInfo src(e.path);
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Aligned Scene As"),
        src.dir().filePath(src.completeBaseName() + QStringLiteral("_aligned.tif")),
        tr("GeoTIFF (*.tif *.tiff)"));
    if (!path.isEmpty())
        alignSelected(path);
}

bool LayersPanel::rowCheckable(int row) const {
    const QTreeWidgetItem* item = tree_->topLevelItem(row);
    return item && (item->flags() & Qt::ItemIsUserCheckable) &&
           item->data(Name, Qt::CheckStateRole).isValid();
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
            // Nothing to show: no check box, marked, the reason at hand.
            item->setData(Name, Qt::CheckStateRole, QVariant());
            item->setFlags(item->flags() & ~Qt::ItemIsUserCheckable);
            item->setText(Date, tr("failed"));
            item->setToolTip(Name, e.error);
            item->setToolTip(Date, e.error);
            item->setForeground(Name, QColor(200, 40, 40));
            item->setForeground(Date, QColor(200, 40, 40));
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
        item->setToolTip(Name, tr("%1\n%2 px, %3 band(s) %4, %5, valid %6")
                                   .arg(e.path)
                                   .arg(QStringLiteral("%1 x %2").arg(p.width).arg(p.height))
                                   .arg(p.count)
                                   .arg(item->text(Type), item->text(Crs), item->text(Valid)));
        for (const Column c : {Date, Size, Crs, Type, Valid})
            item->setToolTip(c, item->text(c));
        if (row == stack_->referenceRow()) {
            item->setText(Grid, tr("reference"));
        } else if (e.aligning) {
            item->setText(Grid, tr("aligning\u2026"));
        } else if (e.grid && e.grid->aligned() && !e.alignedFrom.isEmpty()) {
            item->setText(Grid, tr("aligned from %1").arg(QFileInfo(e.alignedFrom).fileName()));
            item->setToolTip(
                Grid,
                tr("Resampled onto the reference grid from %1 into %2").arg(e.alignedFrom, e.path));
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
    align_->setEnabled(stack_->canAlign(stack_->current()));
    saveAligned_->setEnabled(stack_->canAlign(stack_->current()));
    bool any = false;
    for (int row = 0; row < stack_->count(); ++row)
        any = any || stack_->canAlign(row);
    alignAll_->setEnabled(any);
    fit_->fit();
    rebuilding_ = false;
}

void LayersPanel::onItemChanged(QTreeWidgetItem* item, int column) {
    if (rebuilding_ || column != Name)
        return;
    stack_->setVisible(tree_->indexOfTopLevelItem(item), item->checkState(Name) == Qt::Checked);
}

} // namespace rb::ui
