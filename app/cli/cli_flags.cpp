#include "cli_flags.h"

#include <cmath>
#include <iostream>

namespace rbcli {

const rb::ParamInfo* flag_row(const std::vector<rb::ParamInfo>& rows, std::string arg,
                              const FlagAliases& aliases) {
    if (const auto a = aliases.find(arg); a != aliases.end())
        arg = a->second;
    if (arg.rfind("--", 0) != 0)
        return nullptr;
    for (const auto& r : rows)
        if (rb::param_flag_name(r.name) == arg)
            return &r;
    return nullptr;
}

std::string flag_value(const Args& args, std::size_t& i, const rb::ParamInfo& row) {
    // A boolean flag alone means true; it takes the next argument only when that is a
    // boolean word (--keep-dtype false), so `--harmonize a.tif` keeps a.tif as a scene.
    if (row.type == rb::ParamType::Bool) {
        static const char* const words[] = {"true", "false", "1", "0", "yes", "no", "on", "off"};
        if (i + 1 < args.size())
            for (const char* w : words)
                if (args[i + 1] == w)
                    return args[++i];
        return "true";
    }
    return option_value(args, i);
}

namespace {

std::string value_text(const rb::ParamInfo& r) {
    switch (r.type) {
    case rb::ParamType::Bool:
        return "[true|false]";
    case rb::ParamType::Choice: {
        std::string all;
        for (const auto& c : r.choices)
            all += (all.empty() ? "" : "|") + c;
        return all;
    }
    case rb::ParamType::String:
        return "TEXT";
    case rb::ParamType::Int:
    case rb::ParamType::Double:
        break;
    }
    std::string t = r.type == rb::ParamType::Int ? "N" : "X";
    if (std::isfinite(r.min) || std::isfinite(r.max))
        t += " (" + (std::isfinite(r.min) ? rb::format_param_value(r.min) : std::string("-inf")) +
             ".." + (std::isfinite(r.max) ? rb::format_param_value(r.max) : std::string("inf")) +
             (r.unit.empty() ? "" : " " + r.unit) + ")";
    else if (!r.unit.empty())
        t += " (" + r.unit + ")";
    return t;
}

} // namespace

void print_param_flags(std::ostream& os, const std::vector<rb::ParamInfo>& rows) {
    for (const auto& r : rows)
        os << "  " << rb::param_flag_name(r.name) << " " << value_text(r) << "\n      " << r.help
           << " (default " << r.default_value << ")\n";
}

void list_params(std::ostream& os, const std::vector<rb::ParamInfo>& rows) {
    for (const auto& r : rows) {
        std::string choices;
        for (const auto& c : r.choices)
            choices += (choices.empty() ? "" : "|") + c;
        os << r.name << '\t' << rb::param_flag_name(r.name) << '\t' << rb::param_type_name(r.type)
           << '\t' << r.default_value << '\t'
           << (r.type == rb::ParamType::Choice ? choices : rb::format_param_value(r.min)) << '\t'
           << (r.type == rb::ParamType::Choice ? "" : rb::format_param_value(r.max)) << '\t'
           << r.unit << '\t' << r.help << '\n';
    }
}

ParsedArgs parse_args(const Args& args, const std::function<void(std::ostream&)>& usage,
                      const std::function<bool(const Args&, std::size_t&)>& take,
                      const std::vector<rb::ParamInfo>& rows) {
    ParsedArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            out.answered = true;
            return out;
        }
        if (a == "--list-params" && !rows.empty()) {
            list_params(std::cout, rows);
            out.answered = true;
            return out;
        }
        if (take && take(args, i))
            continue;
        if (a == "-o" || a == "--output")
            out.output = option_value(args, i);
        else if (!a.empty() && a[0] == '-')
            throw UsageError("unknown option '" + a + "'");
        else
            out.positional.push_back(a);
    }
    return out;
}

std::string one_input(const ParsedArgs& parsed) {
    const auto& p = parsed.positional;
    if (p.size() > 1)
        throw UsageError("expects one input, got '" + p[0] + "' and '" + p[1] + "'");
    return p.empty() ? std::string() : p[0];
}

bool take_grid_flag(const Args& args, std::size_t& i, rb::GridOptions& grid) {
    const std::string& a = args[i];
    if (a == "--res") {
        const auto p = split(option_value(args, i));
        if (p.size() > 2)
            throw UsageError("--res expects X[,Y]");
        grid.res_x = parse_double(p[0], "--res X");
        grid.res_y = p.size() == 2 ? parse_double(p[1], "--res Y") : *grid.res_x;
    } else if (a == "--size") {
        const auto p = split(option_value(args, i));
        if (p.size() != 2)
            throw UsageError("--size expects W,H");
        const int w = parse_int(p[0], "--size W"), h = parse_int(p[1], "--size H");
        if (w < 0 || h < 0 || (w == 0 && h == 0))
            throw UsageError("--size: W and H are >= 0, not both 0");
        if (w)
            grid.width = w;
        if (h)
            grid.height = h;
    } else if (a == "--bounds") {
        const auto p = split(option_value(args, i));
        if (p.size() != 4)
            throw UsageError("--bounds expects L,B,R,T");
        grid.bounds =
            rb::Bounds{parse_double(p[0], "--bounds L"), parse_double(p[1], "--bounds B"),
                       parse_double(p[2], "--bounds R"), parse_double(p[3], "--bounds T")};
    } else if (a == "--tap") {
        grid.target_aligned_pixels = true;
    } else {
        return false;
    }
    return true;
}

const char* grid_flags_help() {
    return "  --res X[,Y]           target resolution (gdalwarp -tr)\n"
           "  --size W,H            target size in pixels; 0 for one keeps square pixels (-ts)\n"
           "  --bounds L,B,R,T      target bounds in the target CRS (-te)\n"
           "  --tap                 align the bounds on the resolution (-tap)\n";
}

} // namespace rbcli
