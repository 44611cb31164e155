#include "CompareView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

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
                [this, i](int index) { setPaneScene(i, index); });
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
    Pane pane{new QComboBox(box), new MapCanvas(box), -1};
    v->addWidget(pane.combo);
    v->addWidget(pane.canvas, 1);
    sideLayout_->addWidget(box, 1);
    const int index = int(panes_.size());
    connect(pane.combo, &QComboBox::activated, this,
            [this, index](int row) { setPaneScene(index, row); });
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

void CompareView::setPaneScene(int pane, int row) {
    MapCanvas* c = target(pane);
    if (!c || row < 0 || row >= stack_->count() || !stack_->entry(row).data)
        return;
    if (mode_ == Mode::Swipe) {
        swipeRows_[pane] = row;
        swipeCombos_[pane]->setCurrentIndex(row);
    } else {
        panes_[pane].row = row;
        panes_[pane].combo->setCurrentIndex(row);
    }
    c->setScene(stack_->entry(row).data);
    // Join the others where they look, rather than fitting on its own.
    ViewLink* link = mode_ == Mode::Swipe ? swipe_->link() : link_;
    for (MapCanvas* other : link->canvases())
        if (other != c && other->scene()) {
            link->syncFrom(other);
            break;
        }
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
        if (paneScene(p) >= 0)
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
    auto fill = [&names](QComboBox* c, int row) {
        const QSignalBlocker block(c);
        c->clear();
        c->addItems(names);
        c->setCurrentIndex(row);
    };
    for (Pane& p : panes_) {
        if (p.row >= stack_->count())
            p.row = -1;
        fill(p.combo, p.row);
    }
    for (int i = 0; i < 2; ++i) {
        if (swipeRows_[i] >= stack_->count())
            swipeRows_[i] = -1;
        fill(swipeCombos_[i], swipeRows_[i]);
    }
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
