// rasterbench-cli: headless entry point. Each subcommand parses its own flags; every
// engine error becomes one line on stderr and a non-zero exit status.
#include <algorithm>
#include <cstring>
#include <iostream>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "rasterbench/diagnostics.h"
#include "rasterbench/error.h"
#include "rasterbench/output_guard.h"

namespace {

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli <command> [options]\n\ncommands:\n";
    for (const auto& [name, cmd] : rbcli::commands())
        os << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ')
           << cmd.summary << "\n";
    os << "\nRun 'rasterbench-cli <command> --help' for a command's options.\n"
          "--verbose (with any command) also prints GDAL's, libtiff's and PROJ's own messages.\n";
}

} // namespace

int main(int argc, char** argv) {
    // First, before any thread starts: SIGINT/SIGTERM remove half-written outputs and end
    // the process with 130/143.
    rb::install_partial_cleanup();
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    // Any command: our warnings always get a line; the libraries' own messages (already
    // turned into our errors, or harmless) only when asked for.
    const auto verbose_flag = std::find(args.begin(), args.end(), "--verbose");
    const bool verbose = verbose_flag != args.end();
    if (verbose)
        args.erase(verbose_flag);
    rbcli::verbose_requested() = verbose;
    rb::set_message_sink([command, verbose](rb::MessageKind kind, const std::string& text) {
        if (kind == rb::MessageKind::Library && !verbose)
            return;
        static std::mutex m;
        std::lock_guard lock(m);
        std::cerr << "rasterbench-cli " << command << ": "
                  << (kind == rb::MessageKind::Warning ? "warning: " : "GDAL: ") << text << "\n";
    });
    try {
        const auto it = rbcli::commands().find(command);
        if (it != rbcli::commands().end())
            return it->second.run(args);
        std::cerr << "rasterbench-cli: unknown command '" << command << "'\n";
        usage(std::cerr);
        return 2;
    } catch (const rbcli::UsageError& e) {
        std::cerr << "rasterbench-cli " << command << ": " << e.what() << "\n";
        return 2;
    } catch (const rb::Error& e) {
        std::cerr << "rasterbench-cli " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "rasterbench-cli " << command
                  << ": out of memory (the inputs or the outputs' sizes are too large for this "
                     "machine)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "rasterbench-cli " << command << ": unexpected error: " << e.what() << "\n";
        return 1;
    }
}
