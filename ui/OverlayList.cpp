#include "OverlayList.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

#include "ColumnFit.h"
#include "CompositeController.h"
#include "DebandSceneJob.h"
#include "JobFolderLayer.h"
#include "MapCanvas.h"
#include "TransformPanel.h"

namespace rb::ui {

QString OverlayList::title(const QString& id) {
    if (id == DebandSceneJob::kOverlayId)
        return tr("Deband result (scene)");
    if (id.startsWith(QLatin1String("deband-")))
        return tr("Deband result (area)");
    if (id == CompositeController::kOverlayId)
        return tr("Score panel view (composite, winner, score...)");
    if (const QString t = TransformPanel::overlayTitle(id); !t.isEmpty())
        return t;
    if (const QString t = JobFolderLayer::overlayTitle(id); !t.isEmpty())
        return t;
    return id;
}

OverlayList::OverlayList(MapCanvas* canvas, QWidget* parent)
    : QWidget(parent), canvas_(canvas), tree_(new QTreeWidget(this)), up_(new QToolButton(this)),
      down_(new QToolButton(this)), remove_(new QToolButton(this)), opacity_(new QSpinBox(this)) {
    tree_->setColumnCount(ColumnCount);
    tree_->setHeaderLabels({tr("Overlay"), tr("Made for"), tr("Opacity")});
    tree_->setRootIsDecorated(false);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    // The overlay's name gives way in a narrow dock; "made for" is capped (it can name a
    // long file), its whole text in the tooltip.
    fit_ = new ColumnFit(tree_, Name, fontMetrics().horizontalAdvance(QStringLiteral("M")) * 6,
                         {{Scene, fontMetrics().horizontalAdvance(QStringLiteral("M")) * 8}});
    tree_->setMinimumHeight(90);
    tree_->setToolTip(tr("Overlays on the map: untick to hide; the top row is drawn on top"));
    up_->setArrowType(Qt::UpArrow);
    up_->setToolTip(tr("Draw the selected overlay above the next one"));
    down_->setArrowType(Qt::DownArrow);
    down_->setToolTip(tr("Draw the selected overlay below the previous one"));
    remove_->setText(tr("Remove"));
    remove_->setToolTip(tr("Take the selected overlay off the map"));
    opacity_->setRange(0, 100);
    opacity_->setSuffix(QStringLiteral(" %"));
    opacity_->setToolTip(tr("Opacity of the selected overlay"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Overlays"), this));
    layout->addWidget(tree_, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(up_);
    row->addWidget(down_);
    row->addWidget(remove_);
    row->addStretch();
    row->addWidget(new QLabel(tr("Opacity"), this));
    row->addWidget(opacity_);
    layout->addLayout(row);

    connect(canvas_, &MapCanvas::overlayLayersChanged, this, &OverlayList::rebuild);
    connect(tree_, &QTreeWidget::itemChanged, this, &OverlayList::onItemChanged);
    connect(tree_, &QTreeWidget::itemSelectionChanged, this, &OverlayList::syncButtons);
    // The list shows the top of the drawing order first: "up" moves later in the order.
    connect(up_, &QToolButton::clicked, this, [this] { canvas_->moveOverlay(selectedId(), 1); });
    connect(down_, &QToolButton::clicked, this, [this] { canvas_->moveOverlay(selectedId(), -1); });
    connect(remove_, &QToolButton::clicked, this, [this] { canvas_->removeOverlay(selectedId()); });
    connect(opacity_, &QSpinBox::valueChanged, this, [this](int percent) {
        if (!rebuilding_)
            canvas_->setOverlayOpacity(selectedId(), percent / 100.0);
    });
    rebuild();
}

QStringList OverlayList::listedIds() const {
    QStringList ids;
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        ids << tree_->topLevelItem(i)->data(Name, Qt::UserRole).toString();
    return ids;
}

void OverlayList::select(const QString& id) {
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        if (tree_->topLevelItem(i)->data(Name, Qt::UserRole).toString() == id)
            tree_->setCurrentItem(tree_->topLevelItem(i));
}

QString OverlayList::selectedId() const {
    const QTreeWidgetItem* item = tree_->currentItem();
    return item ? item->data(Name, Qt::UserRole).toString() : QString();
}

void OverlayList::rebuild() {
    if (inItemChange_) {
        // The canvas answered a tick in the list: clearing the tree now would delete the
        // item inside its own setData. Rebuild once control is back in the event loop.
        QMetaObject::invokeMethod(this, &OverlayList::rebuild, Qt::QueuedConnection);
        return;
    }
    const QString selected = selectedId();
    rebuilding_ = true;
    tree_->clear();
    const QStringList ids = canvas_->overlayIds();
    // Layers whose job failed before they had an image: a marked row, nothing to tick.
    for (const QString& id : canvas_->failedOverlayIds()) {
        if (ids.contains(id))
            continue;
        auto* item = new QTreeWidgetItem(tree_);
        item->setData(Name, Qt::UserRole, id);
        item->setText(Name, tr("%1 (failed)").arg(title(id)));
        item->setIcon(Name, style()->standardIcon(QStyle::SP_MessageBoxWarning));
        item->setToolTip(Name, canvas_->overlayError(id));
        item->setText(Scene, tr("nothing made"));
        item->setFlags(item->flags() & ~Qt::ItemIsUserCheckable);
        if (id == selected)
            tree_->setCurrentItem(item);
    }
    for (auto it = ids.crbegin(); it != ids.crend(); ++it) {
        const QString& id = *it;
        auto* item = new QTreeWidgetItem(tree_);
        item->setData(Name, Qt::UserRole, id);
        item->setText(Name, title(id));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Name, canvas_->overlayVisible(id) ? Qt::Checked : Qt::Unchecked);
        const QString scene = QFileInfo(canvas_->overlayScenePath(id)).fileName();
        const bool here = canvas_->overlayOnScene(id);
        item->setText(Scene, here ? scene : tr("%1 (not shown: another scene)").arg(scene));
        item->setToolTip(Scene, item->text(Scene));
        item->setText(Opacity, QStringLiteral("%1 %").arg(
                                   int(std::lround(canvas_->overlayOpacity(id) * 100))));
        item->setToolTip(Name, here ? tr("Drawn over %1").arg(canvas_->overlayScenePath(id))
                                    : tr("Made for %1; not drawn over the scene shown")
                                          .arg(canvas_->overlayScenePath(id)));
        if (const QString error = canvas_->overlayError(id); !error.isEmpty()) {
            // What it shows came from earlier parameters: hidden, marked, the error on hover.
            item->setText(Name, tr("%1 (failed)").arg(title(id)));
            item->setIcon(Name, style()->standardIcon(QStyle::SP_MessageBoxWarning));
            item->setToolTip(Name, error);
        }
        if (!here)
            for (int c = 0; c < ColumnCount; ++c)
                item->setForeground(c, palette().brush(QPalette::Disabled, QPalette::Text));
        if (id == selected)
            tree_->setCurrentItem(item);
    }
    fit_->fit();
    rebuilding_ = false;
    syncButtons();
}

void OverlayList::onItemChanged(QTreeWidgetItem* item, int column) {
    if (rebuilding_ || column != Name)
        return;
    inItemChange_ = true;
    canvas_->setOverlayVisible(item->data(Name, Qt::UserRole).toString(),
                               item->checkState(Name) == Qt::Checked);
    inItemChange_ = false;
}

void OverlayList::syncButtons() {
    const QString id = selectedId();
    const bool any = !id.isEmpty();
    up_->setEnabled(any);
    down_->setEnabled(any);
    remove_->setEnabled(any);
    opacity_->setEnabled(any);
    const bool was = rebuilding_;
    rebuilding_ = true;
    opacity_->setValue(any ? int(std::lround(canvas_->overlayOpacity(id) * 100)) : 100);
    rebuilding_ = was;
}

} // namespace rb::ui
