#include "stream_store.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rb::detail {

void stream_store(void* dst, const void* src, std::size_t bytes) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
#if defined(__SSE2__)
    const std::size_t head =
        std::min(bytes, (16 - (reinterpret_cast<std::uintptr_t>(d) & 15)) & 15);
    std::memcpy(d, s, head);
    std::size_t i = head;
    for (; i + 16 <= bytes; i += 16)
        _mm_stream_si128(reinterpret_cast<__m128i*>(d + i),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
    std::memcpy(d + i, s + i, bytes - i);
    _mm_sfence();
#else
    std::memcpy(d, s, bytes);
#endif
}

} // namespace rb::detail
