#pragma once
// Which group of the tensor tree a tensor belongs to, from its name alone:
//   GGUF (llama.cpp names):  token_embd.*            -> embedding
//                            blk.N.*                  -> layer N, prefix "blk.N"
//                            output.*, output_norm.*  -> output
//   Hugging Face names:      model.embed_tokens.*     -> embedding
//                            model.layers.N.*         -> layer N, prefix "model.layers.N"
//                            lm_head.*, model.norm.*  -> output
//   anything else                                     -> other
#include <QString>

#include <cstdint>
#include <string_view>

namespace condense::ui {

enum class TensorGroupKind : std::uint8_t { Embedding, Layer, Output, Other };

struct TensorGroupKey {
    TensorGroupKind kind = TensorGroupKind::Other;
    int layer = -1;  // Layer only
    QString prefix;  // Layer only: "blk.3" / "model.layers.3"

    // Tree order: embedding, layers by index, output, other.
    bool operator<(const TensorGroupKey& o) const
    {
        if (kind != o.kind) return kind < o.kind;
        return layer < o.layer;
    }
    bool operator==(const TensorGroupKey& o) const { return kind == o.kind && layer == o.layer; }
};

TensorGroupKey tensorGroupOf(std::string_view tensorName);

} // namespace condense::ui
