#include "SessionFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QSaveFile>

#include <algorithm>

namespace rb::ui {

namespace {

const QString kFormat = QStringLiteral("rasterbench-session");

QJsonObject displayToJson(const rb::DisplaySettings& d, bool fast) {
    QJsonArray bands, manual;
    for (int b : d.bands)
        bands << b;
    for (const auto& r : d.stretch_options.manual)
        manual << QJsonArray{r.lo, r.hi};
    return QJsonObject{{"bands", bands},
                       {"colormap", int(d.colormap)},
                       {"stretch_mode", int(d.stretch_options.mode)},
                       {"low_percent", d.stretch_options.low_percent},
                       {"high_percent", d.stretch_options.high_percent},
                       {"stddev_k", d.stretch_options.stddev_k},
                       {"manual", manual},
                       {"gamma", d.gamma},
                       {"fast_statistics", fast}};
}

rb::DisplaySettings displayFromJson(const QJsonObject& o, bool& fast) {
    rb::DisplaySettings d;
    for (const auto& v : o.value("bands").toArray())
        d.bands.push_back(v.toInt());
    d.colormap = rb::Colormap(std::clamp(o.value("colormap").toInt(), 0, 4));
    d.stretch_options.mode = rb::StretchMode(std::clamp(o.value("stretch_mode").toInt(), 0, 3));
    d.stretch_options.low_percent = o.value("low_percent").toDouble(2.0);
    d.stretch_options.high_percent = o.value("high_percent").toDouble(98.0);
    d.stretch_options.stddev_k = o.value("stddev_k").toDouble(2.0);
    for (const auto& v : o.value("manual").toArray()) {
        const QJsonArray r = v.toArray();
        d.stretch_options.manual.push_back({r.at(0).toDouble(), r.at(1).toDouble()});
    }
    d.gamma = o.value("gamma").toDouble(1.0);
    fast = o.value("fast_statistics").toBool();
    return d;
}

} // namespace

QString writeSession(const Session& s, const QString& path) {
    QJsonArray scenes, overlays;
    for (const SessionScene& sc : s.scenes) {
        QJsonObject o{{"path", sc.path}, {"visible", sc.visible}};
        if (sc.display)
            o.insert("display", displayToJson(*sc.display, sc.fastSample));
        scenes << o;
    }
    for (const SessionOverlay& ov : s.overlays)
        overlays << QJsonObject{{"id", ov.id}, {"visible", ov.visible}, {"opacity", ov.opacity}};
    QJsonObject root{{"format", kFormat},        {"version", Session::kVersion},
                     {"scenes", scenes},         {"current", s.current},
                     {"workspace", s.workspace}, {"overlays", overlays}};
    if (!s.panels.isEmpty())
        root.insert("panels", QJsonDocument::fromJson(s.panels.toUtf8()).object());
    if (!s.debandParams.isEmpty()) {
        QJsonObject deband;
        for (auto it = s.debandParams.begin(); it != s.debandParams.end(); ++it)
            deband.insert(it.key(), it.value());
        root.insert("deband_params", deband);
    }
    if (s.scale)
        root.insert(
            "view",
            QJsonObject{{"scale", *s.scale},
                        {"offset", QJsonArray{s.offset.x(), s.offset.y()}},
                        {"canvas", QJsonArray{s.canvasSize.width(), s.canvasSize.height()}},
                        {"pixels", QJsonArray{s.visiblePixels.x(), s.visiblePixels.y(),
                                              s.visiblePixels.width(), s.visiblePixels.height()}}});
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("%1: cannot write the session (%2)").arg(path, file.errorString());
    file.write(QJsonDocument(root).toJson());
    if (!file.commit())
        return QObject::tr("%1: cannot write the session (%2)").arg(path, file.errorString());
    return {};
}

std::optional<Session> readSession(const QString& path, QString& error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = QObject::tr("%1: cannot read the session (%2)").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (!doc.isObject()) {
        error = QObject::tr("%1: not a session file (%2)").arg(path, parse.errorString());
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    if (root.value("format").toString() != kFormat) {
        error =
            QObject::tr("%1: not a Rasterbench session (no \"format\": \"%2\")").arg(path, kFormat);
        return std::nullopt;
    }
    const int version = root.value("version").toInt();
    if (version < 1 || version > Session::kVersion) {
        error = QObject::tr("%1: session version %2; this workbench reads version %3")
                    .arg(path)
                    .arg(version)
                    .arg(Session::kVersion);
        return std::nullopt;
    }
    Session s;
    for (const auto& v : root.value("scenes").toArray()) {
        const QJsonObject o = v.toObject();
        SessionScene sc;
        sc.path = o.value("path").toString();
        if (sc.path.isEmpty())
            continue;
        sc.visible = o.value("visible").toBool(true);
        if (o.contains("display"))
            sc.display = displayFromJson(o.value("display").toObject(), sc.fastSample);
        s.scenes << sc;
    }
    s.current = root.value("current").toInt(-1);
    s.workspace = root.value("workspace").toString();
    if (root.contains("view")) {
        const QJsonObject v = root.value("view").toObject();
        s.scale = v.value("scale").toDouble();
        const QJsonArray off = v.value("offset").toArray(), c = v.value("canvas").toArray(),
                         px = v.value("pixels").toArray();
        s.offset = {off.at(0).toDouble(), off.at(1).toDouble()};
        s.canvasSize = {c.at(0).toInt(), c.at(1).toInt()};
        s.visiblePixels = {px.at(0).toDouble(), px.at(1).toDouble(), px.at(2).toDouble(),
                           px.at(3).toDouble()};
    }
    for (const auto& v : root.value("overlays").toArray()) {
        const QJsonObject o = v.toObject();
        s.overlays << SessionOverlay{o.value("id").toString(), o.value("visible").toBool(true),
                                     o.value("opacity").toDouble(1.0)};
    }
    if (root.value("panels").isObject())
        s.panels = QString::fromUtf8(
            QJsonDocument(root.value("panels").toObject()).toJson(QJsonDocument::Compact));
    const QJsonObject deband = root.value("deband_params").toObject();
    for (auto it = deband.begin(); it != deband.end(); ++it)
        s.debandParams.insert(it.key(), it.value().toString());
    return s;
}

} // namespace rb::ui
