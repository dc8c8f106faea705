#include "core/plan/hf_format_plan.h"

#include <string>

namespace condense::plan {

bool isHfQuantizedLinear(std::string_view name)
{
    if (name.rfind("blk.", 0) != 0) return false;
    for (std::string_view role : {".attn_q.weight", ".attn_k.weight", ".attn_v.weight", ".attn_output.weight", ".ffn_gate.weight",
                                  ".ffn_up.weight", ".ffn_down.weight"})
        if (name.size() > role.size() && name.substr(name.size() - role.size()) == role) return true;
    return false;
}

std::string hfFormatLabel(PlanFormat format, const GroupEncoding& e)
{
    const char* name = format == PlanFormat::Awq ? "AWQ" : format == PlanFormat::CompressedTensors ? "CT" : "GPTQ";
    return std::string(name) + "-" + std::to_string(e.bits) + "bit-" + (e.groupSize == 0 ? std::string("row") : "g" + std::to_string(e.groupSize));
}

QuantPlan planHfFormat(const std::vector<PlanTensorInput>& tensors, const HfFormatOptions& o)
{
    QuantPlan p;
    p.mix = hfFormatLabel(o.format, o.encoding);
    p.format = o.format;
    p.method = o.method;
    p.actOrder = o.actOrder;
    p.tensors.reserve(tensors.size());
    for (const PlanTensorInput& in : tensors) {
        TensorPlan t;
        t.name = in.name;
        t.ne = in.ne;
        t.inputType = in.type;
        t.type = in.type;
        if (in.ne.size() == 2 && isHfQuantizedLinear(in.name)) {
            t.group = o.encoding;
            t.reason = Message(MessageCode::HfQuantizedLinear, {},
                               {{"bits", std::to_string(o.encoding.bits)}, {"group", std::to_string(o.encoding.groupSize)}});
        } else {
            t.reason = Message(MessageCode::HfKeptFloat, {}, {{"type", std::string(dtypeName(in.type))}});
        }
        p.tensors.push_back(std::move(t));
    }
    return p;
}

} // namespace condense::plan
