// The composite's tie rule: which of equally scored scenes wins.
#include "tie_rule.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <regex>
#include <string>

namespace rb::detail {

void check_composite_scene_count(std::size_t n) {
    if (n > kMaxCompositeScenes)
        throw ArgumentError("composite: " + std::to_string(n) + " scenes, at most " +
                            std::to_string(kMaxCompositeScenes));
}

namespace {

struct Target {
    std::optional<SceneDate> date;
    int doy = 0; // 1..366 when the target is a day of year
};

int day_of_year(const SceneDate& d) {
    return int(d.days_since_epoch() - SceneDate{d.year, 1, 1}.days_since_epoch()) + 1;
}

Target parse_target(const std::string& text) {
    Target t;
    static const std::regex iso(R"(^(\d{4})-(\d{2})-(\d{2})$)");
    std::smatch m;
    if (std::regex_match(text, m, iso)) {
        const SceneDate d{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
        if (d.valid()) {
            t.date = d;
            return t;
        }
    } else if (!text.empty() && text.size() <= 3 &&
               std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        t.doy = std::atoi(text.c_str());
        if (t.doy >= 1 && t.doy <= 366)
            return t;
    }
    throw ArgumentError("parameter 'target_date': '" + text +
                        "' is neither a date (YYYY-MM-DD) nor a day of year (1..366)");
}

} // namespace

std::vector<std::uint16_t> tie_order(const CompositeOptions& o, std::size_t n) {
    if (o.tie != "earliest" && o.tie != "latest" && o.tie != "closest")
        throw ArgumentError("unknown tie rule '" + o.tie + "' (rules: earliest, latest, closest)");
    std::optional<Target> target;
    if (!o.target_date.empty())
        target = parse_target(o.target_date);
    if (o.tie == "closest" && !target)
        throw ArgumentError("tie rule 'closest' needs target_date (YYYY-MM-DD or a day of year)");
    std::vector<std::uint16_t> order(n);
    std::iota(order.begin(), order.end(), std::uint16_t(0));
    if (o.scene_dates.empty())
        return order;
    // Sort key per scene: dated scenes first by the rule, then undated ones; stable, so equal
    // keys keep the stack order.
    constexpr double undated = std::numeric_limits<double>::infinity();
    std::vector<double> key(n, undated);
    for (std::size_t i = 0; i < n && i < o.scene_dates.size(); ++i) {
        const auto& d = o.scene_dates[i];
        if (!d)
            continue;
        const double days = double(d->days_since_epoch());
        if (o.tie == "earliest")
            key[i] = days;
        else if (o.tie == "latest")
            key[i] = -days;
        else if (target->date)
            key[i] = std::abs(days - double(target->date->days_since_epoch()));
        else {
            const double dd = std::abs(day_of_year(*d) - target->doy);
            key[i] = std::min(dd, 365.25 - dd);
        }
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint16_t a, std::uint16_t b) { return key[a] < key[b]; });
    return order;
}

} // namespace rb::detail
