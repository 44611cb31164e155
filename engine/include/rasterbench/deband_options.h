#pragma once
// Self-describing parameters of the FFT/deband option structs (libvips' argument tables,
// Krita's filter configurations): each tunable struct lists its fields once, with name, type,
// default, range and help; the CLI flags (--name VALUE), the deband panel's controls and the
// round-trip tests come from that one list. Fields are typed members (enums included), set
// through accessors, so options stay plain structs. (Kept apart from param_table.h, whose
// string-valued rows serve the score/composite recipes; the two can merge later.)
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rasterbench/error.h"

namespace rb::fft {

enum class OptionType { Float, Int, Bool, Choice };

template <class Options> struct Option {
    std::string_view name; ///< kebab-case, used as the CLI flag and the JSON key
    OptionType type = OptionType::Float;
    double default_value = 0, min = 0, max = 0;
    std::string_view help;
    std::vector<std::string_view> choices; ///< Choice: value i means choices[i]
    std::function<double(const Options&)> get;
    std::function<void(Options&, double)> set;
};

template <class Options> using OptionTable = std::vector<Option<Options>>;

/// A table entry for a numeric or bool field; the default is read from `Options{}`.
template <class Options, class T>
Option<Options> make_option(std::string_view name, T Options::*field, double min, double max,
                            std::string_view help) {
    Option<Options> p;
    p.name = name;
    if constexpr (std::is_same_v<T, bool>)
        p.type = OptionType::Bool;
    else if constexpr (std::is_integral_v<T>)
        p.type = OptionType::Int;
    else
        p.type = OptionType::Float;
    p.default_value = double(Options{}.*field);
    p.min = min;
    p.max = max;
    p.help = help;
    p.get = [field](const Options& o) { return double(o.*field); };
    p.set = [field](Options& o, double v) { o.*field = static_cast<T>(v); };
    return p;
}

/// A table entry for an enum field whose values are 0..choices-1 in `choices` order.
template <class Options, class E>
Option<Options> make_choice_option(std::string_view name, E Options::*field,
                                   std::vector<std::string_view> choices, std::string_view help) {
    Option<Options> p;
    p.name = name;
    p.type = OptionType::Choice;
    p.default_value = double(int(Options{}.*field));
    p.min = 0;
    p.max = double(choices.size()) - 1;
    p.help = help;
    p.choices = std::move(choices);
    p.get = [field](const Options& o) { return double(int(o.*field)); };
    p.set = [field](Options& o, double v) { o.*field = static_cast<E>(int(v)); };
    return p;
}

template <class Options>
const Option<Options>* find_option(const OptionTable<Options>& table, std::string_view name) {
    for (const auto& p : table)
        if (p.name == name)
            return &p;
    return nullptr;
}

/// Sets `name` from text (a number, true/false, or a choice name) after checking its type
/// and range. Throws ArgumentError naming the parameter and the text.
template <class Options>
void set_option(Options& options, const OptionTable<Options>& table, std::string_view name,
                std::string_view text) {
    const Option<Options>* p = find_option(table, name);
    if (!p)
        throw ArgumentError("unknown parameter '" + std::string(name) + "'");
    const std::string t(text);
    double v = 0;
    if (p->type == OptionType::Bool) {
        if (t == "true" || t == "1" || t == "yes" || t == "on")
            v = 1;
        else if (t == "false" || t == "0" || t == "no" || t == "off")
            v = 0;
        else
            throw ArgumentError(std::string(name) + ": '" + t + "' is not true or false");
    } else if (p->type == OptionType::Choice) {
        bool found = false;
        for (std::size_t i = 0; i < p->choices.size(); ++i)
            if (p->choices[i] == t) {
                v = double(i);
                found = true;
            }
        if (!found) {
            std::string all;
            for (auto c : p->choices)
                all += (all.empty() ? "" : ", ") + std::string(c);
            throw ArgumentError(std::string(name) + ": '" + t + "' is not one of " + all);
        }
    } else {
        std::istringstream is(t);
        is >> v;
        if (t.empty() || is.fail() || !is.eof())
            throw ArgumentError(std::string(name) + ": '" + t + "' is not a number");
        if (p->type == OptionType::Int && v != double(static_cast<long long>(v)))
            throw ArgumentError(std::string(name) + ": '" + t + "' is not an integer");
        if (!(v >= p->min && v <= p->max)) {
            std::ostringstream os;
            os << name << ": " << t << " is outside [" << p->min << ", " << p->max << "]";
            throw ArgumentError(os.str());
        }
    }
    p->set(options, v);
}

/// The current value as text (the inverse of set_option).
template <class Options> std::string option_text(const Options& options, const Option<Options>& p) {
    const double v = p.get(options);
    if (p.type == OptionType::Bool)
        return v != 0 ? "true" : "false";
    if (p.type == OptionType::Choice)
        return std::string(p.choices.at(std::size_t(v)));
    std::ostringstream os;
    os << v;
    return os.str();
}

} // namespace rb::fft
