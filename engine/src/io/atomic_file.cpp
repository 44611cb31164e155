#include "atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "partial_file.h"
#include "rasterbench/error.h"

namespace rb::detail {

void copy_file_contents(const std::string& from, const std::string& to, const std::string& target) {
    const auto fail = [&](const std::string& why) {
        throw IoError("cannot write '" + target + "': " + why);
    };
    struct Fd {
        int fd;
        ~Fd() {
            if (fd >= 0)
                ::close(fd);
        }
    };
    Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0)
        fail("cannot read '" + from + "': " + std::strerror(errno));
    Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)};
    if (out.fd < 0)
        fail(std::strerror(errno));
    std::vector<char> buf(std::size_t(1) << 20);
    for (;;) {
        const ssize_t n = ::read(in.fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot read '" + from + "': " + std::strerror(errno));
        if (n == 0)
            break;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out.fd, buf.data() + done, std::size_t(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                fail(std::strerror(errno));
            done += w;
        }
    }
    // Some file systems (NFS, quota) report a full disk only when the file is closed.
    const int fd = out.fd;
    out.fd = -1;
    if (::close(fd) != 0)
        fail(std::strerror(errno));
}

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
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), std::streamsize(text.size()));
        out.close();
        // The stream keeps no error code; errno still holds the failing call's reason
        // (ENOSPC for a full disk).
        if (!out)
            fail(errno ? std::strerror(errno) : "");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        fail(ec.message());
    end_partial(tmp);
}

} // namespace rb::detail
