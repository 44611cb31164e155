// The engines' files of a job: a Slurm submission script, a local runner, Kubernetes Indexed
// Job manifests and AWS Batch array job definitions. Every task runs
// `rasterbench-cli task DIR --stage S`, which reads the engine's index variable.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "rasterbench/error.h"
#include "rasterbench/job.h"

namespace rb {

namespace fs = std::filesystem;

long long memory_mib(const std::string& size) {
    if (size.empty())
        return 4096;
    const auto bad = [&] {
        return ArgumentError("memory per task '" + size +
                             "' is not a size such as 4G, 500M or 2048 (a positive whole "
                             "number, then K, M, G or T; M when none)");
    };
    // Digits, then at most one unit letter: what Slurm's --mem takes (the job's scripts pass
    // the text on as it is).
    std::size_t i = 0;
    while (i < size.size() && std::isdigit(static_cast<unsigned char>(size[i])))
        ++i;
    if (i == 0 || i > 12 || size.size() - i > 1)
        throw bad();
    const char unit =
        i < size.size() ? char(std::toupper(static_cast<unsigned char>(size[i]))) : 'M';
    if (unit != 'K' && unit != 'M' && unit != 'G' && unit != 'T')
        throw bad();
    const double v = std::stod(size.substr(0, i));
    const double f = unit == 'G' ? 1024 : unit == 'T' ? 1024 * 1024 : unit == 'K' ? 1.0 / 1024 : 1;
    if (!(v > 0) || v * f > 1e12)
        throw bad();
    return std::max(1LL, (long long)(v * f + 0.5));
}

using nlohmann::json;

namespace {

/// Single-quoted for a POSIX shell.
std::string sh(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string task_command(const Job& job, const std::string& stage) {
    return sh(job.options.executable) + " task " + sh(job.dir) + " --stage " + stage +
           " --threads " + std::to_string(job.options.cpus_per_task);
}

std::string job_name(const Job& job) {
    std::string n = fs::path(job.dir).filename().string();
    std::string out;
    for (char c : n)
        out += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '-';
    return "rasterbench-" + (out.empty() ? std::string("job") : out);
}

} // namespace

std::string slurm_submit_command(const Job& job, const std::string& stage,
                                 const std::string& array) {
    std::string s = "sbatch --parsable --job-name=" + job_name(job) + "-" + stage +
                    " --array=" + array +
                    " --cpus-per-task=" + std::to_string(job.options.cpus_per_task) +
                    " --mem=" + job.options.mem_per_task;
    if (!job.options.partition.empty())
        s += " --partition=" + sh(job.options.partition);
    s += " --output=" + sh(job.dir + "/logs/" + stage + "-%a.out");
    return s;
}

std::string task_ranges(const std::vector<int>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
            ++j;
        s += (s.empty() ? "" : ",") + std::to_string(v[i]) +
             (j > i ? "-" + std::to_string(v[j]) : std::string());
        i = j + 1;
    }
    return s;
}

std::vector<std::string> resubmit_commands(const Job& job, const std::vector<StageStatus>& status,
                                           const std::string& engine) {
    if (engine != "slurm" && engine != "local")
        throw ArgumentError("resubmit commands for engine '" + engine + "': slurm or local");
    // From the earliest stage with missing tasks on, each stage's missing tasks after the
    // previous stage's (a later stage reads what the earlier ones write; its done tasks stay
    // done). One block in a subshell that stops at the first failure: pasted into a shell,
    // no stage is submitted without the one it depends on.
    std::vector<std::string> out;
    for (const auto& s : status) {
        if (s.missing.empty())
            continue;
        if (out.empty()) {
            out.push_back("(set -euo pipefail");
            out.push_back(engine == "slurm" ? "dep=()"
                                            : "workers=$(( $(nproc) / " +
                                                  std::to_string(job.options.cpus_per_task) +
                                                  " )); [ \"$workers\" -ge 1 ] || workers=1");
        }
        if (engine == "slurm") {
            out.push_back("id=$(" + slurm_submit_command(job, s.name, task_ranges(s.missing)) +
                          " ${SBATCH_EXTRA:-} \"${dep[@]}\" --wrap " +
                          sh(task_command(job, s.name)) + "); id=${id%%;*}; echo \"" + s.name +
                          ": $id\"; dep=(--dependency=afterok:$id)");
        } else {
            // The indices as seq ranges: a line per stage however many tasks are missing.
            std::string seqs;
            for (std::size_t i = 0; i < s.missing.size();) {
                std::size_t j = i;
                while (j + 1 < s.missing.size() && s.missing[j + 1] == s.missing[j] + 1)
                    ++j;
                seqs += "seq " + std::to_string(s.missing[i]) + " " + std::to_string(s.missing[j]) +
                        "; ";
                i = j + 1;
            }
            out.push_back("{ " + seqs + "} | xargs -P \"$workers\" -I{} " +
                          task_command(job, s.name) + " --index {}");
        }
    }
    if (!out.empty())
        out.push_back(")");
    return out;
}

void write_job_scripts(const Job& job) {
    const fs::path dir(job.dir);
    fs::create_directories(dir / "logs");
    auto write_exec = [](const fs::path& p, const std::string& text) {
        detail::write_text_atomically(p.string(), text, "script");
        fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
    };
    // Slurm.
    {
        std::ostringstream os;
        os << "#!/bin/bash\n# Submits every stage of " << job.dir
           << " as a Slurm job array, each after the previous one succeeded (afterok);\n"
              "# prints the job ids. Extra sbatch options: SBATCH_EXTRA=\"...\".\n"
              "set -euo pipefail\n"
              "dep=()\n";
        for (const auto& s : job.stages) {
            const std::string array = "0-" + std::to_string(s.tasks.size() - 1);
            os << "id=$(" << slurm_submit_command(job, s.name, array)
               << " ${SBATCH_EXTRA:-} \"${dep[@]}\" --wrap " << sh(task_command(job, s.name))
               << ")\nid=${id%%;*}\necho \"" << s.name
               << ": $id\"\ndep=(--dependency=afterok:$id)\n";
        }
        write_exec(dir / "submit-slurm.sh", os.str());
    }
    // Local.
    {
        std::ostringstream os;
        os << "#!/bin/bash\n# Runs every task of " << job.dir
           << " on this machine, stage after stage,\n# with N parallel workers (default: the "
              "cores / cpus per task): run-local.sh [N]\nset -euo pipefail\n"
              "workers=${1:-$(( $(nproc) / "
           << job.options.cpus_per_task << " ))}\n[ \"$workers\" -ge 1 ] || workers=1\n";
        for (const auto& s : job.stages)
            os << "seq 0 " << s.tasks.size() - 1 << " | xargs -P \"$workers\" -I{} "
               << task_command(job, s.name) << " --index {}\n";
        write_exec(dir / "run-local.sh", os.str());
    }
    // Kubernetes: one Indexed Job per stage; the job folder is expected at the same path in
    // the container (a shared volume, claim "rasterbench-job").
    fs::create_directories(dir / "kubernetes");
    fs::create_directories(dir / "aws-batch");
    std::ostringstream aws;
    aws << "#!/bin/bash\n# Registers the job definitions and submits the stages as AWS Batch "
           "array jobs, each\n# after the previous one. Queue: AWS_BATCH_QUEUE (default "
           "rasterbench).\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\n"
           "queue=${AWS_BATCH_QUEUE:-rasterbench}\ndep=()\n";
    int k = 0;
    for (const auto& s : job.stages) {
        const std::string name = job_name(job) + "-" + s.name;
        const std::size_t n = s.tasks.size();
        const std::string mem = std::to_string(memory_mib(job.options.mem_per_task)) + "Mi";
        json command = json::array({job.options.executable, "task", job.dir, "--stage", s.name,
                                    "--threads", std::to_string(job.options.cpus_per_task)});
        std::ostringstream y;
        y << "# Stage " << s.name << " of " << job.dir
          << ": an Indexed Job, one pod per task (JOB_COMPLETION_INDEX).\n"
             "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: "
          << name << "\nspec:\n  completionMode: Indexed\n  completions: " << n
          << "\n  parallelism: " << std::min<std::size_t>(n, 100) << "\n  backoffLimit: " << 3 * n
          << "\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n"
             "        - name: task\n          image: "
          << json(job.options.image).dump() << "\n          command: " << command.dump()
          << "\n          resources:\n            requests:\n              cpu: \""
          << job.options.cpus_per_task << "\"\n              memory: " << mem
          << "\n            limits:\n              memory: " << mem
          << "\n          volumeMounts:\n            - name: job\n              mountPath: "
          << json(job.dir).dump()
          << "\n      volumes:\n        - name: job\n          persistentVolumeClaim:\n"
             "            claimName: rasterbench-job\n";
        detail::write_text_atomically(
            (dir / "kubernetes" / (std::to_string(k) + "-" + s.name + ".yaml")).string(), y.str(),
            "manifest");
        json def{{"jobDefinitionName", name},
                 {"type", "container"},
                 {"retryStrategy", {{"attempts", 3}}},
                 {"containerProperties",
                  {{"image", job.options.image},
                   {"command", command},
                   {"resourceRequirements",
                    json::array(
                        {{{"type", "VCPU"}, {"value", std::to_string(job.options.cpus_per_task)}},
                         {{"type", "MEMORY"},
                          {"value", std::to_string(memory_mib(job.options.mem_per_task))}}})}}}};
        detail::write_text_atomically(
            (dir / "aws-batch" / (std::to_string(k) + "-" + s.name + ".json")).string(),
            def.dump(2), "job definition");
        // AWS Batch array jobs have at least 2 children: one task is a plain job.
        aws << "aws batch register-job-definition --cli-input-json file://" << k << "-" << s.name
            << ".json >/dev/null\nid=$(aws batch submit-job --job-name " << name
            << " --job-queue \"$queue\" --job-definition " << name
            << (n > 1 ? " --array-properties size=" + std::to_string(n) : std::string())
            << " \"${dep[@]}\" --query jobId --output text)\necho \"" << s.name
            << ": $id\"\ndep=(--depends-on jobId=$id)\n";
        ++k;
    }
    write_exec(dir / "aws-batch" / "submit.sh", aws.str());
}

} // namespace rb
