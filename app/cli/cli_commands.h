#pragma once
// Subcommands of rasterbench-cli. Each lives in its own app/cli/cli_<name>.cpp and
// registers itself with RB_CLI_COMMAND; main() dispatches by name. A command returns the
// process exit status and throws UsageError for bad command lines (exit status 2) or
// rb::Error for failures (1): both become one line on stderr.
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rasterbench/composite.h"
#include "rasterbench/output_guard.h"

namespace rbcli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string>;

struct Command {
    std::string summary; ///< one line for the top-level usage
    std::function<int(const Args&)> run;
};

/// Name -> command, filled by RB_CLI_COMMAND before main() runs.
std::map<std::string, Command>& commands();

struct CommandRegistrar {
    CommandRegistrar(const std::string& name, Command c) { commands()[name] = std::move(c); }
};

#define RB_CLI_COMMAND(name, summary, fn)                                                          \
    static const ::rbcli::CommandRegistrar rb_cli_registrar_##fn {                                 \
        name, {                                                                                    \
            summary, fn                                                                            \
        }                                                                                          \
    }

/// Whether the command line had --verbose (main() takes it out for every command; commands
/// that say more with it read it here).
bool& verbose_requested();

/// Small helpers shared by the commands' hand-written parsers.
/// Value of option `flag` at args[i+1] (advances i); UsageError when missing.
const std::string& option_value(const Args& args, std::size_t& i);
/// A number; UsageError naming `what` for anything else, and for NaN and infinities unless
/// `any_value` (a nodata value may be NaN).
double parse_double(const std::string& text, const std::string& what, bool any_value = false);
int parse_int(const std::string& text, const std::string& what);
/// The scene sources' files as roles for rb::check_outputs_distinct.
std::vector<rb::FileRole> scene_roles(const std::vector<rb::SceneSource>& scenes);

/// Splits "a,b,c" into parts.
std::vector<std::string> split(const std::string& text, char sep = ',');

} // namespace rbcli
