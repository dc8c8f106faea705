#pragma once
// condense-cli profiles / plan: the hardware profiles and the fit planner (core/pipeline/plan_request.h).

#include <cstdint>
#include <string>

#include "core/pipeline/plan_request.h"

namespace condense::cli {

// Where the built-in profiles are (next to the executable or the source tree) and the user's.
pipeline::ProfilesRequest profilesRequest();

struct ProfilesOptions {
    bool json = false;
};
int runProfiles(const ProfilesOptions& o);

struct PlanOptions {
    std::string model;
    std::string profile;
    std::uint64_t ctx = 4096;
    std::string kvType = "f16";
    bool json = false;
    std::string planOut;
};
// 0: it fits; 1: an error, or nothing fits (the refusal says by how much); 2: usage.
int runPlan(const PlanOptions& o);

} // namespace condense::cli
