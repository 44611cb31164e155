#include "atomic_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "partial_file.h"
#include "rasterbench/error.h"

namespace rb::detail {

void write_text_atomically(const std::string& path, std::string_view text, std::string_view what) {
    // The process id keeps two writers of the same target from sharing a temporary file.
    const std::string tmp = begin_partial(path);
    const auto fail = [&](const std::string& why) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        end_partial(tmp);
        throw IoError(path + ": cannot write the " + std::string(what) +
                      (why.empty() ? std::string() : " (" + why + ")"));
    };
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), std::streamsize(text.size()));
        out.close();
        if (!out)
            fail({});
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        fail(ec.message());
    end_partial(tmp);
}

} // namespace rb::detail
