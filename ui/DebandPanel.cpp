#include "DebandPanel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "DebandController.h"
#include "MapCanvas.h"
#include "SpectrumView.h"

namespace rb::ui {

DebandPanel::DebandPanel(MapCanvas* canvas, QWidget* parent)
    : QWidget(parent), canvas_(canvas), controller_(new DebandController(canvas, this)),
      view_(new SpectrumView(this)), band_(new QSpinBox(this)), show_(new QComboBox(this)),
      black_(new QSlider(Qt::Horizontal, this)), white_(new QSlider(Qt::Horizontal, this)),
      hover_(new QLabel(this)), metrics_(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Band"), this));
    band_->setRange(1, 1);
    top->addWidget(band_);
    show_->addItems({tr("Before"), tr("After"), tr("Difference")});
    show_->setCurrentIndex(1);
    top->addWidget(show_);
    top->addStretch();
    layout->addLayout(top);

    auto* tools = new QHBoxLayout;
    auto* notch = new QRadioButton(tr("Notch"), this);
    auto* stripe = new QRadioButton(tr("Stripe"), this);
    notch->setChecked(true);
    auto* group = new QButtonGroup(this);
    group->addButton(notch);
    group->addButton(stripe);
    auto* autoButton = new QPushButton(tr("Auto-detect"), this);
    auto* undoButton = new QPushButton(tr("Undo"), this);
    auto* clearButton = new QPushButton(tr("Clear"), this);
    for (QWidget* w :
         std::initializer_list<QWidget*>{notch, stripe, autoButton, undoButton, clearButton})
        tools->addWidget(w);
    layout->addLayout(tools);

    layout->addWidget(view_, 1);

    auto* contrast = new QHBoxLayout;
    contrast->addWidget(new QLabel(tr("Contrast"), this));
    black_->setRange(0, 600);    // black point, 0..60 % (tenths)
    white_->setRange(900, 1000); // white point, 90..100 % (tenths)
    black_->setValue(10);
    white_->setValue(999);
    contrast->addWidget(black_);
    contrast->addWidget(white_);
    layout->addLayout(contrast);

    hover_->setWordWrap(true);
    metrics_->setWordWrap(true);
    layout->addWidget(hover_);
    layout->addWidget(metrics_);

    connect(view_, &SpectrumView::notchesEdited, controller_,
            [this](const rb::fft::NotchSet& n, bool continuing) {
                controller_->setNotches(n, !continuing);
            });
    connect(view_, &SpectrumView::hovered, hover_, &QLabel::setText);
    connect(controller_, &DebandController::notchesChanged, this,
            [this] { view_->setNotches(controller_->notches()); });
    connect(controller_, &DebandController::areaReady, this, &DebandPanel::refreshSpectrum);
    connect(controller_, &DebandController::previewUpdated, this, &DebandPanel::showMetrics);
    connect(controller_, &DebandController::sceneResultReady, this, &DebandPanel::showMetrics);
    connect(controller_, &DebandController::message, metrics_, &QLabel::setText);
    connect(notch, &QRadioButton::toggled, this, [this](bool on) {
        view_->setTool(on ? SpectrumView::Tool::Notch : SpectrumView::Tool::Stripe);
    });
    connect(autoButton, &QPushButton::clicked, controller_, [this] { controller_->autoDetect(); });
    connect(undoButton, &QPushButton::clicked, controller_, &DebandController::undo);
    connect(clearButton, &QPushButton::clicked, controller_,
            [this] { controller_->setNotches({}, true); });
    auto* undoKey = new QShortcut(QKeySequence::Undo, this);
    undoKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(undoKey, &QShortcut::activated, controller_, &DebandController::undo);
    connect(show_, &QComboBox::currentIndexChanged, controller_,
            [this](int i) { controller_->setShow(DebandController::Show(i)); });
    connect(band_, &QSpinBox::valueChanged, controller_, [this](int b) {
        if (controller_->scene())
            controller_->setBand(b);
    });
    auto contrastChanged = [this] {
        view_->setContrast(black_->value() / 10.0, white_->value() / 10.0);
    };
    connect(black_, &QSlider::valueChanged, this, contrastChanged);
    connect(white_, &QSlider::valueChanged, this, contrastChanged);
    view_->setContrast(black_->value() / 10.0, white_->value() / 10.0);

    // The area follows the view once panning or zooming has settled outside it.
    auto* follow = new QTimer(this);
    follow->setSingleShot(true);
    follow->setInterval(300);
    connect(follow, &QTimer::timeout, this, [this] {
        if (!isVisible() || !controller_->scene() || !canvas_)
            return;
        const rb::Window v = canvas_->visibleWindow();
        if (!controller_->area().contains(v.intersection(rb::Window::full(
                controller_->scene()->profile.width, controller_->scene()->profile.height))))
            controller_->prepareArea();
        else
            controller_->setShow(controller_->show()); // new zoom: redraw at screen resolution
    });
    if (canvas_)
        connect(canvas_, &MapCanvas::viewChanged, follow, qOverload<>(&QTimer::start));
}

void DebandPanel::setScene(std::shared_ptr<const SceneData> scene) {
    controller_->setScene(scene);
    if (!scene)
        return;
    const QSignalBlocker block(band_);
    band_->setRange(1, scene->profile.count);
    band_->setValue(controller_->band());
    if (isVisible())
        controller_->prepareArea();
}

void DebandPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (controller_->scene() && !controller_->isReady())
        controller_->prepareArea();
}

void DebandPanel::refreshSpectrum() {
    view_->setSpectrum(controller_->spectrum());
    view_->setNotches(controller_->notches());
}

void DebandPanel::showMetrics() {
    QString text = controller_->metricsText();
    if (controller_->isSceneJobRunning())
        text += tr("; whole scene: computing...");
    metrics_->setText(text);
}

} // namespace rb::ui
