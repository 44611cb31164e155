#pragma once
// Self-describing parameters (libvips' argument tables, Krita's filter configurations): an
// options struct lists its tunable fields once (name, type, default, range, help), and the CLI
// flags, UI forms, recipe JSON keys and their validation are all built from that one table,
// so a limit or a spelling lives in one place.
//
// Names are snake_case: they are the recipe's JSON keys as written; a CLI flag is the same
// name in kebab-case (param_flag_name). Numbers of any arithmetic type, booleans, free text,
// text choices and enums (stored as the enum, shown as its choice name) are supported.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rasterbench/error.h"

namespace rb {

enum class ParamType { Bool, Int, Double, String, Choice };

/// One row of a table, as data (what a UI panel or `--help` lists).
struct ParamInfo {
    std::string name;
    ParamType type = ParamType::Double;
    std::string default_value; ///< as text (format_param_value for numbers)
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::string help;
    std::vector<std::string> choices; ///< Choice only
    std::string unit;                 ///< "px", "cycles/px", "degrees", ... or empty
    long long multiple = 0;           ///< Int only: values must be multiples of this (> 1)
};

/// The CLI flag of a parameter: `--` and the name with '_' replaced by '-'.
std::string param_flag_name(std::string_view name);

std::string_view param_type_name(ParamType t);
/// Shortest text that reads back to the same double.
std::string format_param_value(double v);
/// Checks `text` against the row's type and range; returns it normalized. Throws
/// ArgumentError naming the parameter.
std::string check_param_value(const ParamInfo& info, std::string_view text);

template <class O> class ParamTable {
public:
    /// A number of any arithmetic type; integral types are Int rows, floating ones Double.
    template <class T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) void add(
        T O::*field, std::string name, std::string help,
        double min = std::is_integral_v<T> ? double(std::numeric_limits<T>::lowest())
                                           : -std::numeric_limits<double>::infinity(),
        double max = std::is_integral_v<T> ? double(std::numeric_limits<T>::max())
                                           : std::numeric_limits<double>::infinity(),
        std::string unit = {}) {
        if constexpr (std::is_integral_v<T>)
            push(
                ParamType::Int, std::move(name), std::move(help), min, max, {},
                [field](const O& o) { return std::to_string(o.*field); },
                [field](O& o, const std::string& t) { o.*field = static_cast<T>(std::stoll(t)); });
        else
            push(
                ParamType::Double, std::move(name), std::move(help), min, max, {},
                [field](const O& o) { return format_param_value(double(o.*field)); },
                [field](O& o, const std::string& t) { o.*field = static_cast<T>(std::stod(t)); });
        rows_.back().info.unit = std::move(unit);
    }
    void add(bool O::*field, std::string name, std::string help) {
        push(
            ParamType::Bool, std::move(name), std::move(help), 0, 1, {},
            [field](const O& o) { return std::string(o.*field ? "true" : "false"); },
            [field](O& o, const std::string& t) { o.*field = t == "true"; });
    }
    void add(std::string O::*field, std::string name, std::string help) {
        push(
            ParamType::String, std::move(name), std::move(help),
            -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), {},
            [field](const O& o) { return o.*field; },
            [field](O& o, const std::string& t) { o.*field = t; });
    }
    void add_choice(std::string O::*field, std::string name, std::vector<std::string> choices,
                    std::string help) {
        push(
            ParamType::Choice, std::move(name), std::move(help), 0, double(choices.size()) - 1,
            std::move(choices), [field](const O& o) { return o.*field; },
            [field](O& o, const std::string& t) { o.*field = t; });
    }

    /// An enum whose values are 0..choices-1 in `choices` order.
    template <class E>
    requires std::is_enum_v<E>
    void add_enum(E O::*field, std::string name, std::vector<std::string> choices,
                  std::string help) {
        auto names = std::make_shared<std::vector<std::string>>(choices);
        push(
            ParamType::Choice, std::move(name), std::move(help), 0, double(choices.size()) - 1,
            std::move(choices),
            [field, names](const O& o) { return names->at(std::size_t(o.*field)); },
            [field, names](O& o, const std::string& t) {
                const auto it = std::find(names->begin(), names->end(), t);
                o.*field = static_cast<E>(it - names->begin());
            });
    }

    /// Restricts the last Int row added to multiples of `m` (GeoTIFF tile sizes).
    void require_multiple(long long m) { rows_.back().info.multiple = m; }

    std::vector<ParamInfo> infos() const {
        std::vector<ParamInfo> out;
        for (const auto& r : rows_)
            out.push_back(r.info);
        return out;
    }
    bool has(std::string_view name) const { return find(name) != nullptr; }
    const ParamInfo* info(std::string_view name) const {
        const Row* r = find(name);
        return r ? &r->info : nullptr;
    }
    void set(O& o, std::string_view name, std::string_view value) const {
        const Row& r = require(name);
        r.set(o, check_param_value(r.info, value));
    }
    std::string get(const O& o, std::string_view name) const { return require(name).get(o); }
    /// Checks every row's current value against its type and range (options built in code
    /// rather than parsed); throws the same ArgumentError a parser would.
    void validate(const O& o) const {
        for (const auto& r : rows_)
            check_param_value(r.info, r.get(o));
    }
    std::map<std::string, std::string> values(const O& o) const {
        std::map<std::string, std::string> out;
        for (const auto& r : rows_)
            out[r.info.name] = r.get(o);
        return out;
    }

private:
    struct Row {
        ParamInfo info;
        std::function<std::string(const O&)> get;
        std::function<void(O&, const std::string&)> set;
    };
    void push(ParamType type, std::string name, std::string help, double min, double max,
              std::vector<std::string> choices, std::function<std::string(const O&)> get,
              std::function<void(O&, const std::string&)> set) {
        Row r;
        r.info.name = std::move(name);
        r.info.type = type;
        r.info.help = std::move(help);
        r.info.min = min;
        r.info.max = max;
        r.info.choices = std::move(choices);
        r.info.default_value = get(O{});
        r.get = std::move(get);
        r.set = std::move(set);
        rows_.push_back(std::move(r));
    }
    const Row* find(std::string_view name) const {
        for (const auto& r : rows_)
            if (r.info.name == name)
                return &r;
        return nullptr;
    }
    const Row& require(std::string_view name) const {
        if (const Row* r = find(name))
            return *r;
        throw ArgumentError("unknown parameter '" + std::string(name) + "'");
    }
    std::vector<Row> rows_;
};

} // namespace rb
