#include "ui/i18n/message_text.h"

namespace condense::ui {

namespace {

QString f(const Message& m, std::string_view key)
{
    const std::string_view v = m.field(key);
    return QString::fromUtf8(v.data(), static_cast<qsizetype>(v.size()));
}

bool is(const Message& m, std::string_view key, std::string_view value) { return m.field(key) == value; }

// A byte count field in GiB, one decimal (as the CLI writes it).
QString gib(const Message& m, std::string_view key)
{
    const double bytes = f(m, key).toDouble();
    return QString::number(bytes / (1024.0 * 1024.0 * 1024.0), 'f', 1);
}

} // namespace

QString MessageText::mixRuleText(const Message& m)
{
    if (is(m, "tensor", "output") || is(m, "tensor", "tied_token_embd")) {
        const QString what = is(m, "tensor", "output") ? tr("output") : tr("tied token_embd (output rule)");
        if (is(m, "condition", "falcon")) return tr("%1: falcon -> %2").arg(what, f(m, "to"));
        if (is(m, "condition", "row")) return tr("%1: row %2 not a multiple of %3 -> %4").arg(what, f(m, "row"), f(m, "block"), f(m, "to"));
        return tr("%1 -> %2").arg(what, f(m, "to"));
    }
    QString s = f(m, "tensor");
    if (is(m, "variant", "70b")) return tr("%1 of a 70B model").arg(s);
    if (is(m, "variant", "8_expert")) return tr("%1 of an 8-expert model").arg(s);
    if (is(m, "variant", "bump")) s = tr("%1 bump").arg(s);
    if (m.has("mix")) s = QStringLiteral("%1 %2").arg(s, f(m, "mix"));
    if (is(m, "variant", "falcon")) s = tr("%1 falcon").arg(s);
    else if (is(m, "variant", "with_imatrix")) s = tr("%1 with imatrix").arg(s);
    else if (is(m, "variant", "without_imatrix")) s = tr("%1 without imatrix").arg(s);
    if (is(m, "condition", "gqa")) s = tr("%1, gqa %2").arg(s, f(m, "gqa"));
    else if (is(m, "condition", "use_more_bits")) s = tr("%1, use_more_bits").arg(s);
    else if (is(m, "condition", "first_layers")) s = tr("%1, first %2").arg(s, f(m, "first"));
    else if (is(m, "condition", "first_eighth")) s = tr("%1, first eighth").arg(s);
    else if (is(m, "condition", "first_sixteenth")) s = tr("%1, first sixteenth").arg(s);
    if (m.has("counter")) s = tr("%1 (layer counter %2 of %3)").arg(s, f(m, "counter"), f(m, "of"));
    else if (m.has("layer")) s = tr("%1 (layer %2 of %3)").arg(s, f(m, "layer"), f(m, "of"));
    return s;
}

QString MessageText::poolName(const Message& m)
{
    if (is(m, "pool", "vram")) return tr("VRAM");
    if (is(m, "pool", "unified")) return tr("unified memory");
    return tr("RAM");
}

QString MessageText::text(const Message& m)
{
    const QString tensor = QString::fromStdString(m.tensor);
    switch (m.code) {
    case MessageCode::LegacyText: return f(m, "text");
    case MessageCode::Replayed: {
        const auto was = nestedMessage(m);
        return was ? tr("plan: %1").arg(text(*was)) : tr("plan");
    }
    case MessageCode::MixDefault: return tr("mix default");
    case MessageCode::PureDefault: return tr("--pure: mix default");
    case MessageCode::OverrideTensorType: return tr("user override --tensor-type %1=%2").arg(f(m, "pattern"), f(m, "type"));
    case MessageCode::OverrideOutputType: return tr("user override --output-tensor-type");
    case MessageCode::OverrideTokenEmbeddingType: return tr("user override --token-embedding-type");
    case MessageCode::KeepLowDims: return tr("%1-D tensor kept as %2").arg(f(m, "dims"), f(m, "type"));
    case MessageCode::KeepNotWeight: return tr("not a weight, kept as %1").arg(f(m, "type"));
    case MessageCode::KeepNorm: return tr("norm kept as %1").arg(f(m, "type"));
    case MessageCode::KeepLeaveOutput: return tr("--leave-output-tensor: kept as %1").arg(f(m, "type"));
    case MessageCode::KeepNeverQuantized: return tr("never quantized (%1), kept as %2").arg(f(m, "pattern"), f(m, "type"));
    case MessageCode::KeepEmbedding: return tr("embedding never quantized, kept as %1").arg(f(m, "type"));
    case MessageCode::MixRule: return tr("mix rule: %1").arg(mixRuleText(m));
    case MessageCode::Fallback: {
        QString s = m.has("via") ? tr("fallback: row %1 not a multiple of %2 (%3), nor of %4 (%5) -> %6")
                                       .arg(f(m, "row"), f(m, "block"), f(m, "from"), f(m, "block2"), f(m, "via"), f(m, "to"))
                                 : tr("fallback: row %1 not a multiple of %2 (%3) -> %4").arg(f(m, "row"), f(m, "block"), f(m, "from"), f(m, "to"));
        const auto was = nestedMessage(m);
        return tr("%1; was %2").arg(s, was ? text(*was) : QString());
    }
    case MessageCode::TokenizerNoMerges: return tr("adding merges requested but no merges found, output may be non-functional");
    case MessageCode::TokenizerInvalidSpecialId: return tr("ignoring invalid special token id %1 for %2").arg(f(m, "id"), f(m, "token_type"));
    case MessageCode::TokenizerSpecialOutOfRange:
        return tr("special token type %1, id %2 out of range, must be under %3 - skipping").arg(f(m, "token_type"), f(m, "id"), f(m, "limit"));
    case MessageCode::TokenizerMergeSpaces: return tr("spaces in merges detected, encoding them as U+0120");
    case MessageCode::TokenizerMalformedMerge: return tr("merges.txt: malformed entry ignored");
    case MessageCode::TokenizerBadChatTemplate: return tr("bad type for chat_template in tokenizer_config.json - ignoring");
    case MessageCode::TokenizerTokensOutOfRange: return tr("ignoring tokens from %1: id is out of range, max=%2").arg(f(m, "id"), f(m, "max"));
    case MessageCode::TokenizerAddedTokenOutOfRange: return tr("ignoring added token %1: id is out of range").arg(f(m, "id"));
    case MessageCode::TokenizerUnknownPreTokenizer:
        return tr("the pre-tokenizer in tokenizer.json is not one we recognize; writing tokenizer.ggml.pre = \"default\" "
                  "(llama.cpp may split text differently than the original tokenizer)");
    case MessageCode::UnknownRopeType: return tr("unknown RoPE type: %1").arg(f(m, "rope_type"));
    case MessageCode::ImatrixMissingEntry: return tr("the importance matrix has no entry for %1: quantized without one").arg(tensor);
    case MessageCode::ImatrixEntryLength:
        return tr("the importance matrix entry of %1 has %2 values instead of %3: ignored").arg(tensor, f(m, "values"), f(m, "want"));
    case MessageCode::Requantizing:
        return tr("requantizing %1 already quantized tensor(s): the result is worse than quantizing the original weights").arg(f(m, "count"));
    case MessageCode::GptqDampingRaised:
        return tr("GPTQ: the Hessian of %1 was not positive definite with damping %2; used %3").arg(tensor, f(m, "from"), f(m, "to"));
    case MessageCode::GptqRtnFallback:
        return tr("GPTQ: the Hessian of %1 is not positive definite even with damping %2; quantized by round-to-nearest instead")
            .arg(tensor, f(m, "damping"));
    case MessageCode::GptqTypeFallback:
        return tr("GPTQ: %1 is %2, which GPTQ does not sweep; quantized by rounding weighted with its calibration activations instead")
            .arg(tensor, f(m, "type"));
    case MessageCode::FitChoseMix:
        if (m.has("kld")) return tr("%1: the highest-quality mix that fits (mean KLD %2 on Llama-3-8B, llama.cpp's scoreboard)").arg(f(m, "mix"), f(m, "kld"));
        return tr("%1: the highest-quality mix that fits").arg(f(m, "mix"));
    case MessageCode::FitMixTooLarge:
        return tr("%1 does not fit: needs %2 GiB of %3, the profile has %4 GiB usable").arg(f(m, "mix"), gib(m, "needed"), poolName(m), gib(m, "available"));
    case MessageCode::FitMixPartialOffloadOnly:
        return tr("%1 would fit only with %2 of %3 layers on the GPU: a smaller mix that fits whole is faster").arg(f(m, "mix"), f(m, "gpu_layers"), f(m, "layers"));
    case MessageCode::FitOutsidePreferred: return tr("none of the profile's preferred formats fits; %1 is not one of them").arg(f(m, "mix"));
    case MessageCode::FitFullOffload: return tr("all %1 layers on the GPU").arg(f(m, "layers"));
    case MessageCode::FitPartialOffload:
        return tr("%1 of %2 layers on the GPU (-ngl %1), the rest in RAM").arg(f(m, "gpu_layers"), f(m, "layers"));
    case MessageCode::FitNothingFits:
        return tr("nothing fits: even %1 needs %2 GiB of %3, the profile has %4 GiB usable").arg(f(m, "mix"), gib(m, "needed"), poolName(m), gib(m, "available"));
    case MessageCode::FitContextBeyondModel:
        return tr("context %1 is longer than the model was trained for (%2)").arg(f(m, "ctx"), f(m, "max"));
    case MessageCode::HfQuantizedLinear: return tr("decoder linear: %1-bit, groups of %2").arg(f(m, "bits"), f(m, "group"));
    case MessageCode::HfKeptFloat: return tr("not a decoder linear, kept as %1").arg(f(m, "type"));
    }
    return QString::fromUtf8(messageCodeKey(m.code).data(), static_cast<qsizetype>(messageCodeKey(m.code).size()));
}

} // namespace condense::ui
