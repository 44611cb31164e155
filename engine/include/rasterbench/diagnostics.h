#pragma once
// Messages that are not errors: the engine's own warnings (a property missing from some
// features, an output grid mostly outside the projection's domain) and what GDAL, libtiff
// and PROJ report below the error level. The engine never prints them; it hands them to
// one process-wide sink that the application installs (the CLI prints warnings always and
// library messages with --verbose; without a sink they are dropped).
#include <functional>
#include <string>

namespace rb {

enum class MessageKind {
    Warning, ///< ours: something about the user's input or result worth a line
    Library, ///< GDAL/libtiff/PROJ's own text (warnings, and failures we turned into errors)
};

/// Called from any thread, possibly concurrently: the sink must be thread-safe.
using MessageSink = std::function<void(MessageKind, const std::string&)>;

/// Installs the process-wide sink (an empty function drops messages). Also routes GDAL's
/// messages raised outside any engine call's capture to it, so they never reach stderr raw.
void set_message_sink(MessageSink sink);

/// Hands a warning to the sink.
void warn(const std::string& message);

/// Hands a library message to the sink.
void library_message(const std::string& message);

} // namespace rb
