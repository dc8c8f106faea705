#include "tests/support/synthetic_gguf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/io/gguf_writer.h"
#include "core/tensor/float_convert.h"

namespace condense::test {

namespace {

std::uint64_t splitmix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct Tensor {
    std::string name;
    std::vector<std::uint64_t> ne;
    bool norm;
};

} // namespace

float syntheticWeight(std::uint64_t seed, std::uint64_t tensor, std::uint64_t i, float scale)
{
    const std::uint64_t r = splitmix(splitmix(seed * 0x100000001b3ull + tensor) ^ i);
    const float u0 = static_cast<float>(r & 0xffff), u1 = static_cast<float>((r >> 16) & 0xffff);
    const float u2 = static_cast<float>((r >> 32) & 0xffff), u3 = static_cast<float>((r >> 48) & 0xff);
    const float n = (u0 + u1 + u2 - 98302.5f) / 32768.0f;     // ~ bell-shaped in (-1.5, 1.5)
    const float v = (u3 + 1.0f) / 256.0f;                     // (0, 1]
    return scale * n / std::sqrt(v);
}

std::string writeSyntheticLlama(const std::filesystem::path& path, const SyntheticLlama& s)
{
    using io::GgufValue;
    io::GgufWriter w;
    w.set("general.architecture", GgufValue::string("llama"));
    w.set("general.type", GgufValue::string("model"));
    w.set("general.name", GgufValue::string(s.name));
    w.set("llama.block_count", GgufValue::u32(s.nLayer));
    w.set("llama.context_length", GgufValue::u32(512));
    w.set("llama.embedding_length", GgufValue::u32(s.nEmbd));
    w.set("llama.feed_forward_length", GgufValue::u32(s.nFf));
    w.set("llama.attention.head_count", GgufValue::u32(s.nHead));
    w.set("llama.attention.head_count_kv", GgufValue::u32(s.nHeadKv));
    w.set("llama.rope.freq_base", GgufValue::f32(10000.0f));
    w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::f32(1e-5f));
    w.set("general.file_type", GgufValue::u32(1));
    w.set("llama.vocab_size", GgufValue::u32(s.nVocab));
    w.set("llama.rope.dimension_count", GgufValue::u32(s.nEmbd / s.nHead));
    w.set("general.quantization_version", GgufValue::u32(2));

    const std::uint64_t kv = static_cast<std::uint64_t>(s.nEmbd) / s.nHead * s.nHeadKv;
    std::vector<Tensor> ts;
    ts.push_back({"token_embd.weight", {s.nEmbd, s.nVocab}, false});
    ts.push_back({"output_norm.weight", {s.nEmbd}, true});
    if (!s.tied) ts.push_back({"output.weight", {s.nEmbd, s.nVocab}, false});
    for (std::uint32_t l = 0; l < s.nLayer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        ts.push_back({b + "attn_norm.weight", {s.nEmbd}, true});
        ts.push_back({b + "attn_q.weight", {s.nEmbd, s.nEmbd}, false});
        ts.push_back({b + "attn_k.weight", {s.nEmbd, kv}, false});
        ts.push_back({b + "attn_v.weight", {s.nEmbd, kv}, false});
        ts.push_back({b + "attn_output.weight", {s.nEmbd, s.nEmbd}, false});
        ts.push_back({b + "ffn_norm.weight", {s.nEmbd}, true});
        ts.push_back({b + "ffn_gate.weight", {s.nEmbd, s.nFf}, false});
        ts.push_back({b + "ffn_up.weight", {s.nEmbd, s.nFf}, false});
        ts.push_back({b + "ffn_down.weight", {s.nFf, s.nEmbd}, false});
    }
    for (const auto& t : ts)
        if (auto st = w.addTensor(t.name, t.norm ? DType::F32 : DType::F16, t.ne); !st) return describe(st.error());

    jobs::NullSink sink;
    auto r = w.write(
        path,
        [&](std::size_t k, io::TensorOutput& out) -> Status {
            const Tensor& t = ts[k];
            std::uint64_t n = 1;
            for (auto d : t.ne) n *= d;
            constexpr std::uint64_t kChunk = 1 << 20;
            std::vector<std::byte> buf;
            for (std::uint64_t i0 = 0; i0 < n; i0 += kChunk) {
                const std::uint64_t m = std::min(kChunk, n - i0);
                buf.resize(static_cast<std::size_t>(m * (t.norm ? 4 : 2)));
                for (std::uint64_t i = 0; i < m; ++i) {
                    const float x = syntheticWeight(s.seed, k, i0 + i, s.scale);
                    if (t.norm) {
                        const float v = 1.0f + x;
                        std::memcpy(buf.data() + 4 * i, &v, 4);
                    } else {
                        const std::uint16_t h = fp32ToFp16(x);
                        std::memcpy(buf.data() + 2 * i, &h, 2);
                    }
                }
                CONDENSE_TRY(out.write(buf));
            }
            return okStatus();
        },
        {}, sink);
    return r ? std::string() : describe(r.error());
}

} // namespace condense::test
