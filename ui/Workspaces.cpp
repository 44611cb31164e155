#include "Workspaces.h"

#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QMainWindow>
#include <QSettings>
#include <QToolBar>

#include <algorithm>

#include "LayersPanel.h"

namespace rb::ui {

namespace {
const QString kLayers = QStringLiteral("layersDock");

/// The width the Layers dock's scene list wants, with the dock's frame around it.
int preferredLayersWidth(const QDockWidget* dock) {
    const auto* panel = dock->findChild<LayersPanel*>();
    return panel ? panel->preferredWidth() + dock->width() - dock->widget()->width()
                 : dock->sizeHint().width();
}
} // namespace

const std::vector<Workspaces::Workspace>& Workspaces::all() {
    static const std::vector<Workspace> list = {
        {QStringLiteral("inspect"),
         QObject::tr("Inspect"),
         QObject::tr("Look at scenes: bands, stretch, histogram, pixel values, metadata"),
         {kLayers, QStringLiteral("displayDock"), QStringLiteral("histogramDock"),
          QStringLiteral("inspectorDock"), QStringLiteral("metadataDock")}},
        {QStringLiteral("composite"),
         QObject::tr("Composite"),
         QObject::tr("Score every pixel of the open scenes and composite the best ones"),
         {kLayers, QStringLiteral("scoreDock"), QStringLiteral("displayDock")}},
        {QStringLiteral("deband"),
         QObject::tr("Deband"),
         QObject::tr("Remove stripes: notches on the FFT spectrum, previewed on the map"),
         {kLayers, QStringLiteral("debandDock"), QStringLiteral("displayDock")}},
        {QStringLiteral("transform"),
         QObject::tr("Transform"),
         QObject::tr("Reproject, rasterize, vectorize and fill, previewed over the view"),
         {kLayers, QStringLiteral("transformDock"), QStringLiteral("displayDock")}},
        {QStringLiteral("catalog"),
         QObject::tr("Catalog"),
         QObject::tr("Find scenes in a folder or STAC catalog by date, season and cloud, and "
                     "add them to the stack"),
         {kLayers, QStringLiteral("catalogDock"), QStringLiteral("displayDock")}},
    };
    return list;
}

Workspaces::Workspaces(QMainWindow* window)
    : QObject(window), window_(window), toolBar_(new QToolBar(tr("Workspaces"), window)),
      group_(new QActionGroup(this)) {
    toolBar_->setObjectName(QStringLiteral("workspaceBar"));
    toolBar_->setMovable(false);
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    window->addToolBar(Qt::TopToolBarArea, toolBar_);
    int key = Qt::Key_1;
    for (const Workspace& w : all()) {
        QAction* a = toolBar_->addAction(w.title);
        a->setObjectName(QStringLiteral("workspace-") + w.name);
        a->setCheckable(true);
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(key++)));
        a->setToolTip(
            QStringLiteral("%1 (%2)").arg(w.tip, a->shortcut().toString(QKeySequence::NativeText)));
        a->setData(w.name);
        group_->addAction(a);
        connect(a, &QAction::triggered, this, [this, name = w.name] { apply(name); });
    }
}

QAction* Workspaces::action(const QString& name) const {
    for (QAction* a : group_->actions())
        if (a->data().toString() == name)
            return a;
    return nullptr;
}

void Workspaces::apply(const QString& name) {
    const auto it = std::find_if(all().begin(), all().end(),
                                 [&](const Workspace& w) { return w.name == name; });
    if (it == all().end())
        return;
    QDockWidget* first = nullptr;
    QDockWidget* previous = nullptr;
    const QList<QDockWidget*> docks = window_->findChildren<QDockWidget*>();
    for (const QString& dockName : it->docks) {
        QDockWidget* dock = window_->findChild<QDockWidget*>(dockName);
        if (!dock)
            continue;
        dock->show();
        if (dockName == kLayers)
            continue;
        // The task's panels share the right side as tabs: each gets the dock's full height
        // instead of a slice of it.
        if (dock->isFloating())
            dock->setFloating(false);
        if (window_->dockWidgetArea(dock) != Qt::RightDockWidgetArea)
            window_->addDockWidget(Qt::RightDockWidgetArea, dock);
        if (previous)
            window_->tabifyDockWidget(previous, dock);
        previous = dock;
        if (!first)
            first = dock;
    }
    for (QDockWidget* dock : docks)
        if (!it->docks.contains(dock->objectName()))
            dock->hide();
    if (first) {
        first->raise();
        // The map keeps the middle: a layer list as wide as its name, date, CRS and grid
        // columns want (at most a quarter of the window: the names give way first), a panel
        // wide enough for its forms.
        if (QDockWidget* layers = window_->findChild<QDockWidget*>(kLayers);
            layers && layers->isVisible() && !layers->isFloating())
            window_->resizeDocks(
                {layers, first},
                {std::clamp(preferredLayersWidth(layers), 220, std::max(220, window_->width() / 4)),
                 440},
                Qt::Horizontal);
        else
            window_->resizeDocks({first}, {440}, Qt::Horizontal);
    }
    current_ = name;
    if (QAction* a = action(name))
        a->setChecked(true);
    if (persistent_)
        QSettings().setValue(kSettingsKey, name);
    emit applied(name);
}

bool Workspaces::restore() {
    const QString name = QSettings().value(kSettingsKey).toString();
    QAction* a = action(name);
    if (!a)
        return false;
    a->setChecked(true);
    current_ = name;
    return true;
}

} // namespace rb::ui
