#include "partial_file.h"

#include "rasterbench/output_guard.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include <signal.h>
#include <unistd.h>

namespace rb::detail {
namespace {

namespace fs = std::filesystem;

// What a terminating signal must remove: partial files being written and work folders of
// running recipes. The signals are taken by a dedicated thread (sigwait), not by a handler,
// so the cleanup may use ordinary functions.
struct Registry {
    std::mutex mutex;
    std::set<std::string> files;
    std::set<std::string> folders;
};

Registry& registry() {
    static Registry* r = new Registry; // never destroyed: the signal thread may outlive main
    return *r;
}

std::atomic<unsigned> g_counter{0};

bool process_alive(long pid) {
    if (pid <= 0)
        return false;
    if (pid == ::getpid())
        return true;
    return ::kill(pid_t(pid), 0) == 0 || errno != ESRCH;
}

/// The process id in NAME = PREFIX + PID + ('-' | '.' | end) + ..., or 0.
long pid_after(const std::string& name, const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0)
        return 0;
    const std::string rest = name.substr(prefix.size());
    char* end = nullptr;
    const long pid = std::strtol(rest.c_str(), &end, 10);
    if (end == rest.c_str() || (*end != '-' && *end != '.' && *end != '\0'))
        return 0;
    return pid;
}

// Removes DIR/PREFIX<PID>... entries whose process is not running any more.
void remove_stale(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec);
    if (ec)
        return;
    for (const auto& entry : it) {
        const long pid = pid_after(entry.path().filename().string(), prefix);
        if (pid != 0 && !process_alive(pid))
            fs::remove_all(entry.path(), ec);
    }
}

void wait_for_signals(sigset_t signals) {
    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        std::error_code ec;
        for (const auto& f : r.files)
            fs::remove(f, ec);
        for (const auto& d : r.folders)
            fs::remove_all(d, ec);
    }
    // 128 + signal, the status a shell reports for a process ended by that signal.
    ::_exit(128 + sig);
}

} // namespace

std::string begin_partial(const std::string& target, bool keep_extension) {
    const auto slash = target.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "" : target.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
    const bool local = target.rfind("/vsi", 0) != 0;
    if (local)
        remove_stale(dir, "." + name + ".partial-");
    std::string ext;
    if (keep_extension) {
        const auto dot = name.find_last_of('.');
        if (dot != std::string::npos && dot > 0)
            ext = name.substr(dot);
    }
    const std::string partial = dir + "." + name + ".partial-" + std::to_string(::getpid()) + "-" +
                                std::to_string(g_counter++) + ext;
    if (local) {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        r.files.insert(partial);
    }
    return partial;
}

void end_partial(const std::string& partial) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.files.erase(partial);
}

void begin_work_folder(const std::string& folder) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.folders.insert(folder);
}

void end_work_folder(const std::string& folder) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.folders.erase(folder);
}

void remove_stale_work_folders(const std::string& parent, const std::string& prefix) {
    remove_stale(parent, prefix);
}

std::string name_target(std::string message, const std::string& partial,
                        const std::string& target) {
    if (partial.empty())
        return message;
    for (std::size_t at = message.find(partial); at != std::string::npos;
         at = message.find(partial, at + target.size()))
        message.replace(at, partial.size(), target);
    return message;
}

} // namespace rb::detail

namespace rb {

void install_partial_cleanup() {
    static std::once_flag once;
    std::call_once(once, [] {
        sigset_t signals;
        sigemptyset(&signals);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
            struct sigaction old {};
            // A signal the parent chose to ignore (nohup, background jobs) stays ignored.
            if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN)
                continue;
            sigaddset(&signals, sig);
        }
        // Blocked here, so in every thread started after this; only the waiting thread
        // takes them.
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        std::thread(detail::wait_for_signals, signals).detach();
    });
}

} // namespace rb
