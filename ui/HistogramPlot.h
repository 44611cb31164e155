#pragma once
// Histograms of the current scene's displayed bands (RGB overlaid or one channel), of the
// whole scene (exact distributions) or of the current view, linear or log counts. The
// stretch limits are vertical lines the user drags; while dragging, limitDragged() reports
// the new value so the map re-renders live.
#include <QVector>
#include <QWidget>

#include <memory>
#include <vector>

#include "JobLane.h"
#include "SceneLayer.h"
#include "rasterbench/stretch_stats.h"

class QCheckBox;
class QComboBox;
class QCPItemStraightLine;
class QCustomPlot;
class QLabel;
class QMouseEvent;

namespace rb::ui {

class HistogramPlot : public QWidget {
    Q_OBJECT
public:
    static constexpr int kBins = 256;
    enum class Source { WholeScene, View };

    explicit HistogramPlot(QWidget* parent = nullptr);
    ~HistogramPlot() override;

    /// The scene whose limits are drawn; until distributions are set, the histogram of its
    /// preview sample is shown (marked as such).
    void setScene(std::shared_ptr<const SceneData> scene);
    /// Exact distributions of the displayed bands (display order) for the chosen source.
    void setDistributions(const std::vector<rb::BandDistribution>& distributions, Source source);
    /// Redraws only the limit lines (a new stretch of the same scene).
    void updateLimits(std::shared_ptr<const SceneData> scene);

    Source source() const;
    void setSource(Source source);
    bool isLogScale() const;
    /// True while a histogram is being binned.
    bool isBusy() const { return lane_.busy(); }
    void setLogScale(bool on);
    /// -1: every displayed channel overlaid; else that channel only.
    int channel() const;
    void setChannel(int channel);

    /// Number of band curves shown (for tests).
    int curveCount() const;
    /// Widget x (in plot() coordinates) of a limit line; -1 when not shown.
    double limitPixel(int channel, bool high) const;
    /// Total count of the curve of `channel` (tests).
    double curveTotal(int channel) const;
    /// What the curves show: "whole scene, exact", "preview sample", "view, exact".
    QString sourceText() const;
    QCustomPlot* plot() const { return plot_; }

    QSize sizeHint() const override { return {340, 240}; }

    struct Histogram {
        double lo = 0, hi = 1;
        QVector<double> centers, counts;
    };

signals:
    /// A limit line moved to `value` (live while dragging; `finished` on release).
    void limitDragged(int channel, bool high, double value, bool finished);
    void sourceChanged(rb::ui::HistogramPlot::Source source);

private:
    void replotAll();
    void drawLimits();
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);

    QCustomPlot* plot_;
    QComboBox* sourceCombo_;
    QComboBox* channelCombo_;
    QCheckBox* log_;
    QLabel* label_;
    std::shared_ptr<const SceneData> scene_;
    QVector<Histogram> hists_;
    QVector<int> histChannels_; ///< display channel of each histogram
    QString sourceText_;
    struct Limit {
        int channel;
        bool high;
        QCPItemStraightLine* line;
    };
    QVector<Limit> limits_;
    int dragging_ = -1; ///< index into limits_
    /// Bins the preview sample; the newest scene wins. Declared last: destroyed first.
    JobLane lane_{QStringLiteral("histogram")};
};

} // namespace rb::ui
