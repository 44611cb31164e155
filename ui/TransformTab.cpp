#include "TransformTab.h"

#include "OutputCheck.h"

#include <QLabel>

#include <algorithm>
#include <cmath>

#include "EngineMessages.h"
#include "MapCanvas.h"
#include "SceneLayer.h"
#include "TransformWork.h"
#include "rasterbench/error.h"

namespace rb::ui {

TransformTab::TransformTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId, QWidget* parent)
    : QWidget(parent), canvas_(canvas), jobs_(jobs), overlayId_(std::move(overlayId)),
      preview_(jobs->previewLane(this)) {}

void TransformTab::hidePreview() {
    preview_->cancel();
    clearOverlay();
}

void TransformTab::clearOverlay() {
    if (!canvas_->overlay(overlayId_).isNull() || !canvas_->overlayError(overlayId_).isEmpty())
        canvas_->setOverlay(overlayId_, {}, {});
}

void TransformTab::markFailed(const QString& message) {
    canvas_->setOverlayFailed(overlayId_, forGui(message));
}

void TransformTab::showOverlay(const QImage& image, const QRectF& rect) {
    canvas_->setOverlay(overlayId_, image, rect, previewScene_);
}

bool TransformTab::prepare(PreviewRequest& r, QLabel* status) {
    r.scene = canvas_->scene();
    if (!r.scene) {
        setStatus(status, tr("Open a scene first."), true);
        return false;
    }
    r.path = r.scene->pathUtf8();
    previewScene_ = r.scene; // the newest request: only its result is shown
    r.view = canvas_->visibleWindow();
    if (r.view.empty()) {
        setStatus(status, tr("Nothing of the scene is visible."), true);
        return false;
    }
    r.window = jobs_->window(r.view);
    r.overlaySide = std::clamp(int(std::ceil(std::max(canvas_->width(), canvas_->height()) *
                                             canvas_->devicePixelRatioF())),
                               256, kMaxOverlaySide);
    setStatus(status, tr("Computing..."), false);
    return true;
}

bool TransformTab::checkOutput(const QString& path, const std::vector<rb::FileRole>& inputs,
                               QLabel* status) {
    const QString conflict = outputConflict(path, inputs);
    if (conflict.isEmpty())
        return true;
    setStatus(status, conflict, true);
    return false;
}

namespace {

/// A wrapped status line as tall as its text at its width: the tab widget's pages do not
/// pass the height-for-width of a wrapped label on, which left the second line clipped.
class StatusLabel : public QLabel {
public:
    using QLabel::QLabel;
    void fitHeight() {
        const int h = heightForWidth(width());
        if (h > 0 && h != minimumHeight())
            setMinimumHeight(h);
    }

protected:
    void resizeEvent(QResizeEvent* event) override {
        QLabel::resizeEvent(event);
        fitHeight();
    }
};

} // namespace

void TransformTab::setStatus(QLabel* label, const QString& text, bool error) {
    label->setText(error ? forGui(text) : text); // the fields' names, not command-line flags
    label->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    if (auto* status = dynamic_cast<StatusLabel*>(label))
        status->fitHeight();
}

QLabel* TransformTab::newStatusLabel() {
    auto* label = new StatusLabel(this);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QString TransformTab::croppedNote(const rb::Window& shown, const rb::Window& view) {
    return tr("The view covers %1 x %2 pixels: previewing its central %3 x %4 at export "
              "resolution (zoom in to preview all of it).")
        .arg(view.width)
        .arg(view.height)
        .arg(shown.width)
        .arg(shown.height);
}

} // namespace rb::ui
