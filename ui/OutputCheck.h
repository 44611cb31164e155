#pragma once
// The GUI side of the engine's rule that an output is never one of the files it is made
// from: every save and export dialog asks this before anything is written.
#include <QString>
#include <QStringList>

#include <vector>

#include "rasterbench/output_guard.h"

namespace rb::ui {

/// An empty string when `output` is none of `inputs`, else the engine's message naming the
/// output and the input it would replace (for a status line or an error box).
QString outputConflict(const QString& output, const std::vector<rb::FileRole>& inputs);

/// `paths` with one role ("input scene", "reference", ...), for outputConflict.
std::vector<rb::FileRole> fileRoles(const QString& role, const QStringList& paths);

} // namespace rb::ui
