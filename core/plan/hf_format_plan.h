#pragma once
// The plan of a Hugging Face quantized export (GPTQ, AWQ, compressed-tensors folders;
// core/pipeline/hf_export.h): the decoder blocks' q/k/v/o and gate/up/down projection weights get
// `bits` in groups of `groupSize` (TensorPlan::group, sized by packedBytes), every other tensor
// keeps its input type (embeddings, lm_head, norms, biases: as GPTQModel, AutoAWQ and
// llm-compressor leave them). Tensor names and order are the GGUF ones of the model's plan input
// (pipeline::readPlanModel), so the plan table, the report and the GGUF plans read alike.
// QuantPlan::mix holds the export's label (hfFormatLabel: "GPTQ-4bit-g128"), file_type 0.

#include <string>
#include <string_view>
#include <vector>

#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"

namespace condense::plan {

struct HfFormatOptions {
    PlanFormat format = PlanFormat::Gptq; // not Gguf
    PlanMethod method = PlanMethod::Rtn;  // rtn, gptq or awq
    GroupEncoding encoding;               // groupSize 0: one group per row
    bool actOrder = false;
};

// Whether a GGUF tensor name ("blk.3.ffn_down.weight") is one of the linears the exports quantize.
bool isHfQuantizedLinear(std::string_view ggufName);

// "GPTQ-4bit-g128", "AWQ-4bit-g128", "CT-8bit-g32" ("-row" for one group per row): the name a
// run gives its folder and the label its results carry.
std::string hfFormatLabel(PlanFormat format, const GroupEncoding& encoding);

QuantPlan planHfFormat(const std::vector<PlanTensorInput>& tensors, const HfFormatOptions& options);

} // namespace condense::plan
