#include "app/message_text.h"

#include <cstdio>
#include <cstdlib>

namespace condense::cli {

namespace {

std::string f(const Message& m, std::string_view key) { return std::string(m.field(key)); }

// " (layer counter 2 of 6)" / " (layer 2 of 6)" / "".
std::string layerText(const Message& m)
{
    if (m.has("counter")) return " (layer counter " + f(m, "counter") + " of " + f(m, "of") + ")";
    if (m.has("layer")) return " (layer " + f(m, "layer") + " of " + f(m, "of") + ")";
    return {};
}

std::string mixRuleText(const Message& m)
{
    const std::string tensor = f(m, "tensor");
    const std::string condition = f(m, "condition");
    const std::string variant = f(m, "variant");
    if (tensor == "output" || tensor == "tied_token_embd") {
        std::string s = tensor == "output" ? "output" : "tied token_embd (output rule)";
        if (condition == "falcon") s += ": falcon";
        else if (condition == "row") s += ": row " + f(m, "row") + " not a multiple of " + f(m, "block");
        return s + " -> " + f(m, "to");
    }
    std::string s = tensor;
    if (variant == "70b") return s + " of a 70B model";
    if (variant == "8_expert") return s + " of an 8-expert model";
    if (variant == "bump") s += " bump";
    if (m.has("mix")) s += " " + f(m, "mix");
    if (variant == "falcon") s += " falcon";
    else if (variant == "with_imatrix") s += " with imatrix";
    else if (variant == "without_imatrix") s += " without imatrix";
    if (condition == "gqa") s += ", gqa " + f(m, "gqa");
    else if (condition == "use_more_bits") s += ", use_more_bits";
    else if (condition == "first_layers") s += ", first " + f(m, "first");
    else if (condition == "first_eighth") s += ", first eighth";
    else if (condition == "first_sixteenth") s += ", first sixteenth";
    return s + layerText(m);
}

// A byte count field as "9.3 GiB" (profiles state memory in GiB).
std::string gib(const Message& m, std::string_view key)
{
    const std::string v = f(m, key);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", std::strtod(v.c_str(), nullptr) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string poolText(const Message& m)
{
    const std::string p = f(m, "pool");
    if (p == "vram") return "VRAM";
    if (p == "unified") return "unified memory";
    return "RAM";
}

} // namespace

std::string messageText(const Message& m)
{
    switch (m.code) {
    case MessageCode::LegacyText: return f(m, "text");
    case MessageCode::Replayed: {
        const auto was = nestedMessage(m);
        return was ? "plan: " + messageText(*was) : "plan";
    }
    case MessageCode::MixDefault: return "mix default";
    case MessageCode::PureDefault: return "--pure: mix default";
    case MessageCode::OverrideTensorType: return "user override --tensor-type " + f(m, "pattern") + "=" + f(m, "type");
    case MessageCode::OverrideOutputType: return "user override --output-tensor-type";
    case MessageCode::OverrideTokenEmbeddingType: return "user override --token-embedding-type";
    case MessageCode::KeepLowDims: return f(m, "dims") + "-D tensor kept as " + f(m, "type");
    case MessageCode::KeepNotWeight: return "not a weight, kept as " + f(m, "type");
    case MessageCode::KeepNorm: return "norm kept as " + f(m, "type");
    case MessageCode::KeepLeaveOutput: return "--leave-output-tensor: kept as " + f(m, "type");
    case MessageCode::KeepNeverQuantized: return "never quantized (" + f(m, "pattern") + "), kept as " + f(m, "type");
    case MessageCode::KeepEmbedding: return "embedding never quantized, kept as " + f(m, "type");
    case MessageCode::MixRule: return "mix rule: " + mixRuleText(m);
    case MessageCode::Fallback: {
        std::string s = "fallback: row " + f(m, "row") + " not a multiple of " + f(m, "block") + " (" + f(m, "from") + ")";
        if (m.has("via")) s += ", nor of " + f(m, "block2") + " (" + f(m, "via") + ")";
        s += " -> " + f(m, "to");
        const auto was = nestedMessage(m);
        return s + "; was " + (was ? messageText(*was) : std::string());
    }
    case MessageCode::TokenizerNoMerges: return "adding merges requested but no merges found, output may be non-functional";
    case MessageCode::TokenizerInvalidSpecialId: return "ignoring invalid special token id " + f(m, "id") + " for " + f(m, "token_type");
    case MessageCode::TokenizerSpecialOutOfRange:
        return "special token type " + f(m, "token_type") + ", id " + f(m, "id") + " out of range, must be under " + f(m, "limit") + " - skipping";
    case MessageCode::TokenizerMergeSpaces: return "spaces in merges detected, encoding them as U+0120";
    case MessageCode::TokenizerMalformedMerge: return "merges.txt: malformed entry ignored";
    case MessageCode::TokenizerBadChatTemplate: return "bad type for chat_template in tokenizer_config.json - ignoring";
    case MessageCode::TokenizerTokensOutOfRange: return "ignoring tokens from " + f(m, "id") + ": id is out of range, max=" + f(m, "max");
    case MessageCode::TokenizerAddedTokenOutOfRange: return "ignoring added token " + f(m, "id") + ": id is out of range";
    case MessageCode::TokenizerUnknownPreTokenizer:
        return "the pre-tokenizer in tokenizer.json is not one we recognize; writing tokenizer.ggml.pre = \"default\" "
               "(llama.cpp may split text differently than the original tokenizer)";
    case MessageCode::UnknownRopeType: return "unknown RoPE type: " + f(m, "rope_type");
    case MessageCode::ImatrixMissingEntry: return "the importance matrix has no entry for " + m.tensor + ": quantized without one";
    case MessageCode::ImatrixEntryLength:
        return "the importance matrix entry of " + m.tensor + " has " + f(m, "values") + " values instead of " + f(m, "want") + ": ignored";
    case MessageCode::Requantizing:
        return "requantizing " + f(m, "count") + " already quantized tensor(s): the result is worse than quantizing the original weights";
    case MessageCode::GptqDampingRaised:
        return "GPTQ: the Hessian of " + m.tensor + " was not positive definite with damping " + f(m, "from") + "; used " + f(m, "to");
    case MessageCode::GptqRtnFallback:
        return "GPTQ: the Hessian of " + m.tensor + " is not positive definite even with damping " + f(m, "damping") +
               "; quantized by round-to-nearest instead";
    case MessageCode::GptqTypeFallback:
        return "GPTQ: " + m.tensor + " is " + f(m, "type") +
               ", which GPTQ does not sweep; quantized by rounding weighted with its calibration activations instead";
    case MessageCode::FitChoseMix:
        return f(m, "mix") + ": the highest-quality mix that fits" +
               (m.has("kld") ? " (mean KLD " + f(m, "kld") + " on Llama-3-8B, llama.cpp's scoreboard)" : std::string());
    case MessageCode::FitMixTooLarge:
        return f(m, "mix") + " does not fit: needs " + gib(m, "needed") + " of " + poolText(m) + ", the profile has " + gib(m, "available") + " usable";
    case MessageCode::FitMixPartialOffloadOnly:
        return f(m, "mix") + " would fit only with " + f(m, "gpu_layers") + " of " + f(m, "layers") + " layers on the GPU: a smaller mix that fits whole is faster";
    case MessageCode::FitOutsidePreferred: return "none of the profile's preferred formats fits; " + f(m, "mix") + " is not one of them";
    case MessageCode::FitFullOffload: return "all " + f(m, "layers") + " layers on the GPU";
    case MessageCode::FitPartialOffload:
        return f(m, "gpu_layers") + " of " + f(m, "layers") + " layers on the GPU (-ngl " + f(m, "gpu_layers") + "), the rest in RAM";
    case MessageCode::FitNothingFits:
        return "nothing fits: even " + f(m, "mix") + " needs " + gib(m, "needed") + " of " + poolText(m) + ", the profile has " + gib(m, "available") +
               " usable";
    case MessageCode::FitContextBeyondModel:
        return "context " + f(m, "ctx") + " is longer than the model was trained for (" + f(m, "max") + ")";
    case MessageCode::HfQuantizedLinear: return "decoder linear: " + f(m, "bits") + "-bit, groups of " + f(m, "group");
    case MessageCode::HfKeptFloat: return "not a decoder linear, kept as " + f(m, "type");
    }
    return std::string(messageCodeKey(m.code));
}

} // namespace condense::cli
