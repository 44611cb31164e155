// Internal to the recipe module: one access path to every parameter table a recipe step
// holds, and the JSON path helpers the reader and the writer share.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rasterbench/recipe.h"

namespace rb::recipe_detail {

/// A table's rows plus get/set by name over one options value, whatever the table's kind
/// (a ParamTable, or the score method's merged rows).
struct ParamAccess {
    std::vector<ParamInfo> infos;
    std::function<std::string(const std::string&)> get;
    std::function<void(const std::string&, const std::string&)> set; ///< empty when const
};

template <class O> ParamAccess table_access(const ParamTable<O>& t, const O& o, O* mut) {
    ParamAccess a;
    a.infos = t.infos();
    a.get = [&t, &o](const std::string& n) { return t.get(o, n); };
    if (mut)
        a.set = [&t, mut](const std::string& n, const std::string& v) { t.set(*mut, n, v); };
    return a;
}

ParamAccess score_access(const ScoreOptions& o, ScoreOptions* mut);
/// Several tables behind one "params" object (the deband step: peak, orientation, deband).
ParamAccess merge(std::vector<ParamAccess> parts);
ParamAccess reproject_access(const ReprojectStep& s, ReprojectStep* mut);
ParamAccess deband_access(const DebandStep& s, DebandStep* mut);
/// The accepted values of a row, as messages and template comments say them.
std::string type_text(const ParamInfo& i);

/// "a.b" (JSON path of a key) and "a[3]" (of an array element).
std::string join(const std::string& path, const std::string& key);
std::string at(const std::string& path, std::size_t i);
std::string list_text(const std::vector<std::string>& v);

} // namespace rb::recipe_detail
