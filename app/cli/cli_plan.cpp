// rasterbench-cli plan: splits a recipe into a job folder of tasks for a cluster's job arrays
// (Slurm, Kubernetes, AWS Batch) or this machine, and prints what it will cost.
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "rasterbench/job.h"

namespace rbcli {

namespace {

const char* kPlanUsage =
    "usage: rasterbench-cli plan RECIPE.json [SCENE...] --job-dir DIR [--tile-size PX]\n"
    "           [--engine slurm|kubernetes|aws-batch|local] [--cpus-per-task N]\n"
    "           [--mem-per-task SIZE] [--partition P] [--image IMAGE] [-o OUT] [--no-sample]\n";

std::string self_executable() {
    char buf[PATH_MAX] = {};
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, std::size_t(n)) : std::string("rasterbench-cli");
}

int run_plan(const Args& args) {
    std::string recipe_path, dir;
    std::vector<rb::SceneSource> scenes;
    rb::JobPlanOptions o;
    auto usage = [](std::ostream& os) {
        os << kPlanUsage
           << "\nWrites DIR/job.json (frozen recipe, scenes, tiles with their halo), "
              "submit-slurm.sh,\nrun-local.sh, kubernetes/ and aws-batch/, and prints "
              "the plan: tasks per stage,\nbytes, memory, CPU-seconds and wall clock "
              "for 1..1000 workers, from timing one\nscene task and one tile in a "
              "scratch folder (--no-sample: from a model).\n"
              "  --tile-size PX     output tile side (default 2048; rounded up to the "
              "block size)\n"
              "  --engine E         slurm (default), kubernetes, aws-batch, local: "
              "which command to print\n"
              "  --cpus-per-task N  threads per task (default 1)\n"
              "  --mem-per-task S   memory per task (default 4G)\n"
              "  --partition P      Slurm partition\n"
              "  --image IMAGE      container image (Kubernetes, AWS Batch)\n"
              "  -o, --output OUT   the final mosaic (default: the recipe's output.path, "
              "else DIR/mosaic.tif)\n";
    };
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (a == "--job-dir") {
            dir = option_value(args, i);
        } else if (a == "--tile-size") {
            o.tile_size = parse_int(option_value(args, i), "--tile-size");
        } else if (a == "--engine") {
            o.engine = option_value(args, i);
            if (o.engine != "slurm" && o.engine != "kubernetes" && o.engine != "aws-batch" &&
                o.engine != "local")
                throw UsageError("--engine: '" + o.engine +
                                 "' is not slurm, kubernetes, aws-batch or local");
        } else if (a == "--cpus-per-task") {
            o.cpus_per_task = parse_int(option_value(args, i), "--cpus-per-task");
        } else if (a == "--mem-per-task") {
            o.mem_per_task = option_value(args, i);
        } else if (a == "--partition") {
            o.partition = option_value(args, i);
        } else if (a == "--image") {
            o.image = option_value(args, i);
        } else if (a == "--no-sample") {
            o.sample = false;
        } else {
            return false;
        }
        return true;
    });
    if (parsed.answered)
        return 0;
    o.output = parsed.output;
    for (std::size_t k = 0; k < parsed.positional.size(); ++k) {
        if (k == 0)
            recipe_path = parsed.positional[0];
        else
            scenes.push_back(rb::SceneSource{{parsed.positional[k]}});
    }
    if (recipe_path.empty())
        throw UsageError(std::string("missing RECIPE.json (") + kPlanUsage + ")");
    if (dir.empty())
        throw UsageError("missing --job-dir DIR");
    const rb::Recipe recipe = rb::load_recipe(recipe_path);
    o.base_dir = std::filesystem::path(recipe_path).parent_path().string();
    o.executable = self_executable();
    const rb::Job job = rb::plan_job(recipe, scenes, dir, o);
    std::cout << rb::describe_job(job);
    std::cout << "wrote " << job.dir << "/job.json\n";
    if (o.engine == "slurm")
        std::cout << "submit: " << job.dir << "/submit-slurm.sh\n";
    else if (o.engine == "kubernetes")
        std::cout << "submit: kubectl apply -f " << job.dir
                  << "/kubernetes/ (one stage after another)\n";
    else if (o.engine == "aws-batch")
        std::cout << "submit: " << job.dir << "/aws-batch/submit.sh\n";
    else
        std::cout << "run: " << job.dir << "/run-local.sh [WORKERS]\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND("plan", "split a recipe into a job folder for a cluster: RECIPE.json --job-dir DIR",
               run_plan);

} // namespace rbcli
