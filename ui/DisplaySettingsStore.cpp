#include "DisplaySettingsStore.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QSettings>
#include <QVariantList>

#include <algorithm>

namespace rb::ui {

namespace {

// Paths contain characters QSettings keys do not keep: key by a hash of the path.
QString group(const QString& path) {
    const QByteArray hash = QCryptographicHash::hash(QFileInfo(path).absoluteFilePath().toUtf8(),
                                                     QCryptographicHash::Sha1);
    return QStringLiteral("display/") + QString::fromLatin1(hash.toHex());
}

} // namespace

void DisplaySettingsStore::save(const QString& path, const rb::DisplaySettings& d,
                                bool fastSample) {
    QSettings s;
    s.beginGroup(group(path));
    QVariantList bands, manual;
    for (int b : d.bands)
        bands << b;
    for (const auto& r : d.stretch_options.manual)
        manual << r.lo << r.hi;
    s.setValue(QStringLiteral("path"), QFileInfo(path).absoluteFilePath());
    s.setValue(QStringLiteral("bands"), bands);
    s.setValue(QStringLiteral("colormap"), int(d.colormap));
    s.setValue(QStringLiteral("mode"), int(d.stretch_options.mode));
    s.setValue(QStringLiteral("low"), d.stretch_options.low_percent);
    s.setValue(QStringLiteral("high"), d.stretch_options.high_percent);
    s.setValue(QStringLiteral("k"), d.stretch_options.stddev_k);
    s.setValue(QStringLiteral("manual"), manual);
    s.setValue(QStringLiteral("gamma"), d.gamma);
    s.setValue(QStringLiteral("fast"), fastSample);
    s.endGroup();
}

std::optional<std::pair<rb::DisplaySettings, bool>> DisplaySettingsStore::load(const QString& path,
                                                                               int bandCount) {
    QSettings s;
    s.beginGroup(group(path));
    if (!s.contains(QStringLiteral("bands")))
        return std::nullopt;
    rb::DisplaySettings d;
    for (const QVariant& v : s.value(QStringLiteral("bands")).toList()) {
        const int b = v.toInt();
        if (b < 1 || b > bandCount)
            return std::nullopt; // the file changed since: start afresh
        d.bands.push_back(b);
    }
    if (d.bands.size() != 1 && d.bands.size() != 3)
        return std::nullopt;
    d.colormap = rb::Colormap(std::clamp(s.value(QStringLiteral("colormap")).toInt(), 0, 4));
    d.stretch_options.mode =
        rb::StretchMode(std::clamp(s.value(QStringLiteral("mode")).toInt(), 0, 3));
    d.stretch_options.low_percent = s.value(QStringLiteral("low"), 2.0).toDouble();
    d.stretch_options.high_percent = s.value(QStringLiteral("high"), 98.0).toDouble();
    d.stretch_options.stddev_k = s.value(QStringLiteral("k"), 2.0).toDouble();
    const QVariantList manual = s.value(QStringLiteral("manual")).toList();
    for (int i = 0; i + 1 < manual.size(); i += 2)
        d.stretch_options.manual.push_back({manual[i].toDouble(), manual[i + 1].toDouble()});
    d.gamma = s.value(QStringLiteral("gamma"), 1.0).toDouble();
    return std::make_pair(d, s.value(QStringLiteral("fast"), false).toBool());
}

} // namespace rb::ui
