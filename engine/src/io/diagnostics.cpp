#include "rasterbench/diagnostics.h"

#include <cpl_error.h>
#include <memory>
#include <mutex>

#include "gdal_util.h"

namespace rb {

namespace {

// Both live until the process ends (never destroyed): GDAL may still report while static
// objects are being destroyed at exit.
std::mutex& sink_mutex() {
    static auto* m = new std::mutex;
    return *m;
}

// Shared so a message being delivered keeps its sink alive while another thread replaces it.
std::shared_ptr<const MessageSink>& sink_slot() {
    static auto* s = new std::shared_ptr<const MessageSink>;
    return *s;
}

void deliver(MessageKind kind, const std::string& message) {
    std::shared_ptr<const MessageSink> s;
    {
        std::lock_guard lock(sink_mutex());
        s = sink_slot();
    }
    if (s && *s)
        (*s)(kind, message);
}

} // namespace

void set_message_sink(MessageSink sink) {
    detail::ensure_gdal(); // installs the default GDAL handler that forwards here
    std::lock_guard lock(sink_mutex());
    sink_slot() = std::make_shared<const MessageSink>(std::move(sink));
}

void warn(const std::string& message) {
    deliver(MessageKind::Warning, message);
}

void library_message(const std::string& message) {
    deliver(MessageKind::Library, message);
}

namespace detail {

void forward_gdal_message(int error_class, const char* message) {
    if (error_class == CE_Debug || error_class == CE_None)
        return;
    std::string text = message ? message : "";
    for (char& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    library_message(text);
}

} // namespace detail

} // namespace rb
