#pragma once
// Internal: nlohmann::json's exception text without its "[json.exception.type.N] " prefix,
// which names the library's error code, not the problem a user can fix.
#include <string>

namespace rb::detail {

inline std::string json_message(const std::string& what) {
    const auto close = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
        return what.substr(close + 2);
    return what;
}

} // namespace rb::detail
