#include "CompareView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "DerivedLayers.h"
#include "MapCanvas.h"
#include "SceneStack.h"
#include "SwipeView.h"
#include "ViewLink.h"

namespace rb::ui {

CompareView::CompareView(SceneStack* stack, QWidget* parent)
    : QWidget(parent), stack_(stack), pages_(new QStackedWidget(this)), swipe_(new SwipeView(this)),
      link_(new ViewLink(this)) {
    auto* side = new QWidget(this);
    auto* sideOuter = new QVBoxLayout(side);
    sideOuter->setContentsMargins(0, 0, 0, 0);
    auto* add = new QPushButton(tr("Add view"), side);
    sideLayout_ = new QHBoxLayout;
    sideOuter->addLayout(sideLayout_, 1);
    sideOuter->addWidget(add, 0, Qt::AlignLeft);
    connect(add, &QPushButton::clicked, this, &CompareView::addPane);

    auto* swipePage = new QWidget(this);
    auto* swipeLayout = new QVBoxLayout(swipePage);
    swipeLayout->setContentsMargins(0, 0, 0, 0);
    auto* swipeBar = new QHBoxLayout;
    for (int i = 0; i < 2; ++i) {
        swipeCombos_[i] = new QComboBox(swipePage);
        swipeBar->addWidget(swipeCombos_[i], 1);
        connect(swipeCombos_[i], &QComboBox::activated, this,
                [this, i](int index) { onSelectorActivated(i, index); });
    }
    swipeLayout->addLayout(swipeBar);
    swipeLayout->addWidget(swipe_, 1);

    pages_->addWidget(side);
    pages_->addWidget(swipePage);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(pages_);
    addPane();
    addPane();

    connect(stack_, &SceneStack::entriesChanged, this, &CompareView::refreshCombos);
    connect(stack_, &SceneStack::sceneChanged, this, &CompareView::refreshScenes);
    refreshCombos();
}

void CompareView::addPane() {
    if (panes_.size() >= kMaxPanes)
        return;
    auto* box = new QWidget(this);
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    Pane pane{new QComboBox(box), new MapCanvas(box), -1, {}};
    v->addWidget(pane.combo);
    v->addWidget(pane.canvas, 1);
    sideLayout_->addWidget(box, 1);
    const int index = int(panes_.size());
    connect(pane.combo, &QComboBox::activated, this,
            [this, index](int i) { onSelectorActivated(index, i); });
    link_->add(pane.canvas);
    panes_.push_back(pane);
    refreshCombos();
    fillEmptyPanes();
}

void CompareView::setMode(Mode mode) {
    mode_ = mode;
    pages_->setCurrentIndex(mode == Mode::Swipe ? 1 : 0);
    fillEmptyPanes();
}

MapCanvas* CompareView::canvas(int i) const {
    return panes_.value(i).canvas;
}

MapCanvas* CompareView::target(int pane) const {
    if (mode_ == Mode::Swipe)
        return pane == 0 ? swipe_->left() : pane == 1 ? swipe_->right() : nullptr;
    return canvas(pane);
}

int CompareView::paneScene(int pane) const {
    if (mode_ == Mode::Swipe)
        return pane >= 0 && pane < 2 ? swipeRows_[pane] : -1;
    return pane >= 0 && pane < panes_.size() ? panes_[pane].row : -1;
}

QString CompareView::paneLayer(int pane) const {
    if (mode_ == Mode::Swipe)
        return pane >= 0 && pane < 2 ? swipeLayers_[pane] : QString();
    return pane >= 0 && pane < panes_.size() ? panes_[pane].layer : QString();
}

bool CompareView::paneEmpty(int pane) const {
    return paneScene(pane) < 0 && paneLayer(pane).isEmpty();
}

int& CompareView::rowRef(int pane) {
    return mode_ == Mode::Swipe ? swipeRows_[pane] : panes_[pane].row;
}

QString& CompareView::layerRef(int pane) {
    return mode_ == Mode::Swipe ? swipeLayers_[pane] : panes_[pane].layer;
}

QComboBox* CompareView::paneSelector(int pane) const {
    if (mode_ == Mode::Swipe)
        return pane >= 0 && pane < 2 ? swipeCombos_[pane] : nullptr;
    return pane >= 0 && pane < panes_.size() ? panes_[pane].combo : nullptr;
}

void CompareView::syncNewPane(MapCanvas* c) {
    ViewLink* link = mode_ == Mode::Swipe ? swipe_->link() : link_;
    for (MapCanvas* other : link->canvases())
        if (other != c && other->scene()) {
            link->syncFrom(other);
            break;
        }
}

void CompareView::setPaneScene(int pane, int row) {
    MapCanvas* c = target(pane);
    if (!c || row < 0 || row >= stack_->count() || !stack_->entry(row).data)
        return;
    rowRef(pane) = row;
    layerRef(pane).clear();
    paneSelector(pane)->setCurrentIndex(row);
    c->setOverlay(QString::fromLatin1(kDerivedOverlay), {}, {});
    c->setScene(stack_->entry(row).data);
    syncNewPane(c);
    emit paneSceneChanged(pane, row);
}

void CompareView::setDerivedLayers(DerivedLayers* layers) {
    if (derived_)
        disconnect(derived_, nullptr, this, nullptr);
    derived_ = layers;
    if (derived_) {
        connect(derived_, &DerivedLayers::listChanged, this, &CompareView::refreshCombos);
        connect(derived_, &DerivedLayers::changed, this, &CompareView::onDerivedChanged);
    }
    refreshCombos();
}

bool CompareView::setPaneLayer(int pane, const QString& id) {
    MapCanvas* c = target(pane);
    const DerivedLayer* layer = derived_ ? derived_->find(id) : nullptr;
    if (!c || !layer)
        return false;
    rowRef(pane) = -1;
    layerRef(pane) = id;
    paneSelector(pane)->setCurrentIndex(stack_->count() + derived_->indexOf(id));
    // The base scene places the image (and links the view); the layer is drawn over it.
    c->setScene(layer->base);
    c->setOverlay(QString::fromLatin1(kDerivedOverlay), layer->image, layer->pixels);
    syncNewPane(c);
    return true;
}

void CompareView::onSelectorActivated(int pane, int index) {
    if (index < stack_->count())
        setPaneScene(pane, index);
    else if (derived_ && index - stack_->count() < derived_->count())
        setPaneLayer(pane, derived_->at(index - stack_->count()).id);
}

void CompareView::onDerivedChanged(const QString& id) {
    const DerivedLayer* layer = derived_ ? derived_->find(id) : nullptr;
    auto update = [&](MapCanvas* c, int& row, QString& shown) {
        if (shown != id)
            return;
        if (layer) {
            if (!c->scene() || c->scene()->pyramid != layer->base->pyramid)
                c->setScene(layer->base);
            c->setOverlay(QString::fromLatin1(kDerivedOverlay), layer->image, layer->pixels);
            return;
        }
        // Withdrawn: the pane falls back to the scene it was drawn over.
        c->setOverlay(QString::fromLatin1(kDerivedOverlay), {}, {});
        shown.clear();
        row = c->scene() ? stack_->rowOfPath(c->scene()->path) : -1;
    };
    for (Pane& p : panes_)
        update(p.canvas, p.row, p.layer);
    for (int i = 0; i < 2; ++i)
        update(i == 0 ? swipe_->left() : swipe_->right(), swipeRows_[i], swipeLayers_[i]);
    if (!layer)
        refreshCombos();
}

void CompareView::fillEmptyPanes() {
    const int n = stack_->count();
    if (n == 0)
        return;
    QVector<int> order;
    if (stack_->current() >= 0)
        order.push_back(stack_->current());
    for (int r = 0; r < n; ++r)
        if (r != stack_->current() && stack_->entry(r).data)
            order.push_back(r);
    // Each empty pane gets a scene no other pane shows (a comparison of a scene with
    // itself shows nothing); panes stay empty until enough scenes have loaded.
    const int panes = mode_ == Mode::Swipe ? 2 : paneCount();
    for (int p = 0; p < panes; ++p) {
        if (!paneEmpty(p))
            continue;
        for (int row : order) {
            bool used = false;
            for (int q = 0; q < panes; ++q)
                used = used || paneScene(q) == row;
            if (!used) {
                setPaneScene(p, row);
                break;
            }
        }
    }
}

void CompareView::refreshCombos() {
    QStringList names;
    for (int r = 0; r < stack_->count(); ++r)
        names << stack_->entry(r).displayName();
    // Derived layers follow the scenes, marked so they read as results, not files.
    const int scenes = int(names.size());
    if (derived_)
        for (int i = 0; i < derived_->count(); ++i)
            names << QStringLiteral("\u25c6 %1").arg(derived_->at(i).name);
    auto fill = [&](QComboBox* c, int& row, QString& layer) {
        if (row >= stack_->count())
            row = -1;
        const int li = derived_ && !layer.isEmpty() ? derived_->indexOf(layer) : -1;
        const QSignalBlocker block(c);
        c->clear();
        c->addItems(names);
        c->setCurrentIndex(li >= 0 ? scenes + li : row);
    };
    for (Pane& p : panes_)
        fill(p.combo, p.row, p.layer);
    for (int i = 0; i < 2; ++i)
        fill(swipeCombos_[i], swipeRows_[i], swipeLayers_[i]);
    if (isVisible())
        fillEmptyPanes();
}

void CompareView::refreshScenes(int row) {
    // A new display of a scene shown here: same view, new pixels.
    for (Pane& p : panes_)
        if (p.row == row)
            p.canvas->setScene(stack_->entry(row).data);
    for (int i = 0; i < 2; ++i)
        if (swipeRows_[i] == row)
            (i == 0 ? swipe_->left() : swipe_->right())->setScene(stack_->entry(row).data);
}

} // namespace rb::ui
