#include "LinkedDisplay.h"

#include <QFileInfo>
#include <QStringList>

#include <algorithm>
#include <exception>

#include "CompareView.h"
#include "SceneLayer.h"
#include "SceneStack.h"
#include "rasterbench/bands.h"

namespace rb::ui {

namespace {

rb::BandLayout layoutOf(const SceneData& s) {
    rb::BandLayout layout;
    layout.count = s.profile.count;
    layout.dtype = s.profile.dtype;
    layout.descriptions = s.profile.descriptions;
    layout.colorinterp = s.profile.colorinterp;
    layout.label = QFileInfo(s.path).fileName().toStdString();
    return layout;
}

std::optional<rb::BandRoles> rolesOf(const SceneData& s) {
    try {
        return rb::resolve_band_roles(layoutOf(s));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

bool sameRanges(const std::vector<rb::StretchRange>& a, const std::vector<rb::StretchRange>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.lo == y.lo && x.hi == y.hi; });
}

/// The same bands and look (a row taking what linking gave it); `ranges`: the same stretch
/// ranges too, else the same stretch method (each scene deriving its own ranges).
bool sameLook(const rb::DisplaySettings& a, const rb::DisplaySettings& b, bool ranges = true) {
    if (a.bands != b.bands || a.colormap != b.colormap || a.gamma != b.gamma)
        return false;
    if (ranges)
        return sameRanges(a.stretch, b.stretch);
    const auto& x = a.stretch_options;
    const auto& y = b.stretch_options;
    return x.mode == y.mode && x.low_percent == y.low_percent && x.high_percent == y.high_percent &&
           x.stddev_k == y.stddev_k;
}

QString fileName(const SceneData& s) {
    return QFileInfo(s.path).fileName();
}

} // namespace

LinkedDisplay::LinkedDisplay(SceneStack* stack, CompareView* compare, QObject* parent)
    : QObject(parent), stack_(stack), compare_(compare) {
    connect(stack_, &SceneStack::sceneChanged, this, &LinkedDisplay::onSceneChanged);
    connect(stack_, &SceneStack::entriesChanged, this, [this] { applied_.clear(); });
    if (compare_)
        connect(compare_, &CompareView::paneSceneChanged, this, &LinkedDisplay::onPaneSceneChanged);
}

bool LinkedDisplay::sameProduct(const SceneData& a, const SceneData& b) {
    if (a.profile.count != b.profile.count || a.profile.dtype != b.profile.dtype ||
        a.profile.descriptions != b.profile.descriptions)
        return false;
    const auto ra = rolesOf(a), rb = rolesOf(b);
    return ra.has_value() == rb.has_value() && (!ra || *ra == *rb);
}

std::optional<rb::DisplaySettings> LinkedDisplay::mapDisplay(const rb::DisplaySettings& from,
                                                             const SceneData& src,
                                                             const SceneData& dst, QString* why) {
    rb::DisplaySettings d = from;
    if (sameProduct(src, dst)) {
        // Like for like: the same values look the same in both.
        d.stretch_options.mode = rb::StretchMode::Manual;
        d.stretch_options.manual = from.stretch;
        d.stretch = from.stretch;
        return d;
    }
    const auto srcRoles = rolesOf(src), dstRoles = rolesOf(dst);
    d.bands.clear();
    for (int b : from.bands) {
        std::optional<rb::BandRole> role;
        for (int r = 0; r < rb::kBandRoleCount && srcRoles && !role; ++r)
            if ((*srcRoles)[rb::BandRole(r)] == b - 1)
                role = rb::BandRole(r);
        if (!role) {
            if (why)
                *why = tr("%1: band %2 of %3 has no known role (red, nir...) to find in it")
                           .arg(fileName(dst))
                           .arg(b)
                           .arg(fileName(src));
            return std::nullopt;
        }
        if (!dstRoles || !dstRoles->has(*role)) {
            if (why)
                *why = tr("%1: no %2 band")
                           .arg(fileName(dst), QString::fromUtf8(rb::role_name(*role).data()));
            return std::nullopt;
        }
        d.bands.push_back((*dstRoles)[*role] + 1);
    }
    // Another product: the same stretch method, derived from this scene's own values.
    d.stretch.clear();
    if (d.stretch_options.mode == rb::StretchMode::Manual)
        d.stretch_options.mode = rb::StretchMode::PercentClip;
    d.stretch_options.manual.clear();
    return d;
}

QString LinkedDisplay::applyToAll(int row) {
    if (row < 0 || row >= stack_->count() || !stack_->entry(row).data)
        return tr("No scene to take the display from");
    const auto src = stack_->entry(row).data;
    int applied = 0;
    QStringList skipped;
    for (int r = 0; r < stack_->count(); ++r) {
        const auto& e = stack_->entry(r);
        if (r == row || !e.data)
            continue;
        QString why;
        if (const auto d = mapDisplay(src->display, *src, *e.data, &why)) {
            applyTo(r, *d);
            ++applied;
        } else
            skipped << why;
    }
    QString text = tr("Display of %1 applied to %n scene(s)", nullptr, applied).arg(fileName(*src));
    if (!skipped.isEmpty()) {
        text += tr("; skipped: %1").arg(skipped.join(QStringLiteral("; ")));
        emit message(text);
    }
    return text;
}

std::vector<int> LinkedDisplay::paneRows() const {
    std::vector<int> rows;
    if (!compare_)
        return rows;
    const int n = compare_->mode() == CompareView::Mode::Swipe ? 2 : compare_->paneCount();
    for (int i = 0; i < n; ++i) {
        const int r = compare_->paneScene(i);
        if (r >= 0 && r < stack_->count() && stack_->entry(r).data &&
            std::find(rows.begin(), rows.end(), r) == rows.end())
            rows.push_back(r);
    }
    return rows;
}

bool LinkedDisplay::isLinked() const {
    if (choice_)
        return *choice_;
    const std::vector<int> rows = paneRows();
    if (rows.size() < 2)
        return true; // nothing to compare yet: linked once same-product scenes are shown
    const auto& first = *stack_->entry(rows.front()).data;
    return std::all_of(rows.begin() + 1, rows.end(),
                       [&](int r) { return sameProduct(first, *stack_->entry(r).data); });
}

void LinkedDisplay::setLinked(bool on) {
    choice_ = on;
    emit linkChanged(on);
}

void LinkedDisplay::applyTo(int row, const rb::DisplaySettings& d) {
    applied_[row] = d;
    const bool was = propagating_;
    propagating_ = true;
    stack_->setDisplay(row, d);
    propagating_ = was;
    if (const auto& data = stack_->entry(row).data) // what it shows (the stretch derived)
        applied_[row] = data->display;
}

void LinkedDisplay::onPaneSceneChanged(int pane, int row) {
    if (propagating_ || !isLinked() || row < 0 || row >= stack_->count())
        return;
    const auto dst = stack_->entry(row).data;
    if (!dst)
        return;
    // The display the other panes share: the scene of the first other pane showing one.
    const int n = compare_->mode() == CompareView::Mode::Swipe ? 2 : compare_->paneCount();
    int from = -1;
    for (int i = 0; i < n && from < 0; ++i) {
        const int r = compare_->paneScene(i);
        if (i != pane && r >= 0 && r != row && r < stack_->count() && stack_->entry(r).data)
            from = r;
    }
    if (from < 0)
        return;
    const auto src = stack_->entry(from).data;
    QString why;
    if (const auto d = mapDisplay(src->display, *src, *dst, &why)) {
        const bool ranges = d->stretch_options.mode == rb::StretchMode::Manual;
        if (!sameLook(*d, dst->display, ranges))
            applyTo(row, *d);
    } else {
        emit message(tr("Display not linked: %1").arg(why));
    }
}

void LinkedDisplay::onSceneChanged(int row) {
    if (propagating_ || !compare_ || !compare_->isVisible() || !isLinked())
        return;
    const std::vector<int> rows = paneRows();
    if (std::find(rows.begin(), rows.end(), row) == rows.end())
        return;
    const auto src = stack_->entry(row).data;
    if (!src)
        return;
    // The row taking what linking gave it is no edit to pass on.
    if (const auto it = applied_.find(row); it != applied_.end()) {
        const bool ranges = it->second.stretch_options.mode == rb::StretchMode::Manual;
        if (sameLook(it->second, src->display, ranges))
            return;
        applied_.erase(it);
    }
    for (int r : rows) {
        if (r == row)
            continue;
        QString why;
        if (const auto d = mapDisplay(src->display, *src, *stack_->entry(r).data, &why)) {
            const bool ranges = d->stretch_options.mode == rb::StretchMode::Manual;
            if (!sameLook(*d, stack_->entry(r).data->display, ranges))
                applyTo(r, *d);
        } else
            emit message(tr("Display not linked: %1").arg(why));
    }
}

} // namespace rb::ui
