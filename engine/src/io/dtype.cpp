#include "rasterbench/dtype.h"

#include <array>
#include <cctype>
#include <cmath>
#include <limits>

namespace rb {

namespace {
struct TypeInfo {
    DataType type;
    std::string_view name, gdal;
    std::size_t size;
};
constexpr std::array<TypeInfo, 14> kTypes{{
    {DataType::UInt8, "uint8", "Byte", 1},
    {DataType::Int8, "int8", "Int8", 1},
    {DataType::UInt16, "uint16", "UInt16", 2},
    {DataType::Int16, "int16", "Int16", 2},
    {DataType::UInt32, "uint32", "UInt32", 4},
    {DataType::Int32, "int32", "Int32", 4},
    {DataType::UInt64, "uint64", "UInt64", 8},
    {DataType::Int64, "int64", "Int64", 8},
    {DataType::Float32, "float32", "Float32", 4},
    {DataType::Float64, "float64", "Float64", 8},
    {DataType::CInt16, "complex_int16", "CInt16", 4},
    {DataType::CInt32, "complex_int32", "CInt32", 8},
    {DataType::CFloat32, "complex64", "CFloat32", 8},
    {DataType::CFloat64, "complex128", "CFloat64", 16},
}};
const TypeInfo& info(DataType t) {
    const auto i = static_cast<std::size_t>(t);
    return kTypes[i < kTypes.size() ? i : 0];
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

template <class T> bool fits(double v) {
    if (std::isnan(v) || std::isinf(v))
        return false;
    if (v < double(std::numeric_limits<T>::lowest()) || v > double(std::numeric_limits<T>::max()))
        return false;
    return double(static_cast<T>(v)) == v;
}
} // namespace

std::string_view dtype_name(DataType t) {
    return info(t).name;
}
std::string_view gdal_type_name(DataType t) {
    return info(t).gdal;
}
std::size_t dtype_size(DataType t) {
    return info(t).size;
}

std::optional<DataType> parse_dtype(std::string_view name) {
    for (const auto& i : kTypes)
        if (iequals(name, i.name) || iequals(name, i.gdal))
            return i.type;
    if (iequals(name, "byte"))
        return DataType::UInt8;
    return std::nullopt;
}

bool is_complex(DataType t) {
    return t >= DataType::CInt16;
}
bool is_floating(DataType t) {
    return t == DataType::Float32 || t == DataType::Float64 || t == DataType::CFloat32 ||
           t == DataType::CFloat64;
}

bool fits_dtype(DataType t, double v) {
    switch (t) {
    case DataType::Float32:
        return std::isnan(v) || std::isinf(v) ||
               std::fabs(v) <= double(std::numeric_limits<float>::max());
    case DataType::Float64:
    case DataType::CFloat32:
    case DataType::CFloat64:
        return true;
    default:
        if (is_complex(t))
            return fits<std::int32_t>(v);
        return visit_dtype(t, [&](auto x) { return fits<decltype(x)>(v); });
    }
}

} // namespace rb
