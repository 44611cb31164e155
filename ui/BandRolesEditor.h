#pragma once
// The band roles a score uses, shown and editable next to the score method: a summary line
// (each role's band, its description, where it came from, the sensor table, warnings) and,
// per role, a menu of the scene's bands. Picking a band (or "none") writes that role into
// the `roles` parameter text, keeping the other entries; "From file" clears the parameter so
// the band descriptions decide again.
#include <QWidget>

#include <array>

#include "rasterbench/bands.h"

class QComboBox;
class QLabel;
class QToolButton;

namespace rb::ui {

class BandRolesEditor : public QWidget {
    Q_OBJECT
public:
    explicit BandRolesEditor(QWidget* parent = nullptr);

    /// The summary text ("red=4 (B4) ... [Landsat 8-9 OLI/TIRS band table ...]").
    QLabel* summaryLabel() const { return summary_; }
    /// The menu of role `r`: item data is the 0-based band, -1 for none.
    QComboBox* roleCombo(rb::BandRole r) const { return combos_[std::size_t(r)]; }
    QToolButton* fromFileButton() const { return fromFile_; }

    /// Shows the roles resolved on `layout` (null: nothing resolved yet, with `why`), and
    /// remembers `rolesParam`, the `roles` parameter's current text, to edit it.
    void setRoles(const rb::BandLayout& layout, const rb::BandRoles* roles,
                  const QString& rolesParam, const QString& why = {});

    /// `param` with role `r` set to band0 + 1 (or "none" for -1), other entries kept.
    static QString withRole(const QString& param, rb::BandRole r, int band0);

signals:
    /// The user chose a band for a role: the new `roles` parameter text.
    void rolesEdited(const QString& rolesParam);

private:
    void onCombo(rb::BandRole r);

    QLabel* summary_;
    std::array<QComboBox*, rb::kBandRoleCount> combos_{};
    QToolButton* fromFile_;
    QWidget* grid_;
    QString param_;
    int bandCount_ = -1;
};

} // namespace rb::ui
