#pragma once
// The base of the Transform dock's tabs: a form previewing one engine operation over the
// visible part of the map. It turns the view into a request (the visible window, or its
// centre when larger than the preview limit), runs the tab's work on its preview lane (a
// newer preview of the same tab supersedes the running one, whose result is dropped), draws the
// result as this tab's one overlay on the map, and reports in the tab's status line. Output files
// are checked against the tab's inputs before anything is written.
#include <QImage>
#include <QRectF>
#include <QString>
#include <QWidget>

#include <functional>
#include <utility>
#include <vector>

#include "PreviewJobs.h"
#include "rasterbench/output_guard.h"
#include "rasterbench/window.h"

class QLabel;

namespace rb::ui {

class MapCanvas;

class TransformTab : public QWidget {
    Q_OBJECT
public:
    /// `overlayId`: the map overlay this tab draws its preview into.
    TransformTab(MapCanvas* canvas, PreviewJobs* jobs, QString overlayId,
                 QWidget* parent = nullptr);

    const QString& overlayId() const { return overlayId_; }
    /// Starts this tab's preview if it has what it needs (the live refresh).
    virtual void refreshLive() = 0;
    /// Drops the running preview (its result is not shown) and removes the overlay.
    void hidePreview();
    /// Removes this tab's overlay from the map.
    void clearOverlay();

signals:
    /// A parameter of this tab changed: the live preview refreshes if this tab is shown.
    void parametersChanged();

protected:
    MapCanvas* canvas() const { return canvas_; }
    PreviewJobs* jobs() const { return jobs_; }

    /// A request for the visible view; false (and the reason in `status`) when no scene is
    /// open or none of it is visible.
    bool prepare(PreviewRequest& r, QLabel* status);
    /// Runs this tab's preview: `work(rb::Progress)` in the background, then `done(result)`
    /// unless a newer preview or hidePreview() superseded it, or `fail(message)`.
    template <class Work, class Done>
    void runPreview(Work work, Done done, std::function<void(QString)> fail) {
        jobs_->runPreview(preview_, std::move(work), std::move(done),
                          [this, fail = std::move(fail)](const QString& message) {
                              markFailed(message);
                              fail(message);
                          });
    }
    void showOverlay(const QImage& image, const QRectF& rect);
    /// Marks this tab's layer failed (hidden, flagged in the Layers panel).
    void markFailed(const QString& message);

    /// False, with the reason in `status`, when output `path` is one of `inputs`.
    static bool checkOutput(const QString& path, const std::vector<rb::FileRole>& inputs,
                            QLabel* status);
    static void setStatus(QLabel* label, const QString& text, bool error);
    /// A word-wrapped, selectable status line.
    QLabel* newStatusLabel();
    /// The note added when a preview covers only the centre `shown` of `view`.
    static QString croppedNote(const rb::Window& shown, const rb::Window& view);

private:
    MapCanvas* canvas_;
    PreviewJobs* jobs_;
    QString overlayId_;
    JobLane* preview_;
    /// The scene of the newest preview request (its result belongs to that scene).
    std::shared_ptr<const SceneData> previewScene_;
};

} // namespace rb::ui
