#include "rasterbench/scene_date.h"

#include <array>
#include <cstdio>
#include <regex>

namespace rb {

namespace {

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[std::size_t(m - 1)];
}

std::optional<SceneDate> checked(int y, int m, int d) {
    const SceneDate date{y, m, d};
    return date.valid() ? std::optional<SceneDate>(date) : std::nullopt;
}

// Date at the start of a metadata value, with '-', ':' or no separator.
std::optional<SceneDate> leading_date(const std::string& value) {
    static const std::regex re(R"(^\s*(\d{4})[-:/]?(\d{2})[-:/]?(\d{2})(?:$|[^\d]))");
    std::smatch m;
    if (!std::regex_search(value, m, re))
        return std::nullopt;
    return checked(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]));
}

} // namespace

std::string SceneDate::iso() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

bool SceneDate::valid() const {
    return year >= 1950 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 &&
           day <= days_in_month(year, month);
}

long long SceneDate::days_since_epoch() const {
    // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
    const int y = month <= 2 ? year - 1 : year;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = unsigned((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

std::optional<SceneDate> date_from_day_of_year(int year, int doy) {
    if (year < 1950 || year > 2100 || doy < 1 || doy > (leap(year) ? 366 : 365))
        return std::nullopt;
    int month = 1;
    while (doy > days_in_month(year, month))
        doy -= days_in_month(year, month++);
    return SceneDate{year, month, doy};
}

std::optional<SceneDate> date_from_metadata(const std::map<std::string, std::string>& md) {
    static const std::array<const char*, 8> keys = {
        "ACQUISITION_DATE",   "ACQUISITION_DATETIME",
        "DATE_ACQUIRED",      "SENSING_TIME",
        "SENSING_DATE",       "DATATAKE_1_DATATAKE_SENSING_START",
        "PRODUCT_START_TIME", "IMAGE_DATE"};
    for (const char* key : keys) {
        const auto it = md.find(key);
        if (it == md.end())
            continue;
        if (auto d = leading_date(it->second))
            return d;
    }
    return std::nullopt;
}

std::optional<SceneDate> date_from_name(std::string_view file_name) {
    const std::string name(file_name);
    std::smatch m;
    // Landsat Collection 1/2 product id: LXSS_LLLL_PPPRRR_YYYYMMDD_yyyymmdd_CC_TX.
    static const std::regex landsat_product(
        R"(L[CEOTM]0[1-9]_[0-9A-Z]{4}_\d{6}_(\d{4})(\d{2})(\d{2})_\d{8})");
    if (std::regex_search(name, m, landsat_product))
        if (auto d = checked(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
            return d;
    // Pre-collection scene id: LXSPPPRRRYYYYDDDGSIVV (year and day of year).
    static const std::regex landsat_scene(R"(L[CEOTM][1-9]\d{6}(\d{4})(\d{3})[A-Z]{3}\d{2})");
    if (std::regex_search(name, m, landsat_scene))
        if (auto d = date_from_day_of_year(std::stoi(m[1]), std::stoi(m[2])))
            return d;
    // Sentinel-2 (and most ESA products): YYYYMMDDTHHMMSS.
    static const std::regex esa(R"((?:^|[^\d])(\d{4})(\d{2})(\d{2})T\d{6})");
    if (std::regex_search(name, m, esa))
        if (auto d = checked(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
            return d;
    static const std::regex iso(R"((?:^|[^\d])(\d{4})-(\d{2})-(\d{2})(?:$|[^\d]))");
    if (std::regex_search(name, m, iso))
        if (auto d = checked(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
            return d;
    static const std::regex compact(R"((?:^|[^\d])(\d{4})(\d{2})(\d{2})(?:$|[^\d]))");
    for (auto it = std::sregex_iterator(name.begin(), name.end(), compact);
         it != std::sregex_iterator(); ++it)
        if (auto d = checked(std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3])))
            return d;
    return std::nullopt;
}

std::optional<SceneDate> scene_date(const std::map<std::string, std::string>& metadata,
                                    const std::string& path) {
    if (auto d = date_from_metadata(metadata))
        return d;
    const auto slash = path.find_last_of("/\\");
    return date_from_name(slash == std::string::npos ? path : path.substr(slash + 1));
}

} // namespace rb
