#include "OutputCheck.h"

#include "rasterbench/error.h"

namespace rb::ui {

QString outputConflict(const QString& output, const std::vector<rb::FileRole>& inputs) {
    try {
        rb::check_outputs_distinct(inputs, {{"output", output.toStdString()}});
        return {};
    } catch (const rb::Error& e) {
        return QString::fromUtf8(e.what());
    }
}

std::vector<rb::FileRole> fileRoles(const QString& role, const QStringList& paths) {
    std::vector<rb::FileRole> roles;
    for (const QString& p : paths)
        if (!p.isEmpty())
            roles.push_back({role.toStdString(), p.toStdString()});
    return roles;
}

} // namespace rb::ui
