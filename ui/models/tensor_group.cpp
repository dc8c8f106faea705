#include "ui/models/tensor_group.h"

#include <array>
#include <limits>

namespace condense::ui {

namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "<prefix><digits>." -> layer index; -1 when the name does not have that form.
int layerAfter(std::string_view name, std::string_view prefix, std::size_t& prefixLen)
{
    if (!startsWith(name, prefix)) return -1;
    std::size_t i = prefix.size();
    long long v = 0;
    const std::size_t digits = i;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') {
        v = v * 10 + (name[i] - '0');
        if (v > std::numeric_limits<int>::max()) return -1;
        ++i;
    }
    if (i == digits || i >= name.size() || name[i] != '.') return -1;
    prefixLen = i;
    return static_cast<int>(v);
}

} // namespace

TensorGroupKey tensorGroupOf(std::string_view name)
{
    TensorGroupKey key;
    static constexpr std::array<std::string_view, 3> layerPrefixes{"blk.", "model.layers.", "layers."};
    for (std::string_view p : layerPrefixes) {
        std::size_t len = 0;
        const int layer = layerAfter(name, p, len);
        if (layer >= 0) {
            key.kind = TensorGroupKind::Layer;
            key.layer = layer;
            key.prefix = QString::fromUtf8(name.data(), static_cast<qsizetype>(len));
            return key;
        }
    }
    static constexpr std::array<std::string_view, 4> embedding{"token_embd.", "model.embed_tokens.", "embed_tokens.",
                                                               "tok_embeddings."};
    for (std::string_view p : embedding)
        if (startsWith(name, p)) {
            key.kind = TensorGroupKind::Embedding;
            return key;
        }
    static constexpr std::array<std::string_view, 5> output{"output.", "output_norm.", "lm_head.", "model.norm.", "norm."};
    for (std::string_view p : output)
        if (startsWith(name, p)) {
            key.kind = TensorGroupKind::Output;
            return key;
        }
    return key;
}

} // namespace condense::ui
