#include "core/plan/mixes.h"

#include "core/arch/tensor_role.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "core/common/regex.h"

namespace condense::plan {

namespace {

// enum llama_ftype values of the mixes (include/llama.h).
enum FileType : std::uint32_t {
    kAllF32 = 0, kF16 = 1, kQ4_0 = 2, kQ4_1 = 3, kQ8_0 = 7, kQ5_0 = 8, kQ5_1 = 9, kQ2_K = 10,
    kQ3_K_S = 11, kQ3_K_M = 12, kQ3_K_L = 13, kQ4_K_S = 14, kQ4_K_M = 15, kQ5_K_S = 16, kQ5_K_M = 17,
    kQ6_K = 18, kQ2_K_S = 21, kIQ4_NL = 25, kIQ4_XS = 30, kBF16 = 32,
};

constexpr std::array kMixes = {
    MixInfo{"Q2_K_S", kQ2_K_S, DType::Q2_K},   MixInfo{"Q2_K", kQ2_K, DType::Q2_K},
    MixInfo{"Q3_K_S", kQ3_K_S, DType::Q3_K},   MixInfo{"Q3_K_M", kQ3_K_M, DType::Q3_K},
    MixInfo{"Q3_K_L", kQ3_K_L, DType::Q3_K},   MixInfo{"IQ4_XS", kIQ4_XS, DType::IQ4_XS},
    MixInfo{"Q4_0", kQ4_0, DType::Q4_0},       MixInfo{"IQ4_NL", kIQ4_NL, DType::IQ4_NL},
    MixInfo{"Q4_K_S", kQ4_K_S, DType::Q4_K},   MixInfo{"Q4_K_M", kQ4_K_M, DType::Q4_K},
    MixInfo{"Q4_1", kQ4_1, DType::Q4_1},       MixInfo{"Q5_0", kQ5_0, DType::Q5_0},
    MixInfo{"Q5_K_S", kQ5_K_S, DType::Q5_K},   MixInfo{"Q5_K_M", kQ5_K_M, DType::Q5_K},
    MixInfo{"Q5_1", kQ5_1, DType::Q5_1},       MixInfo{"Q6_K", kQ6_K, DType::Q6_K},
    MixInfo{"Q8_0", kQ8_0, DType::Q8_0},       MixInfo{"F16", kF16, DType::F16},
    MixInfo{"BF16", kBF16, DType::BF16},       MixInfo{"F32", kAllF32, DType::F32},
};

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
bool endsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

std::string typeName(DType t) { return std::string(dtypeName(t)); }

std::uint32_t blockSize(DType t)
{
    const DTypeTraits* tr = dtypeTraits(t);
    return tr ? tr->blockSize : 1;
}

bool isBlockType(DType t)
{
    const DTypeTraits* tr = dtypeTraits(t);
    return tr && tr->isQuantized;
}

// ggml_n_dims: dimensions up to the last one that is not 1.
int nDims(const std::vector<std::uint64_t>& ne)
{
    int n = 1;
    for (std::size_t d = 1; d < ne.size(); ++d)
        if (ne[d] != 1) n = static_cast<int>(d) + 1;
    return n;
}

enum class Category { TokenEmbd, AttnQ, AttnV, AttnK, AttnQkv, AttnKvB, AttnOutput, FfnUp, FfnGate, FfnDown, Output, Other };

// The mix category of a tensor, from the one role classifier (core/arch/tensor_role.h). The
// attention categories need the ".weight" tensor (llama-quantize matches "attn_v.weight" etc.);
// the FFN ones match any tensor of that role, the router included ("ffn_gate" is a prefix of
// "ffn_gate_inp" in llama-quantize's substring test).
Category categoryOf(std::string_view name)
{
    const arch::TensorId id = arch::classifyTensor(name);
    const bool weight = id.part == arch::TensorPart::Weight;
    switch (id.role) {
    case arch::TensorRole::Output: return weight && id.layer < 0 ? Category::Output : Category::Other;
    case arch::TensorRole::TokenEmbd: return weight && id.layer < 0 ? Category::TokenEmbd : Category::Other;
    case arch::TensorRole::AttnQkv: return weight ? Category::AttnQkv : Category::Other;
    case arch::TensorRole::AttnKvB: return weight ? Category::AttnKvB : Category::Other;
    case arch::TensorRole::AttnV: return weight ? Category::AttnV : Category::Other;
    case arch::TensorRole::AttnK: return weight ? Category::AttnK : Category::Other;
    case arch::TensorRole::AttnQ: return weight ? Category::AttnQ : Category::Other;
    case arch::TensorRole::AttnOutput: return weight ? Category::AttnOutput : Category::Other;
    case arch::TensorRole::FfnUp: return Category::FfnUp;
    case arch::TensorRole::FfnGate:
    case arch::TensorRole::FfnGateInp: return Category::FfnGate;
    case arch::TensorRole::FfnDown: return Category::FfnDown;
    default: return Category::Other;
    }
}

// Attention-V-like tensors share the attn_v rules and counter.
bool isAttnVLike(Category c) { return c == Category::AttnV || c == Category::AttnQkv || c == Category::AttnKvB; }

// Why llama-quantize leaves a tensor alone (tensor_allows_quantization), or nullopt.
std::optional<Message> keepReason(const PlanTensorInput& t, const MixOptions& o)
{
    const auto keep = [&](MessageCode code) { return Message(code, {}, {{"type", typeName(t.type)}}); };
    if (nDims(t.ne) < 2) return keep(MessageCode::KeepLowDims).set("dims", std::to_string(nDims(t.ne)));
    const std::string& n = t.name;
    if (!endsWith(n, "weight")) return keep(MessageCode::KeepNotWeight);
    if (contains(n, "_norm.weight")) return keep(MessageCode::KeepNorm);
    if (o.leaveOutputTensor && n == "output.weight") return keep(MessageCode::KeepLeaveOutput);
    static constexpr std::string_view kNever[] = {
        "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
        "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_first.weight",
        "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight",
        "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
        "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
        "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd",
        ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    };
    for (std::string_view k : kNever)
        if (contains(n, k)) return keep(MessageCode::KeepNeverQuantized).set("pattern", std::string(k));
    if (n == "position_embd.weight" || n == "token_types.weight") return keep(MessageCode::KeepEmbedding);
    return std::nullopt;
}

// llama-quantize's use_more_bits: the first and last eighth of the layers and every third in between.
bool useMoreBits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

struct State {
    const ModelFacts& facts;
    const MixOptions& opts;
    std::uint32_t ftype;
    bool falcon;
    int nAttnV = 0, nFfn = 0;
    int iAttnV = 0, iFfnDown = 0, iFfnGate = 0, iFfnUp = 0;
    bool tiedEmbeddings = true;
};

struct Choice {
    DType type;
    Message reason;
};

// The layer an FFN tensor counts as: the running counter, or for MoE models the "blk.N." number.
Result<int> ffnLayer(const State& s, int counter, const std::string& name)
{
    if (s.facts.nExpert <= 1) return counter;
    const int layer = arch::classifyTensor(name).layer;
    if (layer < 0)
        return makeError(ErrorCode::Malformed, {}, "cannot determine the layer of tensor " + name);
    if (layer < 0 || layer >= s.nFfn)
        return makeError(ErrorCode::Malformed, {}, "bad layer " + std::to_string(layer) + " for tensor " + name);
    return layer;
}

// llama_tensor_get_type_impl for the mixes we offer.
Result<Choice> mixRule(State& s, const PlanTensorInput& t, DType type, Category cat)
{
    const std::uint32_t f = s.ftype;
    const std::uint32_t gqa = s.facts.gqa();
    const std::uint32_t nExpert = s.facts.nExpert;
    const std::string mixName(s.opts.mix->name);
    Choice c{type, Message(MessageCode::MixDefault)};
    // A mix rule: the tensor class, then (key, value) pairs describing the rule (message.h).
    const auto rule = [&](DType to, std::string tensorClass, std::vector<std::pair<std::string, std::string>> fields = {}) {
        c.type = to;
        c.reason = Message(MessageCode::MixRule, {}, {{"tensor", std::move(tensorClass)}});
        for (auto& [k, v] : fields) c.reason.set(std::move(k), std::move(v));
        c.reason.set("to", typeName(to));
    };

    if (cat == Category::Output || (s.tiedEmbeddings && cat == Category::TokenEmbd)) {
        const std::string what = cat == Category::Output ? "output" : "tied_token_embd";
        if (s.opts.outputTensorType) {
            c = {*s.opts.outputTensorType, Message(MessageCode::OverrideOutputType)};
        } else if (s.falcon) {
            rule(DType::Q8_0, what, {{"condition", "falcon"}});
        } else if (t.ne[0] % blockSize(type) != 0) {
            rule(DType::Q8_0, what, {{"condition", "row"}, {"row", std::to_string(t.ne[0])}, {"block", std::to_string(blockSize(type))}});
        } else if (type != DType::Q8_0) {
            rule(DType::Q6_K, what);
        }
        return c;
    }
    if (cat == Category::TokenEmbd) return c; // untied: the default type for our mixes

    if (isAttnVLike(cat)) {
        const int i = s.iAttnV, n = s.nAttnV;
        const std::pair<std::string, std::string> counter{"counter", std::to_string(i)}, of{"of", std::to_string(n)};
        const std::pair<std::string, std::string> gqaField{"gqa", std::to_string(gqa)}, byGqa{"condition", "gqa"};
        if (f == kQ2_K) rule(gqa >= 4 ? DType::Q4_K : DType::Q3_K, "attn_v", {{"mix", "Q2_K"}, byGqa, gqaField});
        else if (f == kQ2_K_S && gqa >= 4) rule(DType::Q4_K, "attn_v", {{"mix", "Q2_K_S"}, byGqa, gqaField});
        else if (f == kQ3_K_M) {
            if (i < 2) rule(DType::Q5_K, "attn_v", {{"mix", "Q3_K_M"}, {"condition", "first_layers"}, {"first", "2"}, counter, of});
            else rule(DType::Q4_K, "attn_v", {{"mix", "Q3_K_M"}, counter, of});
        } else if (f == kQ3_K_L) rule(DType::Q5_K, "attn_v", {{"mix", "Q3_K_L"}});
        else if ((f == kIQ4_NL || f == kIQ4_XS) && gqa >= 4) rule(DType::Q5_K, "attn_v", {{"mix", mixName}, byGqa, gqaField});
        else if ((f == kQ4_K_M || f == kQ5_K_M) && useMoreBits(i, n))
            rule(DType::Q6_K, "attn_v", {{"variant", "bump"}, {"condition", "use_more_bits"}, counter, of});
        else if (f == kQ4_K_S && i < 4) rule(DType::Q5_K, "attn_v", {{"mix", "Q4_K_S"}, {"condition", "first_layers"}, {"first", "4"}, counter, of});
        if (s.facts.is70B && (c.type == DType::Q3_K || c.type == DType::Q4_K)) rule(DType::Q5_K, "attn_v", {{"variant", "70b"}});
        if (nExpert == 8) rule(DType::Q8_0, "attn_v", {{"variant", "8_expert"}});
        ++s.iAttnV;
        return c;
    }
    if (cat == Category::AttnK) {
        if (nExpert == 8) rule(DType::Q8_0, "attn_k", {{"variant", "8_expert"}});
        return c;
    }
    if (cat == Category::AttnQ) return c;
    if (cat == Category::FfnDown) {
        auto layer = ffnLayer(s, s.iFfnDown, t.name);
        if (!layer) return std::move(layer).error();
        const int i = *layer, n = s.nFfn;
        const bool umb = useMoreBits(i, n);
        const std::pair<std::string, std::string> at{"layer", std::to_string(i)}, of{"of", std::to_string(n)};
        const std::pair<std::string, std::string> eighth{"condition", "first_eighth"}, sixteenth{"condition", "first_sixteenth"};
        const std::pair<std::string, std::string> moreBits{"condition", "use_more_bits"};
        if (f == kQ2_K) rule(DType::Q3_K, "ffn_down", {{"mix", "Q2_K"}});
        else if (f == kQ2_K_S) {
            if (i < n / 8) rule(DType::Q4_K, "ffn_down", {{"mix", "Q2_K_S"}, eighth, at, of});
        } else if (f == kQ3_K_M) {
            if (i < n / 16) rule(DType::Q5_K, "ffn_down", {{"mix", "Q3_K_M"}, sixteenth, at, of});
            else if (!s.falcon || umb) rule(DType::Q4_K, "ffn_down", {{"mix", "Q3_K_M"}, at, of});
        } else if (f == kQ3_K_L) {
            rule(s.falcon ? DType::Q4_K : DType::Q5_K, "ffn_down", {{"mix", "Q3_K_L"}});
        } else if (f == kQ4_K_M) {
            if (s.falcon) {
                if (i < n / 16) rule(DType::Q6_K, "ffn_down", {{"mix", "Q4_K_M"}, {"variant", "falcon"}, sixteenth, at, of});
                else if (umb) rule(DType::Q5_K, "ffn_down", {{"mix", "Q4_K_M"}, {"variant", "falcon"}, moreBits, at, of});
            } else if (umb) {
                rule(DType::Q6_K, "ffn_down", {{"variant", "bump"}, moreBits, at, of});
            }
        } else if (i < n / 8 && (f == kIQ4_NL || f == kIQ4_XS) && !s.opts.haveImatrix) {
            rule(DType::Q5_K, "ffn_down", {{"mix", mixName}, {"variant", "without_imatrix"}, eighth, at, of});
        } else if (f == kQ5_K_M && umb) {
            rule(DType::Q6_K, "ffn_down", {{"variant", "bump"}, moreBits, at, of});
        } else if (f == kQ4_K_S && !s.falcon && i < n / 8) {
            rule(DType::Q5_K, "ffn_down", {{"mix", "Q4_K_S"}, eighth, at, of});
        } else if ((f == kQ4_0 || f == kQ5_0) && s.opts.haveImatrix && i < n / 8) {
            rule(f == kQ4_0 ? DType::Q4_1 : DType::Q5_1, "ffn_down", {{"mix", mixName}, {"variant", "with_imatrix"}, eighth, at, of});
        }
        ++s.iFfnDown;
        return c;
    }
    if (cat == Category::AttnOutput) {
        if (!s.falcon) {
            if (nExpert == 8) {
                if (f == kQ2_K || f == kQ3_K_S || f == kQ3_K_M || f == kIQ4_NL || f == kQ4_K_S || f == kQ4_K_M || f == kIQ4_XS)
                    rule(DType::Q5_K, "attn_output", {{"variant", "8_expert"}});
            } else if (f == kQ2_K) rule(DType::Q3_K, "attn_output", {{"mix", "Q2_K"}});
            else if (f == kQ3_K_M) rule(DType::Q4_K, "attn_output", {{"mix", "Q3_K_M"}});
            else if (f == kQ3_K_L) rule(DType::Q5_K, "attn_output", {{"mix", "Q3_K_L"}});
        } else if (f == kQ3_K_L) {
            rule(DType::Q4_K, "attn_output", {{"mix", "Q3_K_L"}, {"variant", "falcon"}});
        }
        return c;
    }
    if (cat == Category::FfnGate || cat == Category::FfnUp) {
        // Only IQ3 mixes change these; the counters still advance (and MoE names must carry a layer).
        int& counter = cat == Category::FfnGate ? s.iFfnGate : s.iFfnUp;
        auto layer = ffnLayer(s, counter, t.name);
        if (!layer) return std::move(layer).error();
        ++counter;
        return c;
    }
    return c;
}

// tensor_type_fallback
Result<Choice> shapeFallback(const PlanTensorInput& t, Choice c, bool& fellBack)
{
    const std::uint64_t ncols = t.ne[0];
    const std::uint32_t bs = blockSize(c.type);
    if (ncols % bs == 0) return c;
    DType to;
    switch (c.type) {
    case DType::IQ1_S: case DType::IQ1_M: case DType::IQ2_XXS: case DType::IQ2_XS: case DType::IQ2_S:
    case DType::IQ3_XXS: case DType::IQ3_S: case DType::IQ4_XS: to = DType::IQ4_NL; break;
    case DType::Q2_0: case DType::Q2_K: case DType::Q3_K: case DType::TQ1_0: case DType::TQ2_0: to = DType::Q4_0; break;
    case DType::Q4_K: to = DType::Q5_0; break;
    case DType::Q5_K: to = DType::Q5_1; break;
    case DType::Q6_K: to = DType::Q8_0; break;
    default: {
        Error e = makeError(ErrorCode::InvalidArgument, {},
                            "row length " + std::to_string(ncols) + " is not a multiple of the " + typeName(c.type) +
                                " block size " + std::to_string(bs) + " and no fallback is defined for " + typeName(c.type));
        e.tensor = t.name;
        return e;
    }
    }
    Message why(MessageCode::Fallback, {},
                {{"row", std::to_string(ncols)}, {"block", std::to_string(bs)}, {"from", typeName(c.type)}});
    if (ncols % blockSize(to) != 0) {
        why.set("block2", std::to_string(blockSize(to)));
        why.set("via", typeName(to));
        to = DType::F16;
    }
    why.set("to", typeName(to));
    nestMessage(why, c.reason);
    fellBack = true;
    return Choice{to, std::move(why)};
}

bool is70B(const std::string& arch, std::uint32_t nLayer, std::uint32_t nHead, std::uint32_t nHeadKv, std::uint32_t nExpert)
{
    if (arch == "llama") return nExpert != 8 && nLayer == 80 && nHead != nHeadKv;
    if (arch == "qwen2" || arch == "deci" || arch == "olmo") return nLayer == 80;
    if (arch == "jais2") return nLayer == 68;
    return false;
}

} // namespace

std::span<const MixInfo> mixes() noexcept { return {kMixes.data(), kMixes.size()}; }

const MixInfo* findMix(std::string_view name) noexcept
{
    if (iequals(name, "Q3_K")) name = "Q3_K_M";
    else if (iequals(name, "Q4_K")) name = "Q4_K_M";
    else if (iequals(name, "Q5_K")) name = "Q5_K_M";
    for (const MixInfo& m : kMixes)
        if (iequals(m.name, name)) return &m;
    return nullptr;
}

const MixInfo* findMixByFileType(std::uint32_t fileType) noexcept
{
    for (const MixInfo& m : kMixes)
        if (m.fileType == fileType) return &m;
    return nullptr;
}

Result<ModelFacts> modelFacts(const arch::ModelSpec& spec, const std::string& label)
{
    ModelFacts f;
    // GGUF input: general.architecture as read; Hugging Face input: what the conversion writes.
    f.arch = spec.hfArchitecture.empty() ? spec.modelType : spec.ggufArchitecture();
    if (f.arch.empty()) return makeError(ErrorCode::Malformed, label, "no general.architecture: not a model llama-quantize would quantize");
    if (spec.numLayers == 0 || spec.numLayers > 4096) return makeError(ErrorCode::Malformed, label, "missing or bad " + f.arch + ".block_count");
    f.nLayer = static_cast<std::uint32_t>(spec.numLayers);
    f.nHead = static_cast<std::uint32_t>(spec.numHeads);
    f.nHeadKv = static_cast<std::uint32_t>(spec.numKvHeads ? spec.numKvHeads : spec.numHeads);
    f.nExpert = static_cast<std::uint32_t>(spec.numExperts);
    f.is70B = is70B(f.arch, f.nLayer, f.nHead, f.nHeadKv, f.nExpert);
    return f;
}

bool llamaTensorOrderLess(const std::string& a, const std::string& b)
{
    int la = -1, lb = -1;
    std::sscanf(a.c_str(), "blk.%d.", &la);
    std::sscanf(b.c_str(), "blk.%d.", &lb);
    if (la != lb) return la < lb;
    return a < b;
}

bool requiresImatrix(std::string_view name, DType type, std::uint32_t fileType) noexcept
{
    if (name == "token_embd.weight" || name == "per_layer_token_embd.weight" || name == "output.weight") return false;
    switch (type) {
    case DType::IQ3_XXS: case DType::IQ2_XXS: case DType::IQ2_XS: case DType::IQ2_S: case DType::IQ1_M: case DType::IQ1_S: return true;
    case DType::Q2_K: return fileType == kQ2_K_S;
    default: return false;
    }
}

Result<QuantPlan> planMix(const std::vector<PlanTensorInput>& tensors, const ModelFacts& facts, const MixOptions& options)
{
    if (!options.mix) return makeError(ErrorCode::InvalidArgument, {}, "no mix given");
    std::vector<std::pair<Regex, DType>> patterns;
    for (const auto& o : options.overrides) {
        std::string lower = o.pattern;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        auto re = Regex::compile(lower);
        if (!re) return makeError(ErrorCode::InvalidArgument, {}, "--tensor-type pattern '" + lower + "' " + re.error().detail);
        patterns.emplace_back(std::move(*re), o.type);
    }

    State s{facts, options, options.mix->fileType, facts.arch == "falcon"};
    s.nFfn = static_cast<int>(facts.nLayer);
    for (const auto& t : tensors) {
        const Category c = categoryOf(t.name);
        if (isAttnVLike(c)) ++s.nAttnV;
        if (c == Category::Output) s.tiedEmbeddings = false;
    }

    QuantPlan plan;
    plan.mix = std::string(options.mix->name);
    plan.fileType = options.mix->fileType;
    const DType def = options.mix->defaultType;
    for (const auto& t : tensors) {
        if (t.ne.empty() || t.ne.size() > 4) return makeError(ErrorCode::InvalidArgument, {}, "tensor " + t.name + " has no valid shape");
        TensorPlan tp;
        tp.name = t.name;
        tp.ne = t.ne;
        tp.inputType = t.type;
        const Category cat = categoryOf(t.name);
        if (auto keep = keepReason(t, options)) {
            tp.type = t.type;
            tp.reason = *keep;
        } else if (options.tokenEmbeddingType && cat == Category::TokenEmbd) {
            tp.type = *options.tokenEmbeddingType;
            tp.reason = Message(MessageCode::OverrideTokenEmbeddingType);
        } else if (options.outputTensorType && cat == Category::Output) {
            tp.type = *options.outputTensorType;
            tp.reason = Message(MessageCode::OverrideOutputType);
        } else if (!isBlockType(def)) {
            tp.type = def;
            tp.reason = Message(MessageCode::MixDefault);
        } else {
            Choice ch{def, Message(MessageCode::MixDefault)};
            bool manual = false;
            for (std::size_t k = 0; k < patterns.size(); ++k)
                if (patterns[k].first.search(t.name)) {
                    ch = {patterns[k].second, Message(MessageCode::OverrideTensorType, {},
                                                       {{"pattern", options.overrides[k].pattern}, {"type", typeName(patterns[k].second)}})};
                    manual = true;
                    break;
                }
            if (!manual && !options.pure) {
                auto r = mixRule(s, t, def, cat);
                if (!r) {
                    Error e = std::move(r).error();
                    if (e.tensor.empty()) e.tensor = t.name;
                    return e;
                }
                ch = std::move(*r);
            } else if (!manual) {
                ch.reason = Message(MessageCode::PureDefault);
            }
            bool fell = false;
            auto fb = shapeFallback(t, std::move(ch), fell);
            if (!fb) return std::move(fb).error();
            tp.type = fb->type;
            tp.reason = std::move(fb->reason);
            tp.fallback = fell;
        }
        if (tp.bytes() == 0) {
            Error e = makeError(ErrorCode::InvalidArgument, {},
                                "row length " + std::to_string(tp.ne[0]) + " cannot be stored as " + typeName(tp.type));
            e.tensor = t.name;
            return e;
        }
        plan.tensors.push_back(std::move(tp));
    }
    return plan;
}

} // namespace condense::plan
