#include "TransformPreview.h"

#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>
#include <QRegularExpression>

#include <cmath>
#include <limits>
#include <set>

#include "rasterbench/crs.h"

namespace rb::ui {

rb::Window centralWindow(const rb::Window& w, std::int64_t maxSide) {
    rb::Window c = w;
    if (maxSide <= 0)
        return c;
    if (c.width > maxSide) {
        c.col_off += (c.width - maxSide) / 2;
        c.width = maxSide;
    }
    if (c.height > maxSide) {
        c.row_off += (c.height - maxSide) / 2;
        c.height = maxSide;
    }
    return c;
}

OverlayFrame::OverlayFrame(const rb::Window& w, const rb::Affine& sceneTransform, int maxSide)
    : window(w) {
    scale = std::min(1.0, double(std::max(1, maxSide)) / double(std::max(w.width, w.height)));
    toWindowPixel = w.transform(sceneTransform).inverse();
    image = QImage(std::max(1, int(std::ceil(double(w.width) * scale))),
                   std::max(1, int(std::ceil(double(w.height) * scale))),
                   QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
}

QRectF OverlayFrame::rect() const {
    return QRectF(double(window.col_off), double(window.row_off), double(window.width),
                  double(window.height));
}

QPointF OverlayFrame::toImage(const rb::Point2& p) const {
    const auto [c, r] = toWindowPixel.apply(p[0], p[1]);
    return {c * scale, r * scale};
}

void OverlayFrame::drawOutlines(const std::vector<rb::Polygon>& polygons, QColor color) {
    QPainterPath path;
    auto addRing = [&](const rb::Ring& ring) {
        if (ring.empty())
            return;
        QPolygonF poly;
        poly.reserve(qsizetype(ring.size()));
        for (const auto& p : ring)
            poly << toImage(p);
        path.addPolygon(poly);
        path.closeSubpath();
    };
    for (const auto& polygon : polygons) {
        addRing(polygon.exterior);
        for (const auto& hole : polygon.holes)
            addRing(hole);
    }
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    QPen pen(color, 1.5);
    pen.setCosmetic(true);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
}

std::optional<std::vector<double>> parseBreaks(const QString& text, QString* error) {
    static const QRegularExpression sep(QStringLiteral("[,;\\s]+"));
    std::vector<double> out;
    for (const QString& part : text.split(sep, Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !std::isfinite(v)) {
            if (error)
                *error = QObject::tr("\"%1\" is not a number").arg(part);
            return std::nullopt;
        }
        if (!out.empty() && v <= out.back()) {
            if (error)
                *error = QObject::tr("breaks must increase (%1 after %2)").arg(v).arg(out.back());
            return std::nullopt;
        }
        out.push_back(v);
    }
    if (out.empty()) {
        if (error)
            *error = QObject::tr("type at least one break, e.g. 0.2, 0.5, 0.8");
        return std::nullopt;
    }
    if (out.size() > 254) {
        if (error)
            *error = QObject::tr("at most 254 breaks");
        return std::nullopt;
    }
    return out;
}

std::vector<double> equalIntervalBreaks(double lo, double hi, int n) {
    std::vector<double> out;
    for (int k = 1; k < n; ++k)
        out.push_back(lo + (hi - lo) * double(k) / double(n));
    return out;
}

std::optional<std::pair<double, double>> validRange(const rb::Raster& r, int b) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < r.rows(); ++i)
        for (int j = 0; j < r.cols(); ++j)
            if (r.valid(b, i, j)) {
                const double v = r.value(b, i, j);
                if (std::isfinite(v)) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
    if (!(lo <= hi))
        return std::nullopt;
    return std::pair{lo, hi};
}

Classified classify(const rb::Raster& src, int b, const std::vector<double>& breaks,
                    bool threshold) {
    Classified out;
    out.classes = rb::Raster(rb::DataType::UInt8, 1, src.rows(), src.cols());
    auto classes = out.classes.band<std::uint8_t>(0);
    out.mask.assign(classes.size(), 0);
    for (int i = 0; i < src.rows(); ++i)
        for (int j = 0; j < src.cols(); ++j) {
            if (!src.valid(b, i, j))
                continue;
            const double v = src.value(b, i, j);
            if (!std::isfinite(v))
                continue;
            const std::size_t k = std::size_t(i) * std::size_t(src.cols()) + std::size_t(j);
            if (threshold) {
                if (!breaks.empty() && v >= breaks.front()) {
                    classes[k] = 1;
                    out.mask[k] = 1;
                }
                continue;
            }
            classes[k] =
                std::uint8_t(std::upper_bound(breaks.begin(), breaks.end(), v) - breaks.begin());
            out.mask[k] = 1;
        }
    return out;
}

QStringList numericFields(const rb::FeatureCollection& fc) {
    std::set<std::string> seen, bad;
    for (const auto& f : fc.features)
        for (const auto& [name, value] : f.properties) {
            if (std::holds_alternative<std::monostate>(value))
                continue;
            if (f.number(name))
                seen.insert(name);
            else
                bad.insert(name);
        }
    QStringList out;
    for (const auto& name : seen)
        if (!bad.count(name))
            out << QString::fromStdString(name);
    return out;
}

OverlayFrame reprojectedOnScene(const QImage& image, const rb::Window& dstWindow,
                                const rb::Grid& dst, const rb::Window& sceneWindow,
                                const rb::Affine& sceneTransform, const rb::Crs& sceneCrs,
                                int maxSide) {
    OverlayFrame frame(sceneWindow, sceneTransform, maxSide);
    const QImage src = image.convertToFormat(QImage::Format_ARGB32);
    const rb::CrsTransformer toDst(sceneCrs, dst.crs);
    const rb::Affine toDstPixel = dst.transform.inverse();
    const int w = frame.image.width();
    std::vector<double> xs(static_cast<std::size_t>(w)), ys(static_cast<std::size_t>(w));
    for (int y = 0; y < frame.image.height(); ++y) {
        const double row = double(sceneWindow.row_off) + (y + 0.5) / frame.scale;
        for (int x = 0; x < w; ++x) {
            const double col = double(sceneWindow.col_off) + (x + 0.5) / frame.scale;
            const auto [mx, my] = sceneTransform.apply(col, row);
            xs[std::size_t(x)] = mx;
            ys[std::size_t(x)] = my;
        }
        toDst.transform(xs, ys);
        auto* line = reinterpret_cast<QRgb*>(frame.image.scanLine(y));
        for (int x = 0; x < w; ++x) {
            if (!std::isfinite(xs[std::size_t(x)]) || !std::isfinite(ys[std::size_t(x)]))
                continue;
            const auto [c, r] = toDstPixel.apply(xs[std::size_t(x)], ys[std::size_t(x)]);
            const double pc = std::floor(c) - double(dstWindow.col_off);
            const double pr = std::floor(r) - double(dstWindow.row_off);
            if (pc < 0 || pr < 0 || pc >= src.width() || pr >= src.height())
                continue;
            line[x] = qPremultiply(src.pixel(int(pc), int(pr)));
        }
    }
    return frame;
}

} // namespace rb::ui
