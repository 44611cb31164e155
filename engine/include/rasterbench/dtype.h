#pragma once
// Runtime pixel data types: one per GDAL 3.6 type. Rasters hold only real types; complex
// bands are read as magnitude (Float64) and cannot be created.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rasterbench/error.h"

namespace rb {

enum class DataType {
    UInt8,
    Int8, // GDAL 3.6 exposes signed bytes as Byte + PIXELTYPE=SIGNEDBYTE; we map both ways
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    Float32,
    Float64,
    CInt16,
    CInt32,
    CFloat32,
    CFloat64,
};

/// Rasterio-style lowercase name: "uint8", "int16", "float32", "complex_int16", ...
std::string_view dtype_name(DataType t);
/// GDAL's name: "Byte", "Int16", "CInt16", ...
std::string_view gdal_type_name(DataType t);
/// Parses either naming; nullopt when unknown.
std::optional<DataType> parse_dtype(std::string_view name);
/// Bytes per sample of a real type (complex types report their full size).
std::size_t dtype_size(DataType t);
bool is_complex(DataType t);
bool is_floating(DataType t);
/// True when `value` is exactly representable in `t` (used to validate nodata values).
bool fits_dtype(DataType t, double value);

/// Calls f(T{}) with the C++ type of a real DataType; throws UnsupportedError for complex.
/// Choose the pixel type once per call, then run a typed loop.
template <class F> decltype(auto) visit_dtype(DataType t, F&& f) {
    switch (t) {
    case DataType::UInt8:
        return f(std::uint8_t{});
    case DataType::Int8:
        return f(std::int8_t{});
    case DataType::UInt16:
        return f(std::uint16_t{});
    case DataType::Int16:
        return f(std::int16_t{});
    case DataType::UInt32:
        return f(std::uint32_t{});
    case DataType::Int32:
        return f(std::int32_t{});
    case DataType::UInt64:
        return f(std::uint64_t{});
    case DataType::Int64:
        return f(std::int64_t{});
    case DataType::Float32:
        return f(float{});
    case DataType::Float64:
        return f(double{});
    default:
        break;
    }
    throw UnsupportedError("complex data type " + std::string(gdal_type_name(t)) +
                           " is not supported here (read it as magnitude)");
}

} // namespace rb
