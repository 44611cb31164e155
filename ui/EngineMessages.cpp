#include "EngineMessages.h"

#include <QCoreApplication>
#include <QPointer>
#include <QRegularExpression>

#include "rasterbench/diagnostics.h"

namespace rb::ui {

QString forGui(const QString& message) {
    QString text = message;
    // "--param NAME=VALUE" (score and composite parameters): the field of that name.
    static const QRegularExpression param(QStringLiteral("--param ([a-z_]+)=(\\S*)"));
    text.replace(param, QStringLiteral("the \u201c\\1\u201d parameter field set to \\2"));
    // Other flags: the setting of that name ("--qa-from" -> "the qa from setting").
    static const QRegularExpression flag(QStringLiteral("(^|[\\s(])--([a-z][a-z-]*)"));
    QRegularExpressionMatch m;
    int from = 0;
    while ((m = flag.match(text, from)).hasMatch()) {
        const QString name = m.captured(2).replace(QLatin1Char('-'), QLatin1Char(' '));
        const QString replacement =
            m.captured(1) + QStringLiteral("the \u201c%1\u201d setting").arg(name);
        text.replace(m.capturedStart(), m.capturedLength(), replacement);
        from = int(m.capturedStart() + replacement.size());
    }
    return text;
}

EngineMessages* EngineMessages::instance() {
    static QPointer<EngineMessages> relay;
    if (!relay) {
        relay = new EngineMessages(QCoreApplication::instance());
        EngineMessages* target = relay;
        rb::set_message_sink([target](rb::MessageKind kind, const std::string& text) {
            // Any thread: queued to the relay's (GUI) thread.
            const QString q = QString::fromStdString(text);
            const bool warning = kind == rb::MessageKind::Warning;
            QMetaObject::invokeMethod(
                target, [target, q, warning] { target->receive(q, warning); },
                Qt::QueuedConnection);
        });
        QObject::connect(QCoreApplication::instance(), &QCoreApplication::aboutToQuit, relay,
                         [] { rb::set_message_sink({}); });
        QObject::connect(relay, &QObject::destroyed, [] { rb::set_message_sink({}); });
    }
    return relay;
}

EngineMessages::EngineMessages(QObject* parent) : QObject(parent) {}

void EngineMessages::receive(const QString& text, bool warning) {
    const QString worded = forGui(text);
    history_ << worded;
    if (history_.size() > 200)
        history_.removeFirst();
    emit message(worded, warning);
}

} // namespace rb::ui
