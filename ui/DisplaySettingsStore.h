#pragma once
// Per-file display settings (bands, colour map, stretch, gamma, statistics mode) saved in
// QSettings, so a file opens the way it was last looked at.
#include <QString>

#include <optional>
#include <utility>

#include "rasterbench/display.h"

namespace rb::ui {

class DisplaySettingsStore {
public:
    static void save(const QString& path, const rb::DisplaySettings& display, bool fastSample);
    /// Saved settings whose bands exist in a file of `bandCount` bands; nullopt otherwise.
    static std::optional<std::pair<rb::DisplaySettings, bool>> load(const QString& path,
                                                                    int bandCount);
};

} // namespace rb::ui
