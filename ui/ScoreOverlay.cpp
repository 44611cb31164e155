#include "ScoreOverlay.h"

#include <QObject>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "SceneRender.h"

namespace rb::ui {

namespace {

/// Per-band stretch indexed like `r`'s bands: the display's where given, else exact
/// percent-clip limits of the image itself.
std::vector<rb::StretchRange> stretchFor(const rb::Raster& r, const ScoreDisplay& d) {
    std::vector<rb::StretchRange> s = d.stretch;
    if (int(s.size()) < r.bands()) {
        const auto own = rb::compute_stretch(r, rb::StretchOptions{});
        for (std::size_t b = s.size(); b < own.size(); ++b)
            s.push_back(own[b]);
    }
    s.resize(std::size_t(r.bands()));
    return s;
}

rb::Rgba8Image renderBands(const rb::Raster& r, const ScoreDisplay& d) {
    rb::RenderOptions ro;
    ro.gamma = d.gamma;
    const bool bandsFit = std::all_of(d.rgbBands.begin(), d.rgbBands.end(),
                                      [&](int b) { return b >= 0 && b < r.bands(); });
    if (bandsFit && (d.rgbBands.size() == 3 || d.rgbBands.size() == 1))
        ro.rgb_bands = d.rgbBands;
    return rb::render_rgba(r, stretchFor(r, d), ro);
}

/// Percentile of a score raster's valid samples; NaN when none.
double scorePercentile(const rb::Raster& score, double p) {
    const auto s = score.band<float>(0);
    for (std::size_t i = 0; i < s.size(); ++i)
        if (score.valid(0, int(i / std::size_t(score.cols())), int(i % std::size_t(score.cols()))))
            return rb::band_percentile(score, 0, p);
    return std::nan("");
}

QString number(double v) {
    return QString::number(v, 'g', 4);
}

} // namespace

rb::SceneSource ScoreScene::source() const {
    rb::SceneSource s;
    s.files.push_back(path.toStdString());
    if (!qa.isEmpty())
        s.files.push_back(qa.toStdString());
    if (calibrate == QLatin1String(kToaPixelSun)) {
        s.calibrate = "toa";
        s.sun = rb::SunGeometry::Pixel; // its zenith band is found when the scene is read
    } else {
        s.calibrate = calibrate.toStdString();
    }
    return s;
}

QString ScoreScene::label() const {
    return date ? QStringLiteral("%1 (%2)").arg(name, QString::fromStdString(date->iso())) : name;
}

namespace {

QRectF toRect(const rb::PixelRect& r) {
    return QRectF(r.x, r.y, r.width, r.height);
}

} // namespace

ViewportResult ViewportResult::from(rb::ViewportPreview&& p) {
    ViewportResult r;
    r.plan = {p.plan.read, p.plan.out_cols, p.plan.out_rows,
              p.plan.step, p.plan.crop,     toRect(p.plan.pixels)};
    r.current = p.current;
    r.scene = std::move(p.scene);
    r.score = std::move(p.score);
    r.composite = std::move(p.composite);
    r.readMs = p.read_ms;
    r.scoreMs = p.score_ms;
    r.compositeMs = p.composite_ms;
    r.coarse = p.coarse;
    return r;
}

QImage renderScoreOverlay(const ViewportResult& r, const ScoreDisplay& display,
                          const std::vector<ScoreScene>& scenes, ScoreLegend* legend) {
    ScoreLegend lg;
    rb::Rgba8Image img;
    const rb::CompositeResult& c = r.composite;
    switch (display.view) {
    case ScoreView::Composite:
        lg.title = QObject::tr("Composite");
        img = renderBands(c.composite, display);
        break;
    case ScoreView::BestRank:
    case ScoreView::WorstRank: {
        const bool best = display.view == ScoreView::BestRank;
        const auto& ranks = best ? c.best_rank : c.worst_rank;
        if (ranks.empty())
            break;
        lg.title = best ? QObject::tr("Best-ranked pixel") : QObject::tr("Worst-ranked pixel");
        img = renderBands(ranks.front(), display);
        break;
    }
    case ScoreView::Winner: {
        lg.title = QObject::tr("Winning scene");
        const rb::Raster& idx = c.index;
        img.width = idx.cols();
        img.height = idx.rows();
        img.pixels.assign(idx.band_size(), 0);
        std::map<int, std::size_t> wins;
        const auto v = idx.band<std::uint16_t>(0);
        for (std::size_t i = 0; i < v.size(); ++i)
            if (idx.valid(0, int(i / std::size_t(idx.cols())), int(i % std::size_t(idx.cols())))) {
                img.pixels[i] = rb::categorical_color(v[i]);
                ++wins[v[i]];
            }
        const double n = double(std::max<std::size_t>(1, v.size()));
        for (const auto& [scene, count] : wins) {
            const QString name = scene < int(scenes.size()) ? scenes[std::size_t(scene)].label()
                                                            : QString::number(scene + 1);
            lg.entries.push_back(
                {QColor::fromRgba(rb::categorical_color(scene)),
                 QStringLiteral("%1  %2 %").arg(name).arg(100.0 * double(count) / n, 0, 'f', 1)});
        }
        break;
    }
    case ScoreView::Score: {
        if (r.score.empty())
            break;
        const double lo = scorePercentile(r.score, 2), hi = scorePercentile(r.score, 98);
        lg.ramp = true;
        lg.lo = lo;
        lg.hi = hi;
        lg.colormap = display.scoreColormap;
        lg.title = QObject::tr("Score of %1")
                       .arg(r.current < int(scenes.size()) ? scenes[std::size_t(r.current)].label()
                                                           : QString());
        const auto& table = rb::colormap_table(display.scoreColormap);
        img.width = r.score.cols();
        img.height = r.score.rows();
        img.pixels.assign(r.score.band_size(), 0);
        const auto s = r.score.band<float>(0);
        const double span = hi > lo ? hi - lo : 1;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const int row = int(i / std::size_t(img.width)), col = int(i % std::size_t(img.width));
            if (!r.score.valid(0, row, col) || !std::isfinite(s[i]))
                continue;
            const double t = std::clamp((double(s[i]) - lo) / span, 0.0, 1.0);
            img.pixels[i] = table[std::size_t(std::lround(t * 255))];
        }
        break;
    }
    case ScoreView::HighScoring:
    case ScoreView::LowScoring: {
        if (r.score.empty())
            break;
        const bool high = display.view == ScoreView::HighScoring;
        const double t = scorePercentile(r.score, display.threshold);
        lg.title = high ? QObject::tr("High-scoring pixels") : QObject::tr("Low-scoring pixels");
        lg.entries.push_back({Qt::transparent, (high ? QObject::tr("score >= %1 (percentile %2)")
                                                     : QObject::tr("score < %1 (percentile %2)"))
                                                   .arg(number(t), number(display.threshold))});
        img = renderBands(r.scene, display);
        const auto s = r.score.band<float>(0);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const int row = int(i / std::size_t(img.width)), col = int(i % std::size_t(img.width));
            const bool valid = r.score.valid(0, row, col) && std::isfinite(s[i]);
            const bool keep = valid && (high ? double(s[i]) >= t : double(s[i]) < t);
            if (!keep)
                img.pixels[i] = 0;
        }
        break;
    }
    }
    if (legend)
        *legend = lg;
    if (img.pixels.empty())
        return {};
    // The opacity multiplies each pixel's alpha: the map canvas draws overlays as they are.
    // One rounding per alpha value, not per pixel.
    const auto opacity = std::clamp(display.opacity, 0.0, 1.0);
    if (opacity < 1) {
        std::array<std::uint32_t, 256> scaled;
        for (std::uint32_t a = 0; a < 256; ++a)
            scaled[a] = std::uint32_t(std::lround(double(a) * opacity)) << 24;
        for (auto& p : img.pixels)
            p = (p & 0x00ffffffu) | scaled[p >> 24];
    }
    return toQImage(img);
}

} // namespace rb::ui
