#pragma once
// Small text files (recipes, notch sets) written so that a reader never sees half of one:
// the text goes to a temporary file beside the target, which is then renamed over it.
#include <string>
#include <string_view>

namespace rb::detail {

/// Writes `text` to `path` atomically. IoError "PATH: cannot write the WHAT (reason)" on
/// failure, leaving any existing file untouched and no temporary file behind.
void write_text_atomically(const std::string& path, std::string_view text, std::string_view what);

} // namespace rb::detail
