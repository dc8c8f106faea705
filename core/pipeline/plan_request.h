#pragma once
// PlanRequest -> runPlan: "will this model fit that machine, and at which type?" The CLI's
// `plan` and the GUI's Quantize page use it; `profiles` lists the machines (ProfilesRequest).
//
// The model may be a Hugging Face folder, a .safetensors file, a GGUF file, or a folder that
// holds only a config.json (plan before you download): its tensors then come from the
// architecture (plan/spec_tensors.h), sized as llama-quantize would write them for each mix.
// Profiles come from the built-in folder (resources/profiles, found through
// plan::builtinProfileDirCandidates) and the user's folder, user ids replacing built-in ones.

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/arch/model_spec.h"
#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/plan/fit_planner.h"
#include "core/plan/hardware_profile.h"
#include "core/plan/mixes.h"

namespace condense::pipeline {

struct ProfilesRequest {
    std::vector<std::filesystem::path> builtinCandidates; // the first existing folder is used
    std::filesystem::path userDir;                        // may be empty or missing
};

// NotFound naming every candidate when none exists; loadProfiles' errors otherwise.
Result<std::vector<plan::HardwareProfile>> runProfiles(const ProfilesRequest& request);

struct PlanRequest {
    std::filesystem::path model;
    std::string profileId;                       // looked up in `profiles`
    ProfilesRequest profiles;
    std::optional<plan::HardwareProfile> profile; // or this profile (the GUI's edited one); then profileId is unused
    std::uint64_t context = 4096;
    plan::KvCacheType kvType = plan::KvCacheType::F16;
    std::vector<std::string> mixes;              // only these (empty: the profile's preferred, then all)
    std::filesystem::path planOut;               // save the chosen plan (QuantPlan JSON) here when it fits
};

struct PlanOutcome {
    plan::HardwareProfile profile;
    arch::ModelSpec spec;
    bool configOnly = false;    // planned from config.json alone
    std::string modelLabel;     // the file named in messages
    plan::FitResult fit;
};

Result<PlanOutcome> runPlan(const PlanRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

// ---- The model side, shared with quantize --dry-run ------------------------------------------

// A folder with a config.json and no weights (*.safetensors, *.gguf).
bool isConfigOnlyFolder(const std::filesystem::path& path);

struct PlanModel {
    arch::ModelSpec spec;
    std::vector<plan::PlanTensorInput> tensors; // in llama-quantize's order
    std::string label;
    bool configOnly = false;
};

// The tensors a quantizer would see: from config.json alone (config-only folder), from the
// conversion layout (Hugging Face input, F16 as llama-quantize's input), or from the GGUF.
Result<PlanModel> readPlanModel(const std::filesystem::path& path, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
