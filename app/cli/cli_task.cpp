// rasterbench-cli task: runs one task of a job folder (the array index from the command line
// or the engine's variable); a task already done returns at once.
#include <cstdlib>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/job.h"

namespace rbcli {

namespace {

int run_task(const Args& args) {
    std::string dir, stage;
    int index = -1, threads = 0;
    auto usage = [](std::ostream& os) {
        os << "usage: rasterbench-cli task DIR [--stage S] [--index I] [--threads N]\n"
              "\nRuns one task of the job in DIR. Without --index the index comes from "
              "SLURM_ARRAY_TASK_ID,\nJOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX. "
              "Without --stage: the first stage not complete.\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (a == "--stage")
            stage = option_value(args, i);
        else if (a == "--index") {
            index = parse_int(option_value(args, i), "--index");
            if (index < 0)
                throw UsageError("--index " + std::to_string(index) +
                                 ": a task index is 0 or more");
        } else if (a == "--threads")
            threads = parse_int(option_value(args, i), "--threads");
        else
            return false;
        return true;
    });
    if (!parsed.output.empty())
        throw UsageError("task writes the job's own files: no -o");
    if (parsed.answered)
        return 0;
    dir = one_input(parsed);
    if (dir.empty())
        throw UsageError("missing the job folder DIR");
    const rb::Job job = rb::load_job(dir);
    if (stage.empty()) {
        for (const auto& s : rb::job_status(job))
            if (!s.missing.empty()) {
                stage = s.name;
                break;
            }
        if (stage.empty()) {
            std::cout << "job complete: nothing to run\n";
            return 0;
        }
    }
    const std::size_t tasks = job.stage(stage).tasks.size();
    if (index < 0) {
        for (const char* var :
             {"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"})
            if (const char* v = std::getenv(var); v && *v) {
                index = parse_int(v, var);
                std::cout << "index " << index << " from " << var << "\n";
                break;
            }
        if (index < 0) {
            if (tasks != 1)
                throw UsageError("no --index and none of SLURM_ARRAY_TASK_ID, "
                                 "JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set");
            index = 0;
        }
    }
    const rb::TaskOutcome r = rb::run_job_task(dir, stage, index, threads);
    if (r.already_done)
        std::cout << stage << " " << index << ": already done\n";
    else
        std::cout << stage << " " << index << ": done in " << r.seconds << " s (" << r.cpu_seconds
                  << " CPU-s, peak " << r.peak_memory / (1 << 20) << " MiB)\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND("task", "run one task of a job folder: DIR [--stage S] [--index I]", run_task);

} // namespace rbcli
