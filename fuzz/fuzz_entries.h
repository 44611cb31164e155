#pragma once
// The engine entry points the fuzzers drive. Each takes untrusted bytes, runs the engine code
// that reads such input in the product, and exercises what it returned. It returns true when
// the input was accepted and false when the engine rejected it with one of its own errors
// (rb::Error). Anything else escapes: another exception type, a crash, a sanitizer report or
// a broken round trip (std::logic_error) is a finding. The libFuzzer targets in this folder and
// the regression test under tests/reliability/fuzz-regressions/ call the same functions, so a
// kept crashing input replays exactly what the fuzzer ran.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rb::fuzz {

/// One-time process set-up: GDAL drivers registered, GDAL's own messages kept quiet.
void init();

bool geojson(std::string_view text);          ///< parse_geojson, then geometry queries
bool recipe(std::string_view text);           ///< parse_recipe, write_recipe round trip
bool crs(std::string_view text);              ///< Crs::from_user_input, then conversions
bool score_expression(std::string_view text); ///< expression Scorer on a small stack
bool notches(std::string_view text);          ///< notch JSON, round trip, masks
/// The bytes as a file in GDAL's /vsimem/, opened with Dataset::open and read.
bool dataset(const std::uint8_t* data, std::size_t size);

} // namespace rb::fuzz
