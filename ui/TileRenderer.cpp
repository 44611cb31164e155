#include "TileRenderer.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#include "SceneRender.h"
#include "rasterbench/display.h"
#include "rasterbench/error.h"

namespace rb::ui {

namespace {

std::vector<int> allBands(const rb::Profile& p) {
    std::vector<int> bands(std::size_t(p.count));
    std::iota(bands.begin(), bands.end(), 1);
    return bands;
}

} // namespace

rb::PyramidBudget& TileRenderer::sharedBudget() {
    static rb::PyramidBudget budget(std::size_t(512) << 20);
    return budget;
}

TileRenderer::TileRenderer(QObject* parent) : QObject(parent) {
    tileLane_.setPolicy(JobLane::Policy::Independent);
    tileLane_.setMaxThreads(2);
}

TileRenderer::~TileRenderer() = default;

void TileRenderer::setScene(std::shared_ptr<const SceneData> scene) {
    const bool samePyramid = scene && scene_ && scene->pyramid == scene_->pyramid;
    scene_ = std::move(scene);
    ++version_;
    // Renders of the older display are not wanted any more.
    tileLane_.discard();
    previewLane_.discard();
    pending_.clear();
    previewPending_ = false;
    lastError_.clear();
    if (!samePyramid) {
        tiles_.clear();
        preview_ = QImage();
        buildLane_.discard();
        buildPending_ = false;
        buildCancelled_ = false;
        previewData_ = scene_ ? scene_->preview : nullptr;
        if (scene_ && !scene_->pyramid->built())
            startBuild();
    }
    if (scene_)
        renderPreview();
}

void TileRenderer::renderPreview() {
    if (!scene_ || !previewData_)
        return;
    previewPending_ = true;
    const quint64 version = version_;
    previewLane_.run(
        [scene = scene_, data = previewData_](JobContext&) {
            return toQImage(
                rb::render_display(data->data, allBands(scene->profile), scene->display));
        },
        [this, version](QImage image) {
            previewPending_ = false;
            previewVersion_ = version;
            preview_ = std::move(image);
            emit updated();
        },
        [this, version](const QString& error) {
            previewPending_ = false;
            previewVersion_ = version;
            emit failed(error);
        });
}

void TileRenderer::startBuild() {
    buildPending_ = true;
    auto pyramid = scene_->pyramid;
    JobOptions options;
    options.label = tr("Building display levels of %1")
                        .arg(QString::fromStdString(pyramid->path()).section(QLatin1Char('/'), -1));
    // A build of a scene switched away from ends as Superseded and changes nothing here.
    options.ended = [this](quint64, JobOutcome outcome) {
        if (outcome != JobOutcome::Cancelled)
            return;
        // The user stopped it: the view keeps the preview and per-window reads, and no
        // rebuild starts behind their back.
        buildPending_ = false;
        buildCancelled_ = true;
        emit updated();
    };
    buildLane_.run(
        options,
        [pyramid](JobContext& ctx) {
            pyramid->build(rb::Progress(ctx.progressFn()));
            return std::make_shared<const rb::PyramidPreview>(pyramid->preview());
        },
        [this, pyramid](std::shared_ptr<const rb::PyramidPreview> preview) {
            buildPending_ = false;
            // Counted against the shared budget; older scenes' levels may be evicted.
            sharedBudget().touch(pyramid);
            if (preview && preview->exact) {
                previewData_ = std::move(preview); // exact now: the coarse levels need no tiles
                renderPreview();
            }
            emit updated();
        },
        [this](const QString& error) {
            buildPending_ = false;
            emit failed(error);
        });
}

int TileRenderer::levelFor(const Viewport& vp) const {
    if (!scene_)
        return 0;
    return scene_->pyramid->level_for_scale(vp.view.scale() * vp.dpr);
}

int TileRenderer::drawnLevel(const Viewport& vp) const {
    const int level = levelFor(vp);
    return tilesNeeded(level) || !previewData_ ? level : previewData_->level;
}

bool TileRenderer::tilesNeeded(int level) const {
    if (!scene_ || !previewData_)
        return false;
    return !(level >= previewData_->level && previewData_->exact);
}

QRectF TileRenderer::tileFileRect(int level, int tx, int ty) const {
    const auto& p = *scene_->pyramid;
    const double rx = double(p.profile().width) / p.level_width(level);
    const double ry = double(p.profile().height) / p.level_height(level);
    const int x0 = tx * kTileSize, y0 = ty * kTileSize;
    const int x1 = std::min(p.level_width(level), x0 + kTileSize);
    const int y1 = std::min(p.level_height(level), y0 + kTileSize);
    return QRectF(x0 * rx, y0 * ry, (x1 - x0) * rx, (y1 - y0) * ry);
}

QVector<TileRenderer::TileId> TileRenderer::visibleTiles(const Viewport& vp, int level) const {
    QVector<TileId> out;
    if (!scene_)
        return out;
    const auto& p = *scene_->pyramid;
    const QRectF px = vp.view.toPixel(QRectF(QPointF(0, 0), QSizeF(vp.size)))
                          .intersected(QRectF(0, 0, p.profile().width, p.profile().height));
    if (px.isEmpty())
        return out;
    const double rx = double(p.profile().width) / p.level_width(level);
    const double ry = double(p.profile().height) / p.level_height(level);
    const int lx0 = std::clamp(int(std::floor(px.left() / rx)), 0, p.level_width(level) - 1);
    const int ly0 = std::clamp(int(std::floor(px.top() / ry)), 0, p.level_height(level) - 1);
    const int lx1 = std::clamp(int(std::ceil(px.right() / rx)), lx0 + 1, p.level_width(level));
    const int ly1 = std::clamp(int(std::ceil(px.bottom() / ry)), ly0 + 1, p.level_height(level));
    for (int ty = ly0 / kTileSize; ty <= (ly1 - 1) / kTileSize; ++ty)
        for (int tx = lx0 / kTileSize; tx <= (lx1 - 1) / kTileSize; ++tx)
            out.push_back({level, tx, ty});
    // Centre first: that is where the eye is.
    const QPointF c((lx0 + lx1) / 2.0 / kTileSize, (ly0 + ly1) / 2.0 / kTileSize);
    std::sort(out.begin(), out.end(), [c](const TileId& a, const TileId& b) {
        const double da = std::hypot(a.tx + 0.5 - c.x(), a.ty + 0.5 - c.y());
        const double db = std::hypot(b.tx + 0.5 - c.x(), b.ty + 0.5 - c.y());
        return da < db;
    });
    return out;
}

void TileRenderer::request(const Viewport& vp) {
    if (!scene_)
        return;
    if (scene_->pyramid->built())
        sharedBudget().touch(scene_->pyramid); // viewed now: least likely to be evicted
    else if (!buildPending_ && !buildCancelled_ && !scene_->pyramid->uses_overviews())
        startBuild(); // evicted by the budget (or never built): rebuilt on demand
    const int level = levelFor(vp);
    QVector<TileId> tiles;
    if (tilesNeeded(level) && scene_->pyramid->is_cheap(level))
        tiles = visibleTiles(vp, level);
    QSet<quint64> keys;
    for (const TileId& t : tiles)
        keys.insert(key(t.level, t.tx, t.ty));
    // Tiles scrolled out of view are not rendered (or not delivered) any more.
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (keys.contains(it.key())) {
            ++it;
            continue;
        }
        tileLane_.discard(it.value());
        it = pending_.erase(it);
    }
    for (const TileId& t : tiles) {
        const quint64 k = key(t.level, t.tx, t.ty);
        const auto it = tiles_.constFind(k);
        if ((it != tiles_.constEnd() && it->version == version_) || pending_.contains(k))
            continue;
        const quint64 version = version_;
        pending_.insert(k, tileLane_.run(
                               [scene = scene_, t](JobContext&) {
                                   const rb::Raster data = scene->pyramid->read(
                                       t.level, rb::Window{std::int64_t(t.tx) * kTileSize,
                                                           std::int64_t(t.ty) * kTileSize,
                                                           kTileSize, kTileSize});
                                   return toQImage(rb::render_display(
                                       data, allBands(scene->profile), scene->display));
                               },
                               [this, k, version](QImage image) {
                                   pending_.remove(k);
                                   Tile& tile = tiles_[k];
                                   tile.image = std::move(image);
                                   tile.version = version;
                                   tile.lastUsed = ++useClock_;
                                   evict();
                                   emit updated();
                               },
                               [this, k](const QString& error) {
                                   pending_.remove(k);
                                   if (error != lastError_) {
                                       lastError_ = error;
                                       emit failed(error);
                                   }
                               }));
    }
}

void TileRenderer::evict() {
    if (tiles_.size() <= kMaxCachedTiles)
        return;
    QVector<QPair<quint64, quint64>> order; // (lastUsed, key)
    for (auto it = tiles_.constBegin(); it != tiles_.constEnd(); ++it)
        order.push_back({it->lastUsed, it.key()});
    std::sort(order.begin(), order.end());
    for (int i = 0; i < order.size() - kMaxCachedTiles * 3 / 4; ++i)
        tiles_.remove(order[i].second);
}

void TileRenderer::paint(QPainter& p, const Viewport& vp) const {
    if (!scene_)
        return;
    const QRectF sceneRect =
        vp.view.toWidget(QRectF(0, 0, scene_->profile.width, scene_->profile.height));
    if (!preview_.isNull()) {
        // Nearest neighbour even when shrinking: every colour shown is a real sample's.
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(sceneRect, preview_);
    }
    const int level = levelFor(vp);
    if (!tilesNeeded(level))
        return;
    for (const TileId& t : visibleTiles(vp, level)) {
        const auto it = tiles_.constFind(key(t.level, t.tx, t.ty));
        if (it == tiles_.constEnd())
            continue; // the preview below stands in until it arrives
        it->lastUsed = ++useClock_;
        // The exact (fractional) place: the painter samples each screen pixel's centre, so
        // the colour under the cursor is the level pixel under it; neighbouring tiles share
        // their edge exactly, so no seam opens.
        p.drawImage(vp.view.toWidget(tileFileRect(t.level, t.tx, t.ty)), it->image);
    }
}

std::vector<quint64> TileRenderer::paintedImages(const Viewport& vp) const {
    std::vector<quint64> drawn;
    if (!scene_)
        return drawn;
    drawn.push_back(preview_.isNull() ? 0 : preview_.cacheKey());
    const int level = levelFor(vp);
    if (!tilesNeeded(level))
        return drawn;
    for (const TileId& t : visibleTiles(vp, level)) {
        const auto it = tiles_.constFind(key(t.level, t.tx, t.ty));
        if (it == tiles_.constEnd())
            continue;
        it->lastUsed = ++useClock_;
        drawn.push_back(key(t.level, t.tx, t.ty));
        drawn.push_back(it->image.cacheKey());
    }
    return drawn;
}

bool TileRenderer::isComplete(const Viewport& vp) const {
    if (!scene_ || previewPending_ || previewVersion_ != version_)
        return false;
    const int level = levelFor(vp);
    if (!tilesNeeded(level))
        return true;
    for (const TileId& t : visibleTiles(vp, level)) {
        const auto it = tiles_.constFind(key(t.level, t.tx, t.ty));
        if (it == tiles_.constEnd() || it->version != version_)
            return false;
    }
    return true;
}

QImage TileRenderer::compose(const Viewport& vp, QRectF* rect) const {
    if (!scene_)
        return {};
    const auto& p = *scene_->pyramid;
    int level = levelFor(vp);
    if (!tilesNeeded(level))
        level = previewData_->level;
    const QVector<TileId> tiles = visibleTiles(vp, level);
    if (tiles.isEmpty())
        return {};
    const QRectF px = vp.view.toPixel(QRectF(QPointF(0, 0), QSizeF(vp.size)))
                          .intersected(QRectF(0, 0, p.profile().width, p.profile().height));
    const double rx = double(p.profile().width) / p.level_width(level);
    const double ry = double(p.profile().height) / p.level_height(level);
    const int lx0 = int(std::floor(px.left() / rx)), ly0 = int(std::floor(px.top() / ry));
    const int lx1 = std::clamp(int(std::ceil(px.right() / rx)), lx0 + 1, p.level_width(level));
    const int ly1 = std::clamp(int(std::ceil(px.bottom() / ry)), ly0 + 1, p.level_height(level));
    QImage out(lx1 - lx0, ly1 - ly0, QImage::Format_ARGB32);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    painter.setCompositionMode(QPainter::CompositionMode_Source);
    if (level == previewData_->level && !preview_.isNull())
        painter.drawImage(QPoint(-lx0, -ly0), preview_);
    else
        for (const TileId& t : tiles) {
            const auto it = tiles_.constFind(key(t.level, t.tx, t.ty));
            if (it != tiles_.constEnd())
                painter.drawImage(QPoint(t.tx * kTileSize - lx0, t.ty * kTileSize - ly0),
                                  it->image);
        }
    painter.end();
    if (rect)
        *rect = QRectF(lx0 * rx, ly0 * ry, (lx1 - lx0) * rx, (ly1 - ly0) * ry);
    return out;
}

} // namespace rb::ui
