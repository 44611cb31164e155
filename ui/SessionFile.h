#pragma once
// A workbench session as a file (.rbsession, versioned JSON): the scenes in stack order with
// their visibility and display settings, the current scene, the view (scale and offset of
// the map, and the scene-pixel window it showed), the workspace, the overlays' layer state
// (visibility, opacity), and the panels' parameters with the deband notches (as a recipe,
// the format File > Open Recipe reads). Reading checks the format and version and names the
// file and the problem; writing is atomic (QSaveFile).
#include <QMap>
#include <QPointF>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QVector>

#include <optional>

#include "rasterbench/display.h"

namespace rb::ui {

struct SessionScene {
    QString path;
    bool visible = true;
    std::optional<rb::DisplaySettings> display;
    bool fastSample = false;
};

struct SessionOverlay {
    QString id;
    bool visible = true;
    double opacity = 1.0;
};

struct Session {
    static constexpr int kVersion = 1;
    QVector<SessionScene> scenes;
    int current = -1;
    /// The map's view transform and the canvas size it was taken at.
    std::optional<double> scale;
    QPointF offset;
    QSize canvasSize;
    /// Scene pixels visible (restores the extent when the canvas size differs).
    QRectF visiblePixels;
    QString workspace;
    QVector<SessionOverlay> overlays;
    /// The Score, Deband and Transform panels' parameters and the deband notches, as a
    /// recipe (rb::write_recipe JSON, one step per panel); empty when not saved.
    QString panels;
    /// The Deband panel's detection and output parameters by name (kept apart from the
    /// recipe: a recipe's deband step needs notches or auto-detection to be valid).
    QMap<QString, QString> debandParams;
};

/// Writes `session` to `path` atomically; an error message naming the file, or empty.
QString writeSession(const Session& session, const QString& path);
/// Reads a session file; nullopt with `error` set (naming the file) when it cannot.
std::optional<Session> readSession(const QString& path, QString& error);

} // namespace rb::ui
