#pragma once
// Tiled, multi-resolution rendering of one scene for a map view. The view's pyramid level
// is cut into 256-pixel tiles rendered in the background and cached as QImages by
// (level, tile), so a redraw of a cached view only paints images. Under the tiles lies the
// scene's preview (coarse but whole), so any area shows data at once and is refined as its
// tiles arrive. A display change keeps the old tiles as stand-ins until the new ones come;
// the pyramid's in-memory levels are built in the background (cancellable) on first use.
// Built levels count against one memory budget shared by every renderer (sharedBudget());
// a scene whose levels were evicted is rebuilt when it is viewed again.
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPainter>
#include <QRectF>
#include <QSet>
#include <QSize>

#include <memory>
#include <vector>

#include "JobLane.h"
#include "SceneLayer.h"
#include "ViewTransform.h"

namespace rb::ui {

class TileRenderer : public QObject {
    Q_OBJECT
public:
    static constexpr int kTileSize = 256;
    static constexpr int kMaxCachedTiles = 480;

    explicit TileRenderer(QObject* parent = nullptr);
    ~TileRenderer() override;

    /// A new scene (cache cleared) or a new display of the same scene (same pyramid:
    /// cached tiles stay as stand-ins until re-rendered).
    void setScene(std::shared_ptr<const SceneData> scene);

    /// What a viewport needs: its view, widget size and device pixel ratio.
    struct Viewport {
        ViewTransform view;
        QSize size;
        double dpr = 1.0;
    };
    /// Paints what is available for `vp` (preview, then cached tiles).
    void paint(QPainter& painter, const Viewport& vp) const;
    /// What paint(vp) would draw, by image identity (the preview's and each drawn tile's
    /// QImage::cacheKey, with the tile's place): an equal list for the same view means the
    /// same pixels. Marks those tiles used, as paint() does.
    std::vector<quint64> paintedImages(const Viewport& vp) const;
    /// Starts renders of the missing tiles of `vp`; requests for tiles no longer visible are
    /// dropped before they run (the newest request wins).
    void request(const Viewport& vp);
    /// True when everything `vp` shows is rendered at its final resolution for the current
    /// display (nothing pending).
    bool isComplete(const Viewport& vp) const;
    /// Pyramid level used for `vp`.
    int levelFor(const Viewport& vp) const;
    /// The level whose samples are on screen: levelFor(vp), or the exact preview's level
    /// when that preview already covers the view (no tiles needed).
    int drawnLevel(const Viewport& vp) const;
    /// The rendered pixels of `vp`'s visible scene window at its level (tests, exports):
    /// `rect` gets the window in file pixels.
    QImage compose(const Viewport& vp, QRectF* rect) const;
    /// Number of tiles in the cache (tests).
    int cachedTileCount() const { return int(tiles_.size()); }
    /// True while the scene's pyramid is being built in the background.
    bool isBuilding() const { return buildPending_; }

    /// Pyramid builds show progress there and can be cancelled from there (null: not shown).
    void setJobMonitor(JobMonitor* monitor) { buildLane_.setMonitor(monitor); }
    /// The memory budget every renderer's built pyramid levels share (512 MB): memory is the
    /// process's, so the budget is too. Tests may lower its limit.
    static rb::PyramidBudget& sharedBudget();

signals:
    void updated();
    void failed(const QString& message);

private:
    struct Tile {
        QImage image;
        quint64 version = 0;
        mutable quint64 lastUsed = 0;
    };
    struct TileId {
        int level, tx, ty;
    };
    static quint64 key(int level, int tx, int ty) {
        return (quint64(level) << 48) | (quint64(ty) << 24) | quint64(tx);
    }
    /// Tiles of the level `vp` needs (empty when the preview alone is final there).
    QVector<TileId> visibleTiles(const Viewport& vp, int level) const;
    bool tilesNeeded(int level) const;
    QRectF tileFileRect(int level, int tx, int ty) const;
    void renderPreview();
    void startBuild();
    void evict();

    std::shared_ptr<const SceneData> scene_;
    quint64 version_ = 0;
    QHash<quint64, Tile> tiles_;
    mutable quint64 useClock_ = 0;
    /// Tiles being rendered for the current version: key -> job.
    QHash<quint64, quint64> pending_;
    std::shared_ptr<const rb::PyramidPreview> previewData_;
    QImage preview_;
    quint64 previewVersion_ = 0;
    bool previewPending_ = false;
    bool buildPending_ = false;
    QString lastError_;

    /// True when the user cancelled this scene's build: not restarted until a new scene.
    bool buildCancelled_ = false;
    // Declared last, so they are destroyed (and wait for their workers) first.
    /// The preview render: the newest display wins.
    JobLane previewLane_{QStringLiteral("preview render")};
    /// Tile renders, side by side on two workers (two cores); a tile scrolled out of view
    /// is cancelled (dropped before it runs).
    JobLane tileLane_{QStringLiteral("tile render")};
    /// The pyramid build, on its own worker so tiles never wait behind it; shown in the
    /// job monitor.
    JobLane buildLane_{QStringLiteral("display levels")};
};

} // namespace rb::ui
