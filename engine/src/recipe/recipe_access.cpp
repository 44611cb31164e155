// The recipe module's access path to the parameter tables, and its JSON path helpers.
#include "recipe_access.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>

namespace rb::recipe_detail {

ParamAccess score_access(const ScoreOptions& o, ScoreOptions* mut) {
    ParamAccess a;
    a.infos = score_params(o);
    a.get = [&o](const std::string& n) { return get_score_param(o, n); };
    if (mut)
        a.set = [mut](const std::string& n, const std::string& v) { set_score_param(*mut, n, v); };
    return a;
}

/// Several tables behind one "params" object (the deband step: peak, orientation, deband).
ParamAccess merge(std::vector<ParamAccess> parts) {
    ParamAccess a;
    auto owner = std::make_shared<std::vector<ParamAccess>>(std::move(parts));
    std::map<std::string, std::size_t> which;
    for (std::size_t k = 0; k < owner->size(); ++k)
        for (const auto& i : (*owner)[k].infos) {
            which[i.name] = k;
            a.infos.push_back(i);
        }
    a.get = [owner, which](const std::string& n) { return (*owner)[which.at(n)].get(n); };
    if (!owner->empty() && owner->front().set)
        a.set = [owner, which](const std::string& n, const std::string& v) {
            (*owner)[which.at(n)].set(n, v);
        };
    return a;
}

ParamAccess reproject_access(const ReprojectStep& s, ReprojectStep* mut) {
    return merge(
        {table_access(reproject_params(), s, mut),
         table_access(ReprojectOptions::params(), s.options, mut ? &mut->options : nullptr)});
}

ParamAccess deband_access(const DebandStep& s, DebandStep* mut) {
    using fft::DebandOptions, fft::OrientationOptions, fft::PeakOptions;
    return merge({table_access(PeakOptions::params(), s.peak, mut ? &mut->peak : nullptr),
                  table_access(OrientationOptions::params(), s.orientation,
                               mut ? &mut->orientation : nullptr),
                  table_access(DebandOptions::params(), s.options, mut ? &mut->options : nullptr)});
}

std::string type_text(const ParamInfo& i) {
    switch (i.type) {
    case ParamType::Bool:
        return "true or false";
    case ParamType::Int:
    case ParamType::Double: {
        std::string t = i.type == ParamType::Int ? "integer" : "number";
        const bool lo = std::isfinite(i.min), hi = std::isfinite(i.max);
        if (i.type == ParamType::Int && i.min <= std::numeric_limits<int>::min() &&
            i.max >= std::numeric_limits<int>::max())
            return t;
        if (lo && hi)
            return t + " " + format_param_value(i.min) + ".." + format_param_value(i.max);
        if (lo)
            return t + " >= " + format_param_value(i.min);
        if (hi)
            return t + " <= " + format_param_value(i.max);
        return t + (i.type == ParamType::Double ? ", or \"inf\" / \"-inf\"" : "");
    }
    case ParamType::String:
        return "text";
    case ParamType::Choice: {
        std::string t = "one of";
        for (std::size_t k = 0; k < i.choices.size(); ++k)
            t += (k ? ", " : " ") + i.choices[k];
        return t;
    }
    }
    return "";
}

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}
std::string at(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string list_text(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + x;
    return s;
}

} // namespace rb::recipe_detail
