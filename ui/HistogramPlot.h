#pragma once
// Per-band histograms of a scene's stretch sample, with the stretch limits as vertical
// lines, so the user sees what the 2-98 % clip cut away.
#include <QThreadPool>
#include <QVector>
#include <QWidget>

#include <memory>

#include "SceneLayer.h"

class QCustomPlot;

namespace rb::ui {

class HistogramPlot : public QWidget {
    Q_OBJECT
public:
    static constexpr int kBins = 256;

    explicit HistogramPlot(QWidget* parent = nullptr);
    ~HistogramPlot() override;

    void setScene(std::shared_ptr<const SceneData> scene);
    /// Number of band curves shown (for tests).
    int curveCount() const;

    QSize sizeHint() const override { return {320, 200}; }

    struct Histogram {
        double lo = 0, hi = 1;
        QVector<double> centers, counts;
    };

private:
    void plotHistograms(const SceneData& scene, const QVector<Histogram>& hs);

    QCustomPlot* plot_;
    QThreadPool pool_;
    quint64 generation_ = 0;
};

} // namespace rb::ui
