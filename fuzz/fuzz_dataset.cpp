// libFuzzer target: rb::fuzz::dataset (fuzz_entries.h) on each input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_entries.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    rb::fuzz::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rb::fuzz::dataset(data, size);
    return 0;
}
