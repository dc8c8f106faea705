#include "ui/jobs/plan_jobs.h"

#include <system_error>

#include "core/plan/mixes.h"

namespace condense::ui {

namespace {
std::string escapeRegex(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}
} // namespace

Result<PlanView> computePlanView(const pipeline::PlanModel& model, const plan::HardwareProfile& profile, const plan::FitOptions& options,
                                 const std::map<std::string, std::string>& edits)
{
    auto fit = plan::planFit(profile, model.spec, model.tensors, options, model.label);
    if (!fit) return std::move(fit).error();
    PlanView view;
    view.fit = std::move(*fit);
    view.plan = view.fit.plan;
    view.device = view.fit.chosen.device;
    view.host = view.fit.chosen.host;
    view.fits = view.fit.fits;
    if (edits.empty() || view.plan.tensors.empty()) return view;

    const plan::MixInfo* mix = plan::findMix(view.plan.mix);
    if (!mix) return view;
    auto facts = plan::modelFacts(model.spec, model.label);
    if (!facts) return std::move(facts).error();
    plan::MixOptions mo;
    mo.mix = mix;
    for (const auto& [name, type] : edits) {
        const auto t = dtypeFromName(type);
        if (!t || view.plan.find(name) < 0) continue;
        mo.overrides.push_back({"^" + escapeRegex(name) + "$", *t});
    }
    auto edited = plan::planMix(model.tensors, *facts, mo);
    if (!edited) return std::move(edited).error();
    const std::uint64_t before = view.plan.totalBytes();
    edited->format = view.plan.format;
    edited->method = view.plan.method;
    view.plan = std::move(*edited);
    const std::uint64_t after = view.plan.totalBytes();
    // Apply the change in weight bytes where the weights live: the GPU when fully offloaded,
    // else split by the share of layers on each side.
    const auto shift = [](std::uint64_t& bytes, double delta) {
        const double v = static_cast<double>(bytes) + delta;
        bytes = v > 0 ? static_cast<std::uint64_t>(v) : 0;
    };
    const double delta = static_cast<double>(after) - static_cast<double>(before);
    if (profile.kind == plan::DeviceKind::Gpu && !view.fit.chosen.fullOffload && view.fit.layers > 0) {
        const double onGpu = static_cast<double>(view.fit.chosen.gpuLayers) / static_cast<double>(view.fit.layers);
        shift(view.device.weights, delta * onGpu);
        shift(view.host.weights, delta * (1 - onGpu));
    } else {
        shift(view.device.weights, delta);
    }
    const plan::MemoryPool& primary = profile.primary();
    view.fits = view.device.total() <= primary.usableBytes && (profile.kind != plan::DeviceKind::Gpu || view.host.total() <= profile.ram.usableBytes);
    return view;
}

Result<std::filesystem::path> freshRunFolder(const std::filesystem::path& base, const std::string& model, const std::string& mix)
{
    std::error_code ec;
    std::filesystem::create_directories(base, ec);
    if (ec) return makeError(ErrorCode::IoError, base.string(), "cannot create the output folder: " + ec.message());
    const std::string stem = model + "-" + (mix.empty() ? std::string("custom") : mix);
    for (int n = 1; n < 10000; ++n) {
        const auto candidate = base / (n == 1 ? stem : stem + "-" + std::to_string(n));
        if (!std::filesystem::exists(candidate, ec)) return candidate;
    }
    return makeError(ErrorCode::IoError, base.string(), "no free name for a new run folder");
}

} // namespace condense::ui
