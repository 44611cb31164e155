// rasterbench-cli status: done, missing and failed tasks of a job folder, the measured CPU time
// against the plan's estimate, and the commands to resubmit only what is missing.
#include <iomanip>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/job.h"

namespace rbcli {

namespace {

int run_status(const Args& args) {
    std::string dir;
    auto usage = [](std::ostream& os) {
        os << "usage: rasterbench-cli status DIR\n\nDone, missing and failed tasks per "
              "stage; exit status 0 only when the job is complete.\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, {});
    if (!parsed.output.empty())
        throw UsageError("status writes no file: no -o");
    if (parsed.answered)
        return 0;
    dir = one_input(parsed);
    if (dir.empty())
        throw UsageError("missing the job folder DIR");
    const rb::Job job = rb::load_job(dir);
    bool complete = true;
    double cpu = 0, estimate = 0;
    std::cout << std::fixed << std::setprecision(1);
    const std::vector<rb::StageStatus> status = rb::job_status(job);
    for (const auto& s : status) {
        const std::size_t n = s.done.size() + s.missing.size();
        std::cout << s.name << ": " << s.done.size() << "/" << n << " done";
        if (!s.missing.empty())
            std::cout << ", missing " << rb::task_ranges(s.missing);
        if (!s.running.empty())
            std::cout << ", running " << rb::task_ranges(s.running);
        if (!s.failed.empty())
            std::cout << ", failed " << rb::task_ranges(s.failed);
        std::cout << "; CPU " << s.cpu_seconds << " s measured, " << s.estimate << " s estimated\n";
        cpu += s.cpu_seconds;
        estimate += s.estimate;
        if (!s.missing.empty())
            complete = false;
    }
    std::cout << "total CPU: " << cpu << " s measured, " << estimate << " s estimated ("
              << job.estimate_source << ")\n";
    if (!complete) {
        // Stage after stage from the earliest unfinished one: a later stage reads what the
        // earlier ones write, so resubmitting each stage's missing tasks alone would run
        // them too early.
        std::cout << "resubmit the missing tasks, each stage after the previous one (Slurm):\n";
        for (const auto& r : rb::resubmit_commands(job, status, "slurm"))
            std::cout << "  " << r << "\n";
        std::cout << "or on this machine:\n";
        for (const auto& r : rb::resubmit_commands(job, status, "local"))
            std::cout << "  " << r << "\n";
        std::cout << "(or " << job.dir << "/run-local.sh: done tasks return at once)\n";
    } else {
        std::cout << "complete: " << job.output << "\n";
    }
    return complete ? 0 : 1;
}

} // namespace

RB_CLI_COMMAND("status", "the state of a job folder's tasks: DIR", run_status);

} // namespace rbcli
