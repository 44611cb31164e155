#pragma once
// Command-line flags derived from parameter tables: row `max_distance` is the flag
// `--max-distance VALUE`, checked by the same code (and with the same message) as the recipe
// key and the UI form. A boolean flag may stand alone (`--keep-dtype` means true) or take
// a boolean word (`--keep-dtype false`).
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "rasterbench/param_table.h"
#include "rasterbench/warp.h"

namespace rbcli {

/// Old or short spellings of a table's flags ("-md" -> "--max-distance").
using FlagAliases = std::map<std::string, std::string>;

/// When args[i] is the flag of a row of `table` (or an alias of one), sets it in `options`
/// from the value that follows (advancing i) and returns true. A value the table rejects is
/// a UsageError carrying the table's message.
template <class O>
bool take_param_flag(const Args& args, std::size_t& i, const rb::ParamTable<O>& table, O& options,
                     const FlagAliases& aliases = {});

/// The rows as help lines: flag, value type and range, unit, default, help.
void print_param_flags(std::ostream& os, const std::vector<rb::ParamInfo>& rows);

/// One tab-separated line per row (name, flag, type, default, min, max, unit, help), for
/// scripts and for `--list-params`.
void list_params(std::ostream& os, const std::vector<rb::ParamInfo>& rows);

/// A command line with the parts every subcommand shares taken out.
struct ParsedArgs {
    std::vector<std::string> positional;
    std::string output;    ///< -o / --output
    bool answered = false; ///< --help or --list-params was printed: exit 0
};

/// The loop every subcommand shares: --help / -h prints `usage`; --list-params lists `rows`
/// (a command without a table passes none, and the flag is then unknown); `take(args, i)`
/// takes the command's own flags (advancing i past their values) and returns true when it
/// did, before -o / --output is read, so a command can react to -o itself; any other
/// argument starting with '-' is an unknown option; the rest are positional.
ParsedArgs parse_args(const Args& args, const std::function<void(std::ostream&)>& usage,
                      const std::function<bool(const Args&, std::size_t&)>& take,
                      const std::vector<rb::ParamInfo>& rows = {});

/// When args[i] is one of gdalwarp's target-grid flags (--res X[,Y], --size W,H,
/// --bounds L,B,R,T, --tap), sets it in `grid` (advancing i) and returns true.
bool take_grid_flag(const Args& args, std::size_t& i, rb::GridOptions& grid);

/// Help lines of those flags.
const char* grid_flags_help();

/// The one positional argument (empty when there is none); a UsageError naming the first
/// two when there are more.
std::string one_input(const ParsedArgs& parsed);

// ---- implementation ------------------------------------------------------------------

/// The row named by flag `arg` (after aliases), or nullptr.
const rb::ParamInfo* flag_row(const std::vector<rb::ParamInfo>& rows, std::string arg,
                              const FlagAliases& aliases);
/// The value text of the row's flag at args[i] (advancing i past a value it takes).
std::string flag_value(const Args& args, std::size_t& i, const rb::ParamInfo& row);

template <class O>
bool take_param_flag(const Args& args, std::size_t& i, const rb::ParamTable<O>& table, O& options,
                     const FlagAliases& aliases) {
    const std::vector<rb::ParamInfo> rows = table.infos();
    const rb::ParamInfo* row = flag_row(rows, args[i], aliases);
    if (!row)
        return false;
    const std::string value = flag_value(args, i, *row);
    try {
        table.set(options, row->name, value);
    } catch (const rb::ArgumentError& e) {
        throw UsageError(e.what());
    }
    return true;
}

} // namespace rbcli
