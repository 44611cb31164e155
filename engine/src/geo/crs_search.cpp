#include "rasterbench/crs_search.h"

#include <proj.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace rb {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

} // namespace

std::vector<CrsMatch> search_crs(std::string_view query, std::size_t limit,
                                 const std::string& authority) {
    std::string q = lower(trimmed(query));
    const std::string prefix = lower(authority) + ":";
    if (q.starts_with(prefix))
        q = trimmed(q.substr(prefix.size()));
    if (q.empty() || limit == 0)
        return {};

    std::unique_ptr<PJ_CONTEXT, decltype(&proj_context_destroy)> ctx(proj_context_create(),
                                                                     &proj_context_destroy);
    if (!ctx)
        return {};
    int count = 0;
    PROJ_CRS_INFO** list =
        proj_get_crs_info_list_from_database(ctx.get(), authority.c_str(), nullptr, &count);
    if (!list)
        return {};

    struct Ranked {
        int rank;
        int order;
        CrsMatch match;
    };
    std::vector<Ranked> found;
    for (int i = 0; i < count; ++i) {
        const PROJ_CRS_INFO* info = list[i];
        if (!info || !info->code)
            continue;
        const std::string code = info->code;
        const std::string name = info->name ? info->name : "";
        const std::string lcode = lower(code);
        int rank;
        if (lcode == q)
            rank = 0;
        else if (lcode.starts_with(q))
            rank = 1;
        else if (lcode.find(q) != std::string::npos || lower(name).find(q) != std::string::npos)
            rank = 2;
        else
            continue;
        if (info->deprecated)
            rank += 3;
        found.push_back({rank, i,
                         CrsMatch{info->auth_name ? info->auth_name : authority, code, name,
                                  info->deprecated != 0}});
    }
    proj_crs_info_list_destroy(list);

    std::stable_sort(found.begin(), found.end(),
                     [](const Ranked& a, const Ranked& b) { return a.rank < b.rank; });
    std::vector<CrsMatch> out;
    for (std::size_t i = 0; i < found.size() && i < limit; ++i)
        out.push_back(std::move(found[i].match));
    return out;
}

} // namespace rb
