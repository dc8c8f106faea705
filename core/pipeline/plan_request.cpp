#include "core/pipeline/plan_request.h"

#include <algorithm>
#include <system_error>

#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/io/hf_config.h"
#include "core/pipeline/gguf_convert.h"
#include "core/plan/spec_tensors.h"

namespace condense::pipeline {

namespace fs = std::filesystem;

bool isConfigOnlyFolder(const fs::path& path)
{
    std::error_code ec;
    if (!fs::is_directory(path, ec) || !fs::is_regular_file(path / "config.json", ec)) return false;
    for (const auto& e : fs::directory_iterator(path, ec)) {
        const auto ext = e.path().extension();
        if (ext == ".safetensors" || ext == ".gguf") return false;
    }
    return !ec;
}

Result<PlanModel> readPlanModel(const fs::path& path, jobs::ProgressSink& progress, std::stop_token stop)
{
    PlanModel m;
    if (isConfigOnlyFolder(path)) {
        const fs::path config = path / "config.json";
        auto spec = io::readHfConfig(config);
        if (!spec) return std::move(spec).error();
        m.spec = std::move(*spec);
        if (m.spec.name.empty()) m.spec.name = path.filename().string();
        m.label = config.string();
        auto t = plan::tensorsFromSpec(m.spec, m.label);
        if (!t) return std::move(t).error();
        m.tensors = std::move(*t);
        m.configOnly = true;
        return m;
    }
    auto ck = io::openCheckpoint(path, progress, stop);
    if (!ck) return std::move(ck).error();
    const io::Checkpoint& c = **ck;
    m.spec = c.spec();
    m.label = c.path().string();
    if (const io::GgufFile* g = c.gguf()) {
        for (const auto& t : g->tensors()) {
            plan::PlanTensorInput in;
            in.name = t.name;
            in.ne.assign(t.ne, t.ne + std::max<std::uint32_t>(1, t.nDims));
            in.type = t.type;
            m.tensors.push_back(std::move(in));
        }
    } else {
        auto layout = planHfTensorLayout(c, DType::F16);
        if (!layout) return std::move(layout).error();
        for (const auto& t : layout->tensors) {
            plan::PlanTensorInput in;
            in.name = t.name;
            if (t.shape.empty()) in.ne = {1};
            else in.ne.assign(t.shape.rbegin(), t.shape.rend());
            in.type = t.outType;
            m.tensors.push_back(std::move(in));
        }
    }
    std::stable_sort(m.tensors.begin(), m.tensors.end(),
                     [](const plan::PlanTensorInput& a, const plan::PlanTensorInput& b) { return plan::llamaTensorOrderLess(a.name, b.name); });
    return m;
}

Result<std::vector<plan::HardwareProfile>> runProfiles(const ProfilesRequest& r)
{
    std::string searched;
    for (const auto& dir : r.builtinCandidates) {
        std::error_code ec;
        if (fs::is_directory(dir, ec)) return plan::loadProfiles(dir, r.userDir);
        searched += (searched.empty() ? "" : ", ") + dir.string();
    }
    return makeError(ErrorCode::NotFound, "profiles", "the built-in hardware profiles are in none of: " + searched);
}

Result<PlanOutcome> runPlan(const PlanRequest& r, jobs::ProgressSink& progress, std::stop_token stop)
{
    PlanOutcome out;
    if (r.profile) {
        out.profile = *r.profile;
    } else {
        auto all = runProfiles(r.profiles);
        if (!all) return std::move(all).error();
        const auto it = std::find_if(all->begin(), all->end(), [&](const plan::HardwareProfile& p) { return p.id == r.profileId; });
        if (it == all->end()) {
            std::string ids;
            for (const auto& p : *all) ids += (ids.empty() ? "" : ", ") + p.id;
            return makeError(ErrorCode::InvalidArgument, {}, "no hardware profile '" + r.profileId + "' (known: " + ids + ")");
        }
        out.profile = std::move(*it);
    }
    auto model = readPlanModel(r.model, progress, stop);
    if (!model) return std::move(model).error();
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, model->label, "cancelled");
    plan::FitOptions o;
    o.context = r.context;
    o.kvType = r.kvType;
    o.mixes = r.mixes;
    auto fit = plan::planFit(out.profile, model->spec, model->tensors, o, model->label);
    if (!fit) return std::move(fit).error();
    if (fit->fits && !r.planOut.empty()) CONDENSE_TRY(io::writeFileAtomically(r.planOut, plan::toJson(fit->plan) + "\n"));
    out.spec = std::move(model->spec);
    out.configOnly = model->configOnly;
    out.modelLabel = std::move(model->label);
    out.fit = std::move(*fit);
    return out;
}

} // namespace condense::pipeline
