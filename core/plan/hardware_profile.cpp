#include "core/plan/hardware_profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/io/json_file.h"
#include "core/plan/mixes.h"

namespace condense::plan {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// A profile is a few kB; anything larger is not one.
constexpr std::uint64_t kMaxProfileBytes = 1ull << 20;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
// Larger than any machine we plan for (and small enough for the byte count to stay exact).
constexpr double kMaxGiB = 1 << 20;

// Reads fields of one JSON object and names the field path in errors.
class Reader {
public:
    Reader(const std::string& label) : m_label(label) {}

    Error fail(const std::string& field, const std::string& what) const
    {
        return makeError(ErrorCode::Malformed, m_label, "field '" + field + "': " + what);
    }

    Result<const Json*> member(const Json& obj, const std::string& path, const char* key, bool required) const
    {
        const auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) return fail(path, "missing");
            return static_cast<const Json*>(nullptr);
        }
        return &*it;
    }

    Result<std::string> string(const Json& obj, const std::string& path, const char* key, bool required) const
    {
        auto m = member(obj, path, key, required);
        if (!m) return std::move(m).error();
        if (!*m) return std::string();
        if (!(*m)->is_string()) return fail(path, "must be a string");
        std::string s = (*m)->get<std::string>();
        if (required && s.empty()) return fail(path, "must not be empty");
        return s;
    }

    // A number in (0, max]; nullopt when absent and not required.
    Result<std::optional<double>> positive(const Json& obj, const std::string& path, const char* key, bool required,
                                           double max) const
    {
        auto m = member(obj, path, key, required);
        if (!m) return std::move(m).error();
        if (!*m) return std::optional<double>();
        if (!(*m)->is_number()) return fail(path, "must be a number");
        const double v = (*m)->get<double>();
        if (!std::isfinite(v) || v <= 0) return fail(path, "must be a positive number (got " + (*m)->dump() + ")");
        if (v > max) return fail(path, "must be at most " + Json(max).dump() + " (got " + (*m)->dump() + ")");
        return std::optional<double>(v);
    }

    Result<const Json*> object(const Json& obj, const std::string& path, const char* key, bool required) const
    {
        auto m = member(obj, path, key, required);
        if (!m) return std::move(m).error();
        if (*m && !(*m)->is_object()) return fail(path, "must be an object");
        return *m;
    }

private:
    const std::string& m_label;
};

std::uint64_t gibToBytes(double gib) { return static_cast<std::uint64_t>(std::llround(gib * kGiB)); }

Result<MemoryPool> readPool(const Reader& r, const Json& memory, const char* key, bool required)
{
    const std::string path = std::string("memory.") + key;
    auto o = r.object(memory, path, key, required);
    if (!o) return std::move(o).error();
    MemoryPool pool;
    if (!*o) return pool;
    const Json& j = **o;
    auto total = r.positive(j, path + ".total_gib", "total_gib", true, kMaxGiB);
    if (!total) return std::move(total).error();
    auto usable = r.positive(j, path + ".usable_gib", "usable_gib", true, kMaxGiB);
    if (!usable) return std::move(usable).error();
    if (**usable > **total) return r.fail(path + ".usable_gib", "must not exceed total_gib");
    auto bw = r.positive(j, path + ".bandwidth_gb_s", "bandwidth_gb_s", true, 1e6);
    if (!bw) return std::move(bw).error();
    pool.present = true;
    pool.totalBytes = gibToBytes(**total);
    pool.usableBytes = gibToBytes(**usable);
    pool.bandwidthGBs = **bw;
    return pool;
}

bool validId(const std::string& id)
{
    if (id.empty() || id.size() > 64) return false;
    const auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!ok(id[0])) return false;
    return std::all_of(id.begin(), id.end(), [&](char c) { return ok(c) || c == '-' || c == '.' || c == '_'; });
}

Result<HardwareProfile> parse(const Json& j, const std::string& label)
{
    const Reader r(label);
    if (!j.is_object()) return makeError(ErrorCode::Malformed, label, "a hardware profile must be a JSON object");
    HardwareProfile p;
    {
        auto m = r.member(j, "schema_version", "schema_version", true);
        if (!m) return std::move(m).error();
        if (!(*m)->is_number_integer()) return r.fail("schema_version", "must be an integer");
        if ((*m)->get<std::int64_t>() != 1)
            return makeError(ErrorCode::UnsupportedVersion, label, "field 'schema_version': " + (*m)->dump() + " (this version reads 1)");
    }
    auto id = r.string(j, "id", "id", true);
    if (!id) return std::move(id).error();
    if (!validId(*id)) return r.fail("id", "'" + *id + "' is not an id (lower-case letters, digits, '-', '.', '_'; at most 64)");
    p.id = std::move(*id);
    auto name = r.string(j, "name", "name", true);
    if (!name) return std::move(name).error();
    p.name = std::move(*name);

    auto kind = r.string(j, "kind", "kind", true);
    if (!kind) return std::move(kind).error();
    if (*kind == "cpu") p.kind = DeviceKind::Cpu;
    else if (*kind == "apple") p.kind = DeviceKind::Apple;
    else if (*kind == "gpu") p.kind = DeviceKind::Gpu;
    else return r.fail("kind", "'" + *kind + "' is not one of cpu, apple, gpu");

    auto runtime = r.string(j, "runtime", "runtime", true);
    if (!runtime) return std::move(runtime).error();
    const char* wantRuntime = p.kind == DeviceKind::Cpu ? "llama.cpp-cpu" : p.kind == DeviceKind::Apple ? "llama.cpp-metal" : "llama.cpp-cuda";
    if (*runtime != wantRuntime) return r.fail("runtime", "'" + *runtime + "': a " + *kind + " profile targets " + wantRuntime);
    p.runtime = std::move(*runtime);

    auto memory = r.object(j, "memory", "memory", true);
    if (!memory) return std::move(memory).error();
    const bool gpu = p.kind == DeviceKind::Gpu, apple = p.kind == DeviceKind::Apple;
    auto ram = readPool(r, **memory, "ram", !apple);
    if (!ram) return std::move(ram).error();
    auto vram = readPool(r, **memory, "vram", gpu);
    if (!vram) return std::move(vram).error();
    auto unified = readPool(r, **memory, "unified", apple);
    if (!unified) return std::move(unified).error();
    if (!gpu && vram->present) return r.fail("memory.vram", "only a gpu profile has vram");
    if (!apple && unified->present) return r.fail("memory.unified", "only an apple profile has unified memory");
    if (apple && ram->present) return r.fail("memory.ram", "an apple profile has unified memory instead");
    p.ram = *ram;
    p.vram = *vram;
    p.unified = *unified;

    auto compute = r.object(j, "compute_tflops", "compute_tflops", true);
    if (!compute) return std::move(compute).error();
    auto cpu = r.positive(**compute, "compute_tflops.cpu", "cpu", p.kind != DeviceKind::Apple, 1e6);
    if (!cpu) return std::move(cpu).error();
    auto gpuT = r.positive(**compute, "compute_tflops.gpu", "gpu", p.kind != DeviceKind::Cpu, 1e6);
    if (!gpuT) return std::move(gpuT).error();
    p.cpuTflops = cpu->value_or(0.0);
    p.gpuTflops = gpuT->value_or(0.0);

    auto eff = r.object(j, "efficiency", "efficiency", true);
    if (!eff) return std::move(eff).error();
    auto tg = r.positive(**eff, "efficiency.tg", "tg", true, 1.0);
    if (!tg) return std::move(tg).error();
    auto pp = r.positive(**eff, "efficiency.pp", "pp", true, 1.0);
    if (!pp) return std::move(pp).error();
    p.tgEfficiency = **tg;
    p.ppEfficiency = **pp;

    auto overhead = r.positive(j, "runtime_overhead_mib", "runtime_overhead_mib", false, kMaxGiB * 1024);
    if (!overhead) return std::move(overhead).error();
    if (*overhead) p.runtimeOverheadBytes = static_cast<std::uint64_t>(std::llround(**overhead * kMiB));

    auto formats = r.member(j, "preferred_formats", "preferred_formats", true);
    if (!formats) return std::move(formats).error();
    if (!(*formats)->is_array() || (*formats)->empty()) return r.fail("preferred_formats", "must be a non-empty array of mix names");
    for (std::size_t i = 0; i < (*formats)->size(); ++i) {
        const Json& f = (**formats)[i];
        const std::string path = "preferred_formats[" + std::to_string(i) + "]";
        if (!f.is_string()) return r.fail(path, "must be a string");
        const MixInfo* mix = findMix(f.get<std::string>());
        if (!mix) return r.fail(path, "'" + f.get<std::string>() + "' is not a llama-quantize mix we can write");
        p.preferredFormats.emplace_back(mix->name);
    }

    auto notes = r.string(j, "notes", "notes", false);
    if (!notes) return std::move(notes).error();
    p.notes = std::move(*notes);

    auto sources = r.member(j, "sources", "sources", false);
    if (!sources) return std::move(sources).error();
    if (*sources) {
        if (!(*sources)->is_array()) return r.fail("sources", "must be an array");
        for (std::size_t i = 0; i < (*sources)->size(); ++i) {
            const Json& s = (**sources)[i];
            const std::string path = "sources[" + std::to_string(i) + "]";
            if (!s.is_object()) return r.fail(path, "must be an object with title and url");
            auto title = r.string(s, path + ".title", "title", true);
            if (!title) return std::move(title).error();
            auto url = r.string(s, path + ".url", "url", true);
            if (!url) return std::move(url).error();
            p.sources.push_back({std::move(*title), std::move(*url)});
        }
    }
    return p;
}

Json poolJson(const MemoryPool& m)
{
    Json j;
    j["total_gib"] = static_cast<double>(m.totalBytes) / kGiB;
    j["usable_gib"] = static_cast<double>(m.usableBytes) / kGiB;
    j["bandwidth_gb_s"] = m.bandwidthGBs;
    return j;
}

// The *.json files of a folder, sorted by name.
Result<std::vector<fs::path>> jsonFiles(const fs::path& dir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return makeError(ErrorCode::IoError, dir.string(), "cannot list the folder: " + ec.message());
    for (const auto& e : it) {
        std::error_code fec;
        if (e.path().extension() == ".json" && e.is_regular_file(fec)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

Result<std::vector<HardwareProfile>> loadFolder(const fs::path& dir, bool builtin)
{
    auto files = jsonFiles(dir);
    if (!files) return std::move(files).error();
    std::vector<HardwareProfile> out;
    std::map<std::string, fs::path> seen;
    for (const auto& f : *files) {
        auto p = readHardwareProfile(f);
        if (!p) return std::move(p).error();
        if (const auto it = seen.find(p->id); it != seen.end())
            return makeError(ErrorCode::Malformed, f.string(), "field 'id': '" + p->id + "' is also the id of " + it->second.string());
        seen.emplace(p->id, f);
        p->builtin = builtin;
        out.push_back(std::move(*p));
    }
    return out;
}

} // namespace

std::string_view deviceKindKey(DeviceKind k) noexcept
{
    switch (k) {
    case DeviceKind::Cpu: return "cpu";
    case DeviceKind::Apple: return "apple";
    case DeviceKind::Gpu: return "gpu";
    }
    return "cpu";
}

const MemoryPool& HardwareProfile::primary() const
{
    switch (kind) {
    case DeviceKind::Gpu: return vram;
    case DeviceKind::Apple: return unified;
    case DeviceKind::Cpu: break;
    }
    return ram;
}

Result<HardwareProfile> parseHardwareProfile(std::string_view json, const std::string& label)
{
    Json j = Json::parse(json.begin(), json.end(), nullptr, false);
    if (j.is_discarded()) return makeError(ErrorCode::Malformed, label, "invalid JSON");
    return parse(j, label);
}

Result<HardwareProfile> readHardwareProfile(const fs::path& file)
{
    auto j = io::readJsonFile(file, kMaxProfileBytes);
    if (!j) return std::move(j).error();
    auto p = parse(*j, file.string());
    if (!p) return std::move(p).error();
    p->file = file;
    return p;
}

std::string hardwareProfileJson(const HardwareProfile& p, int indent)
{
    Json j;
    j["schema_version"] = 1;
    j["id"] = p.id;
    j["name"] = p.name;
    j["kind"] = std::string(deviceKindKey(p.kind));
    j["runtime"] = p.runtime;
    Json mem = Json::object();
    if (p.vram.present) mem["vram"] = poolJson(p.vram);
    if (p.unified.present) mem["unified"] = poolJson(p.unified);
    if (p.ram.present) mem["ram"] = poolJson(p.ram);
    j["memory"] = mem;
    Json compute = Json::object();
    if (p.gpuTflops > 0) compute["gpu"] = p.gpuTflops;
    if (p.cpuTflops > 0) compute["cpu"] = p.cpuTflops;
    j["compute_tflops"] = compute;
    j["efficiency"] = {{"tg", p.tgEfficiency}, {"pp", p.ppEfficiency}};
    if (p.runtimeOverheadBytes) j["runtime_overhead_mib"] = static_cast<double>(*p.runtimeOverheadBytes) / kMiB;
    j["preferred_formats"] = p.preferredFormats;
    j["notes"] = p.notes;
    Json sources = Json::array();
    for (const auto& s : p.sources) sources.push_back({{"title", s.title}, {"url", s.url}});
    j["sources"] = sources;
    j["builtin"] = p.builtin;
    j["file"] = p.file.string();
    return j.dump(indent);
}

Result<std::vector<HardwareProfile>> loadProfiles(const fs::path& builtinDir, const fs::path& userDir)
{
    std::error_code ec;
    if (!fs::is_directory(builtinDir, ec)) return makeError(ErrorCode::NotFound, builtinDir.string(), "the built-in hardware profiles are not there");
    auto all = loadFolder(builtinDir, true);
    if (!all) return std::move(all).error();
    if (userDir.empty() || !fs::is_directory(userDir, ec)) return all;
    auto user = loadFolder(userDir, false);
    if (!user) return std::move(user).error();
    for (auto& u : *user) {
        const auto it = std::find_if(all->begin(), all->end(), [&](const HardwareProfile& b) { return b.id == u.id; });
        if (it != all->end()) *it = std::move(u);
        else all->push_back(std::move(u));
    }
    return all;
}

std::vector<fs::path> builtinProfileDirCandidates(const fs::path& executableDir, const fs::path& sourceTreeProfiles)
{
    std::vector<fs::path> c;
    if (!executableDir.empty()) c.push_back((executableDir / ".." / "share" / "condense" / "profiles").lexically_normal());
    if (!sourceTreeProfiles.empty()) {
        const fs::path s = sourceTreeProfiles.lexically_normal();
        if (std::find(c.begin(), c.end(), s) == c.end()) c.push_back(s);
    }
    return c;
}

fs::path userProfileDir(std::string_view xdgConfigHome, std::string_view home)
{
    if (!xdgConfigHome.empty()) return fs::path(xdgConfigHome) / "condense" / "profiles";
    if (!home.empty()) return fs::path(home) / ".config" / "condense" / "profiles";
    return {};
}

} // namespace condense::plan
