#pragma once
// The Quantize page's work off the GUI thread: profiles, the model's tensor list, the plan
// with the user's edits, and the run folder a new run gets. Each runs inside a JobRunner job.
#include <QString>

#include <filesystem>
#include <map>
#include <string>

#include "core/common/result.h"
#include "ui/jobs/plan_types.h"

namespace condense::ui {

// The fit planner's plan for `profile`, then the user's type edits (tensor name -> ggml type
// name) applied through llama-quantize's rules (planMix with exact-name overrides, so a type a
// row cannot hold gets its fallback), and the memory recomputed with the edited weights.
// `mix` empty: the best mix that fits; else only that mix.
Result<PlanView> computePlanView(const pipeline::PlanModel& model, const plan::HardwareProfile& profile, const plan::FitOptions& options,
                                 const std::map<std::string, std::string>& edits);

// A folder for a new run under `base` that does not exist yet: <base>/<model>-<mix>, else with
// "-2", "-3", ... appended (a run never writes over an earlier one). Creates `base` if needed.
Result<std::filesystem::path> freshRunFolder(const std::filesystem::path& base, const std::string& model, const std::string& mix);

} // namespace condense::ui
