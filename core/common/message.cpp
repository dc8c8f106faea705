#include "core/common/message.h"

#include <array>

namespace condense {

namespace {

struct CodeKey {
    MessageCode code;
    std::string_view key;
};

constexpr std::array kKeys = {
    CodeKey{MessageCode::LegacyText, "legacy_text"},
    CodeKey{MessageCode::Replayed, "replayed"},
    CodeKey{MessageCode::MixDefault, "mix_default"},
    CodeKey{MessageCode::PureDefault, "pure_default"},
    CodeKey{MessageCode::OverrideTensorType, "override_tensor_type"},
    CodeKey{MessageCode::OverrideOutputType, "override_output_type"},
    CodeKey{MessageCode::OverrideTokenEmbeddingType, "override_token_embedding_type"},
    CodeKey{MessageCode::KeepLowDims, "keep_low_dims"},
    CodeKey{MessageCode::KeepNotWeight, "keep_not_weight"},
    CodeKey{MessageCode::KeepNorm, "keep_norm"},
    CodeKey{MessageCode::KeepLeaveOutput, "keep_leave_output"},
    CodeKey{MessageCode::KeepNeverQuantized, "keep_never_quantized"},
    CodeKey{MessageCode::KeepEmbedding, "keep_embedding"},
    CodeKey{MessageCode::MixRule, "mix_rule"},
    CodeKey{MessageCode::Fallback, "fallback"},
    CodeKey{MessageCode::TokenizerNoMerges, "tokenizer_no_merges"},
    CodeKey{MessageCode::TokenizerInvalidSpecialId, "tokenizer_invalid_special_id"},
    CodeKey{MessageCode::TokenizerSpecialOutOfRange, "tokenizer_special_out_of_range"},
    CodeKey{MessageCode::TokenizerMergeSpaces, "tokenizer_merge_spaces"},
    CodeKey{MessageCode::TokenizerMalformedMerge, "tokenizer_malformed_merge"},
    CodeKey{MessageCode::TokenizerBadChatTemplate, "tokenizer_bad_chat_template"},
    CodeKey{MessageCode::TokenizerTokensOutOfRange, "tokenizer_tokens_out_of_range"},
    CodeKey{MessageCode::TokenizerAddedTokenOutOfRange, "tokenizer_added_token_out_of_range"},
    CodeKey{MessageCode::TokenizerUnknownPreTokenizer, "tokenizer_unknown_pre_tokenizer"},
    CodeKey{MessageCode::UnknownRopeType, "unknown_rope_type"},
    CodeKey{MessageCode::ImatrixMissingEntry, "imatrix_missing_entry"},
    CodeKey{MessageCode::ImatrixEntryLength, "imatrix_entry_length"},
    CodeKey{MessageCode::Requantizing, "requantizing"},
    CodeKey{MessageCode::GptqDampingRaised, "gptq_damping_raised"},
    CodeKey{MessageCode::GptqRtnFallback, "gptq_rtn_fallback"},
    CodeKey{MessageCode::GptqTypeFallback, "gptq_type_fallback"},
    CodeKey{MessageCode::FitChoseMix, "fit_chose_mix"},
    CodeKey{MessageCode::FitMixTooLarge, "fit_mix_too_large"},
    CodeKey{MessageCode::FitMixPartialOffloadOnly, "fit_mix_partial_offload_only"},
    CodeKey{MessageCode::FitOutsidePreferred, "fit_outside_preferred"},
    CodeKey{MessageCode::FitFullOffload, "fit_full_offload"},
    CodeKey{MessageCode::FitPartialOffload, "fit_partial_offload"},
    CodeKey{MessageCode::FitNothingFits, "fit_nothing_fits"},
    CodeKey{MessageCode::FitContextBeyondModel, "fit_context_beyond_model"},
    CodeKey{MessageCode::HfQuantizedLinear, "hf_quantized_linear"},
    CodeKey{MessageCode::HfKeptFloat, "hf_kept_float"},
};

constexpr std::array<MessageCode, kKeys.size()> makeCodes()
{
    std::array<MessageCode, kKeys.size()> r{};
    for (std::size_t i = 0; i < kKeys.size(); ++i) r[i] = kKeys[i].code;
    return r;
}
constexpr auto kCodes = makeCodes();

static_assert(static_cast<std::size_t>(MessageCode::HfKeptFloat) + 1 == kKeys.size(), "every MessageCode needs a key");

} // namespace

std::span<const MessageCode> allMessageCodes() noexcept { return {kCodes.data(), kCodes.size()}; }

std::string_view messageCodeKey(MessageCode code) noexcept
{
    for (const auto& k : kKeys)
        if (k.code == code) return k.key;
    return "unknown";
}

std::optional<MessageCode> messageCodeFromKey(std::string_view key) noexcept
{
    for (const auto& k : kKeys)
        if (k.key == key) return k.code;
    return std::nullopt;
}

std::string_view Message::field(std::string_view key) const noexcept
{
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return {};
}

bool Message::has(std::string_view key) const noexcept
{
    for (const auto& f : fields)
        if (f.first == key) return true;
    return false;
}

Message& Message::set(std::string key, std::string value)
{
    for (auto& [k, v] : fields)
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
}

bool Message::operator==(const Message& other) const
{
    if (code != other.code || tensor != other.tensor || fields.size() != other.fields.size()) return false;
    for (const auto& [k, v] : fields)
        if (!other.has(k) || other.field(k) != v) return false;
    return true;
}

Message legacyText(std::string text) { return Message(MessageCode::LegacyText, {}, {{"text", std::move(text)}}); }

void nestMessage(Message& outer, const Message& inner, std::string_view prefix)
{
    const std::string p(prefix);
    outer.set(p, std::string(messageCodeKey(inner.code)));
    if (!inner.tensor.empty()) outer.set(p + ".@tensor", inner.tensor);
    for (const auto& [k, v] : inner.fields) outer.set(p + "." + k, v);
}

std::optional<Message> nestedMessage(const Message& outer, std::string_view prefix)
{
    if (!outer.has(prefix)) return std::nullopt;
    const auto code = messageCodeFromKey(outer.field(prefix));
    if (!code) return std::nullopt;
    Message m(*code);
    const std::string p = std::string(prefix) + ".";
    for (const auto& [k, v] : outer.fields) {
        if (k.size() <= p.size() || k.compare(0, p.size(), p) != 0) continue;
        std::string inner = k.substr(p.size());
        if (inner == "@tensor") m.tensor = v;
        else m.fields.emplace_back(std::move(inner), v);
    }
    return m;
}

} // namespace condense
