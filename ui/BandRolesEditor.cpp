#include "BandRolesEditor.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QStringList>
#include <QToolButton>
#include <QVBoxLayout>

namespace rb::ui {

BandRolesEditor::BandRolesEditor(QWidget* parent)
    : QWidget(parent), summary_(new QLabel), fromFile_(new QToolButton), grid_(new QWidget) {
    auto* box = new QVBoxLayout(this);
    box->setContentsMargins(0, 0, 0, 0);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setToolTip(tr("Band roles of the first scene as the score resolves them: band "
                            "descriptions through the sensor's band table first, positions "
                            "only when nothing names the bands; choose a band per role below "
                            "(written to the 'roles' parameter, e.g. cirrus=none)"));
    box->addWidget(summary_);
    auto* grid = new QGridLayout(grid_);
    grid->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < rb::kBandRoleCount; ++i) {
        const auto r = rb::BandRole(i);
        auto* combo = new QComboBox;
        combo->setObjectName(
            QStringLiteral("role_") +
            QString::fromUtf8(rb::role_name(r).data(), int(rb::role_name(r).size())));
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(6);
        combos_[std::size_t(i)] = combo;
        // Two roles a row: three did not fit the Score dock at 1366 pixels wide.
        const int row = i / 2, col = (i % 2) * 2;
        grid->addWidget(
            new QLabel(QString::fromUtf8(rb::role_name(r).data(), int(rb::role_name(r).size()))),
            row, col);
        grid->addWidget(combo, row, col + 1);
        connect(combo, &QComboBox::activated, this, [this, r] { onCombo(r); });
    }
    fromFile_->setText(tr("From file"));
    fromFile_->setToolTip(tr("Forget the roles chosen here: the band descriptions (or the "
                             "layout) decide again"));
    grid->addWidget(fromFile_, (rb::kBandRoleCount + 1) / 2, 0, 1, 2);
    connect(fromFile_, &QToolButton::clicked, this, [this] {
        param_.clear();
        emit rolesEdited(param_);
    });
    box->addWidget(grid_);
    grid_->setEnabled(false);
}

void BandRolesEditor::setRoles(const rb::BandLayout& layout, const rb::BandRoles* roles,
                               const QString& rolesParam, const QString& why) {
    param_ = rolesParam;
    fromFile_->setEnabled(!param_.isEmpty());
    if (!roles) {
        summary_->setText(why);
    } else {
        QString text = QString::fromStdString(roles->explain(layout));
        for (const auto& w : roles->warnings())
            text += QStringLiteral("\n") + tr("warning: %1").arg(QString::fromStdString(w));
        summary_->setText(text);
    }
    grid_->setEnabled(roles != nullptr && layout.count > 0);
    if (layout.count != bandCount_) {
        bandCount_ = layout.count;
        for (auto* combo : combos_) {
            const QSignalBlocker block(combo);
            combo->clear();
            combo->addItem(tr("none"), -1);
            for (int b = 0; b < layout.count; ++b) {
                QString t = QString::number(b + 1);
                if (std::size_t(b) < layout.descriptions.size() &&
                    !layout.descriptions[std::size_t(b)].empty())
                    t += QStringLiteral(" (%1)").arg(
                        QString::fromStdString(layout.descriptions[std::size_t(b)]));
                combo->addItem(t, b);
            }
        }
    }
    for (int i = 0; i < rb::kBandRoleCount; ++i) {
        auto* combo = combos_[std::size_t(i)];
        const QSignalBlocker block(combo);
        const int b = roles ? (*roles)[rb::BandRole(i)] : -1;
        combo->setCurrentIndex(std::max(0, combo->findData(b)));
    }
}

QString BandRolesEditor::withRole(const QString& param, rb::BandRole r, int band0) {
    const QString name = QString::fromUtf8(rb::role_name(r).data(), int(rb::role_name(r).size()));
    QStringList kept;
    for (const QString& item : param.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString key = item.section(QLatin1Char('='), 0, 0).trimmed();
        const auto parsed = rb::parse_role(key.toStdString());
        if (!parsed || *parsed != r)
            kept << item.trimmed();
    }
    kept << name + QLatin1Char('=') +
                (band0 < 0 ? QStringLiteral("none") : QString::number(band0 + 1));
    return kept.join(QLatin1Char(','));
}

void BandRolesEditor::onCombo(rb::BandRole r) {
    const int b = combos_[std::size_t(r)]->currentData().toInt();
    param_ = withRole(param_, r, b);
    emit rolesEdited(param_);
}

} // namespace rb::ui
