#pragma once
// HardwareProfile: the machine a model must run on, as the fit planner (fit_planner.h) needs it.
// Built-in profiles are JSON files in resources/profiles/ (one profile per file; the schema is
// documented in resources/profiles/README.md); user profiles have the same schema and live in
// the user's config folder (<config>/condense/profiles). A user profile with the id of a
// built-in one replaces it.
//
// JSON (schema_version 1), units in the key names:
//   {
//     "schema_version": 1,
//     "id": "rtx-3060-12gb",                    // [a-z0-9][a-z0-9-._]*, unique
//     "name": "NVIDIA GeForce RTX 3060 (12 GB)",
//     "kind": "gpu",                            // "cpu" | "apple" | "gpu"
//     "runtime": "llama.cpp-cuda",              // "llama.cpp-cpu" | "llama.cpp-metal" | "llama.cpp-cuda"
//     "memory": {                               // pools by kind: cpu -> ram; apple -> unified;
//       "vram": {"total_gib": 12, "usable_gib": 11, "bandwidth_gb_s": 360},   // gpu -> vram + ram
//       "ram":  {"total_gib": 32, "usable_gib": 24, "bandwidth_gb_s": 51.2}
//     },
//     "compute_tflops": {"gpu": 51.2, "cpu": 1.0},  // peak dense; cpu kinds: "cpu"; apple/gpu: "gpu" (+ "cpu" for gpu)
//     "efficiency": {"tg": 0.7, "pp": 0.3},     // share of peak bandwidth (tg) / compute (pp) llama.cpp reaches, (0, 1]
//     "runtime_overhead_mib": 600,              // optional: the runtime's own memory (default by runtime)
//     "preferred_formats": ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"],   // llama-quantize mixes (plan::findMix)
//     "notes": "free text",
//     "sources": [{"title": "...", "url": "https://..."}]          // where the figures come from
//   }
// GiB = 2^30 bytes (vendors' "16 GB" of RAM/VRAM is 16 GiB); GB/s = 10^9 bytes/s; TFLOPS = 10^12/s.
// Unknown keys are ignored. Every error names the file and the field ("memory.ram.usable_gib").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace condense::plan {

enum class DeviceKind : std::uint8_t { Cpu, Apple, Gpu };
std::string_view deviceKindKey(DeviceKind k) noexcept; // "cpu", "apple", "gpu"

struct MemoryPool {
    bool present = false;
    std::uint64_t totalBytes = 0;
    std::uint64_t usableBytes = 0;   // what a model may take (the OS and other programs keep the rest)
    double bandwidthGBs = 0.0;       // peak, 10^9 bytes per second
};

struct ProfileSource {
    std::string title;
    std::string url;
};

struct HardwareProfile {
    std::string id;
    std::string name;
    DeviceKind kind = DeviceKind::Cpu;
    std::string runtime;             // "llama.cpp-cpu", "llama.cpp-metal", "llama.cpp-cuda"
    MemoryPool ram;                  // cpu, and the host of a gpu
    MemoryPool vram;                 // gpu
    MemoryPool unified;              // apple
    double cpuTflops = 0.0;          // peak dense FP32 of the CPU cores (0 when not given)
    double gpuTflops = 0.0;          // peak dense FP16 of the GPU (0 when not given)
    double tgEfficiency = 0.6;
    double ppEfficiency = 0.3;
    std::optional<std::uint64_t> runtimeOverheadBytes;
    std::vector<std::string> preferredFormats; // mix names, as written
    std::string notes;
    std::vector<ProfileSource> sources;
    std::filesystem::path file;      // where it was read from (empty: made in code)
    bool builtin = false;

    // The pool the model's weights live in first: vram (gpu), unified (apple), ram (cpu).
    const MemoryPool& primary() const;
};

// Parses one profile. `label` names the source in errors (the file path).
Result<HardwareProfile> parseHardwareProfile(std::string_view json, const std::string& label);
// Reads one profile file (size-checked).
Result<HardwareProfile> readHardwareProfile(const std::filesystem::path& file);
// JSON of a profile in the schema above (what `condense-cli profiles --json` prints per profile).
std::string hardwareProfileJson(const HardwareProfile& p, int indent = 2);

// Every *.json of `builtinDir` (required to exist), then of `userDir` (optional: empty or
// missing is fine); a user profile with a built-in id replaces it. Sorted: built-in order by
// file name, user-only profiles after them. Errors: an unreadable or invalid file (naming the
// file and the field), two files of one folder with the same id.
Result<std::vector<HardwareProfile>> loadProfiles(const std::filesystem::path& builtinDir,
                                                  const std::filesystem::path& userDir = {});

// Where the built-in profiles are, most specific first (path arithmetic only):
//   installed:  <prefix>/bin/condense-cli -> <prefix>/share/condense/profiles
//   build tree: the source tree's resources/profiles (compiled into the executable)
std::vector<std::filesystem::path> builtinProfileDirCandidates(const std::filesystem::path& executableDir,
                                                               const std::filesystem::path& sourceTreeProfiles);
// The user's profile folder: $XDG_CONFIG_HOME/condense/profiles, else $HOME/.config/condense/profiles
// (the values are passed in: core reads no environment). Empty when neither is set.
std::filesystem::path userProfileDir(std::string_view xdgConfigHome, std::string_view home);

} // namespace condense::plan
