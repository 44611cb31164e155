#pragma once
// Searching the PROJ database for CRSs by code or name (the CRS pickers' search box).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rb {

struct CrsMatch {
    std::string authority; ///< "EPSG"
    std::string code;      ///< "3857"
    std::string name;      ///< "WGS 84 / Pseudo-Mercator"
    bool deprecated = false;
};

/// CRSs of `authority` whose code or name contains `query` (case-insensitive; an
/// "EPSG:" prefix is ignored). An exact code match comes first, then codes that start with
/// the query, then the rest in database order; deprecated entries last. At most `limit`
/// results; an empty query returns none. Safe on any thread (own PROJ context).
std::vector<CrsMatch> search_crs(std::string_view query, std::size_t limit = 50,
                                 const std::string& authority = "EPSG");

} // namespace rb
