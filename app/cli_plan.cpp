#include "app/cli_plan.h"
#include "app/cli_output.h"
#include "app/message_text.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/pipeline/plan_request.h"

#ifndef CONDENSE_PROFILES_SOURCE_DIR
#error "CONDENSE_PROFILES_SOURCE_DIR must name resources/profiles of the source tree"
#endif

namespace condense::cli {

namespace {

namespace fs = std::filesystem;

} // namespace

pipeline::ProfilesRequest profilesRequest()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    pipeline::ProfilesRequest r;
    r.builtinCandidates = plan::builtinProfileDirCandidates(ec ? fs::path() : exe.parent_path(), fs::path(CONDENSE_PROFILES_SOURCE_DIR));
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    r.userDir = plan::userProfileDir(xdg ? xdg : "", home ? home : "");
    return r;
}

namespace {

std::string gib(std::uint64_t b)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string memoryLine(const plan::MemoryBreakdown& m)
{
    return "weights " + gib(m.weights) + " + KV cache " + gib(m.kvCache) + " + compute " + gib(m.compute) + " + runtime " +
           gib(m.overhead) + " = " + gib(m.total());
}

std::string poolsText(const plan::HardwareProfile& p)
{
    const auto pool = [](const char* what, const plan::MemoryPool& m) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%s %.1f GiB (%.1f usable, %.0f GB/s)", what, static_cast<double>(m.totalBytes) / (1u << 30),
                      static_cast<double>(m.usableBytes) / (1u << 30), m.bandwidthGBs);
        return std::string(buf);
    };
    std::string s;
    if (p.vram.present) s += pool("VRAM", p.vram);
    if (p.unified.present) s += pool("unified", p.unified);
    if (p.ram.present) s += (s.empty() ? "" : ", ") + pool("RAM", p.ram);
    return s;
}

} // namespace

int runProfiles(const ProfilesOptions& o)
{
    auto all = pipeline::runProfiles(profilesRequest());
    if (!all) return fail(all.error());
    if (o.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& p : *all) arr.push_back(nlohmann::json::parse(plan::hardwareProfileJson(p, -1)));
        std::cout << arr.dump(2) << '\n';
        return 0;
    }
    std::size_t w = 2;
    for (const auto& p : *all) w = std::max(w, p.id.size());
    for (const auto& p : *all) {
        std::string id = p.id;
        id.resize(w, ' ');
        std::cout << id << "  " << plan::deviceKindKey(p.kind) << "  " << p.name << (p.builtin ? "" : "  [user: " + p.file.string() + "]") << '\n';
        std::cout << std::string(w + 2, ' ') << poolsText(p) << "; prefers";
        for (const auto& f : p.preferredFormats) std::cout << ' ' << f;
        std::cout << '\n';
    }
    return 0;
}

int runPlan(const PlanOptions& o)
{
    const auto kv = plan::kvCacheTypeFromKey(o.kvType);
    if (!kv) {
        std::cerr << "condense-cli: error: --kv-type " << o.kvType << ": use f16 or q8_0\n";
        return 2;
    }
    pipeline::PlanRequest req;
    req.model = o.model;
    req.profileId = o.profile;
    req.profiles = profilesRequest();
    req.context = o.ctx;
    req.kvType = *kv;
    req.planOut = o.planOut;
    jobs::NullSink sink;
    auto r = pipeline::runPlan(req, sink);
    if (!r) return fail(r.error());
    const plan::FitResult& f = r->fit;
    for (const auto& w : f.warnings) std::cerr << "condense-cli: warning: " << messageText(w) << '\n';

    if (o.json) {
        nlohmann::json j = nlohmann::json::parse(plan::fitResultJson(f, -1));
        j["model"] = r->modelLabel;
        j["config_only"] = r->configOnly;
        nlohmann::json reasons = nlohmann::json::array();
        for (const auto& m : f.reasons) reasons.push_back(messageText(m));
        j["reason_text"] = reasons;
        std::cout << j.dump(2) << '\n';
    } else {
        const plan::HardwareProfile& p = r->profile;
        std::cout << "model:    " << r->modelLabel << (r->configOnly ? "  (config.json only: sizes as llama-quantize would write them)" : "")
                  << '\n'
                  << "profile:  " << p.id << "  " << p.name << '\n'
                  << "          " << poolsText(p) << '\n'
                  << "context:  " << f.context << " tokens, KV cache " << plan::kvCacheTypeKey(f.kvType) << '\n';
        if (f.fits) {
            char line[256];
            std::snprintf(line, sizeof line, "mix:      %s, %.4f bits/weight, file ~%s (%s)\n", f.plan.mix.c_str(), f.bitsPerWeight,
                          humanBytes(f.fileBytes).c_str(), gib(f.fileBytes).c_str());
            std::cout << line;
            if (p.kind == plan::DeviceKind::Gpu) {
                std::cout << "VRAM:     " << memoryLine(f.chosen.device) << " of " << gib(p.vram.usableBytes) << " usable\n";
                std::cout << "RAM:      " << memoryLine(f.chosen.host) << " of " << gib(p.ram.usableBytes) << " usable\n";
                std::cout << "offload:  " << f.chosen.gpuLayers << " of " << f.layers << " layers (-ngl " << f.chosen.gpuLayers << ")\n";
            } else {
                std::cout << "memory:   " << memoryLine(f.chosen.device) << " of " << gib(p.primary().usableBytes) << " usable\n";
            }
            std::snprintf(line, sizeof line, "speed:    ~%.1f tokens/s generation (tg), ~%.0f tokens/s prompt (pp), predicted\n",
                          f.tgTokensPerSecond, f.ppTokensPerSecond);
            std::cout << line;
            std::map<DType, std::pair<std::size_t, std::uint64_t>> perType;
            for (const auto& t : f.plan.tensors) {
                perType[t.type].first += 1;
                perType[t.type].second += t.bytes();
            }
            std::cout << "types:   ";
            for (const auto& [type, v] : perType) std::cout << ' ' << dtypeName(type) << " x" << v.first << " (" << humanBytes(v.second) << ")";
            std::cout << '\n';
        }
        std::cout << "why:\n";
        for (const auto& m : f.reasons) std::cout << "  " << messageText(m) << '\n';
    }
    if (!f.fits) {
        std::cerr << "condense-cli: error: " << r->modelLabel << ": "
                  << (f.reasons.empty() ? std::string("nothing fits") : messageText(f.reasons.back())) << '\n';
        return 1;
    }
    if (!o.planOut.empty() && !o.json) std::cout << "plan written to " << o.planOut << '\n';
    return 0;
}

} // namespace condense::cli
