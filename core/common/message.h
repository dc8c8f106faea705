#pragma once
// Message: a warning or a plan reason as core hands it out -- a code, the tensor it concerns
// (may be empty) and named fields (technical values: type names, counts, layer numbers). Core
// holds no English: app/message_text.h renders the CLI's text, ui/i18n/message_text.h the
// translated text. messageCodeKey() is the stable snake_case spelling used in JSON (plan files).
//
// Nesting: a reason that wraps an earlier one (a shape fallback, a replayed plan entry) stores
// the inner message as a field "was" = inner code key plus the inner fields prefixed "was."
// (see nestMessage / nestedMessage).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace condense {

enum class MessageCode : std::uint8_t {
    // ---- plan reasons (plan::TensorPlan::reason) ----
    LegacyText,          // a version 1 plan file's reason text; field "text"
    Replayed,            // taken from a plan file; nested "was" (optional)
    MixDefault,          // the mix's default type
    PureDefault,         // --pure: the mix's default type
    OverrideTensorType,  // --tensor-type; fields "pattern", "type"
    OverrideOutputType,  // --output-tensor-type
    OverrideTokenEmbeddingType, // --token-embedding-type
    KeepLowDims,         // fewer than 2 dimensions; fields "dims", "type"
    KeepNotWeight,       // name not ending in "weight"; field "type"
    KeepNorm,            // a norm; field "type"
    KeepLeaveOutput,     // --leave-output-tensor; field "type"
    KeepNeverQuantized,  // llama-quantize never quantizes it; fields "pattern", "type"
    KeepEmbedding,       // position / token-type embedding; field "type"
    MixRule,             // a mix rule; fields below (mixes.cpp)
    Fallback,            // shape fallback; fields "row", "block", "from", ["block2", "via"], "to"; nested "was"
    // ---- warnings ----
    TokenizerNoMerges,
    TokenizerInvalidSpecialId,    // fields "id", "token_type"
    TokenizerSpecialOutOfRange,   // fields "token_type", "id", "limit"
    TokenizerMergeSpaces,
    TokenizerMalformedMerge,
    TokenizerBadChatTemplate,
    TokenizerTokensOutOfRange,    // fields "id", "max"
    TokenizerAddedTokenOutOfRange, // field "id"
    TokenizerUnknownPreTokenizer,
    UnknownRopeType,              // field "rope_type"
    ImatrixMissingEntry,          // tensor
    ImatrixEntryLength,           // tensor; fields "values", "want"
    Requantizing,                 // field "count"
    GptqDampingRaised,            // tensor; fields "from", "to" (damping fractions of mean diag H)
    GptqRtnFallback,              // tensor; field "damping" (the last fraction tried)
    GptqTypeFallback,             // tensor; field "type": GPTQ has no ggml block sweep for that type, imatrix-weighted rounding used
    // ---- fit planner (plan::planFit; sizes are byte counts) ----
    FitChoseMix,                  // fields "mix", "rank" (0 = best), "kld" (published mean KLD, may be absent)
    FitMixTooLarge,               // fields "mix", "pool" (ram | vram | unified), "needed", "available"
    FitMixPartialOffloadOnly,     // a better mix fits only partly on the GPU; fields "mix", "gpu_layers", "layers"
    FitOutsidePreferred,          // none of the profile's preferred formats fits; field "mix"
    FitFullOffload,               // field "layers"
    FitPartialOffload,            // fields "gpu_layers", "layers"
    FitNothingFits,               // fields "mix" (the smallest tried), "pool", "needed", "available"
    FitContextBeyondModel,        // fields "ctx", "max"
    // ---- HF quantized formats' plans (plan/hf_format_plan.h) ----
    HfQuantizedLinear,            // a decoder linear the format quantizes; fields "bits", "group"
    HfKeptFloat,                  // every other tensor, kept as it is; field "type"
};

// Every code, in declaration order (for tests and renderers).
std::span<const MessageCode> allMessageCodes() noexcept;
// Stable snake_case key ("mix_rule") and back.
std::string_view messageCodeKey(MessageCode code) noexcept;
std::optional<MessageCode> messageCodeFromKey(std::string_view key) noexcept;

struct Message {
    MessageCode code = MessageCode::LegacyText;
    std::string tensor;
    std::vector<std::pair<std::string, std::string>> fields;

    Message() = default;
    explicit Message(MessageCode c, std::string t = {}, std::vector<std::pair<std::string, std::string>> f = {})
        : code(c), tensor(std::move(t)), fields(std::move(f)) {}

    // The value of a field ("" when absent) and whether it is there.
    std::string_view field(std::string_view key) const noexcept;
    bool has(std::string_view key) const noexcept;
    Message& set(std::string key, std::string value);

    bool empty() const noexcept { return code == MessageCode::LegacyText && field("text").empty(); }
    // Same code, tensor and fields (in any order).
    bool operator==(const Message& other) const;
};

// A version 1 plan's free text as a message.
Message legacyText(std::string text);
// Stores `inner` inside `outer` under `prefix` ("was").
void nestMessage(Message& outer, const Message& inner, std::string_view prefix = "was");
// The message stored under `prefix`, or nullopt.
std::optional<Message> nestedMessage(const Message& outer, std::string_view prefix = "was");

} // namespace condense
