// rasterbench-cli run: executes a recipe (the tuned pipeline as versioned JSON, see
// engine/include/rasterbench/recipe.h) on the recipe's scenes or those given here; --dry-run
// prints what would be read and written; --template prints a commented default recipe.
#include <filesystem>
#include <iostream>

#include "cli_commands.h"
#include "cli_flags.h"
#include "cli_progress.h"
#include "rasterbench/recipe.h"

namespace rbcli {

namespace {

const char* kRunUsage =
    "usage: rasterbench-cli run RECIPE.json [SCENE...] [-o OUT | --out-dir DIR] [--dry-run]\n"
    "           [--threads N] [--progress]\n"
    "       rasterbench-cli run --template STEP[,STEP...]\n";

void usage(std::ostream& os) {
    os << kRunUsage
       << "\nRuns the steps of RECIPE.json (deband, fill, reproject scene by scene; composite\n"
          "of all scenes; steps after a composite on its result). Outputs are renamed into\n"
          "place only when every step succeeded.\n\n"
          "  SCENE...          scenes to use instead of the recipe's (its qa_from applies)\n"
          "  -o, --output OUT  the output, instead of the recipe's output.path (one output)\n"
          "  --out-dir DIR     relative output paths resolve in DIR (created if missing);\n"
          "                    without output.pattern each scene keeps its file name there\n"
          "  --dry-run         print the scenes, the resolved steps and the outputs; run nothing\n"
          "  --threads N       worker threads (default: all cores)\n"
          "  --progress        print progress on stderr\n"
          "  --template STEPS  print a default recipe with these steps (comma-separated: "
       <<
        [] {
            std::string s;
            for (const auto& t : rb::recipe_step_types())
                s += (s.empty() ? "" : ", ") + t;
            return s;
        }()
       << "),\n"
          "                    every parameter with a comment giving its help and range\n";
}

std::string scene_text(const rb::SceneSource& s) {
    std::string t;
    for (const auto& f : s.files)
        t += (t.empty() ? "" : " + ") + f;
    return t;
}

int run_run(const Args& args) {
    std::string recipe_path, output, out_dir, templ;
    std::vector<rb::SceneSource> scenes;
    bool dry = false, progress = false, has_template = false;
    rb::RecipeRunOptions options;
    const ParsedArgs parsed = parse_args(args, usage, [&](const Args& args, std::size_t& i) {
        const std::string& a = args[i];
        if (a == "--out-dir") {
            out_dir = option_value(args, i);
        } else if (a == "--dry-run") {
            dry = true;
        } else if (a == "--progress") {
            progress = true;
        } else if (a == "--threads") {
            options.threads = parse_int(option_value(args, i), "--threads");
            if (options.threads < 0)
                throw UsageError("--threads must be >= 0");
        } else if (a == "--template") {
            templ = option_value(args, i);
            has_template = true;
        } else {
            return false;
        }
        return true;
    });
    if (parsed.answered)
        return 0;
    output = parsed.output;
    for (std::size_t k = 0; k < parsed.positional.size(); ++k) {
        if (k == 0)
            recipe_path = parsed.positional[0];
        else
            scenes.push_back(rb::SceneSource{{parsed.positional[k]}});
    }
    if (has_template) {
        if (!recipe_path.empty() || !output.empty() || !out_dir.empty() || dry)
            throw UsageError("--template takes no recipe, scenes or outputs");
        try {
            std::cout << rb::recipe_template(split(templ));
        } catch (const rb::ArgumentError& e) {
            throw UsageError(std::string("--template: ") + e.what());
        }
        return 0;
    }
    if (recipe_path.empty())
        throw UsageError(std::string("missing RECIPE.json (") + kRunUsage + ")");
    if (!output.empty() && !out_dir.empty())
        throw UsageError("give -o OUT or --out-dir DIR, not both");

    const rb::Recipe recipe = rb::load_recipe(recipe_path);
    for (const auto& note : recipe.notes)
        std::cerr << "note: " << note << "\n";
    options.base_dir = std::filesystem::path(recipe_path).parent_path().string();
    options.recipe_path = recipe_path;
    options.output = output;
    options.out_dir = out_dir;
    if (dry) {
        const rb::RecipePlan plan = rb::plan_recipe(recipe, scenes, options);
        auto count = [](std::size_t n, const char* what) {
            return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
        };
        std::cout << "recipe " << recipe_path << " (version " << rb::kRecipeVersion
                  << "): " << count(recipe.steps.size(), "step") << ", "
                  << count(plan.scenes.size(), "scene") << "\n";
        if (!recipe.description.empty())
            std::cout << "description: " << recipe.description << "\n";
        for (std::size_t k = 0; k < plan.scenes.size(); ++k)
            std::cout << "scene " << k + 1 << ": " << scene_text(plan.scenes[k]) << "\n";
        for (const auto& s : plan.steps)
            std::cout << s << "\n";
        for (const auto& o : plan.outputs)
            std::cout << "output: " << o << "\n";
        return 0;
    }
    rb::Progress p;
    if (progress)
        p = stderr_progress("run");
    const rb::RecipePlan plan = rb::run_recipe(recipe, scenes, options, p);
    for (const auto& n : plan.notes)
        std::cout << n << "\n";
    for (const auto& o : plan.outputs)
        std::cout << "wrote " << o << "\n";
    return 0;
}

} // namespace

RB_CLI_COMMAND("run", "run a recipe: RECIPE.json [SCENE...] [-o OUT | --out-dir DIR] [--dry-run]",
               run_run);

} // namespace rbcli
