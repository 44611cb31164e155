#pragma once
// The engine's warnings and the GDAL/libtiff/PROJ messages it routes (rb::set_message_sink)
// arrive here, from any thread, and are re-emitted on the GUI thread, worded for the
// workbench (forGui), so the window can show them where the user looks instead of letting
// them vanish or reach a terminal nobody reads.
#include <QObject>
#include <QString>
#include <QStringList>

namespace rb::ui {

/// An engine message reworded for the workbench: command-line flags (`--param roles=nir=N`,
/// `--qa-from`) become the control that sets them ("the Score panel's roles field").
QString forGui(const QString& message);

class EngineMessages : public QObject {
    Q_OBJECT
public:
    /// The one relay of the process, installed as the engine's message sink on first use
    /// (owned by the application; the sink is removed when the application quits).
    static EngineMessages* instance();

    /// Every message received so far (newest last), already worded for the GUI.
    const QStringList& history() const { return history_; }

signals:
    /// `warning`: the engine's own warning; otherwise a library's message.
    void message(const QString& text, bool warning);

private:
    explicit EngineMessages(QObject* parent);
    void receive(const QString& text, bool warning);

    QStringList history_;
};

} // namespace rb::ui
