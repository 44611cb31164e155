#include "rasterbench/interactive.h"

#include <tbb/task_scheduler_observer.h>

#include <cerrno>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rb {

void keep_freed_memory() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

namespace {

constexpr int kBackgroundNice = 10;

// Once per thread: the nice value only rises (an unprivileged thread cannot lower it back).
void niceThisThread() {
#if defined(__linux__)
    thread_local bool done = false;
    if (done)
        return;
    done = true;
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && now < kBackgroundNice)
        setpriority(PRIO_PROCESS, tid, kBackgroundNice); // refusal: keep running as is
#endif
}

// oneTBB gives each thread that starts parallel loops its own arena: a local observer
// sees the workers that join the arena of the thread that made it.
class NiceWorkers : public tbb::task_scheduler_observer {
public:
    NiceWorkers() { observe(true); }
    ~NiceWorkers() override { observe(false); }
    void on_scheduler_entry(bool is_worker) override {
        if (is_worker)
            niceThisThread();
    }
};

} // namespace

void lower_background_priority() {
    niceThisThread();
    thread_local NiceWorkers workers;
    (void)workers;
}

} // namespace rb
