#include "core/model/model.h"

#include <unordered_map>

#include "core/arch/tensor_naming.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::model {

namespace {

constexpr std::int64_t kMaxDim = std::int64_t{1} << 31; // any single dimension we accept

std::string shapeText(const std::vector<std::uint64_t>& s)
{
    std::string t = "[";
    for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
}

} // namespace

// Builds a Model from a checkpoint; every error names the file and, when it is about one, the tensor.
struct ModelLoader {
    const io::Checkpoint& ck;
    std::string file;
    std::unordered_map<std::string, std::size_t> byName; // llama.cpp name -> checkpoint tensor index

    explicit ModelLoader(const io::Checkpoint& c) : ck(c), file(c.path().string())
    {
        const bool gguf = ck.format() == io::CheckpointFormat::Gguf;
        for (std::size_t i = 0; i < ck.tensors().size(); ++i) {
            const std::string& n = ck.tensors()[i].name;
            if (gguf) {
                byName.emplace(n, i);
            } else if (auto g = arch::ggufTensorName(n)) {
                byName.emplace(*g, i);
            }
        }
    }

    // Name as stored in the file (for messages).
    std::string storedName(const std::string& canonical) const
    {
        auto it = byName.find(canonical);
        return it == byName.end() ? canonical : ck.tensors()[it->second].name;
    }

    Error tensorError(ErrorCode code, const std::string& canonical, std::string detail) const
    {
        Error e = makeError(code, file, std::move(detail));
        e.tensor = storedName(canonical);
        return e;
    }

    const io::TensorEntry* find(const std::string& canonical) const
    {
        auto it = byName.find(canonical);
        return it == byName.end() ? nullptr : &ck.tensors()[it->second];
    }

    Result<WeightView> matrix(const std::string& name, std::int64_t rows, std::int64_t cols) const
    {
        auto it = byName.find(name);
        if (it == byName.end()) return tensorError(ErrorCode::MissingTensor, name, "required tensor is missing");
        const io::TensorEntry& t = ck.tensors()[it->second];
        if (t.shape.size() != 2 || t.shape[0] != static_cast<std::uint64_t>(rows) ||
            t.shape[1] != static_cast<std::uint64_t>(cols))
            return tensorError(ErrorCode::Malformed, name,
                               "shape " + shapeText(t.shape) + ", expected [" + std::to_string(rows) + ", " +
                                   std::to_string(cols) + "]");
        if (!Matmul::supports(t.dtype))
            return tensorError(ErrorCode::UnsupportedType, name,
                               "no matrix kernels for type " + std::string(dtypeName(t.dtype)));
        const auto rowBytes = dtypeBytes(t.dtype, static_cast<std::uint64_t>(cols), static_cast<std::uint64_t>(cols));
        const auto total = rowBytes ? checkedMul(*rowBytes, static_cast<std::uint64_t>(rows)) : std::nullopt;
        const auto data = ck.tensorData(it->second);
        if (!total || data.size() < *total)
            return tensorError(ErrorCode::Truncated, name, "tensor data is shorter than its shape needs");
        WeightView w;
        w.type = t.dtype;
        w.data = data.data();
        w.rows = rows;
        w.cols = cols;
        w.rowBytes = static_cast<std::size_t>(*rowBytes);
        return w;
    }

    // A 1-D tensor of n elements as floats; absent -> empty vector when optional.
    Result<std::vector<float>> vector(const std::string& name, std::int64_t n, bool required) const
    {
        auto it = byName.find(name);
        if (it == byName.end()) {
            if (!required) return std::vector<float>{};
            return tensorError(ErrorCode::MissingTensor, name, "required tensor is missing");
        }
        const io::TensorEntry& t = ck.tensors()[it->second];
        if (t.elements() != static_cast<std::uint64_t>(n) || t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[0] != 1))
            return tensorError(ErrorCode::Malformed, name,
                               "shape " + shapeText(t.shape) + ", expected [" + std::to_string(n) + "]");
        const auto data = ck.tensorData(it->second);
        std::vector<float> out(static_cast<std::size_t>(n));
        const DTypeTraits* tr = dtypeTraits(t.dtype);
        const auto need = dtypeBytes(t.dtype, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n));
        if (tr == nullptr || !need || data.size() < *need)
            return tensorError(ErrorCode::Truncated, name, "tensor data is shorter than its shape needs");
        if (tr->isQuantized) {
            const quant::QuantKernels* q = quant::quantKernels(t.dtype);
            if (q == nullptr) return tensorError(ErrorCode::UnsupportedType, name, "cannot dequantize type " + std::string(tr->name));
            q->dequantizeRow(data.data(), out.data(), n);
        } else if (!convertToF32(t.dtype, data.data(), out.data(), out.size())) {
            return tensorError(ErrorCode::UnsupportedType, name, "cannot read type " + std::string(tr->name) + " as float");
        }
        return out;
    }

    Result<std::shared_ptr<const Model>> load(std::shared_ptr<const io::Checkpoint> keep, const LoadConfig& config)
    {
        const arch::ModelSpec& spec = ck.spec();
        if (!spec.known())
            return makeError(ErrorCode::UnsupportedArchitecture, file,
                             "architecture '" + (spec.hfArchitecture.empty() ? spec.modelType : spec.hfArchitecture) +
                                 "' is not one we can run (llama, mistral, qwen2, qwen3)");
        if (!spec.hiddenAct.empty() && spec.hiddenAct != "silu" && spec.hiddenAct != "swish")
            return makeError(ErrorCode::UnsupportedArchitecture, file, "activation '" + spec.hiddenAct + "' is not SiLU");
        if (spec.mlpBias) return makeError(ErrorCode::UnsupportedArchitecture, file, "MLP biases are not supported");

        auto model = std::shared_ptr<Model>(new Model());
        model->m_checkpoint = std::move(keep);
        model->m_spec = spec;
        model->m_matmul = Matmul(config.simd, config.quantKernels);
        ModelDims& d = model->m_dims;

        // Embedding first: it fixes vocab and hidden size when the metadata lacks them.
        const io::TensorEntry* emb = find("token_embd.weight");
        if (emb == nullptr) return tensorError(ErrorCode::MissingTensor, "token_embd.weight", "required tensor is missing");
        if (emb->shape.size() != 2)
            return tensorError(ErrorCode::Malformed, "token_embd.weight", "shape " + shapeText(emb->shape) + " is not 2-D");
        d.vocab = static_cast<std::int64_t>(emb->shape[0]);
        d.hidden = static_cast<std::int64_t>(spec.hiddenSize ? spec.hiddenSize : emb->shape[1]);
        d.layers = static_cast<std::int64_t>(spec.numLayers);
        d.heads = static_cast<std::int64_t>(spec.numHeads);
        d.kvHeads = static_cast<std::int64_t>(spec.numKvHeads ? spec.numKvHeads : spec.numHeads);
        d.headDim = static_cast<std::int64_t>(spec.headDim ? spec.headDim : (d.heads ? d.hidden / d.heads : 0));
        d.ff = static_cast<std::int64_t>(spec.intermediateSize);
        if (d.ff == 0)
            if (const io::TensorEntry* g = find("blk.0.ffn_gate.weight"); g && g->shape.size() == 2)
                d.ff = static_cast<std::int64_t>(g->shape[0]);
        d.slidingWindow = static_cast<std::int64_t>(spec.slidingWindow);
        d.rmsEps = static_cast<float>(spec.rmsNormEps);
        const auto bad = [&](std::int64_t v) { return v <= 0 || v >= kMaxDim; };
        if (bad(d.vocab) || bad(d.hidden) || bad(d.layers) || bad(d.heads) || bad(d.kvHeads) || bad(d.headDim) ||
            bad(d.ff) || d.heads % d.kvHeads != 0 || d.headDim % 2 != 0 || !(spec.rmsNormEps >= 0.0) || d.layers > 4096)
            return makeError(ErrorCode::UnsupportedArchitecture, file,
                             "inconsistent dimensions: hidden " + std::to_string(d.hidden) + ", layers " +
                                 std::to_string(d.layers) + ", heads " + std::to_string(d.heads) + "/" +
                                 std::to_string(d.kvHeads) + ", head_dim " + std::to_string(d.headDim) + ", ff " +
                                 std::to_string(d.ff));

        auto embView = matrix("token_embd.weight", d.vocab, d.hidden);
        if (!embView) return std::move(embView).error();
        model->m_tokEmbd = *embView;
        if (find("output.weight")) {
            auto out = matrix("output.weight", d.vocab, d.hidden);
            if (!out) return std::move(out).error();
            model->m_output = *out;
        } else if (ck.format() == io::CheckpointFormat::Gguf || spec.tieWordEmbeddings) {
            // GGUF: no output.weight means tied (llama.cpp reuses token_embd).
            model->m_output = model->m_tokEmbd;
            model->m_tied = true;
        } else {
            return tensorError(ErrorCode::MissingTensor, "output.weight",
                               "lm_head.weight is missing and the config does not tie the embeddings");
        }
        auto outNorm = vector("output_norm.weight", d.hidden, true);
        if (!outNorm) return std::move(outNorm).error();
        model->m_outputNorm = std::move(*outNorm);

        const std::int64_t qDim = d.heads * d.headDim, kvDim = d.kvHeads * d.headDim;
        const bool needBias = spec.family == arch::Family::Qwen2 || spec.attentionBias;
        const bool needQkNorm = spec.family == arch::Family::Qwen3 || spec.qkNorm;
        model->m_layers.resize(static_cast<std::size_t>(d.layers));
        for (std::int64_t l = 0; l < d.layers; ++l) {
            LayerWeights& L = model->m_layers[static_cast<std::size_t>(l)];
            const std::string p = "blk." + std::to_string(l) + ".";
#define CONDENSE_LOAD(field, expr)                     \
    do {                                               \
        auto r_ = (expr);                              \
        if (!r_) return std::move(r_).error();         \
        L.field = std::move(*r_);                      \
    } while (0)
            CONDENSE_LOAD(attnNorm, vector(p + "attn_norm.weight", d.hidden, true));
            CONDENSE_LOAD(q, matrix(p + "attn_q.weight", qDim, d.hidden));
            CONDENSE_LOAD(k, matrix(p + "attn_k.weight", kvDim, d.hidden));
            CONDENSE_LOAD(v, matrix(p + "attn_v.weight", kvDim, d.hidden));
            CONDENSE_LOAD(o, matrix(p + "attn_output.weight", d.hidden, qDim));
            CONDENSE_LOAD(qBias, vector(p + "attn_q.bias", qDim, needBias));
            CONDENSE_LOAD(kBias, vector(p + "attn_k.bias", kvDim, needBias));
            CONDENSE_LOAD(vBias, vector(p + "attn_v.bias", kvDim, needBias));
            CONDENSE_LOAD(qNorm, vector(p + "attn_q_norm.weight", d.headDim, needQkNorm));
            CONDENSE_LOAD(kNorm, vector(p + "attn_k_norm.weight", d.headDim, needQkNorm));
            CONDENSE_LOAD(ffnNorm, vector(p + "ffn_norm.weight", d.hidden, true));
            CONDENSE_LOAD(gate, matrix(p + "ffn_gate.weight", d.ff, d.hidden));
            CONDENSE_LOAD(up, matrix(p + "ffn_up.weight", d.ff, d.hidden));
            CONDENSE_LOAD(down, matrix(p + "ffn_down.weight", d.hidden, d.ff));
#undef CONDENSE_LOAD
            if (find(p + "attn_output.bias"))
                return tensorError(ErrorCode::UnsupportedArchitecture, p + "attn_output.bias", "output projection bias is not supported");
        }

        // RoPE: GGUF llama stores permuted Q/K rows (NORM pairs); everything else rotate-half.
        std::int64_t nRot = d.headDim;
        RopeLayout layout = RopeLayout::Neox;
        if (const io::GgufFile* g = ck.gguf()) {
            const std::string arch = g->getString("general.architecture").value_or("");
            if (auto r = g->getUInt(arch + ".rope.dimension_count")) nRot = static_cast<std::int64_t>(*r);
            if (arch == "llama") layout = RopeLayout::Norm;
        } else if (spec.partialRotaryFactor > 0.0 && spec.partialRotaryFactor < 1.0) {
            nRot = static_cast<std::int64_t>(static_cast<double>(d.headDim) * spec.partialRotaryFactor) / 2 * 2;
        }
        auto freqs = vector("rope_freqs.weight", nRot / 2, false);
        if (!freqs) return std::move(freqs).error();
        auto rope = Rope::create(spec, d.headDim, nRot, layout, std::move(*freqs), file);
        if (!rope) return std::move(rope).error();
        model->m_rope = std::move(*rope);
        return std::shared_ptr<const Model>(std::move(model));
    }
};

Result<std::shared_ptr<const Model>> loadModel(std::shared_ptr<const io::Checkpoint> checkpoint, const LoadConfig& config)
{
    if (!checkpoint) return makeError(ErrorCode::InvalidArgument, "", "no checkpoint");
    ModelLoader loader(*checkpoint);
    return loader.load(std::move(checkpoint), config);
}

void Model::embed(std::int32_t token, float* out) const
{
    const std::byte* row = m_tokEmbd.row(token);
    if (!convertToF32(m_tokEmbd.type, row, out, static_cast<std::size_t>(m_dims.hidden)))
        quant::quantKernels(m_tokEmbd.type)->dequantizeRow(row, out, m_dims.hidden);
}

std::uint64_t Model::weightBytes() const
{
    auto bytes = [](const WeightView& w) { return static_cast<std::uint64_t>(w.rowBytes) * static_cast<std::uint64_t>(w.rows); };
    std::uint64_t total = bytes(m_tokEmbd) + (m_tied ? 0 : bytes(m_output));
    for (const LayerWeights& L : m_layers)
        total += bytes(L.q) + bytes(L.k) + bytes(L.v) + bytes(L.o) + bytes(L.gate) + bytes(L.up) + bytes(L.down);
    return total;
}

} // namespace condense::model
