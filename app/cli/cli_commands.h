#pragma once
// Subcommands of rasterbench-cli. Each returns the process exit status and throws
// UsageError for bad command lines (exit status 2) or rb::Error for failures (1).
#include <stdexcept>
#include <string>
#include <vector>

namespace rbcli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

int run_info(const std::vector<std::string>& args);

} // namespace rbcli
