// rasterbench-cli: headless entry point. Each subcommand parses its own flags; every
// engine error becomes one line on stderr and a non-zero exit status.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli_commands.h"
#include "rasterbench/error.h"

namespace {

void usage(std::ostream& os) {
    os << "usage: rasterbench-cli <command> [options]\n\n"
          "commands:\n"
          "  info FILE [--json] [--stats]   describe a raster (as text or JSON)\n\n"
          "Run 'rasterbench-cli <command> --help' for a command's options.\n";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    try {
        if (command == "info")
            return rbcli::run_info(args);
        std::cerr << "rasterbench-cli: unknown command '" << command << "'\n";
        usage(std::cerr);
        return 2;
    } catch (const rbcli::UsageError& e) {
        std::cerr << "rasterbench-cli " << command << ": " << e.what() << "\n";
        return 2;
    } catch (const rb::Error& e) {
        std::cerr << "rasterbench-cli " << command << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "rasterbench-cli " << command << ": unexpected error: " << e.what() << "\n";
        return 1;
    }
}
