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

namespace rb::detail {

/// Copies the bytes of `from` into `to` (created or truncated). On failure throws IoError
/// "cannot write 'TARGET': REASON" with the system's words for the failing read or write
/// ("No space left on device"): `target` is the name the user knows, when `to` is a
/// temporary file beside it. A partly written `to` is left for the caller to remove.
void copy_file_contents(const std::string& from, const std::string& to, const std::string& target);

} // namespace rb::detail
