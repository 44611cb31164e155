#pragma once
// The stages after the composite: planning (job_post_plan.cpp) and running their tasks
// (job_post.cpp).
#include <optional>

#include "rasterbench/job.h"

namespace rb::detail {

/// Appends to job.stages one stage per group of the steps after the composite at `ci`
/// (after the tiles stage, before assemble). `bands`, `bytes_per`: the mosaic's, for the
/// estimates.
void plan_post_stages(Job& job, std::size_t ci, int bands, int bytes_per);
/// The stage before `stage` (which is one of job.stages).
const JobStage& previous_stage(const Job& job, const JobStage& stage);
/// Runs task `index` of a stage after the composite into its output (atomically).
void run_post_task(const Job& job, const JobStage& stage, int index, int threads,
                   Progress progress);

} // namespace rb::detail
