#include "rasterbench/param_table.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace rb {

std::string_view param_type_name(ParamType t) {
    switch (t) {
    case ParamType::Bool:
        return "bool";
    case ParamType::Int:
        return "int";
    case ParamType::Double:
        return "double";
    case ParamType::String:
        return "string";
    case ParamType::Choice:
        return "choice";
    }
    return "?";
}

std::string param_flag_name(std::string_view name) {
    std::string flag = "--" + std::string(name);
    std::replace(flag.begin() + 2, flag.end(), '_', '-');
    return flag;
}

std::string format_param_value(double v) {
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    // Shortest text that reads back to the same double, so recipes round-trip exactly.
    char buf[32];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    return buf;
}

namespace {

std::string range_text(const ParamInfo& info) {
    return "[" + format_param_value(info.min) + ", " + format_param_value(info.max) + "]";
}

} // namespace

std::string check_param_value(const ParamInfo& info, std::string_view text_in) {
    const std::string text(text_in);
    const std::string where = "parameter '" + info.name + "': ";
    switch (info.type) {
    case ParamType::Bool:
        if (text == "true" || text == "1" || text == "yes" || text == "on")
            return "true";
        if (text == "false" || text == "0" || text == "no" || text == "off")
            return "false";
        throw ArgumentError(where + "'" + text + "' is not a boolean (true or false)");
    case ParamType::Int: {
        errno = 0;
        char* end = nullptr;
        const long v = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || errno != 0 || *end != '\0')
            throw ArgumentError(where + "'" + text + "' is not an integer");
        if (double(v) < info.min || double(v) > info.max)
            throw ArgumentError(where + text + " is outside " + range_text(info));
        if (info.multiple > 1 && v % info.multiple != 0) {
            // Few allowed values (connectivity 4 or 8) read better listed.
            const long long lo = (long long)info.min, hi = (long long)info.max;
            if (hi / info.multiple - (lo + info.multiple - 1) / info.multiple < 4) {
                std::string list;
                for (long long k = lo; k <= hi; ++k)
                    if (k % info.multiple == 0)
                        list += (list.empty() ? "" : " or ") + std::to_string(k);
                throw ArgumentError(where + text + " is not " + list);
            }
            throw ArgumentError(where + text + " is not a multiple of " +
                                std::to_string(info.multiple));
        }
        return std::to_string(v);
    }
    case ParamType::Double: {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || errno == EINVAL || *end != '\0' || std::isnan(v))
            throw ArgumentError(where + "'" + text + "' is not a number");
        if (v < info.min || v > info.max)
            throw ArgumentError(where + text + " is outside " + range_text(info));
        return format_param_value(v);
    }
    case ParamType::Choice: {
        if (std::find(info.choices.begin(), info.choices.end(), text) != info.choices.end())
            return text;
        std::string list;
        for (const auto& c : info.choices)
            list += (list.empty() ? "" : ", ") + c;
        throw ArgumentError(where + "'" + text + "' is not one of " + list);
    }
    case ParamType::String:
        return text;
    }
    return text;
}

} // namespace rb
