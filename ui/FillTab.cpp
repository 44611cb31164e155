#include "FillTab.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ParamForm.h"
#include "TransformWork.h"

namespace rb::ui {

FillTab::FillTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : TransformTab(canvas, jobs, std::move(overlayId), parent), form_(new ParamForm(this)),
      status_(newStatusLabel()) {
    auto* layout = new QVBoxLayout(this);
    // The same table as the fill command's flags and the recipe's fill step: one set of limits.
    form_->setParams(rb::FillOptions::params().infos(), rb::FillOptions::params().values(options_));
    layout->addWidget(form_);
    layout->addWidget(new QLabel(tr("Fills every displayed band."), this));
    auto* fillButton = new QPushButton(tr("Preview"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(fillButton);
    row->addStretch();
    layout->addLayout(row);
    layout->addWidget(status_);
    layout->addStretch();
    connect(fillButton, &QPushButton::clicked, this, &FillTab::previewFill);
    bindTable(form_, rb::FillOptions::params(), options_, [this] { emit parametersChanged(); });
}

QDoubleSpinBox* FillTab::maxDistanceSpin() const {
    return qobject_cast<QDoubleSpinBox*>(form_->editor(QStringLiteral("max_distance")));
}

QSpinBox* FillTab::smoothingSpin() const {
    return qobject_cast<QSpinBox*>(form_->editor(QStringLiteral("smoothing")));
}

void FillTab::previewFill() {
    PreviewRequest req;
    if (!prepare(req, status_)) {
        emit fillDone();
        return;
    }
    const std::vector<int> bands = bandsToFill(*req.scene);
    runPreview(
        [req, bands, o = options_](rb::Progress progress) {
            return fillView(req, bands, o.max_distance, o.smoothing, std::move(progress));
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

void FillTab::setFillOptions(const rb::FillOptions& options) {
    options_ = options;
    form_->setValues(rb::FillOptions::params().values(options_));
    emit parametersChanged();
}

} // namespace rb::ui
