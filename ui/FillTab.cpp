#include "FillTab.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "TransformWork.h"

namespace rb::ui {

FillTab::FillTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : TransformTab(canvas, jobs, std::move(overlayId), parent),
      maxDistance_(new QDoubleSpinBox(this)), smoothing_(new QSpinBox(this)),
      status_(newStatusLabel()) {
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    maxDistance_->setRange(1, 10000);
    maxDistance_->setValue(100);
    maxDistance_->setToolTip(tr("Search distance in pixels (gdal_fillnodata -md)"));
    form->addRow(tr("Max distance"), maxDistance_);
    smoothing_->setRange(0, 100);
    smoothing_->setToolTip(tr("3x3 smoothing passes over the filled pixels (-si)"));
    form->addRow(tr("Smoothing"), smoothing_);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Fills every displayed band."), this));
    auto* fillButton = new QPushButton(tr("Preview"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(fillButton);
    row->addStretch();
    layout->addLayout(row);
    layout->addWidget(status_);
    layout->addStretch();
    connect(fillButton, &QPushButton::clicked, this, &FillTab::previewFill);
    connect(maxDistance_, &QDoubleSpinBox::valueChanged, this, &TransformTab::parametersChanged);
    connect(smoothing_, &QSpinBox::valueChanged, this, &TransformTab::parametersChanged);
}

void FillTab::previewFill() {
    PreviewRequest req;
    if (!prepare(req, status_)) {
        emit fillDone();
        return;
    }
    const std::vector<int> bands = bandsToFill(*req.scene);
    runPreview(
        [req, bands, maxDistance = maxDistance_->value(),
         smoothing = smoothing_->value()](rb::Progress progress) {
            return fillView(req, bands, maxDistance, smoothing, std::move(progress));
        },
        [this, window = req.window, view = req.view, bands](const FillPreview& r) {
            filled_ = r.filled;
            bands_ = bands;
            window_ = window;
            showOverlay(r.image, r.rect);
            QString text = r.message;
            if (!(window == view))
                text += QLatin1Char('\n') + croppedNote(window, view);
            setStatus(status_, text, false);
            emit fillDone();
        },
        [this](const QString& error) {
            setStatus(status_, error, true);
            emit fillDone();
        });
}

} // namespace rb::ui
