#include "core/plan/fit_planner.h"

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>

namespace condense::plan {

namespace {

using Json = nlohmann::json;

// Best first: mean KLD vs FP16, Llama-3-8B, WikiText-2, no imatrix (llama.cpp
// tools/perplexity/README.md "LLaMA 3 8b Scoreboard"; formats.md 8.3). "" where the scoreboard
// has no figure (float formats; IQ4_* measured with an imatrix only, ranked by that row).
struct Quality {
    std::string_view mix;
    std::string_view kld;
};
constexpr std::array kQualityOrder = {
    Quality{"F32", ""},          Quality{"BF16", ""},         Quality{"F16", ""},          Quality{"Q8_0", "0.001355"},
    Quality{"Q6_K", "0.005452"}, Quality{"Q5_K_M", "0.010762"}, Quality{"Q5_K_S", "0.016595"}, Quality{"Q5_1", "0.018045"},
    Quality{"Q5_0", "0.022239"}, Quality{"Q4_K_M", "0.031273"}, Quality{"Q4_K_S", "0.043136"}, Quality{"IQ4_NL", ""},
    Quality{"IQ4_XS", ""},       Quality{"Q4_1", "0.071683"}, Quality{"Q4_0", "0.071940"}, Quality{"Q3_K_L", "0.087176"},
    Quality{"Q3_K_M", "0.101913"}, Quality{"Q3_K_S", "0.228217"}, Quality{"Q2_K", "0.445132"},
};

constexpr std::uint64_t kMiB = 1024ull * 1024ull;
constexpr std::uint64_t kUbatch = 512; // llama.cpp's default n_ubatch

std::uint64_t defaultOverhead(const HardwareProfile& p)
{
    if (p.runtimeOverheadBytes) return *p.runtimeOverheadBytes;
    switch (p.kind) {
    case DeviceKind::Gpu: return 768 * kMiB;
    case DeviceKind::Apple: return 512 * kMiB;
    case DeviceKind::Cpu: break;
    }
    return 256 * kMiB;
}
// The host process beside a GPU runtime.
constexpr std::uint64_t kHostOverhead = 256 * kMiB;

std::uint64_t computeBufferBytes(const arch::ModelSpec& s)
{
    return 4 * kUbatch * (s.vocabSize + 4 * s.hiddenSize + 3 * s.intermediateSize);
}

// "blk.N." -> N, else -1.
long blockOf(const std::string& name)
{
    if (name.rfind("blk.", 0) != 0) return -1;
    long v = 0;
    std::size_t i = 4;
    if (i >= name.size() || name[i] < '0' || name[i] > '9') return -1;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') v = v * 10 + (name[i++] - '0');
    return v;
}

// Bytes and multiply-adds of one plan, split by where llama.cpp puts them.
struct Layout {
    std::vector<std::uint64_t> blockBytes;  // per block
    std::vector<std::uint64_t> blockElems;  // weights multiplied per token, per block
    std::uint64_t outputBytes = 0;          // the output layer (output + output_norm; tied: token_embd's copy)
    std::uint64_t outputElems = 0;
    std::uint64_t hostBytes = 0;            // token_embd and other tensors outside blocks
    std::uint64_t hostReadBytes = 0;        // of those, read per token (not token_embd)
    std::uint64_t tiedBytes = 0;            // tied: token_embd's bytes, counted in outputBytes too
};

Layout layoutOf(const QuantPlan& p, std::uint64_t nLayer, bool tied)
{
    Layout l;
    l.blockBytes.assign(nLayer, 0);
    l.blockElems.assign(nLayer, 0);
    for (const auto& t : p.tensors) {
        const std::uint64_t b = t.bytes();
        const std::uint64_t mul = t.ne.size() >= 2 ? t.elements() : 0;
        const long blk = blockOf(t.name);
        if (blk >= 0 && static_cast<std::uint64_t>(blk) < nLayer) {
            l.blockBytes[static_cast<std::size_t>(blk)] += b;
            l.blockElems[static_cast<std::size_t>(blk)] += mul;
        } else if (t.name == "output.weight" || t.name == "output_norm.weight") {
            l.outputBytes += b;
            l.outputElems += mul;
        } else if (t.name == "token_embd.weight") {
            l.hostBytes += b;
            if (tied) { // the output reads the embedding matrix whole (llama.cpp duplicates it to the output's device)
                l.tiedBytes = b;
                l.outputBytes += b;
                l.outputElems += mul;
            }
        } else {
            l.hostBytes += b;
            l.hostReadBytes += b;
        }
    }
    return l;
}

double seconds(double bytesOrFlops, double ratePerSecond) { return ratePerSecond > 0 ? bytesOrFlops / ratePerSecond : 0.0; }

struct Evaluated {
    FitCandidate c;
    double tg = 0, pp = 0;
};

Evaluated evaluate(const HardwareProfile& prof, const arch::ModelSpec& s, const QuantPlan& plan, const FitOptions& o)
{
    Evaluated e;
    FitCandidate& c = e.c;
    c.mix = plan.mix;
    c.weightBytes = plan.totalBytes();
    const std::uint64_t nLayer = s.numLayers;
    const Layout l = layoutOf(plan, nLayer, s.tieWordEmbeddings);
    const std::uint64_t kvLayer = kvCacheBytes(1, s.numKvHeads, s.headDim, o.context, o.kvType);
    const std::uint64_t compute = computeBufferBytes(s);
    std::uint64_t blockRead = 0, blockMul = 0;
    for (std::size_t i = 0; i < l.blockBytes.size(); ++i) {
        blockRead += l.blockBytes[i];
        blockMul += l.blockElems[i];
    }
    const double tgEff = prof.tgEfficiency, ppEff = prof.ppEfficiency;

    if (prof.kind != DeviceKind::Gpu) {
        const MemoryPool& pool = prof.primary();
        c.device.weights = c.weightBytes;
        c.device.kvCache = kvLayer * nLayer;
        c.device.compute = compute;
        c.device.overhead = defaultOverhead(prof);
        c.fits = c.device.total() <= pool.usableBytes;
        if (!c.fits) {
            c.shortPool = prof.kind == DeviceKind::Apple ? "unified" : "ram";
            c.needed = c.device.total();
            c.available = pool.usableBytes;
        }
        const double read = static_cast<double>(blockRead + l.outputBytes + l.hostReadBytes);
        const double mul = 2.0 * static_cast<double>(blockMul + l.outputElems);
        const double tflops = prof.kind == DeviceKind::Apple ? prof.gpuTflops : prof.cpuTflops;
        const double t = seconds(read, pool.bandwidthGBs * 1e9 * tgEff);
        const double p = seconds(mul, tflops * 1e12 * ppEff);
        e.tg = t > 0 ? 1.0 / t : 0.0;
        e.pp = p > 0 ? 1.0 / p : 0.0;
        return e;
    }

    // GPU: the last ngl of the n_layer + 1 layers (blocks, then the output layer) go to the GPU.
    const std::uint64_t layers = nLayer + 1;
    const auto split = [&](std::uint64_t ngl, MemoryBreakdown& dev, MemoryBreakdown& host) {
        dev = {};
        host = {};
        const std::uint64_t gpuBlocks = ngl > 0 ? ngl - 1 : 0; // the output layer is the first to go
        for (std::uint64_t i = 0; i < nLayer; ++i) {
            const bool onGpu = i >= nLayer - gpuBlocks;
            (onGpu ? dev : host).weights += l.blockBytes[i];
            (onGpu ? dev : host).kvCache += kvLayer;
        }
        if (ngl > 0) dev.weights += l.outputBytes;
        else host.weights += l.outputBytes - l.tiedBytes; // no second copy of a tied embedding on its own device
        host.weights += l.hostBytes;
        dev.overhead = defaultOverhead(prof);
        host.overhead = kHostOverhead;
        if (ngl > 0) dev.compute = compute;
        if (ngl < layers) host.compute = compute;
    };
    std::uint64_t ngl = layers;
    MemoryBreakdown dev, host;
    for (;; --ngl) {
        split(ngl, dev, host);
        if (dev.total() <= prof.vram.usableBytes || ngl == 0) break;
    }
    c.gpuLayers = static_cast<std::uint32_t>(ngl);
    c.fullOffload = ngl == layers;
    c.device = dev;
    c.host = host;
    const bool devOk = dev.total() <= prof.vram.usableBytes, hostOk = host.total() <= prof.ram.usableBytes;
    c.fits = devOk && hostOk;
    if (!devOk) {
        c.shortPool = "vram";
        c.needed = dev.total();
        c.available = prof.vram.usableBytes;
    } else if (!hostOk) {
        c.shortPool = "ram";
        c.needed = host.total();
        c.available = prof.ram.usableBytes;
    }
    // Per token: offloaded blocks (+ output layer) read from VRAM, the rest from RAM.
    const std::uint64_t gpuBlocks = ngl > 0 ? ngl - 1 : 0;
    std::uint64_t devRead = 0, devMul = 0;
    for (std::uint64_t i = nLayer - gpuBlocks; i < nLayer; ++i) {
        devRead += l.blockBytes[i];
        devMul += l.blockElems[i];
    }
    if (ngl > 0) {
        devRead += l.outputBytes;
        devMul += l.outputElems;
    }
    const std::uint64_t allRead = blockRead + l.outputBytes + l.hostReadBytes, allMul = blockMul + l.outputElems;
    const double t = seconds(static_cast<double>(devRead), prof.vram.bandwidthGBs * 1e9 * tgEff) +
                     seconds(static_cast<double>(allRead - devRead), prof.ram.bandwidthGBs * 1e9 * tgEff);
    const double p = seconds(2.0 * static_cast<double>(devMul), prof.gpuTflops * 1e12 * ppEff) +
                     seconds(2.0 * static_cast<double>(allMul - devMul), prof.cpuTflops * 1e12 * ppEff);
    e.tg = t > 0 ? 1.0 / t : 0.0;
    e.pp = p > 0 ? 1.0 / p : 0.0;
    return e;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

Json breakdownJson(const MemoryBreakdown& m)
{
    return {{"weights", m.weights}, {"kv_cache", m.kvCache}, {"compute", m.compute}, {"overhead", m.overhead}, {"total", m.total()}};
}

Json candidateJson(const FitCandidate& c)
{
    Json j{{"mix", c.mix}, {"weight_bytes", c.weightBytes}, {"fits", c.fits}, {"device", breakdownJson(c.device)}};
    if (c.host.total() > 0) j["host"] = breakdownJson(c.host);
    if (c.gpuLayers > 0 || c.fullOffload) {
        j["gpu_layers"] = c.gpuLayers;
        j["full_offload"] = c.fullOffload;
    }
    if (!c.fits) j["short"] = {{"pool", c.shortPool}, {"needed", c.needed}, {"available", c.available}};
    return j;
}

Json messageJson(const Message& m)
{
    Json fields = Json::object();
    for (const auto& [k, v] : m.fields) fields[k] = v;
    Json j{{"code", std::string(messageCodeKey(m.code))}, {"fields", fields}};
    if (!m.tensor.empty()) j["tensor"] = m.tensor;
    return j;
}

} // namespace

std::string_view kvCacheTypeKey(KvCacheType t) noexcept { return t == KvCacheType::Q8_0 ? "q8_0" : "f16"; }

std::optional<KvCacheType> kvCacheTypeFromKey(std::string_view key) noexcept
{
    if (key == "f16" || key == "F16") return KvCacheType::F16;
    if (key == "q8_0" || key == "Q8_0") return KvCacheType::Q8_0;
    return std::nullopt;
}

std::uint64_t kvCacheBytes(std::uint64_t layers, std::uint64_t kvHeads, std::uint64_t headDim, std::uint64_t ctx, KvCacheType type)
{
    const std::uint64_t values = layers * kvHeads * headDim * ctx * 2;
    return type == KvCacheType::Q8_0 ? values / 32 * 34 + (values % 32 ? 34 : 0) : values * 2;
}

int mixQualityRank(std::string_view mix) noexcept
{
    const MixInfo* m = findMix(mix);
    if (!m) return -1;
    for (std::size_t i = 0; i < kQualityOrder.size(); ++i)
        if (kQualityOrder[i].mix == m->name) return static_cast<int>(i);
    return -1;
}

std::vector<std::string> mixesByQuality()
{
    std::vector<std::string> r;
    for (const auto& q : kQualityOrder) r.emplace_back(q.mix);
    return r;
}

Result<FitResult> planFit(const HardwareProfile& profile, const arch::ModelSpec& spec, const std::vector<PlanTensorInput>& tensors,
                          const FitOptions& o, const std::string& label)
{
    const MemoryPool& primary = profile.primary();
    if (!primary.present || (profile.kind == DeviceKind::Gpu && !profile.ram.present))
        return makeError(ErrorCode::InvalidArgument, profile.file.string(), "profile '" + profile.id + "' lacks the memory its kind needs");
    if (o.context == 0) return makeError(ErrorCode::InvalidArgument, {}, "context length must be positive");
    if (spec.numLayers == 0 || spec.headDim == 0 || spec.numKvHeads == 0)
        return makeError(ErrorCode::Malformed, label, "the model's layer count, head size and KV head count are needed to plan");
    auto facts = modelFacts(spec, label);
    if (!facts) return std::move(facts).error();

    // Candidates in quality order: the requested mixes, or the preferred ones then the rest.
    std::vector<std::string> candidates;
    std::size_t preferredCount = 0;
    const auto byRank = [](const std::string& a, const std::string& b) { return mixQualityRank(a) < mixQualityRank(b); };
    const auto canonical = [](const std::string& name) { return std::string(findMix(name)->name); };
    if (!o.mixes.empty()) {
        for (const auto& m : o.mixes) {
            if (mixQualityRank(m) < 0) return makeError(ErrorCode::InvalidArgument, {}, "'" + m + "' is not a mix the planner can choose");
            if (std::find(candidates.begin(), candidates.end(), canonical(m)) == candidates.end()) candidates.push_back(canonical(m));
        }
        std::stable_sort(candidates.begin(), candidates.end(), byRank);
        preferredCount = candidates.size();
    } else {
        for (const auto& m : profile.preferredFormats)
            if (mixQualityRank(m) >= 0 && std::find(candidates.begin(), candidates.end(), canonical(m)) == candidates.end())
                candidates.push_back(canonical(m));
        std::stable_sort(candidates.begin(), candidates.end(), byRank);
        preferredCount = candidates.size();
        for (const auto& m : mixesByQuality())
            if (std::find(candidates.begin(), candidates.end(), m) == candidates.end()) candidates.push_back(m);
    }

    FitResult r;
    r.profileId = profile.id;
    r.context = o.context;
    r.kvType = o.kvType;
    r.layers = static_cast<std::uint32_t>(spec.numLayers + 1);
    if (spec.maxPositions > 0 && o.context > spec.maxPositions)
        r.warnings.push_back(Message(MessageCode::FitContextBeyondModel, {}, {{"ctx", num(o.context)}, {"max", num(spec.maxPositions)}}));

    std::vector<Evaluated> evaluated;
    std::vector<QuantPlan> plans;
    for (const auto& name : candidates) {
        MixOptions mo;
        mo.mix = findMix(name);
        auto p = planMix(tensors, *facts, mo);
        if (!p) {
            Error e = std::move(p).error();
            if (e.file.empty()) e.file = label;
            return e;
        }
        evaluated.push_back(evaluate(profile, spec, *p, o));
        plans.push_back(std::move(*p));
    }
    // The first that fits fully (the only kind of fit off a GPU); on a GPU, else the first with a partial offload.
    std::size_t chosen = evaluated.size();
    for (std::size_t i = 0; i < evaluated.size() && chosen == evaluated.size(); ++i)
        if (evaluated[i].c.fits && (profile.kind != DeviceKind::Gpu || evaluated[i].c.fullOffload)) chosen = i;
    if (chosen == evaluated.size())
        for (std::size_t i = 0; i < evaluated.size() && chosen == evaluated.size(); ++i)
            if (evaluated[i].c.fits) chosen = i;

    for (std::size_t i = 0; i < evaluated.size(); ++i) r.candidates.push_back(evaluated[i].c);
    const std::size_t tried = chosen == evaluated.size() ? evaluated.size() : chosen;
    for (std::size_t i = 0; i < tried; ++i) {
        const FitCandidate& c = evaluated[i].c;
        if (c.fits) // a partial offload passed over for a full one
            r.reasons.push_back(Message(MessageCode::FitMixPartialOffloadOnly, {},
                                        {{"mix", c.mix}, {"gpu_layers", num(c.gpuLayers)}, {"layers", num(r.layers)}}));
        else
            r.reasons.push_back(Message(MessageCode::FitMixTooLarge, {},
                                        {{"mix", c.mix}, {"pool", c.shortPool}, {"needed", num(c.needed)}, {"available", num(c.available)}}));
    }
    if (chosen == evaluated.size()) {
        // The smallest need among those tried, in the pool that overflows.
        std::size_t best = 0;
        for (std::size_t i = 1; i < evaluated.size(); ++i)
            if (evaluated[i].c.needed < evaluated[best].c.needed) best = i;
        if (!evaluated.empty()) {
            const FitCandidate& c = evaluated[best].c;
            r.chosen = c;
            r.reasons.push_back(Message(MessageCode::FitNothingFits, {},
                                        {{"mix", c.mix}, {"pool", c.shortPool}, {"needed", num(c.needed)}, {"available", num(c.available)}}));
        }
        return r;
    }
    const Evaluated& e = evaluated[chosen];
    r.fits = true;
    r.chosen = e.c;
    r.plan = std::move(plans[chosen]);
    r.bitsPerWeight = r.plan.bitsPerWeight();
    r.fileBytes = r.plan.totalBytes() + 16 * r.plan.tensors.size() + 4096 + 64 * spec.vocabSize;
    r.tgTokensPerSecond = e.tg;
    r.ppTokensPerSecond = e.pp;
    if (chosen >= preferredCount) r.reasons.push_back(Message(MessageCode::FitOutsidePreferred, {}, {{"mix", e.c.mix}}));
    Message why(MessageCode::FitChoseMix, {}, {{"mix", e.c.mix}, {"rank", num(static_cast<std::uint64_t>(mixQualityRank(e.c.mix)))}});
    const std::string_view kld = kQualityOrder[static_cast<std::size_t>(mixQualityRank(e.c.mix))].kld;
    if (!kld.empty()) why.set("kld", std::string(kld));
    r.reasons.push_back(std::move(why));
    if (profile.kind == DeviceKind::Gpu) {
        if (e.c.fullOffload) r.reasons.push_back(Message(MessageCode::FitFullOffload, {}, {{"layers", num(r.layers)}}));
        else r.reasons.push_back(Message(MessageCode::FitPartialOffload, {}, {{"gpu_layers", num(e.c.gpuLayers)}, {"layers", num(r.layers)}}));
    }
    return r;
}

std::string fitResultJson(const FitResult& r, int indent)
{
    Json j;
    j["profile"] = r.profileId;
    j["context"] = r.context;
    j["kv_type"] = std::string(kvCacheTypeKey(r.kvType));
    j["fits"] = r.fits;
    j["layers"] = r.layers;
    if (r.fits) {
        j["mix"] = r.plan.mix;
        j["file_bytes"] = r.fileBytes;
        j["bits_per_weight"] = r.bitsPerWeight;
        j["tg_tokens_per_second"] = r.tgTokensPerSecond;
        j["pp_tokens_per_second"] = r.ppTokensPerSecond;
    }
    j["chosen"] = candidateJson(r.chosen);
    Json cands = Json::array();
    for (const auto& c : r.candidates) cands.push_back(candidateJson(c));
    j["candidates"] = cands;
    Json reasons = Json::array();
    for (const auto& m : r.reasons) reasons.push_back(messageJson(m));
    j["reasons"] = reasons;
    Json warnings = Json::array();
    for (const auto& m : r.warnings) warnings.push_back(messageJson(m));
    j["warnings"] = warnings;
    if (r.fits) j["plan"] = Json::parse(toJson(r.plan, -1));
    return j.dump(indent);
}

} // namespace condense::plan
