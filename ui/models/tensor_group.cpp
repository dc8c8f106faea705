#include "ui/models/tensor_group.h"

#include <string>

#include "core/arch/tensor_role.h"

namespace condense::ui {

namespace {

// "blk.3" / "model.layers.3": the name up to the layer number the classifier found.
QString layerPrefix(std::string_view name, int layer)
{
    const std::string number = "." + std::to_string(layer) + ".";
    for (std::string_view head : {"blk", "layers"}) {
        const std::string key = std::string(head) + number;
        const std::size_t at = name.find(key);
        if (at != std::string_view::npos && (at == 0 || name[at - 1] == '.'))
            return QString::fromUtf8(name.data(), static_cast<qsizetype>(at + key.size() - 1));
    }
    const std::size_t at = name.find(number);
    return at == std::string_view::npos ? QString() : QString::fromUtf8(name.data(), static_cast<qsizetype>(at + number.size() - 1));
}

} // namespace

TensorGroupKey tensorGroupOf(std::string_view name)
{
    TensorGroupKey key;
    const arch::TensorId id = arch::classifyTensor(name);
    if (id.layer >= 0) {
        key.kind = TensorGroupKind::Layer;
        key.layer = id.layer;
        key.prefix = layerPrefix(name, id.layer);
        return key;
    }
    switch (id.role) {
    case arch::TensorRole::TokenEmbd: key.kind = TensorGroupKind::Embedding; break;
    case arch::TensorRole::Output:
    case arch::TensorRole::OutputNorm: key.kind = TensorGroupKind::Output; break;
    default: break;
    }
    return key;
}

} // namespace condense::ui
