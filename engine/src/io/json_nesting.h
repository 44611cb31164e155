#pragma once
// Internal: how deeply JSON text nests, checked before it is parsed.
#include <cstddef>
#include <string>
#include <string_view>

#include "rasterbench/error.h"

namespace rb::detail {

/// More than any file the engine reads needs (a recipe nests about six levels).
inline constexpr std::size_t kMaxJsonNesting = 256;

/// The deepest nesting of objects and arrays in `text`, strings skipped. Parsing is
/// iterative, but walking, printing or copying the parsed value recurses once a level: a file
/// of 100,000 nested objects overflowed the stack (a crash, where an error belongs).
inline std::size_t json_nesting(std::string_view text) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

/// ArgumentError naming `source` when `text` nests deeper than kMaxJsonNesting.
inline void check_json_nesting(std::string_view text, const std::string& source) {
    if (const std::size_t n = json_nesting(text); n > kMaxJsonNesting)
        throw ArgumentError(source + ": JSON nested " + std::to_string(n) +
                            " levels deep, more than the " + std::to_string(kMaxJsonNesting) +
                            " any file of its kind needs");
}

} // namespace rb::detail
